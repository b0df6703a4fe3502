@testable import ClusterModel
import SimKernel
import XCTest

/// Issue 15: the datapath's mechanisms carry over to hardware the model was not fitted on:
/// single flows CPU-bound on fast NICs, per-mode costs visible at MTU 9000, IPIP without GSO/GRO
/// on old kernels, latency growing with message size, the clock, bonding, UDP loss, request and
/// connection rates, service proxying.
final class NetworkMechanismTests: XCTestCase {
    typealias F = NetworkFidelityTests
    static let gbit40: Int64 = 40_000_000_000

    func row(_ rows: [NetworkResultRow], _ m: ContainerNetworkMode, _ e: NetworkResultRow.Experiment = .tcp, size: Int64? = nil) -> NetworkResultRow {
        rows.first { $0.mode == m && $0.experiment == e && (size == nil || $0.messageSize == size) && $0.locality != .sameHost }!
    }

    /// One TCP flow on a 40 Gbit jumbo-frame link is limited by one core, not the NIC, and the
    /// modes separate there by tens of percent; eight flows reach the line.
    func testSingleFlowIsCPUBoundAt40Gbit() {
        let rows = F.run(env: .bareMetal, cpus: 16, nic: Self.gbit40, underlay: 9000,
                         modes: [.host, .calicoBGP, .flannelVXLAN, .ciliumVXLAN, .antrea], sizes: [131072])
        let line = 40e9 * 8948 / (9000 + 38)
        let host = row(rows, .host, size: 131072).throughputBitsPerSecond!
        XCTAssertLessThan(host, 0.9 * line, "one flow is bound by a core")
        XCTAssertEqual(row(rows, .host, size: 131072).serverCores!, 1, accuracy: 0.01, "the receiver's core is saturated")
        XCTAssertGreaterThan(row(rows, .host, .multiFlow).throughputBitsPerSecond!, 0.95 * line)
        for m in [ContainerNetworkMode.calicoBGP, .flannelVXLAN, .ciliumVXLAN, .antrea] {
            let r = row(rows, m, size: 131072).throughputBitsPerSecond! / host
            XCTAssertLessThan(r, 0.97, "\(m.rawValue) separates from host at 40G: \(r)")
        }
        XCTAssertLessThan(row(rows, .ciliumVXLAN, size: 131072).throughputBitsPerSecond!, 0.85 * host)
        // at the host's clock: a 1.6 GHz core moves 2/3 of what a 2.4 GHz one does
        let slow = F.run(env: .bareMetal, cpus: 16, nic: Self.gbit40, underlay: 9000, modes: [.host], sizes: [131072], flows: 0,
                         host: HostEnvironmentSpec(cpuClockGHz: 1.6))
        XCTAssertEqual(row(slow, .host, size: 131072).throughputBitsPerSecond! / host, 2.0 / 3, accuracy: 0.005)
    }

    /// Per-segment stage costs (veth, netfilter, eBPF, OVS: once per aggregated skb) do not shrink
    /// with the MTU: at MTU 9000 the modes still cost more CPU per bit than host networking.
    func testJumboMTUKeepsPerModeOverhead() {
        let rows = F.run(env: .bareMetal, cpus: 16, nic: 10_000_000_000, underlay: 9000,
                         modes: [.host, .calicoBGP, .flannelHostGW, .antrea, .kubeOVN], sizes: [131072], flows: 0)
        let host = row(rows, .host, size: 131072).cpuSecondsPerGbit!
        for m in [ContainerNetworkMode.calicoBGP, .flannelHostGW] {
            XCTAssertGreaterThan(row(rows, m, size: 131072).cpuSecondsPerGbit! / host, 1.05, m.rawValue)
        }
        XCTAssertGreaterThan(row(rows, .kubeOVN, size: 131072).cpuSecondsPerGbit!, row(rows, .antrea, size: 131072).cpuSecondsPerGbit!)
        // the same stages charged per wire packet only would leave less than half of this at 9000
        var perPacketOnly = EnvironmentParameters.bareMetal
        perPacketOnly.vethNsPerSegment = 0; perPacketOnly.netfilterNsPerSegment = 0
        let c = Datapath.endCost(.calicoBGP, mtu: 9000, env: perPacketOnly, sending: false).kernelNsPerByte
        let h = Datapath.endCost(.host, mtu: 9000, env: perPacketOnly, sending: false).kernelNsPerByte
        let withSegments = Datapath.endCost(.calicoBGP, mtu: 9000, env: .bareMetal, sending: false).kernelNsPerByte
        XCTAssertGreaterThan(withSegments - h, 2 * (c - h))
    }

