// The master's validation of the ids a framework sets (apache/mesos src/common/validation.cpp
// `validateID`, called for TaskInfo.task_id by master/validation.cpp `task::internal::validateTaskID`
// and for ExecutorInfo.executor_id by `executor::internal::validateExecutorID`; a failure is a
// TASK_ERROR with reason REASON_TASK_INVALID and the validation's message, master.cpp `_accept`).
// By release (tags of apache/mesos):
//   1.0.x, 1.1.x  the master refuses only ids with control characters, '/' or '\' (TaskID
//                 "'<id>' contains invalid characters"); an id longer than a file name makes the
//                 agent's mkdir of the sandbox fail and the agent abort (commit c229d1b83: "mkdir
//                 will fail and crash the agent").
//   1.2.0         common::validation::validateID: empty, control characters, '/', '\'.
//   1.2.1, 1.3.0+ also longer than NAME_MAX (255 on Linux) -> "ID must not be greater than 255
//                 characters", and exactly "." or ".." (commit c229d1b83, 2017-04-16, backported to
//                 1.2.1 as 60008141e). Unchanged through 1.11.
// The simulator models Mesos 1.4 (docs/mesos.md), so the 1.2.1+ rule applies.

/// Mesos' rule on the length of an id (what the modelled frameworks' ids can break).
public enum MesosIDRules {
    /// NAME_MAX of Linux' <limits.h>: the longest file name, as ids name sandbox directories.
    public static let maxLength = 255

    /// The master's error for an id of `length` characters, nil when it passes.
    public static func lengthProblem(_ length: Int) -> String? {
        length > maxLength ? "ID must not be greater than \(maxLength) characters" : nil
    }
}
