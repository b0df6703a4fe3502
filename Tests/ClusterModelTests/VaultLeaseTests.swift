@testable import ClusterModel
import SimKernel
import XCTest

/// consul-template's leaseCheckWait (hashicorp/consul-template@1deacb7 dependency/vault_common.go)
/// and the poll loop of a renewable secret (watch/view.go rateLimiter and its whole-second index).
final class VaultLeaseTests: XCTestCase {
    func sleep(_ w: VaultLease.Wait) -> Double? { if case .sleep(let d) = w { return d.seconds }; return nil }

    /// Non-renewable: lease x (0.9 + (u - 0.5) x 0.1), one draw.
    func testNonRenewableSleepsAJitteredNinetyPercentOfTheLease() {
        for u in [0.0, 0.25, 0.5, 0.999] {
            var draws = 0
            let w = VaultLease.checkWait(leaseSeconds: 3600, fields: .none, nowUnix: 0, uniform: { draws += 1; return u })
            XCTAssertEqual(try XCTUnwrap(sleep(w)), 3600 * (0.9 + (u - 0.5) * 0.1), accuracy: 1e-6)
            XCTAssertEqual(draws, 1)
        }
        // a lease of 0 is VaultDefaultLeaseDuration, 5m
        XCTAssertEqual(try XCTUnwrap(sleep(VaultLease.checkWait(leaseSeconds: 0, fields: .none, nowUnix: 0, uniform: { 0.5 }))), 270, accuracy: 1e-6)
        // a fraction outside (0, 1) falls back to the threshold
        XCTAssertEqual(try XCTUnwrap(sleep(VaultLease.checkWait(leaseSeconds: 100, fields: .none, nowUnix: 0, threshold: 0.98, uniform: { 0.9 }))), 98, accuracy: 1e-6)
    }

    /// `rotation_period` with `ttl`: ttl + 1 s, no fraction; ttl 0 is an error; a ttl that is not a
    /// number panics; one that is not an integer literal is skipped (the lease applies).
    func testRotatingSecretsSleepTheirTTLPlusOne() {
        var f = VaultLeaseFields(); f.rotationPeriod = true; f.ttl = .integer(30)
        var draws = 0
        XCTAssertEqual(sleep(VaultLease.checkWait(leaseSeconds: 3600, fields: f, nowUnix: 0, uniform: { draws += 1; return 0.5 })), 31)
        XCTAssertEqual(draws, 0)
        f.ttl = .integer(0)
        XCTAssertEqual(VaultLease.checkWait(leaseSeconds: 3600, fields: f, nowUnix: 0, uniform: { 0.5 }), .error("vault rotating secret returned ttl=0, will retry"))
        f.ttl = .notNumber("string")
        XCTAssertEqual(VaultLease.checkWait(leaseSeconds: 3600, fields: f, nowUnix: 0, uniform: { 0.5 }),
                       .panic("panic: interface conversion: interface {} is string, not json.Number"))
        f.ttl = .otherNumber
        XCTAssertEqual(sleep(VaultLease.checkWait(leaseSeconds: 3600, fields: f, nowUnix: 0, uniform: { 0.5 })), 3240)
        // without rotation_period the ttl is not read
        var g = VaultLeaseFields(); g.ttl = .integer(30)
        XCTAssertEqual(sleep(VaultLease.checkWait(leaseSeconds: 3600, fields: g, nowUnix: 0, uniform: { 0.5 })), 3240)
    }

    /// AppRole `secret_id` with `secret_id_ttl` > 0: ttl + 1 is the base (the fraction applies);
    /// a certificate's `expiration` minus now is the base.
    func testSecretIDAndCertificateBases() {
        var f = VaultLeaseFields(); f.secretID = true; f.secretIDTTL = .integer(99)
        XCTAssertEqual(try XCTUnwrap(sleep(VaultLease.checkWait(leaseSeconds: 3600, fields: f, nowUnix: 0, uniform: { 0.5 }))), 90, accuracy: 1e-6)
        var c = VaultLeaseFields(); c.certificate = true; c.expiration = .integer(1_000_200)
        XCTAssertEqual(try XCTUnwrap(sleep(VaultLease.checkWait(leaseSeconds: 0, fields: c, nowUnix: 1_000_000, uniform: { 0.5 }))), 180, accuracy: 1e-6)
        c.expiration = .integer(999_000)   // expired: base <= 0, the 5m default
        XCTAssertEqual(try XCTUnwrap(sleep(VaultLease.checkWait(leaseSeconds: 0, fields: c, nowUnix: 1_000_000, uniform: { 0.5 }))), 270, accuracy: 1e-6)
    }