    /// A physical NIC's driver works per descriptor: the sending driver maps a GSO skb once and the
    /// NIC segments it (TSO), and a 9000-byte frame fills three 3 KiB receive buffers (ixgbe). So the
    /// CPU per bit of a path that keeps aggregation barely depends on the MTU, as [N3] measures:
    /// Calico IPIP at MTU 1440 costs 1.05x Flannel VXLAN's CPU per Gbit at 8950 (the driver per wire
    /// packet at both ends gave 1.4x). A tunnel or WireGuard split into packets in software keeps the
    /// driver per packet; the cloud VM's virtio NIC keeps it per wire packet.
    func testDriverWorkPerDescriptorOnAPhysicalNIC() {
        let e = EnvironmentParameters.bareMetal
        var perPacket = e
        perPacket.rxBufferBytes = 0; perPacket.driverPerGSOSkb = false
        func k(_ m: ContainerNetworkMode, _ mtu: Int, sending: Bool, _ env: EnvironmentParameters = .bareMetal) -> Double {
            Datapath.endCost(m, mtu: mtu, env: env, sending: sending).kernelNsPerByte
        }
        XCTAssertEqual(k(.host, 1500, sending: true), k(.host, 9000, sending: true), accuracy: 1e-12, "one driver call per 64 KiB GSO skb")
        XCTAssertEqual(k(.host, 9000, sending: false) - k(.host, 9000, sending: false, perPacket), 2 * e.driverNsPerPacket / 8948, accuracy: 1e-9)
        XCTAssertEqual(k(.host, 1500, sending: false), k(.host, 1500, sending: false, perPacket), accuracy: 1e-12, "a 1518-byte frame fits one buffer")
        XCTAssertEqual(k(.calicoWireGuard, 1440, sending: true), k(.calicoWireGuard, 1440, sending: true, perPacket), accuracy: 1e-12)
        func cpu(_ m: ContainerNetworkMode, _ mtu: Int) -> Double {
            NetworkPrediction.figures(env: e, mode: m, mtu: mtu, nicGbit: 10, cores: 8, messageSize: 131072).cpuPerGbit
        }
        XCTAssertLessThan(cpu(.calicoIPIP, 1440) / cpu(.flannelVXLAN, 8950), 1.2, "[N3] 1.054")
        XCTAssertEqual(EnvironmentParameters.cloudVM.rxBufferBytes, 0)
        XCTAssertFalse(EnvironmentParameters.cloudVM.driverPerGSOSkb)
    }

    /// Weave's fast datapath keeps TX checksum offload (weaveworks/weave net/veth.go turns it off only
    /// for sleeve), so its sending end hands GSO skbs to the OVS datapath and its vxlan vport like any
    /// VXLAN device on a NIC with tunnel offload; only the receiving end runs per wire packet. With
    /// both ends per packet the model charged Weave at MTU 1376 7.4x Flannel's CPU per Gbit at 8950
    /// against [N3]'s 4.5x (4.18 / 0.93 %/Gbit); the cloud VM, without tunnel offload, keeps it per packet.
    func testWeaveFastDatapathSendsGSOSkbs() {
        let e = EnvironmentParameters.bareMetal
        func k(_ m: ContainerNetworkMode, _ mtu: Int, sending: Bool, _ env: EnvironmentParameters = .bareMetal) -> Double {
            Datapath.endCost(m, mtu: mtu, env: env, sending: sending).kernelNsPerByte
        }
        XCTAssertTrue(Datapath.sendAggregates(.weaveFastDP, e))
        XCTAssertFalse(Datapath.receiveAggregates(.weaveFastDP, e))
        XCTAssertFalse(Datapath.sendAggregates(.weaveFastDP, .cloudVM))
        XCTAssertFalse(Datapath.sendAggregates(.weaveSleeve, e), "sleeve turns TX offload off for pcap")
        // the sending end costs what Flannel VXLAN's does at the same MTU, the receiving end several times more
        XCTAssertEqual(k(.weaveFastDP, 1376, sending: true), k(.flannelVXLAN, 1376, sending: true), accuracy: 0.1 * k(.flannelVXLAN, 1376, sending: true))
        XCTAssertGreaterThan(k(.weaveFastDP, 1376, sending: false), 3 * k(.weaveFastDP, 1376, sending: true))
        func cpu(_ m: ContainerNetworkMode, _ mtu: Int) -> Double {
            NetworkPrediction.figures(env: e, mode: m, mtu: mtu, nicGbit: 10, cores: 8, messageSize: 131072).cpuPerGbit
        }
        let ratio = cpu(.weaveFastDP, 1376) / cpu(.flannelVXLAN, 8950)
        XCTAssertEqual(ratio, 4.18 / 0.93, accuracy: 0.15 * 4.18 / 0.93, "[N3-weave] CPU per Gbit vs [N3-flannel]")
        let rate = NetworkPrediction.figures(env: e, mode: .weaveFastDP, mtu: 1376, nicGbit: 10, cores: 8, messageSize: 131072).bytesPerSecond * 8
        XCTAssertEqual(rate, 4.88e9, accuracy: 0.2 * 4.88e9, "[N3-weave]: the receiving end still bounds one flow")
    }

