import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// `zookeeper.config`: the servers' zoo.cfg read as ZooKeeper 3.4 reads it (java.util.Properties,
/// QuorumPeerConfig.parseProperties).
final class ZooKeeperConfigFileTests: XCTestCase {
    /// A scenario folder with `zoo` at `file` and `section` as `zookeeper`; the ZooKeeper hosts are
    /// a group `group` of `count` hosts.
    static func folder(_ zoo: String, section: String = #"{"config": "conf/zoo.cfg"}"#, file: String = "conf/zoo.cfg",
                       group: String = "master", count: Int = 5) -> String {
        let dir = makeTempDir()
        write(zoo, to: dir + "/" + file)
        write("""
        {"name": "t", "duration": "1h",
         "hostGroups": [{"name": "\(group)", "count": \(count), "cpus": 4, "memory": "8GiB", "disk": "100GB"},
                        {"name": "slave", "count": 3, "cpus": 8, "memory": "64GiB", "disk": "500GB"}],
         "zookeeper": \(section), "mesos": {}}
        """, to: dir + "/s.json")
        return dir
    }

    func folder(_ zoo: String, section: String = #"{"config": "conf/zoo.cfg"}"#) -> String { Self.folder(zoo, section: section) }

    static let ensemble = """
    # The number of milliseconds of each tick
    tickTime=2500
    initLimit = 10
    syncLimit: 4
    dataDir=/var/lib/zookeeper
    clientPort=2181
    maxClientCnxns=0
    autopurge.snapRetainCount=3
    autopurge.purgeInterval=24
    minSessionTimeout=4000
    maxSessionTimeout \\
      40000
    server.1=zk1.example.com:2888:3888
    server.2=zk2.example.com:2888:3888
    server.3=zk3.example.com:2888:3888:participant
    server.4=zk4.example.com:2888:3888
    server.5=zk5.example.com:2888:3888
    server.6=zk6.example.com:2888:3888:observer
    4lw.commands.whitelist=stat, ruok
    """

    func testAnEnsemblesZooCfgLoads() throws {
        let l = try ScenarioLoader.load(path: folder(Self.ensemble) + "/s.json")
        let z = try XCTUnwrap(l.spec.zookeeper)
        XCTAssertEqual(z.servers, 5, "the participants of the server lines")
        XCTAssertEqual(z.tickTime, .milliseconds(2500))
        XCTAssertEqual(z.initLimit, 10)
        XCTAssertEqual(z.syncLimit, 4, "key: value")
        XCTAssertEqual(z.negotiatedTimeout(.seconds(1)), .seconds(4), "minSessionTimeout")
        XCTAssertEqual(z.negotiatedTimeout(.seconds(90)), .seconds(40), "maxSessionTimeout, across a continued line")
        XCTAssertTrue(l.warnings.contains { $0.contains("accepted by ZooKeeper, not modelled: dataDir, clientPort, maxClientCnxns, autopurge.snapRetainCount, autopurge.purgeInterval, 4lw.commands.whitelist, observers") }, "\(l.warnings)")
        // the section's own keys win
        let own = try ScenarioLoader.load(path: folder(Self.ensemble, section: #"{"config": "conf/zoo.cfg", "tickTime": "2s", "servers": 3}"#) + "/s.json")
        XCTAssertEqual(own.spec.zookeeper?.tickTime, .seconds(2))
        XCTAssertEqual(own.spec.zookeeper?.servers, 3)
        // without the session bounds: 2 and 20 ticks
        let plain = try ScenarioLoader.load(path: folder("tickTime=2000\ninitLimit=5\nsyncLimit=2\ndataDir=/d\nclientPort=2181\nserver.1=a:1:2\nserver.2=b:1:2\nserver.3=c:1:2\n") + "/s.json")
        XCTAssertEqual(plain.spec.zookeeper?.negotiatedTimeout(.seconds(1)), .seconds(4))
        XCTAssertEqual(plain.spec.zookeeper?.negotiatedTimeout(.seconds(100)), .seconds(40))
    }

    func testWhatZooKeeperRefuses() {
        let base = "dataDir=/d\nclientPort=2181\ninitLimit=5\nsyncLimit=2\n"
        let three = "server.1=a:2888:3888\nserver.2=b:2888:3888\nserver.3=c:2888:3888\n"
        func refused(_ zoo: String, _ says: String, file: StaticString = #filePath, line: UInt = #line) {
            do { _ = try ScenarioLoader.load(path: folder(zoo) + "/s.json"); XCTFail("loaded", file: file, line: line) } catch {
                XCTAssertEqual(error.errors.count, 1, "\(error.errors)", file: file, line: line)
                XCTAssertTrue(error.errors.first?.message.contains(says) == true, "\(error.errors)", file: file, line: line)
                XCTAssertEqual(error.errors.first?.path, "zookeeper.config", file: file, line: line)
            }
        }
        refused("clientPort=2181\ninitLimit=5\nsyncLimit=2\n" + three, "dataDir is not set")
        refused("dataDir=/d\ninitLimit=5\nsyncLimit=2\n" + three, "clientPort is not set")
        refused("dataDir=/d\nclientPort=2181\nsyncLimit=2\n" + three, "initLimit is not set")
        refused(base + "tickTime=2s\n" + three, "For input string: \"2s\"")
        refused(base + "server.1=a:2888\nserver.2=b:2888:3888\nserver.3=c:2888:3888\n", "Missing election port for server: 1")
        refused(base + "server.1=a:2888:3888:voter\n" + "server.2=b:2888:3888\nserver.3=c:2888:3888\n", "Unrecognised peertype: a:2888:3888:voter")
        refused(base + "minSessionTimeout=50000\nmaxSessionTimeout=4000\n" + three, "minSessionTimeout must not be larger than maxSessionTimeout")
        refused(base + "server.1=a:2888:3888\n", "only one server specified")
        refused(base + "server.1=a:2888:3888:observer\n", "Observers w/o participants")
        // splitWithLeadingHostname: an IPv6 literal needs its "]:"; fewer than two parts crash
        refused(base + "server.1=[fe80::1:2888:3888\nserver.2=b:2888:3888\nserver.3=c:2888:3888\n", "[fe80::1:2888:3888 starts with '[' but has no matching ']:'")
        refused(base + "server.1=a\nserver.2=b:2888:3888\nserver.3=c:2888:3888\n", "java.lang.ArrayIndexOutOfBoundsException: 1")
        refused(base + "server.1=a::3888\nserver.2=b:2888:3888\nserver.3=c:2888:3888\n", "For input string: \"\"")
        // hierarchical quorums' numbers, the quorum SASL settings (3.4.10+), quorum.cnxn.threads.size
        refused(base + three + "group.1=1:2\ngroup.2=2:3\n", "Server 2is in multiple groups")
        refused(base + three + "group.1=1:2\n", "Every server must be in exactly one group")
        refused(base + three + "group.1=1:x\n", "For input string: \"x\"")
        refused(base + three + "weightX=2\n", "For input string: \"weightX\"")
        refused(base + three + "quorum.auth.serverRequireSasl=true\nquorum.auth.learnerRequireSasl=TRUE\n", "quorum.auth.enableSasl is disabled, so cannot enable quorum.auth.serverRequireSasl")
        refused(base + three + "quorum.auth.enableSasl=true\nquorum.auth.serverRequireSasl=true\n", "quorum.auth.learnerRequireSasl is disabled, so cannot enable quorum.auth.serverRequireSasl")
        refused(base + three + "quorum.cnxn.threads.size=many\n", "For input string: \"many\"")
        XCTAssertNotNil(try? ScenarioLoader.load(path: folder(base + three + "group.1=1:2:3\nweight.1=2\nquorum.auth.enableSasl=true\nquorum.auth.learnerRequireSasl=true\nquorum.auth.serverRequireSasl=yes\n") + "/s.json"))
        // Java's split drops trailing empty parts; an IPv6 host in brackets; more than four parts are
        // only logged, the fourth still decides the type
        let odd = try? ScenarioLoader.load(path: folder(base + "server.1=a:2888:3888:\nserver.2=[fe80::2]:2888:3888\nserver.3=c:2888:3888:participant:x\nserver.4=d:2888:3888:observer:x\n") + "/s.json")
        XCTAssertEqual(odd?.spec.zookeeper?.servers, 3)
        XCTAssertEqual(odd?.warnings.filter { $0.contains("reads its first four parts") }.count, 2)
        // electionAlg 0 (the old UDP election) needs no election port
        XCTAssertNotNil(try? ScenarioLoader.load(path: folder(base + "electionAlg=0\nserver.1=a:2888\nserver.2=b:2888\nserver.3=c:2888\n") + "/s.json"))
        // Properties' escapes and separators
        let p = ZooKeeperConfigFile.properties("a\\ b = c\\u0041\n! comment\n  key\tvalue  \nx:y\nx=z\n", file: "f")
        XCTAssertEqual(p.map { "\($0.key)|\($0.value)" }, ["a b|cA", "key|value  ", "x|z"])
    }
}
