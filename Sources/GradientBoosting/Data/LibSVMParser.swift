import DecimalText
/// libsvm text: `<label>[:<weight>] [qid:<n>] <index>:<value> …`; indices are used as given (0-based by
/// convention, as XGBoost does); `qid:<n>` gives the row's query (ranking); absent entries are missing values.
public enum LibSVMParser {
    public struct Parsed: Sendable {
        public var matrix: CSRMatrix
        public var labels: [Float]
        public var weights: [Float]?
        /// Query id of each row when the file has `qid:` tokens (every row must then have one).
        public var qids: [Int]?

        /// Query groups (XGBoost's group pointer) from `qids`, nil without qids.
        public func groups(file: String) throws -> [Int]? {
            try qids.map { try queryGroups(qids: $0, file: file) }
        }
    }

    public static func parse(file: String, hasLabel: Bool = true) throws -> Parsed {
        let bytes = try readFileBytes(file)
        return try parse(bytes: bytes, fileName: file, hasLabel: hasLabel)
    }

    public static func parse(bytes: [UInt8], fileName: String, hasLabel: Bool = true) throws -> Parsed {
        var offsets = [0]
        var idx: [UInt32] = []
        var vals: [Float] = []
        var labels: [Float] = []
        var weights: [Float] = []
        var anyWeight = false
        var maxCol = -1
        var qids: [Int] = []
        var rowsWithQid = 0
        try bytes.withUnsafeBufferPointer { buf in
            guard let p = buf.baseAddress else { return }
            let n = buf.count
            var i = 0
            var lineNo = 0
            while i < n {
                lineNo += 1
                var le = i
                while le < n && p[le] != 10 { le += 1 }
                var tokenStart = i
                var first = true
                var lineHasContent = false
                var lineQid: Int? = nil
                var hashAt = le
                for k in i..<le where p[k] == 35 { hashAt = k; break }  // '#' comment
                let lineEnd = hashAt
                while tokenStart < lineEnd {
                    while tokenStart < lineEnd && (p[tokenStart] == 32 || p[tokenStart] == 9 || p[tokenStart] == 13) { tokenStart += 1 }
                    if tokenStart >= lineEnd { break }
                    var te = tokenStart
                    while te < lineEnd && p[te] != 32 && p[te] != 9 && p[te] != 13 { te += 1 }
                    var colon = -1
                    for k in tokenStart..<te where p[k] == 58 { colon = k; break }
                    let text = { String(decoding: UnsafeBufferPointer(start: p + tokenStart, count: min(te - tokenStart, 40)), as: UTF8.self) }
                    if first && colon < 0 || (first && hasLabel && colon >= 0 && !isIndexToken(p, tokenStart, colon)) {
                        // label or label:weight
                        let labelEnd = colon >= 0 ? colon : te
                        guard let l = parseDecimal(p, tokenStart, labelEnd) else {
                            throw DataError(file: fileName, line: lineNo, message: "cannot parse label '\(text())'")
                        }
                        labels.append(Float(l))
                        if colon >= 0 {
                            guard let w = parseDecimal(p, colon + 1, te) else {
                                throw DataError(file: fileName, line: lineNo, message: "cannot parse weight in '\(text())'")
                            }
                            weights.append(Float(w)); anyWeight = true
                        } else {
                            weights.append(1)
                        }
                        lineHasContent = true
                    } else {
                        if first && hasLabel {
                            throw DataError(file: fileName, line: lineNo, message: "line starts with '\(text())', expected a label")
                        }
                        if first && !hasLabel { labels.append(0); weights.append(1) }
                        guard colon > tokenStart else {
                            throw DataError(file: fileName, line: lineNo, message: "expected index:value, found '\(text())'")
                        }
                        if colon - tokenStart == 3 && p[tokenStart] == 113 && p[tokenStart + 1] == 105 && p[tokenStart + 2] == 100 {
                            guard let q = parseDecimal(p, colon + 1, te), q == q.rounded(), abs(q) < 1e15 else {
                                throw DataError(file: fileName, line: lineNo, message: "cannot parse query id in '\(text())'")
                            }
                            lineQid = Int(q)
                        } else {
                            guard let j = parseDecimal(p, tokenStart, colon), j >= 0, j == j.rounded(), j < 4_294_967_295 else {
                                throw DataError(file: fileName, line: lineNo, message: "bad feature index in '\(text())'")
                            }
                            guard let v = parseDecimal(p, colon + 1, te) else {
                                throw DataError(file: fileName, line: lineNo, message: "cannot parse value in '\(text())'")
                            }
                            idx.append(UInt32(j)); vals.append(Float(v))
                            maxCol = max(maxCol, Int(j))
                        }
                        lineHasContent = true
                    }
                    first = false
                    tokenStart = te
                }
                if lineHasContent {
                    offsets.append(idx.count)
                    if let q = lineQid { rowsWithQid += 1; qids.append(q) } else { qids.append(0) }
                    if rowsWithQid > 0 && rowsWithQid != qids.count {
                        throw DataError(file: fileName, line: lineNo, message: "some rows have a qid and others not; give every row a qid")
                    }
                }
                i = le + 1
            }
        }
        let rows = offsets.count - 1
        if rows == 0 { throw DataError(file: fileName, line: 0, message: "file has no data rows") }
        let m = CSRMatrix(rows: rows, cols: maxCol + 1, rowOffsets: offsets, columnIndices: idx, values: vals)
        return Parsed(matrix: m, labels: labels, weights: anyWeight ? weights : nil, qids: rowsWithQid > 0 ? qids : nil)
    }

    /// In prediction input without labels, the first token may already be `idx:val`.
    static func isIndexToken(_ p: UnsafePointer<UInt8>, _ s: Int, _ colon: Int) -> Bool { false }
}
