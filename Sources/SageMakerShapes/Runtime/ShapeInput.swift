// Hand-written runtime: one call from a request body to a valid input, and the operation lookup.

import Foundation

/// Why a request body did not yield a valid input, in the two ways AWS distinguishes.
public enum ShapeInputError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The body is not JSON, not an object, or a member has the wrong JSON type.
    case serialization(ShapeDecodingError)
    /// The body decoded but breaks the model's constraints; the AWS-formatted message.
    case validation(String)

    /// The AWS error code to answer with (the `__type` of a JSON 1.1 error body).
    public var awsErrorCode: String {
        switch self {
        case .serialization: "SerializationException"
        case .validation: "ValidationException"
        }
    }

    public var message: String {
        switch self {
        case .serialization(let error): error.message
        case .validation(let message): message
        }
    }

    public var description: String { "\(awsErrorCode): \(message)" }
}

/// Decodes a request body and validates it: returns the input, or throws the error to answer with.
///
///     let request = try decodeValidInput(CreateTrainingJobRequest.self, from: body)
public func decodeValidInput<T: AWSShape>(_ type: T.Type, from body: Data) throws(ShapeInputError) -> T {
    let input: T
    do {
        input = try decodeShape(T.self, from: body)
    } catch {
        throw .serialization(error)
    }
    if let message = validationMessage(for: input) {
        throw .validation(message)
    }
    return input
}

/// What an operation name means to Kiln.
public enum SageMakerOperationLookup: Sendable, Hashable {
    /// An operation Kiln has shapes for.
    case implemented(SageMakerOperation)
    /// An operation in the SageMaker model that Kiln does not implement.
    case notImplemented(String)
    /// Not a SageMaker operation at all (or a target for another service).
    case unknown(String)
}

extension SageMakerOperation {
    /// Classifies an operation name such as `CreateTrainingJob`.
    public static func lookup(_ name: String) -> SageMakerOperationLookup {
        if let operation = SageMakerOperation(rawValue: name) { return .implemented(operation) }
        if allModelOperationNames.contains(name) { return .notImplemented(name) }
        return .unknown(name)
    }

    /// Classifies an `X-Amz-Target` header value such as `SageMaker.CreateTrainingJob`.
    public static func lookup(target: String) -> SageMakerOperationLookup {
        let prefix = targetPrefix + "."
        guard target.hasPrefix(prefix) else { return .unknown(target) }
        return lookup(String(target.dropFirst(prefix.count)))
    }

    /// The `X-Amz-Target` value for this operation.
    public var target: String { Self.targetPrefix + "." + rawValue }
}