    /// IPIP without GSO (before 3.13) and GRO (before 4.6) is charged per packet at both ends and
    /// collapses on 1-4 KB writes; on 4.15 it runs at Calico BGP's rate.
    func testIPIPCollapsesWithoutGSOOnAnOldKernel() {
        let new = F.run(env: .bareMetal, cpus: 16, nic: 10_000_000_000, modes: [.calicoBGP, .calicoIPIP], sizes: [2048, 4096], flows: 0)
        let old = F.run(env: .bareMetal, cpus: 16, nic: 10_000_000_000, modes: [.calicoBGP, .calicoIPIP], sizes: [2048, 4096], flows: 0,
                        host: HostEnvironmentSpec(kernel: KernelVersion(3, 10)))
        for s in [Int64(2048), 4096] {
            let bgp = row(new, .calicoBGP, size: s).throughputBitsPerSecond!
            XCTAssertEqual(row(new, .calicoIPIP, size: s).throughputBitsPerSecond! / bgp, 1, accuracy: 0.1, "IPIP on 4.15 at \(s) B")
            XCTAssertLessThan(row(old, .calicoIPIP, size: s).throughputBitsPerSecond!, 0.6 * row(old, .calicoBGP, size: s).throughputBitsPerSecond!,
                              "IPIP on 3.10 at \(s) B")
        }
        // the write that leaves as two packets (2 KiB at MSS 1428) costs more per byte than 4 KiB
        XCTAssertLessThan(row(old, .calicoIPIP, size: 2048).throughputBitsPerSecond!, row(old, .calicoIPIP, size: 4096).throughputBitsPerSecond!)
    }

    /// Each stage runs once per skb it sees. IPIP from 3.10 to 4.5 keeps GRO after decapsulation
    /// (`ip_tunnel_rcv` -> `gro_cells_receive`): on the receiving end only the decapsulation runs
    /// per wire packet, veth, policy and the stack per GRO segment; before 3.10 everything runs
    /// per wire packet. On a NIC without tunnel segmentation (cloud-vm) the sending end splits the
    /// IPIP GSO skb in software, so the IPIP stage runs per wire packet there too; with it
    /// (bare-metal) once per GSO segment.
    func testStagesPerSkbAndIPIPGROAfterDecapsulation() {
        func extra(_ env: EnvironmentParameters, _ k: KernelVersion, sending: Bool, mtu: Int = 1480) -> Double {
            let e = env.adapted(clockGHz: nil, kernel: k)
            return Datapath.endCost(.calicoIPIP, mtu: mtu, env: e, sending: sending).kernelNsPerByte
                - Datapath.endCost(.calicoBGP, mtu: mtu, env: e, sending: sending).kernelNsPerByte
        }
        let cloud = EnvironmentParameters.cloudVM, mss = 1480.0 - 52
        XCTAssertEqual(extra(cloud, KernelVersion(3, 16), sending: false), cloud.ipipNsPerPacket / mss, accuracy: 1e-9)
        XCTAssertEqual(extra(cloud, KernelVersion(3, 16), sending: true), cloud.ipipNsPerPacket / mss, accuracy: 1e-9)
        XCTAssertEqual(extra(.bareMetal, KernelVersion(4, 15), sending: true), EnvironmentParameters.bareMetal.ipipNsPerPacket / 65536, accuracy: 1e-9)
        // before gro_cells the inner stack, veth and policy run per wire packet as well
        let noCells = extra(cloud, KernelVersion(3, 9), sending: false)
        XCTAssertEqual(noCells, (cloud.ipipNsPerPacket + cloud.stackNsPerSegment + cloud.vethNsPerPacket + cloud.policyNsPerPacket) / mss
                       - (cloud.stackNsPerSegment + cloud.vethNsPerPacket + cloud.policyNsPerPacket) / 65536, accuracy: 1e-9)
        // veth and Calico's policy once per GRO segment on Calico BGP's receiving end
        let bgp = Datapath.endCost(.calicoBGP, mtu: 1500, env: cloud, sending: false).kernelNsPerByte
        let host = Datapath.endCost(.host, mtu: 1500, env: cloud, sending: false).kernelNsPerByte
        XCTAssertEqual(bgp - host, (cloud.vethNsPerPacket + cloud.policyNsPerPacket) / 65536, accuracy: 1e-9)
        // [N1] on its kernel: IPIP near host's rate, its CPU per bit in VXLAN's class (cmgs)
        let rows = F.run(modes: [.host, .calicoBGP, .calicoIPIP, .flannelVXLAN], sizes: [65536], flows: 0,
                         host: HostEnvironmentSpec(kernel: F.n1Kernel))
        XCTAssertGreaterThan(row(rows, .calicoIPIP, size: 65536).throughputBitsPerSecond!, 0.9 * row(rows, .host, size: 65536).throughputBitsPerSecond!)
        XCTAssertGreaterThan(row(rows, .calicoIPIP, size: 65536).cpuSecondsPerGbit!, 1.3 * row(rows, .calicoBGP, size: 65536).cpuSecondsPerGbit!)
    }

