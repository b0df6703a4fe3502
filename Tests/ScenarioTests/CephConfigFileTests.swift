import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// `storage.ceph.config`: the cluster's ceph.conf read as Ceph 14.2 reads it (ConfUtils.cc's line
/// parser, config.cc's sections, options.cc's types and limits).
final class CephConfigFileTests: XCTestCase {
    /// A scenario folder with `conf` at ceph/ceph.conf and `ceph` as `storage.ceph`.
    static func folder(_ conf: String, ceph: String = #"{"osdHostGroup": "ceph", "config": "ceph/ceph.conf"}"#) -> String {
        let dir = makeTempDir()
        write(conf, to: dir + "/ceph/ceph.conf")
        write("""
        {"name": "t", "duration": "1h",
         "hostGroups": [{"name": "ceph", "count": 4, "cpus": 8, "memory": "32GiB", "disk": "8TB"},
                        {"name": "slave", "count": 2, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
         "mesos": {}, "storage": {"ceph": \(ceph)}}
        """, to: dir + "/s.json")
        return dir
    }

    func load(_ conf: String, ceph: String = #"{"osdHostGroup": "ceph", "config": "ceph/ceph.conf"}"#,
              file: StaticString = #filePath, line: UInt = #line) -> (CephSpec, [String])? {
        guard let l = loadScenarioFolder(Self.folder(conf, ceph: ceph), file: file, line: line) else { return nil }
        guard let c = l.spec.storage?.ceph else { XCTFail("no ceph", file: file, line: line); return nil }
        return (c, l.warnings)
    }

