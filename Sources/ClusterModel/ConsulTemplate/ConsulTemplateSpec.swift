import SimKernel

/// consul-template's `wait` (hashicorp/consul-template config/wait.go): quiescence between a
/// change and the render. Disabled when `min` is 0 (the default); `min` alone gives max = 4 x min.
public struct ConsulTemplateWait: Equatable, Sendable {
    public var min: SimDuration
    public var max: SimDuration
    public init(min: SimDuration, max: SimDuration) { self.min = min; self.max = max }
    public static let disabled = ConsulTemplateWait(min: .zero, max: .zero)
    public var enabled: Bool { min > .zero }
}

/// consul-template's `retry` (config/retry.go): exponential back-off of a failed query.
public struct ConsulTemplateRetry: Equatable, Sendable {
    public var enabled = true
    /// Retries after the first failure; 0: unlimited.
    public var attempts = 12
    public var backoff = SimDuration.milliseconds(250)
    public var maxBackoff = SimDuration.minutes(1)
    public init() {}

    /// RetryFunc: the sleep before retry number `retry` (0-based), nil when consul-template gives up.
    public func sleep(retry: Int) -> SimDuration? {
        guard enabled else { return nil }
        if attempts > 0 && retry > attempts - 1 { return nil }
        if maxBackoff > .zero, backoff > .zero {
            // int(math.Log2(maxSleep / baseSleep)): the retries before the cap
            let ratio = Double(maxBackoff.nanoseconds) / Double(backoff.nanoseconds)
            let tillMax = ratio >= 1 ? Int(ratio.log2Floor) : -1
            if retry > tillMax { return maxBackoff }
        }
        guard retry < 62 else { return maxBackoff > .zero ? maxBackoff : nil }
        let (v, o) = backoff.nanoseconds.multipliedReportingOverflow(by: Int64(1) << Int64(retry))
        return o ? (maxBackoff > .zero ? maxBackoff : SimDuration(nanoseconds: .max / 4)) : SimDuration(nanoseconds: v)
    }
}

extension Double {
    /// floor(log2(x)) for x >= 1, exact at powers of two.
    var log2Floor: Double {
        var n = 0.0, y = self
        while y >= 2 { y /= 2; n += 1 }
        return n
    }
}

/// What running a template's `command` does in the simulator. consul-template runs it with
/// child.CommandPrep (hashicorp/consul-template child/command-prep.go): one string of several
/// words goes to `sh -c`, a list is executed as it is, and it waits `command_timeout` for the
/// exit status (child/child.go `start`).
public enum TemplateCommandRun: Equatable, Sendable {
    /// No command (the file is written, nothing is run).
    case none
    /// One of the nginx reload commands: nginx tests and loads what it includes.
    case nginx(NginxReloadCommand)
    /// A command the simulator cannot run (`service haproxy reload`, `docker kill -s HUP x`, a
    /// script): logged as run, it exits 0 at once.
    case notModelled
    /// A command consul-template cannot start (a program name with spaces, left by its split of
    /// the string at commas; a blank name): spawning it fails, which ends consul-template.
    case cannotStart(String)
}

/// One `template` stanza.
public struct TemplateStanza: Equatable, Sendable {
    /// Where the text came from, for messages: the `source` path, or "contents".
    public var name: String
    public var text: String
    public var parsed: ParsedTemplate
    public var destination: String
    /// "" when none (the file is written, nginx is not told). As written, for the log.
    public var command: String
    /// The command list consul-template holds (a string split at commas); commands of several
    /// templates run once per run when these are equal (manager/runner.go `findCommand`).
    public var commandArgs: [String]
    public var commandRun: TemplateCommandRun
    /// 0: consul-template does not wait for the command, so its exit status is not looked at.
    public var commandTimeout: SimDuration
    /// nil: the global `wait`.
    public var wait: ConsulTemplateWait?
    public var errorOnMissingKey: Bool
    public init(name: String, text: String, parsed: ParsedTemplate, destination: String, command: String,
                commandTimeout: SimDuration = .seconds(30), wait: ConsulTemplateWait? = nil, errorOnMissingKey: Bool = false,
                commandArgs: [String]? = nil, commandRun: TemplateCommandRun? = nil) {
        self.name = name; self.text = text; self.parsed = parsed; self.destination = destination; self.command = command
        self.commandTimeout = commandTimeout; self.wait = wait; self.errorOnMissingKey = errorOnMissingKey
        self.commandArgs = commandArgs ?? (command.isEmpty ? [] : [command])
        self.commandRun = commandRun ?? (command.isEmpty ? .none : NginxReloadCommand.classify(command).map { .nginx($0) } ?? .notModelled)
    }
}

/// The `consulTemplate` section: consul-template's configuration (the JSON form of its HCL), one
/// consul-template next to each nginx. See docs/discovery.md.
public struct ConsulTemplateSpec: Equatable, Sendable {
    public var wait = ConsulTemplateWait.disabled
    public var maxStale = SimDuration.seconds(2)
    public var blockQueryWait = SimDuration.seconds(60)
    public var retry = ConsulTemplateRetry()
    /// The `vault` stanza's `retry` (config/vault.go DefaultVaultConfig: DefaultRetryConfig), for
    /// `secret`, `secrets` and `pkiCert` dependencies.
    public var vaultRetry = ConsulTemplateRetry()
    /// `vaultServer`: the modelled Vault server; nil: none (Vault dependencies never get data).
    public var vault: VaultServerSpec? = nil
    public var templates: [TemplateStanza] = []
    /// From a change committed by the Consul servers to the blocking query's answer reaching
    /// consul-template: the server's response, the agent's forward over the LAN (model choice).
    public var queryLatency = SimDuration.milliseconds(1)
    /// What templates read besides the catalog: Consul's KV store (`consul.kv`), consul-template's
    /// environment (`environment`), the wall clock of time 0.
    public var inputs = TemplateInputs()
    public init() {}
}
