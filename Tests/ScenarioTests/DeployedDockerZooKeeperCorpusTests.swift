import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// What the public daemon.json files, dockerd command lines and zoo.cfg files showed
/// (docs/storage.md and docs/mesos.md "Checked against public files"), in minimal files of our own:
/// the checks dockerd makes before it serves, the release `storage.dockerVersion` selects, and the
/// simulator's own limits said as its own.
final class DeployedDockerZooKeeperCorpusTests: XCTestCase {
    /// A scenario whose slave group reads `daemon` as its daemon.json (and `storage` keys beside hostGroups).
    func load(daemon: String? = nil, group: String = "", storage: String = "") throws(ScenarioErrors) -> LoadedScenario {
        let dir = makeTempDir()
        if let daemon { write(daemon, to: dir + "/daemon.json") }
        let config = daemon == nil ? "" : #", "daemonConfig": "daemon.json""#
        write("""
        {"name": "t", "duration": "1h",
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                        {"name": "slave", "count": 3, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
         "mesos": {},
         "storage": {"hostGroups": [{"hostGroup": "slave"\(group)\(config)}]\(storage)}}
        """, to: dir + "/s.json")
        return try ScenarioLoader.load(path: dir + "/s.json")
    }

    func refusal(daemon: String? = nil, group: String = "", storage: String = "", file: StaticString = #filePath, line: UInt = #line) -> String {
        do { _ = try load(daemon: daemon, group: group, storage: storage); XCTFail("loaded", file: file, line: line); return "" }
        catch { return error.errors.map(\.message).joined(separator: " | ") }
    }

