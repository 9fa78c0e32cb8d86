import CKilnSystem
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import TrainingRuntime

/// A native algorithm as the worker runs it: read the workspace's config and channels, write the model
/// into `model/`, print progress lines (they become the job's CloudWatch log and metrics).
public protocol TrainingAlgorithm {
    func train(_ workspace: Workspace, log: (String) -> Void) throws
}

/// A failure the user can act on (bad hyperparameter, bad data row): it becomes the job's FailureReason.
public struct AlgorithmError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Runs one training job inside `kiln worker train`: the process boundary keeps crashes and out-of-memory
/// away from the server, and makes Stop a signal.
public enum TrainingWorker {
    /// The native algorithms this build carries, by Kiln's algorithm name.
    nonisolated(unsafe) public static var algorithms: [String: () -> any TrainingAlgorithm] = [:]

    /// Returns the process exit status: 0 on success, 1 on a user error (reason in `output/failure`), 2 on an internal one.
    public static func run(workspace path: String, algorithm name: String) -> Int32 {
        // If the server dies (even by SIGKILL), the worker goes with it instead of running on as an orphan.
        _ = kiln_set_parent_death_signal(SIGKILL)
        let workspace = Workspace(root: URL(fileURLWithPath: path))
        guard let make = algorithms[name] else {
            let reason = "AlgorithmError: the \(name) algorithm is not built into this Kiln"
            workspace.writeFailure(reason)
            FileHandle.standardOutput.write(Data((reason + "\n").utf8))
            return 2
        }
        do {
            try make().train(workspace) { line in
                // Unbuffered, so the server streams each line to CloudWatch Logs as it is printed.
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }
            FileManager.default.createFile(atPath: workspace.outputDir.appendingPathComponent("success").path, contents: nil)
            return 0
        } catch let e as AlgorithmError {
            workspace.writeFailure(e.message)
            FileHandle.standardOutput.write(Data((e.message + "\n").utf8))
            return 1
        } catch {
            let reason = "AlgorithmError: \(error)"
            workspace.writeFailure(reason)
            FileHandle.standardOutput.write(Data((reason + "\n").utf8))
            return 2
        }
    }
}
