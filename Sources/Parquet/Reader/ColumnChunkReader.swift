/// Limits that bound memory on hostile input. The defaults accept any real file.
public struct ReaderOptions: Sendable {
    /// Largest uncompressed page accepted.
    public var maxPageBytes: Int = 1 << 30
    /// Largest number of level slots accepted in one page.
    public var maxValuesPerPage: Int = 1 << 28
    public init() {}
}

/// Decodes the pages of one column chunk.
struct ColumnChunkReader {
    let descriptor: ColumnDescriptor
    let meta: ColumnMetaData
    let options: ReaderOptions
    let where_: String

    func read(_ chunk: [UInt8], expectedRows: Int) throws -> ColumnChunkData {
        guard let codec = meta.codec else { throw ParquetError.unsupported("compression codec #\(meta.codecRaw) in column \(where_)") }
        guard Codec.supports(codec) else {
            throw ParquetError.unsupported("compression codec \(codec) in column \(where_) (supported: UNCOMPRESSED, SNAPPY, GZIP, ZSTD)")
        }
        guard meta.type == descriptor.physicalType else {
            throw ParquetError.corrupt("column \(where_) chunk type \(meta.type) differs from the schema's \(descriptor.physicalType)")
        }
        guard meta.numValues >= 0 else { throw ParquetError.corrupt("column \(where_) has negative num_values") }
        let totalSlots = meta.numValues
        var out = ValueBuffers()
        var defs: [UInt8] = []
        var reps: [UInt8] = []
        var slots = 0
        var dictionary: ColumnValues?
        var pos = 0
        let maxDef = descriptor.maxDefinitionLevel, maxRep = descriptor.maxRepetitionLevel
        guard maxDef <= 255, maxRep <= 255 else { throw ParquetError.unsupported("nesting deeper than 255 levels in \(where_)") }
        let defWidth = bitWidth(maxDef), repWidth = bitWidth(maxRep)

        while Int64(slots) < totalSlots {
            guard pos < chunk.count else {
                throw ParquetError.corrupt("column \(where_) ends after \(slots) of \(totalSlots) values")
            }
            var tr = ThriftCompactReader(chunk, start: pos)
            let h = try tr.readPageHeader()
            pos = tr.bytesRead
            guard h.compressedPageSize >= 0, Int(h.compressedPageSize) <= chunk.count - pos else {
                throw ParquetError.corrupt("page of \(h.compressedPageSize) bytes overruns column \(where_)")
            }
            guard h.uncompressedPageSize >= 0, Int(h.uncompressedPageSize) <= options.maxPageBytes else {
                throw ParquetError.corrupt("page uncompressed size \(h.uncompressedPageSize) out of range in \(where_)")
            }
            let bodyRange = pos..<(pos + Int(h.compressedPageSize))
            pos = bodyRange.upperBound
            switch PageType(rawValue: h.type) {
            case .dictionaryPage?:
                guard let d = h.dictionaryPage else { throw ParquetError.corrupt("dictionary page without its header in \(where_)") }
                guard dictionary == nil else { throw ParquetError.corrupt("second dictionary page in \(where_)") }
                guard d.encoding == Encoding.plain.rawValue || d.encoding == Encoding.plainDictionary.rawValue else {
                    throw ParquetError.unsupported("dictionary page encoding \(Encoding.named(d.encoding)) in \(where_)")
                }
                guard d.numValues >= 0, Int(d.numValues) <= options.maxValuesPerPage else {
                    throw ParquetError.corrupt("dictionary of \(d.numValues) values in \(where_)")
                }
                let body = try chunk.withUnsafeBytes {
                    try Codec.decompress(codec, UnsafeRawBufferPointer(rebasing: $0[bodyRange]), uncompressedSize: Int(h.uncompressedPageSize))
                }
                var dv = ValueBuffers()
                try body.withUnsafeBytes {
                    _ = try ValueDecoding.plain($0, Int(d.numValues), descriptor.physicalType, typeLength: descriptor.typeLength, into: &dv)
                }
                dictionary = dv.finish(descriptor.physicalType)
            case .dataPage?:
                guard let d = h.dataPage else { throw ParquetError.corrupt("data page without its header in \(where_)") }
                let n = try checkedCount(d.numValues, slots, totalSlots)
                let body = try chunk.withUnsafeBytes {
                    try Codec.decompress(codec, UnsafeRawBufferPointer(rebasing: $0[bodyRange]), uncompressedSize: Int(h.uncompressedPageSize))
                }
                try body.withUnsafeBytes { raw in
                    var at = 0
                    if maxRep > 0 {
                        at += try levelsV1(raw, at, n, repWidth, d.repetitionLevelEncoding, maxRep, &reps, "repetition")
                    }
                    var present = n
                    if maxDef > 0 {
                        let start = defs.count
                        at += try levelsV1(raw, at, n, defWidth, d.definitionLevelEncoding, maxDef, &defs, "definition")
                        present = countPresent(defs, from: start, maxDef)
                    }
                    try decodeValues(UnsafeRawBufferPointer(rebasing: raw[at...]), present, d.encoding, dictionary, &out)
                }
                slots += n
            case .dataPageV2?:
                guard let d = h.dataPageV2 else { throw ParquetError.corrupt("data page v2 without its header in \(where_)") }
                let n = try checkedCount(d.numValues, slots, totalSlots)
                let rl = Int(d.repetitionLevelsByteLength), dl = Int(d.definitionLevelsByteLength)
                guard rl >= 0, dl >= 0, rl + dl <= bodyRange.count, rl + dl <= Int(h.uncompressedPageSize) else {
                    throw ParquetError.corrupt("data page v2 level lengths \(rl)+\(dl) exceed the page in \(where_)")
                }
                try chunk.withUnsafeBytes { all in
                    let page = UnsafeRawBufferPointer(rebasing: all[bodyRange])
                    if maxRep > 0 {
                        try levelsRLE(UnsafeRawBufferPointer(rebasing: page[0..<rl]), n, repWidth, maxRep, &reps, "repetition")
                    }
                    var present = n
                    if maxDef > 0 {
                        let start = defs.count
                        try levelsRLE(UnsafeRawBufferPointer(rebasing: page[rl..<(rl + dl)]), n, defWidth, maxDef, &defs, "definition")
                        present = countPresent(defs, from: start, maxDef)
                    }
                    let valuesRaw = UnsafeRawBufferPointer(rebasing: page[(rl + dl)...])
                    let valueSize = Int(h.uncompressedPageSize) - rl - dl
                    if d.isCompressed && codec != .uncompressed {
                        let body = try Codec.decompress(codec, valuesRaw, uncompressedSize: valueSize)
                        try body.withUnsafeBytes { try decodeValues($0, present, d.encoding, dictionary, &out) }
                    } else {
                        try decodeValues(valuesRaw, present, d.encoding, dictionary, &out)
                    }
                }
                slots += n
            default:
                continue  // index pages and unknown page kinds are skipped
            }
        }
        if maxRep == 0 && slots != expectedRows {
            throw ParquetError.corrupt("column \(where_) holds \(slots) values for a row group of \(expectedRows) rows")
        }
        return ColumnChunkData(descriptor: descriptor, values: out.finish(descriptor.physicalType),
                               definitionLevels: defs, repetitionLevels: reps, slotCount: slots)
    }

