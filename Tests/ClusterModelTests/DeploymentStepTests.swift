import XCTest
@testable import ClusterModel
import SimKernel

/// A deployment step of several apps is done at the instant its last app has all its instances
/// running and ready, and the next step starts then (Deployments keeps the step's actions not
/// done yet and evaluates only those).
final class DeploymentStepTests: XCTestCase {
    func testStepOfManyAppsEndsWithItsLastAppAndTheNextStepStartsThen() {
        // step 1: /a, /b, /c (no dependencies); step 2: /d, which depends on /b
        var d = MarathonRuntimeTests.app("/d", instances: 2)
        d.dependencies = ["/b"]; d.effectiveDependencies = ["/b"]
        let apps = [MarathonRuntimeTests.app("/a", instances: 3), MarathonRuntimeTests.app("/b", instances: 5),
                    MarathonRuntimeTests.app("/c", instances: 1), d]
        let startups: [Double] = [20, 5, 60, 10]   // /c, the smallest, comes up last
        let behaviour = startups.map { AppBehaviour(task: TaskBehaviour(startup: .constant($0)), imageSizeBytes: 100_000_000) }
        let r = MarathonRuntimeTests.Run(apps: apps, behaviour: behaviour, agents: 6)
        r.run()
        let step1 = ["/a", "/b", "/c"].map { r.app($0) }
        for a in step1 + [r.app("/d")] {
            XCTAssertEqual(a.instances.filter { $0.state == .running && $0.ready }.count, a.definition.instances, a.id)
        }
        let lastUp1 = step1.flatMap(\.instances).compactMap(\.runningSince).max()!
        let steps = r.events("deploymentStep")
        XCTAssertEqual(steps.count, 2)
        XCTAssertEqual(steps.first?.time, lastUp1, "step 1 ends when its last app (/c) is up, not before")
        // /d is launched only after step 1, although /b (its dependency) was up long before
        let dLaunched = r.app("/d").instances.map(\.launchedAt).min()!
        XCTAssertGreaterThanOrEqual(dLaunched, lastUp1)
        let lastUp2 = r.app("/d").instances.compactMap(\.runningSince).max()!
        XCTAssertEqual(steps.last?.time, lastUp2)
        XCTAssertEqual(r.events("deploymentFinished").first?.time, lastUp2)
        for a in step1 { XCTAssertEqual(a.firstDeployFinished, lastUp1, a.id) }
    }
}
