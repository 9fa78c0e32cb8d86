import Foundation
import GradientBoosting
import ModelServing
import RecordIO
import TrainingRuntime

/// Serves SageMaker XGBoost models in-process: the request and response formats of `sagemaker-xgboost:1.7-1`
/// (csv, libsvm and RecordIO-protobuf in; csv, json, jsonlines and RecordIO-protobuf out).
public struct XGBoostModelLoader: ModelLoader {
    public init() {}

    public func serves(image: String) -> Bool { BuiltInAlgorithm.resolve(image: image)?.name == "xgboost" }

    public func load(modelDirectory: URL, environment: [String: String]) throws -> any ServableModel {
        try load(modelDirectory: modelDirectory, environment: environment, image: "sagemaker-xgboost:1.7-1")
    }

    /// The legacy `xgboost:1` image (XGBoost 0.72) and sagemaker-xgboost 0.90/1.0/1.2-1 answered every request
    /// with one comma-joined line of predictions, whatever the Accept; sagemaker-spark's deserializer reads that.
    static func answersOneCSVLine(image: String) -> Bool {
        let nameAndTag = image.split(separator: "/").last.map(String.init) ?? image
        let parts = nameAndTag.split(separator: ":", maxSplits: 1).map(String.init)
        let tag = parts.count > 1 ? parts[1] : "latest"
        switch parts[0] {
        case "xgboost": return true
        case "sagemaker-xgboost": return tag.hasPrefix("0.") || tag.hasPrefix("1.0-") || tag == "1.2-1"
        default: return false
        }
    }

    public func load(modelDirectory: URL, environment: [String: String], image: String) throws -> any ServableModel {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: modelDirectory.path)) ?? [])
            .filter { !$0.hasPrefix(".") }.sorted()
        var boosters: [Booster] = []
        for name in files {
            let path = modelDirectory.appendingPathComponent(name).path
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else { continue }
            do { boosters.append(try Booster.load(from: path)) } catch {
                throw InvocationFailure(status: 500, "Unable to load model \(name): \(error) (Kiln loads XGBoost JSON, UBJSON and legacy binary models)")
            }
        }
        guard !boosters.isEmpty else { throw InvocationFailure(status: 500, "No model file found in the model archive") }
        let ensemble = (environment["SAGEMAKER_INFERENCE_ENSEMBLE"] ?? "true").lowercased() != "false"
        return XGBoostServable(boosters: ensemble ? boosters : [boosters[0]],
                               defaultAccept: environment["SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT"] ?? "text/csv",
                               oneCSVLine: Self.answersOneCSVLine(image: image))
    }
}

struct XGBoostServable: ServableModel {
    let boosters: [Booster]
    let defaultAccept: String
    var oneCSVLine = false
    var numFeature: Int { boosters.map(\.numFeature).max() ?? 0 }

    func invoke(_ body: [UInt8], contentType: String?, accept: String?) throws -> (body: [UInt8], contentType: String) {
        let x = try XGBoostRequest.parse(body, contentType: contentType, numFeature: numFeature)
        // Requests run concurrently already; only big batches are worth splitting across threads.
        let threads = x.rows >= 256 ? 2 : 1
        var (values, width) = boosters[0].predict(x, threads: threads)
        if boosters.count > 1 {
            for b in boosters.dropFirst() {
                let (more, _) = b.predict(x, threads: threads)
                for i in values.indices { values[i] += more[i] }
            }
            for i in values.indices { values[i] /= Float(boosters.count) }
        }
        if oneCSVLine { return (Array(values.map { $0.description }.joined(separator: ",").utf8), "text/csv") }
        let mime = MediaType.essence(accept)
        let chosen = (mime.isEmpty || mime == "*/*") ? defaultAccept : mime
        return (try XGBoostResponse.encode(values, width: width, rows: x.rows, accept: chosen), chosen)
    }
}

