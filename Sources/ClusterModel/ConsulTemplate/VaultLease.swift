import SimKernel

// When consul-template reads a Vault secret again (hashicorp/consul-template@1deacb7; the
// simulator's own code, written from these files, docs/discovery.md "Secrets that change"):
//
// - dependency/vault_read.go `Fetch`: after a read of a NON-RENEWABLE secret it puts
//   `leaseCheckWait(secret)` on its sleep channel; the view (watch/view.go `fetch`) calls Fetch
//   again at once, and that call sleeps the duration first, then reads. So the re-read comes
//   `leaseCheckWait` after the read, and the view passes its answer to the runner only when it
//   differs from the last (`reflect.DeepEqual`): a re-read of the same data renders nothing.
// - dependency/vault_common.go `leaseCheckWait` (this file's `VaultLease.checkWait`): the base is
//   the lease duration in seconds, replaced by (in this order, each only with an empty LeaseID,
//   which KV secrets always have) `expiration - now` when the data has `certificate` and
//   `expiration`; `secret_id_ttl + 1` when it has `secret_id` and `secret_id_ttl > 0`;
//   `ttl + 1` when it has `rotation_period` and `ttl > 0` (a "rotating" secret: no fraction
//   applies), `ttl == 0` being an error the watcher retries. Each of those values is read with a
//   Go type assertion to json.Number: a value that is not a number panics (consul-template
//   crashes); a number that is not an integer literal (json.Number.Int64 fails) is skipped. A base
//   <= 0 becomes VaultDefaultLeaseDuration (config/vault.go DefaultVaultLeaseDuration, 5m). A
//   non-rotating, non-renewable secret sleeps base x (threshold + (rand.Float64() - 0.5) x 0.1),
//   the fraction clamped back to the threshold outside (0, 1); the threshold is
//   `lease_renewal_threshold`, config/vault.go DefaultLeaseRenewalThreshold 0.90.
// - a RENEWABLE secret is not slept on: the next Fetch starts a LifetimeWatcher (renewSecret,
//   RenewBehaviorErrorOnErrors) which, for a secret without a LeaseID (every KV secret), ends at
//   once with ErrLifetimeWatcherNotRenewable (hashicorp/vault api/lifetime_watcher.go
//   doRenewWithOptions: `credString == ""`), and Fetch reads again: a loop bounded only by the
//   view's rate limiter (watch/view.go rateLimiter: 100ms since the fetch started, plus 0-20ms
//   dither), as hashicorp/consul-template#2165 observed ("repeats continuously at ~100ms
//   intervals"). Such polls carry news only after a `vaultWrite` or when Vault's host goes down;
//   the runner computes the poll that first sees it (`VaultLease.pollAfter`) instead of
//   simulating ten polls a second.
// - dependency/vault_list.go `Fetch`: after the first list, every fetch first sleeps
//   VaultDefaultLeaseDuration (5m, no jitter).

/// A data member of a secret that leaseCheckWait reads as json.Number.
public enum VaultNumberField: Equatable, Sendable {
    case absent
    /// An integer literal (json.Number.Int64 succeeds).
    case integer(Int64)
    /// A number that is not an integer literal (Int64 fails: the case is skipped).
    case otherNumber
    /// Not a number: the type assertion panics; the Go type name of the value, for the message.
    case notNumber(String)
}

/// What leaseCheckWait looks at in a secret's data, read from its JSON literal text.
public struct VaultLeaseFields: Equatable, Sendable {
    public var certificate = false
    public var expiration = VaultNumberField.absent
    public var secretID = false
    public var secretIDTTL = VaultNumberField.absent
    public var rotationPeriod = false
    public var ttl = VaultNumberField.absent
    public init() {}
    public static let none = VaultLeaseFields()
}

public enum VaultLease {
    /// config/vault.go DefaultVaultLeaseDuration.
    public static let defaultLeaseDuration = SimDuration.minutes(5)
    /// config/vault.go DefaultLeaseRenewalThreshold.
    public static let defaultRenewalThreshold = 0.90
    /// watch/view.go minDelayBetweenUpdates and rateLimiter's dither (rand.Int63n(20000000) ns).
    public static let minDelayBetweenUpdates = SimDuration.milliseconds(100)
    public static let ditherNs: Int64 = 20_000_000

