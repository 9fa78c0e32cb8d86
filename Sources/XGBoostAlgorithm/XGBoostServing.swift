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
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: modelDirectory.path)) ?? [])
            .filter { !$0.hasPrefix(".") }.sorted()
        var boosters: [Booster] = []
        for name in files {
            let path = modelDirectory.appendingPathComponent(name).path
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else { continue }
            do { boosters.append(try Booster.load(from: path)) } catch {
                throw InvocationFailure(status: 500, "Unable to load model \(name): \(error) (Kiln loads XGBoost JSON models)")
            }
        }
        guard !boosters.isEmpty else { throw InvocationFailure(status: 500, "No model file found in the model archive") }
        let ensemble = (environment["SAGEMAKER_INFERENCE_ENSEMBLE"] ?? "true").lowercased() != "false"
        return XGBoostServable(boosters: ensemble ? boosters : [boosters[0]],
                               defaultAccept: environment["SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT"] ?? "text/csv")
    }
}

struct XGBoostServable: ServableModel {
    let boosters: [Booster]
    let defaultAccept: String
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
        let mime = (accept ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let chosen = (mime.isEmpty || mime == "*/*") ? defaultAccept : mime
        return (try XGBoostResponse.encode(values, width: width, rows: x.rows, accept: chosen), chosen)
    }
}

enum XGBoostRequest {
    static func parse(_ body: [UInt8], contentType: String?, numFeature: Int) throws -> DataMatrix {
        let mime = (contentType ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
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

    static func csv(_ body: [UInt8]) throws -> DataMatrix {
        // Large comma-separated payloads (batch transform's mini-batches) take the training parser's byte-level path;
        // anything it rejects is parsed again below, so error messages stay the container's.
        if body.count >= 4096, let newline = body.firstIndex(of: 10) ?? Optional(body.count), body[..<newline].contains(44),
           let parsed = try? CSVParser.parse(bytes: body, fileName: "request", options: .init(hasLabel: false, threads: body.count >= 1 << 20 ? 2 : 1)) {
            return parsed.features
        }
        let rows = lines(body)
        guard let first = rows.first else { return DataMatrix(rows: 0, cols: 0, values: []) }
        let delimiter: Character = first.contains(",") ? "," : (first.contains("\t") ? "\t" : (first.contains(";") ? ";" : ","))
        var values: [Float] = []
        var cols = -1
        for (i, line) in rows.enumerated() {
            let cells = line.split(separator: delimiter, omittingEmptySubsequences: false)
            if cols < 0 { cols = cells.count }
            guard cells.count == cols else {
                throw InvocationFailure(status: 400, "Loading csv data failed: row \(i + 1) has \(cells.count) columns, expected \(cols)")
            }
            for cell in cells {
                let t = cell.trimmingCharacters(in: .whitespaces)
                if t.isEmpty { values.append(.nan); continue }
                guard let v = Float(t) else { throw InvocationFailure(status: 400, "Loading csv data failed: could not convert '\(t)' to a number on row \(i + 1)") }
                values.append(v)
            }
        }
        return DataMatrix(rows: rows.count, cols: max(cols, 0), values: values)
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
