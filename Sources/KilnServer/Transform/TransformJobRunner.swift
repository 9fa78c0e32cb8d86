import BatchTransform
import Foundation
import Logging
import Metadata
import ObjectStore
import SageMakerShapes
import Synchronization
import TrainingRuntime
#if canImport(Glibc)
import Glibc
#endif

/// Runs transform jobs: waits for a slot, unpacks the model, snapshots the input objects (hard links to their
/// immutable blobs, so nothing is copied), writes the worker's plan, runs `kiln worker transform` as a child
/// process (it dies with the server; Stop is a signal), streams its output to CloudWatch Logs, then uploads
/// each `<relative>.out` and records the outcome.
final class TransformJobRunner: Sendable {
    let jobs: ResourceStore<StoredTransformJob>
    let models: ResourceStore<StoredModel>
    let store: any MetadataStore
    let objects: InternalObjects
    let workRoot: URL
    let workerExecutable: String
    let slots: TrainingSlots
    let logger: Logger
    private let workers = WorkerProcesses()

    init(store: any MetadataStore, blobs: BlobStore, workRoot: URL, workerExecutable: String, slotCount: Int, logger: Logger) {
        jobs = ResourceStore(kind: TransformJobService.kind, repository: store)
        models = ResourceStore(kind: "model", repository: store)
        self.store = store
        objects = InternalObjects(metadata: store, blobs: blobs)
        self.workRoot = workRoot
        self.workerExecutable = workerExecutable
        slots = TrainingSlots(count: slotCount)
        self.logger = logger
    }

    static func key(_ caller: Caller, _ name: String) -> String { "\(caller.accountId)/\(caller.region)/\(name)" }

    func start(name: String, caller: Caller) {
        Task { await run(name: name, caller: caller) }
    }

    func stop(name: String, caller: Caller) { workers.requestStop(Self.key(caller, name)) }

    /// Jobs a previous run of Kiln left in progress end Failed (or Stopped when a stop was asked), never stuck.
    func settleInterruptedJobs() async {
        guard let all = try? await jobs.everywhere() else { return }
        for (record, job) in all where !TransformJobLifecycle.terminal.contains(job.description.transformJobStatus ?? "InProgress") {
            try? await jobs.mutate(record.name, accountId: record.accountId, region: record.region) { job in
                var life = TransformJobLifecycle(job: job)
                if job.stopRequested {
                    life.stopped()
                } else {
                    life.fail("InternalServerError: Kiln restarted while this transform job was running, so its worker was stopped. Start the job again under a new name.")
                }
                job = life.job
            }
        }
    }

    struct JobFailure: Error { var reason: String }

    func run(name: String, caller: Caller) async {
        let key = Self.key(caller, name)
        func update(_ change: @escaping @Sendable (inout TransformJobLifecycle) -> Void) async {
            try? await jobs.mutate(name, accountId: caller.accountId, region: caller.region) { job in
                var life = TransformJobLifecycle(job: job)
                change(&life)
                job = life.job
            }
        }
        await slots.acquire()
        let slot = SlotHold(slots)
        let workspace = workRoot.appendingPathComponent(UUID().uuidString)
        defer {
            try? FileManager.default.removeItem(at: workspace)
            workers.clearStopRequest(key)
        }
        do {
            guard let job = try await jobs.get(name, caller: caller) else {
                await slot.release()
                return
            }
            if job.stopRequested || workers.stopRequested(key) {
                await slot.release()
                await update { $0.stopped() }
                return
            }
            await update { $0.started() }
            let plan = try await prepare(job.description, workspace: workspace, caller: caller)
            let exit = try await transform(plan, job: job.description, workspace: workspace, caller: caller, key: key)
            switch exit {
            case .stopped:
                await slot.release()
                await update { $0.stopped() }
            case .failed(let reason):
                await slot.release()
                await update { $0.fail(reason) }
            case .succeeded:
                try await upload(plan, job: job.description, caller: caller)
                await slot.release()
                await update { $0.complete() }
            }
        } catch let failure as JobFailure {
            await slot.release()
            await update { $0.fail(failure.reason) }
        } catch {
            await slot.release()
            logger.error("transform job failed inside Kiln", metadata: ["job": "\(name)", "error": "\(error)"])
            await update { $0.fail("InternalServerError: \(error)") }
        }
    }