    /// A renewable secret's loop passes a change at the first poll of the change's second if that
    /// poll comes after it, else at the next second's first poll; the residual is in [0, 120ms).
    func testPollAfterAChangeRespectsTheWholeSecondIndex() {
        // residual = u2 x sqrt(100^2 + u1 (120^2 - 100^2)) ms
        XCTAssertEqual(VaultLease.residual({ 0 }).nanoseconds, 0)
        var us = [1.0, 1.0][...]
        XCTAssertEqual(VaultLease.residual({ us.removeFirst() }).nanoseconds, 120_000_000)
        // change 10 ms into a second, first poll at 50 ms (u1 = 0: g = 100 ms, u2 = 0.5): seen 40 ms later
        us = [0.0, 0.5][...]
        XCTAssertEqual(VaultLease.pollAfter(changeUnixNs: 7_010_000_000, { us.removeFirst() }).nanoseconds, 40_000_000)
        // change 600 ms into a second: that second's first poll came before; the next second's (at +50 ms)
        us = [0.0, 0.5, 0.0, 0.5][...]
        XCTAssertEqual(VaultLease.pollAfter(changeUnixNs: 7_600_000_000, { us.removeFirst() }).nanoseconds, 450_000_000)
        // any draws: within (0, 1.12 s]
        let s = RandomStream(seed: 1, name: "t")
        for k in 0..<1000 {
            let d = VaultLease.pollAfter(changeUnixNs: Int64(k) * 7_919_000, { s.uniform() })
            XCTAssertTrue(d > .zero && d <= .milliseconds(1120), "\(d)")
        }
    }

    /// KV version 2 paths (vault_read.go shimKVv2Path, vault_list.go shimKvV2ListPath) and reads
    /// without a lease, a secret written later included.
    func testKV2PathShimsAndNoLease() {
        XCTAssertEqual(VaultServerSpec.shimKVv2("secret/db", mount: "secret/"), "secret/data/db")
        XCTAssertEqual(VaultServerSpec.shimKVv2("secret/data/db", mount: "secret/"), "secret/data/db")
        XCTAssertEqual(VaultServerSpec.shimKVv2("secret/metadata/db", mount: "secret/"), "secret/metadata/db")
        XCTAssertEqual(VaultServerSpec.shimKVv2("secret", mount: "secret/"), "secret/data")
        XCTAssertEqual(VaultServerSpec.shimKVv2List("secret/app", mount: "secret/"), "secret/metadata/app")
        XCTAssertEqual(VaultServerSpec.shimKVv2List("secret", mount: "secret/"), "secret/metadata")
        XCTAssertEqual(VaultServerSpec.shimKVv2List("secret/metadata/app", mount: "secret/"), "secret/metadata/app")
        var v = VaultServerSpec(host: "h", secrets: [VaultSecretSpec(path: "kv/a", dataJSON: "{}", leaseDuration: .hours(1))],
                                mounts: [VaultMountSpec(path: "secret", version: 2), VaultMountSpec(path: "secret/v1", version: 1)])
        XCTAssertEqual(v.kv2Mount("secret/db"), "secret/")
        XCTAssertNil(v.kv2Mount("secret/v1/db"))        // the longest mount wins
        XCTAssertNil(v.kv2Mount("secretx/db"))
        v.write("secret/new", dataJSON: #"{"ttl": 30, "rotation_period": 60}"#, fields: { var f = VaultLeaseFields(); f.rotationPeriod = true; f.ttl = .integer(30); return f }())
        XCTAssertEqual(v.readTerms("secret/new")?.leaseSeconds, 0)
        XCTAssertEqual(v.readTerms("secret/new")?.fields, VaultLeaseFields.none)
        XCTAssertEqual(v.readTerms("kv/a")?.leaseSeconds, 3600)
        v.write("secret/new", dataJSON: "{}", fields: .none)
        XCTAssertEqual(v.secret("secret/new")?.version, 2)
    }
}
