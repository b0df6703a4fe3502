// Packing small integers into an event's one Int64 argument, with the width of every field
// declared once and checked. Models used to write `(Int64(g) << 32) | Int64(i)` by hand in every
// file, each with its own silent limit (8 bits for a framework index in the allocator); a field
// declared here traps with its name and width instead of wrapping into a neighbour.

/// One unsigned field of an event argument: `bits` bits starting at bit `shift`.
///
/// Two ways to store a value:
/// - `encode` for an index or a count: the value must fit (precondition, also in release builds).
/// - `encodeWrapping` for a generation counter (incremented with `&+=`, so it wraps by design):
///   its low `bits` bits are kept; compare with `matches`, which looks at the same low bits.
public struct ArgField: Sendable {
    public let shift: Int
    public let bits: Int
    public let name: StaticString
    @usableFromInline let mask: UInt64

    public init(_ name: StaticString, shift: Int, bits: Int) {
        precondition(bits >= 1 && shift >= 0 && shift + bits <= 64, "event argument field \(name): \(bits) bits at \(shift) do not fit in 64")
        self.name = name; self.shift = shift; self.bits = bits
        mask = bits == 64 ? .max : (UInt64(1) << UInt64(bits)) - 1
    }

    /// The largest value `encode` accepts.
    public var maxValue: Int { Int(truncatingIfNeeded: mask > UInt64(Int.max) ? UInt64(Int.max) : mask) }

    /// The field of `bits` bits just above this one.
    public func next(_ name: StaticString, bits: Int) -> ArgField { ArgField(name, shift: shift + self.bits, bits: bits) }

    /// `v` in this field; `v` must be in 0...maxValue.
    @inlinable @inline(__always)
    public func encode(_ v: Int) -> Int64 {
        precondition(v >= 0 && UInt64(v) <= mask, "event argument field \(name) (\(bits) bits) cannot hold \(v)")
        return Int64(bitPattern: UInt64(v) << UInt64(shift))
    }

    /// The low `bits` bits of a wrapping counter in this field.
    @inlinable @inline(__always)
    public func encodeWrapping(_ v: Int32) -> Int64 {
        Int64(bitPattern: (UInt64(UInt32(bitPattern: v)) & mask) << UInt64(shift))
    }

    /// The value stored by `encode`.
    @inlinable @inline(__always)
    public func decode(_ arg: Int64) -> Int { Int(truncatingIfNeeded: (UInt64(bitPattern: arg) >> UInt64(shift)) & mask) }

    /// Whether the counter stored by `encodeWrapping` equals `current` (in the field's low bits).
    @inlinable @inline(__always)
    public func matches(_ arg: Int64, _ current: Int32) -> Bool {
        (UInt64(bitPattern: arg) >> UInt64(shift)) & mask == UInt64(UInt32(bitPattern: current)) & mask
    }
}

/// The most common argument: an index (host, session, task, agent ...) in the low 32 bits and a
/// generation counter in the high 32 bits, so a stale timer (the thing changed state since it was
/// scheduled) is recognised in O(1) instead of being cancelled.
public enum IndexGeneration {
    public static let index = ArgField("index", shift: 0, bits: 32)
    public static let generation = index.next("generation", bits: 32)

    @inlinable @inline(__always)
    public static func pack(_ index: Int, _ generation: Int32) -> Int64 {
        Self.index.encode(index) | Self.generation.encodeWrapping(generation)
    }

    @inlinable @inline(__always)
    public static func unpack(_ arg: Int64) -> (index: Int, generation: Int32) {
        (Self.index.decode(arg), Int32(truncatingIfNeeded: arg >> 32))
    }
}
