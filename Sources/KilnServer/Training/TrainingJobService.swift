import AWSWire
import Foundation
import Metadata
import SageMakerShapes
import TrainingRuntime

/// The training-job API: CreateTrainingJob, DescribeTrainingJob, ListTrainingJobs, StopTrainingJob and the tags
/// of training jobs. Jobs run in worker processes through `TrainingJobRunner`.
final class TrainingJobService: Sendable {
    let store: any MetadataStore
    let runner: TrainingJobRunner

    init(store: any MetadataStore, runner: TrainingJobRunner) {
        self.store = store
        self.runner = runner
    }

    static func arn(_ caller: Caller, _ name: String) -> String {
        "arn:aws:sagemaker:\(caller.region):\(caller.accountId):training-job/\(name.lowercased())"
    }

    static func notFound() -> AWSError { AWSError("ValidationException", status: 400, "Requested resource not found.") }

    func load(_ caller: Caller, _ name: String) async throws -> StoredTrainingJob {
        guard let record = try await store.trainingJob(accountId: caller.accountId, region: caller.region, name: name) else {
            throw Self.notFound()
        }
        return try StoredTrainingJob(record)
    }

    func create(_ request: CreateTrainingJobRequest, caller: Caller) async throws -> CreateTrainingJobResponse {
        let name = request.trainingJobName ?? ""
        let spec = request.algorithmSpecification
        guard let image = spec?.trainingImage else {
            throw AWSError("ValidationException", status: 400, "Kiln runs built-in algorithm images: AlgorithmSpecification.TrainingImage is required (AlgorithmName is not supported yet)")
        }
        guard let algorithm = BuiltInAlgorithm.resolve(image: image) else {
            throw AWSError("ValidationException", status: 400, "Kiln cannot run the training image '\(image)': the images it runs natively are SageMaker's XGBoost (…/sagemaker-xgboost:<version>, …/xgboost:1); custom images are not supported yet")
        }
        let mode = spec?.trainingInputMode ?? "File"
        for channel in request.inputDataConfig ?? [] {
            let channelMode = channel.inputMode ?? mode
            guard ["File", "FastFile", "Pipe"].contains(channelMode) else {
                throw AWSError("ValidationException", status: 400, "Channel '\(channel.channelName ?? "")' asks for input mode \(channelMode); Kiln supports File, FastFile and Pipe")
            }
            guard let source = channel.dataSource?.s3DataSource, let uri = source.s3Uri, ChannelPaths.parseS3URI(uri) != nil else {
                throw AWSError("ValidationException", status: 400, "Channel '\(channel.channelName ?? "")' needs an S3DataSource with an s3:// S3Uri (file-system data sources are not supported)")
            }
            guard ["S3Prefix", "ManifestFile"].contains(source.s3DataType ?? "") else {
                throw AWSError("ValidationException", status: 400, "Kiln supports S3DataType S3Prefix and ManifestFile; channel '\(channel.channelName ?? "")' uses \(source.s3DataType ?? "none")")
            }
        }
        guard let output = request.outputDataConfig?.s3OutputPath, ChannelPaths.parseS3URI(output) != nil else {
            throw AWSError("ValidationException", status: 400, "OutputDataConfig.S3OutputPath must be an s3:// URI")
        }
        let now = Date()
        var spec2 = spec ?? AlgorithmSpecification()
        spec2.trainingInputMode = mode
        if spec2.metricDefinitions == nil || spec2.metricDefinitions?.isEmpty == true {
            spec2.metricDefinitions = algorithm.metricDefinitions.map { MetricDefinition(name: $0.name, regex: $0.regex) }
        }
        var outputConfig = request.outputDataConfig ?? OutputDataConfig()
        if outputConfig.kmsKeyId == nil { outputConfig.kmsKeyId = "" }  // the SDK's attach() indexes it
        var description = DescribeTrainingJobResponse()
        description.trainingJobName = name
        description.trainingJobArn = Self.arn(caller, name)
        description.trainingJobStatus = "InProgress"
        description.hyperParameters = request.hyperParameters ?? [:]
        description.algorithmSpecification = spec2
        description.roleArn = request.roleArn
        description.inputDataConfig = request.inputDataConfig
        description.outputDataConfig = outputConfig
        description.resourceConfig = request.resourceConfig
        description.vpcConfig = request.vpcConfig
        description.stoppingCondition = request.stoppingCondition
        description.creationTime = now
        description.lastModifiedTime = now
        description.enableNetworkIsolation = request.enableNetworkIsolation ?? false
        description.enableInterContainerTrafficEncryption = request.enableInterContainerTrafficEncryption ?? false
        description.enableManagedSpotTraining = request.enableManagedSpotTraining ?? false
        description.checkpointConfig = request.checkpointConfig
        description.debugHookConfig = request.debugHookConfig
        description.experimentConfig = request.experimentConfig
        description.profilerConfig = request.profilerConfig
        description.environment = request.environment
        description.retryStrategy = request.retryStrategy
        var lifecycle = TrainingJobLifecycle(job: description)
        lifecycle.advance("Starting", "Launching requested ML instances", at: now)
        let stored = StoredTrainingJob(description: lifecycle.job, tags: request.tags ?? [], algorithm: algorithm.name)
        do {
            try await store.insertTrainingJob(try stored.record(accountId: caller.accountId, region: caller.region))
        } catch MetadataError.alreadyExists {
            throw AWSError("ResourceInUse", status: 400, "Training job names must be unique within an AWS account and region, and a training job with this name already exists (\(Self.arn(caller, name)))")
        }
        runner.start(name: name, caller: caller)
        return CreateTrainingJobResponse(trainingJobArn: description.trainingJobArn)
    }