    /// Unpacks the model, lists and snapshots the inputs, and writes `plan.json`.
    func prepare(_ d: DescribeTransformJobResponse, workspace: URL, caller: Caller) async throws -> TransformPlan {
        let modelName = d.modelName ?? ""
        guard let model = try await models.get(modelName, caller: caller),
              let container = model.description.primaryContainer ?? model.description.containers?.first, let image = container.image else {
            throw JobFailure(reason: "ClientError: Could not find model \"\(HostingErrors.arn(caller, "model", modelName))\" (was it deleted?)")
        }
        let modelDir = workspace.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: modelDir, withIntermediateDirectories: true)
        if let url = container.modelDataUrl {
            guard let (bucket, key) = ChannelPaths.parseS3URI(url) else { throw JobFailure(reason: "ClientError: ModelDataUrl must be an s3:// URI: \(url)") }
            let archive = workspace.appendingPathComponent("model.tar.gz").path
            do { try await objects.copy(bucket: bucket, key: key, to: archive, accountId: caller.accountId) } catch let e as InternalObjects.Failure {
                throw JobFailure(reason: "ClientError: Failed to download model data from \(url): \(e.message)")
            }
            do { try TarGzExtractor.extract(archive, into: modelDir) } catch {
                throw JobFailure(reason: "ClientError: Failed to extract model data archive from \(url); it must be a valid tar.gz archive: \(error)")
            }
            try? FileManager.default.removeItem(atPath: archive)
        }
        let input = d.transformInput
        guard let source = input?.dataSource?.s3DataSource, let uri = source.s3Uri, let (bucket, prefix) = ChannelPaths.parseS3URI(uri) else {
            throw JobFailure(reason: "ClientError: TransformInput has no S3 data source")
        }
        var files: [(key: String, relative: String)] = []
        if source.s3DataType == "ManifestFile" {
            files = try await manifestEntries(bucket: bucket, key: prefix, caller: caller)
        } else {
            for key in try await objects.keys(bucket: bucket, prefix: prefix, accountId: caller.accountId) where !key.hasSuffix("/") {
                guard let rel = ChannelPaths.relativePath(key: key, prefix: prefix) else {
                    throw JobFailure(reason: "ClientError: Object key '\(key)' cannot name an output file (it has empty, '.' or '..' parts)")
                }
                files.append((key, rel))
            }
        }
        guard !files.isEmpty else {
            throw JobFailure(reason: "ClientError: No S3 objects found under S3 URL \"\(uri)\" given in the input data source. Please ensure that the bucket exists in the selected region (\(caller.region)) and that objects exist under that S3 prefix.")
        }
        let inputDir = workspace.appendingPathComponent("input")
        try FileManager.default.createDirectory(at: inputDir, withIntermediateDirectories: true)
        var inputs: [TransformPlan.Input] = []
        for (i, file) in files.enumerated() {
            let path = inputDir.appendingPathComponent(String(i)).path
            do { try await objects.snapshot(bucket: bucket, key: file.key, to: path, accountId: caller.accountId) } catch let e as InternalObjects.Failure {
                throw JobFailure(reason: "ClientError: Cannot read input s3://\(bucket)/\(file.key): \(e.message)")
            }
            inputs.append(.init(path: path, uri: "s3://\(bucket)/\(file.key)", relative: file.relative))
        }
        var environment = container.environment ?? [:]
        for (k, v) in d.environment ?? [:] { environment[k] = v }
        let payload = d.maxPayloadInMB ?? 6
        let plan = TransformPlan(
            jobName: d.transformJobName ?? "", image: image, environment: environment, modelDirectory: modelDir.path, inputs: inputs,
            outputDirectory: workspace.appendingPathComponent("output").path, contentType: input?.contentType, accept: d.transformOutput?.accept,
            splitType: SplitType(rawValue: input?.splitType ?? "None") ?? .none, compressionGzip: input?.compressionType == "Gzip",
            multiRecord: d.batchStrategy == "MultiRecord", maxPayloadBytes: (payload == 0 ? 100 : payload) << 20,
            maxConcurrentTransforms: d.maxConcurrentTransforms ?? 1, assembleLines: d.transformOutput?.assembleWith == "Line",
            inputFilter: d.dataProcessing?.inputFilter, outputFilter: d.dataProcessing?.outputFilter,
            joinInput: d.dataProcessing?.joinSource == "Input")
        let encoder = JSONEncoder()
        try encoder.encode(plan).write(to: URL(fileURLWithPath: TransformPlan.fileName(in: workspace.path)))
        return plan
    }

    /// A manifest is `[{"prefix": "s3://b/p/"}, "rel/key1", …]`; outputs are named by the relative entries.
    func manifestEntries(bucket: String, key: String, caller: Caller) async throws -> [(key: String, relative: String)] {
        let data: Data
        do { data = try await objects.read(bucket: bucket, key: key, accountId: caller.accountId, limit: 64 << 20) } catch let e as InternalObjects.Failure {
            throw JobFailure(reason: "ClientError: Cannot read the manifest s3://\(bucket)/\(key): \(e.message)")
        }
        guard let items = try? JSONSerialization.jsonObject(with: data) as? [Any], let head = items.first as? [String: Any],
              let prefixURI = head["prefix"] as? String, let (pb, pp) = ChannelPaths.parseS3URI(prefixURI) else {
            throw JobFailure(reason: "ClientError: The manifest s3://\(bucket)/\(key) is not a JSON list starting with {\"prefix\": \"s3://…\"}")
        }
        guard pb == bucket else {
            throw JobFailure(reason: "ClientError: Kiln reads manifest entries from the manifest's own bucket; the prefix names bucket '\(pb)'")
        }
        let base = pp.isEmpty || pp.hasSuffix("/") ? pp : pp + "/"
        return try items.dropFirst().map { item in
            guard let rel = item as? String, let safe = ChannelPaths.relativePath(key: base + rel, prefix: base) else {
                throw JobFailure(reason: "ClientError: Manifest s3://\(bucket)/\(key) has an entry that is not a safe relative key: \(item)")
            }
            return (base + rel, safe)
        }
    }

    enum Exit { case succeeded, failed(String), stopped }

    func transform(_ plan: TransformPlan, job d: DescribeTransformJobResponse, workspace: URL, caller: Caller, key: String) async throws -> Exit {
        let name = d.transformJobName ?? ""
        let process = Process()
        process.executableURL = URL(fileURLWithPath: workerExecutable)
        process.arguments = ["worker", "transform", "--workspace", workspace.path]
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") && !$0.key.hasPrefix("KILN_") }
        for (k, v) in plan.environment { env[k] = v }
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        // One stream per instance, `<job>/<instance-id>-<epoch>`, which the SDK's log reader lists by the `<job>/` prefix.
        let instance = "i-" + String(UInt64.random(in: 1 << 60..<UInt64.max), radix: 16).prefix(17)
        let logs = JobLogWriter(logs: store, scope: LogScope(accountId: caller.accountId, region: caller.region),
                                group: "/aws/sagemaker/TransformJobs", stream: "\(name)/\(instance)-\(Int(Date().timeIntervalSince1970))")
        try await logs.open()
        let lines = LineReader.lines(of: pipe.fileHandleForReading)
        try process.run()
        let pid = process.processIdentifier
        workers.started(key, pid: pid)
        for await line in lines { await logs.append(cloudWatchEscaped(line)) }
        process.waitUntilExit()
        workers.exited(key)
        await logs.flush()
        let status = process.terminationStatus
        if workers.stopRequested(key) { return .stopped }
        if process.terminationReason == .exit && status == 0 { return .succeeded }
        if let reason = try? String(contentsOfFile: TransformPlan.failureFile(in: workspace.path), encoding: .utf8), !reason.isEmpty {
            return .failed(reason)
        }
        if process.terminationReason == .uncaughtSignal {
            return .failed("InternalServerError: the transform worker was killed by signal \(status)\(status == SIGKILL ? " (out of memory?)" : "")")
        }
        return .failed("InternalServerError: the transform worker exited with status \(status)")
    }

    /// Stores each `<relative>.out` under `<S3OutputPath>/`.
    func upload(_ plan: TransformPlan, job d: DescribeTransformJobResponse, caller: Caller) async throws {
        guard let out = d.transformOutput?.s3OutputPath, let (bucket, prefix) = ChannelPaths.parseS3URI(out) else {
            throw JobFailure(reason: "ClientError: TransformOutput.S3OutputPath is not an s3:// URI")
        }
        let base = prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/"
        let contentType = d.transformOutput?.accept ?? "application/octet-stream"
        for input in plan.inputs {
            let file = plan.outputDirectory + "/" + input.relative + ".out"
            do {
                try await objects.put(file: file, bucket: bucket, key: base + input.relative + ".out", contentType: contentType, accountId: caller.accountId)
            } catch let e as InternalObjects.Failure {
                throw JobFailure(reason: "ClientError: Could not upload the output to \(out): \(e.message)")
            }
        }
    }
}
