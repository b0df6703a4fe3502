import Foundation

/// A compiled regular expression with Go's regexp semantics (RE2): leftmost-first submatches, matched
/// by a Pike VM (Thompson's NFA simulation with thread priorities, as Go's regexp/pike.go) over Unicode
/// scalars, so the work is linear in pattern × input whatever the pattern: no user regex can hang the
/// tool. Syntax and refusals: GoRegexpParser. Immutable; safe to share across threads.
public final class GoRegexp: @unchecked Sendable, CustomStringConvertible {
    public let pattern: String
    /// Names of the groups, index 0 (the whole match) included: "" for unnamed groups.
    public let subexpNames: [String]
    public var numSubexp: Int { subexpNames.count - 1 }
    public var description: String { pattern }

    private enum Op: UInt8 { case char, charFold, charClass, any, anyNotNL, split, jmp, save, assert, match }
    private struct Inst {
        var op: Op
        var x: Int32 = 0     // split/jmp target, save slot, class index
        var y: Int32 = 0     // split's second target
        var ch: UInt32 = 0   // char, folded char, assertion kind
    }
    private let prog: [Inst]
    /// Instructions in the compiled program (the VM's work per input scalar is at most twice this).
    var programSize: Int { prog.count }
    private let classes: [GoCharClass]
    /// Starts with \A (or ^ without m): threads start at position 0 only.
    private let anchoredStart: Bool

    /// Go's limit on the compiled program (regexp/syntax: maxSize = 128 MB / 40-byte instructions).
    static let maxProgram = (128 << 20) / 40

    /// `javaNamedGroups`: Java's `(?<name>re)` is a named group too (Go 1.19 refuses it).
    public init(_ pattern: String, javaNamedGroups: Bool = false) throws(GoRegexpError) {
        self.pattern = pattern
        let parsed = try GoRegexpParser.parse(pattern, javaNamedGroups: javaNamedGroups)
        subexpNames = parsed.names
        classes = parsed.classes
        var b = Builder()
        b.emit(Inst(op: .save, x: 0))
        try b.compile(parsed.root, pattern)
        b.emit(Inst(op: .save, x: 1))
        b.emit(Inst(op: .match))
        prog = b.prog
        if case .concat(let ns) = parsed.root, case .assert(.beginText)? = ns.first { anchoredStart = true }
        else if case .assert(.beginText) = parsed.root { anchoredStart = true }
        else { anchoredStart = false }
    }

    /// Compiles `^(?:re)$` as Prometheus 2.42 does for relabel regexes, label matchers and
    /// label_replace (no (?s): `.` does not match a newline).
    public static func anchored(_ re: String) throws(GoRegexpError) -> GoRegexp { try GoRegexp("^(?:" + re + ")$") }

    private struct Builder {
        var prog: [Inst] = []
        mutating func emit(_ i: Inst) { prog.append(i) }
        var pc: Int32 { Int32(prog.count) }

