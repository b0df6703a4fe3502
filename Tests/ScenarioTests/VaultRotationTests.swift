@testable import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// Secrets that change during a run (docs/discovery.md "Secrets that change"): consul-template
/// re-reads a non-renewable secret leaseCheckWait after each read (hashicorp/consul-template@1deacb7
/// dependency/vault_read.go Fetch, vault_common.go leaseCheckWait), polls a renewable one in a
/// loop, and re-renders only when the data changed; `vaultWrite` actions change the secrets.
final class VaultRotationTests: XCTestCase {
    typealias V = VaultTemplateTests

    static func server(lease: String = "10m", renewable: Bool = false, data: String = #"{"username": "app", "password": "s3cret"}"#, seal: String = "") -> String {
        #""vaultServer": {"host": "vault-01", \#(seal)"secrets": {"database/creds/readonly": {"data": \#(data), "lease_duration": "\#(lease)", "renewable": \#(renewable)}}},"#
    }
    static let rotate = #"{"at": "2m", "kind": "vaultWrite", "path": "database/creds/readonly", "data": {"username": "app", "password": "n3w"}}"#
    static let latency = SimDuration.milliseconds(1)

    /// The stream the edge's consul-template (runner 0) draws its Vault jitter from.
    func stream() -> RandomStream { RandomStream(seed: 3, name: "consul-template.vault/edge-01/0") }

    func databaseRenders(_ o: MemoryObserver) -> [LoggedEvent] { o.events.filter { $0.event == "templateRendered" && $0.subject == "/etc/app/database.ini" } }

