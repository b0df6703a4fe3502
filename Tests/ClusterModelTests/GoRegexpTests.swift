import XCTest
@testable import ClusterModel

/// The regex engine against Go's regexp: every expectation is what Go's FindAllStringSubmatchIndex
/// gives (regexp/find_test.go's cases, rewritten here, and RE2 semantics: leftmost-first alternation,
/// lazy and greedy repetition, empty matches, anchors, classes, case folding, Unicode). Offsets are
/// in Unicode scalars (Go counts bytes: the same for ASCII text).
final class GoRegexpTests: XCTestCase {
    static let cases: [(String, String, [[Int]])] = [
        // regexp/find_test.go
        ("", "", [[0, 0]]),
        ("^abcdefg", "abcdefg", [[0, 7]]),
        ("a+", "baaab", [[1, 4]]),
        ("abcd..", "abcdef", [[0, 6]]),
        ("a", "a", [[0, 1]]),
        ("x", "y", []),
        ("b", "abc", [[1, 2]]),
        (".", "a", [[0, 1]]),
        (".*", "abcdef", [[0, 6]]),
        ("^", "abcde", [[0, 0]]),
        ("$", "abcde", [[5, 5]]),
        ("^abcd$", "abcd", [[0, 4]]),
        ("^bcd'", "abcdef", []),
        ("^abcd$", "abcde", []),
        ("a*", "baaab", [[0, 0], [1, 4], [5, 5]]),
        ("[a-z]+", "abcd", [[0, 4]]),
        ("[^a-z]+", "ab1234cd", [[2, 6]]),
        (#"[a\-\]z]+"#, "az]-bcz", [[0, 4], [6, 7]]),
        (#"[^\n]+"#, "abcd\n", [[0, 4]]),
        ("[日本語]+", "日本語日本語", [[0, 6]]),
        ("日本語+", "日本語", [[0, 3]]),
        ("日本語+", "日本語語語語", [[0, 6]]),
        ("()", "", [[0, 0, 0, 0]]),
        ("(a)", "a", [[0, 1, 0, 1]]),
        ("(.)(.)", "日a", [[0, 2, 0, 1, 1, 2]]),
        ("(.*)", "", [[0, 0, 0, 0]]),
        ("(.*)", "abcd", [[0, 4, 0, 4]]),
        ("(..)(..)", "abcd", [[0, 4, 0, 2, 2, 4]]),
        ("(([^xyz]*)(d))", "abcd", [[0, 4, 0, 4, 0, 3, 3, 4]]),
        ("((a|b|c)*(d))", "abcd", [[0, 4, 0, 4, 2, 3, 3, 4]]),
        ("(((a|b|c)*)(d))", "abcd", [[0, 4, 0, 4, 0, 3, 2, 3, 3, 4]]),
        (#"\a\f\n\r\t\v"#, "\u{7}\u{c}\n\r\t\u{b}", [[0, 6]]),
        (#"[\a\f\n\r\t\v]+"#, "\u{7}\u{c}\n\r\t\u{b}", [[0, 6]]),
        ("a*(|(b))c*", "ac", [[0, 2, 1, 1, -1, -1]]),
        ("a*(|(b))c*", "abc", [[0, 1, 1, 1, -1, -1], [2, 3, 2, 2, -1, -1]]),
        ("(.*).*", "ab", [[0, 2, 0, 2]]),
        ("[.]", ".", [[0, 1]]),
        ("/$", "/abc/", [[4, 5]]),
        ("/$", "/abc", []),
        (".", "abc", [[0, 1], [1, 2], [2, 3]]),
        ("(.)", "abc", [[0, 1, 0, 1], [1, 2, 1, 2], [2, 3, 2, 3]]),
        (".(.)", "abcd", [[0, 2, 1, 2], [2, 4, 3, 4]]),
        ("ab*", "abbaab", [[0, 3], [3, 4], [4, 6]]),
        ("a(b*)", "abbaab", [[0, 3, 1, 3], [3, 4, 4, 4], [4, 6, 5, 6]]),
        ("ab$", "cab", [[1, 3]]),
        ("axxb$", "axxcb", []),
        ("data", "daXY data", [[5, 9]]),
        ("da(.)a$", "daXY data", [[5, 9, 7, 8]]),
        ("zx+", "zzx", [[1, 3]]),
        ("ab$", "abcab", [[3, 5]]),
        ("(aa)*$", "a", [[1, 1, -1, -1]]),
        ("(?:.|(?:.a))", "", []),
        ("(?:A(?:A|a))", "Aa", [[0, 2]]),
        ("(?:A|(?:A|a))", "a", [[0, 1]]),
        ("(a){0}", "", [[0, 0, -1, -1]]),
        ("(?-s)(?:(?:^).)", "\n", []),
        ("(?s)(?:(?:^).)", "\n", [[0, 1]]),
        ("(?:(?:^).)", "\n", []),
        (#"\b"#, "x", [[0, 0], [1, 1]]),
        (#"\b"#, "xx", [[0, 0], [2, 2]]),
        (#"\b"#, "x y", [[0, 0], [1, 1], [2, 2], [3, 3]]),
        (#"\b"#, "xx yy", [[0, 0], [2, 2], [3, 3], [5, 5]]),
        (#"\B"#, "x", []),
        (#"\B"#, "xx", [[1, 1]]),
        (#"\B"#, "x y", []),
        (#"\B"#, "xx yy", [[1, 1], [4, 4]]),
        ("(|a)*", "aa", [[0, 0, 0, 0], [1, 1, 1, 1], [2, 2, 2, 2]]),
        (#"[^\S\s]"#, "abcd", []),
        (#"[^\S[:space:]]"#, "abcd", []),
        (#"[^\D\d]"#, "abcd", []),
        (#"[^\D[:digit:]]"#, "abcd", []),
        (#"(?i)\W"#, "x", []),
        (#"(?i)\W"#, "k", []),
        (#"(?i)\W"#, "s", []),
        (##"\!\"\#\$\%\&\'\(\)\*\+\,\-\.\/\:\;\<\=\>\?\@\[\\\]\^\_\{\|\}\~"##, ##"!"#$%&'()*+,-./:;<=>?@[\]^_{|}~"##, [[0, 31]]),
        (##"[\!\"\#\$\%\&\'\(\)\*\+\,\-\.\/\:\;\<\=\>\?\@\[\\\]\^\_\{\|\}\~]+"##, ##"!"#$%&'()*+,-./:;<=>?@[\]^_{|}~"##, [[0, 31]]),
        ("\\`", "`", [[0, 1]]),
        ("[\\`]+", "`", [[0, 1]]),
        (".", "qwertyuiopasdfghjklzxcvbnm1234567890", (0..<36).map { [$0, $0 + 1] }),
        // leftmost-first alternation, greedy and lazy repetition
        ("a|ab", "ab", [[0, 1]]),
        ("ab|a", "ab", [[0, 2]]),
        ("(a|ab)(c|bcd)", "abcd", [[0, 4, 0, 1, 1, 4]]),
        ("(a+)(b+)?", "aab", [[0, 3, 0, 2, 2, 3]]),
        ("(a+?)(b*)", "aab", [[0, 1, 0, 1, 1, 1], [1, 3, 1, 2, 2, 3]]),
        ("a*?", "aaa", [[0, 0], [1, 1], [2, 2], [3, 3]]),
        ("a+?", "aaa", [[0, 1], [1, 2], [2, 3]]),
        ("(a*)*", "b", [[0, 0, 0, 0], [1, 1, 1, 1]]),
        ("(a*)+", "b", [[0, 0, 0, 0], [1, 1, 1, 1]]),
        ("(a|b)*", "abab", [[0, 4, 3, 4]]),
        ("(a+)+", "aaa", [[0, 3, 0, 3]]),
        ("(a|ab)*c", "abac", [[0, 4, 2, 3]]),
        ("(a*)(a*)", "aaa", [[0, 3, 0, 3, 3, 3]]),
        ("(a*?)(a*)", "aaa", [[0, 3, 0, 0, 0, 3]]),
        ("x*", "", [[0, 0]]),
        ("x*", "xxxy", [[0, 3], [4, 4]]),
        ("a??", "a", [[0, 0], [1, 1]]),
        ("a{2}", "aaaaa", [[0, 2], [2, 4]]),
        ("a{2,}", "aaaaa", [[0, 5]]),
        ("a{2,3}", "aaaaa", [[0, 3], [3, 5]]),
        ("a{2,3}?", "aaaaa", [[0, 2], [2, 4]]),
        ("a{,2}", "a{,2}", [[0, 5]]),
        ("a{1001", "a{1001", [[0, 6]]),
        ("a{01}", "a{01}", [[0, 5]]),
        ("(?U)a+", "aaa", [[0, 1], [1, 2], [2, 3]]),
        ("(?U)a+?", "aaa", [[0, 3]]),
        ("(a|b|c|d|e)+f", "abcdef", [[0, 6, 4, 5]]),
        ("(foo|bar)+", "foobarfoo", [[0, 9, 6, 9]]),
        ("(foo|foobar)baz", "foobarbaz", [[0, 9, 0, 6]]),
        ("(.*)-(.*)", "a-b-c", [[0, 5, 0, 3, 4, 5]]),
        ("(.*?)-(.*)", "a-b-c", [[0, 5, 0, 1, 2, 5]]),
        ("(a|b)*?c", "abc", [[0, 3, 1, 2]]),
        ("x*y*z*", "xyq", [[0, 2], [3, 3]]),
        ("(a)|(b)", "b", [[0, 1, -1, -1, 0, 1]]),
        ("(a)|b", "b", [[0, 1, -1, -1]]),
        ("(a)?b", "b", [[0, 1, -1, -1]]),
        ("(a?)b", "b", [[0, 1, 0, 0]]),
        ("((a)|b)+", "ab", [[0, 2, 1, 2, 0, 1]]),
        ("|a", "a", [[0, 0], [1, 1]]),
        ("a|", "a", [[0, 1]]),
        ("(?:)", "ab", [[0, 0], [1, 1], [2, 2]]),
        ("^$", "", [[0, 0]]),
        ("^$", "a", []),
        // case folding (simple folding, as Go: the Kelvin sign folds to k, ß does not fold to ss)
        ("(?i)hello", "HeLLo", [[0, 5]]),
        ("(?i:a)b", "AB", []),
        ("(?i:a)b", "Ab", [[0, 2]]),
        ("(?i)k", "\u{212A}", [[0, 1]]),
        ("(?i)[k]", "\u{212A}", [[0, 1]]),
        ("(?i)s", "\u{17F}", [[0, 1]]),
        ("(?i)[a-z]+", "ABCxyz", [[0, 6]]),
        ("(?i)[^a-z]", "Q", []),
        ("(?i)σ", "Σς", [[0, 1], [1, 2]]),
        ("(?i)Σ+", "σςΣ", [[0, 3]]),
        ("(?i)straße", "STRASSE", []),
        ("(?i)é", "É", [[0, 1]]),
        ("(?i)[[:upper:]]+", "aB", [[0, 2]]),
        ("(?i)a(?-i)a", "AA", []),
        ("(?i)a(?-i)a", "Aa", [[0, 2]]),
        // classes: Perl and POSIX classes are ASCII, \p classes Unicode
        (#"\d+"#, "ab١٢3", [[4, 5]]),
        (#"\pN+"#, "ab١٢3", [[2, 5]]),
        (#"\p{Lu}+"#, "abCDe", [[2, 4]]),
        (#"\PL+"#, "ab12cd", [[2, 4]]),
        (#"\p{^L}+"#, "ab12cd", [[2, 4]]),
        (#"[\p{Lu}\d]+"#, "aB1c", [[1, 3]]),
        (#"[^\pL]+"#, "ab12", [[2, 4]]),
        (#"\pL+"#, "日本語x1", [[0, 4]]),
        (#"\w+"#, "héllo", [[0, 1], [2, 5]]),
        ("[[:alpha:]]+", "ab12", [[0, 2]]),
        ("[[:^alpha:]]+", "ab12", [[2, 4]]),
        ("[[:digit:][:upper:]]+", "aB1c", [[1, 3]]),
        ("[[:space:]]", "\u{b}", [[0, 1]]),
        (#"\s"#, "\u{b}", []),
        (#"[\d]"#, "5", [[0, 1]]),
        (#"[^\d\s]+"#, "1 ab 2", [[2, 4]]),
        (#"\pL\pM*"#, "e\u{301}x", [[0, 2], [2, 3]]),
        (#"[\x{100}-\x{200}]+"#, "\u{150}\u{1FF}z", [[0, 2]]),
        ("[a-c-e]+", "a-e", [[0, 3]]),
        ("[]a]+", "a]", [[0, 2]]),
        ("[^]a]+", "xa]y", [[0, 1], [3, 4]]),
        ("[a-]+", "-a", [[0, 2]]),
        // escapes
        (#"\x41\x{42}"#, "AB", [[0, 2]]),
        (#"\101"#, "A", [[0, 1]]),
        (#"\0"#, "\u{0}", [[0, 1]]),
        (#"\Q.*\E+"#, ".**", [[0, 3]]),
        (#"\Qa|b\E"#, "a|b", [[0, 3]]),
        (#"\Qa\b\E"#, #"a\b"#, [[0, 3]]),
        // anchors and lines
        (#"\Aab"#, "ab", [[0, 2]]),
        (#"ab\z"#, "ab\n", []),
        ("ab$", "ab\n", []),
        ("(?m)ab$", "ab\ncd", [[0, 2]]),
        ("(?m)^cd", "ab\ncd", [[3, 5]]),
        ("^cd", "ab\ncd", []),
        ("(?m)^", "a\nb", [[0, 0], [2, 2]]),
        ("(?m)$", "a\nb", [[1, 1], [3, 3]]),
        (".", "\n", []),
        ("(?s).", "\n", [[0, 1]]),
        ("[^a]", "\n", [[0, 1]]),
        (".+", "日本\n語", [[0, 2], [3, 4]]),
        ("(?s:.)+", "a\nb", [[0, 3]]),
        ("a.c", "a\u{1F600}c", [[0, 3]]),
        (#"\bfoo\b"#, "a foo b", [[2, 5]]),
        (#"\Bfoo"#, "afoo", [[1, 4]]),
        // named groups
        (#"(?P<first>\w+) (?P<last>\w+)"#, "Ada Lovelace", [[0, 12, 0, 3, 4, 12]]),
    ]

    func testGoFindCases() throws {
        XCTAssertGreaterThanOrEqual(Self.cases.count, 150)
        for (pattern, text, want) in Self.cases {
            let re = try GoRegexp(pattern)
            XCTAssertEqual(re.allSubmatchIndices(text), want, "\(pattern) on \(text.debugDescription)")
            XCTAssertEqual(re.matches(text), !want.isEmpty, "\(pattern) on \(text.debugDescription)")
            XCTAssertEqual(re.submatchIndex(text), want.first, "\(pattern) on \(text.debugDescription)")
        }
    }

    /// What Go refuses, with Go's words and the text it quotes.
    func testGoRefusalsWithGoWords() {
        let refused: [(String, String)] = [
            (#"(a)\1"#, "error parsing regexp: invalid escape sequence: `\\1`"),
            ("a(?=b)", "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"),
            ("a(?!b)", "error parsing regexp: invalid or unsupported Perl syntax: `(?!`"),
            ("(?<=a)b", "error parsing regexp: invalid or unsupported Perl syntax: `(?<`"),
            ("(?<name>a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?<`"),
            ("(?>a+)b", "error parsing regexp: invalid or unsupported Perl syntax: `(?>`"),
            ("a++", "error parsing regexp: invalid nested repetition operator: `++`"),
            ("a**", "error parsing regexp: invalid nested repetition operator: `**`"),
            ("a*?+", "error parsing regexp: invalid nested repetition operator: `*?+`"),
            ("a{2}{3}", "error parsing regexp: invalid nested repetition operator: `{2}{3}`"),
            (#"\Z"#, "error parsing regexp: invalid escape sequence: `\\Z`"),
            (#"\e"#, "error parsing regexp: invalid escape sequence: `\\e`"),
            ("a{1001}", "error parsing regexp: invalid repeat count: `{1001}`"),
            ("a{2,1}", "error parsing regexp: invalid repeat count: `{2,1}`"),
            ("(a{100}){11}", "error parsing regexp: invalid repeat count: `(a{100}){11}`"),
            ("(a", "error parsing regexp: missing closing ): `(a`"),
            ("a)", "error parsing regexp: unexpected ): `a)`"),
            ("[a", "error parsing regexp: missing closing ]: `[a`"),
            ("[z-a]", "error parsing regexp: invalid character class range: `z-a`"),
            ("[[:foo:]]", "error parsing regexp: invalid character class range: `[:foo:]`"),
            (#"\p{Foo}"#, "error parsing regexp: invalid character class range: `\\p{Foo}`"),
            ("*a", "error parsing regexp: missing argument to repetition operator: `*`"),
            ("a|*", "error parsing regexp: missing argument to repetition operator: `*`"),
            ("(?i)+", "error parsing regexp: missing argument to repetition operator: `+`"),
            ("{2}", "error parsing regexp: missing argument to repetition operator: `{2}`"),
            ("a\\", "error parsing regexp: trailing backslash at end of expression: ``"),
            ("(?P<>a)", "error parsing regexp: invalid named capture: `(?P<>`"),
            ("(?P<a-b>x)", "error parsing regexp: invalid named capture: `(?P<a-b>`"),
            ("(?P=name)", "error parsing regexp: invalid or unsupported Perl syntax: `(?P`"),
            ("(?i-)a", "error parsing regexp: invalid or unsupported Perl syntax: `(?i-)`"),
            (#"\x{110000}"#, "error parsing regexp: invalid escape sequence: `\\x{110000`"),
            (String(repeating: "(", count: 1001) + String(repeating: ")", count: 1001),
             "error parsing regexp: expression nests too deeply: `" + String(repeating: "(", count: 1001) + String(repeating: ")", count: 1001) + "`"),
        ]
        for (p, want) in refused {
            XCTAssertThrowsError(try GoRegexp(p), p) { XCTAssertEqual("\($0)", want, p) }
        }
        // A script class is Go syntax the simulator does not evaluate: refused with its own reason.
        XCTAssertThrowsError(try GoRegexp(#"\p{Greek}"#)) { XCTAssertTrue("\($0)".contains("not supported by the simulator"), "\($0)") }
        // RE2 accepts what the former guard refused.
        for p in ["(a|b)*", "(a+)+", "(foo|bar)+", "(a*)*", "(x+x+)+y", #"(\w+\s?)+$"#, "(?i)a", "(?s).", "(?U)a+", "(?m:^a$)", "(?)"] {
            XCTAssertNoThrow(try GoRegexp(p), p)
        }
    }

    /// Linear time: the patterns that hang a backtracking engine cost the VM work proportional to the
    /// input (the count is of instructions visited, not wall time).
    func testPathologicalPatternsRunInBoundedWork() throws {
        // short inputs first: an engine that is not linear fails there before the long ones run for ever
        for n in [20, 200, 10_000] {
            let x = String(repeating: "x", count: n)
            for p in [".*.*.*.*.*.*y", "(x+)+y", "(x|x)*y", "(x*)*y", "x*x*x*x*x*x*x*y"] {
                let re = try GoRegexp.anchored(p)
                let (m, steps) = re.matchesCountingSteps(x)
                XCTAssertFalse(m, p)
                // at most every instruction twice per position (added, then stepped)
                guard steps <= 2 * re.programSize * (n + 1) else { return XCTFail("\(p) on \(n) x: \(steps) steps") }
            }
            let re = try GoRegexp.anchored("(x+)+y")
            let (m, steps) = re.matchesCountingSteps(x + "y")
            XCTAssertTrue(m)
            guard steps <= 2 * re.programSize * (n + 2) else { return XCTFail("(x+)+y on \(n) x and y: \(steps) steps") }
        }
    }
}
