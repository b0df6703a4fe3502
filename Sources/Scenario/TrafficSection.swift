import ClusterModel
import SimKernel

// The `traffic` section (docs/traffic.md): the mode, and per service its app, its way in
// (nginx or direct), arrivals, service time and instance queue. Arrival shapes are one-key
// objects like distributions; `arrivals.csv` reads a time,rate file beside the scenario
// (TrafficRates.swift).

extension ScenarioSchema {
    /// Requests a per-request run may expect in all (sum over services of the integral of their
    /// rates): ~2e8 events is a quarter of an hour of wall time; more is what fluid mode is for.
    public static let maxRequestModeRequests = 200_000_000.0
    /// Service x tick steps of a fluid run (100 services at 1 s for a day is 8.6e6).
    public static let maxFluidSteps = 1_000_000_000.0
    /// The highest rate a profile may name: requests per second of one service.
    public static let maxRequestRate = 1e9

    static func decodeTraffic(_ v: JSONValue, path: String, marathon: MarathonSpec?, nginx: NginxSpec?, marathonLB: MarathonLBSpec? = nil, duration: SimDuration?, _ d: Diagnostics) -> TrafficSpec? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: trafficKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        let mode = r.optional("mode", .oneOf(TrafficSpec.Mode.allCases.map(\.rawValue), what: "traffic mode"), default: "request").flatMap(TrafficSpec.Mode.init(rawValue:))
        let tick = r.optional("tick", ValueDecoder<SimDuration>.duration(.positive).check {
            $0 < .milliseconds(1) ? "must be at least 1ms, got \($0)" : nil }, default: .seconds(1))
        if mode != .fluid { r.reject("tick", "\"tick\" is for mode \"fluid\" (per-request mode has no tick)") }
        if let t = tick, let dur = duration, t > dur { d.error(r.keyPath("tick"), at: r.value["tick"], "tick \(t) is longer than the scenario duration \(dur)") }
        var services: [TrafficService] = []
        if let sv = r.value("services") {
            let sp = r.keyPath("services")
            if let a = sv.arrayValue {
                if a.isEmpty { d.error(sp, at: sv, "must not be empty: give at least one service") }
                for (i, e) in a.enumerated() {
                    let p = JSONPath.index(sp, i)
                    guard let s = decodeTrafficService(e, path: p, marathon: marathon, nginx: nginx, marathonLB: marathonLB, d) else { continue }
                    if services.contains(where: { $0.name == s.name }) {
                        d.error(JSONPath.key(p, "name"), at: e["name"], "service \(JSONValue.quote(s.name)) is given twice; names must be unique")
                    } else { services.append(s) }
                }
            } else { d.error(sp, at: sv, typeMismatch("an array of services, like [{\"name\": \"web\", \"app\": \"/web\", \"arrivals\": {\"poisson\": 100}, \"serviceTime\": \"20ms\"}]", sv)) }
        } else {
            _ = r.required("services", ValueDecoder<JSONValue>.json, hint: "the services users call")
        }
        r.finish()
        guard d.errorCount == before, let mode, let tick else { return nil }
        if let dur = duration {
            let end = SimTime.zero + dur
            switch mode {
            case .request:
                let expected = services.reduce(0) { $0 + $1.arrivals.profile.expected(from: .zero, to: end) }
                if expected > maxRequestModeRequests {
                    d.error(r.keyPath("mode"), at: r.value["mode"] ?? v, "per-request mode would simulate about \(Int64(expected)) requests (at most \(Int64(maxRequestModeRequests)) are allowed, each is an event); use \"mode\": \"fluid\" for this much traffic")
                }
            case .fluid:
                let steps = Double(dur.nanoseconds / max(1, tick.nanoseconds)) * Double(services.count)
                if steps > maxFluidSteps {
                    d.error(r.keyPath("tick"), at: r.value["tick"] ?? v, "fluid mode would compute \(Int64(steps)) service-ticks (at most \(Int64(maxFluidSteps))); use a longer tick")
                }
            }
        }
        return d.errorCount == before ? TrafficSpec(mode: mode, tick: tick, services: services) : nil
    }

    static func decodeTrafficService(_ v: JSONValue, path: String, marathon: MarathonSpec?, nginx: NginxSpec?, marathonLB: MarathonLBSpec? = nil, _ d: Diagnostics) -> TrafficService? {
        let r = ObjectReader(v, path: path, diagnostics: d, keys: trafficServiceKeys)
        guard r.isObject else { return nil }
        let before = d.errorCount
        let name = r.required("name", .name(extra: "._-"), hint: "the service's name in traffic.csv")
        let app = r.required("app", .nonEmptyString, hint: "the Marathon app id whose tasks serve it, like \"/shop/web\"")
        if let a = app {
            let ids = marathon?.apps.map(\.id) ?? []
            if marathon == nil {
                // a `marathon` section that did not decode has its own errors: it was also "the
                // scenario has no `marathon` section" here (clustersim-fuzz string-case)
                if d.document?["marathon"] == nil {
                    d.error(r.keyPath("app"), at: r.value["app"], "app \(JSONValue.quote(a)): the scenario has no `marathon` section, so no app serves requests")
                }
            } else if !ids.contains(a) {
                d.error(r.keyPath("app"), at: r.value["app"], "unknown Marathon app \(JSONValue.quote(a))\(Suggest.didYouMean(a, among: ids)); apps: \(ids.prefix(10).map { JSONValue.quote($0) }.joined(separator: ", "))")
            }
        }
        let via = r.optional("via", .oneOf(["nginx", "direct", "marathon-lb"], what: "way in"), default: "nginx")
        var entry = TrafficEntry.direct
        if via == "marathon-lb" {
            entry = decodeMarathonLBEntry(r, marathonLB: marathonLB, d) ?? .direct
            r.reject("path", "\"path\" is for \"via\": \"nginx\" (marathon-lb picks the backend by `frontend`)")
            r.reject("proxy", "\"proxy\" is for \"via\": \"nginx\" (use \"instance\" for one marathon-lb instance)")
        } else {
            r.reject("frontend", "\"frontend\" is for \"via\": \"marathon-lb\"")
            r.reject("instance", "\"instance\" is for \"via\": \"marathon-lb\"")
        }
        if via == "nginx" {
            if nginx == nil { d.error(r.keyPath("via"), at: r.value["via"] ?? v, "\"via\": \"nginx\" (the default) needs an `nginx` section; write \"via\": \"direct\" for clients that call the tasks themselves") }
            let p = r.optional("path", ValueDecoder<String>.string.check { $0.hasPrefix("/") ? nil : "a request path starts with \"/\", got \(JSONValue.quote($0))" }, default: "/")
            let proxy = r.optional("proxy", .int(min: 0, max: 99_999))
            if let p { entry = .nginx(proxy: proxy, path: p) }
        } else if via == "direct" {
            r.reject("path", "\"path\" is for \"via\": \"nginx\" (a direct client calls the tasks' own ports)")
            r.reject("proxy", "\"proxy\" is for \"via\": \"nginx\"")
        }
        let arrivals = r.value("arrivals").flatMap { decodeArrivals($0, path: r.keyPath("arrivals"), d) }
        if !r.has("arrivals") { _ = r.required("arrivals", ValueDecoder<JSONValue>.json, hint: "like {\"poisson\": 100} (requests per second)") }
        let serviceTime = r.required("serviceTime", .distribution(.seconds), hint: "a duration or distribution, like {\"exponential\": {\"mean\": \"20ms\"}}")
        if let st = serviceTime {
            guard let mean = st.mean, mean.isFinite, mean > 0 else {
                d.error(r.keyPath("serviceTime"), at: r.value["serviceTime"], "the service time needs a finite mean > 0 (fluid mode and utilisation use it); got \(st.mean.map { "mean \($0)" } ?? "a distribution without a mean")")
                return nil
            }
        }
        let discipline = r.optional("discipline", .oneOf(["ps", "fifo"], what: "queue discipline"), default: "ps")
        var queue = QueueDiscipline.processorSharing
        if discipline == "fifo" {
            if let c = r.optional("concurrency", .int(min: 1, max: 100_000), default: 1) { queue = .fifo(concurrency: c) }
        } else {
            r.reject("concurrency", "\"concurrency\" is for \"discipline\": \"fifo\" (processor sharing serves every request at once)")
        }
        let timeout = r.optional("timeout", .duration(.positive))
        r.finish()
        guard d.errorCount == before, let name, let app, let arrivals, let serviceTime else { return nil }
        return TrafficService(name: name, app: app, entry: entry, arrivals: arrivals, serviceTime: serviceTime, discipline: queue, timeout: timeout)
    }

    /// `via: marathon-lb`: the frontend and instance (HAProxy names: configuration manual 2.3 allows
    /// letters, digits, '-', '_', '.' and ':').
    static func decodeMarathonLBEntry(_ r: ObjectReader, marathonLB: MarathonLBSpec?, _ d: Diagnostics) -> TrafficEntry? {
        if marathonLB == nil { d.error(r.keyPath("via"), at: r.value["via"], "\"via\": \"marathon-lb\" needs a `marathonLB` section") }
        let fe = r.required("frontend", ValueDecoder<String>.nonEmptyString.check { name in
            name.count > 200 ? "at most 200 characters" :
                name.unicodeScalars.allSatisfy({ ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || "-_.:".unicodeScalars.contains($0) })
                ? nil : "an HAProxy frontend name has only letters, digits, '-', '_', '.' and ':' (configuration manual 2.3), got \(JSONValue.quote(name))"
        }, hint: "the HAProxy frontend, like \"nginx_10000\" (marathon-lb: <app id without / as _>_<servicePort>)")
        let instance = r.optional("instance", .int(min: 0, max: 99_999))
        return fe.map { .marathonLB(frontend: $0, instance: instance) }
    }

    static let arrivalShapes = ["constant", "poisson", "daily", "step", "flashCrowd", "csv"]

    /// `arrivals`: exactly one key naming the shape.
    static func decodeArrivals(_ v: JSONValue, path: String, _ d: Diagnostics) -> ArrivalProcess? {
        guard case .object(let members) = v.kind, members.count == 1 else {
            let got: String
            if case .object(let m) = v.kind { got = "\(m.count) keys" } else { got = typeMismatch("an object", v) }
            d.error(path, at: v, "arrivals are an object with exactly one key, the shape (\(arrivalShapes.joined(separator: ", "))), like {\"poisson\": 100}; got \(got)")
            return nil
        }
        let key = members[0].key, body = members[0].value
        let p = JSONPath.key(path, key)
        let rate = rateDecoder
        switch key {
        case "constant":
            return rate.decode(body, p, d).map { ArrivalProcess.constant($0) }
        case "poisson":
            return rate.decode(body, p, d).map { ArrivalProcess.poisson($0) }
        case "daily":
            guard let pts = decodeRatePoints(body, path: p, d) else { return nil }
            if let last = pts.last, last.at >= .hours(24) {
                d.error(p, at: body, "the points of a daily profile are times of day from 0 to before 24h; got \(last.at)"); return nil
            }
            return ArrivalProcess(profile: RateProfile(points: pts, period: .hours(24)), poisson: true)
        case "step":
            let r = ObjectReader(body, path: p, diagnostics: d, keys: stepKeys)
            guard r.isObject else { return nil }
            let from = r.required("from", rate), to = r.required("to", rate), at = r.required("at", .duration(.nonNegative))
            r.finish()
            guard let from, let to, let at else { return nil }
            return ArrivalProcess(profile: RateProfile(points: [.init(at: .zero, rate: from), .init(at: at, rate: from), .init(at: at, rate: to)]), poisson: true)
        case "flashCrowd":
            let r = ObjectReader(body, path: p, diagnostics: d, keys: flashCrowdKeys)
            guard r.isObject else { return nil }
            let base = r.required("base", rate), peak = r.required("peak", rate), at = r.required("at", .duration(.nonNegative))
            let rise = r.optional("rise", .duration(.nonNegative), default: .minutes(1))
            let hold = r.optional("hold", .duration(.nonNegative), default: .minutes(10))
            let decay = r.optional("decay", .duration(.nonNegative), default: .minutes(10))
            r.finish()
            guard let base, let peak, let at, let rise, let hold, let decay else { return nil }
            return ArrivalProcess(profile: RateProfile(points: [.init(at: .zero, rate: base), .init(at: at, rate: base), .init(at: at + rise, rate: peak),
                                                             .init(at: at + rise + hold, rate: peak), .init(at: at + rise + hold + decay, rate: base)]),
                                  poisson: true)
        case "csv":
            guard let file = ValueDecoder<String>.nonEmptyString.decode(body, p, d) else { return nil }
            return readRateFile(file, value: body, path: p, d).map { ArrivalProcess(profile: RateProfile(points: $0), poisson: true) }
        default:
            d.error(p, location: v.location, "unknown arrival shape \(JSONValue.quote(key))\(Suggest.didYouMean(key, among: arrivalShapes)); shapes: \(arrivalShapes.joined(separator: ", "))")
            return nil
        }
    }

    /// A rate in requests per second: a number from 0 to `maxRequestRate`.
    static var rateDecoder: ValueDecoder<Double> { .number(atLeast: 0, atMost: maxRequestRate) }

    /// `[[time, rate], ...]` with non-decreasing times (two equal times make a step).
    static func decodeRatePoints(_ v: JSONValue, path: String, _ d: Diagnostics) -> [RateProfile.Point]? {
        guard let a = v.arrayValue, !a.isEmpty else {
            d.error(path, at: v, "expected a non-empty array of [time, rate] points, like [[\"0h\", 50], [\"12h\", 400]]"); return nil
        }
        var out: [RateProfile.Point] = []
        let before = d.errorCount
        for (i, e) in a.enumerated() {
            let p = JSONPath.index(path, i)
            guard let pair = e.arrayValue, pair.count == 2 else { d.error(p, at: e, "expected a [time, rate] pair, like [\"6h\", 120]"); continue }
            guard let t = ValueDecoder<SimDuration>.duration(.nonNegative).decode(pair[0], JSONPath.index(p, 0), d),
                  let r = rateDecoder.decode(pair[1], JSONPath.index(p, 1), d) else { continue }
            if let last = out.last, t < last.at {
                d.error(JSONPath.index(p, 0), at: pair[0], "times must not go back: \(t) comes after \(last.at)"); continue
            }
            out.append(.init(at: t, rate: r))
        }
        return d.errorCount == before ? out : nil
    }

    static let trafficKeys = SectionKeys("traffic", [
        KeySpec("mode", "string", default: "`\"request\"`", allowed: "`\"request\"` or `\"fluid\"`",
                meaning: "Per-request (every request an event, exact latencies; at most 2e8 expected requests) or fluid (rates per tick through the same balancing rules and queueing formulas).", source: "model choice: exact by default"),
        KeySpec("tick", "duration", default: "`\"1s\"`", allowed: "fluid mode only; 1ms to the scenario duration",
                meaning: "Step at which fluid mode recomputes rates, peer states and queues.", source: "model choice: nginx counts fail_timeout in whole seconds (ngx_time())"),
        KeySpec("services", "array", default: "required", allowed: "See `traffic.services[i]`; at least one, names unique.",
                meaning: "The services users call."),
    ])

    static let trafficServiceKeys = SectionKeys("traffic.services[i]", [
        KeySpec("name", "string", default: "required", allowed: "letters, digits, `.`, `_`, `-`; at most 63 characters", meaning: "The service's name in traffic.csv."),
        KeySpec("app", "string", default: "required", allowed: "a Marathon app id of the `marathon` section", meaning: "The app whose tasks serve the requests."),
        KeySpec("via", "string", default: "`\"nginx\"`", allowed: "`\"nginx\"` (needs an `nginx` section), `\"direct\"` or `\"marathon-lb\"` (needs a `marathonLB` section)",
                meaning: "nginx: through the proxies (spread evenly) and their upstreams; direct: the client calls the app's running tasks in turn, without retries; marathon-lb: through marathon-lb's HAProxy instances in turn, the frontend `frontend` and its backend.", source: "the seed platform sends user traffic through nginx (issue 10)"),
        KeySpec("frontend", "string", default: "required with `via: marathon-lb`", allowed: "an HAProxy frontend name (letters, digits, `-`, `_`, `.`, `:`), like `\"nginx_10000\"`; via marathon-lb only",
                meaning: "The HAProxy frontend the requests enter (marathon-lb names it `<app id without / as _>_<servicePort>`); a name the running configuration lacks is a refused connection (errors_no_proxy).", source: "marathon-lb config.py HAPROXY_FRONTEND_HEAD (mesosphere/marathon-lb:config.py)"),
        KeySpec("instance", "integer", default: "every instance, in turn", allowed: "0 to 99999: a marathon-lb instance's index; via marathon-lb only",
                meaning: "Send every request to this HAProxy instance; an index past the last instance leaves the service without a way in (errors_no_proxy)."),
        KeySpec("path", "string", default: "`\"/\"`", allowed: "starts with `/`; via nginx only", meaning: "Request path: picks the nginx location (longest prefix).", source: "nginx `location /` matches every path (nginx.org/en/docs/http/ngx_http_core_module.html#location)"),
        KeySpec("proxy", "integer", default: "every proxy", allowed: "0 to 99999: an nginx proxy's index; via nginx only",
                meaning: "Send every request through this proxy instead of spreading them; an index past the last proxy leaves the service without a way in (errors_no_proxy)."),
        KeySpec("arrivals", "object", default: "required", allowed: "one key: `constant`, `poisson` (a rate), `daily` (points), `step`, `flashCrowd`, `csv` (a file); rates 0 to 1e9 per second",
                meaning: "When requests arrive (see the arrival shapes below)."),
        KeySpec("serviceTime", "distribution", default: "required", allowed: "a duration or a distribution with a finite mean > 0 (negative draws count as 0)",
                meaning: "Work of one request at an idle instance."),
        KeySpec("discipline", "string", default: "`\"ps\"`", allowed: "`\"ps\"` (processor sharing) or `\"fifo\"`", meaning: "How an instance serves the requests it holds.", source: "model choice: a threaded server under load is closer to sharing than to one worker"),
        KeySpec("concurrency", "integer", default: "`1`", allowed: "1 to 100000; fifo only", meaning: "Requests a FIFO instance serves at once (its worker pool).", source: "model choice: one worker"),
        KeySpec("timeout", "duration", default: "none (the client waits for nginx's answer)", allowed: "> 0",
                meaning: "The client gives up after this long: the request counts as a timeout.", source: "model choice: browsers and curl have no read timeout of their own"),
    ])

    static let stepKeys = SectionKeys("traffic.services[i].arrivals.step", [
        KeySpec("from", "number", default: "required", allowed: "0 to 1e9", meaning: "Requests per second before `at`."),
        KeySpec("to", "number", default: "required", allowed: "0 to 1e9", meaning: "Requests per second from `at` on."),
        KeySpec("at", "duration", default: "required", allowed: ">= 0", meaning: "When the rate changes."),
    ])

    static let flashCrowdKeys = SectionKeys("traffic.services[i].arrivals.flashCrowd", [
        KeySpec("base", "number", default: "required", allowed: "0 to 1e9", meaning: "Requests per second before and after the crowd."),
        KeySpec("peak", "number", default: "required", allowed: "0 to 1e9", meaning: "Requests per second at the crowd's height."),
        KeySpec("at", "duration", default: "required", allowed: ">= 0", meaning: "When the rise starts."),
        KeySpec("rise", "duration", default: "`\"1m\"`", allowed: ">= 0", meaning: "Linear rise from base to peak.", source: "model choice"),
        KeySpec("hold", "duration", default: "`\"10m\"`", allowed: ">= 0", meaning: "Time at the peak.", source: "model choice"),
        KeySpec("decay", "duration", default: "`\"10m\"`", allowed: ">= 0", meaning: "Linear fall back to base.", source: "model choice"),
    ])
}
