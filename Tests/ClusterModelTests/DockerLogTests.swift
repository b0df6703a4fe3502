import XCTest
@testable import ClusterModel
import SimKernel

/// Docker's copy of a container's stdout (json-file, local, none), driven through the
/// ContainerStorage API the Mesos agents use (DockerLogging.swift).
final class DockerLogTests: XCTestCase {
    typealias Run = StorageTests.Run

    static func overlay(root: Int64 = 400_000_000_000, used: Int64 = 0, log: DockerLogOptions = .daemonDefault) -> HostStorageSpec {
        HostStorageSpec(hostGroup: "slave", driver: .overlay2, rootFilesystemBytes: root, rootFilesystemUsedBytes: used, logOptions: log)
    }

    /// A container whose process writes `rate` bytes/s to stdout, with the app's log options.
    @discardableResult
    static func chatty(_ r: Run, _ task: TaskID, rate: Double, app: DockerLogOptions = DockerLogOptions(), lineLength: Int = 100) -> String? {
        if let e = r.storage.createContainer(host: 0, task: task, name: "app.\(task)", image: nil, writes: nil,
                                             stdout: DockerStdout(lineLength: lineLength, options: app)) { return e }
        r.storage.containerStarted(task: task)
        r.storage.containerStdout(task: task, bytesPerSecond: rate)
        return nil
    }

    func bytes(_ r: Run, at t: SimTime) -> Double {
        r.run(until: t)
        r.storage.sync()
        return r.host.containerLogsBytes
    }

    // MARK: json-file

    /// Unbounded (dockerd's default): every 100-byte line becomes 170 bytes of JSON, for ever.
    func testJSONFileGrowsWithItsFramingUnbounded() {
        let r = Run(host: Self.overlay())
        XCTAssertNil(Self.chatty(r, 1, rate: 1_000_000))
        XCTAssertEqual(bytes(r, at: SimTime.zero + .hours(1)), 1_000_000 * 1.7 * 3600, accuracy: 1)
        XCTAssertEqual(bytes(r, at: SimTime.zero + .hours(5)), 1_000_000 * 1.7 * 18000, accuracy: 1)
        XCTAssertEqual(r.host.fsUsed, r.host.containerLogsBytes, accuracy: 1)
        // no event is spent on the growth (the filesystem's crossing is days away)
        XCTAssertEqual(r.model.sim.eventsProcessed < 20, true, "\(r.model.sim.eventsProcessed) events")
    }

    /// max-size=10m, max-file=3: the files take what was written until 3 x 10 MB, then saw between
    /// 20 and 30 MB (logfile.go rotates a file at max-size, keeping max-file files).
    func testJSONFileRotationBoundMatchesTheClosedForm() {
        let r = Run(host: Self.overlay())
        let app = DockerLogOptions(opts: [("max-size", "10m"), ("max-file", "3")])
        XCTAssertNil(Self.chatty(r, 1, rate: 100_000, app: app))   // 170 kB/s into the file
        let s = 10_000_000.0, rate = 170_000.0
        for t in [30.0, 100.0, 176.0, 200.0, 1000.0, 3601.0, 36000.0] {
            let w = rate * t
            let k = (w / s).rounded(.down)
            let expected = w - k * s + min(k, 2) * s
            XCTAssertEqual(bytes(r, at: SimTime.zero + .fromSeconds(t)), expected, accuracy: 1, "at \(t) s")
            XCTAssertLessThanOrEqual(r.host.containerLogsBytes, 30_000_000)
        }
        XCTAssertEqual(r.storage.container(task: 1)?.stdoutLog?.file, DockerLogFile(format: .jsonFile, maxSize: 10_000_000, maxFile: 3, compress: false))
    }

