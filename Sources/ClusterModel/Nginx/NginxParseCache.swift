import SimKernel

// consul-template rewrites the whole file at every change, and nginx reads it whole at every
// reload: at scale the simulator spent most of a day's CPU parsing hundreds of upstream blocks
// that had not changed (issue 14). The cache splits the text into its top-level directives (a
// scan of the bytes, no words made), and reads each directive's text once: a directive whose text
// the last parse saw again comes back as it was tokenized then, an `upstream` block as it was
// read then. Parsing is a function of the text, so the configuration is the same as a fresh
// parse's; any error (or a text the split does not handle: an `http { }` wrapper is read whole
// too, only without the per-block memo) goes through the full parse, which reports it with its
// line as before. Only the directives of the last text are kept: memory follows the size of one
// configuration, not the number of reloads.

struct NginxParseCache {
    struct Chunk {
        var directives: [NginxDirective]
        /// The chunk is one `upstream` directive, as `readUpstream` reads it (nil: another directive,
        /// or one that is read in context).
        var upstream: NginxUpstreamBlock?
    }
    private var chunks: [String: Chunk] = [:]
    /// Directives read afresh and taken from the last parse (tests).
    private(set) var misses = 0, hits = 0
    /// false: every text goes through the full parse (the reference).
    var enabled = true
    /// Directives held (those of the last text).
    var held: Int { chunks.count }

    mutating func parse(_ text: String) throws(NginxConfigError) -> NginxConfiguration {
        let bytes = Array(text.utf8)
        guard enabled, let ranges = NginxConfigText.topLevelRanges(bytes) else { return try NginxConfiguration.parse(text) }
        var next: [String: Chunk] = [:]
        next.reserveCapacity(ranges.count)
        var top: [NginxDirective] = [], known: [NginxUpstreamBlock?] = []
        for r in ranges {
            let key = String(decoding: bytes[r], as: UTF8.self)
            let c: Chunk
            if let x = chunks[key] ?? next[key] {
                c = x; hits += 1
            } else {
                guard let ds = try? NginxConfigText.parse(key) else { return try NginxConfiguration.parse(text) }
                var u: NginxUpstreamBlock? = nil
                if ds.count == 1, ds[0].name == "upstream" {
                    var alone = NginxConfiguration(), names: [String: Int] = [:]
                    if (try? alone.readUpstream(ds[0], names: &names)) != nil { u = alone.upstreams.first }
                }
                c = Chunk(directives: ds, upstream: u)
                misses += 1
            }
            next[key] = c
            for d in c.directives {
                top.append(d)
                known.append(c.directives.count == 1 ? c.upstream : nil)
            }
        }
        chunks = next
        do {
            return try NginxConfiguration.build(top, known: known)
        } catch {
            // the errors and their lines as the whole text gives them
            return try NginxConfiguration.parse(text)
        }
    }
}

extension NginxConfigText {
    /// The byte ranges of `bytes`' top-level directives, each from the end of the one before (so
    /// with the blanks and comments before it) to its `;` or closing `}`, scanned as
    /// `Tokens.next` reads them; nil where a parse would fail or could depend on more than its
    /// directive's own text (an unclosed block or quote, a `}` too many, words without an end, a
    /// quoted word followed by another character than a blank, `;` or `{`).
    static func topLevelRanges(_ bytes: [UInt8]) -> [Range<Int>]? {
        var out: [Range<Int>] = []
        var i = 0, depth = 0, start = 0, words = false
        let n = bytes.count
        while true {
            while i < n {
                let c = bytes[i]
                if Tokens.isSpace(c) { i += 1; continue }
                if c == UInt8(ascii: "#") {
                    while i < n && bytes[i] != 10 { i += 1 }
                    continue
                }
                break
            }
            guard i < n else { break }
            let c = bytes[i]
            switch c {
            case UInt8(ascii: ";"):
                i += 1
                if depth == 0 { out.append(start..<i); start = i; words = false }
            case UInt8(ascii: "{"):
                i += 1
                depth += 1
                if depth >= maxDepth { return nil }
            case UInt8(ascii: "}"):
                i += 1
                depth -= 1
                if depth < 0 { return nil }
                if depth == 0 { out.append(start..<i); start = i; words = false }
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                i += 1
                while true {
                    guard i < n else { return nil }
                    let b = bytes[i]
                    if b == c { i += 1; break }
                    if b == UInt8(ascii: "\\"), i + 1 < n { i += 2; continue }
                    i += 1
                }
                if i < n, !Tokens.isSpace(bytes[i]), bytes[i] != UInt8(ascii: ";"), bytes[i] != UInt8(ascii: "{") { return nil }
                if depth == 0 { words = true }
            default:
                while i < n {
                    let b = bytes[i]
                    if Tokens.isSpace(b) || b == UInt8(ascii: ";") || b == UInt8(ascii: "{") || b == UInt8(ascii: "}") { break }
                    i += 1
                }
                if depth == 0 { words = true }
            }
        }
        return depth == 0 && !words ? out : nil
    }
}