    private func checkedCount(_ n: Int32, _ slots: Int, _ total: Int64) throws -> Int {
        guard n >= 0, Int(n) <= options.maxValuesPerPage, Int64(slots) + Int64(n) <= total else {
            throw ParquetError.corrupt("page of \(n) values after \(slots) of \(total) in \(where_)")
        }
        return Int(n)
    }

    private func bitWidth(_ maxLevel: Int) -> Int {
        maxLevel == 0 ? 0 : Int.bitWidth - maxLevel.leadingZeroBitCount
    }

    private func countPresent(_ levels: [UInt8], from start: Int, _ maxDef: Int) -> Int {
        var c = 0
        let m = UInt8(maxDef)
        levels.withUnsafeBufferPointer { b in
            for i in start..<b.count where b[i] == m { c += 1 }
        }
        return c
    }

    /// v1 levels: a 4-byte length then RLE data (or legacy BIT_PACKED). Returns the bytes used.
    private func levelsV1(_ raw: UnsafeRawBufferPointer, _ at: Int, _ n: Int, _ width: Int, _ encoding: Int32, _ maxLevel: Int,
                          _ into: inout [UInt8], _ what: String) throws -> Int {
        if encoding == Encoding.bitPacked.rawValue {
            let bytes = (n * width + 7) / 8
            guard raw.count - at >= bytes else { throw ParquetError.corrupt("\(what) levels truncated in \(where_)") }
            let p = raw.baseAddress! + at
            for i in 0..<n {
                var v = 0
                for b in 0..<width {  // legacy BIT_PACKED is most-significant bit first
                    let bit = i * width + b
                    v = v << 1 | Int((p.load(fromByteOffset: bit >> 3, as: UInt8.self) >> UInt8(7 - bit & 7)) & 1)
                }
                guard v <= maxLevel else { throw ParquetError.corrupt("\(what) level \(v) > \(maxLevel) in \(where_)") }
                into.append(UInt8(v))
            }
            return bytes
        }
        guard encoding == Encoding.rle.rawValue else {
            throw ParquetError.unsupported("\(what) level encoding \(Encoding.named(encoding)) in \(where_)")
        }
        guard raw.count - at >= 4 else { throw ParquetError.corrupt("\(what) levels length truncated in \(where_)") }
        let len = Int(raw.loadUnaligned(fromByteOffset: at, as: UInt32.self))
        guard len <= raw.count - at - 4 else { throw ParquetError.corrupt("\(what) levels of \(len) bytes overrun the page in \(where_)") }
        try levelsRLE(UnsafeRawBufferPointer(rebasing: raw[(at + 4)..<(at + 4 + len)]), n, width, maxLevel, &into, what)
        return 4 + len
    }

