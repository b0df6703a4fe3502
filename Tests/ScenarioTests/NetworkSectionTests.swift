import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// The `network` section: defaults, every key, overrides and the errors a user can make.
final class NetworkSectionTests: XCTestCase {
    let base = #"{"name": "t", "duration": "1h", "hostGroups": [{"name": "kv", "count": 3, "rack": "r1", "cpus": 2, "memory": "4GiB", "disk": "40GB"}, {"name": "slave", "count": 4, "racks": ["r1", "r2"], "cpus": 8, "memory": "32GiB", "disk": "500GB", "nic": "10Gbit"}], "network": NET}"#

    func scenario(_ net: String) -> String { base.replacingOccurrences(of: "NET", with: net) }

    func testDefaults() throws {
        let s = try XCTUnwrap(loadOK(scenario("{}"))?.spec.network)
        XCTAssertEqual(s.environment, .cloudVM)
        XCTAssertEqual(s.mode, .host)
        XCTAssertEqual(s.underlayMTU, 1500)
        XCTAssertEqual(s.switchLatency, SimDuration(nanoseconds: 1000))
        XCTAssertNil(s.kvStore); XCTAssertNil(s.experiments)
        XCTAssertNil(loadOK(minimalScenario)?.spec.network)
    }

    func testEveryKey() throws {
        let net = #"{"environment": "bare-metal", "mode": "calico-ipip", "underlayMtu": 9000, "switchLatency": "2us", "networks": [{"name": "ov", "mode": "overlay", "mtu": 8950}], "kvStore": {"kind": "etcd", "hostGroup": "kv", "servers": 3}, "racks": [{"name": "r1", "uplink": "40Gbit"}, {"name": "r2"}], "datacenterLinks": [], "experiments": {"modes": ["host", "overlay"], "from": "slave-01", "to": "slave-02", "messageSizes": [1, "64KiB"], "testTime": "1s", "flows": 4, "connections": 10}}"#
        let s = try XCTUnwrap(loadOK(scenario(net))?.spec.network)
        XCTAssertEqual(s.environment, .bareMetal)
        XCTAssertEqual(s.mode, .calicoIPIP)
        XCTAssertEqual(s.mtu(of: .calicoIPIP), 8980)
        XCTAssertEqual(s.mtu(of: .overlay), 8950)
        XCTAssertEqual(s.kvStore, .servers(kind: "etcd", hosts: ["kv-01", "kv-02", "kv-03"]))
        XCTAssertEqual(s.racks, [RackSpec(name: "r1", uplinkBitsPerSecond: 40_000_000_000), RackSpec(name: "r2")])
        XCTAssertEqual(s.experiments, NetworkExperimentsSpec(modes: [.host, .overlay], from: "slave-01", to: "slave-02", messageSizes: [1, 65536],
                                                             testTime: .seconds(1), flows: 4, connections: 10))
        // Marathon's network modes map onto the cluster's
        XCTAssertEqual(s.mode(for: .host), .host)
        XCTAssertEqual(s.mode(for: .bridge), .bridge)
        XCTAssertEqual(s.mode(for: .container(name: "ov")), .overlay)
        XCTAssertEqual(s.mode(for: .container(name: nil)), .calicoIPIP)
    }

    func testEnvironmentBySet() throws {
        let s = try XCTUnwrap(loadOK(scenario("{}"), overrides: ["network.environment=bare-metal"])?.spec.network)
        XCTAssertEqual(s.environment, .bareMetal)
    }

