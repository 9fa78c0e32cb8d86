import DecimalText
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CSV as SageMaker's XGBoost reads it: no header, label in column 0, optionally the
/// instance weight in column 1 (`csv_weights=1`), features after; empty field = missing.
/// The delimiter is sniffed from the first line. Parsing runs in parallel over line-aligned chunks.
public enum CSVParser {
    public struct Options: Sendable {
        public var hasLabel: Bool = true
        public var hasWeights: Bool = false
        public var threads: Int = 2
        public init(hasLabel: Bool = true, hasWeights: Bool = false, threads: Int = 2) {
            self.hasLabel = hasLabel
            self.hasWeights = hasWeights
            self.threads = threads
        }
    }

    public static func parse(file: String, options: Options = Options()) throws -> LabeledData {
        let bytes = try readFileBytes(file)
        return try parse(bytes: bytes, fileName: file, options: options)
    }

    /// Sniffs the delimiter the way the container does: comma, tab, semicolon, pipe, else space.
    static func sniffDelimiter(_ line: UnsafeBufferPointer<UInt8>) -> UInt8 {
        for d: UInt8 in [44, 9, 59, 124] where line.contains(d) { return d }
        return 32
    }

    public static func parse(bytes: [UInt8], fileName: String, options: Options = Options()) throws -> LabeledData {
        try bytes.withUnsafeBufferPointer { buf in try parse(buffer: buf, fileName: fileName, options: options) }
    }

    struct Chunk {
        var start: Int
        var end: Int
        var firstPhysicalLine = 0  // 0-based physical line index of the chunk's first line
        var physicalLines = 0
        var rows = 0
        var firstRow = 0
    }

    public static func parse(buffer: UnsafeBufferPointer<UInt8>, fileName: String, options: Options) throws -> LabeledData {
        var n = buffer.count
        guard let base = buffer.baseAddress, n > 0 else {
            throw DataError(file: fileName, line: 0, message: "file is empty")
        }
        var begin = 0
        if n >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { begin = 3 }
        // first non-blank line decides delimiter and column count
        var ls = begin
        var firstLineNo = 1
        var le = ls
        while true {
            le = ls
            while le < n && base[le] != 10 { le += 1 }
            var e = le
            while e > ls && (base[e - 1] == 13 || base[e - 1] == 32) { e -= 1 }
            if e > ls || le >= n { break }
            ls = le + 1
            firstLineNo += 1
        }
        let firstLine = UnsafeBufferPointer(start: base + ls, count: le - ls)
        let delim = sniffDelimiter(firstLine)
        var totalCols = 1
        for b in firstLine where b == delim { totalCols += 1 }
        if delim == 32 {  // collapse runs of spaces
            totalCols = 0
            var inTok = false
            for b in firstLine { if b != 32 && b != 13 { if !inTok { totalCols += 1; inTok = true } } else { inTok = false } }
        }
        let lead = (options.hasLabel ? 1 : 0) + (options.hasWeights ? 1 : 0)
        let featureCols = totalCols - lead
        if featureCols < 1 && options.hasLabel && totalCols < lead {
            throw DataError(file: fileName, line: firstLineNo, message: "expected at least \(lead) columns, found \(totalCols)")
        }
        let fc = max(featureCols, 0)
        while n > begin && (base[n - 1] == 0) { n -= 1 }

        // line-aligned chunks
        let threads = max(1, options.threads)
        let chunkCount = max(1, min(threads * 16, n / (1 << 16)))
        var chunks: [Chunk] = []
        var s = begin
        for c in 0..<chunkCount {
            if s >= n { break }
            var e = c == chunkCount - 1 ? n : begin + (n - begin) * (c + 1) / chunkCount
            if e <= s { e = min(n, s + 1) }
            while e < n && base[e - 1] != 10 { e += 1 }
            chunks.append(Chunk(start: s, end: e))
            s = e
        }
        // pass 1: count rows (non-blank lines) and physical lines per chunk
        chunks.withUnsafeMutableBufferPointer { cb in
            let cp = SendablePointer(cb.baseAddress!)
            parallelFor(cb.count, threads: threads) { c in
                var i = cp.p[c].start
                let end = cp.p[c].end
                var rows = 0
                var phys = 0
                while i < end {
                    let lineEnd: Int
                    if let q = memchr(base + i, 10, end - i) {
                        lineEnd = base.distance(to: q.assumingMemoryBound(to: UInt8.self))
                    } else {
                        lineEnd = end
                    }
                    var j = lineEnd
                    while j > i && (base[j - 1] == 13 || base[j - 1] == 32) { j -= 1 }
                    if j > i { rows += 1 }
                    phys += 1
                    i = lineEnd + 1
                }
                cp.p[c].rows = rows
                cp.p[c].physicalLines = phys
            }
        }
        var rowsTotal = 0
        var physTotal = 0
        for c in 0..<chunks.count {
            chunks[c].firstRow = rowsTotal
            chunks[c].firstPhysicalLine = physTotal
            rowsTotal += chunks[c].rows
            physTotal += chunks[c].physicalLines
        }
        if rowsTotal == 0 { throw DataError(file: fileName, line: 0, message: "file has no data rows") }

        var values = [Float](repeating: 0, count: rowsTotal * fc)
        var labels = [Float](repeating: 0, count: options.hasLabel ? rowsTotal : 0)
        var weights = [Float](repeating: 1, count: options.hasWeights ? rowsTotal : 0)
        var errors = [DataError?](repeating: nil, count: chunks.count)
        let chunksCopy = chunks
        values.withUnsafeMutableBufferPointer { vb in
            labels.withUnsafeMutableBufferPointer { lb in
                weights.withUnsafeMutableBufferPointer { wb in
                    errors.withUnsafeMutableBufferPointer { eb in
                        let vp = SendablePointer(vb.baseAddress ?? UnsafeMutablePointer<Float>.allocate(capacity: 1))
                        let lp = SendablePointer(lb.baseAddress ?? UnsafeMutablePointer<Float>.allocate(capacity: 1))
                        let wp = SendablePointer(wb.baseAddress ?? UnsafeMutablePointer<Float>.allocate(capacity: 1))
                        let ep = SendablePointer(eb.baseAddress!)
                        parallelFor(chunksCopy.count, threads: threads) { c in
                            let ch = chunksCopy[c]
                            do {
                                try parseChunk(base: base, chunk: ch, delim: delim, totalCols: totalCols,
                                               featureCols: fc, options: options, fileName: fileName,
                                               values: vp.p, labels: lp.p, weights: wp.p)
                            } catch let e as DataError {
                                ep.p[c] = e
                            } catch {
                                ep.p[c] = DataError(file: fileName, line: 0, message: "\(error)")
                            }
                        }
                    }
                }
            }
        }
        for e in errors { if let e { throw e } }
        return LabeledData(features: DataMatrix(rows: rowsTotal, cols: fc, values: values),
                           labels: labels, weights: options.hasWeights ? weights : nil)
    }

