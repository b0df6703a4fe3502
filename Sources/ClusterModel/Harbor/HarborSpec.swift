import SimKernel

// The `harbor` section as plain values: registries (one per data center), the images they hold
// as lists of layers, replication policies. Defaults and their sources are in docs/delivery.md.

/// Harbor registries, their images and replication policies.
public struct HarborSpec: Equatable, Sendable {
    /// The registry host name every data center's DNS resolves to its own registry
    /// (`hub.example.com/courseware/web:41` is pulled from the local data center's Harbor).
    public var domain: String
    public var registries: [HarborRegistrySpec]
    /// The registry that accepts pushes (the office's); the others only receive replications.
    public var pushRegistry: Int
    public var layers: [HarborLayer]
    public var images: [HarborImageSpec]
    public var policies: [ReplicationPolicySpec]
    /// Attempts of one blob copy before the replication task fails (COPY_BLOB_RETRY_COUNT, 5),
    /// the first retry after `blobRetryBackoff` (2 s), doubling.
    public var blobRetries: Int = 5
    public var blobRetryBackoff: SimDuration = .seconds(2)
    /// Runs of a replication job before it is dead (the job's MaxFails, 3).
    public var jobMaxFails: Int = 3
    /// Probability that one blob copy attempt fails (a reset connection; model input, 0 by default).
    public var blobFailureProbability: Double = 0
    /// Chunk size of `copy_by_chunk` copies (REPLICATION_CHUNK_SIZE, 10 MiB) and the attempts of
    /// one chunked blob copy (COPY_CHUNK_RETRY_COUNT, 5), 2 s doubling between them.
    public var chunkSize: Int64 = 10 * 1024 * 1024
    public var chunkRetries: Int = 5
    /// The calendar time of simulated time 0 (Unix ms, UTC): cron triggers fire on it.
    public var startMs: Int64 = 1_483_228_800_000
    /// Images deleted from a registry at a time (the UI's or API's DELETE of an artifact).
    public var deletions: [HarborDeletionSpec] = []

    public init(domain: String, registries: [HarborRegistrySpec], pushRegistry: Int = 0, layers: [HarborLayer] = [],
                images: [HarborImageSpec] = [], policies: [ReplicationPolicySpec] = []) {
        self.domain = domain; self.registries = registries; self.pushRegistry = pushRegistry
        self.layers = layers; self.images = images; self.policies = policies
    }

    /// The index of a registry by name.
    public func registry(named n: String) -> Int? { registries.firstIndex { $0.name == n } }
}

/// One Harbor installation (core, registry, job service on one host, as Harbor's installer runs them).
public struct HarborRegistrySpec: Equatable, Sendable {
    public var name: String
    /// The host running its containers (core, registry, jobservice).
    public var host: String
    /// `jobservice.max_job_workers`: replication tasks this registry's job service runs at once.
    public var maxJobWorkers: Int = 10
    /// Blobs in Ceph (the registry's storage driver on a Ceph volume): pulls wait on blocked PGs.
    public var blobsOnCeph = false
    public init(name: String, host: String, maxJobWorkers: Int = 10, blobsOnCeph: Bool = false) {
        self.name = name; self.host = host; self.maxJobWorkers = maxJobWorkers; self.blobsOnCeph = blobsOnCeph
    }
}

/// A blob: digest and size; images share them by digest.
public struct HarborLayer: Equatable, Sendable {
    public var digest: String
    public var sizeBytes: Int64
    public init(digest: String, sizeBytes: Int64) { self.digest = digest; self.sizeBytes = sizeBytes }
}

/// An image (`repository:tag`, the repository's first segment its project) and the registries
/// that hold it at the start.
public struct HarborImageSpec: Equatable, Sendable {
    public var repository: String
    public var tag: String
    /// Indices into `HarborSpec.layers`, base first.
    public var layers: [Int]
    /// Indices of the registries that hold it at time 0.
    public var presentIn: [Int]
    public init(repository: String, tag: String, layers: [Int], presentIn: [Int]) {
        self.repository = repository; self.tag = tag; self.layers = layers; self.presentIn = presentIn
    }
    public var reference: String { repository + ":" + tag }
}