    func testUnknownModeListsTheValidOnes() {
        assertSingleError(scenario(#"{"mode": "flannel"}"#), path: "network.mode",
                          ["unknown network mode \"flannel\"", "allowed: \"host\", \"bridge\", \"overlay\", \"macvlan\", \"ipvlan\", \"calico-bgp\""])
        assertSingleError(scenario(#"{"experiments": {"from": "slave-01", "to": "slave-02", "modes": ["host", "weave"]}}"#),
                          path: "network.experiments.modes[1]", ["unknown network mode \"weave\"", "\"docker-proxy\""])
    }

    func testOverlayNeedsAKVStore() {
        assertSingleError(scenario(#"{"networks": [{"name": "ov", "mode": "overlay"}]}"#), path: "network.kvStore",
                          ["overlay mode (network.networks[0]) needs a KV store"])
        // every mode in the experiments by default, overlay included
        assertSingleError(scenario(#"{"experiments": {"from": "slave-01", "to": "slave-02"}}"#), path: "network.kvStore",
                          ["overlay mode (network.experiments.modes) needs a KV store"])
        assertSingleError(scenario(#"{"mode": "overlay", "kvStore": "zookeeper"}"#), path: "network.kvStore",
                          ["no \"mesos\" section"])
    }

    func testMTUBeyondTheUnderlay() {
        assertSingleError(scenario(#"{"networks": [{"name": "w", "mode": "weave-fastdp", "mtu": 1450}]}"#), path: "network.networks[0].mtu",
                          ["MTU 1450 is larger than the underlay MTU 1500 allows for mode \"weave-fastdp\"", "at most 1413"])
        assertSingleError(scenario(#"{"underlayMtu": 9000, "networks": [{"name": "c", "mode": "calico-ipip", "mtu": 8990}]}"#), path: "network.networks[0].mtu",
                          ["at most 8980"])
        XCTAssertNotNil(loadOK(scenario(#"{"networks": [{"name": "c", "mode": "calico-ipip", "mtu": 1480}]}"#)))
    }

    func testRacksAndDatacentersMustExist() {
        assertSingleError(scenario(#"{"racks": [{"name": "r1"}]}"#), path: "hostGroups[1].racks[1]",
                          ["rack \"r2\" of host group \"slave\" does not exist", "declared racks: \"r1\""])
        assertSingleError(scenario(#"{"datacenterLinks": [{"between": ["dc01", "dc2"], "latency": "1ms", "bandwidth": "10Gbit"}]}"#),
                          path: "network.datacenterLinks[0].between[1]", ["data center \"dc2\" does not exist"])
    }

    func testExperimentHostsMustExist() {
        assertSingleError(scenario(#"{"mode": "host", "experiments": {"modes": ["host"], "from": "slave-01", "to": "slave-07"}}"#),
                          path: "network.experiments.to", ["no host named \"slave-07\""])
    }

    func testUnknownKeyIsSuggested() {
        assertSingleError(scenario(#"{"underlayMTU": 1500}"#), path: "network.underlayMTU", ["did you mean \"underlayMtu\"?"])
    }

    /// The hosts' environment (issue 15): clock, kernel, bonding, service proxying.
    func testHostEnvironmentKeys() throws {
        let net = #"{"environment": "bare-metal", "cpuClock": 3.2, "kernel": "5.4.0-42-generic", "bonding": "802.3ad", "bondLinks": 2, "serviceProxy": "ipvs", "services": 2000, "mode": "calico-ebpf"}"#
        let s = try XCTUnwrap(loadOK(scenario(net))?.spec.network)
        XCTAssertEqual(s.host, HostEnvironmentSpec(cpuClockGHz: 3.2, kernel: KernelVersion(5, 4), bonding: .lacp, bondLinks: 2, serviceProxy: .ipvs, services: 2000))
        XCTAssertEqual(s.parameters.kernel, KernelVersion(5, 4))
        XCTAssertEqual(s.parameters.nsPerByte, EnvironmentParameters.bareMetal.nsPerByte * 2.4 / 3.2, accuracy: 1e-12)
        let d = try XCTUnwrap(loadOK(scenario("{}"))?.spec.network)
        XCTAssertEqual(d.parameters, EnvironmentParameters.cloudVM)
    }

    func testBadHostEnvironmentKeys() {
        assertSingleError(scenario(#"{"cpuClock": 1e308}"#), path: "network.cpuClock", ["<= 6"])
        assertSingleError(scenario(#"{"cpuClock": 0}"#), path: "network.cpuClock", [">= 0.5"])
        assertSingleError(scenario(#"{"kernel": "four"}"#), path: "network.kernel", ["kernel release like \"4.15\""])
        assertSingleError(scenario(#"{"kernel": 4.15}"#), path: "network.kernel", ["as a string like \"5.10\"", "5.10 would be 5.1"])
        assertSingleError(scenario(#"{"kernel": true}"#), path: "network.kernel", ["a string"])
        assertSingleError(scenario(#"{"kernel": "2.4"}"#), path: "network.kernel", ["2.6 or later"])
        assertSingleError(scenario(#"{"bonding": "balance-rr"}"#), path: "network.bonding", ["\"802.3ad\""])
        assertSingleError(scenario(#"{"bondLinks": 2}"#), path: "network.bondLinks", ["network.bonding is \"none\""])
        assertSingleError(scenario(#"{"bonding": "802.3ad"}"#), path: "network.bondLinks", ["needs 2 to 8 ports"])
        assertSingleError(scenario(#"{"bonding": "802.3ad", "bondLinks": 1000000000000}"#), path: "network.bondLinks", ["8"])
        assertSingleError(scenario(#"{"services": 0}"#), path: "network.services", ["1"])
        assertSingleError(scenario(#"{"serviceProxy": "userspace"}"#), path: "network.serviceProxy", ["\"ipvs\""])
        // Cilium refuses kernels below 4.9; Calico eBPF falls back instead (no error)
        assertSingleError(scenario(#"{"mode": "cilium-vxlan", "kernel": "4.4"}"#), path: "network.mode", ["needs Linux 4.9 or later", "4.4 (network.kernel)"])
        assertSingleError(scenario(#"{"networks": [{"name": "c", "mode": "cilium-native"}], "environment": "cloud-vm", "kernel": "3.10"}"#),
                          path: "network.networks[0].mode", ["needs Linux 4.9"])
        XCTAssertNotNil(loadOK(scenario(#"{"mode": "calico-ebpf", "kernel": "4.15"}"#)))
    }
}