    /// The daemon's log-opts apply to an app with the same driver; the app's own options win.
    func testDaemonOptionsMergeUnderTheApps() {
        let daemon = DockerLogOptions(driver: "json-file", opts: [("max-size", "1m"), ("max-file", "2")])
        let r = Run(host: Self.overlay(log: daemon))
        Self.chatty(r, 1, rate: 100_000)
        Self.chatty(r, 2, rate: 100_000, app: DockerLogOptions(opts: [("max-file", "5")]))
        Self.chatty(r, 3, rate: 100_000, app: DockerLogOptions(driver: "local"))
        XCTAssertEqual(r.storage.container(task: 1)?.stdoutLog?.file.maxFile, 2)
        XCTAssertEqual(r.storage.container(task: 2)?.stdoutLog?.file, DockerLogFile(format: .jsonFile, maxSize: 1_000_000, maxFile: 5, compress: false))
        XCTAssertEqual(r.storage.container(task: 3)?.stdoutLog?.file, DockerLogFile(format: .local, maxSize: 20 * MiB, maxFile: 5, compress: true))
        r.run(until: SimTime.zero + .hours(10))
        r.storage.sync()
        // each has gone round its rotation: between (max-file - 1) and max-file files of max-size
        for (task, size, files) in [(TaskID(1), 1_000_000.0, 2.0), (2, 1_000_000, 5), (3, 20 * Double(MiB), 5)] {
            let b = r.storage.container(task: task)!.stdoutLog!.bytes
            XCTAssertGreaterThanOrEqual(b, (files - 1) * size, "task \(task)")
            XCTAssertLessThanOrEqual(b, files * size, "task \(task)")
        }
    }

    /// `log-driver none` (and syslog, journald, ...) keep nothing on the host.
    func testDriversWithoutAFileWriteNothing() {
        let r = Run(host: Self.overlay())
        Self.chatty(r, 1, rate: 1_000_000, app: DockerLogOptions(driver: "none"))
        Self.chatty(r, 2, rate: 1_000_000, app: DockerLogOptions(driver: "syslog"))
        XCTAssertNil(r.storage.container(task: 1)?.stdoutLog)
        XCTAssertEqual(bytes(r, at: SimTime.zero + .hours(3)), 0)
        XCTAssertEqual(r.host.fsUsed, 0)
    }

    /// The file goes with the container: Mesos removes an exited one after docker_remove_delay (6h).
    func testTheFileGoesWhenTheContainerIsRemoved() {
        let r = Run(host: Self.overlay(), duration: .hours(12))
        Self.chatty(r, 1, rate: 1_000_000)
        r.run(until: SimTime.zero + .hours(1))
        r.storage.containerExited(task: 1)
        let kept = 1_000_000 * 1.7 * 3600
        XCTAssertEqual(bytes(r, at: SimTime.zero + .hours(6)), kept, accuracy: 1)   // exited: no growth, still there
        XCTAssertEqual(bytes(r, at: SimTime.zero + .fromSeconds(7 * 3600 - 1)), kept, accuracy: 1)
        XCTAssertEqual(bytes(r, at: SimTime.zero + .fromSeconds(7 * 3600 + 1)), 0)
        XCTAssertNil(r.storage.container(task: 1))
    }

    /// An unbounded json log fills the root filesystem at (free) / (rate x 1.7): the filesystem is
    /// full (new containers refused), the writer's further lines are lost, the container runs on.
    func testAnUnboundedLogFillsTheRootFilesystem() {
        let r = Run(host: Self.overlay(root: 50_000_000_000, used: 20_000_000_000))
        Self.chatty(r, 1, rate: 2_000_000)
        r.run(until: SimTime.zero + .hours(10))
        guard let full = r.first("hostFilesystemFull") else { return XCTFail("never full") }
        XCTAssertEqual(full.time.seconds, 30_000_000_000 / 3_400_000, accuracy: 0.01)   // 8823.5 s
        XCTAssertTrue(r.storage.container(task: 1)!.running)
        r.storage.sync()
        XCTAssertEqual(r.host.fsUsed, 50_000_000_000, accuracy: 1)
        XCTAssertEqual(Self.chatty(r, 2, rate: 1), "no space left on device")
    }

    /// The bounded logs stay below the filesystem: no crossing is planned while they cycle.
    func testBoundedLogsNearAFullFilesystemCostNoEvents() {
        let r = Run(host: Self.overlay(root: 1_000_000_000, used: 960_000_000))
        let app = DockerLogOptions(opts: [("max-size", "10m"), ("max-file", "3")])
        Self.chatty(r, 1, rate: 1_000_000, app: app)
        r.run(until: SimTime.zero + .hours(1))
        let at1h = r.model.sim.eventsProcessed
        r.run(until: SimTime.zero + .hours(10))
        XCTAssertEqual(r.model.sim.eventsProcessed, at1h)
        XCTAssertNil(r.first("hostFilesystemFull"))
    }

    // MARK: options as Docker reads them

