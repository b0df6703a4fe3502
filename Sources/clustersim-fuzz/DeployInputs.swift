import Foundation
import Scenario

// Deployed-file inputs of the other programs (`deploy-OP`, inputs 16k+10): a scenario that reads
// marathon-lb from the Marathon app that runs it and a command line (argparse), Docker's daemon.json
// and dockerd's command line with docker-storage-setup's environment file (pflag), the servers'
// zoo.cfg (java.util.Properties), a Consul agent configuration and Consul's agent as deployed (its
// command line, consul.env and an /etc/consul.d of HCL and JSON files), the Ceph cluster's ceph.conf
// (ConfUtils' line parser). One of them is changed: as text
// by the operations of Strings.swift (OP taken in turn), or, half of the time, with its format's own
// syntax (argparse's `-sH`, `--ma`, `--`; pflag's `-s=`, `--storage-opt`; Properties' `\`, `:`,
// `\u`; JSON's brackets; ceph.conf's `[`, `\`, quotes and comments), or a line repeated many
// times. Our own files, in the style of the real ones.

enum DeployInputs {
    static let kinds = TextMutator.ops.map { "deploy-" + $0 }

    static let marathonLBApp = """
    {"id": "/marathon-lb", "instances": 1, "cpus": 1, "mem": 512,
     "container": {"type": "DOCKER", "docker": {"image": "mesosphere/marathon-lb:v1.11.0", "network": "HOST"}},
     "args": ["sse", "-m", "http://master-01:8080", "--health-check", "--group", "external", "--reload-interval", "5"],
     "env": {"POLL_INTERVAL": "30"}}
    """
    static let marathonLBCommandLine = "/marathon-lb/run poll --group external -sH --max-reload-retries -1 --ssl-certs /etc/ssl/cert.pem"

    static let daemonJSON = """
    {"storage-driver": "devicemapper",
     "log-driver": "json-file", "log-opts": {"max-size": "10m", "max-file": "3"}, "live-restore": true, "tls": {"tlsverify": false}}
    """
    static let dockerStorage = "DOCKER_STORAGE_OPTIONS=\"--storage-opt dm.directlvm_device=/dev/xvdf --storage-opt dm.thinp_percent=90 --storage-opt dm.basesize=20G --storage-opt dm.use_deferred_removal=true --storage-opt dm.fs=xfs --storage-opt dm.min_free_space=5%\"\nOPTIONS='--selinux-enabled -D --max-concurrent-downloads 4'\n"
    static let dockerdCommandLine = "/usr/bin/dockerd-current $OPTIONS $DOCKER_STORAGE_OPTIONS"

    static let zooCfg = """
    tickTime=2000
    initLimit=10
    syncLimit: 5
    dataDir=/var/lib/zookeeper
    clientPort 2181
    maxSessionTimeout=\\
     40000
    server.1=zk1:2888:3888
    server.2=zk2:2888:3888
    server.3=zk3:2888:3888:participant
    """

    static let cephConf = """
    [global]
    fsid = 0c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f
    mon host = 10.0.0.1,10.0.0.2,10.0.0.3
    osd pool default size = 3
    osd pool default min size = 2
    [mon]
    mon osd down out interval = 600   ; ten minutes
    [osd]
    osd max backfills = 2
    osd recovery max active = \\
      3
    osd heartbeat grace = "20"
    osd recovery sleep hdd = 0.1
    [osd.3]
    osd max backfills = 1

    """

    static let consulConfig = """
    {"datacenter": "dc1", "data_dir": "/opt/consul", "server": true, "bootstrap_expect": 3, "retry_join": ["a", "b"],
     "performance": {"raft_multiplier": 1, "rpc_hold_timeout": "7s"}, "dns_config": {"allow_stale": true, "node_ttl": "10s"},
     "acl": {"enabled": true}, "Ports": {"grpc": 8502}}
    """

    static let consulCommandLine = "/usr/bin/consul agent -config-dir=/etc/consul.d/ $CONSUL_FLAGS -ui -retry-join=master-01 -retry-join master-02 --datacenter=dc1"
    static let consulEnv = "# /etc/consul.d/consul.env\nCONSUL_HTTP_ADDR=http://127.0.0.1:8500\nCONSUL_FLAGS='-log-level=info -rejoin'\n"
    static let consulHCL = """
    datacenter = "dc1"
    data_dir   = "/opt/consul"
    server     = true
    bootstrap_expect = 3
    performance {
      raft_multiplier = 2
    }
    dns_config {
      allow_stale = true
      max_stale   = "10s"
    }
    """

