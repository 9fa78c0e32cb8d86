import Foundation
import GradientBoosting
import TrainingRuntime
import TrainingWorker

/// The container's k-fold mode (`_kfold` = k ≥ 2, `_num_cv_round` repeats, default 1): the train and validation
/// channels are pooled; for each repeat the rows are split into k folds (stratified by label for classification,
/// Kiln's own shuffles from `seed`), one model is trained per fold with the other folds as its training data and
/// the fold as its validation data, and saved as `xgboost-model-<i>`. After each repeat, and over all repeats when
/// there are several, a line `[<num_round>]\ttrain-<m>:<mean>\tvalidation-<m>:<mean>…` gives each metric's mean
/// over the folds (its value at the last round), which the image's metric definitions pick up. The out-of-fold
/// predictions go to `output/data/predictions.csv`: `label,probability,predicted_label` per row for
/// classification (mean probability of the predicted class, most frequent predicted class over the repeats),
/// `label,prediction` (mean) for regression.
struct XGBoostCrossValidation {
    let folds: Int
    let repeats: Int

    /// Nil when the job does not ask for k-fold.
    init?(hyperparameters h: [String: String]) throws {
        guard let k = h["_kfold"] else { return nil }
        guard let folds = Int(k), folds >= 2 else { throw AlgorithmError("ClientError: _kfold must be an integer of at least 2, not '\(k)'") }
        let r = h["_num_cv_round"] ?? "1"
        guard let repeats = Int(r), repeats >= 1 else { throw AlgorithmError("ClientError: _num_cv_round must be a positive integer, not '\(r)'") }
        (self.folds, self.repeats) = (folds, repeats)
    }

    func run(params: Hyperparameters, data: LabeledData, workspace: Workspace, log: (String) -> Void) throws {
        guard !params.objective.rawValue.hasPrefix("rank:") else {
            throw AlgorithmError("ClientError: _kfold cannot split the query groups of \(params.objective.rawValue)")
        }
        let n = data.labels.count
        guard n >= folds else { throw AlgorithmError("ClientError: _kfold = \(folds) needs at least \(folds) rows, the data has \(n)") }
        let classification = params.objective.isBinary || params.objective.isMulticlass
        log("Run \(repeats)-round of \(folds)-fold cross validation with \(n) rows")
        var finals: [[(name: String, value: Double)]] = []
        var predictions = OutOfFoldPredictions(labels: data.labels, classification: classification)
        var rng = SplitMix64(seed: params.seed &+ 0xC0FFEE)
        var model = 0
        for repeatIndex in 0 ..< repeats {
            let assignment = Self.assignFolds(labels: data.labels, folds: folds, stratified: classification, rng: &rng)
            for fold in 0 ..< folds {
                log("Train cross validation fold \(fold + 1)")
                let validationRows = (0 ..< n).filter { assignment[$0] == fold }
                let trainRows = (0 ..< n).filter { assignment[$0] != fold }
                let held = Self.rows(validationRows, of: data)
                let result: Trainer.Result
                do {
                    result = try Trainer.train(params: params, train: Self.rows(trainRows, of: data), validation: held)
                } catch let e as Trainer.TrainingError {
                    throw AlgorithmError("ClientError: \(e.description)")
                }
                finals.append(Self.values(ofLine: result.log.last ?? ""))
                // Class probabilities for multi-class (softmax models predict only the class), else the prediction.
                let output = result.booster.predict(held.features, outputMargin: params.objective.isMulticlass, threads: params.nthread)
                var values = output.values
                if params.objective.isMulticlass { Self.softmax(&values, width: output.width) }
                if params.objective == .binaryLogitRaw { values = values.map { 1 / (1 + exp(-$0)) } }  // margins
                predictions.record(rows: validationRows, predictions: values, width: output.width)
                try result.booster.save(to: workspace.modelDir.appendingPathComponent("xgboost-model-\(model)").path)
                model += 1
            }
            log("The metrics of round \(repeatIndex + 1) cross validation")
            log(Self.summary(params.numRound, finals.suffix(folds)))
        }
        if repeats > 1 {
            log("The overall metrics of \(repeats)-round cross validation")
            log(Self.summary(params.numRound, finals[...]))
        }
        try FileManager.default.createDirectory(at: workspace.outputDataDir, withIntermediateDirectories: true)
        try predictions.csv().write(to: workspace.outputDataDir.appendingPathComponent("predictions.csv"), atomically: true, encoding: .utf8)
    }

    static func softmax(_ values: inout [Float], width: Int) {
        for start in stride(from: 0, to: values.count, by: width) {
            let top = values[start ..< start + width].max()!
            var sum: Float = 0
            for j in start ..< start + width { values[j] = exp(values[j] - top); sum += values[j] }
            for j in start ..< start + width { values[j] /= sum }
        }
    }

