// The flow benchmark (issue 4): CONCURRENT flows between random host pairs of a HOSTS-host
// topology (40 hosts per rack, 10 Gbit/s NICs, 40 Gbit/s top-of-rack uplinks, bare metal, mixed
// container modes), each replaced by a new one when it ends, until COMPLETIONS flows have ended.
// Every start and end re-shares the flows connected to it (max-min fairness); the result line
// gives flows re-shared per wall second (sum over re-shares of the flows recomputed).
//
//   clustersim-bench flows HOSTS CONCURRENT COMPLETIONS SEED

import Glibc
import SimKernel
import ClusterModel

final class FlowChurn: NetworkClient {
    let net: ClusterNetwork
    let rng: RandomStream
    let hosts: Int
    var completed = 0
    let target: Int
    let modes: [ContainerNetworkMode] = [.host, .overlay, .calicoBGP, .flannelVXLAN, .bridge]
    init(net: ClusterNetwork, rng: RandomStream, hosts: Int, target: Int) { self.net = net; self.rng = rng; self.hosts = hosts; self.target = target }

    func startOne() {
        let a = rng.int(below: hosts)
        var b = rng.int(below: hosts - 1); if b >= a { b += 1 }
        let m = modes[rng.int(below: modes.count)]
        // 1 MB to 1 GB, log-uniform (image layers, Ceph objects, bulk copies)
        let bytes = 1e6 * pow(1000, rng.uniform())
        net.startFlow(from: NetworkEndpoint(host: a, mode: m), to: NetworkEndpoint(host: b, mode: m), bytes: bytes, client: self, token: 0)
    }

    func flowCompleted(_ flow: ClusterNetwork.FlowHandle, token: Int64, bytes: Double) {
        completed += 1
        if completed < target { startOne() }
    }
}

func runFlows(hosts: Int, concurrent: Int, completions: Int, seed: UInt64) {
    let racks = max(1, (hosts + 39) / 40)
    var spec = ClusterSpec(name: "flow-bench", seed: seed, duration: .hours(24 * 365), hostGroups: [
        HostGroupSpec(name: "h", count: hosts, datacenter: "dc01", racks: (1...racks).map { "r\($0)" }, cpus: 32,
                      memoryBytes: 1 << 36, diskBytes: 1 << 40, nicBitsPerSecond: 10_000_000_000)])
    spec.network = NetworkSpec(environment: .bareMetal, mode: .host, kvStore: .servers(kind: "consul", hosts: ["h-0001"]),
                               racks: (1...racks).map { RackSpec(name: "r\($0)", uplinkBitsPerSecond: 40_000_000_000) })
    let model = ClusterSimulation(spec: spec, observer: NullObserver())
    let net = model.network!
    let churn = FlowChurn(net: net, rng: model.stream("bench/flows"), hosts: hosts, target: completions)
    let t0 = monotonicSeconds()
    for _ in 0..<concurrent { churn.startOne() }
    let t1 = monotonicSeconds()
    let resharedAtStart = net.sharing.flowsReshared
    model.sim.run { churn.completed >= completions }
    let t2 = monotonicSeconds()
    let reshared = net.sharing.flowsReshared - resharedAtStart
    print("name=flows_h\(hosts)_c\(concurrent) impl=swift_clustersim hosts=\(hosts) concurrent=\(concurrent) completions=\(churn.completed)"
          + " reshares=\(2 * churn.completed) flows_reshared=\(reshared) wall_s=\(NumberFormat.fixed(t2 - t1, decimals: 3))"
          + " flows_reshared_per_s=\(rate(reshared, t2 - t1)) reshares_per_s=\(rate(2 * churn.completed, t2 - t1))"
          + " events_per_s=\(rate(Int(model.sim.eventsProcessed), t2 - t1))"
          + " setup_s=\(NumberFormat.fixed(t1 - t0, decimals: 3)) simulated_s=\(NumberFormat.fixed(model.sim.now.seconds, decimals: 3))")
}