    /// The office Harbor's replication policies as its API lists them (harbor.policiesFrom).
    static let harborPolicies = """
    [{"id": 1, "name": "to-dc01", "src_registry": {"id": 0, "name": "Local"}, "dest_registry": {"id": 1, "name": "dc01", "url": "https://dc01.hub.example.com"},
      "trigger": {"type": "scheduled", "trigger_settings": {"cron": "0 */5 * * * *"}},
      "filters": [{"type": "name", "value": "web/**"}, {"type": "tag", "value": "0.*", "decoration": "excludes"}, {"type": "label", "value": []}],
      "deletion": false, "override": true, "enabled": true, "speed": -1, "copy_by_chunk": true},
     {"id": 2, "name": "pull-back", "src_registry": {"id": 1, "name": "dc01"}, "trigger": {"type": "event_based"}, "enabled": true}]
    """

    static let tokens: [[String]] = [
        ["-", "--", "-sH", "-sX", "--ma", "--health", "--group", "=", "--reload-interval=", "-1", "sse", "poll", "--help", "'", "\"", "$", "\n", " ", "é", "\u{0}"],
        ["-s", "-s=", "--storage-opt", "dm.", "=", "--", "-D", "--debug=", "$OPTIONS", "${X}", "'", "\"", "\\", "\n", " ", "99999999999999999999", "\u{0}"],
        ["\\", "\\u", "\\u00", ":", "=", "#", "!", "server.", "server.4=", ":observer", "tickTime=", "\n", " ", "\t", "2s", "-1", "\u{FEFF}"],
        ["{", "}", "[", "]", ",", ":", "\"", "\"dm.", "\"storage-opts\"", "\"server\"", "null", "true", "1e999", "-0", "\\u0000"],
        ["-", "--", "-server", "-bootstrap-expect=", "-bootstrap", "-config-dir=/etc/consul.d", "-config-file=/", "-hcl", "-dev", "agent", "=", "'", "\"",
         "$CONSUL_FLAGS", "{", "}", "[", "]", "\n", " ", "#", "99999999999999999999", "-9223372036854775808", "\u{0}"],
        ["{", "}", "[", "]", ",", ":", "\"", "\"id\": 0", "\"src_registry\"", "\"dest_registry\"", "\"manual\"", "\"scheduled\"", "\"excludes\"",
         "\"0 * * * * *\"", "\"label\"", "null", "true", "-1", "1e999", "\\u0000"],
        ["[", "]", "[osd.", "[global]", "=", "\\", "\"", "#", ";", "osd max backfills = ", "osd-max-backfills", "0", "-1", "1e999", "nan",
         "99999999999999999999", "1K", "\n", " ", "\t", "\u{0}", "é"],
    ]

    static func scenario(commandLine: String, consulCommandLine: String = consulCommandLine) -> String {
        """
        {"name": "deployed", "seed": 1, "duration": "20m", "sampleInterval": "1m",
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                        {"name": "slave", "count": 3, "cpus": 8, "memory": "32GiB", "disk": "500GB"},
                        {"name": "lb", "count": 1, "cpus": 4, "memory": "8GiB", "disk": "100GB"}],
         "zookeeper": {"config": "conf/zoo.cfg"},
         "mesos": {"masters": {"count": 3}, "agents": {"hostGroups": ["slave"]}},
         "marathon": {"apps": [{"id": "/web", "instances": 2, "cpus": 0.5, "mem": 128, "cmd": "serve",
                                "portDefinitions": [{"port": 10080}], "labels": {"HAPROXY_GROUP": "external"}}]},
         "marathonLB": {"instances": [{"hostGroup": "lb"}], "flagsFrom": [{"marathonApp": "apps/marathon-lb.json"}]},
         "consul": {"config": \(consulConfig),
                    "flagsFrom": [{"environmentFile": "consul/consul.env"}, {"commandLine": \(JSONValue.quote(consulCommandLine))}, {"root": "consul/root"}]},
         "harbor": {"domain": "hub.example.com", "registries": [{"name": "office", "host": "master-01"}, {"name": "dc01", "host": "master-02"}],
                    "layers": [{"digest": "sha256:a", "size": "10MB"}], "images": [{"name": "web/shop:1", "layers": ["sha256:a"], "in": ["office"]}],
                    "policiesFrom": [{"registry": "office", "file": "harbor/policies.json"}]},
         "storage": {"hostGroups": [{"hostGroup": "slave", "mode": "direct-lvm", "volumeGroup": "300GB", "daemonConfig": "docker/daemon.json",
                                     "flagsFrom": [{"environmentFile": "sysconfig/docker-storage"}, {"commandLine": \(JSONValue.quote(commandLine))}]}],
                     "ceph": {"osdHostGroup": "master", "osdsPerHost": 2, "stored": "100GB", "config": "ceph/ceph.conf"}},
         "faults": [{"at": "5m", "kind": "hostCrash", "host": "slave-02", "recoverAfter": "5m"}]}
        """
    }

