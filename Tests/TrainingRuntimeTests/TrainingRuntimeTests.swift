import Foundation
import Testing
@testable import TrainingRuntime

@Suite struct TrainingRuntimeTests {
    @Test func imagesMapToAlgorithmsIgnoringAccountAndRegion() {
        #expect(BuiltInAlgorithm.resolve(image: "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1")?.name == "xgboost")
        #expect(BuiltInAlgorithm.resolve(image: "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.5-1")?.name == "xgboost")
        #expect(BuiltInAlgorithm.resolve(image: "811284229777.dkr.ecr.us-east-1.amazonaws.com/xgboost:1")?.name == "xgboost")
        #expect(BuiltInAlgorithm.resolve(image: "382416733822.dkr.ecr.us-east-1.amazonaws.com/kmeans:1")?.name == "kmeans")
        #expect(BuiltInAlgorithm.resolve(image: "382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1")?.name == "linear-learner")
        #expect(BuiltInAlgorithm.resolve(image: "382416733822.dkr.ecr.us-east-1.amazonaws.com/factorization-machines:1") == nil)
        #expect(BuiltInAlgorithm.resolve(image: "my-registry/my-image:latest") == nil)
    }

    @Test func linearLearnerMetricsReadTheContainersLines() {
        var m = MetricExtractor(BuiltInAlgorithm.linearLearner.metricDefinitions)
        for line in [
            "[11/24/2020 18:53:56 INFO 140513285547840] #quality_metric: host=algo-1, epoch=0, train binary_classification_cross_entropy_objective <loss>=0.595682421003",
            "[11/24/2020 18:54:29 INFO 1405] #quality_metric: host=algo-1, validation binary_f_1.000 <score>=0.994832041344",
            "[11/24/2020 18:54:29 INFO 1405] #quality_metric: host=algo-1, test roc_auc_score <score>=0.999274794808",
            "[11/24/2020 18:54:29 INFO 1405] #quality_metric: host=algo-1, test binary_classification_cross_entropy_objective <loss>=0.05",
        ] { m.consume(line) }
        let final = Dictionary(uniqueKeysWithValues: m.finalMetrics.map { ($0.name, $0.value) })
        #expect(final["train:objective_loss"] == 0.595682421003)
        #expect(final["validation:binary_f_beta"] == 0.994832041344)
        #expect(final["test:roc_auc_score"] == 0.999274794808)
        #expect(final["test:objective_loss"] == 0.05)
        #expect(final["train:objective_loss:final"] == nil)
    }

    @Test func xgboostMetricsComeFromRoundLinesWithEscapedTabs() {
        var m = MetricExtractor(BuiltInAlgorithm.xgboost.metricDefinitions)
        for line in ["[0]\ttrain-auc:0.90\tvalidation-auc:0.85", "[1]\ttrain-auc:0.95\tvalidation-auc:0.875e0", "no metrics here"] {
            m.consume(cloudWatchEscaped(line))
        }
        let final = Dictionary(uniqueKeysWithValues: m.finalMetrics.map { ($0.name, $0.value) })
        #expect(final == ["train:auc": 0.95, "validation:auc": 0.875])
    }

    @Test func channelPathsStayInsideTheChannel() {
        #expect(ChannelPaths.relativePath(key: "data/train.csv", prefix: "data/train.csv") == "train.csv")
        #expect(ChannelPaths.relativePath(key: "data/x/y.csv", prefix: "data/") == "x/y.csv")
        #expect(ChannelPaths.relativePath(key: "data/x/y.csv", prefix: "data/x") == "x/y.csv")
        #expect(ChannelPaths.relativePath(key: "data/../../etc/passwd", prefix: "data/") == nil)
        #expect(ChannelPaths.relativePath(key: "data//a", prefix: "data/") == nil)
        #expect(ChannelPaths.relativePath(key: "other/a", prefix: "data/") == nil)
        #expect(ChannelPaths.parseS3URI("s3://bkt/a/b")! == ("bkt", "a/b"))
        #expect(ChannelPaths.parseS3URI("s3://bkt")! == ("bkt", ""))
        #expect(ChannelPaths.parseS3URI("http://x") == nil)
    }

