import Foundation
import Linalg
import ModelServing

/// A first-party model served in-process: decode rows, predict, encode in the requested type. The prediction
/// closure only reads the immutable model, so concurrent invocations share it safely.
struct FirstPartyServable: ServableModel {
    let featureDim: Int
    /// The top-level key of `application/json` responses (`predictions`; PCA answers `projections`).
    let jsonKey: String
    /// Field order per response type where it differs from the prediction's own (K-Means CSV: cluster first;
    /// Linear Learner RecordIO: `predicted_label` first, as the containers write them).
    var fieldOrders: [String: [String]] = [:]
    let predict: @Sendable (Matrix) throws -> [[PredictionField]]

    func invoke(_ body: [UInt8], contentType: String?, accept: String?) throws -> (body: [UInt8], contentType: String) {
        let mime = try InferenceResponse.mediaType(accept: accept)
        let rows = try InferenceRequest.decode(body, contentType: contentType, featureDim: featureDim)
        var predictions = try predict(rows)
        if let order = fieldOrders[mime] {
            predictions = predictions.map { row in order.compactMap { name in row.first { $0.name == name } } }
        }
        return (InferenceResponse.encode(predictions, as: mime, jsonKey: jsonKey), mime)
    }
}

/// Finds `model_algo-1` (the first-party artifact name) in an unpacked model.tar.gz.
enum ModelArtifact {
    static let fileName = "model_algo-1"

    static func read(_ directory: URL) throws -> [UInt8] {
        let url = directory.appendingPathComponent(fileName)
        guard let data = try? Data(contentsOf: url) else {
            throw InvocationFailure(status: 500, "The model archive has no \(fileName) file")
        }
        return Array(data)
    }
}
