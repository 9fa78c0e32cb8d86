/// Encodes one column of one row group into its pages (dictionary page, then v1 data pages).
struct ColumnEncoder {
    let field: ParquetField
    let leaf: ColumnDescriptor
    let options: WriterOptions

    struct Encoded: Sendable {
        var bytes: [UInt8]
        var meta: ColumnMetaData
        var dictionaryPageSize: Int?
    }

    /// Plain-encoded non-null values and statistics, built per type.
    private struct Leaf {
        var defs: [UInt8] = []
        var reps: [UInt8] = []
        var plain: [UInt8] = []           // PLAIN bytes of all non-null values
        var valueEnds: [Int] = []          // for variable-size values: end offset of each value in `plain`
        var fixedSize = 0                  // bytes per value when fixed
        var count = 0
        var min: [UInt8]?, max: [UInt8]?
        var bools: [Bool] = []
    }

    func encode(_ input: ColumnInput) throws -> Encoded {
        let rows = input.rowCount
        let valid = input.validity
        var leafData = Leaf()
        let maxDef = leaf.maxDefinitionLevel
        func isValid(_ r: Int) -> Bool { valid?[r] ?? true }
        func rowDefs() {
            if maxDef > 0 { leafData.defs = (0..<rows).map { isValid($0) ? UInt8(maxDef) : 0 } }
        }
        func fixed<T: BitwiseCopyable & Comparable>(_ v: [T], _ size: Int, _ less: (T, T) -> Bool, _ skip: (T) -> Bool) {
            rowDefs()
            leafData.fixedSize = size
            var lo: T?, hi: T?
            var packed = [T]()
            if valid == nil { packed = v } else { packed.reserveCapacity(rows); for r in 0..<rows where isValid(r) { packed.append(v[r]) } }
            packed.withUnsafeBufferPointer { b in
                for x in b where !skip(x) {
                    if lo == nil || less(x, lo!) { lo = x }
                    if hi == nil || less(hi!, x) { hi = x }
                }
            }
            leafData.count = packed.count
            leafData.plain = packed.withUnsafeBytes { Array($0) }
            if let lo, let hi {
                leafData.min = withUnsafeBytes(of: lo) { Array($0) }
                leafData.max = withUnsafeBytes(of: hi) { Array($0) }
            }
        }
        var byteValues: [[UInt8]] = []
        switch input.values {
        case .boolean(let v):
            rowDefs()
            leafData.bools = valid == nil ? v : (0..<rows).filter(isValid).map { v[$0] }
            leafData.count = leafData.bools.count
            if !leafData.bools.isEmpty {
                leafData.min = [leafData.bools.allSatisfy { $0 } ? 1 : 0]
                leafData.max = [leafData.bools.contains(true) ? 1 : 0]
            }
        case .int32(let v): fixed(v, 4, <) { _ in false }
        case .int64(let v): fixed(v, 8, <) { _ in false }
        case .float(let v): fixed(v, 4, <) { $0.isNaN }
        case .double(let v): fixed(v, 8, <) { $0.isNaN }
        case .string(let v):
            rowDefs()
            byteValues = (0..<rows).filter(isValid).map { Array(v[$0].utf8) }
        case .binary(let v):
            rowDefs()
            byteValues = (0..<rows).filter(isValid).map { v[$0] }
        case .floatList(let v):
            try listLevels(v.map(\.count), valid, &leafData)
            var all: [Float] = []
            for r in 0..<rows where isValid(r) { all += v[r] }
            stats(all, &leafData)
        case .doubleList(let v):
            try listLevels(v.map(\.count), valid, &leafData)
            var all: [Double] = []
            for r in 0..<rows where isValid(r) { all += v[r] }
            stats(all, &leafData)
        }
        if leaf.physicalType == .byteArray {
            leafData.count = byteValues.count
            var lo: [UInt8]?, hi: [UInt8]?
            for b in byteValues {
                if lo == nil || b.lexicographicallyPrecedes(lo!) { lo = b }
                if hi == nil || hi!.lexicographicallyPrecedes(b) { hi = b }
            }
            leafData.min = lo
            leafData.max = hi
        }
        return try pages(leafData, byteValues, rows: rows)
    }

    private func stats<T: BinaryFloatingPoint>(_ all: [T], _ leafData: inout Leaf) {
        leafData.fixedSize = MemoryLayout<T>.size
        leafData.count = all.count
        leafData.plain = all.withUnsafeBytes { Array($0) }
        let finite = all.filter { !$0.isNaN }
        if let lo = finite.min(), let hi = finite.max() {
            leafData.min = withUnsafeBytes(of: lo) { Array($0) }
            leafData.max = withUnsafeBytes(of: hi) { Array($0) }
        }
    }

