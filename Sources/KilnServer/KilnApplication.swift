import Foundation
import Hummingbird
import Logging
import Metadata
import NIOCore
import ObjectStore

/// What a started Kiln tells its operator: where it listens and which credentials to use.
public struct KilnBanner: Sendable {
    public var endpoint: String
    public var accessKeyId: String
    public var secretAccessKey: String
    public var accountId: String
    public var region: String
}

/// Builds the whole server from a configuration; used by `kiln serve` and by tests alike.
/// `onReady` runs once the socket listens, with the real endpoint (port 0 resolved).
public func buildApplication(
    configuration: KilnConfiguration, logger: Logger, onReady: @escaping @Sendable (KilnBanner) -> Void
) async throws -> some ApplicationProtocol {
    let dataDir = URL(fileURLWithPath: configuration.dataDirectory).standardizedFileURL
    try FileManager.default.createDirectory(at: dataDir, withIntermediateDirectories: true)
    // Before anything touches the folder: a second server would collect the first one's fresh blobs as orphans.
    try DataDirectoryLock.acquire(dataDir.appendingPathComponent("LOCK").path)
    let store = try SQLiteMetadataStore(path: dataDir.appendingPathComponent("metadata.sqlite").path)
    let blobs = try BlobStore(root: dataDir.appendingPathComponent("objects"))
    // Anything a crash left half-written, and blobs no metadata points to, go before we serve.
    let removed = blobs.collectGarbage(referenced: try await store.referencedBlobIds())
    if removed > 0 { logger.info("removed unreferenced blobs left by an interrupted run", metadata: ["count": "\(removed)"]) }

    let rootKey = try await RootCredentials.ensure(in: store, accountId: configuration.accountId)
    let workRoot = dataDir.appendingPathComponent("training-work")
    try? FileManager.default.removeItem(at: workRoot)  // workspaces of jobs a previous run left behind
    let runner = TrainingJobRunner(store: store, blobs: blobs, workRoot: workRoot, workerExecutable: configuration.workerExecutable,
                                   slotCount: configuration.trainingSlots, logger: logger)
    await runner.settleInterruptedJobs()
    let scratch = dataDir.appendingPathComponent("model-scratch")
    try? FileManager.default.removeItem(at: scratch)
    let hosting = HostingService(store: store, objects: InternalObjects(metadata: store, blobs: blobs), scratch: scratch, logger: logger)
    await hosting.restoreEndpoints()
    let transformRunner = TransformJobRunner(store: store, blobs: blobs, workRoot: dataDir.appendingPathComponent("transform-work"),
                                             workerExecutable: configuration.workerExecutable, slotCount: configuration.trainingSlots, logger: logger)
    try? FileManager.default.removeItem(at: transformRunner.workRoot)  // workspaces of jobs a previous run left behind
    await transformRunner.settleInterruptedJobs()
    let metrics = RequestMetrics()
    let responder = KilnResponder(
        authenticator: Authenticator(mode: configuration.authMode, keys: store, defaultAccountId: configuration.accountId,
                                     defaultRegion: configuration.defaultRegion),
        s3: S3Handler(metadata: store, blobs: blobs, virtualHostSuffixes: configuration.virtualHostSuffixes),
        logs: LogsHandler(logs: store),
        query: QueryHandler(),
        sageMaker: SageMakerDispatcher(training: TrainingJobService(store: store, runner: runner), hosting: hosting,
                                       transform: TransformJobService(store: store, runner: transformRunner)),
        runtime: RuntimeHandler(hosting: hosting, metrics: metrics),
        metrics: metrics,
        logger: logger)
    let region = configuration.defaultRegion
    return Application(
        responder: responder,
        // Idle connections close after 5 minutes so stalled clients cannot pin sockets forever.
        server: .http1(configuration: .init(additionalChannelHandlers: [ContinueHandler()], idleTimeout: .seconds(300))),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Kiln"),
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? configuration.port
            let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
            onReady(KilnBanner(endpoint: "http://\(host):\(port)", accessKeyId: rootKey.accessKeyId,
                               secretAccessKey: rootKey.secretAccessKey, accountId: rootKey.accountId, region: region))
        },
        logger: logger)
}

/// The account's root access key: created on first start, then read back on every start.
enum RootCredentials {
    static func ensure(in store: some AccessKeyRepository, accountId: String) async throws -> AccessKey {
        if let key = try await store.firstAccessKey(accountId: accountId) { return key }
        let key = AccessKey(accessKeyId: "AKIA" + randomString(16, alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
                            secretAccessKey: randomString(40, alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"),
                            accountId: accountId, userName: "root", createdAt: Date())
        try await store.insertAccessKey(key)
        return key
    }

    static func randomString(_ n: Int, alphabet: String) -> String {
        let chars = Array(alphabet)
        var rng = SystemRandomNumberGenerator()
        return String((0..<n).map { _ in chars[Int(rng.next(upperBound: UInt32(chars.count)))] })
    }
}
