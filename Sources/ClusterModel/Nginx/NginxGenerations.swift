import SimKernel

/// A proxy's configuration generations by number (0, 1, … in load order).
///
/// Generations from `first` on are held one entry each (the running one, pending ones, and with no
/// `keepHistory` every one). `fold(upTo:)` lets go of the generations before a number — nginx will
/// never run them again, so only their locations (the routes of requests still in flight on old
/// workers) and server count are left — and folds consecutive ones with equal locations into one
/// run holding one array. Reloads that do not change the routes (an instance moved: nearly all of
/// them) then add nothing, so memory follows route changes, not reloads (issue 14 item 4: one
/// entry per reload was 56 bytes, 3 MiB over a simulated week of the bench's nginx entry).
struct NginxGenerations {
    /// Generations `first...`, one entry each.
    private(set) var held: [NginxProxies.Generation] = []
    private(set) var first = 0
    /// The let-go generations before `first`, in runs: generations `[previous run's end, end)`
    /// have `config` (its locations and server count only).
    private(set) var runs: [(end: Int, config: NginxConfiguration)] = []

    /// The number the next generation gets.
    var count: Int { first + held.count }
    var isEmpty: Bool { count == 0 }

    /// Runs and held entries (tests: flat in reloads when the routes do not change).
    var entries: Int { runs.count + held.count }

    subscript(_ g: Int) -> NginxProxies.Generation {
        get {
            if g >= first { return held[g - first] }
            return NginxProxies.Generation(text: "", config: runs[run(of: g)].config, upstreams: [], released: true)
        }
        set {
            precondition(g >= first, "nginx: generation \(g) was folded")
            held[g - first] = newValue
        }
    }

    /// Generation `g`'s locations (what a request's route is read from, at every request).
    func locations(_ g: Int) -> [NginxLocation] {
        g >= first ? held[g - first].config.locations : runs[run(of: g)].config.locations
    }

    /// The run holding let-go generation `g` (< first): the first one ending after it.
    private func run(of g: Int) -> Int {
        var lo = 0, hi = runs.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if runs[mid].end > g { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    mutating func append(_ g: NginxProxies.Generation) { held.append(g) }

    /// Starts again from `g` alone (generation 0).
    mutating func reset(_ g: NginxProxies.Generation) {
        held = [g]; first = 0; runs = []
    }

    /// Generations before `n` keep only their locations and server count; `newest` (the
    /// generation that runs from now) lends its locations array when equal, so equal routes are one
    /// array whatever the number of reloads.
    mutating func fold(upTo n: Int, newest: [NginxLocation]) {
        guard n > first else { return }
        for g in first..<n {
            let c = held[g - first].config
            if let last = runs.last, last.config.servers == c.servers, last.config.locations == c.locations {
                runs[runs.count - 1].end = g + 1
                continue
            }
            let locations = c.locations == newest ? newest : c.locations
            runs.append((g + 1, NginxConfiguration(locations: locations, servers: c.servers)))
        }
        held.removeFirst(n - first)
        first = n
    }

    /// Every generation's locations array (tests: how many distinct arrays are held).
    var locationArrays: [[NginxLocation]] { runs.map(\.config.locations) + held.map(\.config.locations) }
}
