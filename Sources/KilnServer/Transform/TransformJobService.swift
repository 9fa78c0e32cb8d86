import AWSWire
import BatchTransform
import Foundation
import Metadata
import ModelServing
import SageMakerShapes
import TrainingRuntime

/// The batch-transform API: CreateTransformJob, DescribeTransformJob, ListTransformJobs, StopTransformJob.
/// Jobs run in worker processes through `TransformJobRunner`.
final class TransformJobService: Sendable {
    let jobs: ResourceStore<StoredTransformJob>
    let models: ResourceStore<StoredModel>
    let runner: TransformJobRunner

    init(store: any MetadataStore, runner: TransformJobRunner) {
        jobs = runner.jobs
        models = ResourceStore(kind: "model", repository: store)
        self.runner = runner
    }

    static let kind = "transform-job"

    static func arn(_ caller: Caller, _ name: String) -> String {
        "arn:aws:sagemaker:\(caller.region):\(caller.accountId):transform-job/\(name.lowercased())"
    }

    static func notFound(_ name: String) -> AWSError {
        AWSError("ResourceNotFound", status: 400, "Could not find requested job with name \(name)")
    }

    static func invalid(_ message: String) -> AWSError { AWSError("ValidationException", status: 400, message) }

    func create(_ r: CreateTransformJobRequest, caller: Caller) async throws -> CreateTransformJobResponse {
        let name = r.transformJobName ?? ""
        let modelName = r.modelName ?? ""
        guard let model = try await models.get(modelName, caller: caller) else {
            throw HostingErrors.notFound("model", HostingErrors.arn(caller, "model", modelName))
        }
        guard let image = (model.description.primaryContainer ?? model.description.containers?.first)?.image else {
            throw Self.invalid("Model \(modelName) has no container image")
        }
        guard ModelLoaders.loader(for: image) != nil else {
            throw Self.invalid("Kiln cannot run the image '\(image)' of model \(modelName): batch transform runs the built-in algorithms Kiln serves")
        }
        var input = r.transformInput ?? TransformInput()
        guard let source = input.dataSource?.s3DataSource, let uri = source.s3Uri, ChannelPaths.parseS3URI(uri) != nil else {
            throw Self.invalid("TransformInput.DataSource.S3DataSource.S3Uri must be an s3:// URI")
        }
        guard ["S3Prefix", "ManifestFile"].contains(source.s3DataType ?? "") else {
            throw Self.invalid("Kiln supports S3DataType S3Prefix and ManifestFile for batch transform, not \(source.s3DataType ?? "none")")
        }
        let split = input.splitType ?? "None"
        guard let splitType = SplitType(rawValue: split) else {
            throw Self.invalid("SplitType \(split) is not supported; use None, Line or RecordIO")
        }
        input.splitType = split
        let compression = input.compressionType ?? "None"
        guard ["None", "Gzip"].contains(compression) else { throw Self.invalid("CompressionType must be None or Gzip, not \(compression)") }
        input.compressionType = compression
        var output = r.transformOutput ?? TransformOutput()
        guard let outPath = output.s3OutputPath, ChannelPaths.parseS3URI(outPath) != nil else {
            throw Self.invalid("TransformOutput.S3OutputPath must be an s3:// URI")
        }
        let assemble = output.assembleWith ?? "None"
        guard ["None", "Line"].contains(assemble) else { throw Self.invalid("AssembleWith must be None or Line, not \(assemble)") }
        output.assembleWith = assemble
        let strategy = r.batchStrategy ?? (splitType == .none ? "SingleRecord" : "MultiRecord")
        guard ["SingleRecord", "MultiRecord"].contains(strategy) else {
            throw Self.invalid("BatchStrategy must be SingleRecord or MultiRecord, not \(strategy)")
        }
        let payload = r.maxPayloadInMB ?? 6
        guard (0...100).contains(payload) else { throw Self.invalid("MaxPayloadInMB must be between 0 and 100, not \(payload)") }
        // By default one invocation per core, as the built-in containers advertise, within the 100 MB bound.
        let concurrency = r.maxConcurrentTransforms ?? max(1, min(ProcessInfo.processInfo.activeProcessorCount, 100 / max(payload, 1)))
        guard concurrency >= 1 else { throw Self.invalid("MaxConcurrentTransforms must be at least 1") }
        guard concurrency * payload <= 100 else {
            throw Self.invalid("MaxConcurrentTransforms × MaxPayloadInMB (\(concurrency) × \(payload)) cannot exceed 100 MB")
        }
        if let p = r.dataProcessing {
            let join = p.joinSource ?? "None"
            guard ["None", "Input"].contains(join) else { throw Self.invalid("JoinSource must be None or Input, not \(join)") }
            for (field, text) in [("InputFilter", p.inputFilter), ("OutputFilter", p.outputFilter)] {
                do { _ = try JSONPathFilter(text ?? "$") } catch let e as JSONPathFilter.ParseError { throw Self.invalid("\(field): \(e.description)") }
            }
            let plan = TransformPlan(jobName: name, image: image, environment: [:], modelDirectory: "", inputs: [], outputDirectory: "",
                                     contentType: input.contentType, accept: output.accept, splitType: splitType, compressionGzip: false,
                                     multiRecord: strategy == "MultiRecord", maxPayloadBytes: 0, maxConcurrentTransforms: 1, assembleLines: false,
                                     inputFilter: p.inputFilter, outputFilter: p.outputFilter, joinInput: join == "Input")
            do {
                if let processor = try plan.processor() {
                    if splitType == .recordIO {
                        throw Self.invalid("DataProcessing works on CSV and JSON records; it cannot be used with SplitType RecordIO")
                    }
                    if processor.joinInput && processor.inputFormat != processor.outputFormat {
                        throw Self.invalid("JoinSource Input joins records of one format: ContentType \(input.contentType ?? "") and Accept \(output.accept ?? "") must both be CSV or both JSON")
                    }
                }
            } catch let e as RecordError { throw Self.invalid(e.description) }
        }
        let now = Date()
        var d = DescribeTransformJobResponse()
        d.transformJobName = name
        d.transformJobArn = Self.arn(caller, name)
        d.transformJobStatus = "InProgress"
        d.modelName = modelName
        d.maxConcurrentTransforms = concurrency
        d.modelClientConfig = r.modelClientConfig
        d.maxPayloadInMB = payload
        d.batchStrategy = strategy
        d.environment = r.environment
        d.transformInput = input
        d.transformOutput = output
        d.dataCaptureConfig = r.dataCaptureConfig
        d.transformResources = r.transformResources
        d.creationTime = now
        d.dataProcessing = r.dataProcessing
        d.experimentConfig = r.experimentConfig
        do {
            try await jobs.insert(StoredTransformJob(description: d, tags: r.tags ?? [], at: now), name: name, caller: caller, at: now)
        } catch MetadataError.alreadyExists {
            throw AWSError("ResourceInUse", status: 400, "Job name must be unique within an AWS account and region, and a job with this name already exists (\(Self.arn(caller, name)))")
        }
        runner.start(name: name, caller: caller)
        return CreateTransformJobResponse(transformJobArn: d.transformJobArn)
    }