enum XGBoostRequest {
    static func parse(_ body: [UInt8], contentType: String?, numFeature: Int) throws -> DataMatrix {
        let mime = MediaType.essence(contentType)
        let matrix: DataMatrix
        switch mime {
        case "text/csv", "csv": matrix = try csv(body)
        case "text/libsvm", "text/x-libsvm", "libsvm": matrix = try libsvm(body)
        case "application/x-recordio-protobuf", "recordio-protobuf": matrix = try recordio(body)
        default:
            throw InvocationFailure(status: 415, "Content type \(contentType ?? "(none)") is not supported by this model; use text/csv, text/libsvm or application/x-recordio-protobuf")
        }
        if matrix.cols > numFeature {
            throw InvocationFailure(status: 400, "Feature size of \(mime) inference data \(matrix.cols) is not consistent with feature size of trained model \(numFeature).")
        }
        return matrix.cols < numFeature ? matrix.resized(cols: numFeature) : matrix
    }

    static func lines(_ body: [UInt8]) -> [Substring] {
        String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            .split(separator: "\n", omittingEmptySubsequences: true)
    }

    /// Byte-level CSV (one request is often one short row, so per-cell String work dominated the request).
    static func csv(_ body: [UInt8]) throws -> DataMatrix {
        // Large comma-separated payloads (batch transform's mini-batches) take the training parser's parallel path;
        // anything it rejects is parsed again below, so error messages stay the container's.
        if body.count >= 4096, let newline = body.firstIndex(of: 10) ?? Optional(body.count), body[..<newline].contains(44),
           let parsed = try? CSVParser.parse(bytes: body, fileName: "request", options: .init(hasLabel: false, threads: body.count >= 1 << 20 ? 2 : 1)) {
            return parsed.features
        }
        var buffer = body
        buffer.append(0)  // strtof reads up to a non-number; the terminator bounds the last cell
        return try buffer.withUnsafeMutableBufferPointer { buf throws -> DataMatrix in
            let n = body.count
            let base = UnsafeMutableRawPointer(buf.baseAddress!).assumingMemoryBound(to: CChar.self)
            func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 13 || (c == 9) }
            // The delimiter is decided on the first non-blank line: comma, else tab, else semicolon.
            var delimiter: UInt8 = 44
            var p = 0
            while p < n, buf[p] == 10 || isSpace(buf[p]) { p += 1 }
            var q = p
            var sawTab = false, sawSemicolon = false, sawComma = false
            while q < n, buf[q] != 10 {
                if buf[q] == 44 { sawComma = true } else if buf[q] == 9 { sawTab = true } else if buf[q] == 59 { sawSemicolon = true }
                q += 1
            }
            if !sawComma { delimiter = sawTab ? 9 : (sawSemicolon ? 59 : 44) }
            var values: [Float] = []
            var cols = -1
            var row = 0
            while p < n {
                var end = p
                while end < n, buf[end] != 10 { end += 1 }
                var lineEnd = end
                while lineEnd > p, isSpace(buf[lineEnd - 1]) && buf[lineEnd - 1] != delimiter { lineEnd -= 1 }
                if lineEnd == p { p = end + 1; continue }  // blank line
                row += 1
                var cells = 0
                var c = p
                while true {
                    var cellEnd = c
                    while cellEnd < lineEnd, buf[cellEnd] != delimiter { cellEnd += 1 }
                    var a = c, b = cellEnd
                    while a < b, buf[a] == 32 || (buf[a] == 9 && delimiter != 9) { a += 1 }
                    while b > a, buf[b - 1] == 32 || (buf[b - 1] == 9 && delimiter != 9) { b -= 1 }
                    if a == b {
                        values.append(.nan)
                    } else {
                        let saved = buf[b]
                        buf[b] = 0
                        var next: UnsafeMutablePointer<CChar>? = nil
                        let v = strtof(base + a, &next)
                        buf[b] = saved
                        guard next! - (base + a) == b - a else {
                            let text = String(decoding: UnsafeBufferPointer(rebasing: buf[a ..< b]), as: UTF8.self)
                            throw InvocationFailure(status: 400, "Loading csv data failed: could not convert '\(text)' to a number on row \(row)")
                        }
                        values.append(v)
                    }
                    cells += 1
                    if cellEnd >= lineEnd { break }
                    c = cellEnd + 1
                }
                if cols < 0 { cols = cells }
                guard cells == cols else {
                    throw InvocationFailure(status: 400, "Loading csv data failed: row \(row) has \(cells) columns, expected \(cols)")
                }
                p = end + 1
            }
            return DataMatrix(rows: row, cols: max(cols, 0), values: values)
        }
    }

    static func libsvm(_ body: [UInt8]) throws -> DataMatrix {
        var entries: [[(Int, Float)]] = []
        var cols = 0
        for (i, line) in lines(body).enumerated() {
            var row: [(Int, Float)] = []
            for token in line.split(separator: " ") where token.contains(":") {
                let kv = token.split(separator: ":")
                guard kv.count == 2, let k = Int(kv[0]), k >= 0, let v = Float(kv[1]) else {
                    throw InvocationFailure(status: 400, "Loading libsvm data failed: bad token '\(token)' on row \(i + 1)")
                }
                row.append((k, v))
                cols = max(cols, k + 1)
            }
            entries.append(row)
        }
        var values = [Float](repeating: .nan, count: entries.count * cols)
        for (r, row) in entries.enumerated() { for (k, v) in row { values[r * cols + k] = v } }
        return DataMatrix(rows: entries.count, cols: cols, values: values)
    }

    static func recordio(_ body: [UInt8]) throws -> DataMatrix {
        do {
            let records = try RecordIOStream.records(body)
            var width = 0
            for r in records {
                guard let f = r.features["values"] else { continue }
                width = max(width, f.keys.isEmpty ? f.floatValues.count : Int(f.shape.first ?? 0))
            }
            var values: [Float] = []
            for r in records { values += try (r.features["values"] ?? .dense([])).denseRow(width: width) }
            return DataMatrix(rows: records.count, cols: width, values: values)
        } catch {
            throw InvocationFailure(status: 400, "Loading recordio-protobuf data failed: \(error)")
        }
    }
}

