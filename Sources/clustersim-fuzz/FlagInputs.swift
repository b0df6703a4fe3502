import Foundation
import Scenario

// Deployed flag inputs (`flags-OP`, inputs 16k+6): a scenario whose Mesos masters, agents and
// Marathon read their flags from `flagsFrom` sources (docs/scenarios.md "Flags as deployed"): an
// environment file, a flag folder and a command line. One of them is changed: as text by the
// operations of Strings.swift (OP taken in turn), or, half of the time, by the shell's and the flag
// parsers' own syntax: quotes, `$`, `${`, `$(`, backquotes, backslashes, operators, `--no-`, `=`,
// `--`, a flag repeated many times, a folder file with a strange name, `file://` and `/` values.
// The agents' list has a `root` (the deployed machine's /) whose files (a modules JSON, attributes)
// the flags read with `file://`; one of them is the changed file one time in five. Our own files,
// in the style of the Mesosphere packages' /etc/default and /etc/mesos-slave.

enum FlagInputs {
    static let kinds = TextMutator.ops.map { "flags-" + $0 }

    static let environmentFiles: [String] = [
        """
        # /etc/default/mesos-slave
        LOGS=/var/log/mesos
        ULIMIT="-n 8192"
        MASTER=`cat /etc/mesos/zk`
        export MESOS_GC_DELAY=2days
        MESOS_ATTRIBUTES=file:///etc/mesos/attributes
        MESOS_DOCKER_REMOVE_DELAY=1hrs
        MESOS_executor_registration_timeout='5mins'
        ISOLATION="posix/cpu,posix/mem"
        """,
        """
        MESOS_CONTAINERIZERS=docker,mesos
        MESOS_WORK_DIR="/var/lib/mesos"
        MESOS_HOSTNAME_LOOKUP=false
        MESOS_RESOURCES="cpus:6;mem:8192;ports:[31000-32000]"
        A=1
        MESOS_ATTRIBUTES="rack:r${A};zone:a"
        if [ -f /etc/x ]; then . /etc/x; fi
        """,
    ]

    static let marathonEnvironment = """
    MARATHON_MASTER=zk://zk1:2181,zk2:2181/mesos
    MARATHON_TASK_LAUNCH_TIMEOUT=600000
    MARATHON_DECLINE_OFFER_DURATION=5000
    MARATHON_APP_LABEL=x
    """

    static let commandLines: [String] = [
        "/usr/sbin/mesos-agent --work_dir=/var/lib/mesos \\\n  --containerizers=docker,mesos --executor_shutdown_grace_period=10secs --no-switch_user \\\n  --modules=file:///etc/mesos/modules.json --container_logger=org_apache_mesos_LogrotateContainerLogger",
        "mesos-agent --gc_delay=3days --port=5052 --attributes='rack:r1;zone:a' -- --ignored",
    ]

    static let folderFiles: [(String, String)] = [
        ("executor_registration_timeout", "2mins\n"), ("?enforce_container_disk_quota", ""), ("gc_disk_headroom", "0.2\n"),
        ("resources/cpus", "6\n"), ("docker_remove_delay", "30mins\n"),
    ]

    /// The deployed machine's files under the root `machine/`.
    static let machineFiles: [(String, String)] = [
        ("etc/mesos/modules.json", """
        {
          "libraries": [
            {
              "file": "/usr/lib/mesos/modules/liblogrotate_container_logger.so",
              "modules": [
                {
                  "name": "org_apache_mesos_LogrotateContainerLogger",
                  "parameters": [
                    {"key": "max_stderr_size", "value": "5MB"},
                    {"key": "logrotate_stderr_options", "value": "rotate 9\\ncompress"},
                    {"key": "logrotate_path", "value": "/usr/sbin/logrotate"}
                  ]
                }
              ]
            }
          ]
        }

        """),
        ("etc/mesos/attributes", "rack:r1;zone:a\n"),
    ]

    static let tokens = ["'", "\"", "`", "$", "${", "${A", "$(", "$(hostname)", "\\", "\\\n", "\n", " ", "\t", "#", ";", "|", "&&", ">", "<", "(", ")",
                         "--", "--no-", "--no-gc_delay", "=", "==", "export ", "?", "MESOS_", "MESOS_GC_DELAY=", "MARATHON_", "1e999", "-1",
                         "99999999999999999999", "0x10", "\u{0}", "\u{FEFF}", "é", "\r\n", "true", "yes", "file:///etc/passwd", "--gc_delay=",
                         "file://", "file:///", "file://etc/mesos/attributes", "file:///etc/mesos/attributes", "file:///etc/mesos",
                         "file:///../../etc/mesos/modules.json", "/etc/mesos/modules.json", "--modules=/etc/mesos/modules.json",
                         "--acls=/etc/mesos/modules.json", "--credential=file:///nope", "MESOS_GC_DELAY=file:///etc/mesos/attributes",
                         "--resources=file:///etc/mesos/attributes", "--modules=file:///etc/mesos/attributes"]

