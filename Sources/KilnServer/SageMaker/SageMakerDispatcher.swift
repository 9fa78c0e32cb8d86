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
    let training: TrainingJobService
    let hosting: HostingService
    let transform: TransformJobService
    static let empty = Data("{}".utf8)

    func handle(operation: String, body: [UInt8], caller: Caller, requestId: String) async throws -> Response {
        switch SageMakerOperation.lookup(operation) {
        case .unknown(let name):
            throw AWSError("UnknownOperationException", status: 400, "The operation \(name) is not a SageMaker operation")
        case .notImplemented(let name):
            throw AWSError("UnknownOperationException", status: 400, "Kiln does not implement SageMaker.\(name)")
        case .implemented(let op):
            let data = Data(body)
            switch op {
            case .createTrainingJob:
                return try reply(try await training.create(try input(CreateTrainingJobRequest.self, data), caller: caller), requestId)
            case .describeTrainingJob:
                let r = try input(DescribeTrainingJobRequest.self, data)
                return try reply(try await training.describe(r.trainingJobName ?? "", caller: caller), requestId)
            case .listTrainingJobs:
                return try reply(try await training.list(try input(ListTrainingJobsRequest.self, data), caller: caller), requestId)
            case .stopTrainingJob:
                let r = try input(StopTrainingJobRequest.self, data)
                try await training.stop(r.trainingJobName ?? "", caller: caller)
                return ProtocolResponses.jsonData(Data("{}".utf8), requestId: requestId)
            case .addTags:
                return try reply(try await training.addTags(try input(AddTagsInput.self, data), caller: caller), requestId)
            case .listTags:
                return try reply(try await training.listTags(try input(ListTagsInput.self, data), caller: caller), requestId)
            case .deleteTags:
                return try reply(try await training.deleteTags(try input(DeleteTagsInput.self, data), caller: caller), requestId)
            case .createModel:
                return try reply(try await hosting.createModel(try input(CreateModelInput.self, data), caller: caller), requestId)
            case .describeModel:
                return try reply(try await hosting.describeModel(try input(DescribeModelInput.self, data).modelName ?? "", caller: caller), requestId)
            case .deleteModel:
                try await hosting.deleteModel(try input(DeleteModelInput.self, data).modelName ?? "", caller: caller)
                return ProtocolResponses.jsonData(Self.empty, requestId: requestId)
            case .listModels:
                return try reply(try await hosting.listModels(try input(ListModelsInput.self, data), caller: caller), requestId)
            case .createEndpointConfig:
                return try reply(try await hosting.createEndpointConfig(try input(CreateEndpointConfigInput.self, data), caller: caller), requestId)
            case .describeEndpointConfig:
                let name = try input(DescribeEndpointConfigInput.self, data).endpointConfigName ?? ""
                return try reply(try await hosting.describeEndpointConfig(name, caller: caller), requestId)
            case .deleteEndpointConfig:
                try await hosting.deleteEndpointConfig(try input(DeleteEndpointConfigInput.self, data).endpointConfigName ?? "", caller: caller)
                return ProtocolResponses.jsonData(Self.empty, requestId: requestId)
            case .createEndpoint:
                return try reply(try await hosting.createEndpoint(try input(CreateEndpointInput.self, data), caller: caller), requestId)
            case .describeEndpoint:
                return try reply(try await hosting.describeEndpoint(try input(DescribeEndpointInput.self, data).endpointName ?? "", caller: caller), requestId)
            case .deleteEndpoint:
                try await hosting.deleteEndpoint(try input(DeleteEndpointInput.self, data).endpointName ?? "", caller: caller)
                return ProtocolResponses.jsonData(Self.empty, requestId: requestId)
            case .listEndpoints:
                return try reply(try await hosting.listEndpoints(try input(ListEndpointsInput.self, data), caller: caller), requestId)
            case .updateEndpointWeightsAndCapacities:
                return try reply(try await hosting.updateWeightsAndCapacities(try input(UpdateEndpointWeightsAndCapacitiesInput.self, data), caller: caller), requestId)
            case .listEndpointConfigs:
                return try reply(try await hosting.listEndpointConfigs(try input(ListEndpointConfigsInput.self, data), caller: caller), requestId)
            case .updateEndpoint:
                return try reply(try await hosting.updateEndpoint(try input(UpdateEndpointInput.self, data), caller: caller), requestId)
            case .createTransformJob:
                return try reply(try await transform.create(try input(CreateTransformJobRequest.self, data), caller: caller), requestId)
            case .describeTransformJob:
                return try reply(try await transform.describe(try input(DescribeTransformJobRequest.self, data).transformJobName ?? "", caller: caller), requestId)
            case .listTransformJobs:
                return try reply(try await transform.list(try input(ListTransformJobsRequest.self, data), caller: caller), requestId)
            case .stopTransformJob:
                try await transform.stop(try input(StopTransformJobRequest.self, data).transformJobName ?? "", caller: caller)
                return ProtocolResponses.jsonData(Self.empty, requestId: requestId)
            default:
                // Validate anyway, so malformed input gets AWS's error even before the handler lands.
                _ = try validate(operation: op, data)
                throw AWSError("UnknownOperationException", status: 400, "Kiln does not implement SageMaker.\(op.rawValue) yet")
            }
        }
    }

    /// Decodes and validates an input shape, mapping failures to AWS's codes.
    func input<T: AWSShape>(_ type: T.Type, _ data: Data) throws -> T {
        do {
            return try decodeValidInput(type, from: data)
        } catch {
            throw AWSError(error.awsErrorCode, status: 400, error.message)
        }
    }

    func validate(operation: SageMakerOperation, _ data: Data) throws -> any AWSShape {
        do {
            let (value, message) = try decodeAndValidate(operation: operation, body: data)
            if let message { throw AWSError("ValidationException", status: 400, message) }
            return value
        } catch let e as ShapeDecodingError {
            throw AWSError("SerializationException", status: 400, e.message)
        }
    }

    func reply(_ output: some AWSShape, _ requestId: String) throws -> Response {
        ProtocolResponses.jsonData(try encodeShape(output), requestId: requestId)
    }
}