enum XGBoostResponse {
    /// Python's repr of the float32 prediction widened to double (shortest round-trip), as the container prints.
    static func repr(_ v: Float) -> String { Double(v).description }

    static func encode(_ values: [Float], width: Int, rows: Int, accept: String) throws -> [UInt8] {
        func row(_ r: Int) -> ArraySlice<Float> { values[(r * width)..<((r + 1) * width)] }
        switch accept {
        case "text/csv":
            var out = ""
            for r in 0..<rows { out += row(r).map(repr).joined(separator: ",") + "\n" }
            return Array(out.utf8)
        case "application/json":
            let items = (0..<rows).map { r -> String in
                width == 1 ? "{\"score\": \(repr(row(r).first!))}" : "{\"score\": [\(row(r).map(repr).joined(separator: ", "))]}"
            }
            return Array("{\"predictions\": [\(items.joined(separator: ", "))]}".utf8)
        case "application/jsonlines":
            var out = ""
            for r in 0..<rows {
                out += width == 1 ? "{\"score\": \(repr(row(r).first!))}\n" : "{\"score\": [\(row(r).map(repr).joined(separator: ", "))]}\n"
            }
            return Array(out.utf8)
        case "application/x-recordio-protobuf":
            return try RecordIOStream.encode((0..<rows).map { AmazonRecord(label: ["score": .dense(Array(row($0)))]) })
        default:
            throw InvocationFailure(status: 406, "Accept type \(accept) is not supported; use text/csv, application/json, application/jsonlines or application/x-recordio-protobuf")
        }
    }
}
