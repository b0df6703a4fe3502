import XCTest
@testable import ClusterModel
import SimKernel

/// Mesos refuses a task whose id is longer than 255 characters (src/common/validation.cpp
/// `validateID`, 1.2.1 and 1.3.0 on): the master answers the launch with TASK_ERROR,
/// REASON_TASK_INVALID, "ID must not be greater than 255 characters", and the task takes nothing
/// from the offer. Marathon builds the id from the app id (Marathon/TaskIDs.swift), sets no limit
/// on an app id's length, and handles the TASK_ERROR as any other: the instance is terminal, the
/// launch delay grows, the app never runs.
final class MesosTaskIDTests: XCTestCase, MesosTestHelpers {

    // MARK: Mesos

    func testTheMasterRefusesAnIdOver255CharactersAndTheTaskTakesNothingFromTheOffer() {
        XCTAssertNil(MesosIDRules.lengthProblem(255))
        XCTAssertEqual(MesosIDRules.lengthProblem(256), "ID must not be greater than 255 characters")

        let (m, o, script) = cluster(agents: 1, duration: .minutes(2))
        var f: TestFramework!
        script.at(.zero) {
            f = self.addFramework(m, "f")
            f.refuseSeconds = 3600
            var launchedOnce = false
            f.policy = { _ in
                guard !launchedOnce else { return [] }
                launchedOnce = true
                // each asks for the agent's 8 cpus: the second fits only if the first took nothing
                var long = self.task("long", cpus: 8); long.idLength = 256
                var ok = self.task("ok", cpus: 8); ok.idLength = 255
                return [long, ok]
            }
        }
        m.run()
        XCTAssertEqual(f.launched.count, 2)
        let (long, ok) = (f.launched[0], f.launched[1])
        XCTAssertEqual(f.states(long), [.error])
        let u = f.updates.first { $0.update.task == long }!.update
        XCTAssertEqual(u.reason, .taskInvalid)
        XCTAssertEqual(u.message, "ID must not be greater than 255 characters")
        XCTAssertEqual(f.states(ok), [.staging, .running])
        XCTAssertEqual(events(o, "TASK_ERROR", "long").map(\.detail), ["slave-01 REASON_TASK_INVALID"])
        XCTAssertTrue(events(o, "TASK_STAGING", "long").isEmpty, "the task never reaches the agent")
    }

    // MARK: Marathon's ids

    func app(idLength n: Int, version: MarathonVersion = .baseline) -> AppDefinition {
        let id = "/team/" + String(repeating: "a", count: n - 6)
        XCTAssertEqual(id.count, n)
        return AppDefinition(id: id, instances: 1, cpus: 0.5, mem: 256, version: version)
    }

    func testMarathonsTaskIdLengthPerVersion() {
        // 1.4 - 1.7: <safePath>.<uuid>; 1.8+: <safePath>.instance-<uuid>._app.1
        for (v, extra, longest) in [(MarathonVersion(1, 4, 0), 36, 219), (MarathonVersion(1, 4, 9), 36, 219),
                                    (MarathonVersion(1, 5, 0), 36, 219), (MarathonVersion(1, 7, 0), 36, 219),
                                    (MarathonVersion(1, 8, 180), 52, 203), (MarathonVersion(1, 9, 0), 52, 203),
                                    (MarathonVersion(1, 10, 0), 52, 203)] {
            XCTAssertEqual(v.mesosIDLength(of: app(idLength: 100, version: v)), 100 + extra, "\(v)")
            XCTAssertEqual(v.longestLaunchableAppID, longest, "\(v)")
            XCTAssertEqual(v.mesosIDLength(of: app(idLength: longest, version: v)), 255, "\(v)")
        }
        // "/a/b" -> "a_b.<36>" = 40 characters
        XCTAssertEqual(MarathonVersion(1, 4, 0).mesosIDLength(of: AppDefinition(id: "/a/b")), 40)
        // a pod: the longest task id, <safePath>.instance-<uuid>.<container>(.1)
        var pod = app(idLength: 100, version: MarathonVersion(1, 5, 0))
        pod.pod = PodInfo(containers: [PodInfo.Container(name: "web"), PodInfo.Container(name: "sidecar")])
        XCTAssertEqual(MarathonVersion(1, 5, 0).mesosIDLength(of: pod), 99 + 47 + 7)
        XCTAssertEqual(MarathonVersion(1, 8, 180).mesosIDLength(of: pod), 99 + 47 + 7 + 2)
    }

    /// Just under the limit the app runs; one character over, every launch ends TASK_ERROR, the
    /// back-off grows (1 s x 1.15 per failure) and no instance ever runs, in each id format.
    func testAnAppOneCharacterOverTheLimitCrashLoopsWithBackOffInEveryVersion() {
        for v in [MarathonVersion(1, 4, 9), MarathonVersion(1, 7, 0), MarathonVersion(1, 8, 180), MarathonVersion(1, 10, 0)] {
            for n in [v.longestLaunchableAppID, v.longestLaunchableAppID + 1] {
                let a = app(idLength: n, version: v)
                let r = MarathonRuntimeTests.Run(apps: [a], agents: 2, duration: .minutes(5), version: v)
                r.run()
                let errors = r.events("TASK_ERROR", component: "mesos")
                let state = r.app(a.id)
                if n <= v.longestLaunchableAppID {
                    XCTAssertTrue(errors.isEmpty, "\(v) \(n)")
                    XCTAssertEqual(state.instances.filter { $0.state == .running }.count, 1, "\(v) \(n)")
                } else {
                    XCTAssertGreaterThan(errors.count, 5, "\(v) \(n)")
                    XCTAssertTrue(errors.allSatisfy { $0.detail.hasSuffix(" REASON_TASK_INVALID") }, "\(v)")
                    XCTAssertTrue(r.events("TASK_RUNNING", component: "mesos").isEmpty, "\(v)")
                    XCTAssertEqual(state.instances.filter { $0.state == .running }.count, 0, "\(v)")
                    XCTAssertEqual(state.failedTotal, errors.count, "\(v)")
                    let delays = r.events("launchDelayed").map(\.detail)
                    XCTAssertEqual(delays.count, errors.count, "\(v)")
                    XCTAssertTrue(delays.first?.hasPrefix("back-off 1s after TASK_ERROR") ?? false, "\(v) \(delays.prefix(2))")
                    XCTAssertTrue(delays.dropFirst().first?.hasPrefix("back-off 1.15s after TASK_ERROR") ?? false, "\(v) \(delays.prefix(2))")
                    XCTAssertTrue(r.events("deploymentFinished").isEmpty, "\(v)")
                }
            }
        }
    }
}
