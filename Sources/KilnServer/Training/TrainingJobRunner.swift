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

/// Runs training jobs: waits for a slot, lays out the `/opt/ml` workspace, downloads the channels from the
/// object store, runs `kiln worker train` as a child process (so a crash or out-of-memory never takes the server
/// down, and Stop is a signal), streams its output to CloudWatch Logs while reading metrics from it, then packs
/// and uploads `model.tar.gz` and records the outcome.
final class TrainingJobRunner: Sendable {
    let ledger: TrainingJobLedger
    let store: any MetadataStore
    let objects: InternalObjects
    let workRoot: URL
    let workerExecutable: String
    let slots: TrainingSlots
    let logger: Logger
    /// Worker processes by job key, for Stop.
    private let workers = WorkerProcesses()

    init(store: any MetadataStore, blobs: BlobStore, workRoot: URL, workerExecutable: String, slotCount: Int, logger: Logger) {
        self.store = store
        ledger = TrainingJobLedger(store: store)
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

    /// Jobs a previous run of Kiln left in progress cannot be resumed: they end Failed, never stuck InProgress.
    func settleInterruptedJobs() async {
        guard let jobs = try? await store.trainingJobs(statuses: ["InProgress", "Stopping"]) else { return }
        for record in jobs {
            _ = try? await ledger.mutate(accountId: record.accountId, region: record.region, name: record.name) { job in
                var life = TrainingJobLifecycle(job: job.description)
                if job.stopRequested || record.status == "Stopping" {
                    life.stopped()
                } else {
                    life.fail("InternalServerError: Kiln restarted while this job was running, so its worker was stopped. Start the job again under a new name.")
                }
                job.description = life.job
            }
        }
    }

    // MARK: One job

    struct JobFailure: Error { var reason: String }

    func run(name: String, caller: Caller) async {
        let key = Self.key(caller, name)
        let acct = caller.accountId, region = caller.region
        func update(_ change: @escaping @Sendable (inout TrainingJobLifecycle) -> Void) async {
            _ = try? await ledger.mutate(accountId: acct, region: region, name: name) { job in
                var life = TrainingJobLifecycle(job: job.description)
                change(&life)
                job.description = life.job
            }
        }
        if await !slots.tryAcquire() {
            await update { $0.advance("Starting", "Waiting for a free training slot on this Kiln") }
            await slots.acquire()
        }
        // The slot is held while the worker may run, and given back exactly once.
        let slot = SlotHold(slots)
        let workspace = Workspace(root: workRoot.appendingPathComponent(UUID().uuidString))
        defer {
            try? FileManager.default.removeItem(at: workspace.root)
            workers.clearStopRequest(key)
        }
        do {
            guard let job = try? await ledger.read(accountId: acct, region: region, name: name) else {
                await slot.release()
                return
            }
            if workers.stopRequested(key) {
                await slot.release()
                await update { $0.stopped() }
                return
            }
            await update { $0.advance("Starting", "Preparing the instances for training") }
            try prepare(workspace, job.description)
            await update { $0.advance("Downloading", "Downloading input data") }
            let feeders = try await download(job.description, into: workspace, caller: caller)
            try await downloadCheckpoints(job.description, into: workspace, caller: caller)
            await update { $0.advance("Training", "Training image download completed. Training in progress.") }
            let outcome = try await train(job, workspace: workspace, caller: caller, key: key, feeders: feeders)
            await slot.release()
            switch outcome.exit {
            case .stopped(let maxRuntime):
                await update { $0.advance("Uploading", "Uploading generated training model") }
                try? await uploadCheckpoints(job.description, from: workspace, caller: caller)
                let artifacts = try? await upload(job.description, workspace: workspace, caller: caller)
                await finish(acct, region, name, metrics: outcome.metrics, artifacts: artifacts) { $0.stopped(maxRuntimeExceeded: maxRuntime) }
            case .failed(let reason):
                try? await uploadCheckpoints(job.description, from: workspace, caller: caller)
                await finish(acct, region, name, metrics: outcome.metrics, artifacts: nil) { $0.fail(reason) }
            case .succeeded:
                await update { $0.advance("Uploading", "Uploading generated training model") }
                try await uploadCheckpoints(job.description, from: workspace, caller: caller)
                let artifacts = try await upload(job.description, workspace: workspace, caller: caller)
                await finish(acct, region, name, metrics: outcome.metrics, artifacts: artifacts) { $0.complete() }
            }
        } catch let failure as JobFailure {
            await slot.release()
            await update { $0.fail(failure.reason) }
        } catch {
            await slot.release()
            logger.error("training job failed inside Kiln", metadata: ["job": "\(name)", "error": "\(error)"])
            await update { $0.fail("InternalServerError: \(error)") }
        }
    }

    func finish(_ acct: String, _ region: String, _ name: String, metrics: [(name: String, value: Double, time: Date)],
                artifacts: String?, _ change: @escaping @Sendable (inout TrainingJobLifecycle) -> Void) async {
        _ = try? await ledger.mutate(accountId: acct, region: region, name: name) { job in
            if let artifacts { job.description.modelArtifacts = ModelArtifacts(s3ModelArtifacts: artifacts) }
            job.description.finalMetricDataList = metrics.map { MetricData(metricName: $0.name, value: $0.value, timestamp: $0.time) }
            var life = TrainingJobLifecycle(job: job.description)
            change(&life)
            job.description = life.job
        }
    }

    func prepare(_ workspace: Workspace, _ d: DescribeTrainingJobResponse) throws {
        let mode = d.algorithmSpecification?.trainingInputMode ?? "File"
        var channels: [String: Workspace.ChannelConfig] = [:]
        for c in d.inputDataConfig ?? [] {
            channels[c.channelName ?? ""] = .init(contentType: c.contentType, inputMode: c.inputMode ?? mode,
                                                  distribution: c.dataSource?.s3DataSource?.s3DataDistributionType ?? "FullyReplicated",
                                                  recordWrapper: c.recordWrapperType ?? "None", compression: c.compressionType)
        }
        try workspace.create(hyperparameters: d.hyperParameters ?? [:], channels: channels)
    }

    /// File mode: every object of a channel is copied under `input/data/<channel>/` with its relative path.
    /// Pipe mode: the objects are snapshotted (hard links to their blobs) and returned as feeders, which stream
    /// them through the channel's FIFOs once the worker runs.
    func download(_ d: DescribeTrainingJobResponse, into workspace: Workspace, caller: Caller) async throws -> [PipeChannelFeeder] {
        var feeders: [PipeChannelFeeder] = []
        let jobMode = d.algorithmSpecification?.trainingInputMode ?? "File"
        for c in d.inputDataConfig ?? [] {
            guard let source = c.dataSource?.s3DataSource, let uri = source.s3Uri, let (bucket, prefix) = ChannelPaths.parseS3URI(uri) else { continue }
            let channel = c.channelName ?? ""
            var files: [(key: String, relative: String)] = []
            if source.s3DataType == "ManifestFile" {
                files = try await manifestEntries(bucket: bucket, key: prefix, caller: caller, channel: channel)
            } else {
                let keys = try await objects.keys(bucket: bucket, prefix: prefix, accountId: caller.accountId)
                for key in keys {
                    guard let rel = ChannelPaths.relativePath(key: key, prefix: prefix) else {
                        throw JobFailure(reason: "ClientError: Object key '\(key)' of channel '\(channel)' cannot be a file path (it has empty, '.' or '..' parts)")
                    }
                    if key.hasSuffix("/") { continue }
                    files.append((key, rel))
                }
            }
            let regular = files.filter { !$0.key.hasSuffix("/") }
            guard !regular.isEmpty else {
                throw JobFailure(reason: "ClientError: No S3 objects found under S3 URL \"\(uri)\" given in input data source. Please ensure that the bucket exists in the selected region (\(caller.region)), that objects exist under that S3 prefix, and that the role \(d.roleArn ?? "") has \"s3:ListBucket\" permissions on bucket \"\(bucket)\".")
            }
            if (c.inputMode ?? jobMode) == "Pipe" {
                let sources = workspace.root.appendingPathComponent("pipe-sources/\(channel)")
                try FileManager.default.createDirectory(at: sources, withIntermediateDirectories: true)
                try? FileManager.default.removeItem(at: workspace.channelDir(channel))
                var paths: [String] = []
                for (i, file) in regular.enumerated() {
                    let path = sources.appendingPathComponent(String(i)).path
                    try await objects.snapshot(bucket: bucket, key: file.key, to: path, accountId: caller.accountId)
                    paths.append(path)
                }
                feeders.append(PipeChannelFeeder(directory: workspace.dataDir, channel: channel, gzip: c.compressionType == "Gzip", objectPaths: paths))
                continue
            }
            for file in regular {
                let target = workspace.channelDir(channel).appendingPathComponent(file.relative)
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try await objects.copy(bucket: bucket, key: file.key, to: target.path, accountId: caller.accountId)
            }
        }
        return feeders
    }

    /// `CheckpointConfig.S3Uri` as a folder: `s3://b/p` holds `p/<file>`.
    static func checkpointFolder(_ d: DescribeTrainingJobResponse) throws -> (uri: String, bucket: String, folder: String)? {
        guard let uri = d.checkpointConfig?.s3Uri else { return nil }
        guard let (bucket, prefix) = ChannelPaths.parseS3URI(uri) else {
            throw JobFailure(reason: "ClientError: CheckpointConfig.S3Uri \(uri) is not an s3:// URI")
        }
        return (uri, bucket, prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/")
    }

    /// With a `CheckpointConfig`, the checkpoints already under its `S3Uri` (from an earlier run) are copied into
    /// the workspace's checkpoint folder, which the algorithm learns of from `checkpointconfig.json`.
    func downloadCheckpoints(_ d: DescribeTrainingJobResponse, into workspace: Workspace, caller: Caller) async throws {
        guard let (uri, bucket, folder) = try Self.checkpointFolder(d) else { return }
        try workspace.enableCheckpoints(s3Uri: uri)
        do {
            for key in try await objects.keys(bucket: bucket, prefix: folder, accountId: caller.accountId) where !key.hasSuffix("/") {
                guard let relative = ChannelPaths.relativePath(key: key, prefix: folder) else { continue }
                let target = workspace.checkpointDir.appendingPathComponent(relative)
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try await objects.copy(bucket: bucket, key: key, to: target.path, accountId: caller.accountId)
            }
        } catch let e as InternalObjects.Failure {
            throw JobFailure(reason: "ClientError: Could not read the checkpoints at \(uri): \(e.message)")
        }
    }

    /// Copies every file of the checkpoint folder to the `S3Uri` (SageMaker syncs it while the job runs; Kiln when
    /// the worker has ended, whether it completed, failed or was stopped).
    func uploadCheckpoints(_ d: DescribeTrainingJobResponse, from workspace: Workspace, caller: Caller) async throws {
        guard let (uri, bucket, folder) = try Self.checkpointFolder(d) else { return }
        let root = workspace.checkpointDir.standardizedFileURL.path + "/"
        guard let files = FileManager.default.enumerator(atPath: root) else { return }
        do {
            for case let relative as String in files {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: root + relative, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
                try await objects.put(file: root + relative, bucket: bucket, key: folder + relative,
                                      contentType: "application/octet-stream", accountId: caller.accountId)
            }
        } catch let e as InternalObjects.Failure {
            throw JobFailure(reason: "ClientError: Could not upload the checkpoints to \(uri): \(e.message)")
        }
    }

    /// A manifest is `[{"prefix": "s3://b/p/"}, "rel/key1", …]`.
    func manifestEntries(bucket: String, key: String, caller: Caller, channel: String) async throws -> [(key: String, relative: String)] {
        let data = try await objects.read(bucket: bucket, key: key, accountId: caller.accountId, limit: 64 << 20)
        guard let items = try? JSONSerialization.jsonObject(with: data) as? [Any], let head = items.first as? [String: Any],
              let prefixURI = head["prefix"] as? String, let (pb, pp) = ChannelPaths.parseS3URI(prefixURI) else {
            throw JobFailure(reason: "ClientError: The manifest s3://\(bucket)/\(key) of channel '\(channel)' is not a JSON list starting with {\"prefix\": \"s3://…\"}")
        }
        guard pb == bucket else {
            throw JobFailure(reason: "ClientError: Kiln reads manifest entries from the manifest's own bucket; the prefix names bucket '\(pb)'")
        }
        return try items.dropFirst().map { item in
            guard let rel = item as? String, let safe = ChannelPaths.relativePath(key: pp + rel, prefix: pp) else {
                throw JobFailure(reason: "ClientError: Manifest s3://\(bucket)/\(key) has an entry that is not a safe relative key: \(item)")
            }
            return (pp + rel, safe)
        }
    }

    enum Exit { case succeeded, failed(String), stopped(maxRuntime: Bool) }

    /// Runs the worker, streaming its output lines to CloudWatch Logs and the metric extractor.
    func train(_ job: StoredTrainingJob, workspace: Workspace, caller: Caller, key: String, feeders: [PipeChannelFeeder]) async throws
        -> (exit: Exit, metrics: [(name: String, value: Double, time: Date)]) {
        let d = job.description
        let name = d.trainingJobName ?? ""
        let process = Process()
        process.executableURL = URL(fileURLWithPath: workerExecutable)
        process.arguments = ["worker", "train", "--workspace", workspace.root.path, "--algorithm", job.algorithm]
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") && !$0.key.hasPrefix("KILN_") }
        for (k, v) in d.environment ?? [:] { env[k] = v }
        env["TRAINING_JOB_NAME"] = name
        env["TRAINING_JOB_ARN"] = d.trainingJobArn
        env["AWS_REGION"] = caller.region
        env["SM_MODEL_DIR"] = workspace.modelDir.path
        env["SM_OUTPUT_DATA_DIR"] = workspace.outputDataDir.path
        env["SM_CHANNELS"] = "[" + (d.inputDataConfig ?? []).map { "\"\($0.channelName ?? "")\"" }.joined(separator: ",") + "]"
        for c in d.inputDataConfig ?? [] { env["SM_CHANNEL_\((c.channelName ?? "").uppercased())"] = workspace.channelDir(c.channelName ?? "").path }
        env["SM_NUM_CPUS"] = String(ProcessInfo.processInfo.activeProcessorCount)
        env["SM_NUM_GPUS"] = "0"
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice

        let logs = JobLogWriter(logs: store, scope: LogScope(accountId: caller.accountId, region: caller.region),
                                group: "/aws/sagemaker/TrainingJobs", stream: "\(name)/algo-1-\(Int(Date().timeIntervalSince1970))")
        try await logs.open()
        var extractor = MetricExtractor((d.algorithmSpecification?.metricDefinitions ?? []).map { MetricPattern(name: $0.name ?? "", regex: $0.regex ?? "") })
        let lines = LineReader.lines(of: pipe.fileHandleForReading)
        for feeder in feeders { try feeder.start() }
        defer { for feeder in feeders { feeder.cancel() } }
        try process.run()
        let pid = process.processIdentifier
        workers.started(key, pid: pid)
        let maxRuntimeHit = Mutex(false)
        let maxRuntime = d.stoppingCondition?.maxRuntimeInSeconds ?? 86_400
        let watchdog = Task {
            try await Task.sleep(for: .seconds(maxRuntime))
            maxRuntimeHit.withLock { $0 = true }
            WorkerProcesses.terminate(pid)
        }
        for await line in lines {
            let escaped = cloudWatchEscaped(line)
            extractor.consume(escaped)
            await logs.append(escaped)
        }
        process.waitUntilExit()
        watchdog.cancel()
        workers.exited(key)
        await logs.flush()
        let stopped = workers.stopRequested(key)
        let status = process.terminationStatus
        let exit: Exit
        if maxRuntimeHit.withLock({ $0 }) {
            exit = .stopped(maxRuntime: true)
        } else if stopped {
            exit = .stopped(maxRuntime: false)
        } else if process.terminationReason == .exit && status == 0 {
            exit = .succeeded
        } else if let message = feeders.compactMap(\.failure).first {
            exit = .failed(message)
        } else if let message = workspace.failureMessage() {
            exit = .failed(message)
        } else if process.terminationReason == .uncaughtSignal {
            exit = .failed("AlgorithmError: the training worker was killed by signal \(status)\(status == SIGKILL ? " (out of memory?)" : "")")
        } else {
            exit = .failed("AlgorithmError: the training worker exited with status \(status)")
        }
        return (exit, extractor.finalMetrics)
    }

    /// Packs `model/` (and `output/data/` when not empty) and stores them under `<S3OutputPath>/<job>/output/`.
    func upload(_ d: DescribeTrainingJobResponse, workspace: Workspace, caller: Caller) async throws -> String {
        guard let out = d.outputDataConfig?.s3OutputPath, let (bucket, prefix) = ChannelPaths.parseS3URI(out) else {
            throw JobFailure(reason: "ClientError: OutputDataConfig.S3OutputPath is not an s3:// URI")
        }
        let base = (prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/") + (d.trainingJobName ?? "") + "/output/"
        let archive = workspace.root.appendingPathComponent("model.tar.gz").path
        try TarGzArchiver.archive(directory: workspace.modelDir, to: archive)
        do {
            try await objects.put(file: archive, bucket: bucket, key: base + "model.tar.gz", contentType: "application/x-tar", accountId: caller.accountId)
            let extra = (try? FileManager.default.contentsOfDirectory(atPath: workspace.outputDataDir.path)) ?? []
            if !extra.isEmpty {
                let outputArchive = workspace.root.appendingPathComponent("output.tar.gz").path
                try TarGzArchiver.archive(directory: workspace.outputDataDir, to: outputArchive)
                try await objects.put(file: outputArchive, bucket: bucket, key: base + "output.tar.gz", contentType: "application/x-tar", accountId: caller.accountId)
            }
        } catch let e as InternalObjects.Failure {
            throw JobFailure(reason: "ClientError: Could not upload the model to \(out): \(e.message)")
        }
        return "s3://\(bucket)/\(base)model.tar.gz"
    }
}

/// A held training slot that is released at most once.
final class SlotHold: Sendable {
    let slots: TrainingSlots
    let released = Mutex(false)
    init(_ slots: TrainingSlots) { self.slots = slots }
    func release() async {
        let first = released.withLock { done in
            defer { done = true }
            return !done
        }
        if first { await slots.release() }
    }
}
