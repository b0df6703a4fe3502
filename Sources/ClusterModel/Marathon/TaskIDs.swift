// The Mesos ids Marathon builds for an instance's launch, by version (mesosphere/marathon at the
// release tags). `safePath` is the app id without its leading '/', '/' -> '_' (state/PathId.scala
// `safePath` = path.mkString("_"), the same in every version), so it is one character shorter than
// the id; a UUID (java.util.UUID, time based) is 36 characters.
//
// Apps (core/launcher/impl/InstanceOpFactoryImpl.scala, the app's TaskInfo.task_id; a command or
// Docker task, so no ExecutorInfo and no executor id):
//   1.4.0 - 1.7.x  Task.Id.forRunSpec: safePath + "." + UUID             (core/task/Task.scala @v1.4.0,
//                  @v1.5.0, @v1.6.322, @v1.7.236: LegacyId(runSpecId, ".", uuid))  -> len(safePath) + 37
//   1.8.180+       Task.Id(instanceId) = TaskIdWithIncarnation(instance, None, 1):
//                  safePath + ".instance-" + UUID + "._app" + "." + 1   (core/task/Task.scala
//                  @v1.8.180, @v1.10.17; Instance.Id.idString = safeRunSpecId + "." + "instance-" + uuid,
//                  core/instance/Instance.scala)                         -> len(safePath) + 53
//                  (a failed instance of an app is expunged and a new one scheduled, incarnation 1
//                  again; only resident instances count incarnations up, core/task/Task.scala
//                  `nextIncarnationFor`, which the model does not run.)
// Pods (a task group: one task per container plus the default executor's ExecutorInfo):
//   task ids   Task.Id.forInstanceId: instanceId.idString + "." + container name
//              (1.8.180+: + "." + incarnation 1)                        -> len(safePath) + 47 + len(name) (+2)
//   executor   Instance.Id.executorIdString: "instance-" + safePath + "." + UUID -> len(safePath) + 46,
//              always shorter than the task ids.
// Marathon puts no limit on an id's length (PathId validation: each segment matches
// ID_PATH_SEGMENT_PATTERN, nothing else, state/PathId.scala @v1.4.0 ... @v1.10.17), so an app
// whose id makes these longer than Mesos' 255 characters is accepted and every launch ends
// TASK_ERROR (Mesos/MesosIDs.swift).

extension MarathonVersion {
    /// The length of the longest Mesos id (task or executor) Marathon sets when it launches a
    /// new instance of `app` (above).
    public func mesosIDLength(of app: AppDefinition) -> Int {
        let safePath = app.id.utf8.count - 1
        let incarnation = atLeast(8) ? 2 : 0   // "." + "1"
        if let pod = app.pod {
            let longestName = pod.containers.reduce(0) { max($0, $1.name.utf8.count) }
            return max(safePath + 47 + longestName + incarnation, safePath + 46)
        }
        return atLeast(8) ? safePath + 53 : safePath + 37
    }

    /// The longest app id (with its leading '/') whose launches Mesos accepts.
    public var longestLaunchableAppID: Int { MesosIDRules.maxLength - (atLeast(8) ? 53 : 37) + 1 }
}
