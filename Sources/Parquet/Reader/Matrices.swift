import Dispatch
import Foundation

/// A dense row-major Float32 matrix; missing values are NaN.
public struct DenseMatrix: Sendable {
    public let rows: Int
    public let columns: Int
    /// `values[r * columns + c]`.
    public var values: [Float]
    /// Names of the matrix columns (list columns expand to `name[0]`, `name[1]`, …).
    public let columnNames: [String]
}

/// A compressed-sparse-row Float32 matrix. Zeros and missing values are not stored.
public struct CSRMatrix: Sendable {
    public let rows: Int
    public let columns: Int
    /// Row `r`'s entries are at `rowOffsets[r]..<rowOffsets[r+1]`.
    public var rowOffsets: [Int]
    public var columnIndices: [Int32]
    public var values: [Float]
}

extension ColumnChunkData {
    /// Non-null values converted to Double: numbers as is, booleans 0/1, DECIMAL scaled, DATE as days,
    /// TIMESTAMP as its stored integer, INT96 as nanoseconds since the epoch. Strings throw.
    public func numericValues() throws -> [Double] {
        var scale = 1.0
        if case .decimal(_, let s)? = descriptor.logicalType { scale = pow(10.0, Double(s)) }
        switch values {
        case .boolean(let v): return v.map { $0 ? 1 : 0 }
        case .int32(let v): return scale == 1 ? v.map { Double($0) } : v.map { Double($0) / scale }
        case .int64(let v): return scale == 1 ? v.map { Double($0) } : v.map { Double($0) / scale }
        case .int96(let v): return v.map { Double($0.nanosecondsSinceEpoch) }
        case .float(let v): return v.map { Double($0) }
        case .double(let v): return v
        case .byteArray(let b), .fixedLenByteArray(let b):
            if case .decimal? = descriptor.logicalType {
                return (0..<b.count).map { Decimal.bigEndianToDouble(b[$0]) / scale }
            }
            if case .float16? = descriptor.logicalType, descriptor.typeLength == 2 {
                return (0..<b.count).map { i in
                    let s = b[i]
                    let bits = UInt16(s[s.startIndex]) | UInt16(s[s.startIndex + 1]) << 8
                    return Double(Float(Float16Bits(bits)))
                }
            }
            throw ParquetError.invalidArgument("column '\(descriptor.dottedPath)' holds \(descriptor.physicalType) values, not numbers")
        }
    }

    /// For a column outside lists: one Float per row, NaN where the value is null, written to
    /// `out[row * stride]`.
    func scatterFloats(into out: UnsafeMutablePointer<Float>, stride: Int) throws {
        guard descriptor.maxRepetitionLevel == 0 else {
            throw ParquetError.invalidArgument("column '\(descriptor.dottedPath)' is a list; use listValues()")
        }
        let n = slotCount
        let allPresent = values.count == n
        func put<T>(_ v: [T], _ conv: (T) -> Float) {
            v.withUnsafeBufferPointer { src in
                if allPresent {
                    for r in 0..<n { out[r * stride] = conv(src[r]) }
                } else {
                    definitionLevels.withUnsafeBufferPointer { d in
                        let m = UInt8(descriptor.maxDefinitionLevel)
                        var k = 0
                        for r in 0..<n {
                            if d[r] == m { out[r * stride] = conv(src[k]); k += 1 } else { out[r * stride] = .nan }
                        }
                    }
                }
            }
        }
        let plainNumber: Bool = {
            switch descriptor.logicalType {
            case .decimal?: return false
            default: return true
            }
        }()
        switch values {
        case .float(let v): put(v) { $0 }
        case .double(let v): put(v) { Float($0) }
        case .int32(let v) where plainNumber: put(v) { Float($0) }
        case .int64(let v) where plainNumber: put(v) { Float($0) }
        default: put(try numericValues()) { Float($0) }
        }
    }

    /// For a list column (`list<float>`, `list<double>`, …): per row, the range of its elements in `elements`,
    /// or nil for a null list; null elements are NaN.
    public func listValues() throws -> (rows: [Range<Int>?], elements: [Double]) {
        guard descriptor.maxRepetitionLevel == 1 else {
            throw ParquetError.invalidArgument("column '\(descriptor.dottedPath)' is not a single-level list")
        }
        let v = try numericValues()
        var rows: [Range<Int>?] = []
        var elements: [Double] = []
        elements.reserveCapacity(v.count)
        let listDef = descriptor.repeatedDefinitionLevel
        let maxDef = descriptor.maxDefinitionLevel
        var k = 0
        var rowStart = 0
        var rowIsNull = false
        for i in 0..<slotCount {
            let d = Int(definitionLevels.isEmpty ? UInt8(maxDef) : definitionLevels[i])
            if repetitionLevels[i] == 0 {
                if i > 0 { rows.append(rowIsNull ? nil : rowStart..<elements.count) }
                rowStart = elements.count
                rowIsNull = d < listDef - 1
            }
            if d >= listDef {
                if d == maxDef { elements.append(v[k]); k += 1 } else { elements.append(.nan) }
            }
        }
        if slotCount > 0 { rows.append(rowIsNull ? nil : rowStart..<elements.count) }
        return (rows, elements)
    }
}

/// IEEE half-precision bits to Float (no dependency on the platform's Float16).
struct Float16Bits {
    let bits: UInt16
    init(_ b: UInt16) { bits = b }
}

