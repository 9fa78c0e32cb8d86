import ArgumentParser
import BatchTransform
import Foundation
import Hummingbird
import KilnServer
import Logging
import ModelServing
import TrainingWorker
import XGBoostAlgorithm
import FirstPartyAlgorithms

/// The native algorithms this build carries, for training workers and for endpoints.
func registerAlgorithms() {
    TrainingWorker.algorithms["xgboost"] = { XGBoostTraining() }
    ModelLoaders.register(XGBoostModelLoader())
    FirstPartyAlgorithms.register()
}

@main
struct Kiln: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiln",
        abstract: "A self-hosted machine-learning platform that speaks the Amazon SageMaker APIs.",
        subcommands: [Serve.self, Worker.self, Bench.self],
        defaultSubcommand: Serve.self)
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start Kiln: S3, SageMaker, CloudWatch Logs, STS and IAM on one port.")

    @Option(help: "Address to listen on (default 127.0.0.1; 0.0.0.0 exposes Kiln to the network).") var host: String?
    @Option(help: "Port to listen on (default 8700; 0 picks a free one).") var port: Int?
    @Option(name: .customLong("data-dir"), help: "Folder for metadata and objects (default ./kiln-data).") var dataDir: String?
    @Option(help: "sigv4 (default) or accept-any (development only: accepts any well-formed signature).") var auth: String?
    @Option(name: .customLong("account-id"), help: "The 12-digit account id of the root identity (default 000000000000).") var accountId: String?
    @Option(help: "Region for requests that name none (default us-east-1).") var region: String?
    @Option(help: "A JSON config file; flags and KILN_* environment variables override it.") var config: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.") var logLevel: String?

    func run() async throws {
        var c = KilnConfiguration()
        let env = ProcessInfo.processInfo.environment
        if let path = config ?? env["KILN_CONFIG"] { try c.apply(configFile: path) }
        try c.apply(environment: env)
        if let host { c.host = host }
        if let port { c.port = port }
        if let dataDir { c.dataDirectory = dataDir }
        if let auth { try c.setAuth(auth) }
        if let accountId { try c.setAccount(accountId) }
        if let region { c.defaultRegion = region }
        if let logLevel { c.logLevel = logLevel }

        registerAlgorithms()
        // Writes to a closed pipe (a training worker that stopped reading its Pipe-mode FIFO) must not kill the server.
        signal(SIGPIPE, SIG_IGN)
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: c.logLevel) ?? .info
            return handler
        }
        let logger = Logger(label: "kiln")
        if c.authMode == .acceptAny {
            logger.warning("AUTHENTICATION IS OFF: --auth=accept-any accepts any well-formed signature. Never expose this server.")
        }
        let dataDir = c.dataDirectory
        let authMode = c.authMode
        let app = try await buildApplication(configuration: c, logger: logger) { banner in
            let lines = [
                "Kiln is ready at \(banner.endpoint)  (data: \(dataDir), auth: \(authMode.rawValue))",
                "Root credentials of account \(banner.accountId):",
                "  access key id:     \(banner.accessKeyId)",
                "  secret access key: \(banner.secretAccessKey)",
                "Point AWS clients at Kiln with:",
                "export AWS_ENDPOINT_URL=\(banner.endpoint) AWS_ACCESS_KEY_ID=\(banner.accessKeyId) AWS_SECRET_ACCESS_KEY=\(banner.secretAccessKey) AWS_DEFAULT_REGION=\(banner.region)",
            ]
            FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
            FileHandle.standardOutput.synchronizeFile()
        }
        try await app.runService()
    }
}

struct Worker: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Internal: the process a training job runs in (started by kiln serve).",
        subcommands: [Train.self, Transform.self])

    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run one training job in an /opt/ml-style workspace.")
        @Option(help: "The job's workspace (the /opt/ml tree).") var workspace: String
        @Option(help: "The native algorithm to run.") var algorithm: String

        func run() throws {
            registerAlgorithms()
            let status = TrainingWorker.run(workspace: workspace, algorithm: algorithm)
            if status != 0 { throw ExitCode(status) }
        }
    }
}

extension Worker {
    /// `kiln worker transform --workspace DIR`: the process a batch transform job runs in (started by kiln serve).
    struct Transform: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run one batch transform job from its workspace's plan.json.")
        @Option(help: "The job's workspace (plan.json, the model, input snapshots, output folder).") var workspace: String

        func run() throws {
            registerAlgorithms()
            let status = TransformWorker.run(workspace: workspace)
            if status != 0 { throw ExitCode(status) }
        }
    }
}

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Benchmarks (see Benchmarks/README.md).")
    func run() async throws {
        print("Run Benchmarks/run_foundation_bench.sh; it starts kiln and measures it against its own clients.")
    }
}