/// A replication rule (Harbor's policy model: source and destination registry, trigger,
/// filters on the repository name and the tag, `enabled`, `override`).
public struct ReplicationPolicySpec: Equatable, Sendable {
    public enum Trigger: Equatable, Sendable {
        /// On every push of a matching image into the source registry.
        case eventBased
        /// Every `period` from time 0 (Harbor's cron, as a period): every matching image the
        /// destination lacks.
        case scheduled(period: SimDuration)
        /// At every firing of Harbor's cron (`trigger_settings.cron`, UTC, from `HarborSpec.startMs`).
        case cron(HarborCron)
        /// Only when started by hand (Harbor's `manual` trigger, or none): never in a run.
        case manual
    }
    /// One of Harbor's filters beyond `nameFilter` and `tagFilter` (the API's `filters` list, applied
    /// one after another: src/pkg/reg/filter repository.go, artifact.go).
    public enum Filter: Equatable, Sendable {
        /// `name`: the repository matches the pattern (an empty pattern matches all).
        case name(String)
        /// `tag`: the tag matches the pattern, or with `excludes` does not (an empty pattern keeps all).
        case tag(String, excludes: Bool)
        /// `label`: images in the simulator carry no labels, so a non-empty list keeps none with
        /// `matches` and all with `excludes` (artifactLabelFilter); an empty one keeps all.
        case labels([String], excludes: Bool)

        func keeps(repository: String, tag: String) -> Bool {
            switch self {
            case .name(let p): return p.isEmpty || Glob.matches(p, repository)
            case .tag(let p, let ex): return p.isEmpty || Glob.matches(p, tag) != ex
            case .labels(let l, let ex): return l.isEmpty || ex
            }
        }
    }
    public var name: String
    public var source: Int
    public var destination: Int
    public var trigger: Trigger
    /// Glob on `project/repository` (`*` within a path segment, `**` across, `?` one character).
    public var nameFilter: String
    /// Glob on the tag.
    public var tagFilter: String
    public var enabled = true
    public var override = true
    /// `speed_kb`: each blob (or chunk) read is rate limited to speed·1024/8 bytes/s (0: unlimited).
    public var speedKb: Int = 0
    /// `copy_by_chunk`: blobs larger than the chunk size go as PATCHes of `chunkSize` bytes.
    public var copyByChunk = false
    /// `replicate_deletion`: a deletion in the source deletes the image at the destination (event-based only).
    public var replicateDeletion = false
    /// Harbor's further filters (a policy from its API); all must keep the image.
    public var filters: [Filter] = []
    /// A pull-based policy (Harbor's `src_registry` is the remote one): the destination's job service
    /// runs its tasks, and no event triggers it (events come from the local Harbor only).
    public var pullBased = false
    /// The registry whose job service runs the tasks.
    public var runner: Int { pullBased ? destination : source }
    public init(name: String, source: Int, destination: Int, trigger: Trigger, nameFilter: String = "**", tagFilter: String = "**",
                enabled: Bool = true, override: Bool = true) {
        self.name = name; self.source = source; self.destination = destination; self.trigger = trigger
        self.nameFilter = nameFilter; self.tagFilter = tagFilter; self.enabled = enabled; self.override = override
    }

    /// Whether the filters match an image (Harbor's doublestar-style name and tag filters).
    public func matches(repository: String, tag: String) -> Bool {
        Glob.matches(nameFilter, repository) && Glob.matches(tagFilter, tag) && filters.allSatisfy { $0.keeps(repository: repository, tag: tag) }
    }
}

/// An image deleted from a registry at a time (a deletion event there).
public struct HarborDeletionSpec: Equatable, Sendable {
    public var at: SimDuration
    /// Index into `HarborSpec.registries`.
    public var registry: Int
    /// `project/repository:tag`.
    public var image: String
    public init(at: SimDuration, registry: Int, image: String) { self.at = at; self.registry = registry; self.image = image }
}

/// Harbor's filter patterns (doublestar: `*` any run without `/`, `**` any run, `?` one character
/// other than `/`).
public enum Glob {
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.utf8), t = Array(text.utf8)
        // memoised recursion over (pattern index, text index); patterns are short
        var memo = [Int8](repeating: -1, count: (p.count + 1) * (t.count + 1))
        func m(_ i: Int, _ j: Int) -> Bool {
            let k = i * (t.count + 1) + j
            if memo[k] >= 0 { return memo[k] == 1 }
            var r: Bool
            if i == p.count { r = j == t.count }
            else if p[i] == UInt8(ascii: "*") {
                let double = i + 1 < p.count && p[i + 1] == UInt8(ascii: "*")
                let next = double ? i + 2 : i + 1
                r = m(next, j)
                var jj = j
                while !r && jj < t.count && (double || t[jj] != UInt8(ascii: "/")) { jj += 1; r = m(next, jj) }
            } else if j < t.count && (p[i] == t[j] || (p[i] == UInt8(ascii: "?") && t[j] != UInt8(ascii: "/"))) {
                r = m(i + 1, j + 1)
            } else { r = false }
            memo[k] = r ? 1 : 0
            return r
        }
        return m(0, 0)
    }
}
