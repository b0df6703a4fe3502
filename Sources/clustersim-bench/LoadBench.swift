// `clustersim-bench load APPS SEED`: what reading and starting a large scenario costs, at APPS/4
// and APPS apps, as CPU µs per app and the ratio between the two sizes (1: linear; a step that
// scans every app per app gives about 4). The scenario holds what made the reader quadratic or
// crash before (docs/benchmarks.md "Reading large scenarios"): apps in groups chained by group
// dependencies (the dependency graph, the deployment's step order), a dependency of each app on an
// id nobody defines (a warning with a "did you mean" among every app id, under the scenario's
// suggestion budget), and a Consul service definition per app (the catalog's names). Loading
// (`ScenarioLoader.load`) and the model's construction with its first simulated minute (Consul's
// catalog, Marathon's initial deployment of APPS steps) are timed apart.
//
// A second scenario of the same sizes holds the large shapes of the other sections that were
// quadratic (docs/benchmarks.md "Large shapes of the other sections (stop 35)"): an Alertmanager
// configuration with a receiver, a route and a time interval per app and a route muting every
// interval, a log volume per app, and a Harbor image per app that the app pulls.

import ClusterModel
import Foundation
import Scenario
import SimKernel

func loadBenchText(apps n: Int, seed: UInt64) -> String {
    func app(_ i: Int) -> String {
        let deps = (i == 0 ? [] : ["\"/g\(i - 1)\""]) + ["\"/g\(i)/b\""]
        return #"{"id": "/g\#(i)/a", "cmd": "x", "cpus": 0.01, "mem": 32, "instances": 0, "portDefinitions": [], "dependencies": [\#(deps.joined(separator: ", "))]}"#
    }
    let services = (0..<n).map { i in #""/g\#(i)/a": {"service": {"name": "s\#(i)", "tags": ["t\#(i % 7)"], "check": {"http": "http://localhost/", "interval": "10s"}}}"# }
    return """
    {"name": "load-bench", "duration": "1m", "seed": \(seed),
     "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                    {"name": "slave", "count": 3, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
     "zookeeper": {"servers": 3}, "mesos": {"masters": {"count": 3}},
     "marathon": {"version": "1.9", "apps": [\((0..<n).map(app).joined(separator: ",\n"))]},
     "consul": {"services": {\(services.joined(separator: ",\n"))}}}
    """
}

func loadShapesText(apps n: Int, seed: UInt64) -> String {
    let apps = (0..<n).map { i in
        #"{"id": "/v/a\#(i)", "cmd": "x", "cpus": 0.01, "mem": 32, "instances": 0, "portDefinitions": [], "container": {"type": "DOCKER", "docker": {"image": "hub.example.com/p/i\#(i):1"}}}"#
    }
    let behaviour = (0..<n).map { #""/v/a\#($0)": {"logs": {"hostVolume": "/var/log/a\#($0)"}}"# }
    let routes = (0..<n).map { #"{"matchers": ["alertname=\"A\#($0)\""], "receiver": "r\#($0)"}"# }
        + [#"{"matchers": ["severity=\"page\""], "mute_time_intervals": [\#((0..<n).map { "\"t\($0)\"" }.joined(separator: ", "))]}"#]
    let receivers = (0..<n).map { #"{"name": "r\#($0)"}"# }
    let intervals = (0..<n).map { #"{"name": "t\#($0)", "time_intervals": [{"weekdays": ["saturday"]}]}"# }
    let images = (0..<n).map { #"{"name": "p/i\#($0):1", "layers": ["sha256:l"]}"# }
    return """
    {"name": "load-bench-shapes", "duration": "1m", "seed": \(seed),
     "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                    {"name": "slave", "count": 3, "cpus": 8, "memory": "32GiB", "disk": "500GB"},
                    {"name": "hub", "count": 2, "cpus": 8, "memory": "32GiB", "disk": "2TB"}],
     "zookeeper": {"servers": 3}, "mesos": {"masters": {"count": 3}},
     "marathon": {"version": "1.9", "apps": [\(apps.joined(separator: ",\n"))], "behaviour": {\(behaviour.joined(separator: ", "))}},
     "storage": {"hostGroups": [{"hostGroup": "slave"}]},
     "harbor": {"domain": "hub.example.com", "registries": [{"name": "r1", "host": "hub-01"}, {"name": "r2", "host": "hub-02"}],
                "layers": [{"digest": "sha256:l", "size": "1MB"}], "images": [\(images.joined(separator: ", "))]},
     "alertmanager": {"hosts": ["master-01"], "config": {"route": {"receiver": "r0", "routes": [\(routes.joined(separator: ", "))]},
                      "receivers": [\(receivers.joined(separator: ", "))], "time_intervals": [\(intervals.joined(separator: ", "))]}}}
    """
}

func runLoad(apps: Int, seed: UInt64) {
    guard apps >= 400 else { fail("load: APPS >= 400") }
    runLoad(apps: apps, seed: seed, tag: "", text: loadBenchText)
    runLoad(apps: apps, seed: seed, tag: "shapes_", text: loadShapesText)
}

func runLoad(apps: Int, seed: UInt64, tag: String, text build: (Int, UInt64) -> String) {
    var perApp: [(load: Double, start: Double)] = []
    for n in [apps / 4, apps] {
        let text = build(n, seed)
        var t0 = processCPUSeconds()
        let loaded: LoadedScenario
        do { loaded = try ScenarioLoader.load(text: text, baseDirectory: NSTemporaryDirectory()) } catch { fail("load: \(error)") }
        let load = processCPUSeconds() - t0
        t0 = processCPUSeconds()
        let model = ClusterSimulation(spec: loaded.spec, observer: CountingObserver(hash: false))
        model.run()
        let start = processCPUSeconds() - t0
        perApp.append((load / Double(n), start / Double(n)))
        print("name=load_\(tag)apps\(n) impl=swift_clustersim apps=\(n) warnings=\(loaded.warnings.count)"
              + " load_s=\(NumberFormat.fixed(load, decimals: 3)) start_s=\(NumberFormat.fixed(start, decimals: 3))"
              + " load_us_per_app=\(NumberFormat.fixed(load / Double(n) * 1e6, decimals: 1))"
              + " start_us_per_app=\(NumberFormat.fixed(start / Double(n) * 1e6, decimals: 1))")
    }
    print("name=load_\(tag)scaling impl=swift_clustersim apps=\(apps / 4),\(apps)"
          + " load_per_app_ratio=\(NumberFormat.fixed(perApp[1].load / max(perApp[0].load, 1e-12), decimals: 2))"
          + " start_per_app_ratio=\(NumberFormat.fixed(perApp[1].start / max(perApp[0].start, 1e-12), decimals: 2)) linear=1 quadratic=4")
}
