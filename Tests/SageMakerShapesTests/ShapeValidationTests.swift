import Foundation
import SageMakerShapes
import Testing

/// A valid CreateTrainingJob input to break one member at a time.
func validTrainingJob() throws -> CreateTrainingJobRequest {
    try decodeTrainingJob(boto3CreateTrainingJobBody)
}

@Suite("Validation messages")
struct ShapeValidationTests {
    @Test("{} for CreateTrainingJob reports every missing required member")
    func emptyInputReportsRequiredMembers() throws {
        let input = try decodeTrainingJob("{}")
        #expect(validationMessage(for: input) == "3 validation errors detected: "
            + "Value null at 'trainingJobName' failed to satisfy constraint: Member must not be null; "
            + "Value null at 'roleArn' failed to satisfy constraint: Member must not be null; "
            + "Value null at 'outputDataConfig' failed to satisfy constraint: Member must not be null")
    }

    @Test("A missing required member")
    func missingRequiredMember() throws {
        var input = try validTrainingJob()
        input.roleArn = nil
        #expect(validationMessage(for: input)
            == "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null")
    }

    @Test("A pattern failure quotes the model's pattern")
    func patternFailure() throws {
        var input = try validTrainingJob()
        input.trainingJobName = "bad_name"
        #expect(validationMessage(for: input) == "1 validation error detected: Value 'bad_name' at 'trainingJobName' "
            + "failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")
    }

    @Test("Patterns must match the whole value")
    func patternsMatchWholeValue() throws {
        var input = try validTrainingJob()
        input.inputDataConfig?[0].channelName = "train channel"
        #expect(input.validationErrors() == [
            "Value 'train channel' at 'inputDataConfig.1.member.channelName' failed to satisfy constraint: "
                + "Member must satisfy regular expression pattern: [A-Za-z0-9\\.\\-_]+",
        ])
    }

    @Test("An unknown enum value lists the allowed set")
    func enumFailure() throws {
        var input = try validTrainingJob()
        input.algorithmSpecification?.trainingInputMode = "Streaming"
        #expect(SageMakerEnumValues.trainingInputMode == ["Pipe", "File", "FastFile"])
        #expect(validationMessage(for: input) == "1 validation error detected: Value 'Streaming' at "
            + "'algorithmSpecification.trainingInputMode' failed to satisfy constraint: "
            + "Member must satisfy enum value set: [Pipe, File, FastFile]")
    }

    @Test("String length bounds")
    func lengthFailures() throws {
        var input = try validTrainingJob()
        let long = String(repeating: "v", count: 257)
        input.tags = [Tag(key: "", value: long)]
        #expect(input.validationErrors() == [
            "Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1",
            "Value '\(long)' at 'tags.1.member.value' failed to satisfy constraint: "
                + "Member must have length less than or equal to 256",
        ])
    }

    @Test("Numeric range bounds quote the value")
    func numericRangeFailures() throws {
        var input = try validTrainingJob()
        input.stoppingCondition?.maxRuntimeInSeconds = 0
        #expect(validationMessage(for: input) == "1 validation error detected: Value '0' at "
            + "'stoppingCondition.maxRuntimeInSeconds' failed to satisfy constraint: "
            + "Member must have value greater than or equal to 1")

        let list = ListTrainingJobsRequest(maxResults: 101)
        #expect(validationMessage(for: list) == "1 validation error detected: Value '101' at 'maxResults' "
            + "failed to satisfy constraint: Member must have value less than or equal to 100")

        let weight = ProductionVariant(variantName: "v", initialVariantWeight: -0.5)
        #expect(weight.validationErrors() == [
            "Value '-0.5' at 'initialVariantWeight' failed to satisfy constraint: Member must have value greater than or equal to 0",
        ])
    }

    @Test("Nested list members use list.N.member paths")
    func nestedListPaths() throws {
        var input = try validTrainingJob()
        input.inputDataConfig?[1].channelName = nil
        input.inputDataConfig?[0].dataSource?.s3DataSource?.s3Uri = "ftp://bucket/train"
        #expect(input.validationErrors() == [
            "Value 'ftp://bucket/train' at 'inputDataConfig.1.member.dataSource.s3DataSource.s3Uri' failed to satisfy "
                + "constraint: Member must satisfy regular expression pattern: (https|s3)://([^/]+)/?(.*)",
            "Value null at 'inputDataConfig.2.member.channelName' failed to satisfy constraint: Member must not be null",
        ])
    }

    @Test("List length bounds quote the list")
    func listLength() throws {
        var input = try validTrainingJob()
        input.inputDataConfig = []
        #expect(input.validationErrors() == [
            "Value '[]' at 'inputDataConfig' failed to satisfy constraint: Member must have length greater than or equal to 1",
        ])
    }

    @Test("A list of strings reports its element constraints once for the whole list")
    func listElementConstraints() throws {
        var input = try validTrainingJob()
        input.vpcConfig = VpcConfig(securityGroupIds: ["sg-1", "sg 2"], subnets: ["subnet-1"])
        #expect(input.validationErrors() == [
            "Value '[sg-1, sg 2]' at 'vpcConfig.securityGroupIds' failed to satisfy constraint: Member must satisfy "
                + "constraint: [Member must have length less than or equal to 32, Member must have length greater "
                + "than or equal to 0, Member must satisfy regular expression pattern: [-0-9a-zA-Z]+]",
        ])
    }

    @Test("A map value over its limit reports the value constraints for the whole map")
    func mapValueConstraints() throws {
        let long = String(repeating: "x", count: 2501)
        let input = CreateTrainingJobRequest(
            trainingJobName: "a", hyperParameters: ["lr": long],
            roleArn: "arn:aws:iam::123456789012:role/Role", outputDataConfig: OutputDataConfig(s3OutputPath: "s3://b/o"))
        #expect(input.validationErrors() == [
            "Value '{lr=\(long)}' at 'hyperParameters' failed to satisfy constraint: Map value must satisfy constraint: "
                + "[Member must have length less than or equal to 2500, Member must have length greater than or equal "
                + "to 0, Member must satisfy regular expression pattern: .*]",
        ])
    }

    @Test("The message lists at most ten violations")
    func messageCap() throws {
        var input = try validTrainingJob()
        input.tags = Array(repeating: Tag(), count: 6)
        let errors = input.validationErrors()
        #expect(errors.count == 12)
        let message = try #require(validationMessage(for: input))
        #expect(message.hasPrefix("10 validation errors detected: Value null at 'tags.1.member.key' "))
        #expect(message.components(separatedBy: "; ").count == 10)
        #expect(message.hasSuffix("Value null at 'tags.5.member.value' failed to satisfy constraint: Member must not be null"))
        #expect(validationMessage(errors: errors, limit: 100)?.hasPrefix("12 validation errors detected: ") == true)
    }

    @Test("A sensitive value is never echoed")
    func sensitiveValues() {
        var errors: [String] = []
        ShapeValidation.check("secret!", StringRules(maxLength: 3, sensitive: true), at: "clientSecret", into: &errors)
        ShapeValidation.required(String?.none, at: "password", sensitive: true, into: &errors)
        #expect(errors == [
            "Value at 'clientSecret' failed to satisfy constraint: Member must have length less than or equal to 3",
            "Value at 'password' failed to satisfy constraint: Member must not be null",
        ])
    }

    @Test("Java's ASCII-only classes are kept ASCII-only")
    func javaCharacterClasses() throws {
        let arn = try #require(SageMakerRules.roleArn.pattern)
        #expect(arn.matches("arn:aws:iam::123456789012:role/Role") == true)
        #expect(arn.matches("arn:aws:iam::１２３４５６７８９０１２:role/Role") == false)  // full-width digits are not \d in Java
        let tagKey = try #require(SageMakerRules.tagKey.pattern)
        #expect(tagKey.matches("projet-été") == true)  // \p{L} is Unicode-wide in both engines
    }

    @Test("Every generated pattern compiles")
    func allPatternsCompile() {
        #expect(!SageMakerRules.allPatterns.isEmpty)
        for pattern in SageMakerRules.allPatterns {
            #expect(pattern.isEnforced, "pattern does not compile: \(pattern.icuSource)")
            #expect(!ShapePattern.compileFailures.contains(pattern.icuSource))
        }
    }

    @Test("A pattern that does not compile is skipped, not fatal")
    func uncompilablePattern() {
        let pattern = ShapePattern("([unclosed")
        #expect(!pattern.isEnforced)
        #expect(ShapePattern.compileFailures.contains("([unclosed"))
        #expect(pattern.matches("anything") == nil)
        var errors: [String] = []
        ShapeValidation.check("anything", StringRules(pattern: pattern), at: "x", into: &errors)
        #expect(errors.isEmpty)
    }
}
