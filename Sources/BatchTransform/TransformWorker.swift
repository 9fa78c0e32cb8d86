import CKilnSystem
import Foundation
import ModelServing
#if canImport(Glibc)
import Glibc
#endif

/// `kiln worker transform`: loads the model through its image's `ModelLoader`, then streams every input object
/// through it into `<relative>.out` files. Progress lines go to standard output (the job's CloudWatch stream);
/// a failure's reason goes to the workspace's `failure` file for the job's FailureReason.
public enum TransformWorker {
    /// Returns the process exit status: 0 on success, 1 on a user error, 2 on an internal one.
    public static func run(workspace: String) -> Int32 {
        // If the server dies (even by SIGKILL), the worker goes with it.
        _ = kiln_set_parent_death_signal(SIGKILL)
        func log(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
        func fail(_ reason: String, status: Int32) -> Int32 {
            try? Data(reason.utf8).write(to: URL(fileURLWithPath: TransformPlan.failureFile(in: workspace)))
            log(reason)
            return status
        }
        let plan: TransformPlan
        do {
            plan = try JSONDecoder().decode(TransformPlan.self, from: Data(contentsOf: URL(fileURLWithPath: TransformPlan.fileName(in: workspace))))
        } catch {
            return fail("InternalServerError: the transform plan cannot be read: \(error)", status: 2)
        }
        guard let loader = ModelLoaders.loader(for: plan.image) else {
            return fail("ClientError: Kiln cannot serve the image '\(plan.image)' of this job's model", status: 1)
        }
        let model: any ServableModel
        do {
            model = try loader.load(modelDirectory: URL(fileURLWithPath: plan.modelDirectory), environment: plan.environment)
        } catch let e as InvocationFailure {
            return fail("ClientError: the model cannot be loaded: \(e.message)", status: 1)
        } catch {
            return fail("ClientError: the model cannot be loaded: \(error)", status: 1)
        }
        let engine: TransformEngine
        do { engine = try TransformEngine(model: model, plan: plan) } catch {
            return fail("ClientError: \(error)", status: 1)
        }
        log("Kiln batch transform \(plan.jobName): model loaded (\(plan.image)); \(plan.inputs.count) input object(s), SplitType \(plan.splitType.rawValue), "
            + "BatchStrategy \(plan.multiRecord ? "MultiRecord" : "SingleRecord"), MaxPayloadInMB \(plan.maxPayloadBytes >> 20), "
            + "MaxConcurrentTransforms \(plan.maxConcurrentTransforms)")
        var total = 0
        let started = Date()
        for input in plan.inputs {
            let t0 = Date()
            log("Transforming \(input.uri)")
            do {
                let source = try FileChunkSource(path: input.path, gzip: plan.compressionGzip)
                var sink = try FileSink(path: plan.outputDirectory + "/" + input.relative + ".out")
                let summary = try engine.run(source: source, uri: input.uri, into: &sink)
                try sink.close()
                total += summary.records
                let seconds = Date().timeIntervalSince(t0)
                log("Transformed \(input.uri): \(summary.records) record(s) in \(summary.invocations) invocation(s), "
                    + String(format: "%.2f s (%.0f records/s)", seconds, Double(summary.records) / max(seconds, 1e-6)))
            } catch let e as TransformEngine.Failure {
                return fail("ClientError: \(e.description)", status: 1)
            } catch let e as RecordError {
                return fail("ClientError: \(input.uri): \(e.description)", status: 1)
            } catch {
                return fail("InternalServerError: \(input.uri): \(error)", status: 2)
            }
        }
        let seconds = Date().timeIntervalSince(started)
        log("Batch transform finished: \(total) record(s) in " + String(format: "%.2f s", seconds))
        return 0
    }
}
