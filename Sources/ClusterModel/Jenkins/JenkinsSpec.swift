import SimKernel

// The `jenkins` section as plain values: the Jenkins master (its host and executors), the release
// jobs (build, image build, push to Harbor, the Marathon plugin's PUT) and the commits that
// trigger them. Defaults and sources: docs/delivery.md.

public struct JenkinsSpec: Equatable, Sendable {
    /// The host running the Jenkins master and its executors.
    public var host: String
    /// `numExecutors` of the master: builds running at once; the rest wait in the queue.
    public var executors: Int = 2
    /// The quiet period between a commit and its build leaving the queue (commits inside it share a build).
    public var quietPeriod: SimDuration = .seconds(5)
    /// From the Jenkins host's boot until Jenkins takes builds again (its start: plugins, jobs,
    /// queue.xml). A model choice, 60 s.
    public var startupTime: SimDuration = .seconds(60)
    public var jobs: [JenkinsJobSpec]
    public var commits: [JenkinsCommitSpec]
    public init(host: String, jobs: [JenkinsJobSpec], commits: [JenkinsCommitSpec]) {
        self.host = host; self.jobs = jobs; self.commits = commits
    }
}

/// A release job: build, `docker build` on top of a base image, `docker push`, then the
/// Marathon plugin's post-build step (PUT /v2/apps/{id} with the new image).
public struct JenkinsJobSpec: Equatable, Sendable {
    public var name: String
    /// The Marathon app it deploys.
    public var app: String
    /// Harbor repository (`project/name`) of the image it builds; tags are build numbers.
    public var repository: String
    /// The image (`repository:tag` in `harbor.images`) it builds on: its layers are shared.
    public var baseImage: String
    /// Sizes of the layers each build adds on top of the base (new digests every build).
    public var newLayerBytes: [Int64]
    public var buildTime: Distribution
    public var imageBuildTime: Distribution
    /// The plugin's `forceUpdate` (PUT ...?force=true): cancels a deployment in progress.
    public var forceUpdate = false
    /// The first build number (Jenkins' nextBuildNumber).
    public var firstBuildNumber = 1
    /// With one Marathon per data center: the data centers whose Marathon it PUTs to, in order;
    /// nil: every Marathon, in `marathon.datacenters` order.
    public var marathons: [String]? = nil
    public init(name: String, app: String, repository: String, baseImage: String, newLayerBytes: [Int64],
                buildTime: Distribution, imageBuildTime: Distribution) {
        self.name = name; self.app = app; self.repository = repository; self.baseImage = baseImage
        self.newLayerBytes = newLayerBytes; self.buildTime = buildTime; self.imageBuildTime = imageBuildTime
    }
}

/// A push to the job's git repository at a time: the SCM trigger queues a build.
public struct JenkinsCommitSpec: Equatable, Sendable {
    public var at: SimDuration
    public var job: Int
    public init(at: SimDuration, job: Int) { self.at = at; self.job = job }
}
