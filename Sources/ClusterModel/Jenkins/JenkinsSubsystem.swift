import SimKernel

// Jenkins as a subsystem: built from the `jenkins` section (needs `harbor` and `marathon`); it
// follows Marathon's deployments and health events to tell when a release is in production.

extension JenkinsPipeline: Subsystem, SignalSubscriber {
    public static let entry = SubsystemEntry(name: "jenkins", section: "jenkins", outputs: JenkinsPipeline.outputs) { model in
        guard let spec = model.spec.jenkins, let h = model.subsystem(HarborRegistries.self),
              let m = model.subsystem(MarathonScheduler.self) else { return nil }
        return JenkinsPipeline(spec: spec, model: model, harbor: h, marathon: m)
    }

    public var name: String { "jenkins" }

    public func register(in sim: Simulation) { target = sim.register(self) }

    public func subscribe(to signals: PlatformSignals) {
        signals.subscribe(self, to: .deployments)
        signals.subscribe(self, to: .health)
        signals.subscribe(self, to: .hosts)
    }

    public func receive(_ signal: PlatformSignal) {
        switch signal {
        case .deploymentSuccess(let d): deploymentSucceeded(d)
        case .healthStatusChanged(let app, let task, true) where app < tracked.count && tracked[app]:
            if healthyAt[task] == nil { healthyAt[task] = now }
        case .hostDown(let h, let rebooting) where h == host: hostDown(rebooting: rebooting)
        case .hostUp(let h) where h == host: hostUp()
        default: break
        }
    }
}