    public enum Wait: Equatable {
        /// Sleep this long, then read again.
        case sleep(SimDuration)
        /// leaseCheckWait's error (`ttl` 0 on a rotating secret): the watcher retries it.
        case error(String)
        /// A panic of consul-template (a type assertion on a value that is not a number).
        case panic(String)
    }

    /// leaseCheckWait for a non-renewable secret read at Unix time `nowUnix` (seconds);
    /// `uniform` is rand.Float64 (drawn only where leaseCheckWait draws).
    public static func checkWait(leaseSeconds: Int64, fields f: VaultLeaseFields, nowUnix: Int64,
                                 threshold: Double = defaultRenewalThreshold, defaultLease: SimDuration = defaultLeaseDuration,
                                 uniform: () -> Double) -> Wait {
        func panicking(_ t: String) -> Wait { .panic("panic: interface conversion: interface {} is \(t), not json.Number") }
        var base = leaseSeconds
        if f.certificate {
            switch f.expiration {
            case .integer(let e): base = e &- nowUnix
            case .notNumber(let t): return panicking(t)
            case .absent, .otherNumber: break
            }
        }
        if f.secretID {
            switch f.secretIDTTL {
            case .integer(let t) where t > 0: base = t &+ 1
            case .notNumber(let t): return panicking(t)
            default: break
            }
        }
        var rotating = false
        if f.rotationPeriod {
            switch f.ttl {
            case .integer(let t) where t > 0: base = t &+ 1; rotating = true
            case .integer(0): return .error("vault rotating secret returned ttl=0, will retry")
            case .notNumber(let t): return panicking(t)
            default: break
            }
        }
        if base <= 0 { base = defaultLease.nanoseconds / 1_000_000_000 }
        var sleep = Double(base) * 1e9
        if !rotating {
            var fraction = threshold + (uniform() - 0.5) * 0.1
            if fraction >= 1 || fraction <= 0 { fraction = threshold }
            sleep *= fraction
        }
        // time.Duration(float64): truncation toward zero
        return .sleep(SimDuration(nanoseconds: sleep >= 9.2e18 ? Int64.max / 4 : Int64(sleep)))
    }

    /// One gap of a renewable secret's poll loop: the rate limiter's 100ms plus its dither.
    public static func pollGap(_ uniform: () -> Double) -> SimDuration {
        minDelayBetweenUpdates + SimDuration(nanoseconds: Int64(uniform() * Double(ditherNs)))
    }

    /// The poll loop of a renewable secret, polling for long with gaps G = 100ms + U[0, 20ms):
    /// the time from an arbitrary instant to its next poll is the stationary residual of G (a gap
    /// drawn length-biased, density g / E[G] on [100, 120]ms, times a uniform), which this draws.
    public static func residual(_ uniform: () -> Double) -> SimDuration {
        let lo = Double(minDelayBetweenUpdates.nanoseconds), hi = lo + Double(ditherNs)
        let g = (lo * lo + uniform() * (hi * hi - lo * lo)).squareRoot()
        return SimDuration(nanoseconds: Int64(uniform() * g))
    }

    /// The first poll of a renewable secret's loop that passes a change made at Unix nanosecond
    /// `changeUnixNs` to the runner: the view drops every answer whose index (respWithMetadata:
    /// time.Now().Unix(), whole seconds) equals the last one before comparing data, so within a
    /// second only its first poll counts. That is the first poll of the change's second if it
    /// comes after the change, else the first poll of the next second. Returns the time from the
    /// change to that poll's start.
    public static func pollAfter(changeUnixNs: Int64, _ uniform: () -> Double) -> SimDuration {
        let second = changeUnixNs - ((changeUnixNs % 1_000_000_000) + 1_000_000_000) % 1_000_000_000
        let first = second + residual(uniform).nanoseconds
        if first > changeUnixNs { return SimDuration(nanoseconds: first - changeUnixNs) }
        return SimDuration(nanoseconds: second + 1_000_000_000 + residual(uniform).nanoseconds - changeUnixNs)
    }
}