    /// Request/response latency grows with the message: copies, segmentation, and serialisation at
    /// the NIC's speed (a 1 Gbit NIC adds about 8 µs per KB), faster on faster NICs and CPUs.
    func testLatencyGrowsWithMessageSize() {
        func lat(_ nic: Int64, _ size: Int64, clock: Double? = nil) -> Double {
            row(F.run(env: .bareMetal, cpus: 8, nic: nic, modes: [.host], sizes: [size], flows: 0, host: HostEnvironmentSpec(cpuClockGHz: clock)),
                .host, size: size).oneWayLatency!.seconds * 1e6
        }
        let small1g = lat(1_000_000_000, 64), big1g = lat(1_000_000_000, 65536)
        XCTAssertGreaterThan(big1g - small1g, 65536 * 8 / 1e3 * 0.95, "serialisation of 64 KiB at 1 Gbit/s")
        let big10g = lat(10_000_000_000, 65536), big40g = lat(Self.gbit40, 65536)
        XCTAssertLessThan(big10g, big1g / 5)
        XCTAssertLessThan(big40g, big10g)
        XCTAssertLessThan(lat(Self.gbit40, 65536, clock: 3.6), big40g, "a faster CPU copies faster")
        XCTAssertGreaterThan(big40g - lat(Self.gbit40, 64), 10, "the copies and stack work of 64 KiB remain at 40G")
    }

    /// Calico's eBPF data plane needs 5.3: below it runs the iptables path (as calico-bgp).
    func testCalicoEBPFFallsBackBelowKernel53() {
        let old = F.run(env: .bareMetal, cpus: 16, nic: Self.gbit40, underlay: 9000, modes: [.calicoBGP, .calicoEBPF], sizes: [131072], flows: 0)
        XCTAssertEqual(row(old, .calicoEBPF, size: 131072).throughputBitsPerSecond, row(old, .calicoBGP, size: 131072).throughputBitsPerSecond)
        let new = F.run(env: .bareMetal, cpus: 16, nic: Self.gbit40, underlay: 9000, modes: [.calicoBGP, .calicoEBPF], sizes: [131072], flows: 0,
                        host: HostEnvironmentSpec(kernel: KernelVersion(5, 4)))
        XCTAssertNotEqual(row(new, .calicoEBPF, size: 131072).throughputBitsPerSecond, row(new, .calicoBGP, size: 131072).throughputBitsPerSecond)
    }

    /// 802.3ad keeps a flow on one port; many flows use both.
    func testLACPBondKeepsOneFlowOnOnePort() {
        let rows = F.run(env: .bareMetal, cpus: 32, nic: 10_000_000_000, underlay: 9000, modes: [.host], sizes: [131072],
                         host: HostEnvironmentSpec(bonding: .lacp, bondLinks: 2))
        XCTAssertLessThan(row(rows, .host, size: 131072).throughputBitsPerSecond!, 10e9)
        XCTAssertGreaterThan(row(rows, .host, .multiFlow).throughputBitsPerSecond!, 15e9)
    }