    /// A non-renewable secret with a 10m lease is read at 0 and again leaseCheckWait later (one
    /// draw of the runner's stream: 600 s x (0.9 +- 0.05)); the write at 2m is seen then, not at 2m.
    func testARotationIsSeenAtTheNextReReadNotAtTheWrite() throws {
        let (m, o) = try runToEnd(V.scenario(V.database, vault: Self.server(), faults: #""actions": [\#(Self.rotate)],"#))
        let s = stream()
        guard case .sleep(let w) = VaultLease.checkWait(leaseSeconds: 600, fields: .none, nowUnix: 0, uniform: { s.uniform() }) else { return XCTFail() }
        let renders = databaseRenders(o)
        XCTAssertEqual(renders.map(\.time), [SimTime.zero + w + Self.latency], "\(renders.map(\.time))")
        XCTAssertTrue(w.seconds >= 510 && w.seconds <= 570, "\(w)")
        XCTAssertEqual(o.events.filter { $0.event == "vaultWrite" }.map(\.time.seconds), [120])
        let ct = try XCTUnwrap(m.subsystem(ConsulTemplateRunner.self))
        XCTAssertEqual(ct.destinationText(proxy: 0, template: 1), "# [config]\n# username=app\n# password=n3w")
        XCTAssertEqual(ct.vaultReads, 2)
    }

    /// Without a write every re-read answers the same data: nothing renders, and the reads are
    /// one per leaseCheckWait (lease 1m: about every 54 s).
    func testReReadsOfTheSameDataRenderNothing() throws {
        let (m, o) = try runToEnd(V.scenario(V.database, vault: Self.server(lease: "1m")))
        let s = stream()
        var t = SimTime.zero, reads = 0
        while t <= SimTime.zero + .minutes(10) {
            reads += 1
            guard case .sleep(let w) = VaultLease.checkWait(leaseSeconds: 60, fields: .none, nowUnix: 0, uniform: { s.uniform() }) else { return XCTFail() }
            t = t + w + Self.latency
        }
        XCTAssertEqual(m.subsystem(ConsulTemplateRunner.self)?.vaultReads, reads)
        XCTAssertTrue((10...12).contains(reads), "\(reads)")
        XCTAssertTrue(databaseRenders(o).isEmpty)
    }

    /// `rotation_period` with `ttl` 30: a re-read every 31 s (+ the query latency), no jitter.
    func testARotatingSecretIsReReadEveryTTLPlusOneSecond() throws {
        let (m, _) = try runToEnd(V.scenario(V.database, vault: Self.server(data: #"{"password": "x", "rotation_period": 86400, "ttl": 30}"#)))
        XCTAssertEqual(m.subsystem(ConsulTemplateRunner.self)?.vaultReads, 1 + Int(600 / 31.001))
    }

    /// A `ttl` that is not a number in a rotating secret: leaseCheckWait's type assertion panics.
    func testARotatingSecretWithAStringTTLPanics() throws {
        let (_, o) = try runToEnd(V.scenario(V.database, vault: Self.server(data: #"{"password": "x", "rotation_period": "24h", "ttl": "30s"}"#)))
        let exits = o.events.filter { $0.event == "consulTemplateExit" }
        XCTAssertEqual(exits.count, 1)
        XCTAssertEqual(exits.first?.time, .zero)
        XCTAssertTrue(exits.first?.detail.contains("vault.read(database/creds/readonly): panic: interface conversion: interface {} is string, not json.Number") ?? false,
                      exits.first?.detail ?? "")
    }

    /// A renewable KV secret (no lease ID: the renewer ends at once) is polled in a loop; the write
    /// is seen at the first poll that passes it (the whole-second index), then the rate limiter's gap.
    func testARenewableSecretSeesTheWriteAtItsNextPoll() throws {
        let (m, o) = try runToEnd(V.scenario(V.database, vault: Self.server(lease: "1h", renewable: true), faults: #""actions": [\#(Self.rotate)],"#))
        let s = stream()
        let change = PromTime.defaultBaseMs * 1_000_000 + 120_000_000_000
        let expected = SimTime.zero + .minutes(2) + VaultLease.pollAfter(changeUnixNs: change, { s.uniform() }) + VaultLease.pollGap({ s.uniform() }) + Self.latency
        let renders = databaseRenders(o)
        XCTAssertEqual(renders.map(\.time), [expected])
        XCTAssertTrue(expected.seconds > 120 && expected.seconds < 121.25, "\(expected)")
        XCTAssertEqual(m.subsystem(ConsulTemplateRunner.self)?.vaultReads, 2)
    }

    /// Vault's host crashing: a renewable secret's loop meets it at its next poll, retries, and
    /// consul-template exits when the vault retries are used up (about 304 s later).
    func testARenewableSecretsLoopMeetsAVaultOutage() throws {
        let (_, o) = try runToEnd(V.scenario(V.database, vault: Self.server(lease: "1h", renewable: true),
                                             faults: #""faults": [{"at": "1m", "kind": "hostCrash", "host": "vault-01"}],"#))
        let retries = o.events.filter { $0.event == "consulTemplateRetry" && $0.detail.hasPrefix("vault.") }
        XCTAssertEqual(retries.count, 12)
        let first = try XCTUnwrap(retries.first)
        XCTAssertTrue(first.time.seconds > 60 && first.time.seconds <= 60.121, "\(first.time)")
        XCTAssertTrue(first.detail.contains("Vault on vault-01 did not answer (its host is down)"), first.detail)
        let exits = o.events.filter { $0.event == "consulTemplateExit" }
        XCTAssertEqual(exits.count, 1)
        XCTAssertEqual(exits.first.map { $0.time.seconds - first.time.seconds } ?? 0, 303.76, accuracy: 0.1)
    }

    /// A non-renewable secret does not notice the outage unless a re-read falls in it (auto-unseal:
    /// a Shamir-sealed Vault would fail the re-read after the outage until unsealed).
    func testANonRenewableSecretIgnoresAnOutageBetweenReads() throws {
        let (_, o) = try runToEnd(V.scenario(V.database, vault: Self.server(seal: #""seal": "auto", "#),
                                             faults: #""faults": [{"at": "1m", "kind": "hostCrash", "host": "vault-01", "recoverAfter": "2m"}],"#))
        XCTAssertTrue(o.events.filter { $0.event == "consulTemplateRetry" && $0.detail.hasPrefix("vault.") }.isEmpty)
    }

    /// A delete: the next poll of a renewable secret is Vault's 404, retried.
    func testADeletedSecretIsRetried() throws {
        let del = #"{"at": "1m", "kind": "vaultWrite", "path": "database/creds/readonly", "delete": true}"#
        let (_, o) = try runToEnd(V.scenario(V.database, vault: Self.server(lease: "1h", renewable: true), faults: #""actions": [\#(del)],"#))
        let retries = o.events.filter { $0.event == "consulTemplateRetry" && $0.detail.hasPrefix("vault.") }
        let first = try XCTUnwrap(retries.first)
        XCTAssertTrue(first.time.seconds > 60 && first.time.seconds < 61.3, "\(first.time)")
        XCTAssertTrue(first.detail.contains("no secret exists at database/creds/readonly"), first.detail)
    }

    /// A write while Vault's host is down fails (logged) and changes nothing.
    func testAWriteToAVaultThatIsDownFails() throws {
        let (m, o) = try runToEnd(V.scenario(V.database, vault: Self.server(lease: "1h", renewable: true),
                                             faults: #""faults": [{"at": "1m", "kind": "hostCrash", "host": "vault-01", "recoverAfter": "30s"}], "actions": [{"at": "70s", "kind": "vaultWrite", "path": "database/creds/readonly", "data": {"password": "n3w"}}],"#))
        XCTAssertTrue(o.events.first { $0.event == "vaultWrite" }?.detail.contains("failed: Vault on vault-01 did not answer (its host is down)") ?? false)
        XCTAssertEqual(m.subsystem(ConsulTemplateRunner.self)?.destinationText(proxy: 0, template: 1), "# [config]\n# username=app\n# password=s3cret")
    }

    /// Vault's host back after 30 s: every Vault server starts sealed. With the default Shamir seal
    /// the fetches (and a write) fail with 503 "Vault is sealed" until the `vaultUnseal` at 3m; the
    /// next retry after it succeeds. With `"seal": "auto"` the first fetch after the host is back
    /// succeeds (the rule before: no fetch ever met a sealed Vault).
    func testVaultComesBackSealedUntilItIsUnsealed() throws {
        let events = #""faults": [{"at": "1m", "kind": "hostCrash", "host": "vault-01", "recoverAfter": "30s"}], "actions": [{"at": "2m", "kind": "vaultWrite", "path": "database/creds/readonly", "data": {"password": "n3w"}}, {"at": "3m", "kind": "vaultUnseal"}, {"at": "4m", "kind": "vaultUnseal"}],"#
        let (m, o) = try runToEnd(V.scenario(V.database, vault: Self.server(lease: "1h", renewable: true), faults: events))
        let sealed = o.events.filter { $0.event == "vaultSealed" }
        XCTAssertEqual(sealed.map(\.time.seconds), [90])
        let retries = o.events.filter { $0.event == "consulTemplateRetry" && $0.detail.hasPrefix("vault.") }
        let afterBack = retries.filter { $0.time.seconds >= 90 }
        XCTAssertFalse(afterBack.isEmpty)
        XCTAssertTrue(afterBack.allSatisfy { $0.detail.contains("Vault on vault-01 is sealed (Code: 503. Errors: * Vault is sealed)") && $0.time.seconds < 180 }, "\(afterBack.map(\.detail))")
        XCTAssertTrue(o.events.filter { $0.event == "consulTemplateExit" }.isEmpty)
        let actions = o.events.filter { $0.component == "action" }.map(\.detail)
        XCTAssertEqual(actions.count, 3)
        XCTAssertTrue(actions[0].hasSuffix("; failed: Vault on vault-01 is sealed (Code: 503. Errors: * Vault is sealed)"), actions[0])
        XCTAssertEqual(Array(actions.dropFirst()), ["actions[1]: unsealed", "actions[2]: already unsealed"])
        // the write failed: the secret is the old one
        XCTAssertEqual(m.subsystem(ConsulTemplateRunner.self)?.destinationText(proxy: 0, template: 1), "# [config]\n# username=app\n# password=s3cret")
        let next = try XCTUnwrap(retries.last)
        let fetchAfterUnseal = o.events.filter { $0.time > next.time && $0.component == "consul-template" }
        XCTAssertTrue(fetchAfterUnseal.allSatisfy { $0.event != "consulTemplateRetry" }, "\(fetchAfterUnseal)")

        let (_, auto) = try runToEnd(V.scenario(V.database, vault: Self.server(lease: "1h", renewable: true, seal: #""seal": "auto", "#), faults: events))
        XCTAssertTrue(auto.events.filter { $0.event == "vaultSealed" }.isEmpty)
        let autoRetries = auto.events.filter { $0.event == "consulTemplateRetry" && $0.detail.hasPrefix("vault.") }
        XCTAssertTrue(autoRetries.allSatisfy { $0.time.seconds < 90 }, "\(autoRetries.map(\.time))")
        XCTAssertEqual(auto.events.filter { $0.component == "action" }.map(\.detail).dropFirst().first, "actions[1]: already unsealed")
    }

    func testVaultSealAndUnsealErrorsNameTheirPath() {
        func actions(_ a: String, vault: String = VaultRotationTests.server()) -> String { V.scenario(V.database, vault: vault, faults: #""actions": [\#(a)],"#) }
        assertSingleError(actions(#"{"at": "1m", "kind": "vaultUnseal"}"#, vault: ""), path: "actions[0].kind", ["vaultUnseal", "consulTemplate.vaultServer"])
        assertSingleError(actions(#"{"at": "1m", "kind": "vaultUnseal", "path": "x"}"#), path: "actions[0].path", ["only allowed"])
        assertSingleError(actions(#"{"at": "1m", "kind": "vaultUnseal", "delete": true}"#), path: "actions[0].delete", ["only allowed"])
        assertSingleError(actions(#"{"at": "1m", "kind": "vaultUnseal", "app": "/web"}"#), path: "actions[0].app", ["only allowed"])
        assertSingleError(V.scenario(V.database, vault: Self.server(seal: #""seal": "transit", "#)), path: "consulTemplate.vaultServer.seal", ["shamir", "auto"])
    }

    func testVaultWriteErrorsNameTheirPath() {
        func actions(_ a: String, vault: String = VaultRotationTests.server()) -> String { V.scenario(V.database, vault: vault, faults: #""actions": [\#(a)],"#) }
        assertSingleError(actions(Self.rotate, vault: ""), path: "actions[0].kind", ["consulTemplate.vaultServer"])
        assertSingleError(actions(#"{"at": "1m", "kind": "vaultWrite", "path": "/database/x", "data": {}}"#), path: "actions[0].path", ["no leading or trailing"])
        assertSingleError(actions(#"{"at": "1m", "kind": "vaultWrite", "path": "database/x", "data": "x"}"#), path: "actions[0].data", ["an object"])
        assertSingleError(actions(#"{"at": "1m", "kind": "vaultWrite", "path": "database/x", "data": {}, "delete": true}"#), path: "actions[0].data", ["not both"])
        assertSingleError(actions(#"{"at": "1m", "kind": "vaultWrite", "path": "database/x"}"#), path: "actions[0].data", ["missing required key"])
        assertSingleError(actions(#"{"at": "1m", "kind": "vaultWrite", "data": {}}"#), path: "actions[0].path", ["missing required key"])
        assertSingleError(actions(#"{"at": "1m", "kind": "vaultWrite", "path": "database/x", "data": {}, "key": "k"}"#), path: "actions[0].key", ["only allowed"])
        assertSingleError(actions(#"{"at": "1m", "kind": "consulKV", "key": "k", "value": "v", "path": "p"}"#), path: "actions[0].path", ["only allowed"])
        assertSingleError(actions(#"{"at": "1m", "kind": "vaultWrite", "path": "database/x", "data": {}, "app": "/web"}"#), path: "actions[0].app", ["only allowed"])
    }
}

/// The shipped scenarios/vault-rotation.json tells what its description says.
final class VaultRotationScenarioTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testThePasswordReachesEachEdgeAtItsOwnReReadAndAfterTheOutage() throws {
        let loaded = try ScenarioLoader.load(path: Self.root.appendingPathComponent("scenarios/vault-rotation.json").path)
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: loaded.spec, observer: o)
        XCTAssertTrue(m.run())
        let renders = o.events.filter { $0.event == "templateRendered" && $0.time.seconds > 300 }.map { "\(Int($0.time.seconds)) \($0.detail)" }
        // 13m46s and 14m01s (the 10m write), 26m13s and 26m48s (the 20m write, after Vault's outage
        // and the unseal at 26m: Vault came back sealed at 25m)
        let changed = ": vault.read(secret/shop/backend) changed"
        XCTAssertEqual(renders, ["826 edge-01" + changed, "841 edge-02" + changed, "1573 edge-02" + changed, "1608 edge-01" + changed])
        XCTAssertTrue(o.events.filter { $0.event == "consulTemplateExit" }.isEmpty)
        let retries = o.events.filter { $0.event == "consulTemplateRetry" && $0.detail.hasPrefix("vault.") }
        XCTAssertTrue(retries.allSatisfy { $0.time.seconds > 22 * 60 && $0.time.seconds < 26 * 60 })
        XCTAssertEqual(retries.filter { $0.detail.contains("is sealed") }.count, 2)
        XCTAssertEqual(o.events.filter { $0.event == "vaultSealed" }.map(\.time.seconds), [1500])
        let ct = try XCTUnwrap(m.subsystem(ConsulTemplateRunner.self))
        for p in 0..<2 {
            let text = try XCTUnwrap(ct.destinationText(proxy: p, template: 0))
            // base64("edge:v3-Zp4k"); the pin written at 15m is not re-read within the run
            XCTAssertTrue(text.contains(#"proxy_set_header Authorization "Basic ZWRnZTp2My1acDRr";"#), text)
            XCTAssertTrue(text.contains(#"proxy_set_header X-Shop-Pin "4711";"#), text)
            // the real nginx accepts what consul-template wrote
            if NginxRealToolTests.nginxBinary() != nil {
                let (status, out) = try NginxRealToolTests.nginxTest(text)
                XCTAssertEqual(status, 0, out)
            }
        }
    }
}

/// KV version 2 (`vaultServer.mounts`): hashicorp/consul-template@1deacb7 vault_read.go asks
/// sys/internal/ui/mounts/PATH, rewrites `secret/db` to `secret/data/db` and gets `.Data.data`
/// and `.Data.metadata`; the read has no lease, so leaseCheckWait takes the 5m default.
final class VaultKV2Tests: XCTestCase {
    typealias V = VaultTemplateTests
    static let server = #""vaultServer": {"host": "vault-01", "mounts": {"secret": {"version": 2}, "legacy": {"version": 1}}, "secrets": {"#
        + #""secret/db": {"data": {"password": "s3cret"}}, "secret/app/a": {"data": {}}, "legacy/db": {"data": {"password": "old"}, "lease_duration": "1h"},"#
        + #""other/db": {"data": {"password": "v1"}}}},"#
    static let template = #"# {{ with secret "secret/db" }}{{ .Data.data.password }} v{{ .Data.metadata.version }} lease={{ .LeaseDuration }} {{ .Data.metadata.created_time }}{{ end }}"#
        + #"|{{ with secret "secret/data/db" }}{{ .Data.data.password }}{{ end }}|{{ with secret "legacy/db" }}{{ .Data.password }}{{ end }}"#
        + #"|{{ with secret "other/db" }}{{ .Data.password }}{{ end }}|{{ range secrets "secret" }}{{ . }};{{ end }}"#

    func testAVersion2SecretReadsAsDataDataAndIsReReadEveryFiveMinutesTimesTheFraction() throws {
        let write = #""actions": [{"at": "1m", "kind": "vaultWrite", "path": "secret/db", "data": {"password": "n3w"}}],"#
        let (m, o) = try runToEnd(V.scenario(Self.template, vault: Self.server, faults: write))
        let ct = try XCTUnwrap(m.subsystem(ConsulTemplateRunner.self))
        let renders = o.events.filter { $0.event == "templateRendered" && $0.subject == "/etc/app/database.ini" }
        // the first re-read of secret/db (no lease: 300 s x the fraction) sees version 2; the stream's
        // draws are in read order: secret/db, secret/data/db, legacy/db (1h), other/db (768h) at time 0
        let s = RandomStream(seed: 3, name: "consul-template.vault/edge-01/0")
        // (secret "secret/db" and secret "secret/data/db" are two dependencies: each sees the write at its own re-read)
        var waits: [SimDuration] = []
        for _ in 0..<2 {
            guard case .sleep(let w) = VaultLease.checkWait(leaseSeconds: 0, fields: .none, nowUnix: 0, uniform: { s.uniform() }) else { return XCTFail() }
            XCTAssertTrue(w.seconds >= 255 && w.seconds <= 285, "\(w)")
            waits.append(w)
        }
        XCTAssertEqual(renders.map(\.time), waits.sorted().map { SimTime.zero + $0 + .milliseconds(1) })
        let text = try XCTUnwrap(ct.destinationText(proxy: 0, template: 1))
        XCTAssertTrue(text.hasPrefix("# n3w v2 lease=0 2017-06-01T00:01:00Z|n3w|old|v1|app/;db;"), text)
    }

    func testKV2Errors() {
        func server(_ s: String) -> String { V.scenario(V.database, vault: #""vaultServer": {"host": "vault-01", "#  + s + "},") }
        assertSingleError(server(#""mounts": {"secret": {"version": 2}}, "secrets": {"secret/db": {"data": {}, "lease_duration": "1h"}}"#),
                          path: #"consulTemplate.vaultServer.secrets["secret/db"].lease_duration"#, ["only for KV version 1"])
        assertSingleError(server(#""mounts": {"secret": {"version": 3}}"#), path: "consulTemplate.vaultServer.mounts.secret.version", ["2"])
        assertSingleError(server(#""mounts": {"secret/": {"version": 2}}"#), path: #"consulTemplate.vaultServer.mounts["secret/"]"#, ["no leading or trailing"])
        assertSingleError(server(#""mounts": {"secret": {}}"#), path: "consulTemplate.vaultServer.mounts.secret.version", ["missing required key"])
    }
}
