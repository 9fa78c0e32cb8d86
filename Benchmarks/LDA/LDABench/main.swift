// LDA quality/time driver: reads a CSR corpus exported as raw files (indptr.i64, indices.i32,
// data.f32) from a directory, trains, and writes the learned beta (beta_out.f32) for scoring.
// Usage: LDABench <dir> [numTopics] [refinementPasses] [seed]
import Foundation
import LDA
import Linalg

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func readRaw<T>(_ path: String, as: T.Type) -> [T] {
    let data = FileManager.default.contents(atPath: path)!
    return data.withUnsafeBytes { Array($0.bindMemory(to: T.self)) }
}

let args = CommandLine.arguments
let dir = args[1]
let k = args.count > 2 ? Int(args[2])! : 20
let passes = args.count > 3 ? Int(args[3])! : 10
let seed = args.count > 4 ? UInt64(args[4])! : 0
let indptr = readRaw("\(dir)/indptr.i64", as: Int64.self).map { Int($0) }
let indices = readRaw("\(dir)/indices.i32", as: Int32.self)
let values = readRaw("\(dir)/data.f32", as: Float.self)
let vocabulary = Int(indices.max()!) + 1
let docs = SparseMatrix(columns: max(vocabulary, 5000), rowStarts: indptr, columnIndices: indices, values: values)
var config = LDAConfiguration(numTopics: k, featureDim: docs.columns, seed: seed, refinementPasses: passes)
let env = ProcessInfo.processInfo.environment
if let r = env["LDA_RESTARTS"].flatMap(Int.init) { config.maxRestarts = r }
if let r = env["LDA_ITERATIONS"].flatMap(Int.init) { config.maxIterations = r }
if let r = env["LDA_ALPHA0"].flatMap(Double.init) { config.alpha0 = r }
let t0 = Date()
let c0 = cpuSeconds()
let model = try LDATrainer.train(docs, configuration: config) { print($0) }
let trainSeconds = Date().timeIntervalSince(t0)
print("train_seconds=\(String(format: "%.3f", trainSeconds)) cpu_seconds=\(String(format: "%.3f", cpuSeconds() - c0))")
let t1 = Date()
let pwll = try model.perWordLogLikelihood(docs)
print("pwll=\(pwll) (\(String(format: "%.3f", Date().timeIntervalSince(t1))) s)")
print("alpha=\(model.alpha.map { String(format: "%.3f", $0) }.joined(separator: ","))")
let out = model.beta.values.withUnsafeBytes { Data($0) }
try out.write(to: URL(fileURLWithPath: "\(dir)/beta_out.f32"))
