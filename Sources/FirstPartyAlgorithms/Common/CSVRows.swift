import Foundation

/// Dense CSV as the first-party containers read it: no header, comma separated, the first `labelSize` columns
/// are labels (only the first one is used), the rest features. Errors name the file and line.
enum CSVRows {
    struct RowError: Error {
        var line: Int
        var message: String
    }

    /// Parses `bytes` and appends every row to `rows`.
    static func read(_ bytes: [UInt8], labelSize: Int, into rows: inout TrainingRows) throws(RowError) {
        var buffer = bytes
        buffer.append(0)  // strtof needs a terminator after the last number
        let width = rows.width
        var row = [Float](repeating: 0, count: width)
        var line = 0
        try buffer.withUnsafeMutableBufferPointer { (buf) throws(RowError) in
            let base = UnsafeMutableRawPointer(buf.baseAddress!).assumingMemoryBound(to: CChar.self)
            let end = bytes.count
            var p = 0
            while p < end {
                line += 1
                var lineEnd = p
                while lineEnd < end, buf[lineEnd] != 10 { lineEnd += 1 }
                var contentEnd = lineEnd
                if contentEnd > p, buf[contentEnd - 1] == 13 { contentEnd -= 1 }
                if contentEnd == p || (contentEnd - p == 1 && buf[p] == 32) {  // blank line
                    p = lineEnd + 1
                    continue
                }
                var column = 0
                var label: Float? = nil
                var q = p
                while true {
                    // One field: a number, surrounded by optional spaces.
                    while q < contentEnd, buf[q] == 32 || buf[q] == 9 { q += 1 }
                    var next: UnsafeMutablePointer<CChar>? = nil
                    let start = base + q
                    let value: Float
                    if q >= contentEnd || buf[q] == 44 {
                        throw RowError(line: line, message: "empty value in column \(column + 1) (the first-party algorithms need every value)")
                    }
                    value = strtof(start, &next)
                    let consumed = next! - start
                    if consumed == 0 {
                        let field = String(decoding: buf[q ..< min(contentEnd, q + 24)].prefix { $0 != 44 }, as: UTF8.self)
                        throw RowError(line: line, message: "could not convert '\(field)' in column \(column + 1) to a number")
                    }
                    q += consumed
                    while q < contentEnd, buf[q] == 32 || buf[q] == 9 { q += 1 }
                    if column < labelSize {
                        if column == 0 { label = value }
                    } else {
                        let j = column - labelSize
                        guard j < width else {
                            throw RowError(line: line, message: "the row has more than \(width) features (feature_dim = \(width))")
                        }
                        row[j] = value
                    }
                    column += 1
                    if q >= contentEnd { break }
                    guard buf[q] == 44 else {
                        let field = String(decoding: buf[p ..< contentEnd].prefix(40), as: UTF8.self)
                        throw RowError(line: line, message: "could not parse the row '\(field)' as comma-separated numbers")
                    }
                    q += 1
                }
                let features = column - labelSize
                guard features == width else {
                    throw RowError(line: line, message: "the row has \(max(0, features)) features, expected feature_dim = \(width)")
                }
                if !allFinite(row) {
                    throw RowError(line: line, message: "the row has a non-finite value (NaN or infinity)")
                }
                row.withUnsafeBufferPointer { rows.append(dense: $0, label: label) }
                p = lineEnd + 1
            }
        }
    }

    /// The number of comma-separated columns of the first non-blank line (to infer feature_dim).
    static func columnCount(_ bytes: [UInt8]) -> Int? {
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: 10) ?? bytes.count
            let line = bytes[start ..< end].filter { $0 != 13 && $0 != 32 }
            if !line.isEmpty { return line.reduce(1) { $0 + ($1 == 44 ? 1 : 0) } }
            start = end + 1
        }
        return nil
    }

    private static func allFinite(_ row: [Float]) -> Bool {
        var ok = true
        for v in row where !v.isFinite { ok = false }
        return ok
    }
}
