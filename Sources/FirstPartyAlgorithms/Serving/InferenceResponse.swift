import Foundation
import ModelServing
import RecordIO

/// One output of a prediction row, e.g. `closest_cluster` (a scalar) or `projection` (a vector).
struct PredictionField: Sendable {
    var name: String
    var values: [Float]
    /// Scalars print as a number, vectors as a list (even of length 1 when the field is a vector by nature).
    var isScalar: Bool
    /// Printed as an integer in JSON (Linear Learner's `predicted_label`); as a float otherwise (`0.0`).
    var printsAsInteger = false

    static func scalar(_ name: String, _ value: Float, integer: Bool = false) -> PredictionField {
        PredictionField(name: name, values: [value], isScalar: true, printsAsInteger: integer)
    }
    static func vector(_ name: String, _ values: [Float]) -> PredictionField { PredictionField(name: name, values: values, isScalar: false) }
}

/// Encodes prediction rows as the first-party containers answer: `application/json` (`{"<key>": [...]}` with
/// `predictions`, or `projections` for PCA), `application/jsonlines`, `text/csv` (fields in order, vectors
/// flattened) and `application/x-recordio-protobuf` (one Record per row, fields as float32 `label` tensors).
enum InferenceResponse {
    static let accepted = "application/json, application/jsonlines, text/csv, application/x-recordio-protobuf"

    /// Picks the response type from `Accept` (`*/*` or none → application/json).
    static func mediaType(accept: String?) throws -> String {
        let options = (accept ?? "").split(separator: ",").map { InferenceRequest.mediaType(String($0)) }
        for mime in options {
            switch mime {
            case "", "*/*", "application/*": return "application/json"
            case "application/json", "application/jsonlines", "text/csv", "application/x-recordio-protobuf": return mime
            case "application/jsonl", "application/x-jsonlines": return "application/jsonlines"
            default: continue
            }
        }
        if options.isEmpty { return "application/json" }
        throw InvocationFailure(status: 406, "Accept type \(accept ?? "") is not supported; use one of \(accepted)")
    }

    static func encode(_ rows: [[PredictionField]], as mime: String, jsonKey: String = "predictions") -> [UInt8] {
        switch mime {
        case "application/jsonlines":
            return Array(rows.map(jsonObject).joined(separator: "\n").utf8) + [10]
        case "text/csv":
            return Array(rows.map { row in row.flatMap { $0.values.map(number) }.joined(separator: ",") }.joined(separator: "\n").utf8) + [10]
        case "application/x-recordio-protobuf":
            var out: [UInt8] = []
            for row in rows {
                let payload = RecordProtobuf.encode(labels: row.map { ($0.name, Tensor.dense($0.values)) })
                try! RecordIOFraming.appendFrame(payload, to: &out)
            }
            return out
        default:
            return Array(("{\"\(jsonKey)\": [" + rows.map(jsonObject).joined(separator: ", ") + "]}").utf8)
        }
    }

    static func jsonObject(_ row: [PredictionField]) -> String {
        "{" + row.map { field in
            let value = field.isScalar
                ? (field.printsAsInteger ? String(Int(field.values[0])) : number(field.values[0]))
                : "[" + field.values.map(number).joined(separator: ", ") + "]"
            return "\"\(field.name)\": \(value)"
        }.joined(separator: ", ") + "}"
    }

    /// Float32 widened to double, shortest round-trip text (what Python's json.dumps prints): 23.40593910217285, 1.0.
    static func number(_ v: Float) -> String {
        guard v.isFinite else { return v.isNaN ? "NaN" : (v > 0 ? "Infinity" : "-Infinity") }
        return Double(v).description
    }
}