    /// Fold of every row: shuffled, and for classification dealt class by class so each fold keeps the class mix.
    static func assignFolds(labels: [Float], folds: Int, stratified: Bool, rng: inout SplitMix64) -> [Int] {
        var order = Array(labels.indices)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        if stratified { order.sort { labels[$0] < labels[$1] } }  // stable: the shuffle stays within each class
        var fold = [Int](repeating: 0, count: labels.count)
        for (position, row) in order.enumerated() { fold[row] = position % folds }
        return fold
    }

    /// The train and validation channels as one data set (weights of 1 where one side has none).
    static func pooled(_ train: LabeledData, _ validation: LabeledData?) -> LabeledData {
        guard let v = validation else { return train }
        var pooled = train
        pooled.features = DataMatrix(rows: train.features.rows + v.features.rows, cols: train.features.cols,
                                     values: train.features.values + v.features.resized(cols: train.features.cols).values)
        pooled.labels += v.labels
        if train.weights != nil || v.weights != nil {
            pooled.weights = (train.weights ?? [Float](repeating: 1, count: train.labels.count))
                + (v.weights ?? [Float](repeating: 1, count: v.labels.count))
        }
        return pooled
    }

    static func rows(_ indices: [Int], of data: LabeledData) -> LabeledData {
        let c = data.features.cols
        var values = [Float]()
        values.reserveCapacity(indices.count * c)
        for r in indices { values.append(contentsOf: data.features.values[r * c ..< (r + 1) * c]) }
        return LabeledData(features: DataMatrix(rows: indices.count, cols: c, values: values), labels: indices.map { data.labels[$0] },
                           weights: data.weights.map { w in indices.map { w[$0] } })
    }

    /// `[(name, value)]` of an eval line `[r]\ttrain-m:v\tvalidation-m:v…`.
    static func values(ofLine line: String) -> [(name: String, value: Double)] {
        line.split(separator: "\t").dropFirst().compactMap { item in
            let parts = item.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let v = Double(parts[1]) else { return nil }
            return (String(parts[0]), v)
        }
    }

    /// The container's summary line: per metric, the train then the validation mean over the folds.
    static func summary(_ numRound: Int, _ runs: ArraySlice<[(name: String, value: Double)]>) -> String {
        guard let first = runs.first else { return "[\(numRound)]" }
        let metrics = first.compactMap { $0.name.hasPrefix("train-") ? String($0.name.dropFirst(6)) : nil }
        var line = "[\(numRound)]"
        for metric in metrics {
            for set in ["train", "validation"] {
                let values = runs.compactMap { run in run.first { $0.name == "\(set)-\(metric)" }?.value }
                guard !values.isEmpty else { continue }
                line += "\t\(set)-\(metric):\(format5(values.reduce(0, +) / Double(values.count)))"
            }
        }
        return line
    }
}

/// Out-of-fold predictions over the repeats of a k-fold run.
struct OutOfFoldPredictions {
    let labels: [Float]
    let classification: Bool
    /// Per row, one entry per repeat.
    var predicted: [[Double]]
    var probability: [[Double]]

    init(labels: [Float], classification: Bool) {
        (self.labels, self.classification) = (labels, classification)
        predicted = Array(repeating: [], count: labels.count)
        probability = Array(repeating: [], count: labels.count)
    }

    /// `predictions` are the model's outputs (`width` per row: class probabilities for multi-class).
    mutating func record(rows: [Int], predictions: [Float], width: Int) {
        for (i, row) in rows.enumerated() {
            let out = predictions[i * width ..< (i + 1) * width].map(Double.init)
            if !classification { predicted[row].append(out[0]); continue }
            if width == 1 {
                predicted[row].append(out[0] > 0.5 ? 1 : 0)
                probability[row].append(out[0])
            } else {
                let best = out.indices.max { out[$0] < out[$1] }!
                predicted[row].append(Double(best))
                probability[row].append(out[best])
            }
        }
    }

    func csv() -> String {
        var text = ""
        for (row, label) in labels.enumerated() {
            let p = predicted[row]
            guard !p.isEmpty else { continue }
            if classification {
                // Most frequent predicted class; ties go to the smallest, as scipy's mode.
                let counts = Dictionary(p.map { ($0, 1) }, uniquingKeysWith: +)
                let mode = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }!.key
                let meanProbability = probability[row].reduce(0, +) / Double(probability[row].count)
                text += String(format: "%f,%f,%f\n", Double(label), meanProbability, mode)
            } else {
                text += String(format: "%f,%f\n", Double(label), p.reduce(0, +) / Double(p.count))
            }
        }
        return text
    }
}
