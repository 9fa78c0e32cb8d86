/// A run of variable-length byte strings stored back to back: value `i` is `data[offsets[i]..<offsets[i+1]]`.
public struct ByteArrays: Sendable, Equatable {
    public var offsets: [Int] = [0]
    public var data: [UInt8] = []
    public init() {}
    public var count: Int { offsets.count - 1 }
    public subscript(i: Int) -> ArraySlice<UInt8> { data[offsets[i]..<offsets[i + 1]] }
    /// Value `i` decoded as UTF-8 (invalid sequences are replaced).
    public func string(at i: Int) -> String { String(decoding: self[i], as: UTF8.self) }
    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        data.append(contentsOf: bytes)
        offsets.append(data.count)
    }
    mutating func append(_ p: UnsafeRawBufferPointer) {
        data.append(contentsOf: p)
        offsets.append(data.count)
    }
}

/// An INT96 value (legacy Impala/Hive/Spark timestamp): nanoseconds within the day and the Julian day number.
public struct Int96: Sendable, Equatable {
    public var nanosOfDay: UInt64
    public var julianDay: UInt32
    public init(nanosOfDay: UInt64, julianDay: UInt32) { self.nanosOfDay = nanosOfDay; self.julianDay = julianDay }
    /// Nanoseconds since the Unix epoch (wrapping for dates far outside ±292 years).
    public var nanosecondsSinceEpoch: Int64 {
        (Int64(julianDay) &- 2_440_588) &* 86_400_000_000_000 &+ Int64(bitPattern: nanosOfDay)
    }
}

/// The non-null values of one column, in physical form.
public enum ColumnValues: Sendable, Equatable {
    case boolean([Bool])
    case int32([Int32])
    case int64([Int64])
    case int96([Int96])
    case float([Float])
    case double([Double])
    case byteArray(ByteArrays)
    case fixedLenByteArray(ByteArrays)

    public var count: Int {
        switch self {
        case .boolean(let v): return v.count
        case .int32(let v): return v.count
        case .int64(let v): return v.count
        case .int96(let v): return v.count
        case .float(let v): return v.count
        case .double(let v): return v.count
        case .byteArray(let v), .fixedLenByteArray(let v): return v.count
        }
    }
}

/// Growable per-type buffers used while decoding pages; only the one of the column's type is used.
struct ValueBuffers {
    var bools: [Bool] = []
    var i32: [Int32] = []
    var i64: [Int64] = []
    var i96: [Int96] = []
    var f32: [Float] = []
    var f64: [Double] = []
    var bytes = ByteArrays()

    func finish(_ type: PhysicalType) -> ColumnValues {
        switch type {
        case .boolean: return .boolean(bools)
        case .int32: return .int32(i32)
        case .int64: return .int64(i64)
        case .int96: return .int96(i96)
        case .float: return .float(f32)
        case .double: return .double(f64)
        case .byteArray: return .byteArray(bytes)
        case .fixedLenByteArray: return .fixedLenByteArray(bytes)
        }
    }

    var count: Int {
        max(bools.count, i32.count, i64.count, i96.count, f32.count, f64.count, bytes.count)
    }
}

extension Array where Element: BitwiseCopyable {
    /// Appends `count` elements copied bytewise from possibly unaligned memory.
    @inline(__always)
    mutating func appendRaw(from p: UnsafeRawPointer, count: Int) {
        guard count > 0 else { return }
        if Int(bitPattern: p) % MemoryLayout<Element>.alignment == 0 {
            append(contentsOf: UnsafeBufferPointer(start: p.assumingMemoryBound(to: Element.self), count: count))
        } else {
            let tmp = [Element](unsafeUninitializedCapacity: count) { buf, n in
                UnsafeMutableRawPointer(buf.baseAddress!).copyMemory(from: p, byteCount: count * MemoryLayout<Element>.stride)
                n = count
            }
            append(contentsOf: tmp)
        }
    }
}