    static func parseChunk(base: UnsafePointer<UInt8>, chunk: Chunk, delim: UInt8, totalCols: Int, featureCols: Int,
                           options: Options, fileName: String, values: UnsafeMutablePointer<Float>,
                           labels: UnsafeMutablePointer<Float>, weights: UnsafeMutablePointer<Float>) throws {
        var i = chunk.start
        let end = chunk.end
        var row = chunk.firstRow
        var lineNo = chunk.firstPhysicalLine + 1
        let lead = (options.hasLabel ? 1 : 0) + (options.hasWeights ? 1 : 0)
        while i < end {
            var lineEnd = i
            while lineEnd < end && base[lineEnd] != 10 { lineEnd += 1 }
            var le = lineEnd
            while le > i && (base[le - 1] == 13 || base[le - 1] == 32) { le -= 1 }
            if le > i {
                let out = values + row * featureCols
                var col = 0
                var fs = i
                if delim == 32 { while fs < le && base[fs] == 32 { fs += 1 } }
                while true {
                    var fe = fs
                    while fe < le && base[fe] != delim { fe += 1 }
                    if col >= totalCols {
                        throw DataError(file: fileName, line: lineNo,
                                        message: "expected \(totalCols) columns as on the first line, found more")
                    }
                    let v: Float
                    var blank = true
                    var k = fs
                    while k < fe { if base[k] != 32 && base[k] != 9 && base[k] != 13 { blank = false; break }; k += 1 }
                    if blank {
                        v = .nan
                    } else if let d = parseDecimal(base, fs, fe) {
                        v = Float(d)
                    } else {
                        let text = String(decoding: UnsafeBufferPointer(start: base + fs, count: min(fe - fs, 40)), as: UTF8.self)
                        throw DataError(file: fileName, line: lineNo,
                                        message: "column \(col + 1): cannot parse '\(text)' as a number")
                    }
                    if col < lead {
                        if options.hasLabel && col == 0 {
                            if v.isNaN { throw DataError(file: fileName, line: lineNo, message: "label (column 1) is missing") }
                            labels[row] = v
                        } else {
                            if v.isNaN { throw DataError(file: fileName, line: lineNo, message: "weight (column 2) is missing") }
                            weights[row] = v
                        }
                    } else {
                        out[col - lead] = v
                    }
                    col += 1
                    if fe >= le { break }
                    fs = fe + 1
                    if delim == 32 { while fs < le && base[fs] == 32 { fs += 1 } }
                }
                if col != totalCols {
                    throw DataError(file: fileName, line: lineNo,
                                    message: "expected \(totalCols) columns as on the first line, found \(col)")
                }
                row += 1
            }
            lineNo += 1
            i = lineEnd + 1
        }
    }
}
