import SimKernel

// Go's time.Time.Format for a UTC time (consul-template's `timestamp "layout"` is
// `now().UTC().Format(layout)`): the layout is the reference time Mon Jan 2 15:04:05 MST 2006
// written the way the output should look. The chunks are recognised as Go's `nextStdChunk`
// (time/format.go) does, leftmost first: `Jan` and `Mon` are not a month or day when a lower-case
// letter follows (`startsWithLowerCase`), and `.000`/`,999` are fractional seconds only when no
// other digit follows. In UTC every zone prints as Go prints UTC: `MST` is "UTC",
// `Z07:00` and its kin are "Z", `-07:00` and its kin are zeros.

enum GoTimeLayout {
    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
    static let days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// `nanos`: nanoseconds since the Unix epoch.
    static func format(_ layout: String, unixNanos nanos: Int64) -> String {
        let secs = nanos >= 0 ? nanos / 1_000_000_000 : (nanos - 999_999_999) / 1_000_000_000
        let frac = nanos - secs * 1_000_000_000
        let dayNum = secs >= 0 ? secs / 86_400 : (secs - 86_399) / 86_400
        let rem = secs - dayNum * 86_400
        let (y, m, d) = Humanize.civil(dayNum)
        let hour = rem / 3600, minute = rem % 3600 / 60, second = rem % 60
        let weekday = Int(((dayNum % 7) + 7 + 4) % 7)  // 1970-01-01 was a Thursday
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let yearDay = Int64([0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334][Int(m) - 1]) + d + (leap && m > 2 ? 1 : 0)
        func pad(_ x: Int64, _ n: Int, _ c: Character = "0") -> String {
            let s = String(x)
            return s.count >= n ? s : String(repeating: c, count: n - s.count) + s
        }
        let l = Array(layout.utf8)
        var out = ""
        var i = 0, textStart = 0
        func has(_ s: String, at j: Int) -> Bool {
            let u = Array(s.utf8)
            return j + u.count <= l.count && Array(l[j..<(j + u.count)]) == u
        }
        func lowerAt(_ j: Int) -> Bool { j < l.count && l[j] >= 97 && l[j] <= 122 }
        func digitAt(_ j: Int) -> Bool { j < l.count && l[j] >= 48 && l[j] <= 57 }
        while i < l.count {
            var chunk: String? = nil
            var len = 0
            switch l[i] {
            case UInt8(ascii: "J"):
                if has("January", at: i) { chunk = months[Int(m) - 1]; len = 7 }
                else if has("Jan", at: i) && !lowerAt(i + 3) { chunk = String(months[Int(m) - 1].prefix(3)); len = 3 }
            case UInt8(ascii: "M"):
                if has("Monday", at: i) { chunk = days[weekday]; len = 6 }
                else if has("Mon", at: i) && !lowerAt(i + 3) { chunk = String(days[weekday].prefix(3)); len = 3 }
                else if has("MST", at: i) { chunk = "UTC"; len = 3 }
            case UInt8(ascii: "0"):
                if i + 1 < l.count, l[i + 1] >= UInt8(ascii: "1"), l[i + 1] <= UInt8(ascii: "6") {
                    len = 2
                    switch l[i + 1] {
                    case UInt8(ascii: "1"): chunk = pad(m, 2)
                    case UInt8(ascii: "2"): chunk = pad(d, 2)
                    case UInt8(ascii: "3"): chunk = pad(hour % 12 == 0 ? 12 : hour % 12, 2)
                    case UInt8(ascii: "4"): chunk = pad(minute, 2)
                    case UInt8(ascii: "5"): chunk = pad(second, 2)
                    default: chunk = pad(((y % 100) + 100) % 100, 2)
                    }
                } else if has("002", at: i) { chunk = pad(yearDay, 3); len = 3 }
            case UInt8(ascii: "1"):
                if has("15", at: i) { chunk = pad(hour, 2); len = 2 } else { chunk = String(m); len = 1 }
            case UInt8(ascii: "2"):
                if has("2006", at: i) { chunk = pad(y, 4); len = 4 } else { chunk = String(d); len = 1 }
            case UInt8(ascii: "_"):
                if has("_2", at: i) {
                    // `_2006` is a literal `_` and the year
                    if has("_2006", at: i) { i += 1; continue }
                    chunk = pad(d, 2, " "); len = 2
                } else if has("__2", at: i) { chunk = pad(yearDay, 3, " "); len = 3 }
            case UInt8(ascii: "3"): chunk = String(hour % 12 == 0 ? 12 : hour % 12); len = 1
            case UInt8(ascii: "4"): chunk = String(minute); len = 1
            case UInt8(ascii: "5"): chunk = String(second); len = 1
            case UInt8(ascii: "P"): if has("PM", at: i) { chunk = hour >= 12 ? "PM" : "AM"; len = 2 }
            case UInt8(ascii: "p"): if has("pm", at: i) { chunk = hour >= 12 ? "pm" : "am"; len = 2 }
            case UInt8(ascii: "-"):
                for (z, u) in [("-070000", "+000000"), ("-07:00:00", "+00:00:00"), ("-0700", "+0000"), ("-07:00", "+00:00"), ("-07", "+00")] where has(z, at: i) {
                    chunk = u; len = z.utf8.count; break
                }
            case UInt8(ascii: "Z"):
                for z in ["Z070000", "Z07:00:00", "Z0700", "Z07:00", "Z07"] where has(z, at: i) { chunk = "Z"; len = z.utf8.count; break }
            case UInt8(ascii: "."), UInt8(ascii: ","):
                if i + 1 < l.count, l[i + 1] == UInt8(ascii: "0") || l[i + 1] == UInt8(ascii: "9") {
                    let ch = l[i + 1]
                    var j = i + 1
                    while j < l.count && l[j] == ch { j += 1 }
                    if !digitAt(j) {
                        let n = min(j - i - 1, 9)
                        var digits = String(pad(frac, 9).prefix(n))
                        if ch == UInt8(ascii: "9") { while digits.last == "0" { digits.removeLast() } }
                        chunk = digits.isEmpty ? "" : String(UnicodeScalar(l[i])) + digits
                        len = j - i
                    }
                }
            default: break
            }
            guard let c = chunk else { i += 1; continue }
            out += String(decoding: l[textStart..<i], as: UTF8.self) + c
            i += len
            textStart = i
        }
        return out + String(decoding: l[textStart...], as: UTF8.self)
    }
}