extension Float {
    init(_ h: Float16Bits) {
        let sign = UInt32(h.bits >> 15) << 31
        let exp = Int(h.bits >> 10) & 0x1F
        let frac = UInt32(h.bits & 0x3FF)
        if exp == 0 {
            let v = Float(frac) * Float(sign: .plus, exponent: -24, significand: 1)
            self = sign != 0 ? -v : v
        } else if exp == 31 {
            self = Float(bitPattern: sign | 0x7F80_0000 | frac << 13)
        } else {
            self = Float(bitPattern: sign | UInt32(exp - 15 + 127) << 23 | frac << 13)
        }
    }
}

enum Decimal {
    /// A big-endian two's-complement integer of any width, as Double.
    static func bigEndianToDouble(_ b: ArraySlice<UInt8>) -> Double {
        guard let first = b.first else { return 0 }
        let negative = first & 0x80 != 0
        var v = 0.0
        for x in b { v = v * 256 + Double(negative ? ~x : x) }
        return negative ? -(v + 1) : v
    }
}

extension ParquetFileReader {
    /// Reads one row group's projected columns as a dense row-major Float32 matrix (NaN for missing).
    /// Columns decode in parallel. List columns expand to as many matrix columns as their longest row.
    public func readDenseMatrix(rowGroup g: Int, columns names: [String]? = nil) throws -> DenseMatrix {
        let idx = try columnIndices(names)
        guard g >= 0 && g < rowGroupCount else { throw ParquetError.invalidArgument("row group \(g) of \(rowGroupCount)") }
        let rows = Int(metadata.rowGroups[g].numRows)
        let flat = idx.allSatisfy { schema.columns[$0].maxRepetitionLevel == 0 }
        if flat {
            let width = idx.count
            // Decode each column (in parallel) into its own Float array, then transpose by row blocks: writing the
            // row-major matrix column by column would touch a new cache line per value. Columns are decoded before
            // the matrix is allocated, so a footer lying about the row count cannot force a huge allocation.
            let decoded: [[Float]] = try parallelMap(idx) { c in
                let col = try self.readColumn(rowGroup: g, column: c)
                return try [Float](unsafeUninitializedCapacity: col.slotCount) { buf, n in
                    if col.slotCount > 0 { try col.scatterFloats(into: buf.baseAddress!, stride: 1) }
                    n = col.slotCount
                }
            }
            for (j, d) in decoded.enumerated() where d.count != rows {
                throw ParquetError.corrupt("column '\(schema.columns[idx[j]].dottedPath)' has \(d.count) values for \(rows) rows")
            }
            let columnsBox = UncheckedBox(decoded)
            let values = [Float](unsafeUninitializedCapacity: rows * width) { buf, n in
                let out = UncheckedBox(buf.baseAddress)
                let block = 2048
                let blocks = (rows + block - 1) / block
                DispatchQueue.concurrentPerform(iterations: blocks) { b in
                    guard let o = out.value else { return }
                    let end = min(rows, (b + 1) * block)
                    var r0 = b * block
                    while r0 < end {
                        let r1 = min(end, r0 + 64)
                        for j in 0..<width {
                            columnsBox.value[j].withUnsafeBufferPointer { s in
                                for r in r0..<r1 { o[r * width + j] = s[r] }
                            }
                        }
                        r0 = r1
                    }
                }
                n = rows * width
            }
            return DenseMatrix(rows: rows, columns: width, values: values, columnNames: idx.map { schema.columns[$0].dottedPath })
        }
        let data = try readRowGroup(g, columns: names)
        var blocks: [(names: [String], width: Int, fill: (UnsafeMutablePointer<Float>, Int) throws -> Void)] = []
        for col in data.columns {
            if col.descriptor.maxRepetitionLevel == 0 {
                blocks.append(([col.descriptor.dottedPath], 1, { try col.scatterFloats(into: $0, stride: $1) }))
            } else {
                let (r, e) = try col.listValues()
                guard r.count == rows else {
                    throw ParquetError.corrupt("list column '\(col.descriptor.dottedPath)' has \(r.count) rows; the row group has \(rows)")
                }
                let w = r.map { $0?.count ?? 0 }.max() ?? 0
                let name = col.descriptor.name
                blocks.append(((0..<w).map { "\(name)[\($0)]" }, w, { out, stride in
                    for (row, range) in r.enumerated() {
                        for k in 0..<w {
                            if let range, k < range.count { out[row * stride + k] = Float(e[range.lowerBound + k]) } else { out[row * stride + k] = .nan }
                        }
                    }
                }))
            }
        }
        let width = blocks.reduce(0) { $0 + $1.width }
        var values = [Float](repeating: 0, count: rows * width)
        try values.withUnsafeMutableBufferPointer { buf in
            var at = 0
            for b in blocks {
                try b.fill(buf.baseAddress! + at, width)
                at += b.width
            }
        }
        return DenseMatrix(rows: rows, columns: width, values: values, columnNames: blocks.flatMap(\.names))
    }

    /// Reads one row group as a CSR matrix (zeros and missing values left out).
    public func readSparseMatrix(rowGroup g: Int, columns names: [String]? = nil) throws -> CSRMatrix {
        let dense = try readDenseMatrix(rowGroup: g, columns: names)
        var offsets = [0]
        offsets.reserveCapacity(dense.rows + 1)
        var cols: [Int32] = []
        var vals: [Float] = []
        for r in 0..<dense.rows {
            for c in 0..<dense.columns {
                let v = dense.values[r * dense.columns + c]
                if v != 0 && !v.isNaN { cols.append(Int32(c)); vals.append(v) }
            }
            offsets.append(cols.count)
        }
        return CSRMatrix(rows: dense.rows, columns: dense.columns, rowOffsets: offsets, columnIndices: cols, values: vals)
    }
}
