import Foundation
import SageMakerShapes
import Testing

/// A CreateTrainingJob body exactly as boto3 1.43 (botocore 1.43.11) serializes it.
let boto3CreateTrainingJobBody = #"""
{"TrainingJobName": "xgb-2024-01-01-00-00-00", "HyperParameters": {"max_depth": "5", "eta": "0.2", \#
"num_round": "100", "objective": "binary:logistic"}, "AlgorithmSpecification": {"TrainingImage": \#
"683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1", "TrainingInputMode": "File", \#
"EnableSageMakerMetricsTimeSeries": false}, "RoleArn": "arn:aws:iam::123456789012:role/SageMakerRole", \#
"InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", \#
"S3Uri": "s3://bucket/train/", "S3DataDistributionType": "FullyReplicated"}}, "ContentType": "text/csv", \#
"CompressionType": "None"}, {"ChannelName": "validation", "DataSource": {"S3DataSource": {"S3DataType": \#
"S3Prefix", "S3Uri": "s3://bucket/validation/"}}, "ContentType": "text/csv"}], "OutputDataConfig": \#
{"S3OutputPath": "s3://bucket/output/"}, "ResourceConfig": {"InstanceType": "ml.m5.xlarge", \#
"InstanceCount": 1, "VolumeSizeInGB": 10}, "StoppingCondition": {"MaxRuntimeInSeconds": 86400}, \#
"Tags": [{"Key": "project", "Value": "kiln"}], "EnableManagedSpotTraining": false}
"""#

func decodeTrainingJob(_ json: String) throws -> CreateTrainingJobRequest {
    try decodeShape(CreateTrainingJobRequest.self, from: Data(json.utf8))
}

/// The members of an encoded JSON object.
func jsonObject(_ data: Data) throws -> [String: JSONValue] {
    guard case .object(let members) = try decodeShape(JSONValue.self, from: data) else {
        Issue.record("not a JSON object: \(String(decoding: data, as: UTF8.self))")
        return [:]
    }
    return members
}

@Suite("Decoding and encoding shapes")
struct ShapeDecodingTests {
    @Test("A CreateTrainingJob body from boto3 decodes member by member")
    func decodesBoto3CreateTrainingJob() throws {
        let request = try decodeTrainingJob(boto3CreateTrainingJobBody)
        #expect(request.trainingJobName == "xgb-2024-01-01-00-00-00")
        #expect(request.hyperParameters == [
            "max_depth": "5", "eta": "0.2", "num_round": "100", "objective": "binary:logistic",
        ])
        #expect(request.algorithmSpecification?.trainingInputMode == "File")
        #expect(request.algorithmSpecification?.enableSageMakerMetricsTimeSeries == false)
        #expect(request.roleArn == "arn:aws:iam::123456789012:role/SageMakerRole")
        let channels = try #require(request.inputDataConfig)
        #expect(channels.map(\.channelName) == ["train", "validation"])
        #expect(channels[0].dataSource?.s3DataSource?.s3Uri == "s3://bucket/train/")
        #expect(channels[0].dataSource?.s3DataSource?.s3DataDistributionType == "FullyReplicated")
        #expect(channels[1].dataSource?.s3DataSource?.s3DataDistributionType == nil)
        #expect(request.outputDataConfig?.s3OutputPath == "s3://bucket/output/")
        #expect(request.resourceConfig == ResourceConfig(instanceType: "ml.m5.xlarge", instanceCount: 1, volumeSizeInGB: 10))
        #expect(request.stoppingCondition?.maxRuntimeInSeconds == 86400)
        #expect(request.tags == [Tag(key: "project", value: "kiln")])
        #expect(request.enableManagedSpotTraining == false)
        #expect(request.vpcConfig == nil)
        #expect(validationMessage(for: request) == nil)
    }

    @Test("Encoding omits nil members and round-trips")
    func encodingOmitsNils() throws {
        let request = try decodeTrainingJob(boto3CreateTrainingJobBody)
        let encoded = try encodeShape(request)
        let text = String(decoding: encoded, as: UTF8.self)
        #expect(!text.contains("null"))
        #expect(!text.contains("VpcConfig"))
        #expect(try decodeShape(CreateTrainingJobRequest.self, from: encoded) == request)

        guard case .array(let channels) = try jsonObject(encoded)["InputDataConfig"], channels.count == 2,
              case .object(let second) = channels[1] else {
            Issue.record("InputDataConfig is not a list of two objects")
            return
        }
        #expect(Set(second.keys) == ["ChannelName", "DataSource", "ContentType"])

        let sparse = CreateTrainingJobRequest(trainingJobName: "a", resourceConfig: ResourceConfig(instanceCount: 2))
        #expect(String(decoding: try encodeShape(sparse), as: UTF8.self)
            == #"{"ResourceConfig":{"InstanceCount":2},"TrainingJobName":"a"}"#)
        #expect(String(decoding: try encodeShape(CreateTrainingJobRequest()), as: UTF8.self) == "{}")
        #expect(String(decoding: try encodeShape(DeleteTagsOutput()), as: UTF8.self) == "{}")
    }

    @Test("An empty body and {} decode to an all-nil input", arguments: ["", "  \n", "{}"])
    func emptyBodies(body: String) throws {
        #expect(try decodeTrainingJob(body) == CreateTrainingJobRequest())
        #expect(try decodeShape(ListTrainingJobsRequest.self, from: Data(body.utf8)) == ListTrainingJobsRequest())
    }

    @Test("Unknown members and null values are ignored")
    func unknownAndNullMembers() throws {
        let request = try decodeTrainingJob(#"{"TrainingJobName": "a", "NotAMember": [1, 2], "Tags": null}"#)
        #expect(request == CreateTrainingJobRequest(trainingJobName: "a"))
    }

    @Test("A member of the wrong JSON type names its path")
    func typeMismatchNamesMember() throws {
        let error = try #require(throws: ShapeDecodingError.self) {
            try decodeTrainingJob(#"{"ResourceConfig": {"InstanceCount": "1"}}"#)
        }
        #expect(error.path == "resourceConfig.instanceCount")
        #expect(error.message == "Expected an integer at 'resourceConfig.instanceCount' but found a string")
    }

    @Test("Type mismatches inside lists and maps use AWS's element paths")
    func typeMismatchInCollections() throws {
        let listError = try #require(throws: ShapeDecodingError.self) {
            try decodeTrainingJob(#"{"InputDataConfig": [{"ChannelName": "a"}, {"ChannelName": 7}]}"#)
        }
        #expect(listError.path == "inputDataConfig.2.member.channelName")
        #expect(listError.message.contains("inputDataConfig.2.member.channelName"))

        let mapError = try #require(throws: ShapeDecodingError.self) {
            try decodeTrainingJob(#"{"HyperParameters": {"epochs": 10}}"#)
        }
        #expect(mapError.path == "hyperParameters.epochs.member")
        #expect(mapError.message == "Expected a string at 'hyperParameters.epochs.member' but found an integer")

        let structureError = try #require(throws: ShapeDecodingError.self) {
            try decodeTrainingJob(#"{"ResourceConfig": "ml.m5.large"}"#)
        }
        #expect(structureError.path == "resourceConfig")
    }

    @Test("A body that is not a JSON object is a decoding error", arguments: ["[]", "null", "\"x\"", "{", "{\"a\":}"])
    func notAnObject(body: String) {
        #expect(throws: ShapeDecodingError.self) { try decodeTrainingJob(body) }
    }

    @Test("An integer member accepts a fractional number (floored) and rejects one out of range")
    func integerLeniency() throws {
        #expect(try decodeTrainingJob(#"{"ResourceConfig": {"InstanceCount": 2.7}}"#).resourceConfig?.instanceCount == 2)
        let error = try #require(throws: ShapeDecodingError.self) {
            try decodeTrainingJob(#"{"ResourceConfig": {"InstanceCount": 1e30}}"#)
        }
        #expect(error.path == "resourceConfig.instanceCount")
    }

    @Test("Timestamps decode from epoch seconds or ISO 8601 and encode as epoch seconds")
    func timestamps() throws {
        let body = #"""
        {"TrainingJobName": "a", "CreationTime": 1700000000.123, "TrainingStartTime": "2024-01-02T03:04:05Z",
         "TrainingEndTime": "2024-01-02T03:04:05.250Z", "LastModifiedTime": 1700000000}
        """#
        let response = try decodeShape(DescribeTrainingJobResponse.self, from: Data(body.utf8))
        let creation = try #require(response.creationTime)
        #expect(abs(creation.timeIntervalSince1970 - 1_700_000_000.123) < 0.0005)
        #expect(response.trainingStartTime == Date(timeIntervalSince1970: 1_704_164_645))
        let end = try #require(response.trainingEndTime)
        #expect(abs(end.timeIntervalSince1970 - 1_704_164_645.25) < 0.0005)

        let object = try jsonObject(try encodeShape(response))
        #expect(object["LastModifiedTime"] == .number(1_700_000_000))
        #expect(object["TrainingStartTime"] == .number(1_704_164_645))
        #expect(object["TrainingEndTime"] == .number(1_704_164_645.25))
        guard case .number(let seconds) = object["CreationTime"] else {
            Issue.record("CreationTime is not a number")
            return
        }
        #expect(abs(seconds - 1_700_000_000.123) < 0.0005)

        let error = try #require(throws: ShapeDecodingError.self) {
            try decodeShape(DescribeTrainingJobResponse.self, from: Data(#"{"CreationTime": "yesterday"}"#.utf8))
        }
        #expect(error.path == "creationTime")
    }

    @Test("Float members decode JSON numbers")
    func floats() throws {
        let body = #"""
        {"EndpointConfigName": "c", "ProductionVariants": [{"VariantName": "v", "ModelName": "m",
         "InitialVariantWeight": 0.5, "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}]}
        """#
        let input = try decodeShape(CreateEndpointConfigInput.self, from: Data(body.utf8))
        #expect(input.productionVariants?.first?.initialVariantWeight == 0.5)
        #expect(validationMessage(for: input) == nil)
    }
}
