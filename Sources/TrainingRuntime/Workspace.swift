import Foundation

/// A training job's `/opt/ml` tree, rooted anywhere on disk (the container contract's layout).
public struct Workspace: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root }

    public var configDir: URL { root.appendingPathComponent("input/config") }
    public var dataDir: URL { root.appendingPathComponent("input/data") }
    public var modelDir: URL { root.appendingPathComponent("model") }
    public var outputDir: URL { root.appendingPathComponent("output") }
    public var outputDataDir: URL { root.appendingPathComponent("output/data") }
    public var failureFile: URL { root.appendingPathComponent("output/failure") }
    public func channelDir(_ name: String) -> URL { dataDir.appendingPathComponent(name) }

    /// Per-channel settings as `inputdataconfig.json` holds them.
    public struct ChannelConfig: Codable, Sendable, Equatable {
        public var ContentType: String?
        public var TrainingInputMode: String
        public var S3DistributionType: String
        public var RecordWrapperType: String
        public var CompressionType: String?
        public init(contentType: String?, inputMode: String, distribution: String, recordWrapper: String, compression: String?) {
            ContentType = contentType
            TrainingInputMode = inputMode
            S3DistributionType = distribution
            RecordWrapperType = recordWrapper
            CompressionType = compression
        }
    }

    /// Creates the tree and writes the three config files.
    public func create(hyperparameters: [String: String], channels: [String: ChannelConfig]) throws {
        let fm = FileManager.default
        for dir in [configDir, dataDir, modelDir, outputDataDir, root.appendingPathComponent("output/intermediate")] {
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        }
        for name in channels.keys { try fm.createDirectory(at: channelDir(name), withIntermediateDirectories: true) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(hyperparameters).write(to: configDir.appendingPathComponent("hyperparameters.json"))
        try encoder.encode(channels).write(to: configDir.appendingPathComponent("inputdataconfig.json"))
        let resource: [String: AnyCodable] = ["current_host": .string("algo-1"), "hosts": .strings(["algo-1"]),
                                              "network_interface_name": .string("eth0")]
        try encoder.encode(resource).write(to: configDir.appendingPathComponent("resourceconfig.json"))
    }

    /// Where a job with a `CheckpointConfig` keeps its checkpoints (the contract's `/opt/ml/checkpoints`).
    public var checkpointDir: URL { root.appendingPathComponent("checkpoints") }

    /// Writes `checkpointconfig.json` (`LocalPath` = `checkpointDir`, `S3Uri`) and creates the folder.
    public func enableCheckpoints(s3Uri: String) throws {
        try FileManager.default.createDirectory(at: checkpointDir, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(["LocalPath": checkpointDir.path, "S3Uri": s3Uri])
            .write(to: configDir.appendingPathComponent("checkpointconfig.json"))
    }

    /// The checkpoint folder named by `checkpointconfig.json`, nil when the job has no `CheckpointConfig`.
    public func checkpointPath() -> URL? {
        guard let data = try? Data(contentsOf: configDir.appendingPathComponent("checkpointconfig.json")),
              let config = try? JSONDecoder().decode([String: String].self, from: data), let path = config["LocalPath"] else { return nil }
        return URL(fileURLWithPath: path)
    }

    public func hyperparameters() throws -> [String: String] {
        try JSONDecoder().decode([String: String].self, from: Data(contentsOf: configDir.appendingPathComponent("hyperparameters.json")))
    }

    public func channels() throws -> [String: ChannelConfig] {
        try JSONDecoder().decode([String: ChannelConfig].self, from: Data(contentsOf: configDir.appendingPathComponent("inputdataconfig.json")))
    }

    /// The files of a channel, sorted, recursively (what an algorithm reads in File mode).
    public func files(inChannel name: String) -> [URL] {
        let dir = channelDir(name)
        guard let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var out: [URL] = []
        for case let url as URL in e where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            out.append(url)
        }
        return out.sorted { $0.path < $1.path }
    }

    /// Records why training failed, as the contract's `output/failure` (SageMaker shows its first 1024 characters).
    public func writeFailure(_ message: String) {
        try? FileManager.default.createDirectory(at: outputDir, withIntermediateDirectories: true)
        try? Data(message.utf8).write(to: failureFile)
    }

    public func failureMessage() -> String? {
        guard let data = try? Data(contentsOf: failureFile), !data.isEmpty else { return nil }
        return String(decoding: data.prefix(1024), as: UTF8.self)
    }
}

/// Just enough JSON values for resourceconfig.json.
enum AnyCodable: Encodable {
    case string(String)
    case strings([String])
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .strings(let s): try c.encode(s)
        }
    }
}
