import Foundation
import Linalg
import ModelServing
import RecordIO

/// Decodes a first-party `/invocations` body into dense feature rows of width `featureDim`:
/// `text/csv` (no label), `application/json` (`{"instances": [...]}` or `{"features": [...]}`),
/// `application/jsonlines`, and `application/x-recordio-protobuf` (dense or sparse `features["values"]`).
enum InferenceRequest {
    static let accepted = "text/csv, application/json, application/jsonlines, application/x-recordio-protobuf"

    static func decode(_ body: [UInt8], contentType: String?, featureDim: Int) throws -> Matrix {
        let mime = mediaType(contentType)
        var rows = TrainingRows(layout: .dense, width: featureDim)
        switch mime {
        case "text/csv", "text/x-csv":
            do { try CSVRows.read(body, labelSize: 0, into: &rows) } catch {
                throw InvocationFailure("Unable to parse the text/csv request, line \(error.line): \(error.message)")
            }
        case "application/json":
            let object: Any
            do { object = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) } catch {
                throw InvocationFailure("The application/json request is not valid JSON")
            }
            let instances: [Any]
            if let map = object as? [String: Any], let list = map["instances"] as? [Any] {
                instances = list
            } else if let map = object as? [String: Any], map["features"] != nil || map["data"] != nil {
                instances = [map]
            } else if let list = object as? [Any] {
                instances = list.first is NSNumber ? [list] : list
            } else {
                throw InvocationFailure("The application/json request must be {\"instances\": [...]} with features per instance")
            }
            for (i, instance) in instances.enumerated() { try appendInstance(instance, index: i + 1, to: &rows) }
        case "application/jsonlines", "application/jsonl", "application/x-jsonlines":
            var index = 0
            for line in body.split(separator: 10) where !line.allSatisfy({ $0 == 32 || $0 == 13 || $0 == 9 }) {
                index += 1
                guard let object = try? JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed]) else {
                    throw InvocationFailure("Line \(index) of the application/jsonlines request is not valid JSON")
                }
                try appendInstance(object, index: index, to: &rows)
            }
        case "application/x-recordio-protobuf", "application/x-protobuf":
            let records: [AmazonRecord]
            do { records = try RecordIOStream.records(body) } catch {
                throw InvocationFailure("Unable to read the application/x-recordio-protobuf request: \(error)")
            }
            for (i, r) in records.enumerated() {
                guard let t = r.features["values"] else {
                    throw InvocationFailure("Record \(i + 1) has no features[\"values\"] tensor")
                }
                try append(values: t.floatValues, keys: t.keys, shape: t.shape.first.map(Int.init), index: i + 1, to: &rows)
            }
        default:
            throw InvocationFailure(status: 415, "Content type \(contentType ?? "(none)") is not supported; use one of \(accepted)")
        }
        guard rows.count > 0 else { throw InvocationFailure("The request has no rows") }
        return rows.denseMatrix()
    }

    static func mediaType(_ header: String?) -> String { MediaType.essence(header) }

    /// One JSON instance: `{"features": [...]}`, `{"data": {"features": {"values": [...], "keys"?: [...], "shape"?: [d]}}}`
    /// or a bare numeric array.
    private static func appendInstance(_ instance: Any, index: Int, to rows: inout TrainingRows) throws {
        if let list = instance as? [Any] {
            try append(values: try numbers(list, index: index), keys: [], shape: nil, index: index, to: &rows)
            return
        }
        guard let map = instance as? [String: Any] else { throw InvocationFailure("Instance \(index) is not an object or an array") }
        if let features = map["features"] as? [Any] {
            try append(values: try numbers(features, index: index), keys: [], shape: nil, index: index, to: &rows)
        } else if let data = map["data"] as? [String: Any], let features = data["features"] as? [String: Any],
                  let values = features["values"] as? [Any] {
            let keys = try (features["keys"] as? [Any]).map { try numbers($0, index: index).map { UInt64(max(0, $0)) } } ?? []
            let shape = (features["shape"] as? [Any])?.first.flatMap { ($0 as? NSNumber)?.intValue }
            try append(values: try numbers(values, index: index), keys: keys, shape: shape, index: index, to: &rows)
        } else {
            throw InvocationFailure("Instance \(index) has no \"features\" (or \"data\": {\"features\": {\"values\": ...}})")
        }
    }

    private static func numbers(_ list: [Any], index: Int) throws -> [Float] {
        try list.map {
            guard let n = $0 as? NSNumber else {
                throw InvocationFailure("Instance \(index) has a value that is not a number")
            }
            return n.floatValue
        }
    }

    private static func append(values: [Float], keys: [UInt64], shape: Int?, index: Int, to rows: inout TrainingRows) throws {
        if keys.isEmpty {
            guard values.count == rows.width else {
                throw InvocationFailure("Row \(index) has \(values.count) features; the model expects feature_dim = \(rows.width)")
            }
            values.withUnsafeBufferPointer { rows.append(dense: $0, label: nil) }
        } else {
            if let shape, shape != rows.width {
                throw InvocationFailure("Row \(index) has sparse shape \(shape); the model expects feature_dim = \(rows.width)")
            }
            guard keys.count == values.count, keys.allSatisfy({ $0 < UInt64(rows.width) }) else {
                throw InvocationFailure("Row \(index) has sparse keys that do not fit feature_dim = \(rows.width)")
            }
            rows.append(keys: keys, values: values, label: nil)
        }
    }
}
