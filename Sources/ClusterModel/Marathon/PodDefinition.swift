import SimKernel

// A Marathon pod (Marathon 1.4+, docs/docs/rest-api/public/api/v2/types/pod.raml) as the simulator
// runs it: one instance is one Mesos task group launched through Mesos' default executor
// (mesos/TaskGroupBuilder.scala), placed on one agent, so the scheduler handles it as one task of
// an internal run spec (an `AppDefinition` with a `pod` marker): its resources are its containers'
// sum plus the executor's (core/pod/PodDefinition.scala `aggregateResources`), it has no service
// ports (marathon-lb reads /v2/apps only), and its host ports are its containers' endpoints.
// docs/marathon.md "Pods".

/// What a pod adds to its run spec: its containers, the executor's resources, its endpoints.
public struct PodInfo: Equatable, Sendable {
    public struct Container: Equatable, Sendable {
        public var name: String
        public var cpus: Double
        public var mem: Double
        public var disk: Double
        public var gpus: Int
        /// image.id (kind DOCKER, run by the Mesos containerizer); nil: the agent's root filesystem.
        public var image: String?
        /// The container's healthCheck (a Mesos-level check run by the default executor), if any.
        public var healthCheck: HealthCheck?
        public init(name: String, cpus: Double = 1, mem: Double = 128, disk: Double = 0, gpus: Int = 0,
                    image: String? = nil, healthCheck: HealthCheck? = nil) {
            self.name = name; self.cpus = cpus; self.mem = mem; self.disk = disk; self.gpus = gpus
            self.image = image; self.healthCheck = healthCheck
        }
    }

    /// executorResources (resources.raml ExecutorResources: cpus 0.1, mem 32, disk 10 by default
    /// and at least).
    public struct ExecutorResources: Equatable, Sendable {
        public var cpus: Double
        public var mem: Double
        public var disk: Double
        public init(cpus: Double = 0.1, mem: Double = 32, disk: Double = 10) { self.cpus = cpus; self.mem = mem; self.disk = disk }
        public static let `default` = ExecutorResources()
    }

    public var containers: [Container]
    public var executor: ExecutorResources
    /// Every container's endpoints in container order, as host ports asked of an offer (hostPort
    /// nil: none; 0: any port of the offer; > 0: that port) and named by the endpoint.
    public var endpoints: [AppPort]

    public init(containers: [Container], executor: ExecutorResources = .default, endpoints: [AppPort] = []) {
        self.containers = containers; self.executor = executor; self.endpoints = endpoints
    }

    /// cpus, mem, disk and gpus of one instance: the containers' sum plus the executor's
    /// (PodDefinition.aggregateResources; the executor has no gpus).
    public var totals: (cpus: Double, mem: Double, disk: Double, gpus: Int) {
        (containers.reduce(executor.cpus) { $0 + $1.cpus }, containers.reduce(executor.mem) { $0 + $1.mem },
         containers.reduce(executor.disk) { $0 + $1.disk }, containers.reduce(0) { $0 + $1.gpus })
    }

    /// The containers' health checks as the one check of the instance's task. Marathon counts an
    /// instance healthy when a running task reports healthy and none reports unhealthy, and
    /// unhealthy as soon as one does (core/instance/Instance.scala `computeHealth`); the default
    /// executor kills the whole task group when one task is killed by its check or fails
    /// (src/launcher/default_executor.cpp `waited`). With every container behaving as the pod's
    /// behaviour block says, the instance turns healthy with the first check to pass and
    /// unhealthy (and is killed) with the first to fail: the earliest delay, the shortest
    /// interval, timeout and grace period, the fewest consecutive failures. nil: no check.
    public var combinedHealthCheck: HealthCheck? {
        let checks = containers.compactMap(\.healthCheck)
        guard var c = checks.first else { return nil }
        for h in checks.dropFirst() {
            c.delay = min(c.delay, h.delay); c.interval = min(c.interval, h.interval); c.timeout = min(c.timeout, h.timeout)
            c.gracePeriod = min(c.gracePeriod, h.gracePeriod); c.maxConsecutiveFailures = min(c.maxConsecutiveFailures, h.maxConsecutiveFailures)
        }
        return c
    }
}

extension AppDefinition {
    /// The run spec of a pod: the scheduler launches, counts, deploys, backs off and replaces its
    /// instances as it does an app's. `labels` are not carried (no subsystem reads a pod's labels:
    /// marathon-lb reads /v2/apps only).
    public static func pod(id: String, instances: Int = 1, pod: PodInfo, networkMode: NetworkMode = .host,
                           constraints: [PlacementConstraint] = [], upgradeStrategy: UpgradeStrategy = .default,
                           unreachableStrategy: UnreachableStrategy? = nil, killSelection: KillSelection = .youngestFirst,
                           backoff: BackoffStrategy? = nil, acceptedResourceRoles: [String]? = nil, role: String? = nil,
                           user: String? = nil, version: MarathonVersion = .baseline) -> AppDefinition {
        let t = pod.totals
        var a = AppDefinition(id: id, group: MarathonPath.parent(id), instances: instances, cpus: t.cpus, mem: t.mem, disk: t.disk,
                              gpus: t.gpus, container: AppContainer(type: .mesos, image: pod.containers.lazy.compactMap(\.image).first),
                              networkMode: networkMode, ports: [], constraints: constraints,
                              healthChecks: pod.combinedHealthCheck.map { [$0] } ?? [], upgradeStrategy: upgradeStrategy,
                              unreachableStrategy: unreachableStrategy, killSelection: killSelection, backoff: backoff,
                              acceptedResourceRoles: acceptedResourceRoles, role: role, user: user, version: version)
        a.pod = pod
        return a
    }

    /// Whether this run spec is a pod.
    public var isPod: Bool { pod != nil }
}