    private func listLevels(_ counts: [Int], _ valid: [Bool]?, _ leafData: inout Leaf) throws {
        // optional list (def 1) > repeated list (def 2) > optional element (def 3); required list shifts by one.
        let listPresent = field.nullable ? 1 : 0
        for (r, n) in counts.enumerated() {
            if !(valid?[r] ?? true) {
                leafData.defs.append(0); leafData.reps.append(0)
            } else if n == 0 {
                leafData.defs.append(UInt8(listPresent)); leafData.reps.append(0)
            } else {
                for k in 0..<n {
                    leafData.defs.append(UInt8(leaf.maxDefinitionLevel))
                    leafData.reps.append(k == 0 ? 0 : 1)
                }
            }
        }
    }

    private func levelBytes(_ levels: ArraySlice<UInt8>, max: Int) -> [UInt8] {
        let width = max == 0 ? 0 : Int.bitWidth - max.leadingZeroBitCount
        var out: [UInt8] = [0, 0, 0, 0]
        let u = levels.map { UInt32($0) }
        u.withUnsafeBufferPointer { RLEHybridEncoder.encode($0, bitWidth: width, into: &out) }
        let n = UInt32(out.count - 4)
        out[0] = UInt8(n & 0xFF); out[1] = UInt8(n >> 8 & 0xFF); out[2] = UInt8(n >> 16 & 0xFF); out[3] = UInt8(n >> 24)
        return out
    }

    private func pages(_ d: Leaf, _ byteValues: [[UInt8]], rows: Int) throws -> Encoded {
        var out: [UInt8] = []
        var uncompressedTotal = 0
        var encodings: Set<Int32> = [Encoding.rle.rawValue]
        var dictionaryPageSize: Int?
        let codec = options.compression

        func emit(_ type: PageType, _ body: [UInt8], _ setup: (inout PageHeader) -> Void) throws {
            var h = PageHeader()
            h.type = type.rawValue
            h.uncompressedPageSize = Int32(body.count)
            let compressed = try body.withUnsafeBytes { try Codec.compress(codec, $0) }
            h.compressedPageSize = Int32(compressed.count)
            setup(&h)
            var w = ThriftCompactWriter()
            w.writePageHeader(h)
            w.stop()
            out += w.bytes
            out += compressed
            uncompressedTotal += w.bytes.count + body.count
        }

        // Dictionary for byte arrays.
        var indices: [UInt32]?
        var dictionaryCount = 0
        if leaf.physicalType == .byteArray && options.dictionaryForStrings && !byteValues.isEmpty {
            var map: [[UInt8]: UInt32] = [:]
            var dictBytes: [UInt8] = []
            var idx: [UInt32] = []
            idx.reserveCapacity(byteValues.count)
            var ok = true
            for b in byteValues {
                if let i = map[b] { idx.append(i); continue }
                let i = UInt32(map.count)
                map[b] = i
                dictBytes += plainBytes(b)
                idx.append(i)
                if dictBytes.count > options.dictionaryPageSizeLimit { ok = false; break }
            }
            if ok {
                let before = out.count
                try emit(.dictionaryPage, dictBytes) { h in
                    var dh = DictionaryPageHeader()
                    dh.numValues = Int32(map.count)
                    dh.encoding = Encoding.plain.rawValue
                    h.dictionaryPage = dh
                }
                dictionaryPageSize = out.count - before
                indices = idx
                dictionaryCount = map.count
                encodings.insert(Encoding.plain.rawValue)
                encodings.insert(Encoding.rleDictionary.rawValue)
            }
        }
        if indices == nil && options.dictionaryForNumbers && d.count > 0
            && [.int32, .int64, .float, .double].contains(leaf.physicalType) {
            let limit = Swift.max(1, options.dictionaryPageSizeLimit / d.fixedSize)
            let built: (indices: [UInt32], dictionary: [UInt8], count: Int)? = d.plain.withUnsafeBytes { raw in
                d.fixedSize == 4
                    ? NumberDictionary.build(raw.bindMemory(to: UInt32.self), limit: limit)
                    : NumberDictionary.build(raw.bindMemory(to: UInt64.self), limit: limit)
            }
            if let built {
                let before = out.count
                try emit(.dictionaryPage, built.dictionary) { h in
                    var dh = DictionaryPageHeader()
                    dh.numValues = Int32(built.count)
                    dh.encoding = Encoding.plain.rawValue
                    h.dictionaryPage = dh
                }
                dictionaryPageSize = out.count - before
                indices = built.indices
                dictionaryCount = built.count
                encodings.insert(Encoding.plain.rawValue)
                encodings.insert(Encoding.rleDictionary.rawValue)
            }
        }
        if indices == nil { encodings.insert(Encoding.plain.rawValue) }

        // Split into pages at row boundaries by estimated value bytes.
        let slotCount = d.defs.isEmpty ? rows : d.defs.count
        let valueBytes = d.plain.count + byteValues.reduce(0) { $0 + $1.count + 4 } + d.bools.count / 8
        let perSlot = Swift.max(1, valueBytes / Swift.max(1, slotCount))
        let slotsPerPage = Swift.max(1, options.dataPageSize / perSlot)
        var slot = 0
        var valueIndex = 0
        let maxDef = leaf.maxDefinitionLevel, maxRep = leaf.maxRepetitionLevel
        while slot < slotCount || (slotCount == 0 && slot == 0 && valueIndex == 0 && out.isEmpty) {
            var end = Swift.min(slotCount, slot + slotsPerPage)
            if maxRep > 0 { while end < slotCount && d.reps[end] != 0 { end += 1 } }
            var body: [UInt8] = []
            if maxRep > 0 { body += levelBytes(d.reps[slot..<end], max: maxRep) }
            var present = end - slot
            if maxDef > 0 {
                body += levelBytes(d.defs[slot..<end], max: maxDef)
                present = d.defs[slot..<end].reduce(0) { $0 + ($1 == UInt8(maxDef) ? 1 : 0) }
            }
            let range = valueIndex..<(valueIndex + present)
            if let indices {
                let width = dictionaryCount <= 1 ? 1 : Int.bitWidth - (dictionaryCount - 1).leadingZeroBitCount
                body.append(UInt8(width))
                Array(indices[range]).withUnsafeBufferPointer { RLEHybridEncoder.encode($0, bitWidth: width, into: &body) }
            } else if leaf.physicalType == .byteArray {
                for i in range { body += plainBytes(byteValues[i]) }
            } else if leaf.physicalType == .boolean {
                var bits = [UInt8](repeating: 0, count: (present + 7) / 8)
                for (k, i) in range.enumerated() where d.bools[i] { bits[k >> 3] |= 1 << UInt8(k & 7) }
                body += bits
            } else {
                body += d.plain[(range.lowerBound * d.fixedSize)..<(range.upperBound * d.fixedSize)]
            }
            let numValues = end - slot
            try emit(.dataPage, body) { h in
                var dh = DataPageHeader()
                dh.numValues = Int32(numValues)
                dh.encoding = indices != nil ? Encoding.rleDictionary.rawValue : Encoding.plain.rawValue
                dh.definitionLevelEncoding = Encoding.rle.rawValue
                dh.repetitionLevelEncoding = Encoding.rle.rawValue
                h.dataPage = dh
            }
            valueIndex += present
            slot = end
            if slotCount == 0 { break }
        }

        var meta = ColumnMetaData()
        meta.type = leaf.physicalType
        meta.encodings = encodings.sorted()
        meta.pathInSchema = leaf.path
        meta.codecRaw = codec.rawValue
        meta.numValues = Int64(slotCount)
        meta.totalUncompressedSize = Int64(uncompressedTotal)
        meta.totalCompressedSize = Int64(out.count)
        var st = Statistics()
        st.nullCount = Int64(slotCount - valueIndex)
        if leaf.physicalType == .byteArray {
            st.minValue = d.min; st.maxValue = d.max
        } else {
            st.minValue = d.min; st.maxValue = d.max
            st.min = d.min; st.max = d.max
        }
        meta.statistics = st
        return Encoded(bytes: out, meta: meta, dictionaryPageSize: dictionaryPageSize)
    }

