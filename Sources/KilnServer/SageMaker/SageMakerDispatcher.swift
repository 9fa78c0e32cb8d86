import AWSWire
import Foundation
import Hummingbird
import SageMakerShapes

/// The SageMaker control plane (`X-Amz-Target: SageMaker.<Operation>`, JSON 1.1).
///
/// Every request for an operation Kiln implements is decoded and validated against the shapes generated from the
/// AWS service model, so malformed input gets AWS's `SerializationException` / `ValidationException`. Operations
/// in the allow-list whose handlers have not landed yet, and operations the model has but Kiln does not serve,
/// answer `UnknownOperationException`; a target that is not in the model at all gets the same code, as AWS does.
struct SageMakerDispatcher: Sendable {
    func handle(operation: String, body: [UInt8], caller: Caller, requestId: String) async throws -> Response {
        switch SageMakerOperation.lookup(operation) {
        case .unknown(let name):
            throw AWSError("UnknownOperationException", status: 400, "The operation \(name) is not a SageMaker operation")
        case .notImplemented(let name):
            throw AWSError("UnknownOperationException", status: 400, "Kiln does not implement SageMaker.\(name)")
        case .implemented(let op):
            do {
                let (_, message) = try decodeAndValidate(operation: op, body: Data(body))
                if let message { throw AWSError("ValidationException", status: 400, message) }
            } catch let e as ShapeDecodingError {
                throw AWSError("SerializationException", status: 400, e.message)
            }
            // The input is well formed; its handler arrives with the training and hosting issues.
            throw AWSError("UnknownOperationException", status: 400, "Kiln does not implement SageMaker.\(op.rawValue) yet")
        }
    }
}
