import Foundation
import GradientBoosting
import TrainingWorker

/// SageMaker's XGBoost checkpoints: with a `CheckpointConfig`, the model is saved after every round as
/// `xgboost-checkpoint.<round>` in the checkpoint folder (the latest 5 kept), and a job that finds
/// checkpoints there goes on from the newest one instead of starting over. Kiln syncs the folder with the
/// `CheckpointConfig.S3Uri` before and after the job. gbtree only: dart and gblinear start over.
struct XGBoostCheckpoints {
    let folder: URL
    static let prefix = "xgboost-checkpoint."
    static let kept = 5

    /// The checkpoint files there, by round, oldest first.
    func saved() -> [(round: Int, url: URL)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.compactMap { name in
            guard name.hasPrefix(Self.prefix), let round = Int(name.dropFirst(Self.prefix.count)), round >= 0 else { return nil }
            return (round, folder.appendingPathComponent(name))
        }.sorted { $0.round < $1.round }
    }

    func continuation(params: Hyperparameters, log: (String) -> Void) throws -> Trainer.Continuation {
        guard params.booster == "gbtree" else {
            log("Checkpoints are written for booster gbtree only; \(params.booster) trains without them.")
            return Trainer.Continuation()
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var continuation = Trainer.Continuation(afterRound: { round, booster in self.save(booster, round: round) })
        guard let latest = saved().last else { return continuation }
        let booster: Booster
        do { booster = try Booster.load(from: latest.url.path) } catch {
            throw AlgorithmError("ClientError: Could not load the checkpoint \(latest.url.lastPathComponent): \(error)")
        }
        let groups = params.objective.isMulticlass ? params.numClass : 1
        guard booster.objective.kind == params.objective, booster.kind == .gbtree, booster.objective.outputGroups == groups,
              Trainer.Continuation.rounds(of: booster, params: params) == latest.round + 1 else {
            throw AlgorithmError("ClientError: The checkpoint \(latest.url.lastPathComponent) does not continue this job "
                                 + "(objective \(booster.objective.kind.rawValue), \(booster.trees.count) trees); "
                                 + "give the job an empty CheckpointConfig.S3Uri to start over")
        }
        log("Resuming from checkpoint \(latest.url.lastPathComponent): \(latest.round + 1) of \(params.numRound) rounds done.")
        continuation.booster = booster
        return continuation
    }

    /// Writes the model after `round`, then drops all but the newest `kept`. The temp file sits beside the
    /// folder, not in it, so the folder only ever holds whole checkpoints (it is uploaded as it is).
    func save(_ booster: Booster, round: Int) {
        let target = folder.appendingPathComponent(Self.prefix + String(round))
        let temp = folder.deletingLastPathComponent().appendingPathComponent(".xgboost-checkpoint.partial")
        guard Self.write(booster, to: target.path, via: temp.path) else { return }
        for old in saved().dropLast(Self.kept) { try? FileManager.default.removeItem(at: old.url) }
    }

    /// Saves `booster` at `path` through `temp` and a rename, so a stopped job never leaves half a model there;
    /// a failure is reported on stderr (the job's log) and the job goes on.
    @discardableResult
    static func write(_ booster: Booster, to path: String, via temp: String) -> Bool {
        do {
            try booster.save(to: temp)
            guard rename(temp, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
            return true
        } catch {
            FileHandle.standardError.write(Data("Could not write \((path as NSString).lastPathComponent): \(error)\n".utf8))
            return false
        }
    }
}