    static func input(_ i: Int, _ r: inout SplitMix) -> FuzzInput {
        let op = (i / 16) % TextMutator.ops.count
        let kind = kinds[op]
        // 0 the marathon-lb app, 1 dockerd's environment file or command line, 2 zoo.cfg, 3 daemon.json,
        // 4 Consul's command line, consul.env or /etc/consul.d/consul.hcl, 5 the Harbor's replication policies,
        // 6 the Ceph cluster's ceph.conf
        let target = r.below(7)
        var app = marathonLBApp, storage = dockerStorage, cmd = dockerdCommandLine, zoo = zooCfg, daemon = daemonJSON, ceph = cephConf
        var consulCmd = consulCommandLine, consulEnvText = consulEnv, consulFile = consulHCL, policies = harborPolicies
        let onCommandLine = target == 1 && r.chance(0.5)
        let consulPart = target == 4 ? r.below(3) : 0
        var text = [app, onCommandLine ? cmd : storage, zoo, daemon, [consulCmd, consulEnvText, consulFile][consulPart], policies, ceph][target]
        if target == 0 && r.chance(0.5) {
            // the marathon-lb command line itself, in the app's cmd
            text = marathonLBCommandLine
        }
        var note: String
        if r.chance(0.5) {
            (text, note) = TextMutator.apply(op, text, &r)
        } else {
            var s = Array(text.unicodeScalars)
            if r.chance(0.7) {
                note = "\(TextMutator.insertTokens(&s, tokens[target], &r)) format tokens inserted"
            } else {
                let n = r.pick([2, 10, 1000, 50_000])
                let unit = r.pick([[" --group g", " -sH", " --"], [" --storage-opt dm.fs=xfs", "\nA=$A$A", " -D"],
                                   ["\nserver.9=z:1:2", "\\\n", "\nx=y"], [", \"dm.basesize=1G\"", "[", "{\"a\":"],
                                   [" -retry-join=x", " -hcl 'a {'", "\nperformance {\n raft_multiplier = 2\n}"],
                                   [", {\"name\": \"p\", \"dest_registry\": {\"id\": 1, \"name\": \"dc01\"}, \"trigger\": {\"type\": \"scheduled\", \"trigger_settings\": {\"cron\": \"0 */1 * * * *\"}}, \"enabled\": true}",
                                    "[", ", {\"type\": \"tag\", \"value\": \"*\"}"],
                                   ["osd max backfills = 3\n", "[osd]\n", "x = \\\n"]][target])
                s += Array(String(repeating: unit, count: n).unicodeScalars)
                note = "\(JSONValue.quote(unit)) x \(n) at the end"
            }
            var v = String.UnicodeScalarView(); v.append(contentsOf: s); text = String(v)
        }
        switch target {
        case 0:
            if text.hasPrefix("{") { app = text }
            else { app = "{\"id\": \"/marathon-lb\", \"cmd\": \(JSONValue.quote(text)), \"env\": {\"POLL_INTERVAL\": \"1m\"}}" }
        case 1: if onCommandLine { cmd = text } else { storage = text }
        case 2: zoo = text
        case 3: daemon = text
        case 4: if consulPart == 0 { consulCmd = text } else if consulPart == 1 { consulEnvText = text } else { consulFile = text }
        case 5: policies = text
        default: ceph = text
        }
        let files = [ScratchFile(path: "apps/marathon-lb.json", content: .text(app)), ScratchFile(path: "sysconfig/docker-storage", content: .text(storage)),
                     ScratchFile(path: "conf/zoo.cfg", content: .text(zoo)), ScratchFile(path: "docker/daemon.json", content: .text(daemon)),
                     ScratchFile(path: "consul/consul.env", content: .text(consulEnvText)),
                     ScratchFile(path: "consul/root/etc/consul.d/consul.hcl", content: .text(consulFile)),
                     ScratchFile(path: "consul/root/etc/consul.d/tls.json", content: .text("{\"verify_incoming\": false, \"ports\": {\"grpc\": 8502}}")),
                     ScratchFile(path: "harbor/policies.json", content: .text(policies)), ScratchFile(path: "ceph/ceph.conf", content: .text(ceph))]
        let what = ["marathon-lb app", onCommandLine ? "dockerd command line" : "docker-storage", "zoo.cfg", "daemon.json",
                    ["consul command line", "consul.env", "consul.hcl"][consulPart], "Harbor policies", "ceph.conf"][target]
        return FuzzInput(kind: kind, text: scenario(commandLine: cmd, consulCommandLine: consulCmd), files: files, desc: "deploy: \(kind) \(what): \(note)")
    }
}