        mutating func compile(_ n: GoRegexpNode, _ pattern: String) throws(GoRegexpError) {
            if prog.count > GoRegexp.maxProgram { throw GoRegexpError(code: GoRegexpError.large, expr: pattern) }
            switch n {
            case .empty: break
            case .literal(let c, let fold): emit(Inst(op: fold ? .charFold : .char, ch: c))
            case .charClass(let k): emit(Inst(op: .charClass, x: Int32(k)))
            case .anyChar: emit(Inst(op: .any))
            case .anyNotNL: emit(Inst(op: .anyNotNL))
            case .assert(let a): emit(Inst(op: .assert, ch: a.rawValue))
            case .capture(let x, let index):
                emit(Inst(op: .save, x: Int32(2 * index)))
                try compile(x, pattern)
                emit(Inst(op: .save, x: Int32(2 * index + 1)))
            case .concat(let xs):
                for x in xs { try compile(x, pattern) }
            case .alternate(let xs):
                // split L1, next; L1: x0; jmp end; next: split L2, ...
                var jumps: [Int] = []
                for (k, x) in xs.enumerated() {
                    if k < xs.count - 1 {
                        let split = prog.count
                        emit(Inst(op: .split))
                        prog[split].x = pc
                        try compile(x, pattern)
                        jumps.append(prog.count)
                        emit(Inst(op: .jmp))
                        prog[split].y = pc
                    } else {
                        try compile(x, pattern)
                    }
                }
                for j in jumps { prog[j].x = pc }
            case .repeated(let x, let min, let max, let greedy):
                // Go's simplify: x{n,m} is n copies then nested optionals; x{n,} is n-1 copies then x+.
                if max == -1 {
                    if min == 0 { try star(x, greedy, pattern) } else {
                        for _ in 0..<(min - 1) { try compile(x, pattern) }
                        try plus(x, greedy, pattern)
                    }
                    return
                }
                if min == 0 && max == 0 { return }
                for _ in 0..<min { try compile(x, pattern) }
                // (x(x(x)?)?)?: skipping one optional skips all the rest
                var exits: [Int] = []
                for _ in 0..<(max - min) {
                    exits.append(prog.count)
                    emit(Inst(op: .split))
                    try compile(x, pattern)
                }
                let end = pc
                for e in exits {
                    if greedy { prog[e].x = Int32(e + 1); prog[e].y = end } else { prog[e].x = end; prog[e].y = Int32(e + 1) }
                }
            }
        }

        /// x*: a loop; when x can match empty, (x+)? (Go's compiler, golang.org/issue/46123).
        mutating func star(_ x: GoRegexpNode, _ greedy: Bool, _ pattern: String) throws(GoRegexpError) {
            if x.nullable {
                let split = prog.count
                emit(Inst(op: .split))
                try plus(x, greedy, pattern)
                if greedy { prog[split].x = Int32(split + 1); prog[split].y = pc } else { prog[split].x = pc; prog[split].y = Int32(split + 1) }
                return
            }
            let split = prog.count
            emit(Inst(op: .split))
            try compile(x, pattern)
            emit(Inst(op: .jmp, x: Int32(split)))
            if greedy { prog[split].x = Int32(split + 1); prog[split].y = pc } else { prog[split].x = pc; prog[split].y = Int32(split + 1) }
        }

        /// x+: x then a split back.
        mutating func plus(_ x: GoRegexpNode, _ greedy: Bool, _ pattern: String) throws(GoRegexpError) {
            let top = pc
            try compile(x, pattern)
            let after = pc + 1
            emit(greedy ? Inst(op: .split, x: top, y: after) : Inst(op: .split, x: after, y: top))
        }
    }

    // MARK: the Pike VM

    /// One run's work lists: a sparse set of pcs per list, with each thread's capture slots.
    private struct Queue {
        var sparse: [Int32]
        var dense: [Int32]
        var caps: [Int]
        var count = 0
        init(_ n: Int, _ ncap: Int) {
            sparse = Array(repeating: 0, count: n); dense = Array(repeating: 0, count: n)
            caps = Array(repeating: -1, count: n * ncap)
        }
        @inline(__always) func contains(_ pc: Int32) -> Bool {
            let k = Int(sparse[Int(pc)])
            return k < count && dense[k] == pc
        }
        @inline(__always) mutating func insert(_ pc: Int32) -> Int {
            sparse[Int(pc)] = Int32(count); dense[count] = pc; count += 1
            return count - 1
        }
    }

