import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// consul-template templates that read Vault (`secret`, `secrets`, `pkiCert`: template/funcs.go at
/// hashicorp/consul-template@1deacb7) load, as consul-template parses them; with no Vault server in
/// the scenario their dependency fails at every fetch, is retried with the vault stanza's retry
/// policy (logged as consulTemplateRetry), the template is never rendered while the others are,
/// and consul-template exits when the retries are used up (watch/view.go, manager/runner.go).
/// The shapes are those of the public templates of docs/discovery.md's fifth corpus (written
/// here in small: `with secret`, `with $s := secret`, `range secrets`, a PKI `secret` with k=v data).
final class VaultTemplateTests: XCTestCase {
    static let upstream = #"""
        upstream web {
        {{- range service "web"}}
          server {{.Address}}:{{.Port}};
        {{- else}}
          server 127.0.0.1:65535;
        {{- end}}
        }
        server { listen 80; location / { proxy_pass http://web; } }
        """#

    /// (Every destination is a file nginx includes (docs/discovery.md), so the secret goes into comments.)
    static let database = #"""
        # [config]{{ with $secret := secret "database/creds/readonly" }}
        # username={{$secret.Data.username}}
        # password={{$secret.Data.password}}{{ end }}
        """#

    static func scenario(_ vaultTemplate: String, retry: String = "", vault: String = "", faults: String = "") -> String {
        let json = ConsulTemplateInputsTests.json
        return """
            {"name": "vault", "seed": 3, "duration": "10m",
             "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                            {"name": "slave", "count": 2, "cpus": 8, "memory": "32GiB", "disk": "500GB"},
                            {"name": "edge", "count": 1, "cpus": 4, "memory": "8GiB", "disk": "100GB"},
                            {"name": "vault", "count": 1, "cpus": 2, "memory": "4GiB", "disk": "50GB"}],\(faults)
             "mesos": {"agents": {"hostGroups": ["slave"]}},
             "marathon": {"apps": [{"id": "/web", "instances": 2, "cpus": 0.5, "mem": 256,
                                    "container": {"type": "DOCKER", "docker": {"image": "x:1", "network": "BRIDGE",
                                                  "portMappings": [{"containerPort": 8080, "hostPort": 0}]}}}],
                          "behaviour": {"default": {"startupTime": "5s"}}},
             "consul": {"agents": ["slave", "edge"], "services": {"/web": {"service": {"name": "web", "port": 8080}}}},
             "nginx": {"hostGroup": "edge"},
             "consulTemplate": {\(retry)\(vault)
                                "template": [{"contents": \(json(upstream)), "destination": "/etc/nginx/conf.d/web.conf", "command": "nginx -s reload"},
                                             {"contents": \(json(vaultTemplate)), "destination": "/etc/app/database.ini"}]}}
            """
    }

    func testVaultTemplatesLoadWithAWarningNamingTheirDependency() throws {
        let l = try XCTUnwrap(loadOK(Self.scenario(Self.database)))
        XCTAssertEqual(l.spec.consulTemplate?.templates.count, 2)
        let w = l.warnings.filter { $0.contains("Vault") }
        XCTAssertEqual(w.count, 1, "\(l.warnings)")
        XCTAssertTrue(w[0].contains("consulTemplate.template[1].contents"), w[0])
        XCTAssertTrue(w[0].contains("reads Vault (vault.read(database/creds/readonly))"), w[0])
        // the other shapes of the corpus: a write with k=v data (PKI issue), a list, pkiCert
        for (t, dep) in [(#"{{ with secret "pki_int/issue/yet-dot-org" "common_name=new.yet.org" "ttl=30s" }}{{ .Data.certificate }}{{ end }}"#,
                          "vault.write(pki_int/issue/yet-dot-org -> common_name=new.yet.org,ttl=30s)"),
                         (#"{{- range $i, $role := secrets "/database/roles/" -}}{{ with secret (printf "database/roles/%s" $role) }}{{ .Data.db_name }}{{ end }}{{ end }}"#,
                          "vault.list(database/roles)"),
                         (#"{{ with pkiCert "pki/issue/my-role" "common_name=foo.example.com" }}{{ .Cert }}{{ end }}"#,
                          "vault.pki(pki/issue/my-role->/etc/app/database.ini)")] {
            let l = try XCTUnwrap(loadOK(Self.scenario(t)), t)
            XCTAssertTrue(l.warnings.contains { $0.contains("reads Vault (\(dep))") }, "\(t): \(l.warnings)")
        }
        // no argument, or "": no dependency (funcs.go returns nil / an empty list), no warning
        let none = try XCTUnwrap(loadOK(Self.scenario(#"{{ secret }}{{ secrets "" }}{{ pkiCert }}"#)))
        XCTAssertFalse(none.warnings.contains { $0.contains("Vault") }, "\(none.warnings)")
    }

    /// funcs.go's and the dependency constructors' own errors stay errors, with their reasons.
    func testArgumentErrorsAreConsulTemplates() {
        let p = "consulTemplate.template[1].contents"
        assertSingleError(Self.scenario(#"{{ secret "pki/issue/x" "common_name" }}"#), path: p, [#"error calling secret: not k=v pair "common_name""#])
        assertSingleError(Self.scenario(#"{{ pkiCert "pki/issue/x" "ttl" }}"#), path: p, [#"error calling pkiCert: not k=v pair "ttl""#])
        assertSingleError(Self.scenario(#"{{ secret " / " }}"#), path: p, [#"vault.read: invalid format: """#])
        assertSingleError(Self.scenario(#"{{ secret "/" "a=b" }}"#), path: p, [#"vault.write: invalid format: """#])
        assertSingleError(Self.scenario(#"{{ secrets "//" }}"#), path: p, [#"vault.list: invalid format: """#])
        assertSingleError(Self.scenario(#"{{ secrets }}"#), path: p, ["wrong number of args for secrets: want 1 got 0"])
        assertSingleError(Self.scenario(#"{{ secrets "a" "b" }}"#), path: p, ["wrong number of args for secrets: want 1 got 2"])
    }

    /// The run: the nginx template renders at time 0 and whenever web's instances change; the Vault
    /// template never does; its dependency is retried with the vault stanza's policy (12 attempts,
    /// 250ms doubling to 1m: not the `retry` given for Consul queries), each failure logged, and
    /// consul-template exits when they are used up.
    func testTheVaultTemplateNeverRendersTheOthersDoUntilTheRetriesAreUsedUp() throws {
        let (m, o) = try runToEnd(Self.scenario(Self.database, retry: #""retry": {"attempts": 40, "backoff": "1s", "max_backoff": "2s"},"#))
        let ct = try XCTUnwrap(m.subsystem(ConsulTemplateRunner.self))
        XCTAssertNil(ct.destinationText(proxy: 0, template: 1), "the Vault template is never rendered")
        let web = try XCTUnwrap(ct.destinationText(proxy: 0, template: 0))
        XCTAssertEqual(web.split(separator: "\n").filter { $0.contains("server 10.") }.count, 2, web)
        let rendered = o.events.filter { $0.event == "templateRendered" }
        XCTAssertFalse(rendered.isEmpty)
        XCTAssertTrue(rendered.allSatisfy { $0.subject == "/etc/nginx/conf.d/web.conf" }, "\(rendered)")
        // (Consul's queries fail too until its servers have elected a leader: retried with `retry`)
        let retries = o.events.filter { $0.event == "consulTemplateRetry" && $0.detail.hasPrefix("vault.") }
        XCTAssertEqual(retries.count, 12, "the vault stanza's retry.attempts, not consulTemplate.retry's 40")
        let sleeps: [Double] = [0.25, 0.5, 1, 2, 4, 8, 16, 32, 60, 60, 60, 60]
        var t = 0.0
        for (i, r) in retries.enumerated() {
            XCTAssertEqual(r.time.seconds, t, accuracy: 1e-9, "failure \(i + 1)")
            XCTAssertTrue(r.detail.hasPrefix("vault.read(database/creds/readonly): no Vault server answered"), r.detail)
            XCTAssertTrue(r.detail.hasSuffix("retry \(i + 1)/12 in \(SimDuration.milliseconds(Int64(sleeps[i] * 1000)))"), r.detail)
            t += sleeps[i] + 0.001
        }
        let exits = o.events.filter { $0.event == "consulTemplateExit" }
        XCTAssertEqual(exits.count, 1)
        XCTAssertEqual(exits.first?.time.seconds ?? 0, t, accuracy: 1e-9, "the 13th failure: no retry left")
        XCTAssertTrue(exits.first?.detail.contains("vault.read(database/creds/readonly)") ?? false, "\(exits)")
        XCTAssertTrue(rendered.allSatisfy { $0.time.seconds < t }, "nothing renders once consul-template has exited")
        XCTAssertEqual(ct.exits, 1)
    }

    // MARK: the modelled Vault (consulTemplate.vaultServer)

    static let vaultServer = #""vaultServer": {"host": "vault-01", "secrets": {"#
        + #""database/creds/readonly": {"data": {"username": "app", "password": "s3cret"}, "lease_duration": "1h"},"#
        + #""database/roles/reader": {"data": {"db_name": "pg"}}, "database/roles/writer": {"data": {"db_name": "my"}},"#
        + #""database/roles/admin/x": {"data": {"db_name": "no"}}}},"#

    /// A KV v1 read answers `.Data` (vault_read.go: the secret as Vault gives it); the template
    /// renders at time 0 with the other, nothing is retried, and loading says nothing about Vault.
    func testASecretTheServerHoldsRenders() throws {
        let text = Self.scenario(Self.database + #"{{ with secret "/database/creds/readonly/" }} # lease={{ .LeaseDuration }} renewable={{ .Renewable }}{{ end }}"#, vault: Self.vaultServer)
        let l = try XCTUnwrap(loadOK(text))
        XCTAssertFalse(l.warnings.contains { $0.contains("Vault") || $0.contains("vault") }, "\(l.warnings)")
        let (m, o) = try runToEnd(text)
        let ct = try XCTUnwrap(m.subsystem(ConsulTemplateRunner.self))
        XCTAssertEqual(ct.destinationText(proxy: 0, template: 1), "# [config]\n# username=app\n# password=s3cret # lease=3600 renewable=false")
        XCTAssertTrue(o.events.filter { $0.event == "consulTemplateRetry" && $0.detail.hasPrefix("vault.") }.isEmpty)
        XCTAssertTrue(o.events.filter { $0.event == "consulTemplateExit" }.isEmpty)
    }

    /// `secrets` lists the next segment of every path under PATH/ (a folder with its "/"), sorted;
    /// kevineor/vault-postgres-consul-template's shape reads each listed role.
    func testSecretsListsAndEachListedSecretIsRead() throws {
        // admin/ is a folder: reading "database/roles/admin/" would be a 404 that blocks the template (as in consul-template)
        let t = #"# {{ range secrets "database" }}{{ . }};{{ end }}|"#
            + #"{{- range $i, $role := secrets "database/roles" -}}{{ if not ($role | contains "/") }}{{ $role }}{{ with secret (printf "database/roles/%s" $role) }}={{ .Data.db_name }}{{ end }};{{ end }}{{ end }}"#
        let (m, _) = try runToEnd(Self.scenario(t, vault: Self.vaultServer))
        let ct = try XCTUnwrap(m.subsystem(ConsulTemplateRunner.self))
        XCTAssertEqual(ct.destinationText(proxy: 0, template: 1), "# creds/;roles/;|reader=pg;writer=my;")
    }

    /// A path the server does not hold is Vault's 404: `no secret exists at PATH`, retried, then
    /// consul-template exits (vault_read.go readSecret); loading warns with that reason.
    func testAPathTheServerDoesNotHoldIsRetriedThenExits() throws {
        let text = Self.scenario(#"{{ with secret "database/creds/admin" }}{{ .Data.password }}{{ end }}"#, vault: Self.vaultServer)
        let l = try XCTUnwrap(loadOK(text))
        XCTAssertTrue(l.warnings.contains { $0.contains("vault.read(database/creds/admin), which consulTemplate.vaultServer does not answer (no secret exists at database/creds/admin)") },
                      "\(l.warnings)")
        let (m, o) = try runToEnd(text)
        XCTAssertNil(m.subsystem(ConsulTemplateRunner.self)?.destinationText(proxy: 0, template: 1))
        let retries = o.events.filter { $0.event == "consulTemplateRetry" && $0.detail.hasPrefix("vault.") }
        XCTAssertEqual(retries.count, 12)
        XCTAssertTrue(retries.allSatisfy { $0.detail.contains("no secret exists at database/creds/admin; retry") }, "\(retries.first?.detail ?? "")")
        XCTAssertEqual(o.events.filter { $0.event == "consulTemplateExit" }.count, 1)
    }

    /// Vault's host down: a fetch then fails ("its host is down") and is retried; consul-template,
    /// restarted with its host at 2m, gets the secret at the first retry after Vault is back (4m30s),
    /// and does not exit. (Auto-unseal: with the default Shamir seal Vault comes back sealed,
    /// VaultRotationTests.testVaultComesBackSealedUntilItIsUnsealed.)
    func testVaultsHostDownFailsTheFetchUntilItIsBack() throws {
        let faults = #""faults": [{"at": "30s", "kind": "hostCrash", "host": "vault-01", "recoverAfter": "4m"},"#
            + #"{"at": "1m", "kind": "hostCrash", "host": "edge-01", "recoverAfter": "1m"}],"#
        let autoUnseal = Self.vaultServer.replacingOccurrences(of: #""host": "vault-01", "#, with: #""host": "vault-01", "seal": "auto", "#)
        let (m, o) = try runToEnd(Self.scenario(Self.database, vault: autoUnseal, faults: faults))
        let retries = o.events.filter { $0.event == "consulTemplateRetry" && $0.detail.hasPrefix("vault.") }
        XCTAssertFalse(retries.isEmpty)
        XCTAssertTrue(retries.allSatisfy { $0.detail.contains("Vault on vault-01 did not answer (its host is down)") && $0.time.seconds >= 120 && $0.time.seconds < 270 },
                      "\(retries.map { "\($0.time.seconds) \($0.detail)" })")
        // failures at the restart and after 0.25, 0.5, ... 60 s: the 10th at ~243.8 s, the 11th fetch (~303.8 s) succeeds
        XCTAssertEqual(retries.count, 10, "\(retries.map { "\($0.time.seconds) \($0.detail)" })")
        XCTAssertTrue(o.events.filter { $0.event == "consulTemplateExit" }.isEmpty)
        // the text is the one written at time 0 (the file survives the restart): the same text is not written again
        XCTAssertTrue(o.events.filter { $0.event == "templateRendered" && $0.subject == "/etc/app/database.ini" }.isEmpty)
        XCTAssertEqual(m.subsystem(ConsulTemplateRunner.self)?.destinationText(proxy: 0, template: 1), "# [config]\n# username=app\n# password=s3cret")
    }

    func testVaultServerErrorsNameTheirPath() {
        assertSingleError(Self.scenario(Self.database, vault: #""vaultServer": {"host": "vault-09", "secrets": {}},"#), path: "consulTemplate.vaultServer.host", ["vault-09"])
        assertSingleError(Self.scenario(Self.database, vault: #""vaultServer": {"host": "vault-01", "secrets": {"/a": {"data": {}}}},"#),
                          path: #"consulTemplate.vaultServer.secrets["/a"]"#, ["no leading or trailing"])
        assertSingleError(Self.scenario(Self.database, vault: #""vaultServer": {"host": "vault-01", "secrets": {"a": {"data": "x"}}},"#),
                          path: "consulTemplate.vaultServer.secrets.a.data", ["an object"])
        assertSingleError(Self.scenario(Self.database, vault: #""vaultServer": {"host": "vault-01", "secrets": {"a": {"data": {}, "ttl": "1h"}}},"#),
                          path: "consulTemplate.vaultServer.secrets.a.ttl", ["unknown key"])
    }
}
