import Foundation
import SageMakerShapes
import Testing

@Suite("The operation table")
struct SageMakerOperationTests {
    @Test("decodeAndValidate decodes the operation's input and reports its validation message")
    func decodeAndValidateByOperation() throws {
        let valid = try decodeAndValidate(operation: .createTrainingJob, body: Data(boto3CreateTrainingJobBody.utf8))
        let request = try #require(valid.input as? CreateTrainingJobRequest)
        #expect(request.trainingJobName == "xgb-2024-01-01-00-00-00")
        #expect(valid.validationMessage == nil)

        let empty = try decodeAndValidate(operation: .describeModel, body: Data())
        #expect(empty.input is DescribeModelInput)
        #expect(empty.validationMessage
            == "1 validation error detected: Value null at 'modelName' failed to satisfy constraint: Member must not be null")

        #expect(throws: ShapeDecodingError.self) {
            try decodeAndValidate(operation: .listTrainingJobs, body: Data(#"{"MaxResults": "ten"}"#.utf8))
        }
    }

    @Test("decodeValidInput returns the input or the AWS error to answer with")
    func decodeValidInputErrors() throws {
        let input = try decodeValidInput(AddTagsInput.self, from: Data(
            #"{"ResourceArn": "arn:aws:sagemaker:us-east-1:123456789012:model/m", "Tags": [{"Key": "k", "Value": "v"}]}"#.utf8))
        #expect(input.tags == [Tag(key: "k", value: "v")])

        let invalid = try #require(throws: ShapeInputError.self) {
            try decodeValidInput(AddTagsInput.self, from: Data("{}".utf8))
        }
        #expect(invalid.awsErrorCode == "ValidationException")
        #expect(invalid.message.hasPrefix("2 validation errors detected: Value null at 'resourceArn'"))

        let malformed = try #require(throws: ShapeInputError.self) {
            try decodeValidInput(AddTagsInput.self, from: Data(#"{"Tags": {"Key": "k"}}"#.utf8))
        }
        #expect(malformed.awsErrorCode == "SerializationException")
        #expect(malformed.message.contains("'tags'"))
    }

    @Test("Every allowed operation has an input type and its raw value is the wire name")
    func table() throws {
        // Exactly the operations of the allow-list the generator read.
        let allowList = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Codegen/sagemaker-operations.txt")
        let names = try String(contentsOf: allowList, encoding: .utf8).split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        #expect(Set(SageMakerOperation.allCases.map(\.rawValue)) == Set(names))
        #expect(SageMakerOperation.createTrainingJob.rawValue == "CreateTrainingJob")
        #expect(SageMakerOperation.createTrainingJob.inputType is CreateTrainingJobRequest.Type)
        #expect(SageMakerOperation.createTrainingJob.outputType is CreateTrainingJobResponse.Type)
        #expect(SageMakerOperation.deleteModel.outputType == nil)
        #expect(SageMakerOperation.stopTrainingJob.target == "SageMaker.StopTrainingJob")
        for operation in SageMakerOperation.allCases {
            #expect(SageMakerOperation.allModelOperationNames.contains(operation.rawValue))
        }
    }

    @Test("Lookup tells implemented, known-but-not-implemented and unknown operations apart")
    func lookup() {
        #expect(SageMakerOperation.lookup(target: "SageMaker.ListModels") == .implemented(.listModels))
        #expect(SageMakerOperation.lookup("CreateHyperParameterTuningJob") == .notImplemented("CreateHyperParameterTuningJob"))
        #expect(SageMakerOperation.lookup("CreateTrainingJobs") == .unknown("CreateTrainingJobs"))
        #expect(SageMakerOperation.lookup(target: "AmazonSageMaker.ListModels") == .unknown("AmazonSageMaker.ListModels"))
        #expect(SageMakerOperation.allModelOperationNames.count > 300)
    }
}
