@testable import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// `harbor.policiesFrom`: replication policies as a Harbor's API lists them, read as Harbor reads
/// a policy it is given (docs/delivery.md "Policies as Harbor's API lists them").
final class HarborAPIPoliciesTests: XCTestCase {
    static let nightlyPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../scenarios/harbor-nightly.json").standardized.path

    /// dc01's two policies of harbor-nightly.json as `GET /api/v2.0/replication/policies` of dc01's
    /// Harbor gives them (the local registry as id 0, the remote endpoint under names of its own).
    static let dc01Export = #"""
    [
      {"id": 1, "name": "nightly-dr", "description": "", "creator": "admin",
       "src_registry": {"id": 0, "name": "Local", "url": "http://core:8080", "type": "harbor", "insecure": true},
       "dest_registry": {"id": 2, "name": "dr-site", "url": "https://dc02.hub.example.com", "type": "harbor",
                         "credential": {"type": "basic", "access_key": "robot$sync", "access_secret": "*****"}, "status": "healthy"},
       "dest_namespace": "", "dest_namespace_replace_count": -1,
       "trigger": {"type": "scheduled", "trigger_settings": {"cron": "0 0 2 * * *"}},
       "filters": [{"type": "name", "value": "analytics/model-*"}, {"type": "resource", "value": "image"}],
       "replicate_deletion": false, "deletion": false, "override": true, "enabled": true,
       "creation_time": "2017-05-30T08:00:00.000Z", "update_time": "2017-05-30T08:00:00.000Z",
       "speed": 20000, "copy_by_chunk": true},
      {"id": 2, "name": "deletions-dr", "src_registry": null,
       "dest_registry": {"id": 2, "name": "dr-site", "url": "https://dc02.hub.example.com"},
       "trigger": {"type": "event_based", "trigger_settings": {"cron": ""}},
       "filters": [{"type": "name", "value": "analytics/report"}, {"type": "tag", "value": "", "decoration": "matches"}],
       "replicate_deletion": true, "deletion": true, "override": true, "enabled": true, "speed": -1}
    ]
    """#

    /// harbor-nightly.json with its policies replaced by `policiesFrom` and `files` written beside it.
    func nightly(policiesFrom: String, files: [String: String], faults: String = "") throws -> String {
        var text = try String(contentsOfFile: Self.nightlyPath, encoding: .utf8)
        if !faults.isEmpty { text = text.replacingOccurrences(of: #""sampleInterval": "10s","#, with: #""sampleInterval": "10s", "faults": "# + faults + ",") }
        let start = try XCTUnwrap(text.range(of: #""policies": ["#))
        let end = try XCTUnwrap(text.range(of: #""deletions":"#, range: start.upperBound..<text.endIndex))
        let dir = makeTempDir()
        write(String(text[..<start.lowerBound]) + #""policiesFrom": "# + policiesFrom + ",\n    " + String(text[end.lowerBound...]), to: dir + "/s.json")
        for (name, body) in files { write(body, to: dir + "/" + name) }
        return dir
    }

    func events(_ spec: ClusterSpec) -> [String] {
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: spec, observer: o)
        XCTAssertTrue(m.run())
        return o.events.map { "\($0.time) \($0.event) \($0.subject) \($0.detail)" }
    }

    /// The exported policies run as the scenario's own: the same events, to the nanosecond (the name
    /// filter keeps the report image out of the nightly copy; the deletion is replicated).
    func testAnExportedPolicyListRunsAsTheSamePolicies() throws {
        let dir = try nightly(policiesFrom: #"[{"registry": "dc01", "file": "harbor/dc01-policies.json"}]"#,
                              files: ["harbor/dc01-policies.json": Self.dc01Export])
        let loaded = try XCTUnwrap(loadScenarioFolder(dir))
        let own = try ScenarioLoader.load(path: Self.nightlyPath)
        let got = events(loaded.spec), want = events(own.spec)
        XCTAssertEqual(got, want)
        XCTAssertTrue(got.contains { $0.contains("imageReplicated analytics/model-03:1") })
        XCTAssertTrue(got.contains { $0.contains("deletionQueued deletions-dr") })
        XCTAssertFalse(got.contains { $0.contains("replicationQueued nightly-dr analytics/report") })
        XCTAssertEqual(loaded.warnings.filter { $0.contains("unknown field") }.count, 0, "every field of the export is Harbor's: \(loaded.warnings)")
    }

    /// A pull-based policy (src_registry the remote one) runs on the local Harbor's job service, so
    /// with that host down at the firing the execution is skipped there; an event-based pull-based
    /// policy never fires (events come from the local Harbor only) and says so.
    func testAPullBasedPolicyRunsOnTheDestinationsJobService() throws {
        let pull = #"""
        [{"name": "pull-models", "src_registry": {"id": 1, "name": "primary", "url": "https://hub-dc01-01:443"},
          "trigger": {"type": "scheduled", "trigger_settings": {"cron": "0 0 2 * * *"}},
          "filters": [{"type": "name", "value": "analytics/model-01"}], "override": true, "enabled": true},
         {"name": "pull-on-push", "src_registry": {"id": 1, "name": "primary", "url": "https://dc01.hub.example.com"},
          "trigger": {"type": "event_based"}, "override": true, "enabled": true}]
        """#
        let dir = try nightly(policiesFrom: #"[{"registry": "dc02", "file": "dc02.json"}]"#, files: ["dc02.json": pull])
        let loaded = try XCTUnwrap(loadScenarioFolder(dir))
        let h = try XCTUnwrap(loaded.spec.harbor)
        XCTAssertEqual(h.policies.map(\.runner), [1, 1])
        XCTAssertEqual(h.policies.map(\.source), [0, 0])
        XCTAssertTrue(loaded.warnings.contains { $0.contains("harbor.policiesFrom[0].file[1].trigger.type") && $0.contains("never fires") }, "\(loaded.warnings)")
        let ran = events(loaded.spec)
        XCTAssertTrue(ran.contains { $0.contains("imageReplicated analytics/model-01:1 dc01 -> dc02 (policy pull-models)") }, "\(ran)")
        XCTAssertFalse(ran.contains { $0.contains("imageReplicated analytics/model-02:1") }, "the name filter keeps only model-01")
        XCTAssertFalse(ran.contains { $0.contains("pull-on-push") }, "the event-based pull policy never runs")
        // dc02's Harbor host down across the firing (600 s): its job service skips the execution
        let crashed = try nightly(policiesFrom: #"[{"registry": "dc02", "file": "dc02.json"}]"#, files: ["dc02.json": pull],
                                  faults: #"[{"at": "590s", "kind": "hostCrash", "host": "hub-dc02-01", "recoverAfter": "60s"}]"#)
        let down = events(try XCTUnwrap(loadScenarioFolder(crashed)).spec)
        XCTAssertTrue(down.contains { $0.contains("replicationSkipped pull-models the job service's host hub-dc02-01 is down") }, "\(down.filter { $0.contains("pull-models") })")
    }

    /// Harbor's filters one after another: name, tag (matches, excludes), label (no image carries
    /// one), resource (kept whatever it is).
    func testFiltersKeepWhatHarborsFiltersKeep() throws {
        func policy(_ filters: String) throws -> ReplicationPolicySpec {
            let dir = try nightly(policiesFrom: #"[{"registry": "dc01", "file": "p.json"}]"#,
                                  files: ["p.json": #"{"name": "p", "dest_registry": {"id": 2, "name": "dc02"}, "trigger": {"type": "event_based"}, "enabled": true, "filters": "# + filters + "}"])
            return try XCTUnwrap(loadScenarioFolder(dir)?.spec.harbor?.policies.first)
        }
        let tagOut = try policy(#"[{"type": "name", "value": "analytics/**"}, {"type": "tag", "value": "0.*", "decoration": "excludes"}]"#)
        XCTAssertTrue(tagOut.matches(repository: "analytics/model-01", tag: "1"))
        XCTAssertFalse(tagOut.matches(repository: "analytics/report", tag: "0.9"))
        XCTAssertFalse(tagOut.matches(repository: "web/shop", tag: "1"))
        let twoNames = try policy(#"[{"type": "name", "value": "analytics/*"}, {"type": "name", "value": "**/report"}]"#)
        XCTAssertTrue(twoNames.matches(repository: "analytics/report", tag: "1"))
        XCTAssertFalse(twoNames.matches(repository: "analytics/model-01", tag: "1"), "both name filters apply")
        XCTAssertFalse(try policy(#"[{"type": "label", "value": ["prod"]}]"#).matches(repository: "a/b", tag: "1"))
        XCTAssertTrue(try policy(#"[{"type": "label", "value": ["prod"], "decoration": "excludes"}]"#).matches(repository: "a/b", tag: "1"))
        XCTAssertTrue(try policy(#"[{"type": "label", "value": []}, {"type": "resource", "value": "artifact"}, {"type": "name", "value": ""}]"#).matches(repository: "a/b", tag: "1"))
    }

    /// What Harbor refuses is one error in its words, at the policy file's line; a missing trigger
    /// and a manual one load and never run.
    func testRefusalsInHarborsWords() throws {
        let cases: [(String, String, String)] = [
            (#"{"name": "p", "enabled": true}"#, "harbor.policiesFrom[0].file[0]", "either src_registry or dest_registry should be empty and the other one shouldn't be empty"),
            (#"{"name": "p", "src_registry": {"id": 1, "name": "dc02"}, "dest_registry": {"id": 2, "name": "dc02"}}"#, "harbor.policiesFrom[0].file[0]", "either src_registry or dest_registry"),
            (#"{"name": "", "dest_registry": {"id": 2, "name": "dc02"}}"#, "harbor.policiesFrom[0].file[0].name", "empty name"),
            (#"{"name": "p", "dest_registry": {"id": 2, "name": "dc03", "url": "https://dc03.example.org"}}"#, "harbor.policiesFrom[0].file[0].dest_registry", "is none of harbor.registries (dc01, dc02)"),
            (#"{"name": "p", "dest_registry": {"id": 2, "name": "dc01"}}"#, "harbor.policiesFrom[0].file[0].dest_registry", "\"dc01\" itself"),
            (#"{"name": "p", "dest_registry": {"id": 2, "name": "dc02"}, "trigger": {"type": "scheduled"}}"#, "harbor.policiesFrom[0].file[0].trigger.trigger_settings.cron", "the cron string cannot be empty when the trigger type is scheduled"),
            (#"{"name": "p", "dest_registry": {"id": 2, "name": "dc02"}, "trigger": {"type": "scheduled", "trigger_settings": {"cron": "0 2 * * *"}}}"#, "harbor.policiesFrom[0].file[0].trigger.trigger_settings.cron", "invalid cron string for scheduled trigger: 0 2 * * *"),
            (#"{"name": "p", "dest_registry": {"id": 2, "name": "dc02"}, "trigger": {"type": "scheduled", "trigger_settings": {"cron": "0 * 2 * * *"}}}"#, "harbor.policiesFrom[0].file[0].trigger.trigger_settings.cron", "* is not allowed for the Minutes field"),
            (#"{"name": "p", "dest_registry": {"id": 2, "name": "dc02"}, "trigger": {"type": "hourly"}}"#, "harbor.policiesFrom[0].file[0].trigger.type", "invalid trigger type"),
            (#"{"name": "p", "dest_registry": {"id": 2, "name": "dc02"}, "filters": [{"type": "name", "value": "a/*", "decoration": "excludes"}]}"#, "harbor.policiesFrom[0].file[0].filters[0].decoration", "only tag and label filter support decoration"),
            (#"{"name": "p", "dest_registry": {"id": 2, "name": "dc02"}, "filters": [{"type": "tag", "value": "1", "decoration": "not"}]}"#, "harbor.policiesFrom[0].file[0].filters[0].decoration", "invalid filter decoration, :not"),
            (#"{"name": "p", "dest_registry": {"id": 2, "name": "dc02"}, "filters": [{"type": "tag", "value": 1}]}"#, "harbor.policiesFrom[0].file[0].filters[0].value", "the type of filter value isn't string"),
            (#"{"name": "p", "dest_registry": {"id": 2, "name": "dc02"}, "filters": [{"type": "label", "value": "prod"}]}"#, "harbor.policiesFrom[0].file[0].filters[0].value", "the type of label filter value isn't string slice"),
            (#"{"name": "p", "dest_registry": {"id": 2, "name": "dc02"}, "filters": [{"type": "resource", "value": "chart"}]}"#, "harbor.policiesFrom[0].file[0].filters[0].value", "invalid resource filter: chart"),
            (#"{"name": "p", "dest_registry": {"id": 2, "name": "dc02"}, "filters": [{"type": "repository", "value": "a"}]}"#, "harbor.policiesFrom[0].file[0].filters[0].type", "invalid filter type"),
            (#"{"name": "p", "dest_registry": {"id": 2, "name": "dc02"}, "dest_namespace": "mirror"}"#, "harbor.policiesFrom[0].file[0].dest_namespace", "not modelled"),
            (#"{"name": "p", "dest_registry": {"id": 2, "name": "dc02"}, "speed": 16777216}"#, "harbor.policiesFrom[0].file[0].speed", "at most 16777215"),
            (#"[{"name": "p", "dest_registry": {"id": 2, "name": "dc02"}}, {"name": "p", "dest_registry": {"id": 2, "name": "dc02"}}]"#, "harbor.policiesFrom[0].file[1].name", "policy p already exists"),
        ]
        for (body, path, fragment) in cases {
            let dir = try nightly(policiesFrom: #"[{"registry": "dc01", "file": "p.json"}]"#, files: ["p.json": "\n" + body])
            let errs = scenarioFolderErrors(dir)
            XCTAssertEqual(errs.count, 1, "\(body): \(errs)")
            guard let e = errs.first else { continue }
            XCTAssertEqual(e.path, path, body)
            XCTAssertTrue(e.message.contains(fragment), "\(body): \(e.message)")
            XCTAssertEqual(e.file, "p.json", body)
            XCTAssertEqual(e.line, 2, body)
        }
        // loads, never runs: no trigger, a manual one; unknown fields are Harbor's to ignore
        let dir = try nightly(policiesFrom: #"[{"registry": "dc01", "file": "p.json"}]"#, files: ["p.json": #"""
            [{"name": "a", "dest_registry": {"id": 2, "name": "dc02"}, "enabled": true},
             {"name": "b", "dest_registry": {"id": 2, "name": "dc02"}, "trigger": {"type": "manual"}, "enabled": true, "colour": "blue"}]
            """#])
        let loaded = try XCTUnwrap(loadScenarioFolder(dir))
        XCTAssertEqual(loaded.spec.harbor?.policies.map(\.trigger), [.manual, .manual])
        XCTAssertEqual(loaded.warnings.filter { $0.contains("runs only when started by hand") }.count, 2)
        XCTAssertTrue(loaded.warnings.contains { $0.contains("harbor.policiesFrom[0].file[1].colour") && $0.contains("ignored, as Harbor's API ignores") }, "\(loaded.warnings)")
        XCTAssertFalse(events(loaded.spec).contains { $0.contains("replicationQueued a ") || $0.contains("replicationQueued b ") })
    }

    /// The cron triggers of all policies together fire at most 1000000 times in a run, so that
    /// counting them stays bounded however many policies a file holds (fifty policies firing every
    /// minute for a year took 45 ms each to count); disabled policies never fire and do not count.
    func testCronFiringsAreBoundedForAllPoliciesTogether() throws {
        let every = #"{"type": "scheduled", "trigger_settings": {"cron": "0 */1 * * * *"}}"#
        func policies(enabled: Bool) -> String {
            "[" + (0..<3).map { #"{"name": "p\#($0)", "dest_registry": {"id": 2, "name": "dc02"}, "trigger": \#(every), "enabled": \#(enabled)}"# }.joined(separator: ",\n") + "]"
        }
        func dir(_ body: String) throws -> String {
            let d = try nightly(policiesFrom: #"[{"registry": "dc01", "file": "p.json"}]"#, files: ["p.json": body])
            let s = try String(contentsOfFile: d + "/s.json", encoding: .utf8).replacingOccurrences(of: #""duration": "20m""#, with: #""duration": "8760h""#)
            write(s, to: d + "/s.json")
            return d
        }
        let errs = scenarioFolderErrors(try dir(policies(enabled: true)))
        XCTAssertEqual(errs.count, 1, "\(errs)")
        XCTAssertEqual(errs.first?.path, "harbor.policiesFrom[0].file[1].trigger.trigger_settings.cron")
        XCTAssertTrue(errs.first?.message.contains("fire more than 1000000 times in all in 8760h") == true, "\(errs)")
        XCTAssertNotNil(loadScenarioFolder(try dir(policies(enabled: false))))
    }
}
