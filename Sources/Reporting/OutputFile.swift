#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SimKernel

public struct OutputError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}

/// A file written through a 64 KiB buffer with plain POSIX writes: rows stream to disk and
/// memory does not grow with the length of the run.
public final class OutputFile {
    public let path: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private static let flushAt = 64 * 1024

    public init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if fd < 0 { throw OutputError("cannot create \(path): \(String(cString: strerror(errno)))") }
        buffer.reserveCapacity(OutputFile.flushAt + 4096)
    }

    deinit { try? close() }

    public func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= OutputFile.flushAt { try? flush() }
    }

    public func write(byte: UInt8) { buffer.append(byte) }

    public func flush() throws {
        guard fd >= 0, !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw OutputError("cannot write \(path): \(String(cString: strerror(errno)))")
                }
                off += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    public func close() throws {
        guard fd >= 0 else { return }
        try flush()
        Glibc.close(fd)
        fd = -1
    }
}

/// A CSV file: a header row, then rows built field by field. RFC 4180 quoting where needed;
/// numbers printed by `NumberFormat`, the same on every machine.
public final class CSVWriter {
    public let file: OutputFile
    public let columns: [String]
    private var fieldsInRow = 0

    public init(path: String, columns: [String]) throws {
        file = try OutputFile(path: path)
        self.columns = columns
        for c in columns { field(c) }
        endRow()
    }

    private func separator() {
        if fieldsInRow > 0 { file.write(byte: UInt8(ascii: ",")) }
        fieldsInRow += 1
    }

    public func field(_ s: String) {
        separator()
        file.write(CSVWriter.quoted(s))
    }

    /// A CSV field as written: quoted (RFC 4180) when it holds a comma, a quote or a line break.
    public static func quoted(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }) else { return s }
        return "\"" + s.replacingAll("\"", with: "\"\"") + "\""
    }

    public func field(_ x: Double, decimals: Int = 6) { separator(); file.write(NumberFormat.decimal(x, decimals)) }
    public func field(_ i: Int) { separator(); file.write(String(i)) }
    public func field(_ i: Int64) { separator(); file.write(String(i)) }
    public func field(_ t: SimTime) { separator(); file.write(t.description) }

    public func endRow() {
        precondition(fieldsInRow == columns.count, "CSV row has \(fieldsInRow) fields, header has \(columns.count)")
        file.write(byte: 10)
        fieldsInRow = 0
    }

    public func close() throws { try file.close() }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for ch in self { if ch == target { out += replacement } else { out.append(ch) } }
        return out
    }
}