    /// Prometheus (kingpin): the Debian unit's command line and its /etc/default/prometheus. On odd
    /// rounds of the operations the command-line target is this one (`prometheusRound`).
    static let prometheusCommandLine = "/usr/bin/prometheus $ARGS --storage.tsdb.retention.time=30d --web.enable-lifecycle --no-storage.tsdb.no-lockfile --query.lookback-delta 10m --enable-feature=exemplar-storage -- "
    static let prometheusEnvironment = "# /etc/default/prometheus\nARGS=\"--config.file=/etc/prometheus/prometheus.yml --storage.tsdb.path=/var/lib/prometheus/metrics2/ --web.listen-address=:9090\"\n"
    static let kingpinTokens = ["--", "--no-", "--no-web.enable-lifecycle", "=", "-h", "-x", "@args", "--web.enable-lifecycle=true", "--cluster.peer=a:1",
                                "--query.lookback-delta", "1.5h", "5e7", "1e400", "512MB", "'", "\"", "$", "${ARGS}", "\\", "\n", " ", "é", "\u{0}"]
    static func prometheusRound(_ i: Int) -> Bool { (i / 16 / TextMutator.ops.count) % 2 == 1 }

    static func scenario(commandLine: String, prometheusCommandLine: String = prometheusCommandLine) -> String {
        """
        {"name": "flags", "seed": 1, "duration": "20m", "sampleInterval": "1m",
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                        {"name": "slave", "count": 3, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
         "mesos": {"masters": {"count": 3, "flagsFrom": [{"environmentFile": "default/mesos-master"}]},
                   "agents": {"flagsFrom": [{"root": "machine"}, {"environmentFile": "default/mesos-slave"}, {"folder": "etc/mesos-slave"},
                                            {"commandLine": \(JSONValue.quote(commandLine))}]}},
         "prometheus": {"flagsFrom": [{"environmentFile": "default/prometheus"}, {"commandLine": \(JSONValue.quote(prometheusCommandLine))}]},
         "marathon": {"flagsFrom": [{"environmentFile": "default/marathon"}],
                      "apps": [{"id": "/web", "instances": 2, "cpus": 0.5, "mem": 128, "cmd": "serve"}]},
         "faults": [{"at": "5m", "kind": "hostCrash", "host": "slave-02", "recoverAfter": "5m"}]}
        """
    }

    static func input(_ i: Int, _ r: inout SplitMix) -> FuzzInput {
        let op = (i / 16) % TextMutator.ops.count
        let kind = kinds[op]
        var env = r.pick(environmentFiles), cmd = r.pick(commandLines), marathon = marathonEnvironment
        var promCmd = prometheusCommandLine
        let prometheus = prometheusRound(i)
        var folder = folderFiles, machine = machineFiles
        let target = r.below(5)   // 0 agent env, 1 command line, 2 marathon env, 3 a folder file, 4 a file of the root
        let fileIndex = r.below(target == 4 ? machine.count : folder.count)
        var text: String
        switch target {
        case 0: text = env
        case 1: text = prometheus ? promCmd : cmd
        case 2: text = marathon
        case 3: text = folder[fileIndex].1
        default: text = machine[fileIndex].1
        }
        var note: String
        if r.chance(0.5) {
            (text, note) = TextMutator.apply(op, text, &r)
        } else {
            var s = Array(text.unicodeScalars)
            switch r.below(3) {
            case 0:
                note = "\(TextMutator.insertTokens(&s, prometheus && target == 1 ? kingpinTokens : tokens, &r)) shell or flag tokens inserted"
            case 1:
                let n = r.pick([2, 10, 1000, 50_000])
                let unit = r.pick([" --gc_delay=1days", "\nMESOS_GC_DELAY=1days", " --a=b", "\nA=$A$A", " \"", " $A"])
                s += Array(String(repeating: unit, count: n).unicodeScalars)
                note = "\(JSONValue.quote(unit)) x \(n) at the end"
            default:
                // a folder file of a strange name (the name is the flag)
                let name = r.pick(["?", "??x", "?no-", "no-gc_delay", "GC_DELAY", "gc_delay=1", "-", " ", "a\nb", String(repeating: "x", count: 255)])
                folder.append((name, text))
                note = "folder file \(JSONValue.quote(name))"
            }
            var v = String.UnicodeScalarView(); v.append(contentsOf: s); text = String(v)
        }
        switch target {
        case 0: env = text
        case 1: if prometheus { promCmd = text } else { cmd = text }
        case 2: marathon = text
        case 3: folder[fileIndex].1 = text
        default: machine[fileIndex].1 = text
        }
        var files = [ScratchFile(path: "default/mesos-slave", content: .text(env)), ScratchFile(path: "default/mesos-master", content: .text("PORT=5050\nMESOS_QUORUM=2\n")),
                     ScratchFile(path: "default/marathon", content: .text(marathon)), ScratchFile(path: "default/prometheus", content: .text(prometheusEnvironment))]
        for (name, content) in folder { files.append(ScratchFile(path: "etc/mesos-slave/" + name, content: .text(content))) }
        for (name, content) in machine { files.append(ScratchFile(path: "machine/" + name, content: .text(content))) }
        return FuzzInput(kind: kind, text: scenario(commandLine: cmd, prometheusCommandLine: promCmd), files: files,
                         desc: "flags: \(kind) \((target == 4 ? "root file \(machine[fileIndex].0)" : ["agent environment", prometheus ? "prometheus command line" : "command line", "marathon environment", "folder file"][target])): \(note)")
    }
}