    /// A UDP sender at full speed loses datagrams at a receiver of the same mode (the receive path
    /// costs more per datagram); encryption costs a multiple of the unencrypted path.
    func testUDPLossAndEncryption() {
        let rows = F.run(env: .bareMetal, cpus: 16, nic: 10_000_000_000, underlay: 9000, modes: [.calicoBGP, .calicoWireGuard, .antrea, .antreaIPsec],
                         sizes: [131072], flows: 0)
        // at MTU 9000 the NIC bounds the delivered rate and the receiver keeps up: what is lost is what the
        // unpaced sender writes beyond its line, dropped at its own host (iperf3 counts it: [N3] at 8940-8950,
        // Calico IPIP 2.65 %, Flannel 4.04 %); at 1500 the sender's core is the bound and the
        // receiver keeps up: [N3] loses 0.5-2.8 % there (InfraBuilder/benchmark-k8s-cni-2020-08 @d5fa3ef
        // results/doc-{calico-3.16,canal,kuberouter}.u18.04-default/*-runN.knbdata, the udp-p2p log's receiver loss, 3-run means:
        // Calico IPIP 1440 0.5 %, Canal 1450 1.2 %, kube-router 1500 2.8 %)
        let bgp = row(rows, .calicoBGP, .udp)
        XCTAssertGreaterThan(bgp.udpLoss!, 0.02)
        XCTAssertLessThan(bgp.udpLoss!, 0.15)
        let small = F.run(env: .bareMetal, cpus: 16, nic: 10_000_000_000, modes: [.calicoBGP], sizes: [131072], flows: 0)
        XCTAssertLessThan(row(small, .calicoBGP, .udp).udpLoss!, 0.028)
        func cpu(_ m: ContainerNetworkMode) -> Double { row(rows, m, size: 131072).cpuSecondsPerGbit! }
        XCTAssertGreaterThan(cpu(.calicoWireGuard), 2 * cpu(.calicoBGP))
        XCTAssertGreaterThan(cpu(.antreaIPsec), 1.5 * cpu(.antrea))
        XCTAssertLessThan(row(rows, .calicoWireGuard, size: 131072).throughputBitsPerSecond!, 0.75 * row(rows, .calicoBGP, size: 131072).throughputBitsPerSecond!)
        XCTAssertEqual(row(rows, .calicoWireGuard, size: 131072).mtu, 8940)
        XCTAssertEqual(row(rows, .antreaIPsec, size: 131072).mtu, 8912)
    }

