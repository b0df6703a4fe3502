/// Text helpers shared by the scenario reader and the writers (no Foundation: the same bytes on
/// every machine).
public enum JSONText {
    /// A JSON string literal for `s` (RFC 8259 escapes; other control characters as \u00XX).
    /// Characters that print as nothing are escaped too, so that an error message shows them: DEL
    /// and the C1 controls, format characters (zero-width space, BOM, U+2028/U+2029 ...) and
    /// noncharacters (U+FFFF ...); clustersim-fuzz wrote "10m\u{7F}" into a Consul check's
    /// interval and the message read `invalid duration: "10m"`. The value is the same JSON string.
    public static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if u.value < 0x20 || invisible(u) {
                    for unit in String(u).utf16 {
                        let hex = String(unit, radix: 16)
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    }
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    /// DEL, C1 controls, format characters and noncharacters: nothing shows where they stand.
    static func invisible(_ u: Unicode.Scalar) -> Bool {
        (0x7F...0x9F).contains(u.value) || u.properties.generalCategory == .format || u.properties.isNoncharacterCodePoint
            || u.value == 0x2028 || u.value == 0x2029
    }
}
