import DecimalText
import Foundation

/// Dense CSV as the first-party containers read it: no header, comma separated, the first `labelSize` columns
/// are labels (only the first one is used), the rest features. Errors name the file and line.
enum CSVRows {
    struct RowError: Error {
        var line: Int
        var message: String
    }

    /// Parses `bytes` and appends every row to `rows`. Pieces of about 4 MiB, cut at line ends, are parsed
    /// on all cores and appended in file order; the first bad row in file order is the one reported.
    static func read(_ bytes: [UInt8], labelSize: Int, into rows: inout TrainingRows) throws(RowError) {
        let total = bytes.count
        var pieces: [Range<Int>] = []
        let pieceCount = max(1, min(256, total / (4 << 20)))
        var from = 0
        for k in 1 ... pieceCount {
            var to = k == pieceCount ? total : total * k / pieceCount
            while to < total, to > 0, bytes[to - 1] != 10 { to += 1 }
            if to > from { pieces.append(from ..< to) }
            from = to
        }
        var results = [Result<Piece, RowError>?](repeating: nil, count: pieces.count)
        let layout = rows.layout, width = rows.width, ranges = pieces
        bytes.withUnsafeBufferPointer { buf in
            results.withUnsafeMutableBufferPointer { out in
                let slots = UnsafeSlots(out.baseAddress!), source = UnsafeSlots(UnsafeMutablePointer(mutating: buf.baseAddress!))
                DispatchQueue.concurrentPerform(iterations: ranges.count) { k in
                    slots.base[k] = Result { () throws(RowError) in
                        try parse(UnsafeBufferPointer(start: source.base, count: total), ranges[k], labelSize: labelSize,
                                  layout: layout, width: width)
                    }
                }
            }
        }
        var linesBefore = 0
        for result in results {
            switch result! {
            case .success(let piece):
                rows.append(contentsOf: piece.rows)
                linesBefore += piece.lines
            case .failure(let error):
                throw RowError(line: linesBefore + error.line, message: error.message)
            }
        }
    }

    /// The rows of one piece of a file and how many lines it had.
    struct Piece {
        var rows: TrainingRows
        var lines: Int
    }

    /// A pointer handed to the parallel parsers, each writing its own slot.
    private struct UnsafeSlots<T>: @unchecked Sendable {
        let base: UnsafeMutablePointer<T>
        init(_ base: UnsafeMutablePointer<T>) { self.base = base }
    }

    /// Parses the lines in `range` of `buf`; line numbers count from the piece's start.
    private static func parse(_ buf: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, labelSize: Int,
                              layout: TrainingRows.Layout, width: Int) throws(RowError) -> Piece {
        var rows = TrainingRows(layout: layout, width: width)
        var row = [Float](repeating: 0, count: width)
        var line = 0
        let base = buf.baseAddress!
        let end = range.upperBound
        var p = range.lowerBound
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
                var fieldEnd = q
                while fieldEnd < contentEnd, buf[fieldEnd] != 44 { fieldEnd += 1 }
                var first = q
                while first < fieldEnd, buf[first] == 32 || buf[first] == 9 { first += 1 }
                if first == fieldEnd {
                    throw RowError(line: line, message: "empty value in column \(column + 1) (the first-party algorithms need every value)")
                }
                guard let number = parseDecimal(base, q, fieldEnd) else {
                    let field = String(decoding: buf[first ..< min(fieldEnd, first + 24)], as: UTF8.self)
                    throw RowError(line: line, message: "could not convert '\(field)' in column \(column + 1) to a number")
                }
                let value = Float(number)
                q = fieldEnd
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
                q += 1  // the comma
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
        return Piece(rows: rows, lines: line)
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
