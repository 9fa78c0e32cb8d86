import Foundation

/// Universal Binary JSON (ubjson.org, draft 12) as XGBoost writes its `.ubj` models: big-endian numbers,
/// length-prefixed strings, and strongly typed arrays (`[$d#L<n>` followed by n raw float32s) for the node arrays.
/// Decodes into the same Foundation values `JSONSerialization` returns, so one model reader serves both.
enum UBJSON {
    struct DecodingError: Error, CustomStringConvertible {
        let offset: Int
        let reason: String
        var description: String { "UBJSON model, byte \(offset): \(reason)" }
    }

    /// True when `data` starts like a UBJSON object (`{` then a key-length marker), not a text JSON one.
    static func looksLikeUBJSON(_ data: Data) -> Bool {
        guard data.count >= 2, data[data.startIndex] == UInt8(ascii: "{") else { return false }
        return "iUIlL$#}".utf8.contains(data[data.startIndex + 1])
    }

    static func decode(_ data: Data) throws -> Any {
        var reader = Reader(bytes: [UInt8](data))
        let value = try reader.value()
        return value
    }

    private struct Reader {
        let bytes: [UInt8]
        var at = 0
        var depth = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        func fail(_ reason: String) -> DecodingError { DecodingError(offset: at, reason: reason) }

        mutating func byte() throws -> UInt8 {
            guard at < bytes.count else { throw fail("unexpected end of data") }
            defer { at += 1 }
            return bytes[at]
        }

        mutating func marker() throws -> UInt8 {
            var m = try byte()
            while m == UInt8(ascii: "N") { m = try byte() }  // no-op padding
            return m
        }

        mutating func bigEndian<T: FixedWidthInteger>(_: T.Type) throws -> T {
            let size = MemoryLayout<T>.size
            guard at + size <= bytes.count else { throw fail("unexpected end of data") }
            var v: T = 0
            for i in 0..<size { v = (v << 8) | T(truncatingIfNeeded: bytes[at + i]) }
            at += size
            return v
        }

        mutating func integer(marker m: UInt8) throws -> Int {
            switch m {
            case UInt8(ascii: "i"): return Int(Int8(bitPattern: try byte()))
            case UInt8(ascii: "U"): return Int(try byte())
            case UInt8(ascii: "I"): return Int(try bigEndian(Int16.self))
            case UInt8(ascii: "l"): return Int(try bigEndian(Int32.self))
            case UInt8(ascii: "L"): return Int(try bigEndian(Int64.self))
            default: throw fail("expected an integer marker, found \(Self.show(m))")
            }
        }

        mutating func count() throws -> Int {
            let n = try integer(marker: try marker())
            guard n >= 0, n <= bytes.count else { throw fail("bad length \(n)") }
            return n
        }

        mutating func string() throws -> String {
            let n = try count()
            guard at + n <= bytes.count else { throw fail("string runs past the end") }
            defer { at += n }
            guard let s = String(validating: bytes[at..<(at + n)], as: UTF8.self) else { throw fail("string is not UTF-8") }
            return s
        }

        mutating func value() throws -> Any { try value(marker: try marker()) }

        mutating func value(marker m: UInt8) throws -> Any {
            switch m {
            case UInt8(ascii: "Z"): return NSNull()
            case UInt8(ascii: "T"): return true
            case UInt8(ascii: "F"): return false
            case UInt8(ascii: "i"), UInt8(ascii: "U"), UInt8(ascii: "I"), UInt8(ascii: "l"), UInt8(ascii: "L"):
                return try integer(marker: m)
            case UInt8(ascii: "d"): return Double(Float(bitPattern: try bigEndian(UInt32.self)))
            case UInt8(ascii: "D"): return Double(bitPattern: try bigEndian(UInt64.self))
            case UInt8(ascii: "C"): return String(UnicodeScalar(try byte()))
            case UInt8(ascii: "S"), UInt8(ascii: "H"): return try string()
            case UInt8(ascii: "["): return try array()
            case UInt8(ascii: "{"): return try object()
            default: throw fail("unknown marker \(Self.show(m))")
            }
        }

        /// `$type` and `#count` after an opening bracket (both optional; `$` requires `#`).
        mutating func containerHeader() throws -> (type: UInt8?, count: Int?) {
            var type: UInt8? = nil
            if at < bytes.count, bytes[at] == UInt8(ascii: "$") {
                at += 1
                type = try byte()
                guard at < bytes.count, bytes[at] == UInt8(ascii: "#") else { throw fail("typed container without a count") }
            }
            if at < bytes.count, bytes[at] == UInt8(ascii: "#") {
                at += 1
                return (type, try count())
            }
            return (type, nil)
        }

        mutating func enter() throws {
            depth += 1
            if depth > 64 { throw fail("nesting deeper than 64") }
        }

        mutating func array() throws -> [Any] {
            try enter(); defer { depth -= 1 }
            let (type, n) = try containerHeader()
            if let n {
                if let type { return try typedArray(type, count: n) }
                var out = [Any](); out.reserveCapacity(min(n, 1 << 20))
                for _ in 0..<n { out.append(try value()) }
                return out
            }
            var out = [Any]()
            while true {
                let m = try marker()
                if m == UInt8(ascii: "]") { return out }
                out.append(try value(marker: m))
            }
        }

        /// The bulk case: n raw elements of one type, decoded without a marker per element.
        mutating func typedArray(_ type: UInt8, count n: Int) throws -> [Any] {
            let width: Int
            switch type {
            case UInt8(ascii: "i"), UInt8(ascii: "U"): width = 1
            case UInt8(ascii: "I"): width = 2
            case UInt8(ascii: "l"), UInt8(ascii: "d"): width = 4
            case UInt8(ascii: "L"), UInt8(ascii: "D"): width = 8
            default:
                var out = [Any](); out.reserveCapacity(min(n, 1 << 20))
                for _ in 0..<n { out.append(try value(marker: type)) }
                return out
            }
            guard n <= (bytes.count - at) / width else { throw fail("typed array of \(n) runs past the end") }
            var out = [Any](); out.reserveCapacity(n)
            for _ in 0..<n { out.append(try value(marker: type)) }
            return out
        }

        mutating func object() throws -> [String: Any] {
            try enter(); defer { depth -= 1 }
            let (type, n) = try containerHeader()
            var out = [String: Any]()
            if let n {
                for _ in 0..<n {
                    let key = try string()
                    out[key] = try type.map { try value(marker: $0) } ?? value()
                }
                return out
            }
            while true {
                if at < bytes.count, bytes[at] == UInt8(ascii: "}") { at += 1; return out }
                let key = try string()
                out[key] = try value()
            }
        }

        static func show(_ m: UInt8) -> String {
            (32..<127).contains(m) ? "'\(Character(UnicodeScalar(m)))'" : "0x" + String(m, radix: 16)
        }
    }
}
