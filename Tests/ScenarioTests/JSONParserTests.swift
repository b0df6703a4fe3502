@testable import Scenario
import XCTest

final class JSONParserTests: XCTestCase {
    func parse(_ s: String) -> JSONValue? {
        let r = JSONParser.parse(s, file: "f.json")
        XCTAssertEqual(r.errors, [], "\(r.errors)")
        return r.value
    }

    func syntaxError(_ s: String, file: StaticString = #filePath, line: UInt = #line) -> JSONSyntaxError? {
        let r = JSONParser.parse(s, file: "f.json")
        XCTAssertFalse(r.errors.isEmpty, "expected a syntax error", file: file, line: line)
        return r.errors.last
    }

    func testKeyOrderAndLocationsOfKeysAndValues() throws {
        let text = "{\n  \"zeta\": 1,\n  \"alpha\": [true, null],\n  \"é\": {\"k\": \"v\"}\n}"
        let v = try XCTUnwrap(parse(text))
        let m = try XCTUnwrap(v.objectMembers)
        XCTAssertEqual(m.map(\.key), ["zeta", "alpha", "é"])           // file order, not sorted
        XCTAssertEqual(v.location, SourceLocation(file: "f.json", line: 1, column: 1))
        XCTAssertEqual(m[0].keyLocation, SourceLocation(file: "f.json", line: 2, column: 3))
        XCTAssertEqual(m[0].value.location, SourceLocation(file: "f.json", line: 2, column: 11))
        XCTAssertEqual(m[1].value.arrayValue?[1].location?.column, 19)
        // columns count characters, not UTF-8 bytes: "é" is 2 bytes
        let inner = try XCTUnwrap(m[2].value.objectMembers?.first)
        XCTAssertEqual(m[2].value.location?.column, 8)
        XCTAssertEqual(inner.value.location, SourceLocation(file: "f.json", line: 4, column: 14))
    }

