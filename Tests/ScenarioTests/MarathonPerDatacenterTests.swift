@testable import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// One Marathon per data center (`marathon.datacenters`, issue 16): the shipped release scenario
/// runs marathon-dc01 (on the master group in dc01) and marathon-dc02 (on marathon-dc02-01).
final class MarathonPerDatacenterTests: XCTestCase {
    func runRelease(overrides: [String] = []) throws -> (ClusterSimulation, MemoryObserver) {
        let spec = try ScenarioLoader.load(path: HarborPipelineTests.releasePath, overrides: overrides).spec
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: spec, observer: o)
        XCTAssertTrue(m.run())
        return (m, o)
    }

    func active(_ m: MarathonScheduler) -> [MarathonInstance] {
        m.apps.flatMap { $0.instances.filter(\.isActive) }
    }

    /// Each Marathon is its own Mesos framework with its own znode, and places instances only on
    /// its data center's agents (the allocator never offers it the other's).
    func testEachMarathonRunsEveryAppOnItsOwnDataCenterOnly() throws {
        let (model, o) = try runRelease()
        let ms = model.marathons
        XCTAssertEqual(ms.map(\.instanceName), ["marathon-dc01", "marathon-dc02"])
        XCTAssertTrue(model.marathon === ms[0])
        XCTAssertEqual(ms.map(\.latch.path), ["/marathon-dc01/leader", "/marathon-dc02/leader"])
        let hosts = model.infrastructure.hosts
        for (m, dc) in zip(ms, ["dc01", "dc02"]) {
            let insts = active(m)
            XCTAssertEqual(insts.count, 3, "\(m.instanceName) runs the app's 3 instances")
            for i in insts { XCTAssertEqual(hosts[i.host].datacenter, dc, "\(m.instanceName) placed an instance on \(hosts[i.host].name)") }
            // every launch it ever made (old and new versions) stayed in its data center
            let launches = o.events.filter { $0.event == "TASK_STAGING" && $0.subject.contains(".\(dc).") }
            XCTAssertGreaterThanOrEqual(launches.count, 6)
            XCTAssertTrue(launches.allSatisfy { $0.detail.hasPrefix("slave-\(dc)") || $0.detail.contains("slave-\(dc)") }, "\(launches.map(\.detail))")
        }
        XCTAssertEqual(o.events.filter { $0.event == "frameworkRegistered" }.map(\.subject), ["marathon-dc01", "marathon-dc02"])
    }

    /// A release is one PUT per Marathon, each answered with that Marathon's deployment; each
    /// data center's "deployed" is read at its own Marathon's deployment_success.
    func testAReleaseDeploysThroughEachDataCentersMarathon() throws {
        let (model, o) = try runRelease()
        let j = try XCTUnwrap(model.subsystem(JenkinsPipeline.self))
        let r = try XCTUnwrap(j.releases.first)
        XCTAssertNil(r.failure)
        XCTAssertEqual(o.events.filter { $0.event == "deployRequested" }.count, 2)
        let by1 = try XCTUnwrap(r.deployedBy[0]), by2 = try XCTUnwrap(r.deployedBy[1])
        XCTAssertNotNil(r.deployments[0]); XCTAssertNotNil(r.deployments[1])
        // each Marathon's deployment record says it finished then
        for (k, m) in model.marathons.enumerated() {
            let d = try XCTUnwrap(m.deploymentRecords.first { $0.id == r.deployments[k] })
            XCTAssertEqual(d.finishedAt, r.deployedBy[k])
        }
        // registries: office, dc01, dc02; dc02's replication lags behind dc01's (the congested link)
        let d1 = try XCTUnwrap(r.deployedIn[1]), d2 = try XCTUnwrap(r.deployedIn[2])
        XCTAssertLessThanOrEqual(d1, by1); XCTAssertLessThanOrEqual(d2, by2)
        XCTAssertGreaterThan(d2, d1)
        // dc01's is the time its own last new instance became healthy, not dc02's
        let dc01New = model.marathons[0].apps[0].instances.filter { $0.isActive && $0.version == model.marathons[0].apps[0].configVersion }
        XCTAssertEqual(dc01New.count, 3)
        XCTAssertEqual(try XCTUnwrap(r.deployedAt), max(by1, by2))
        XCTAssertNil(r.deployedIn[0], "no agents in the office")
    }

    /// `jenkins.jobs[i].marathons` picks the Marathons: only dc02's deploys the new image.
    func testAJobDeploysOnlyThroughTheMarathonsItNames() throws {
        let (model, _) = try runRelease(overrides: [#"jenkins.jobs[0].marathons=["dc02"]"#])
        let r = try XCTUnwrap(model.subsystem(JenkinsPipeline.self)?.releases.first)
        XCTAssertNil(r.deployments[0]); XCTAssertNotNil(r.deployments[1])
        XCTAssertNil(r.deployedIn[1]); XCTAssertNotNil(r.deployedIn[2])
        XCTAssertEqual(model.marathons[0].apps[0].configVersion, 1, "dc01 still runs build 40")
        XCTAssertEqual(model.marathons[1].apps[0].configVersion, 2)
        XCTAssertNotNil(r.deployedAt)
    }

    /// Each data center elects its own leader: with dc02's only Marathon host down before the
    /// release, dc01 deploys; the PUT to dc02 finds no leader 3 times and fails the build.
    func testLosingOneDataCentersMarathonLeavesTheOtherDeploying() throws {
        let (model, o) = try runRelease(overrides: [#"faults=[{"at": "10m", "kind": "hostCrash", "host": "marathon-dc02-01"}]"#])
        let (m1, m2) = (model.marathons[0], model.marathons[1])
        XCTAssertNotNil(m1.leader); XCTAssertTrue(m1.leaderReady)
        XCTAssertFalse(m2.leaderReady)
        XCTAssertTrue(m1.failovers.isEmpty)
        let r = try XCTUnwrap(model.subsystem(JenkinsPipeline.self)?.releases.first)
        XCTAssertNotNil(r.deployedBy[0], "dc01's Marathon deployed the release")
        XCTAssertNotNil(r.deployedIn[1])
        XCTAssertNil(r.deployedIn[2]); XCTAssertNil(r.deployedAt)
        XCTAssertEqual(r.putAttempts, 4, "one to dc01, three to dc02")
        XCTAssertTrue(r.failure?.contains("no Marathon leader answers (marathon-dc02)") == true, "\(String(describing: r.failure))")
        XCTAssertEqual(o.events.filter { $0.event == "deployRetry" }.count, 2)
        XCTAssertEqual(m1.apps[0].configVersion, 2)
        XCTAssertEqual(active(m1).count, 3)
        // dc02's old instances keep running: the agents do not need their Marathon
        XCTAssertEqual(active(m2).count, 3)
    }

    func testBadDatacentersNameThePath() throws {
        let path = HarborPipelineTests.releasePath
        let text = try String(contentsOfFile: path, encoding: .utf8)
        func one(_ set: String, _ p: String, _ fragments: [String]) {
            assertSingleError(text, path: p, fragments, overrides: [set], baseDirectory: (path as NSString).deletingLastPathComponent)
        }
        one(#"marathon.datacenters=[{"name": "dc01"}, {"name": "dc03"}]"#, "marathon.datacenters[1].name", ["no data center \"dc03\"", "\"dc01\""])
        one(#"marathon.datacenters=[{"name": "dc01"}, {"name": "dc01"}]"#, "marathon.datacenters[1].name", ["duplicate data center \"dc01\""])
        one(#"marathon.datacenters=[{"name": "office"}]"#, "marathon.datacenters[0].name", ["\"office\" runs no Mesos agents", "\"dc01\", \"dc02\""])
        one(#"marathon.datacenters=[{"name": "dc01", "hostGroup": "mastr"}]"#, "marathon.datacenters[0].hostGroup", ["unknown host group \"mastr\""])
        one(#"marathon.datacenters=[]"#, "marathon.datacenters", [])
        one(#"marathon.datacenters=[{"name": "dc01", "instances": 3}]"#, "marathon.datacenters[0].instances", [])
        // every data center's Marathon runs every app: 2 x 60,000 instances is over the limit
        one(#"marathon.apps[0].instances=60000"#, "marathon.datacenters", ["2 Marathons each running the apps' 60000 instances make 120000"])
        one(#"jenkins.jobs[0].marathons=["dc03"]"#, "jenkins.jobs[0].marathons[0]", ["no Marathon for data center \"dc03\""])
        one(#"jenkins.jobs[0].marathons=["dc01", "dc01"]"#, "jenkins.jobs[0].marathons[1]", ["duplicate data center \"dc01\""])
        // the sections that talk to one Marathon are refused
        let lb = loadErrors(text, overrides: [#"marathonLB={}"#], baseDirectory: (path as NSString).deletingLastPathComponent)
        XCTAssertTrue(lb.contains { $0.path == "marathon.datacenters" && $0.message.contains("`marathonLB` section is not modelled") }, "\(lb)")
        // a job naming Marathons needs marathon.datacenters
        let one1 = text.replacingOccurrences(of: #""datacenters": [{"name": "dc01"}, {"name": "dc02", "hostGroup": "marathon-dc02"}],"#, with: "")
        XCTAssertNotEqual(one1, text)
        assertSingleError(one1, path: "jenkins.jobs[0].marathons", ["only with one Marathon per data center"],
                          overrides: [#"jenkins.jobs[0].marathons=["dc01"]"#], baseDirectory: (path as NSString).deletingLastPathComponent)
    }
}
