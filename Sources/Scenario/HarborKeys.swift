import ClusterModel

// Declared keys of `harbor` and `jenkins` (docs/delivery.md; see ScenarioKeys.swift).
extension ScenarioSchema {
    static let harborKeys = SectionKeys(#"harbor"#, [
        KeySpec(#"domain"#, #"string"#, default: #"required"#, allowed: #"A host name (no `/`)."#,
                meaning: #"The registry name in image names (`<domain>/project/repo:tag`): every data center's DNS resolves it to its own registry, so agents pull from the local Harbor. `<registry>.<domain>` names one registry."#),
        KeySpec(#"registries"#, #"array"#, default: #"required"#, allowed: #"At least one; see `harbor.registries[i]`."#,
                meaning: #"One Harbor per data center: the data center is its host's."#),
        KeySpec(#"pushRegistry"#, #"string"#, default: #"the first registry"#, allowed: #"A registry name."#,
                meaning: #"The registry that accepts pushes (the office's); the others are filled by replication."#),
        KeySpec(#"layers"#, #"array"#, default: #"`[]`"#, allowed: #"See `harbor.layers[i]`; digests unique."#,
                meaning: #"Blobs, shared by digest between images and cached per Docker host."#),
        KeySpec(#"images"#, #"array"#, default: #"`[]`"#, allowed: #"See `harbor.images[i]`."#,
                meaning: #"Images the registries hold at the start."#),
        KeySpec(#"policies"#, #"array"#, default: #"`[]`"#, allowed: #"See `harbor.policies[i]`."#,
                meaning: #"Replication policies."#),
        KeySpec(#"policiesFrom"#, #"array"#, default: #"`[]`"#, allowed: #"See `harbor.policiesFrom[i]`."#,
                meaning: #"Replication policies as a Harbor's API lists them (`GET /api/v2.0/replication/policies`), read as Harbor reads a policy it is given; they come after `policies`. See "Policies as Harbor's API lists them" above."#,
                source: #"goharbor/harbor v2.9.0-v2.14.0 src/server/v2.0/handler/replication.go CreateReplicationPolicy; src/controller/replication/model/model.go Policy.Validate"#),
        KeySpec(#"blobRetries"#, #"integer"#, default: #"`5`"#, allowed: #"1 to 100."#,
                meaning: #"Attempts of one blob copy before the replication task fails."#,
                source: #"goharbor/harbor:src/controller/replication/transfer/image/transfer.go (COPY_BLOB_RETRY_COUNT, default 5)"#),
        KeySpec(#"blobRetryBackoff"#, #"duration"#, default: #"`"2s"`"#, allowed: #"> 0, at most 24h."#,
                meaning: #"Wait before the second attempt; it doubles after each."#,
                source: #"goharbor/harbor:src/controller/replication/transfer/image/transfer.go copyBlobWithRetry"#),
        KeySpec(#"jobMaxFails"#, #"integer"#, default: #"`3`"#, allowed: #"1 to 100."#,
                meaning: #"Runs of a replication job before it is dead; between runs gocraft/work's backoff fails⁴ + 15 + rand(30)·(fails+1) s."#,
                source: #"goharbor/harbor:src/jobservice/job/impl/replication/replication.go MaxFails; gocraft/work worker.go defaultBackoffCalculator"#),
        KeySpec(#"blobFailureProbability"#, #"number"#, default: #"`0`"#, allowed: #"0 to 1."#,
                meaning: #"Probability that one blob copy attempt is reset part way (the bytes sent so far are lost). With `copy_by_chunk` each chunk is reset with the probability that gives its blob the same chance (the same resets per byte); a reset chunk loses only its own bytes."#, source: #"model input"#),
        KeySpec(#"chunkSize"#, #"size"#, default: #"`"10MiB"`"#, allowed: #"> 0."#,
                meaning: #"Chunk of a `copy_by_chunk` copy: blobs larger than it go as PATCHes of this many bytes (the last one a PUT); smaller ones as one PUT."#,
                source: #"goharbor/harbor:src/controller/replication/transfer/image/transfer.go (REPLICATION_CHUNK_SIZE, defaultChunkSize 10 * 1024 * 1024)"#),
        KeySpec(#"chunkRetries"#, #"integer"#, default: #"`5`"#, allowed: #"1 to 100."#,
                meaning: #"Attempts of one chunked blob copy (each resumes after the last chunk the destination holds), `blobRetryBackoff` doubling between them."#,
                source: #"goharbor/harbor:src/controller/replication/transfer/image/transfer.go (COPY_CHUNK_RETRY_COUNT, default 5; copyChunkWithRetry)"#),
        KeySpec(#"startTime"#, #"string"#, default: #"`"2017-01-01T00:00:00Z"`"#, allowed: #"RFC 3339 UTC time between 1970 and 2200."#,
                meaning: #"The calendar time of the run's start: cron triggers fire on it (in UTC)."#, source: #"model input (as `chronos.startTime`)"#),
        KeySpec(#"deletions"#, #"array"#, default: #"`[]`"#, allowed: #"See `harbor.deletions[i]`."#,
                meaning: #"Images deleted from a registry at a time (the UI's or API's DELETE): a delete event there, replicated by policies with `replicate_deletion`."#),
    ])

    static let harborDeletionKeys = SectionKeys(#"harbor.deletions[i]"#, [
        KeySpec(#"at"#, #"duration"#, default: #"required"#, allowed: #">= 0 and <= `duration`."#, meaning: #"When the image is deleted."#),
        KeySpec(#"registry"#, #"string"#, default: #"required"#, allowed: #"A registry name."#, meaning: #"The registry it is deleted from."#),
        KeySpec(#"image"#, #"string"#, default: #"required"#, allowed: #"`project/repository:tag`."#, meaning: #"The image (an image it does not hold at that time: the deletion fails with 404, logged)."#),
    ])

    static let harborRegistryKeys = SectionKeys(#"harbor.registries[i]"#, [
        KeySpec(#"name"#, #"string"#, default: #"required"#, allowed: #"A label; unique."#, meaning: #"The registry's name (`office`, `dc01`)."#),
        KeySpec(#"host"#, #"string"#, default: #"required"#, allowed: #"An existing host name."#,
                meaning: #"The host running its core, registry and jobservice containers (Harbor's installer puts them on one host)."#),
        KeySpec(#"maxJobWorkers"#, #"integer"#, default: #"`10`"#, allowed: #"1 to 10000."#,
                meaning: #"Replication tasks its job service runs at once; the rest wait in its queue."#,
                source: #"goharbor/harbor:make/harbor.yml.tmpl (jobservice.max_job_workers 10)"#),
        KeySpec(#"blobs"#, #"string"#, default: #"`"filesystem"`"#, allowed: #"`"filesystem"` or `"ceph"` (needs `storage.ceph.registry: true`)."#,
                meaning: #"Where its blobs are: on Ceph a pull waits while a PG holding them is below min_size."#),
    ])

    static let harborLayerKeys = SectionKeys(#"harbor.layers[i]"#, [
        KeySpec(#"digest"#, #"string"#, default: #"required"#, allowed: #"Non-empty; unique."#, meaning: #"The blob's digest (`sha256:...`, any text here)."#),
        KeySpec(#"size"#, #"size"#, default: #"required"#, allowed: #"> 0."#, meaning: #"Its compressed size (what is transferred)."#),
    ])

    static let harborImageKeys = SectionKeys(#"harbor.images[i]"#, [
        KeySpec(#"name"#, #"string"#, default: #"required"#, allowed: #"`project/repository:tag`; unique."#, meaning: #"The image, without the domain."#),
        KeySpec(#"layers"#, #"array of strings"#, default: #"required"#, allowed: #"Digests of `harbor.layers`, base first."#, meaning: #"Its layers."#),
        KeySpec(#"in"#, #"array of strings"#, default: #"every registry"#, allowed: #"Registry names."#, meaning: #"The registries that hold it at the start."#),
    ])

    static let harborPolicyKeys = SectionKeys(#"harbor.policies[i]"#, [
        KeySpec(#"name"#, #"string"#, default: #"required"#, allowed: #"Non-empty."#, meaning: #"The policy's name (events.csv)."#),
        KeySpec(#"source"#, #"string"#, default: #"required"#, allowed: #"A registry name."#, meaning: #"The registry whose job service runs the tasks and whose images are copied."#),
        KeySpec(#"destination"#, #"string"#, default: #"required"#, allowed: #"A registry name other than `source`."#, meaning: #"Where images are copied."#),
        KeySpec(#"trigger"#, #"string or object"#, default: #"`"event_based"`"#, allowed: #"`"event_based"` (every push or deletion of a matching image in `source`, replications included) or `"scheduled"`; or Harbor's object, see `harbor.policies[i].trigger`."#,
                meaning: #"What starts an execution."#, source: #"goharbor/harbor:src/pkg/reg/model/policy.go (trigger types)"#),
        KeySpec(#"period"#, #"duration"#, default: #"required for `scheduled` without a cron"#, allowed: #">= 1s, at most 1000000 executions in `duration`; only with `scheduled`, not with `trigger_settings.cron`."#,
                meaning: #"A scheduled trigger as a period from time 0 (the older form; `trigger.trigger_settings.cron` is Harbor's): each execution copies the matching images the destination lacks."#),
        KeySpec(#"filters"#, #"object"#, default: #"every image"#, allowed: #"See `harbor.policies[i].filters`."#, meaning: #"Name and tag filters."#),
        KeySpec(#"enabled"#, #"boolean"#, default: #"`true`"#, allowed: #"`true` or `false`."#, meaning: #"A disabled policy never runs."#,
                source: #"goharbor/harbor:src/pkg/replication/model/model.go"#),
        KeySpec(#"override"#, #"boolean"#, default: #"`true`"#, allowed: #"`true` or `false`."#,
                meaning: #"Copy an image whose name the destination already has (a different digest); `false` skips it."#,
                source: #"goharbor/harbor:src/controller/replication/transfer/image/transfer.go copyArtifact; the UI's default"#),
        KeySpec(#"speed_kb"#, #"integer"#, default: #"`0`"#, allowed: #"0 (unlimited) to 16777215 (Harbor computes speed·128 in int32)."#,
                meaning: #"Bandwidth limit of each task: every blob (or chunk) is read through a token bucket of speed_kb·1024/8 bytes/s with a burst of 1000·1024 bytes (so speed_kb is in Kibit/s)."#,
                source: #"goharbor/harbor:src/lib/reader.go (NewReader, KBRATE 1024/8); src/pkg/replication/model/model.go (Speed, column speed_kb)"#),
        KeySpec(#"copy_by_chunk"#, #"boolean"#, default: #"`false`"#, allowed: #"`true` or `false`."#,
                meaning: #"Copy blobs larger than `harbor.chunkSize` chunk by chunk (POST, PATCH per chunk, PUT of the last); a failed chunk resumes after the last chunk the destination holds instead of the whole blob."#,
                source: #"goharbor/harbor:src/controller/replication/transfer/image/transfer.go copyChunkWithRetry, copyBlobByChunk"#),
        KeySpec(#"replicate_deletion"#, #"boolean"#, default: #"`false`"#, allowed: #"`true` or `false`; only with an event-based trigger."#,
                meaning: #"A deletion of a matching image in `source` creates a deletion task that deletes it at `destination` (a delete event there: chains like copies)."#,
                source: #"goharbor/harbor:src/pkg/replication/model/model.go (ReplicateDeletion); src/controller/event/handler/replication/event/handler.go"#),
    ])

    static let harborPoliciesFromKeys = SectionKeys(#"harbor.policiesFrom[i]"#, [
        KeySpec(#"registry"#, #"string"#, default: #"required"#, allowed: #"A registry name."#,
                meaning: #"The Harbor the policies were listed from: the local side of each (its job service runs push-based policies' tasks, and pull-based ones' too)."#),
        KeySpec(#"file"#, #"string"#, default: #"required"#, allowed: #"A path relative to the scenario, inside its folder: a JSON array of ReplicationPolicy objects, or one."#,
                meaning: #"The body of that Harbor's `GET /api/v2.0/replication/policies` (or `.../policies/{id}`)."#),
    ])

    static let harborTriggerKeys = SectionKeys(#"harbor.policies[i].trigger"#, [
        KeySpec(#"type"#, #"string"#, default: #"required"#, allowed: #"`"event_based"` or `"scheduled"`."#, meaning: #"The trigger's type, as in Harbor's policy JSON."#,
                source: #"goharbor/harbor:src/pkg/reg/model/policy.go (Trigger)"#),
        KeySpec(#"trigger_settings"#, #"object"#, default: #"none"#, allowed: #"See `harbor.policies[i].trigger.trigger_settings`."#, meaning: #"The schedule of a scheduled trigger."#),
    ])

    static let harborTriggerSettingsKeys = SectionKeys(#"harbor.policies[i].trigger.trigger_settings"#, [
        KeySpec(#"cron"#, #"string"#, default: #"required for `scheduled` without `period`"#,
                allowed: #"Six fields `second minute hour day-of-month month day-of-week`, the second `0` (Harbor's replication Policy.Validate: the text up to its first space is `0`); each field `*`, `?`, `N`, `N-M`, `/step`, lists with commas; months 1-12 or JAN-DEC, days of week 0-6 or SUN-SAT. No `@` descriptors, no `TZ=`."#,
                meaning: #"When the policy runs (robfig/cron v3: day of month and day of week both restricted: either matches), in UTC from `harbor.startTime`; each execution copies the matching images the destination lacks."#,
                source: #"goharbor/harbor v2.9.0:src/common/utils/utils.go (CronParser), src/controller/replication/model/model.go (Policy.Validate); robfig/cron v3 parser.go, spec.go"#),
    ])

    static let harborFilterKeys = SectionKeys(#"harbor.policies[i].filters"#, [
        KeySpec(#"name"#, #"string"#, default: #"`"**"`"#, allowed: #"A doublestar pattern of at most 1024 characters: `*` within a path segment, `**` across, `?` one character."#,
                meaning: #"Matches `project/repository`."#, source: #"goharbor/harbor:src/pkg/reg/filter (doublestar.Match)"#),
        KeySpec(#"tag"#, #"string"#, default: #"`"**"`"#, allowed: #"The same patterns."#, meaning: #"Matches the tag."#),
    ])

    static let jenkinsKeys = SectionKeys(#"jenkins"#, [
        KeySpec(#"host"#, #"string"#, default: #"required"#, allowed: #"An existing host name."#, meaning: #"The host of the Jenkins master; builds run on its executors and push from it."#),
        KeySpec(#"executors"#, #"integer"#, default: #"`2`"#, allowed: #"1 to 10000."#, meaning: #"Builds running at once; the others wait in the queue, FIFO, and a job's next build waits until its build in progress is done (a freestyle job does not build concurrently)."#,
                source: #"jenkinsci/jenkins:core/src/main/java/jenkins/model/Jenkins.java (numExecutors = 2)"#),
        KeySpec(#"quietPeriod"#, #"duration"#, default: #"`"5s"`"#, allowed: #">= 0, at most 24h."#,
                meaning: #"Time a triggered build waits in the queue; commits inside it share the build."#,
                source: #"jenkinsci/jenkins:core/src/main/java/jenkins/model/Jenkins.java (getQuietPeriod: 5)"#),
        KeySpec(#"jobs"#, #"array"#, default: #"required"#, allowed: #"At least one; see `jenkins.jobs[i]`."#, meaning: #"Release jobs."#),
        KeySpec(#"commits"#, #"array"#, default: #"`[]`"#, allowed: #"See `jenkins.commits[i]`."#, meaning: #"Pushes to the jobs' repositories."#),
        KeySpec(#"startupTime"#, #"duration"#, default: #"`"60s"`"#, allowed: #">= 0, at most 24h."#,
                meaning: #"After the Jenkins host comes back, the time until Jenkins takes builds again (loading plugins, jobs and queue.xml)."#,
                source: #"model choice (Jenkins' start time depends on its plugins and jobs)"#),
    ])

    static let jenkinsJobKeys = SectionKeys(#"jenkins.jobs[i]"#, [
        KeySpec(#"name"#, #"string"#, default: #"required"#, allowed: #"A label; unique."#, meaning: #"The job's name."#),
        KeySpec(#"app"#, #"string"#, default: #"required"#, allowed: #"A Marathon app with a Docker image."#, meaning: #"The app the Marathon plugin updates (its `id`)."#),
        KeySpec(#"repository"#, #"string"#, default: #"required"#, allowed: #"`project/repository`, no tag."#, meaning: #"Where the image goes; its tag is the build number."#),
        KeySpec(#"baseImage"#, #"string"#, default: #"required"#, allowed: #"An image of `harbor.images`."#, meaning: #"The image its Dockerfile starts FROM: its layers are shared."#),
        KeySpec(#"newLayers"#, #"array of sizes"#, default: #"`[]`"#, allowed: #"Each > 0."#, meaning: #"Layers each build adds on top of the base (new digests every build)."#),
        KeySpec(#"buildTime"#, #"distribution"#, default: #"required"#, allowed: #"Seconds (see Distributions in scenarios.md)."#, meaning: #"Checkout, compile and tests."#),
        KeySpec(#"imageBuildTime"#, #"distribution"#, default: #"required"#, allowed: #"Seconds."#, meaning: #"`docker build`."#),
        KeySpec(#"forceUpdate"#, #"boolean"#, default: #"`false`"#, allowed: #"`true` or `false`."#,
                meaning: #"The plugin's PUT with `?force=true`: cancels a deployment of the app in progress instead of a 409."#,
                source: #"jenkinsci/marathon-plugin:src/main/java/org/jenkinsci/plugins/marathon/MarathonRecorder.java (forceUpdate false)"#),
        KeySpec(#"nextBuildNumber"#, #"integer"#, default: #"`1`"#, allowed: #"1 to 1000000000."#, meaning: #"The first build's number."#),
        KeySpec(#"marathons"#, #"array of strings"#, default: #"every Marathon"#, allowed: #"Data centers of `marathon.datacenters`, unique, at least one; only with `marathon.datacenters`."#,
                meaning: #"With one Marathon per data center: the Marathons the plugin PUTs to, one after the other in this order (one `marathon` step each)."#),
    ])

    static let jenkinsCommitKeys = SectionKeys(#"jenkins.commits[i]"#, [
        KeySpec(#"at"#, #"duration"#, default: #"required"#, allowed: #">= 0 and <= `duration`."#, meaning: #"When the commit is pushed (the SCM trigger fires)."#),
        KeySpec(#"job"#, #"string"#, default: #"required"#, allowed: #"A job name."#, meaning: #"The job it triggers."#),
    ])
}