    /// Without a ceph.conf, `min_size` defaults as Ceph's does (size - size/2), not to 2 whatever the
    /// size: size 2 blocks only when both replicas are gone, and size 1 loads.
    func testMinSizeDefaultsToCephsRuleWithoutAFile() throws {
        for (size, minSize) in [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3)] {
            let (c, _) = try XCTUnwrap(load("", ceph: #"{"osdHostGroup": "ceph", "size": \#(size)}"#))
            XCTAssertEqual(c.minSize, minSize, "size \(size)")
        }
    }

    func testSectionsAndSpacesAsCephReadsThem() throws {
        let (c, w) = try XCTUnwrap(load("""
        ; written by hand
        [global]
        fsid = 0b9a5c1e-1111-2222-3333-444455556666
        osd pool default size = 4
        osd_max_backfills = 7          # [osd] below wins for the OSDs
        mon osd down out interval = 300

        [osd]
          osd   max  backfills = 2
        osd heartbeat grace = "30"
        osd recovery max active = \\
        5
        osd_recovery_sleep_hdd = 0.25

        [mon]
        mon_osd_down_out_interval = 900
        """ + "\n"))
        XCTAssertEqual(c.maxBackfills, 2, "[osd] over [global]; blanks inside a key collapse, spaces become underscores")
        XCTAssertEqual(c.heartbeatGrace, .seconds(30), "a quoted value")
        XCTAssertEqual(c.recoveryMaxActive, 5, "a backslash joins the next line")
        XCTAssertEqual(c.recoverySleep, .milliseconds(250), "deviceClass hdd: osd_recovery_sleep_hdd")
        XCTAssertEqual(c.downOutInterval, .seconds(900), "the monitors read [mon] before [global]")
        XCTAssertEqual(c.size, 4)
        XCTAssertEqual(c.minSize, 2, "osd_pool_default_min_size 0: size - size/2")
        XCTAssertEqual(w.filter { $0.contains("not modelled") }.count, 1, "\(w)")
        XCTAssertTrue(w.contains { $0.contains("not modelled") && $0.contains("fsid") }, "\(w)")
    }

    func testTheSectionsOwnKeysWin() throws {
        let conf = "[global]\nosd pool default size = 5\nosd pool default min size = 9\n[osd]\nosd max backfills = 3\nosd recovery sleep ssd = 0.5\n"
        let (c, _) = try XCTUnwrap(load(conf, ceph: #"{"osdHostGroup": "ceph", "config": "ceph/ceph.conf", "osd_max_backfills": 6, "deviceClass": "ssd"}"#))
        XCTAssertEqual(c.maxBackfills, 6)
        XCTAssertEqual(c.size, 5)
        XCTAssertEqual(c.minSize, 5, "min(min_size, size) (config.h get_osd_pool_default_min_size)")
        XCTAssertEqual(c.recoverySleep, .milliseconds(500), "deviceClass ssd picks osd_recovery_sleep_ssd")
        let (own, _) = try XCTUnwrap(load(conf, ceph: #"{"osdHostGroup": "ceph", "config": "ceph/ceph.conf", "size": 3, "min_size": 1}"#))
        XCTAssertEqual(own.size, 3)
        XCTAssertEqual(own.minSize, 1)
    }

    func testRecoverySleepOverridesTheDeviceClassWhenNotZero() throws {
        let (c, _) = try XCTUnwrap(load("[osd]\nosd recovery sleep = 0.02\nosd recovery sleep hdd = 0.3\n"))
        XCTAssertEqual(c.recoverySleep, .milliseconds(20))
        let (z, _) = try XCTUnwrap(load("[osd]\nosd recovery sleep = 0\nosd recovery sleep hdd = 0.3\n"))
        XCTAssertEqual(z.recoverySleep, .milliseconds(300), "0 leaves the device class's")
        let (n, _) = try XCTUnwrap(load("[osd]\nosd recovery sleep = -1\n"))
        XCTAssertEqual(n.recoverySleep, .zero, "not > 0: no sleep (OSD::do_recovery)")
    }

    func testDashesAreNotUnderscoresInNautilus() throws {
        let (c, w) = try XCTUnwrap(load("[osd]\nosd-max-backfills = 4\n"))
        XCTAssertEqual(c.maxBackfills, 1, "normalize_key_name keeps dashes: the line names no option")
        XCTAssertTrue(w.contains { $0.contains("[osd] osd-max-backfills") && $0.contains("keeps its dashes") }, "\(w)")
    }

    func testParseErrorsAreLoggedAndTheLineSkipped() throws {
        let (c, w) = try XCTUnwrap(load("[osd]\nosd max backfills 4\nosd recovery max active = 4\n[mon\nosd heartbeat grace = 25\nosd max backfills = 3 ; after\nosd max backfills = 2"))
        XCTAssertEqual(c.maxBackfills, 3, "the last line has no newline: Ceph ignores it")
        XCTAssertEqual(c.recoveryMaxActive, 4)
        XCTAssertEqual(c.heartbeatGrace, .seconds(25), "a bad header leaves the section [osd]")
        XCTAssertTrue(w.contains { $0.contains(#"end of key=val line 2 reached, no "=val" found...missing =?"#) }, "\(w)")
        XCTAssertTrue(w.contains { $0.contains("error parsing new section name: expected right bracket at char 5, line 4") }, "\(w)")
        XCTAssertTrue(w.contains { $0.contains("read_conf: ignoring line 7 because it doesn't end with a newline! Please end the config file with a newline.") }, "\(w)")
        XCTAssertTrue(w.contains { $0.contains("warning: line 6: 'osd_max_backfills' in section 'osd' redefined") } == false, "a skipped line redefines nothing")
    }

    func testParserMessagesInCephsWords() {
        var e: [(line: Int?, message: String)] = []
        func line(_ s: String) -> (String, String, String)? {
            CephConfigFile.processLine(Array(s.utf8), number: 9, errors: &e).map { (CephConfigFile.string($0.key), CephConfigFile.string($0.value), CephConfigFile.string($0.section)) }
        }
        XCTAssertNil(line("] x"))
        XCTAssertEqual(e.last?.message, "unexpected right bracket at char 1, line 9")
        XCTAssertNil(line("[os;d]"))
        XCTAssertEqual(e.last?.message, "unexpected comment marker while parsing new section name, at char 4, line 9")
        XCTAssertNil(line("[  ]"))
        XCTAssertEqual(e.last?.message, "error parsing new section name: no section name found? at char 4, line 9")
        XCTAssertNil(line("a;b = 1"))
        XCTAssertEqual(e.last?.message, "unexpected character while parsing putative key value, at char 2, line 9")
        XCTAssertNil(line(" = 1"))
        XCTAssertEqual(e.last?.message, "error parsing key name: no key name found? at char 2, line 9")
        XCTAssertNil(line("k = \"open"))
        XCTAssertEqual(e.last?.message, "found opening quote for value, but not the closing quote. line 9")
        XCTAssertNil(line("k = \"v\" x"))
        XCTAssertEqual(e.last?.message, "unexpected character at char 9 of line 9")
        XCTAssertNil(line("k = v\\"))
        XCTAssertEqual(e.last?.message, "error parsing value name: unterminated escape sequence at char 7, line 9")
        XCTAssertEqual(e.count, 8)
        XCTAssertEqual(line("[ osd.3 ]  # c")?.2, "osd.3")
        XCTAssertEqual(line("k = a\\;b ; c")?.1, "a;b", "an escaped comment marker")
        XCTAssertEqual(line("k =   # nothing")?.1, "")
        XCTAssertEqual(line("osd\tmax backfills = 1")?.0, "osd\tmax_backfills", "a tab is not a space to normalize_key_name")
    }

    func testValuesCephRefusesKeepTheDefaultWithItsMessage() throws {
        let (c, w) = try XCTUnwrap(load("[osd]\nosd max backfills = two\nosd heartbeat interval = 0\nosd recovery max active = -3\nosd recovery sleep hdd = 0.1s\nosd heartbeat grace = 20s\n[global]\nosd pool default size = 11\n"))
        XCTAssertEqual(c.maxBackfills, 1)
        XCTAssertEqual(c.heartbeatInterval, .seconds(6))
        XCTAssertEqual(c.recoveryMaxActive, 3)
        XCTAssertNil(c.recoverySleep)
        XCTAssertEqual(c.heartbeatGrace, .seconds(20))
        XCTAssertEqual(c.size, 3)
        for m in ["parse error setting 'osd_max_backfills' to 'two' (strict_si_cast: unit prefix not recognized)",
                  "parse error setting 'osd_heartbeat_interval' to '0' (Value '0' is below minimum 1)",
                  "parse error setting 'osd_recovery_max_active' to '-3' (strict_sistrtoll: value should not be negative)",
                  "parse error setting 'osd_recovery_sleep_hdd' to '0.1s' (strict_strtod: garbage at end of string. got: '0.1s')",
                  "parse error setting 'osd_heartbeat_grace' to '20s' (strict_si_cast: unit prefix not recognized)",
                  "parse error setting 'osd_pool_default_size' to '11' (Value '11' exceeds maximum 10)"] {
            XCTAssertTrue(w.contains { $0.contains(m) && $0.contains("the option keeps its default") }, "\(m)\n\(w)")
        }
    }

    func testSIUnitsAsCephTakesThem() {
        let o = CephConfigFile.options.first { $0.name == "osd_heartbeat_grace" }!
        XCTAssertEqual(CephConfigFile.parseValue("1K", o).value, .int(1000), "strict_si_cast: powers of 1000")
        XCTAssertEqual(CephConfigFile.parseValue("+7", o).value, .int(7))
        XCTAssertEqual(CephConfigFile.parseValue("10E", o).error, "strict_sistrtoll: value seems to be too large")
        XCTAssertEqual(CephConfigFile.parseValue("10B", o).error, "Expected option value to be integer, got '10B'")
        XCTAssertEqual(CephConfigFile.parseValue("", o).error, "strict_sistrtoll: value not specified")
        XCTAssertEqual(CephConfigFile.parseValue("99999999999999999999", o).error, "The option value '99999999999999999999' seems to be invalid")
        let f = CephConfigFile.options.first { $0.name == "osd_recovery_sleep" }!
        XCTAssertEqual(CephConfigFile.parseValue("1e999", f).error, "strict_strtod: floating point overflow or underflow parsing '1e999'")
        XCTAssertEqual(CephConfigFile.parseValue("", f).error, "strict_strtod: expected double, got: ''")
        XCTAssertEqual(CephConfigFile.parseValue("2.5e-2", f).value, .float(0.025))
    }

    func testWhatTheModelCannotRunIsAnError() {
        for (conf, says) in [("[osd]\nosd max backfills = 0\n", "osd_max_backfills = 0: Ceph takes it, the model runs 1 to 64"),
                             ("[osd]\nosd heartbeat grace = 1T\n", "at most 31536000"),
                             ("[global]\nosd pool default size = 0\n", "osd_pool_default_size = 0"),
                             ("[osd]\nosd recovery sleep = inf\n", "at most 3600 seconds")] {
            let errs = scenarioFolderErrors(Self.folder(conf))
            XCTAssertEqual(errs.count, 1, "\(conf): \(errs)")
            XCTAssertTrue(errs.first?.message.contains("the simulator cannot run ceph/ceph.conf") == true && errs.first?.message.contains(says) == true, "\(errs)")
            XCTAssertEqual(errs.first?.path, "storage.ceph.config")
            XCTAssertEqual(errs.first?.line, 2, "at the file's line")
        }
    }

    /// `mon_osd_down_out_interval` 0 or less is Ceph's "never mark out" (OSDMonitor::tick checks
    /// `> 0`): it loads, as the scenario key `0s` does; it was refused as a value the model cannot run.
    func testDownOutIntervalZeroOrLessIsNever() throws {
        for v in ["0", "-5"] {
            let (c, _) = try XCTUnwrap(load("[mon]\nmon osd down out interval = \(v)\n"))
            XCTAssertEqual(c.downOutInterval, .zero, v)
            XCTAssertFalse(c.marksDownOSDsOut, v)
        }
        let (k, _) = try XCTUnwrap(load("", ceph: #"{"osdHostGroup": "ceph", "mon_osd_down_out_interval": "0s"}"#))
        XCTAssertFalse(k.marksDownOSDsOut)
        let (own, _) = try XCTUnwrap(load("[mon]\nmon osd down out interval = 0\n", ceph: #"{"osdHostGroup": "ceph", "config": "ceph/ceph.conf", "mon_osd_down_out_interval": "5m"}"#))
        XCTAssertEqual(own.downOutInterval, .seconds(300), "the section's own key wins")
    }

    func testPerDaemonAndOtherSectionsAndOldStyleNames() throws {
        let (c, w) = try XCTUnwrap(load("[osd.3]\nosd max backfills = 5\n[client]\nosd max backfills = 6\n[osd1]\nosd max backfills = 7\n"))
        XCTAssertEqual(c.maxBackfills, 1)
        XCTAssertTrue(w.contains { $0.contains("[osd.3] osd_max_backfills: a section of one daemon") }, "\(w)")
        XCTAssertTrue(w.contains { $0.contains("[client] osd_max_backfills, [osd1] osd_max_backfills") }, "\(w)")
        XCTAssertTrue(w.contains { $0.contains("ERROR! old-style section name(s) found: osd1. Please use the new style section names that include a period.") }, "\(w)")
    }

    func testInlineSections() throws {
        let (c, _) = try XCTUnwrap(load("", ceph: #"{"osdHostGroup": "ceph", "config": {"global": {"osd pool default size": 2}, "osd": {"osd max backfills": "4"}}}"#))
        XCTAssertEqual(c.size, 2)
        XCTAssertEqual(c.minSize, 1)
        XCTAssertEqual(c.maxBackfills, 4)
        let errs = scenarioFolderErrors(Self.folder("", ceph: #"{"osdHostGroup": "ceph", "config": {"osd": ["osd max backfills = 4"]}}"#))
        XCTAssertEqual(errs.map(\.path), ["storage.ceph.config.osd"])
    }

    func testManyBadLinesGiveTwentyWarningsAndACount() throws {
        let (_, w) = try XCTUnwrap(load(String(repeating: "]\n", count: 5000)))
        XCTAssertEqual(w.filter { $0.contains("unexpected right bracket") }.count, 20)
        XCTAssertTrue(w.contains { $0.contains("Suppressed 4980 more errors.") }, "\(w.suffix(3))")
    }

    func testTheShippedExampleReadsItsConf() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let l = try ScenarioLoader.load(path: root + "/scenarios/ceph-osd-failure.json")
        let c = try XCTUnwrap(l.spec.storage?.ceph)
        XCTAssertEqual(c.heartbeatGrace, .seconds(20))
        XCTAssertEqual(c.downOutInterval, .seconds(600))
        XCTAssertEqual(l.warnings.filter { $0.contains("ceph.conf") }.count, 1, "only the not-modelled options: \(l.warnings)")
    }
}

extension CephConfigFile.Outcome {
    var value: T? { if case .ok(let v) = self { return v }; return nil }
    var error: String? { if case .bad(let e) = self { return e }; return nil }
}
