import Foundation

/// Everything `kiln worker transform` needs, written by the server into the job's workspace as `plan.json`:
/// the model (image, environment, unpacked artifacts), the input objects (local snapshots and their S3 names),
/// and the transform settings with SageMaker's defaults already applied.
public struct TransformPlan: Codable, Sendable, Equatable {
    public struct Input: Codable, Sendable, Equatable {
        /// The local snapshot of the object.
        public var path: String
        /// `s3://bucket/key`, for logs and failure reasons.
        public var uri: String
        /// The output name: `<relative>.out` under the output folder.
        public var relative: String
        public init(path: String, uri: String, relative: String) { (self.path, self.uri, self.relative) = (path, uri, relative) }
    }

    public var jobName: String
    public var image: String
    public var environment: [String: String]
    public var modelDirectory: String
    public var inputs: [Input]
    public var outputDirectory: String
    public var contentType: String?
    public var accept: String?
    public var splitType: SplitType
    public var compressionGzip: Bool
    public var multiRecord: Bool
    public var maxPayloadBytes: Int
    public var maxConcurrentTransforms: Int
    /// `AssembleWith Line`: every result ends with a newline.
    public var assembleLines: Bool
    public var inputFilter: String?
    public var outputFilter: String?
    public var joinInput: Bool

    public init(jobName: String, image: String, environment: [String: String], modelDirectory: String, inputs: [Input], outputDirectory: String,
                contentType: String?, accept: String?, splitType: SplitType, compressionGzip: Bool, multiRecord: Bool, maxPayloadBytes: Int,
                maxConcurrentTransforms: Int, assembleLines: Bool, inputFilter: String?, outputFilter: String?, joinInput: Bool) {
        self.jobName = jobName
        self.image = image
        self.environment = environment
        self.modelDirectory = modelDirectory
        self.inputs = inputs
        self.outputDirectory = outputDirectory
        self.contentType = contentType
        self.accept = accept
        self.splitType = splitType
        self.compressionGzip = compressionGzip
        self.multiRecord = multiRecord
        self.maxPayloadBytes = maxPayloadBytes
        self.maxConcurrentTransforms = maxConcurrentTransforms
        self.assembleLines = assembleLines
        self.inputFilter = inputFilter
        self.outputFilter = outputFilter
        self.joinInput = joinInput
    }

    /// The per-record processing the plan asks for, or nil when records pass through untouched.
    public func processor() throws -> RecordProcessor? {
        let input = try JSONPathFilter(inputFilter ?? "$"), output = try JSONPathFilter(outputFilter ?? "$")
        guard !input.isIdentity || !output.isIdentity || joinInput else { return nil }
        guard let inFormat = RecordFormat(mime: contentType) else {
            throw RecordError("DataProcessing works on CSV and JSON records; ContentType \(contentType ?? "") is neither")
        }
        guard let outFormat = RecordFormat(mime: accept ?? contentType) else {
            throw RecordError("DataProcessing works on CSV and JSON results; Accept \(accept ?? "") is neither")
        }
        return RecordProcessor(inputFormat: inFormat, outputFormat: outFormat, inputFilter: input, outputFilter: output, joinInput: joinInput)
    }

    public static func fileName(in workspace: String) -> String { workspace + "/plan.json" }
    public static func failureFile(in workspace: String) -> String { workspace + "/failure" }
}