    /// A UDP sender in a container runs flat out (iperf3 -u -b 0): the veth orphans each datagram
    /// (`skb_scrub_packet`), so no send buffer paces it and its core stays busy whatever its NIC and
    /// the receiver take, as [N3]'s client nodes are in every UDP row (one core of eight, 11-12.3 %
    /// of the node, from 1.8 to 9.85 Gbit/s); host networking's socket is paced at its NIC. The
    /// closed form the calibration fits charges the same.
    func testUDPSenderInAContainerRunsFlatOut() {
        let jumbo = F.run(env: .bareMetal, cpus: 16, nic: 10_000_000_000, underlay: 9000, modes: [.host, .calicoBGP], sizes: [131072], flows: 0)
        let small = F.run(env: .bareMetal, cpus: 16, nic: 10_000_000_000, modes: [.calicoBGP], sizes: [131072], flows: 0)
        let e = EnvironmentParameters.bareMetal
        // cores of a sender delivering `delivered` bytes per second whose kernel path pushes datagrams
        // at `offered` (nil: its core's full rate); the user part (copies) is paid per byte delivered
        func cores(_ m: ContainerNetworkMode, _ mtu: Int, delivered: Double, offered: Double? = nil) -> Double {
            let d = Datapath.udpDatagramNs(m, mtu: mtu, env: e, sending: true)
            let datagrams = offered.map { $0 / Double(d.payload) } ?? 1e9 / d.kernel
            return (datagrams * d.kernel + delivered / Double(d.payload) * d.user) * 1e-9
        }
        let bgp = row(jumbo, .calicoBGP, .udp), host = row(jumbo, .host, .udp), bgpSmall = row(small, .calicoBGP, .udp)
        // at MTU 9000 both deliver the line; the container's sender spends its whole core on it, host
        // networking's only what the line carries
        XCTAssertGreaterThan(bgp.throughputBitsPerSecond!, 9.5e9)
        let bgpRate = bgp.throughputBitsPerSecond! / 8, hostRate = host.throughputBitsPerSecond! / 8
        XCTAssertEqual(bgp.clientCores!, cores(.calicoBGP, 9000, delivered: bgpRate), accuracy: 0.01)
        XCTAssertEqual(host.clientCores!, cores(.host, 9000, delivered: hostRate, offered: hostRate), accuracy: 0.01)
        XCTAssertGreaterThan(bgp.clientCores!, 1.05 * cores(.calicoBGP, 9000, delivered: bgpRate, offered: bgpRate))
        // at MTU 1500 the sender's core is the bound, at one core as [N3]'s sending nodes (0.88-0.92 of a core
        // above idle at MTU 1440-1500), and the receiver delivers nearly all it offers ([N3]: 0.5-2.8 % lost)
        XCTAssertLessThan(bgpSmall.udpLoss!, 0.028)
        XCTAssertEqual(bgpSmall.clientCores!, 1, accuracy: 0.01)
        XCTAssertEqual(bgpSmall.clientCores!, cores(.calicoBGP, 1500, delivered: bgpSmall.throughputBitsPerSecond! / 8), accuracy: 0.01)
        for (r, mtu) in [(bgp, 9000), (host, 9000), (bgpSmall, 1500)] {
            let p = NetworkPrediction.figures(env: e, mode: r.mode, mtu: mtu, nicGbit: 10, cores: 16, messageSize: r.messageSize!, experiment: .udp)
            XCTAssertEqual(p.cpuPerGbit, r.cpuSecondsPerGbit!, accuracy: 1e-3 * p.cpuPerGbit, "\(r.mode.rawValue) \(mtu)")
        }
    }

    /// Many request/response streams: rr is bound by round trips then cores; crr adds the
    /// handshake, and kube-proxy's iptables walk (one rule per service) makes new connections
    /// dearer than IPVS with many services.
    func testRequestResponseAndConnectionRates() {
        func rates(_ proxy: ServiceProxyMode) -> (rr: NetworkResultRow, crr: NetworkResultRow) {
            let rows = F.run(env: .bareMetal, cpus: 4, nic: 10_000_000_000, modes: [.calicoBGP], sizes: [64], flows: 64,
                             host: HostEnvironmentSpec(serviceProxy: proxy, services: 5000))
            return (row(rows, .calicoBGP, .requestResponse), row(rows, .calicoBGP, .connectRequestResponse))
        }
        let ipt = rates(.iptables), ipvs = rates(.ipvs)
        XCTAssertEqual(ipt.rr.transactionsPerSecond, ipvs.rr.transactionsPerSecond)
        XCTAssertLessThan(ipt.crr.transactionsPerSecond!, 0.7 * ipvs.crr.transactionsPerSecond!)
        XCTAssertLessThan(ipvs.crr.transactionsPerSecond!, ipvs.rr.transactionsPerSecond!)
        // 64 streams on 4 cores: CPU-bound, the client's cores busy
        XCTAssertEqual(ipvs.rr.clientCores!, 4, accuracy: 0.01)
    }

    /// The closed form the calibration fits equals what the simulated experiments measure.
    func testPredictionMatchesTheSimulatedExperiments() {
        for r in NetworkFidelityTests.cloud where r.experiment == .tcp && r.locality == .sameRack && [Int64(64), 2048, 65536].contains(r.messageSize!) {
            let env = EnvironmentParameters.cloudVM.adapted(clockGHz: nil, kernel: NetworkFidelityTests.n1Kernel)
            let p = NetworkPrediction.figures(env: env, mode: r.mode, mtu: r.mtu, nicGbit: 2.5, cores: 1, messageSize: r.messageSize!)
            XCTAssertEqual(p.bytesPerSecond * 8, r.throughputBitsPerSecond!, accuracy: 1e-6 * r.throughputBitsPerSecond!, "\(r.mode.rawValue) \(r.messageSize!)")
            XCTAssertEqual(p.oneWayNs, Double(r.oneWayLatency!.nanoseconds), accuracy: 2, "\(r.mode.rawValue) \(r.messageSize!)")
        }
    }
}