    func describe(_ name: String, caller: Caller) async throws -> DescribeTransformJobResponse {
        guard let job = try await jobs.get(name, caller: caller) else { throw Self.notFound(name) }
        return job.description
    }

    func stop(_ name: String, caller: Caller) async throws {
        do {
            try await jobs.mutate(name, accountId: caller.accountId, region: caller.region) { job in
                var life = TransformJobLifecycle(job: job)
                guard life.requestStop() else {
                    throw Self.invalid("The transform job \(name) has already ended (status \(life.status)); only InProgress jobs can be stopped.")
                }
                job = life.job
            }
        } catch MetadataError.notFound {
            throw Self.notFound(name)
        }
        runner.stop(name: name, caller: caller)
    }

    func list(_ r: ListTransformJobsRequest, caller: Caller) async throws -> ListTransformJobsResponse {
        var all = try await jobs.all(caller: caller)
        all = all.filter { j in
            let d = j.description
            if let v = r.nameContains, !(d.transformJobName ?? "").lowercased().contains(v.lowercased()) { return false }
            if let v = r.statusEquals, d.transformJobStatus != v { return false }
            if let v = r.creationTimeAfter, (d.creationTime ?? .distantPast) <= v { return false }
            if let v = r.creationTimeBefore, (d.creationTime ?? .distantFuture) >= v { return false }
            if let v = r.lastModifiedTimeAfter, j.lastModifiedTime <= v { return false }
            if let v = r.lastModifiedTimeBefore, j.lastModifiedTime >= v { return false }
            return true
        }
        let key: (StoredTransformJob) -> String
        switch r.sortBy ?? "CreationTime" {
        case "Name": key = { $0.name }
        case "Status": key = { ($0.description.transformJobStatus ?? "") + "\u{0}" + ListPaging.timeKey($0.description.creationTime) }
        default: key = { ListPaging.timeKey($0.description.creationTime) + $0.name }
        }
        let sorted = ListPaging.sort(all, by: key, ascending: r.sortOrder == "Ascending")
        let (page, token) = try ListPaging.page(sorted, token: r.nextToken, max: r.maxResults ?? 10)
        return ListTransformJobsResponse(transformJobSummaries: page.map(\.summary), nextToken: token)
    }
}