    /// dockerd's registry service refuses a mirror without a scheme (registry.ValidateMirror via
    /// NewService) and an insecure registry with a scheme other than http(s); it drops http:// with a warning.
    func testRegistryNamesAreCheckedAsTheRegistryServiceChecksThem() throws {
        XCTAssertTrue(refusal(daemon: #"{"registry-mirrors": ["mirror.example.org"]}"#)
            .contains(#"invalid mirror: unsupported scheme "" in "mirror.example.org""#))
        XCTAssertTrue(refusal(daemon: #"{"registry-mirrors": ["https://mirror.example.org/v2/"]}"#)
            .contains("invalid mirror: path, query, or fragment at end of the URI"))
        XCTAssertTrue(refusal(daemon: #"{"insecure-registries": ["ftp://registry.example:5000"]}"#)
            .contains("insecure registry ftp://registry.example:5000 should not contain '://'"))
        XCTAssertTrue(refusal(daemon: #"{"insecure-registries": ["registry.example:99999"]}"#).contains(#"invalid port "99999""#))
        XCTAssertNoThrow(try load(daemon: #"{"registry-mirrors": ["https://mirror.example.org/"], "insecure-registries": ["http://10.0.0.1:5000", "10.1.0.0/16", "reg-1.example"]}"#))
        // the same checks on the command line's flags
        XCTAssertTrue(refusal(group: #", "flagsFrom": [{"commandLine": "dockerd --registry-mirror mirror.example.org"}]"#)
            .contains("invalid mirror: unsupported scheme"))
        // 17.03 took any insecure registry, and said its mirror error in its own words
        XCTAssertNoThrow(try load(daemon: #"{"insecure-registries": ["ftp://registry.example"]}"#, storage: #", "dockerVersion": "17.03""#))
        XCTAssertTrue(refusal(daemon: #"{"registry-mirrors": ["mirror.example.org"]}"#, storage: #", "dockerVersion": "17.03""#).contains("Unsupported scheme "))
    }

    /// `metrics-addr` needs `experimental` until 20.10 (cmd/dockerd/daemon.go); 20.10's `ip6tables`
    /// needs it too (daemon_unix.go verifyDaemonSettings).
    func testMetricsAddrAndIP6TablesNeedExperimentalWhereDockerdSaysSo() throws {
        XCTAssertTrue(refusal(daemon: #"{"metrics-addr": "127.0.0.1:9323"}"#).contains("metrics-addr is only supported when experimental is enabled"))
        XCTAssertNoThrow(try load(daemon: #"{"metrics-addr": "127.0.0.1:9323", "experimental": true}"#))
        XCTAssertNoThrow(try load(group: #", "flagsFrom": [{"commandLine": "dockerd --metrics-addr 0.0.0.0:9323 --experimental"}]"#))
        XCTAssertTrue(refusal(group: #", "flagsFrom": [{"commandLine": "dockerd --metrics-addr 0.0.0.0:9323"}]"#).contains("metrics-addr is only supported"))
        XCTAssertNoThrow(try load(daemon: #"{"metrics-addr": "127.0.0.1:9323"}"#, storage: #", "dockerVersion": "20.10""#))
        XCTAssertTrue(refusal(daemon: #"{"ipv6": true, "ip6tables": true}"#, storage: #", "dockerVersion": "20.10""#)
            .contains("ip6tables rules are only available if experimental features are enabled"))
        XCTAssertNoThrow(try load(daemon: #"{"ipv6": true, "ip6tables": true, "experimental": true}"#, storage: #", "dockerVersion": "20.10""#))
    }

    /// `storage.dockerVersion` selects the release's keys, flags and storage options; 18.09 by default.
    func testDockerVersionSelectsTheReleasesKeysFlagsAndOptions() throws {
        let later = refusal(daemon: #"{"ip6tables": true, "experimental": true}"#)
        XCTAssertTrue(later.contains("don't match any configuration option: ip6tables (ip6tables came in dockerd 20.10; storage.dockerVersion is 18.09)"), later)
        XCTAssertTrue(refusal(daemon: #"{"data-root": "/srv/docker"}"#, storage: #", "dockerVersion": "17.03""#).contains("data-root came in dockerd 17.06"))
        XCTAssertNoThrow(try load(daemon: #"{"data-root": "/srv/docker"}"#, storage: #", "dockerVersion": "17.06""#))
        XCTAssertTrue(refusal(daemon: #"{"disable-legacy-registry": true}"#, storage: #", "dockerVersion": "19.03""#).contains("disable-legacy-registry is not in dockerd 19.03"))
        // before 18.09 `features` is no flat option: its keys are read as directives
        XCTAssertTrue(refusal(daemon: #"{"features": {"buildkit": true}}"#, storage: #", "dockerVersion": "18.06""#)
            .contains("directives don't match any configuration option: buildkit (features is read whole from dockerd 18.09"))
        XCTAssertNoThrow(try load(daemon: #"{"features": {"buildkit": true}}"#))
        // 17.12 had no node-generic-resources option (only the --node-generic-resource flag)
        XCTAssertTrue(refusal(daemon: #"{"node-generic-resources": ["gpu=1"]}"#, storage: #", "dockerVersion": "17.12""#).contains("node-generic-resources"))
        XCTAssertNoThrow(try load(daemon: #"{"node-generic-resources": ["gpu=1"]}"#, storage: #", "dockerVersion": "18.03""#))
        // flags too
        XCTAssertTrue(refusal(group: #", "flagsFrom": [{"commandLine": "dockerd --default-cgroupns-mode host"}]"#).contains("unknown flag: --default-cgroupns-mode"))
        XCTAssertNoThrow(try load(group: #", "flagsFrom": [{"commandLine": "dockerd --default-cgroupns-mode host"}]"#, storage: #", "dockerVersion": "20.10""#))
        // devicemapper's options: dm.libdm_log_level came in 17.09, the thin pool's autoextend in 17.06
        XCTAssertTrue(refusal(group: #", "storageOpts": {"dm.libdm_log_level": "7"}"#, storage: #", "dockerVersion": "17.06""#)
            .contains("devmapper: Unknown option dm.libdm_log_level (dockerd 17.06 refuses to start; the option came in 17.09"))
        XCTAssertTrue(refusal(daemon: #"{"storage-opts": ["dm.thinp_percent=90"]}"#, storage: #", "dockerVersion": "17.03""#).contains("devmapper: Unknown option dm.thinp_percent"))
        XCTAssertNoThrow(try load(group: #", "storageOpts": {"dm.libdm_log_level": "7"}"#, storage: #", "dockerVersion": "17.09""#))
        // an unknown release
        XCTAssertTrue(refusal(storage: #", "dockerVersion": "19.06""#).contains("dockerd release"))
    }

    /// pflag's Lookup finds a flag by its long name: a shorthand is no daemon.json key.
    func testAShorthandIsNoDaemonJSONKey() throws {
        XCTAssertTrue(refusal(daemon: #"{"D": true}"#).contains("don't match any configuration option: D"))
        XCTAssertNoThrow(try load(daemon: #"{"debug": true}"#))
        XCTAssertNoThrow(try load(group: #", "flagsFrom": [{"commandLine": "dockerd -D -s overlay2"}]"#))
    }

    /// docker 1.x's `docker daemon` exec'd dockerd until the CLI dropped it in 17.12 (docker/cli c6a3199).
    func testDockerDaemonSubcommandRunsDockerdBefore1712Only() throws {
        let line = #", "flagsFrom": [{"commandLine": "/usr/bin/docker daemon -H fd:// --storage-driver=overlay2"}]"#
        XCTAssertTrue(refusal(group: line).contains("docker: 'daemon' is not a docker command"))
        let old = try load(group: line, storage: #", "dockerVersion": "17.09""#)
        XCTAssertEqual(old.spec.storage?.hostGroups.first?.driver, .overlay2)
        XCTAssertTrue(old.warnings.contains { $0.contains("`docker daemon` is deprecated") }, "\(old.warnings)")
        XCTAssertNoThrow(try load(group: #", "flagsFrom": [{"commandLine": "/usr/bin/dockerd -H fd:// --storage-driver=overlay2"}]"#))
    }

    /// dockerd's other graph drivers are the simulator's limit, said as such.
    func testAnotherGraphDriverIsTheSimulatorsLimit() throws {
        let e = refusal(daemon: #"{"storage-driver": "overlay"}"#)
        XCTAssertTrue(e.contains("dockerd 18.09 has the overlay storage driver, but the simulator models \"devicemapper\" and \"overlay2\" only"), e)
        XCTAssertTrue(refusal(daemon: #"{"storage-driver": "overlay3"}"#).contains("unknown storage driver"))
    }

    // MARK: zoo.cfg

    func zoo(_ text: String, section: String = #"{"config": "zoo.cfg", "hostGroup": "zk"}"#) throws(ScenarioErrors) -> LoadedScenario {
        let dir = ZooKeeperConfigFileTests.folder(text, section: section, file: "zoo.cfg", group: "zk", count: 7)
        return try ScenarioLoader.load(path: dir + "/s.json")
    }
    func zooRefusal(_ text: String, section: String = #"{"config": "zoo.cfg", "hostGroup": "zk"}"#) -> String {
        do { _ = try zoo(text, section: section); XCTFail("loaded"); return "" } catch { return error.errors.map(\.message).joined(separator: " | ") }
    }
    static let head = "tickTime=2000\ninitLimit=10\nsyncLimit=5\ndataDir=/var/lib/zk\nclientPort=2181\n"

    /// ZooKeeper runs these; the simulator does not model them, and says so in its own name.
    func testStandaloneAndOtherSizesAreTheSimulatorsLimitNotZooKeepers() throws {
        for text in [Self.head, Self.head + "server.1=a:2888:3888\n"] {
            let e = zooRefusal(text)
            XCTAssertTrue(e.contains("the simulator cannot run zoo.cfg") && e.contains("runs standalone"), e)
            XCTAssertFalse(e.contains("ZooKeeper refuses"), e)
        }
        let four = Self.head + (1...4).map { "server.\($0)=h\($0):2888:3888\n" }.joined()
        let e = zooRefusal(four)
        XCTAssertTrue(e.contains("the simulator cannot run zoo.cfg: it has 4 participants"), e)
        XCTAssertEqual(try zoo(four, section: #"{"config": "zoo.cfg", "hostGroup": "zk", "servers": 3}"#).spec.zookeeper?.servers, 3,
                       "the section's own servers win")
        XCTAssertTrue(zooRefusal(Self.head, section: #"{"servers": 4}"#).contains("an ensemble has 3, 5 or 7 servers"))
    }

    /// QuorumPeerConfig: one participant with observers is refused, not run standalone.
    func testObserversWithoutAQuorumAreRefused() throws {
        let e = zooRefusal(Self.head + "server.1=a:2888:3888\nserver.2=b:2888:3888:observer\n")
        XCTAssertTrue(e.contains("ZooKeeper refuses zoo.cfg: Observers w/o quorum is an invalid configuration"), e)
    }
}
