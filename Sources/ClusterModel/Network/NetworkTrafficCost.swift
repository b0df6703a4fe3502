import SimKernel

// What the container network costs the platform's request traffic (docs/network.md, "The cost of
// the platform's traffic"): built when a scenario has both a `network` and a `traffic` section.
// Each request a service serves crosses the container network twice, the request from the proxy
// (nginx or HAProxy, host networking) to the app's instance and the response back, in the mode the
// app's container network maps to (`NetworkSpec.mode(for:)`). The datapath prices each message as
// `exchange` does (ClusterNetwork.messageCPU, oneWayLatency): per-message work (syscall, stack
// passes, the mode's stages, forwarders) plus the bytes. Priced at the end of the run from the
// requests served, so it costs no events: the request path's own latencies (traffic.csv) do not
// include it.

/// The platform traffic's network cost: network CPU and the round trip added over host networking.
public final class NetworkTrafficCost: Subsystem {
    public static let entry = SubsystemEntry(name: "network-traffic", section: nil, outputs: outputs) { model in
        guard model.spec.traffic != nil, let net = model.subsystem(ClusterNetwork.self),
              let traffic = model.subsystem(TrafficModel.self) else { return nil }
        return NetworkTrafficCost(model: model, network: net, traffic: traffic)
    }

    static let outputs = SubsystemOutputs(
        headline: [
            ("network_traffic_cpu_cores", "mean cores the container network spent on the requests served (request and response between the proxy and the instance, both hosts, summed over hosts)"),
            ("network_cpu_us_per_request", "network CPU per request served, both ends, microseconds of one core (empty without requests)"),
            ("network_added_rtt_us", "round trip the container network adds to a request over host networking, microseconds, mean over the requests served (empty without requests)"),
        ],
        headlineIntro: "With both a `network` and a `traffic` section the headline ends with what the container network costs the requests served (docs/network.md, \"The cost of the platform's traffic\"): priced per request from the datapath model, a request (`network.requestSize`, 800 bytes by default) and a response (`network.responseSize`, 8 KiB) between the proxy or direct client (host networking) and the instance in its app's container network mode; the request path's latencies in traffic.csv do not include it.")

    public var name: String { "network-traffic" }
    unowned let model: ClusterSimulation
    unowned let network: ClusterNetwork
    unowned let traffic: TrafficModel

    init(model: ClusterSimulation, network: ClusterNetwork, traffic: TrafficModel) {
        self.model = model; self.network = network; self.traffic = traffic
    }

    public func register(in sim: Simulation) {}
    public func start() {}

    /// One request's price for an instance in `mode`: CPU seconds at both ends and the round trip,
    /// between two hosts (the first two; the path's own latency cancels out of the added round trip).
    public func perRequest(mode: ContainerNetworkMode) -> (cpuSeconds: Double, roundTrip: SimDuration) {
        let hosts = model.infrastructure.hosts.count
        let proxy = NetworkEndpoint(host: 0, mode: .host), instance = NetworkEndpoint(host: hosts > 1 ? 1 : 0, mode: mode)
        let req = network.spec.requestBytes, resp = network.spec.responseBytes
        let q = network.messageCPU(proxy, instance, bytes: req)
        let r = network.messageCPU(instance, proxy, bytes: resp)
        let rtt = network.oneWayLatency(from: proxy, to: instance, bytes: req) + network.oneWayLatency(from: instance, to: proxy, bytes: resp)
        return (q.a + q.b + r.a + r.b, rtt)
    }

    /// The mode of each traffic service's instances (host networking for an app Marathon does not know).
    func serviceModes() -> [ContainerNetworkMode] {
        let apps = model.spec.marathon?.apps ?? []
        return traffic.spec.services.map { s in
            apps.first { $0.id == s.app }.map { network.spec.mode(for: $0.networkMode.taskNetwork) } ?? .host
        }
    }

    public func headline() -> [HeadlineFigure] {
        let modes = serviceModes()
        let hostRTT = perRequest(mode: .host).roundTrip
        var served = 0.0, cpu = 0.0, added = 0.0
        for (i, mode) in modes.enumerated() where i < traffic.total.count {
            let n = traffic.total[i].served + traffic.window[i].served
            let p = perRequest(mode: mode)
            served += n
            cpu += n * p.cpuSeconds
            added += n * Double((p.roundTrip - hostRTT).nanoseconds) / 1e3
        }
        let seconds = model.sim.now.sinceStart.seconds
        return [
            HeadlineFigure("network_traffic_cpu_cores", .number(seconds > 0 ? cpu / seconds : 0, decimals: 6)),
            HeadlineFigure("network_cpu_us_per_request", served > 0 ? .number(cpu / served * 1e6, decimals: 3) : .none),
            HeadlineFigure("network_added_rtt_us", served > 0 ? .number(added / served, decimals: 3) : .none),
        ]
    }
}