    private func plainBytes(_ b: [UInt8]) -> [UInt8] {
        let n = UInt32(b.count)
        return [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)] + b
    }
}

/// Dictionary building for fixed-width numbers (by bit pattern) with an open-addressing hash table.
enum NumberDictionary {
    /// Returns nil when there are more than `limit` distinct values (the caller then writes PLAIN).
    static func build<K: FixedWidthInteger & UnsignedInteger>(_ values: UnsafeBufferPointer<K>, limit: Int)
        -> (indices: [UInt32], dictionary: [UInt8], count: Int)? {
        var capacity = 1024
        while capacity < Swift.min(2 * limit, 2 * values.count) { capacity <<= 1 }
        var keys = [K](repeating: 0, count: capacity)
        var slots = [UInt32](repeating: UInt32.max, count: capacity)  // dictionary index + 1 marker: max = empty
        var unique: [K] = []
        var indices = [UInt32](repeating: 0, count: values.count)
        var failed = false
        keys.withUnsafeMutableBufferPointer { kb in
            slots.withUnsafeMutableBufferPointer { sb in
                indices.withUnsafeMutableBufferPointer { ib in
                    let mask = capacity - 1
                    for (i, v) in values.enumerated() {
                        var h = Int(truncatingIfNeeded: (UInt64(v) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
                        while true {
                            let s = sb[h]
                            if s == UInt32.max {
                                if unique.count >= limit || unique.count * 2 >= capacity { failed = true; return }
                                kb[h] = v
                                sb[h] = UInt32(unique.count)
                                ib[i] = UInt32(unique.count)
                                unique.append(v)
                                break
                            }
                            if kb[h] == v { ib[i] = s; break }
                            h = (h + 1) & mask
                        }
                    }
                }
            }
        }
        if failed { return nil }
        return (indices, unique.withUnsafeBytes { Array($0) }, unique.count)
    }
}