    @Test func modelArchiveIsReadableByTar() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-tar-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = dir.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: model.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Data("booster".utf8).write(to: model.appendingPathComponent("xgboost-model"))
        let longName = String(repeating: "n", count: 150)
        try Data((0..<70_000).map { UInt8($0 % 251) }).write(to: model.appendingPathComponent("sub/\(longName)"))
        let out = dir.appendingPathComponent("model.tar.gz").path
        try TarGzArchiver.archive(directory: model, to: out)
        let list = Process()
        list.executableURL = URL(fileURLWithPath: "/bin/tar")
        list.arguments = ["-tzf", out]
        let pipe = Pipe()
        list.standardOutput = pipe
        try list.run()
        let names = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n").map(String.init)
        list.waitUntilExit()
        #expect(list.terminationStatus == 0)
        #expect(Set(names) == ["sub/", "sub/\(longName)", "xgboost-model"])
        let extract = Process()
        extract.executableURL = URL(fileURLWithPath: "/bin/tar")
        let target = dir.appendingPathComponent("x")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        extract.arguments = ["-xzf", out, "-C", target.path]
        try extract.run()
        extract.waitUntilExit()
        #expect(try Data(contentsOf: target.appendingPathComponent("sub/\(longName)")) == Data(contentsOf: model.appendingPathComponent("sub/\(longName)")))
    }

    @Test func workspaceWritesTheContractFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-ws-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ws = Workspace(root: dir)
        try ws.create(hyperparameters: ["num_round": "10"],
                      channels: ["train": .init(contentType: "text/csv", inputMode: "File", distribution: "FullyReplicated", recordWrapper: "None", compression: nil)])
        #expect(try ws.hyperparameters() == ["num_round": "10"])
        #expect(try ws.channels()["train"]?.ContentType == "text/csv")
        let resource = try JSONSerialization.jsonObject(with: Data(contentsOf: ws.configDir.appendingPathComponent("resourceconfig.json"))) as? [String: Any]
        #expect(resource?["current_host"] as? String == "algo-1")
        ws.writeFailure(String(repeating: "x", count: 2000))
        #expect(ws.failureMessage()?.count == 1024)
    }
}

@Suite struct TarRoundTripTests {
    @Test func extractsWhatWeArchiveAndWhatTarWrites() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-untar-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = dir.appendingPathComponent("src")
        let longName = String(repeating: "m", count: 120)
        try FileManager.default.createDirectory(at: src.appendingPathComponent("a/b"), withIntermediateDirectories: true)
        try Data("model".utf8).write(to: src.appendingPathComponent("xgboost-model"))
        try Data((0..<3000).map { UInt8($0 % 7) }).write(to: src.appendingPathComponent("a/b/\(longName)"))
        try Data().write(to: src.appendingPathComponent("a/empty"))
        // Ours.
        let ours = dir.appendingPathComponent("ours.tar.gz").path
        try TarGzArchiver.archive(directory: src, to: ours)
        // GNU tar's (long names as ././@LongLink).
        let gnu = dir.appendingPathComponent("gnu.tar.gz").path
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/bin/tar")
        tar.arguments = ["-czf", gnu, "-C", src.path, "."]
        try tar.run()
        tar.waitUntilExit()
        for archive in [ours, gnu] {
            let out = dir.appendingPathComponent(UUID().uuidString)
            try TarGzExtractor.extract(archive, into: out)
            #expect(try Data(contentsOf: out.appendingPathComponent("xgboost-model")) == Data("model".utf8))
            #expect(try Data(contentsOf: out.appendingPathComponent("a/b/\(longName)")) == Data(contentsOf: src.appendingPathComponent("a/b/\(longName)")))
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("a/empty").path))
        }
    }

    @Test func refusesEntriesOutsideTheFolder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-evil-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: dir.appendingPathComponent("evil"))
        let archive = dir.appendingPathComponent("evil.tar.gz").path
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/bin/tar")
        tar.arguments = ["-czPf", archive, "--transform", "s,^,../../,", "-C", dir.path, "evil"]
        try tar.run()
        tar.waitUntilExit()
        #expect(throws: TarError.self) { try TarGzExtractor.extract(archive, into: dir.appendingPathComponent("out")) }
    }
}