    @inline(__always) private static func isWord(_ c: UInt32) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F
    }

    @inline(__always) private func holds(_ kind: UInt32, _ s: [UInt32], _ pos: Int) -> Bool {
        switch GoAssert(rawValue: kind)! {
        case .beginText: return pos == 0
        case .endText: return pos == s.count
        case .beginLine: return pos == 0 || s[pos - 1] == 10
        case .endLine: return pos == s.count || s[pos] == 10
        case .wordBoundary, .noWordBoundary:
            let a = pos > 0 && Self.isWord(s[pos - 1])
            let b = pos < s.count && Self.isWord(s[pos])
            return (a != b) == (kind == GoAssert.wordBoundary.rawValue)
        }
    }

    /// Follows the empty-width instructions from pc at pos (depth-first, in priority order, with an
    /// explicit stack), adding each consuming or matching thread to q with the capture slots in `scratch`.
    private func add(_ q: inout Queue, _ pc0: Int32, _ pos: Int, _ s: [UInt32], _ scratch: inout [Int], _ ncap: Int,
                     _ stack: inout [(pc: Int32, slot: Int, old: Int)], _ steps: inout Int) {
        stack.append((pc0, -1, 0))
        while let e = stack.popLast() {
            if e.slot >= 0 { scratch[e.slot] = e.old; continue }
            var pc = e.pc
            while true {
                if q.contains(pc) { break }
                let k = q.insert(pc)
                steps += 1
                let inst = prog[Int(pc)]
                switch inst.op {
                case .jmp: pc = inst.x; continue
                case .split:
                    stack.append((inst.y, -1, 0))
                    pc = inst.x; continue
                case .save:
                    let slot = Int(inst.x)
                    if slot < ncap {
                        stack.append((0, slot, scratch[slot]))
                        scratch[slot] = pos
                    }
                    pc += 1; continue
                case .assert:
                    if holds(inst.ch, s, pos) { pc += 1; continue }
                default:
                    if ncap > 0 {
                        let base = k * ncap
                        for j in 0..<ncap { q.caps[base + j] = scratch[j] }
                    }
                }
                break
            }
        }
    }

    @inline(__always) private func consumes(_ inst: Inst, _ c: UInt32) -> Bool {
        switch inst.op {
        case .char: return c == inst.ch
        case .charFold: return GoFold.canon(c) == inst.ch
        case .charClass: return classes[Int(inst.x)].matches(c)
        case .any: return true
        case .anyNotNL: return c != 10
        default: return false
        }
    }

    /// The leftmost-first match in s starting the search at `from`: the capture slots (2 per group,
    /// -1 when a group did not take part; ncap 0: only whether it matches), nil when none.
    /// `steps` counts the VM's work (instructions visited).
    func execute(_ s: [UInt32], from: Int = 0, ncap: Int, steps: inout Int) -> [Int]? {
        var runq = Queue(prog.count, ncap)
        var nextq = Queue(prog.count, ncap)
        var scratch = Array(repeating: -1, count: ncap)
        var matchCaps: [Int]? = nil
        var stack: [(pc: Int32, slot: Int, old: Int)] = []
        var pos = from
        while true {
            if runq.count == 0 {
                if matchCaps != nil { break }
                if anchoredStart && pos != 0 { break }
            }
            if matchCaps == nil && (pos == 0 || !anchoredStart) {
                for j in 0..<ncap { scratch[j] = -1 }
                add(&runq, 0, pos, s, &scratch, ncap, &stack, &steps)
            }
            let c: UInt32? = pos < s.count ? s[pos] : nil
            nextq.count = 0
            var j = 0
            while j < runq.count {
                let pc = runq.dense[j]
                let inst = prog[Int(pc)]
                steps += 1
                if inst.op == .match {
                    var m = Array(repeating: -1, count: ncap)
                    let base = j * ncap
                    for t in 0..<ncap { m[t] = runq.caps[base + t] }
                    matchCaps = m
                    if ncap == 0 { return [] }
                    break   // leftmost-first: lower-priority threads are cut off
                }
                if let c, consumes(inst, c) {
                    let base = j * ncap
                    for t in 0..<ncap { scratch[t] = runq.caps[base + t] }
                    add(&nextq, pc + 1, pos + 1, s, &scratch, ncap, &stack, &steps)
                }
                j += 1
            }
            if c == nil { break }
            pos += 1
            swap(&runq, &nextq)
        }
        return matchCaps
    }

    static func scalars(_ s: String) -> [UInt32] { s.unicodeScalars.map(\.value) }

    /// Go's regexp quote (of MustCompile's panic): backquoted when strconv.CanBackquote, else "..." escaped.
    public static func quote(_ s: String) -> String {
        let plain = s.unicodeScalars.allSatisfy { $0 == "\t" || ($0.value >= 0x20 && $0 != "`" && $0.value != 0x7F && $0.value != 0xFEFF) }
        return plain ? "`" + s + "`" : "\"" + LabelSet.escape(s) + "\""
    }

    /// Go's MatchString: whether s contains a match (`GoRegexp.anchored` for a whole-value match).
    public func matches(_ s: String) -> Bool {
        var steps = 0
        return execute(Self.scalars(s), ncap: 0, steps: &steps) != nil
    }

    /// As `matches`, with the VM's work (instructions visited): the tests bound it.
    public func matchesCountingSteps(_ s: String) -> (matched: Bool, steps: Int) {
        var steps = 0
        let m = execute(Self.scalars(s), ncap: 0, steps: &steps) != nil
        return (m, steps)
    }

    /// Go's FindStringSubmatch: the whole match and each group's text (nil: the group did not take part).
    public func submatches(_ s: String) -> [String?]? {
        let u = Self.scalars(s)
        var steps = 0
        guard let m = execute(u, ncap: 2 * subexpNames.count, steps: &steps) else { return nil }
        return (0..<subexpNames.count).map { Self.text(u, m, $0) }
    }

    /// Go's FindStringSubmatchIndex in scalar offsets.
    public func submatchIndex(_ s: String) -> [Int]? {
        var steps = 0
        return execute(Self.scalars(s), ncap: 2 * subexpNames.count, steps: &steps)
    }

    /// Go's FindAllStringSubmatchIndex (scalar offsets): successive non-overlapping matches; an empty
    /// match right after the previous match is skipped.
    public func allSubmatchIndices(_ s: String) -> [[Int]] {
        let u = Self.scalars(s)
        var out: [[Int]] = []
        var pos = 0, prevMatchEnd = -1
        while pos <= u.count {
            var steps = 0
            guard let m = execute(u, from: pos, ncap: 2 * subexpNames.count, steps: &steps) else { break }
            var accept = true
            if m[1] == pos {
                if m[0] == prevMatchEnd { accept = false }
                pos += 1
            } else {
                pos = m[1]
            }
            prevMatchEnd = m[1]
            if accept { out.append(m) }
        }
        return out
    }

    static func text(_ u: [UInt32], _ m: [Int], _ group: Int) -> String? {
        guard 2 * group + 1 < m.count, m[2 * group] >= 0 else { return nil }
        return string(u[m[2 * group]..<m[2 * group + 1]])
    }

    static func string(_ u: ArraySlice<UInt32>) -> String {
        var out = String.UnicodeScalarView()
        for c in u { out.append(Unicode.Scalar(c)!) }
        return String(out)
    }

    /// Go's Regexp.Expand: `$1`, `${1}`, `$name`, `${name}` (a name is the longest run of letters,
    /// digits and `_`: `$1x` is the group named "1x"), `$$` is a dollar; a malformed `$` is kept; a
    /// group that is absent or did not take part expands to nothing.
    public func expand(_ template: String, _ src: [UInt32], _ match: [Int]) -> String {
        expand(template) { Self.text(src, match, $0) }
    }

    /// `expand` with the groups' texts of a match (FindStringSubmatch's result).
    public func expand(_ template: String, groups: [String?]) -> String {
        expand(template) { $0 < groups.count ? groups[$0] : nil }
    }

    func expand(_ template: String, group: (Int) -> String?) -> String {
        var out = String.UnicodeScalarView()
        let t = Array(template.unicodeScalars)
        var i = 0
        func isNameChar(_ c: Unicode.Scalar) -> Bool {
            if c == "_" { return true }
            switch c.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber: return true
            default: return false
            }
        }
        while i < t.count {
            let c = t[i]
            guard c == "$" else { out.append(c); i += 1; continue }
            i += 1
            if i < t.count, t[i] == "$" { out.append("$"); i += 1; continue }
            // extract
            var k = i
            let brace = k < t.count && t[k] == "{"
            if brace { k += 1 }
            let nameStart = k
            while k < t.count, isNameChar(t[k]) { k += 1 }
            var ok = k > nameStart
            let nameScalars = t[nameStart..<k]
            if ok && brace {
                if k < t.count, t[k] == "}" { k += 1 } else { ok = false }
            }
            guard ok else { out.append("$"); continue }
            i = k
            var name = String.UnicodeScalarView()
            name.append(contentsOf: nameScalars)
            var num = 0
            for d in nameScalars {
                guard d.isASCII, ("0"..."9").contains(d), num < 100_000_000 else { num = -1; break }
                num = num * 10 + Int(d.value - 0x30)
            }
            if nameScalars.first == "0" && nameScalars.count > 1 { num = -1 }
            if num >= 0 {
                if let g = group(num) { out.append(contentsOf: g.unicodeScalars) }
            } else {
                let n = String(name)
                for (gi, gn) in subexpNames.enumerated() where gn == n {
                    if let g = group(gi) { out.append(contentsOf: g.unicodeScalars); break }
                }
            }
        }
        return String(out)
    }

    /// Go's ReplaceAllString: every non-overlapping match replaced by the template expanded (an empty
    /// match right after a previous match is not replaced; the search advances at least one character).
    public func replaceAll(_ src: String, _ template: String) -> String {
        let u = Self.scalars(src)
        var out = String.UnicodeScalarView()
        var lastMatchEnd = 0
        var searchPos = 0
        let ncap = 2 * subexpNames.count
        while searchPos <= u.count {
            var steps = 0
            guard let a = execute(u, from: searchPos, ncap: ncap, steps: &steps) else { break }
            for c in u[lastMatchEnd..<a[0]] { out.append(Unicode.Scalar(c)!) }
            if a[1] > lastMatchEnd || a[0] == 0 {
                out.append(contentsOf: expand(template, u, a).unicodeScalars)
            }
            lastMatchEnd = a[1]
            if searchPos + 1 > a[1] { searchPos += 1 } else { searchPos = a[1] }
        }
        for c in u[lastMatchEnd...] { out.append(Unicode.Scalar(c)!) }
        return String(out)
    }
}

