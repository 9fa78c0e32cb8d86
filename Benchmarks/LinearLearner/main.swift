// Quality/speed driver for LinearLearner on the bench data (.npy files).
// usage: LLBench <dataset-dir> <binary_classifier|multiclass_classifier|regressor> [key=value ...]
//   keys: epochs, mini_batch_size, num_models, learning_rate, wd, l1, optimizer, loss, num_classes, validation=1,
//         quiet=1, repeat=N, polish=0|1 (Kiln's full-batch L-BFGS polish; default on)
import Foundation
import Linalg
import LinearLearner

func loadNpy(_ path: String) -> (values: [Float], shape: [Int]) {
    let data = FileManager.default.contents(atPath: path)!
    let headerLength = Int(data[8]) | Int(data[9]) << 8
    let header = String(decoding: data[10 ..< 10 + headerLength], as: UTF8.self)
    let descr = header.components(separatedBy: "'descr': '")[1].prefix(3)
    let shapeText = header.components(separatedBy: "'shape': (")[1].components(separatedBy: ")")[0]
    let shape = shapeText.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    let count = shape.reduce(1, *)
    let body = data.subdata(in: 10 + headerLength ..< data.count)
    var out = [Float](repeating: 0, count: count)
    body.withUnsafeBytes { raw in
        switch descr {
        case "<f4": for i in 0 ..< count { out[i] = raw.load(fromByteOffset: i * 4, as: Float.self) }
        case "<f8": for i in 0 ..< count { out[i] = Float(raw.load(fromByteOffset: i * 8, as: Double.self)) }
        case "|u1": for i in 0 ..< count { out[i] = Float(raw[i]) }
        case "<i8": for i in 0 ..< count { out[i] = Float(raw.load(fromByteOffset: i * 8, as: Int64.self)) }
        default: fatalError("dtype \(descr)")
        }
    }
    return (out, shape)
}

func cpuSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

func load(_ dir: String, _ split: String) -> LabeledData {
    let x = loadNpy("\(dir)/\(split)_X.npy"), y = loadNpy("\(dir)/\(split)_y.npy")
    return LabeledData(features: Matrix(rows: x.shape[0], columns: x.shape[1], values: x.values), labels: y.values)
}

let args = CommandLine.arguments
let dir = args[1]
var config = LinearLearnerConfiguration(predictorType: .init(rawValue: args[2])!)
var options: [String: String] = [:]
for a in args.dropFirst(3) {
    let kv = a.split(separator: "=", maxSplits: 1).map(String.init)
    options[kv[0]] = kv[1]
}
if let v = options["epochs"] { config.epochs = Int(v)! }
if let v = options["mini_batch_size"] { config.miniBatchSize = Int(v)! }
if let v = options["num_models"] { config.numModels = Int(v)! }
if let v = options["learning_rate"] { config.learningRate = Float(v)! }
if let v = options["wd"] { config.wd = Float(v)! }
if let v = options["l1"] { config.l1 = Float(v)! }
if let v = options["optimizer"] { config.optimizer = .init(rawValue: v)! }
if let v = options["loss"] { config.loss = .init(rawValue: v)! }
if let v = options["num_classes"] { config.numClasses = Int(v)! }
if let v = options["patience"] { config.earlyStoppingPatience = Int(v)! }
if let v = options["seed"] { config.seed = UInt64(v)! }
if let v = options["lr_scheduler_factor"] { config.lrSchedulerFactor = Float(v)! }
if let v = options["polish"] { config.fullBatchPolish = v == "1" }
if let v = options["criteria"] { config.binaryClassifierModelSelectionCriteria = .init(rawValue: v)! }
let train = load(dir, "train"), test = load(dir, "test")
let quiet = options["quiet"] == "1"
let repeats = Int(options["repeat"] ?? "1")!
for _ in 0 ..< repeats {
    let t0 = Date(), c0 = cpuSeconds()
    let model = try LinearLearnerTrainer.train(
        train: train, validation: options["validation"] == "1" ? test : nil, configuration: config,
        log: { line in if !quiet || !line.hasPrefix("#metrics") && !line.contains("epoch=") { print(line) } })
    let seconds = Date().timeIntervalSince(t0), cpu = cpuSeconds() - c0
    var quality = ""
    for m in model.evaluate(test) where ["roc_auc_score", "binary_classification_accuracy", "multiclass_accuracy", "rmse", "mse"].contains(m.name) {
        quality += " test_\(m.name)=\(String(format: "%.5f", m.value))"
    }
    if config.predictorType == .regressor {
        let mean = test.labels.reduce(0, +) / Float(test.labels.count)
        let tss = test.labels.reduce(0.0) { $0 + Double(($1 - mean) * ($1 - mean)) } / Double(test.labels.count)
        let mse = model.evaluate(test).first { $0.name == "mse" }!.value
        quality += String(format: " test_r2=%.5f", 1 - mse / tss)
    }
    print(String(format: "RESULT train_seconds=%.3f cpu_seconds=%.3f", seconds, cpu) + quality)
}