    private func levelsRLE(_ raw: UnsafeRawBufferPointer, _ n: Int, _ width: Int, _ maxLevel: Int,
                           _ into: inout [UInt8], _ what: String) throws {
        var dec = try RLEHybridDecoder(raw, bitWidth: width)
        let start = into.count
        into.append(contentsOf: repeatElement(0, count: n))
        try into.withUnsafeMutableBufferPointer { b in
            guard n > 0 else { return }
            try dec.decode(into: b.baseAddress! + start, n)
            let m = UInt8(maxLevel)
            var bad = false
            for i in start..<(start + n) where b[i] > m { bad = true }
            if bad { throw ParquetError.corrupt("\(what) level above \(maxLevel) in \(where_)") }
        }
    }

    private func decodeValues(_ raw: UnsafeRawBufferPointer, _ n: Int, _ encodingRaw: Int32, _ dictionary: ColumnValues?,
                              _ out: inout ValueBuffers) throws {
        let type = descriptor.physicalType
        guard let encoding = Encoding(rawValue: encodingRaw) else {
            throw ParquetError.unsupported("value encoding #\(encodingRaw) in \(where_)")
        }
        func wrong() -> ParquetError { .unsupported("encoding \(encoding) for \(type) column \(where_)") }
        switch encoding {
        case .plain:
            try ValueDecoding.plain(raw, n, type, typeLength: descriptor.typeLength, into: &out)
        case .plainDictionary, .rleDictionary:
            guard let dictionary else { throw ParquetError.corrupt("dictionary-encoded page without a dictionary page in \(where_)") }
            guard n > 0 else { return }
            guard raw.count >= 1 else { throw ParquetError.corrupt("dictionary indices missing in \(where_)") }
            let width = Int(raw[0])
            var dec = try RLEHybridDecoder(UnsafeRawBufferPointer(rebasing: raw[1...]), bitWidth: width)
            let idx: [UInt32] = try dec.decode(n)
            try gather(dictionary, idx, &out)
        case .rle:
            guard type == .boolean else { throw wrong() }
            guard raw.count >= 4 else { throw ParquetError.corrupt("RLE boolean length truncated in \(where_)") }
            let len = Int(raw.loadUnaligned(as: UInt32.self))
            guard len <= raw.count - 4 else { throw ParquetError.corrupt("RLE boolean data overruns the page in \(where_)") }
            var dec = try RLEHybridDecoder(UnsafeRawBufferPointer(rebasing: raw[4..<(4 + len)]), bitWidth: 1)
            let v: [UInt8] = try dec.decode(n)
            out.bools.append(contentsOf: v.lazy.map { $0 != 0 })
        case .deltaBinaryPacked:
            let (v, _) = try ValueDecoding.deltaBinaryPacked(raw, maxValues: n)
            guard v.count == n else { throw ParquetError.corrupt("DELTA_BINARY_PACKED page has \(v.count) of \(n) values in \(where_)") }
            switch type {
            case .int32: out.i32.append(contentsOf: v.lazy.map { Int32(truncatingIfNeeded: $0) })
            case .int64: out.i64.append(contentsOf: v)
            default: throw wrong()
            }
        case .deltaLengthByteArray:
            guard type == .byteArray else { throw wrong() }
            _ = try ValueDecoding.deltaLengthByteArray(raw, n, into: &out.bytes)
        case .deltaByteArray:
            guard type == .byteArray || type == .fixedLenByteArray else { throw wrong() }
            let before = out.bytes.count
            try ValueDecoding.deltaByteArray(raw, n, into: &out.bytes)
            if type == .fixedLenByteArray {
                for i in before..<out.bytes.count where out.bytes[i].count != descriptor.typeLength {
                    throw ParquetError.corrupt("DELTA_BYTE_ARRAY value of wrong length in FIXED_LEN_BYTE_ARRAY column \(where_)")
                }
            }
        case .byteStreamSplit:
            try ValueDecoding.byteStreamSplit(raw, n, type, typeLength: descriptor.typeLength, into: &out)
        case .bitPacked:
            throw wrong()
        }
    }

    private func gather(_ dict: ColumnValues, _ idx: [UInt32], _ out: inout ValueBuffers) throws {
        let count = dict.count
        for i in idx where Int(i) >= count {
            throw ParquetError.corrupt("dictionary index \(i) >= dictionary size \(count) in \(where_)")
        }
        func take<T>(_ d: [T]) -> [T] {
            d.withUnsafeBufferPointer { dp in
                [T](unsafeUninitializedCapacity: idx.count) { buf, c in
                    for (k, i) in idx.enumerated() { (buf.baseAddress! + k).initialize(to: dp[Int(i)]) }
                    c = idx.count
                }
            }
        }
        switch dict {
        case .boolean(let d): out.bools.append(contentsOf: take(d))
        case .int32(let d): out.i32.append(contentsOf: take(d))
        case .int64(let d): out.i64.append(contentsOf: take(d))
        case .int96(let d): out.i96.append(contentsOf: take(d))
        case .float(let d): out.f32.append(contentsOf: take(d))
        case .double(let d): out.f64.append(contentsOf: take(d))
        case .byteArray(let d), .fixedLenByteArray(let d):
            for i in idx { out.bytes.append(d[Int(i)]) }
        }
    }
}
