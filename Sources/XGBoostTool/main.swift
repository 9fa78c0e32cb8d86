import Foundation
import GradientBoosting

/// kiln-xgb: train and predict with Kiln's XGBoost-compatible gradient boosting.
///
///   kiln-xgb train --train FILE [--validation FILE] --content-type text/csv|text/libsvm
///                  --param k=v ... --model-out FILE [--profile]
///   kiln-xgb predict --model FILE --data FILE [--content-type ...] [--output-margin]

/// One eval line, written unbuffered so that logs stream while training runs.
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("kiln-xgb: \(message)\n".utf8))
    exit(1)
}

enum Format { case csv, libsvm }

func parseContentType(_ s: String) -> Format {
    let mime = s.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased()
    switch mime {
    case "text/csv", "csv": return .csv
    case "text/libsvm", "text/x-libsvm", "libsvm": return .libsvm
    default:
        fail("\(s) is not an accepted ContentType: csv, libsvm, text/csv, text/libsvm, text/x-libsvm.")
    }
}

func load(_ path: String, format: Format, hasLabel: Bool, weights: Bool, threads: Int, cols: Int? = nil) throws -> LabeledData {
    switch format {
    case .csv:
        return try CSVParser.parse(file: path, options: .init(hasLabel: hasLabel, hasWeights: weights, threads: threads))
    case .libsvm:
        let p = try LibSVMParser.parse(file: path, hasLabel: hasLabel)
        // query groups matter for training and evaluation only; prediction scores rows one by one
        return LabeledData(features: p.matrix.densified(cols: max(cols ?? 0, p.matrix.cols)), labels: p.labels, weights: p.weights,
                           groups: hasLabel ? try p.groups(file: path) : nil)
    }
}

func run() {
    var args = Array(CommandLine.arguments.dropFirst())
    guard let cmd = args.first else { fail("usage: kiln-xgb train|predict ...") }
    args.removeFirst()
    var opts: [String: String] = [:]
    var params: [String: String] = [:]
    var flags = Set<String>()
    var i = 0
    while i < args.count {
        let a = args[i]
        if a == "--profile" || a == "--output-margin" || a == "--has-label" || a == "--no-eval" { flags.insert(a); i += 1; continue }
        guard a.hasPrefix("--"), i + 1 < args.count else { fail("unexpected argument '\(a)'") }
        let v = args[i + 1]
        if a == "--param" {
            guard let eq = v.firstIndex(of: "=") else { fail("--param expects k=v, got '\(v)'") }
            params[String(v[..<eq])] = String(v[v.index(after: eq)...])
        } else {
            opts[String(a.dropFirst(2))] = v
        }
        i += 2
    }
    let format = parseContentType(opts["content-type"] ?? "text/libsvm")
    switch cmd {
    case "train":
        guard let trainPath = opts["train"], let modelOut = opts["model-out"] else {
            fail("train needs --train FILE and --model-out FILE")
        }
        var hp: Hyperparameters
        do { hp = try Hyperparameters.parse(params) } catch { fail("\(error)") }
        // --no-eval (benchmarks): train without computing per-round metrics
        if flags.contains("--no-eval") { hp.skipEvaluation = true }
        let t0 = monotonicSeconds()
        do {
            var train: LabeledData? = try load(trainPath, format: format, hasLabel: true, weights: hp.csvWeights, threads: hp.nthread)
            let validation = try opts["validation"].map {
                try load($0, format: format, hasLabel: true, weights: hp.csvWeights, threads: hp.nthread, cols: train!.features.cols)
            }
            if let v = validation, v.features.cols > train!.features.cols {
                train!.features = train!.features.resized(cols: v.features.cols)
            }
            if hp.earlyStoppingRounds != nil && validation == nil {
                FileHandle.standardError.write(Data("kiln-xgb: early_stopping_rounds needs a validation channel; ignored\n".utf8))
            }
            let t1 = monotonicSeconds()
            let result: Trainer.Result
            if hp.booster == "gblinear" {
                result = try Trainer.train(params: hp, train: train!, validation: validation) { emit($0) }
            } else {
                let prepared = Trainer.prepare(params: hp, train: train!)
                train = nil  // release the float matrix before training
                result = try Trainer.train(params: hp, prepared: prepared, validation: validation) { emit($0) }
            }
            let t2 = monotonicSeconds()
            try result.booster.save(to: modelOut)
            let t3 = monotonicSeconds()
            if flags.contains("--profile") {
                let p = result.profile
                let trainOnly = t2 - t1 - result.binningSeconds
                let msg = String(format: "profile: parse %.3f s, binning %.3f s, training %.3f s (%@), save %.3f s, total %.3f s\n",
                                 t1 - t0, result.binningSeconds, trainOnly, p.summary, t3 - t2, t3 - t0)
                FileHandle.standardError.write(Data(msg.utf8))
            }
        } catch {
            fail("\(error)")
        }
    case "predict":
        guard let modelPath = opts["model"], let dataPath = opts["data"] else { fail("predict needs --model FILE and --data FILE") }
        do {
            let booster = try Booster.load(from: modelPath)
            let data = try load(dataPath, format: format, hasLabel: flags.contains("--has-label"), weights: false, threads: 2,
                                cols: booster.numFeature)
            let x = data.features.cols < booster.numFeature ? data.features.resized(cols: booster.numFeature) : data.features
            let (values, width) = booster.predict(x, outputMargin: flags.contains("--output-margin"))
            var out = ""
            out.reserveCapacity(values.count * 12)
            for r in 0..<x.rows {
                for k in 0..<width {
                    if k > 0 { out += "," }
                    out += values[r * width + k].description
                }
                out += "\n"
            }
            FileHandle.standardOutput.write(Data(out.utf8))
        } catch {
            fail("\(error)")
        }
    default:
        fail("unknown command '\(cmd)'; use train or predict")
    }
}

run()