    func testEscapesAndSurrogatePairs() throws {
        let v = try XCTUnwrap(parse(#"["a\"b\\c\/d\b\f\n\r\t", "\u00e9\u4e2d", "\ud83d\ude00", "😀 raw"]"#))
        let a = try XCTUnwrap(v.arrayValue).map { $0.stringValue! }
        XCTAssertEqual(a[0], "a\"b\\c/d\u{08}\u{0C}\n\r\t")
        XCTAssertEqual(a[1], "é中")
        XCTAssertEqual(a[2], "😀")
        XCTAssertEqual(a[3], "😀 raw")
        // round trip through the serializer
        XCTAssertEqual(try JSONParser.parseValue(v.serialized()), v)
    }

    func testBadEscapesAndStrings() {
        XCTAssertEqual(syntaxError(#"["\ud83d"]"#)?.message.contains("unpaired UTF-16 high surrogate"), true)
        XCTAssertEqual(syntaxError(#"["\ud83dx"]"#)?.column, 3)
        XCTAssertEqual(syntaxError(#"["\ude00"]"#)?.message.contains("unpaired UTF-16 low surrogate"), true)
        XCTAssertEqual(syntaxError(#"["\ud83d\u0041"]"#)?.message.contains("is not a low surrogate"), true)
        XCTAssertEqual(syntaxError(#"["\q"]"#)?.message.contains("invalid escape '\\q'"), true)
        XCTAssertEqual(syntaxError(#"["\u12G4"]"#)?.message.contains("4 hex digits"), true)
        XCTAssertEqual(syntaxError("[\"tab\there\"]")?.message.contains("control character U+0009"), true)
        let nl = syntaxError("{\"a\": \"one\ntwo\"}")
        XCTAssertEqual(nl?.message.contains("unterminated string that starts at line 1, column 7"), true)
        XCTAssertEqual(syntaxError("['single']")?.message.contains("double quotes"), true)
    }

    func testNumbersKeepTheirText() throws {
        let v = try XCTUnwrap(parse("[0, -0, 40, 18446744073709551615, 9223372036854775807, 1.5, 2e3, -1.25E-2, 12345678901234567890123]"))
        let n = try XCTUnwrap(v.arrayValue).map { $0.numberValue! }
        XCTAssertEqual(n.map(\.text), ["0", "-0", "40", "18446744073709551615", "9223372036854775807", "1.5", "2e3", "-1.25E-2", "12345678901234567890123"])
        XCTAssertEqual(n[3].uint64, UInt64.max)           // exact, not via Double
        XCTAssertNil(n[3].int64)
        XCTAssertEqual(n[4].int64, Int64.max)
        XCTAssertEqual(n[5].double, 1.5)
        XCTAssertNil(n[5].int64)
        XCTAssertEqual(n[6].int64, 2000)                  // integral value written with an exponent
        XCTAssertEqual(n[7].double, -0.0125)
        XCTAssertNil(n[8].uint64)
        XCTAssertEqual(v.serialized(), "[0,-0,40,18446744073709551615,9223372036854775807,1.5,2e3,-1.25E-2,12345678901234567890123]")
    }

    func testBadNumbers() {
        XCTAssertEqual(syntaxError("[01]")?.message, "invalid number: leading zeros are not allowed")
        XCTAssertEqual(syntaxError("[1.]")?.message, "invalid number: expected a digit after '.'")
        XCTAssertEqual(syntaxError("[-]")?.message, "invalid number: expected a digit after '-'")
        XCTAssertEqual(syntaxError("[1e]")?.message, "invalid number: expected a digit in the exponent")
        XCTAssertEqual(syntaxError("[.5]")?.message.hasPrefix("unexpected '.'"), true)
        let range = "is out of range: a JSON number here must be within ±1.7976931348623157e308 (a double), and each key allows less"
        XCTAssertEqual(syntaxError("[1e999]")?.message, "[0]: the number 1e999 " + range)
        XCTAssertEqual(syntaxError("1e999")?.message, "the number 1e999 " + range)
        // the path of the value, as the readers write it, past the siblings read before it
        XCTAssertEqual(syntaxError(#"{"hostGroups": [{"count": 2}, {"cpus": -1e400}]}"#)?.message, "hostGroups[1].cpus: the number -1e400 " + range)
        XCTAssertEqual(syntaxError(#"{"a": [1, [2]], "b": {"c": {}, "d": [{"e": 1}]}, "f": 1e309}"#)?.message, "f: the number 1e309 " + range)
        XCTAssertEqual(syntaxError("{\"duration\": 2h}")?.message, "invalid number \"2h\"; values with units must be strings, like \"2h\"")
        XCTAssertEqual(syntaxError("[NaN]")?.message.hasPrefix("unexpected 'NaN'"), true)
        XCTAssertEqual(syntaxError("[Infinity]")?.message.hasPrefix("unexpected 'Infinity'"), true)
    }

    func testSyntaxErrorPositionsAndMessages() {
        let e = syntaxError("{\n  \"a\": 1\n  \"b\": 2\n}")
        XCTAssertEqual(e?.line, 3)
        XCTAssertEqual(e?.column, 3)
        XCTAssertEqual(e?.description, "line 3, column 3: expected ',' or '}' after object member, found '\"'")
        XCTAssertEqual(syntaxError("[1 2]")?.message, "expected ',' or ']' after array element, found '2'")
        XCTAssertEqual(syntaxError("{\"a\" 1}")?.message, "expected ':' after object key \"a\", found '1'")
        XCTAssertEqual(syntaxError("{a: 1}")?.message, "expected an object key in double quotes, found 'a'")
        XCTAssertEqual(syntaxError("")?.message, "the document is empty; expected a JSON value")
        XCTAssertEqual(syntaxError("{} {}")?.message, "unexpected '{' after the end of the top-level value")
        XCTAssertEqual(syntaxError("{} extra")?.message, "unexpected 'extra' after the end of the top-level value")
        XCTAssertEqual(syntaxError("{\"a\": [1,\n")?.message.hasPrefix("unexpected end of input inside the array that starts at line 1, column 7"), true)
        XCTAssertEqual(syntaxError("// hi\n{}")?.message, "comments are not allowed in JSON")
        XCTAssertEqual(syntaxError("[tru]")?.message.hasPrefix("unexpected 'tru'"), true)
        XCTAssertEqual(syntaxError("[truex]")?.message.hasPrefix("unexpected 'truex'"), true)
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        XCTAssertEqual(syntaxError(deep)?.message, "nesting deeper than 200 levels")
    }

    func testTrailingCommasAreRejected() {
        let o = syntaxError("{\"a\": 1,\n }")
        XCTAssertEqual(o?.message, "trailing comma before '}' is not allowed in JSON")
        XCTAssertEqual(o?.line, 2)
        XCTAssertEqual(o?.column, 2)
        XCTAssertEqual(syntaxError("[1, 2, ]")?.message, "trailing comma before ']' is not allowed in JSON")
        XCTAssertEqual(syntaxError("[,]")?.message.hasPrefix("unexpected ','"), true)
    }

    func testDuplicateKeysAreErrorsAndParsingGoesOn() {
        let r = JSONParser.parse("{\n \"a\": 1,\n \"b\": {\"x\": 1, \"x\": 2},\n \"a\": 3\n}", file: "f.json")
        XCTAssertEqual(r.errors.map(\.description), [
            "line 3, column 16: duplicate key \"x\" (first given at line 3, column 8)",
            "line 4, column 2: duplicate key \"a\" (first given at line 2, column 2)",
        ])
        XCTAssertEqual(r.value?["a"]?.numberValue?.text, "1")    // the first value is kept
        XCTAssertEqual(r.value?.objectMembers?.map(\.key), ["a", "b"])
    }

    func testByteOrderMarkAndWhitespace() throws {
        let v = try XCTUnwrap(parse("\u{FEFF} \t\r\n{\"a\" : true }\n"))
        XCTAssertEqual(v["a"]?.boolValue, true)
        XCTAssertEqual(v.location?.line, 2)
    }

    func testEqualityIgnoresLocationsButNotOrder() throws {
        let a = try JSONParser.parseValue("{\"a\": 1, \"b\": 2}")
        let b = try JSONParser.parseValue("{\n\"a\":1,\"b\":2}")
        let c = try JSONParser.parseValue("{\"b\": 2, \"a\": 1}")
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        XCTAssertEqual(a.serialized(indent: 2), "{\n  \"a\": 1,\n  \"b\": 2\n}")
    }
}
