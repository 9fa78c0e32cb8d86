import Foundation

/// MXNet's NDArray list file (`mx.nd.save` / `mx.nd.load`), the format of K-Means, PCA and LDA `model_algo-1`:
/// a little-endian header, then each array (V2 magic, dense storage, CPU context, dtype, C-order data), then the
/// names (none for a list). Kiln writes float32 arrays and reads float32/float64 ones, so models trained by
/// SageMaker can be hosted and Kiln's models inspected with MXNet.
public enum NDArrayFile {
    public struct NamedArray: Equatable, Sendable {
        public var name: String?
        public var shape: [Int]
        public var values: [Float]
        public init(name: String? = nil, shape: [Int], values: [Float]) {
            precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not hold \(values.count) values")
            (self.name, self.shape, self.values) = (name, shape, values)
        }
    }

    public struct FormatError: Error, CustomStringConvertible {
        public var description: String
    }

    static let listMagic: UInt64 = 0x112
    static let arrayMagicV1: UInt32 = 0xF993_FAC8
    static let arrayMagicV2: UInt32 = 0xF993_FAC9
    static let arrayMagicV3: UInt32 = 0xF993_FACA

    /// Encodes arrays; names are written when every array has one (a dict), none when no array has one (a list).
    public static func encode(_ arrays: [NamedArray]) -> [UInt8] {
        var out: [UInt8] = []
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        put(listMagic)
        put(UInt64(0))
        put(UInt64(arrays.count))
        for a in arrays {
            put(arrayMagicV2)
            put(Int32(0))  // dense storage
            put(UInt32(a.shape.count))
            for d in a.shape { put(Int64(d)) }
            put(Int32(1))  // CPU
            put(Int32(0))  // device 0
            put(Int32(0))  // float32
            for v in a.values { put(v.bitPattern) }
        }
        let names = arrays.compactMap(\.name)
        put(UInt64(names.count == arrays.count ? names.count : 0))
        if names.count == arrays.count {
            for n in names {
                put(UInt64(n.utf8.count))
                out += Array(n.utf8)
            }
        }
        return out
    }

    public static func decode(_ bytes: [UInt8]) throws -> [NamedArray] {
        var offset = 0
        func take<T: FixedWidthInteger>(_: T.Type) throws -> T {
            let size = MemoryLayout<T>.size
            guard offset + size <= bytes.count else { throw FormatError(description: "truncated NDArray file at byte \(offset)") }
            var v: T = 0
            withUnsafeMutableBytes(of: &v) { $0.copyBytes(from: bytes[offset ..< offset + size]) }
            offset += size
            return T(littleEndian: v)
        }
        guard try take(UInt64.self) == listMagic else { throw FormatError(description: "not an MXNet NDArray file (bad magic)") }
        _ = try take(UInt64.self)
        let count = try take(UInt64.self)
        guard count < 1 << 20 else { throw FormatError(description: "implausible array count \(count)") }
        var arrays: [NamedArray] = []
        for i in 0 ..< Int(count) {
            let magic = try take(UInt32.self)
            guard [arrayMagicV1, arrayMagicV2, arrayMagicV3].contains(magic) else {
                throw FormatError(description: "array \(i): unknown NDArray magic \(String(magic, radix: 16))")
            }
            if magic != arrayMagicV1 {
                let storage = try take(Int32.self)
                guard storage == 0 else { throw FormatError(description: "array \(i): sparse NDArray storage is not supported") }
            }
            let ndim = Int(try take(UInt32.self))
            guard ndim <= 8 else { throw FormatError(description: "array \(i): implausible rank \(ndim)") }
            var shape: [Int] = []
            for _ in 0 ..< ndim {
                let d = try take(Int64.self)
                guard d >= 0, d < 1 << 32 else { throw FormatError(description: "array \(i): bad dimension \(d)") }
                shape.append(Int(d))
            }
            if ndim == 0 {
                arrays.append(NamedArray(shape: [0], values: []))
                continue
            }
            _ = try take(Int32.self)
            _ = try take(Int32.self)
            let dtype = try take(Int32.self)
            let n = shape.reduce(1, *)
            var values: [Float] = []
            values.reserveCapacity(n)
            switch dtype {
            case 0: for _ in 0 ..< n { values.append(Float(bitPattern: try take(UInt32.self))) }
            case 1: for _ in 0 ..< n { values.append(Float(Double(bitPattern: try take(UInt64.self)))) }
            default: throw FormatError(description: "array \(i): dtype \(dtype) is not supported (float32 or float64 expected)")
            }
            arrays.append(NamedArray(shape: shape, values: values))
        }
        let names = try take(UInt64.self)
        if names > 0 {
            guard Int(names) == arrays.count else { throw FormatError(description: "\(names) names for \(arrays.count) arrays") }
            for i in arrays.indices {
                let length = Int(try take(UInt64.self))
                guard length <= 4096, offset + length <= bytes.count else { throw FormatError(description: "bad name length") }
                arrays[i].name = String(decoding: bytes[offset ..< offset + length], as: UTF8.self)
                offset += length
            }
        }
        return arrays
    }
}