    func testValidationInDockersWords() {
        func v(_ driver: String?, _ opts: [(String, String)]) -> String? { DockerLogging.validate(DockerLogOptions(driver: driver, opts: opts.map { (key: $0.0, value: $0.1) })) }
        XCTAssertEqual(v("json-file", [("max-sise", "10m")]), "unknown log opt 'max-sise' for json-file log driver")
        XCTAssertEqual(v("local", [("labels", "a")]), "unknown log opt 'labels' for log driver local")
        XCTAssertEqual(v("jsonfile", []), "logger: no log driver named 'jsonfile' is registered")
        XCTAssertEqual(v("json-file", [("mode", "fast")]), "logger: logging mode not supported: fast")
        XCTAssertEqual(v("json-file", [("max-buffer-size", "4m")]), "logger: max-buffer-size option is only supported with 'mode=non-blocking'")
        XCTAssertNil(v("json-file", [("mode", "non-blocking"), ("max-buffer-size", "4m"), ("max-size", "10m"), ("tag", "x")]))
        XCTAssertNil(v("none", [("anything", "x")]))
        XCTAssertNil(v("syslog", [("syslog-address", "udp://1.2.3.4:514")]))
    }

    func testTheDriversOwnChecksAtStart() {
        func f(_ driver: String?, _ opts: [(String, String)]) -> String? {
            if case .failure(let e) = DockerLogging.logFile(DockerLogOptions(driver: driver, opts: opts.map { (key: $0.0, value: $0.1) })) { return e.message }
            return nil
        }
        XCTAssertEqual(f("json-file", [("max-size", "ten")]), "invalid size: 'ten'")
        XCTAssertEqual(f("json-file", [("max-size", "0")]), "max-size must be a positive number")
        XCTAssertEqual(f("json-file", [("max-file", "0")]), "max-file cannot be less than 1")
        XCTAssertEqual(f("json-file", [("max-file", "three")]), "strconv.Atoi: parsing \"three\": invalid syntax")
        XCTAssertEqual(f("json-file", [("max-size", "10m"), ("compress", "true")]), "compress cannot be true when max-file is less than 2 or max-size is not set")
        XCTAssertEqual(f("json-file", [("compress", "yes")]), "strconv.ParseBool: parsing \"yes\": invalid syntax")
        XCTAssertEqual(f("local", [("max-file", "1")]), "compression cannot be enabled when max file count is 1")
        XCTAssertEqual(f("local", [("max-size", "x")]), "invalid value for max-size: x: invalid size: 'x'")
        // max-file without max-size: accepted, the file is never rotated (jsonfilelog.go New)
        XCTAssertNil(f("json-file", [("max-file", "3")]))
        XCTAssertEqual(try DockerLogging.logFile(DockerLogOptions(opts: [("max-file", "3")])).get()?.maxSize, nil)
    }

    /// go-units FromHumanSize is decimal (10m = 10,000,000), RAMInBytes binary.
    func testSizesAsGoUnitsParsesThem() {
        XCTAssertEqual(try DockerLogging.parseSize("10m", binary: false).get(), 10_000_000)
        XCTAssertEqual(try DockerLogging.parseSize("10MiB", binary: false).get(), 10_000_000)
        XCTAssertEqual(try DockerLogging.parseSize("1.5 GB", binary: false).get(), 1_500_000_000)
        XCTAssertEqual(try DockerLogging.parseSize("4m", binary: true).get(), 4 * 1024 * 1024)
        XCTAssertEqual(try DockerLogging.parseSize("123", binary: false).get(), 123)
        XCTAssertThrowsError(try DockerLogging.parseSize("-1", binary: false).get())
        XCTAssertThrowsError(try DockerLogging.parseSize("10 mb ", binary: false).get())
        XCTAssertThrowsError(try DockerLogging.parseSize("1e30", binary: false).get())
        XCTAssertThrowsError(try DockerLogging.parseSize("99999999999999999999p", binary: false).get())
    }

    /// The per-line framing: json-file {"log":"...\n","stream":"stdout","time":"<30 chars>"}\n,
    /// local 4 + protobuf LogEntry + 4.
    func testFraming() {
        let json = DockerLogFile(format: .jsonFile, maxSize: nil, maxFile: 1, compress: false)
        let line = String(repeating: "x", count: 99)
        let time = "2017-09-20T12:34:56.123456789Z"
        let framed = "{\"log\":\"\(line)\\n\",\"stream\":\"stdout\",\"time\":\"\(time)\"}\n"
        XCTAssertEqual(json.entryBytes(lineLength: 100), framed.utf8.count)
        let local = DockerLogFile(format: .local, maxSize: nil, maxFile: 1, compress: false)
        XCTAssertEqual(local.entryBytes(lineLength: 100), 127)
        XCTAssertEqual(local.entryBytes(lineLength: 1000), 1000 + 28)
    }
}