    func describe(_ name: String, caller: Caller) async throws -> DescribeTrainingJobResponse {
        try await load(caller, name).description
    }

    func stop(_ name: String, caller: Caller) async throws {
        try await runner.ledger.mutate(accountId: caller.accountId, region: caller.region, name: name) { stored in
            guard stored.description.trainingJobStatus == "InProgress" else {
                throw AWSError("ValidationException", status: 400, "The request was rejected because the training job is in status \(stored.description.trainingJobStatus ?? "unknown").")
            }
            var lifecycle = TrainingJobLifecycle(job: stored.description)
            lifecycle.requestStop()
            stored.description = lifecycle.job
            stored.stopRequested = true
        }
        runner.stop(name: name, caller: caller)
    }

    func list(_ r: ListTrainingJobsRequest, caller: Caller) async throws -> ListTrainingJobsResponse {
        var jobs = try await store.trainingJobs(accountId: caller.accountId, region: caller.region).map { try StoredTrainingJob($0).description }
        jobs = jobs.filter { j in
            if let v = r.nameContains, !(j.trainingJobName ?? "").lowercased().contains(v.lowercased()) { return false }
            if let v = r.statusEquals, j.trainingJobStatus != v { return false }
            if let v = r.creationTimeAfter, (j.creationTime ?? .distantPast) <= v { return false }
            if let v = r.creationTimeBefore, (j.creationTime ?? .distantFuture) >= v { return false }
            if let v = r.lastModifiedTimeAfter, (j.lastModifiedTime ?? .distantPast) <= v { return false }
            if let v = r.lastModifiedTimeBefore, (j.lastModifiedTime ?? .distantFuture) >= v { return false }
            return true
        }
        let key: (DescribeTrainingJobResponse) -> String
        switch r.sortBy ?? "CreationTime" {
        case "Name": key = { $0.trainingJobName ?? "" }
        case "Status": key = { ($0.trainingJobStatus ?? "") + "\u{0}" + ListPaging.timeKey($0.creationTime) }
        default: key = { ListPaging.timeKey($0.creationTime) + ($0.trainingJobName ?? "") }
        }
        jobs = ListPaging.sort(jobs, by: key, ascending: r.sortOrder == "Ascending")
        let (page, token) = try ListPaging.page(jobs, token: r.nextToken, max: r.maxResults ?? 10)
        return ListTrainingJobsResponse(trainingJobSummaries: page.map { j in
            TrainingJobSummary(trainingJobName: j.trainingJobName, trainingJobArn: j.trainingJobArn, creationTime: j.creationTime,
                               trainingEndTime: j.trainingEndTime, lastModifiedTime: j.lastModifiedTime,
                               trainingJobStatus: j.trainingJobStatus, secondaryStatus: j.secondaryStatus)
        }, nextToken: token)
    }

    // MARK: Tags (training-job ARNs)

    func jobName(fromARN arn: String, caller: Caller) throws -> String {
        let prefix = "arn:aws:sagemaker:\(caller.region):\(caller.accountId):training-job/"
        guard arn.hasPrefix(prefix) else {
            throw AWSError("ValidationException", status: 400, "Kiln keeps tags for training jobs of this account and region; '\(arn)' is not one")
        }
        return String(arn.dropFirst(prefix.count))
    }

    /// Finds a job by the lower-cased name an ARN carries.
    func load(arn: String, caller: Caller) async throws -> StoredTrainingJob {
        let lowered = try jobName(fromARN: arn, caller: caller)
        let all = try await store.trainingJobs(accountId: caller.accountId, region: caller.region)
        guard let record = all.first(where: { $0.name.lowercased() == lowered }) else { throw Self.notFound() }
        return try StoredTrainingJob(record)
    }

    func addTags(_ r: AddTagsInput, caller: Caller) async throws -> AddTagsOutput {
        let name = try await load(arn: r.resourceArn ?? "", caller: caller).name
        let added = r.tags ?? []
        let stored = try await runner.ledger.mutate(accountId: caller.accountId, region: caller.region, name: name) { stored in
            for tag in added {
                stored.tags.removeAll { $0.key == tag.key }
                stored.tags.append(tag)
            }
            guard stored.tags.count <= 50 else {
                throw AWSError("ValidationException", status: 400, "A resource can have at most 50 tags")
            }
        }
        return AddTagsOutput(tags: stored.tags)
    }

    func listTags(_ r: ListTagsInput, caller: Caller) async throws -> ListTagsOutput {
        let stored = try await load(arn: r.resourceArn ?? "", caller: caller)
        let offset = Int(r.nextToken ?? "0") ?? 0
        let limit = r.maxResults ?? 50
        let page = Array(stored.tags.dropFirst(max(0, offset)).prefix(limit))
        var out = ListTagsOutput(tags: page)
        if max(0, offset) + page.count < stored.tags.count { out.nextToken = String(offset + page.count) }
        return out
    }

    func deleteTags(_ r: DeleteTagsInput, caller: Caller) async throws -> DeleteTagsOutput {
        let name = try await load(arn: r.resourceArn ?? "", caller: caller).name
        let keys = Set(r.tagKeys ?? [])
        try await runner.ledger.mutate(accountId: caller.accountId, region: caller.region, name: name) { stored in
            stored.tags.removeAll { keys.contains($0.key ?? "") }
        }
        return DeleteTagsOutput()
    }
}