extension GoRegexp {
    private static let cacheLock = NSLock()
    nonisolated(unsafe) private static var cache: [String: Result<GoRegexpMemo, GoRegexpError>] = [:]

    /// The compiled pattern with its memo, shared by every caller that compiles the same text (PromQL
    /// label_replace and templates' reReplaceAll compile at every evaluation in the real tools).
    public static func cached(_ pattern: String) throws(GoRegexpError) -> GoRegexpMemo {
        cacheLock.lock()
        let hit = cache[pattern]
        cacheLock.unlock()
        let r: Result<GoRegexpMemo, GoRegexpError>
        if let hit { r = hit } else {
            do throws(GoRegexpError) { r = .success(GoRegexpMemo(try GoRegexp(pattern))) } catch { r = .failure(error) }
            cacheLock.lock()
            if cache.count >= 1024 { cache.removeAll(keepingCapacity: true) }
            cache[pattern] = r
            cacheLock.unlock()
        }
        return try r.get()
    }
}

/// A whole-value matcher (`^(?:re)$`) with its results memoised per value: label matchers and relabel
/// rules see the same few label values at every evaluation. Thread-safe (a lock around the memo).
public final class GoRegexpMemo: @unchecked Sendable {
    public let regexp: GoRegexp
    private let lock = NSLock()
    private var matched: [String: Bool] = [:]
    private var groups: [String: [String?]?] = [:]
    /// Past this many values a memo starts again (label values of a long run are not bounded).
    static let limit = 4096

    public init(_ regexp: GoRegexp) { self.regexp = regexp }

    public func matches(_ s: String) -> Bool { memoised(\.matched, s) { regexp.matches(s) } }

    public func submatches(_ s: String) -> [String?]? { memoised(\.groups, s) { regexp.submatches(s) } }

    private func memoised<T>(_ table: ReferenceWritableKeyPath<GoRegexpMemo, [String: T]>, _ s: String, _ compute: () -> T) -> T {
        lock.lock()
        if let hit = self[keyPath: table][s] { lock.unlock(); return hit }
        lock.unlock()
        let r = compute()
        lock.lock()
        if self[keyPath: table].count >= Self.limit { self[keyPath: table].removeAll(keepingCapacity: true) }
        self[keyPath: table][s] = r
        lock.unlock()
        return r
    }
}
