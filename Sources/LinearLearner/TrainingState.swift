import Dispatch
import Foundation
import Linalg

/// The hyperparameters one of the parallel models trains with.
struct ModelSetting: Sendable {
    var learningRate: Float
    var wd: Float
    var l1: Float
    var positiveWeight: Float
}

/// All parallel models' parameters and optimizer state as one `features × columns` panel (column = model ×
/// class, padded to a multiple of 8), plus the scaler. Training runs on standardised features (and labels for
/// regression) computed batch by batch into a scratch buffer; the raw data is never copied.
final class TrainingState {
    let c: LinearLearnerConfiguration
    let d: Int
    /// Outputs per model (num_classes for multiclass, else 1).
    let k: Int
    let modelCount: Int
    let columns: Int
    let padded: Int
    let settings: [ModelSetting]
    let mean: [Float]
    let inverseScale: [Float]
    let labelMean: Float
    let labelScale: Float
    let loss: ScalarLoss
    let softmax: Bool
    let classWeights: [Float]
    /// Training labels as the models see them (normalised for regression).
    let labels: [Float]
    let maxBatch: Int
    var selectedIndex = 0

    // Parameters and optimizer state.
    let weights: UnsafeMutablePointer<Float>
    let bias: UnsafeMutablePointer<Float>
    let moment1: UnsafeMutablePointer<Float>
    let moment2: UnsafeMutablePointer<Float>
    let biasMoment1: UnsafeMutablePointer<Float>
    let biasMoment2: UnsafeMutablePointer<Float>
    var learningRates: [Float]
    var updates = 0
    let schedulerStep: Int
    var rng: SplitMix64

    // Per-part scratch (two parts: the two halves of a batch run on two threads).
    static let parts = 2
    let scratchX: UnsafeMutablePointer<Float>
    let scratchZ: UnsafeMutablePointer<Float>
    let partGrad: UnsafeMutablePointer<Float>
    let partBiasGrad: UnsafeMutablePointer<Float>
    let partLoss: UnsafeMutablePointer<Double>

    init(
        configuration c: LinearLearnerConfiguration, train: LabeledData, hasValidation: Bool, log: (String) -> Void
    ) {
        self.c = c
        let n = train.rowCount
        let d = train.features.columns
        let k = c.predictorType == .multiclassClassifier ? c.numClasses : 1
        self.d = d
        self.k = k
        softmax = c.predictorType == .multiclassClassifier
        rng = SplitMix64(seed: c.seed ^ 0x5EED_11AE_A11E)

        // Scaler pass on an evenly strided sample.
        let scalerRows = min(n, c.numPointForScaler)
        var sum = [Double](repeating: 0, count: d), sumSquares = [Double](repeating: 0, count: d)
        var labelSum = 0.0, labelSquares = 0.0
        train.features.values.withUnsafeBufferPointer { x in
            for s in 0 ..< scalerRows {
                let i = Int(Double(s) * Double(n) / Double(scalerRows))
                for j in 0 ..< d {
                    let v = Double(x[i * d + j])
                    sum[j] += v
                    sumSquares[j] += v * v
                }
                let y = Double(train.labels[i])
                labelSum += y
                labelSquares += y * y
            }
        }
        let count = Double(scalerRows)
        var mean = [Float](repeating: 0, count: d), inverse = [Float](repeating: 1, count: d)
        var stdevs = [Float](repeating: 1, count: d)
        for j in 0 ..< d {
            let mu = sum[j] / count
            let variance = max(sumSquares[j] / count - mu * mu, 0)
            let sd = variance.squareRoot()
            if c.unbiasData == true { mean[j] = Float(mu) }
            if c.normalizeData == true, sd > 1e-12, sd.isFinite {
                inverse[j] = Float(1 / sd)
                stdevs[j] = Float(sd)
            }
        }
        self.mean = mean
        inverseScale = inverse
        let labelMu = labelSum / count
        let labelSd = max(labelSquares / count - labelMu * labelMu, 0).squareRoot()
        let labelMean: Float = c.unbiasLabel == true ? Float(labelMu) : 0
        let labelScale: Float = c.normalizeLabel == true && labelSd > 1e-12 && labelSd.isFinite ? Float(labelSd) : 1
        self.labelMean = labelMean
        self.labelScale = labelScale
        let regression = c.predictorType == .regressor
        log(
            "Scaling model computed with parameters: {'stdev_weight': \(Self.preview(stdevs)), "
                + "'stdev_label': \(regression ? "\(labelScale)" : "None"), "
                + "'mean_label': \(regression ? "\(labelMean)" : "None"), 'mean_weight': \(Self.preview(mean))}")
        loss = ScalarLoss(configuration: c, labelScale: labelScale)
        labels = regression ? train.labels.map { ($0 - labelMean) / labelScale } : train.labels

        // Class weights and the positive weight for `balanced`.
        var counts = [Double](repeating: 0, count: max(k, 2))
        for y in train.labels where c.predictorType != .regressor { counts[Int(y)] += 1 }
        if softmax && c.balanceMulticlassWeights {
            classWeights = counts.map { $0 > 0 ? Float(Double(n) / (Double(k) * $0)) : 0 }
        } else {
            classWeights = [Float](repeating: 1, count: max(k, 2))
        }
        let balanced: Float = counts[1] > 0 ? Float(counts[0] / counts[1]) : 1

        // The grid of model settings.
        let optimizer = c.optimizer ?? .adam
        // With one output per model the 8-lane panel has room for 8 models at the same cost as 4: use a finer
        // learning-rate grid then.
        let fine = k == 1 && c.numModels == nil
        let rates: [Float] =
            c.learningRate.map { [$0] }
            ?? (optimizer == .sgd
                ? (fine ? [0.5, 0.3, 0.2, 0.1, 0.05, 0.03, 0.02, 0.01] : [0.3, 0.1, 0.03, 0.01])
                : (fine ? [0.1, 0.05, 0.03, 0.02, 0.01, 0.005, 0.003, 0.001] : [0.1, 0.03, 0.01, 0.003]))
        // Auto L2: 1/n per mean-loss gradient, the scale of scikit-learn's C = 1 (a single value without a
        // validation channel, since selecting on training data would always pick the smallest).
        let ridge = min(1 / Float(n), 1e-2)
        let wds: [Float] = c.wd.map { [$0] } ?? (hasValidation ? [ridge, 10 * ridge] : [ridge])
        var positives: [Float] = [1]
        if c.predictorType == .binaryClassifier {
            switch c.positiveExampleWeightMult {
            case .value(let v): positives = [v]
            case .balanced: positives = [balanced]
            case .auto: positives = [1, balanced]
            }
        }
        var grid: [ModelSetting] = []
        for p in positives {
            for w in wds {
                for r in rates { grid.append(ModelSetting(learningRate: r, wd: w, l1: c.l1 ?? 0, positiveWeight: p)) }
            }
        }
        let models = c.numModels ?? max(1, min(grid.count, 256 / k))
        modelCount = models
        settings = (0 ..< models).map { grid[$0 % grid.count] }
        self.columns = models * k
        self.padded = self.columns.paddedTo8
        let columns = models * k, padded = columns.paddedTo8
        let settings = self.settings
        learningRates = (0 ..< padded).map { $0 < columns ? settings[$0 / k].learningRate : 0 }

        let panel = d * padded
        func zeros(_ count: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
            p.initialize(repeating: 0, count: max(count, 1))
            return p
        }
        weights = zeros(panel)
        bias = zeros(padded)
        moment1 = zeros(panel)
        moment2 = zeros(panel)
        biasMoment1 = zeros(padded)
        biasMoment2 = zeros(padded)
        maxBatch = min(c.miniBatchSize, n)
        if c.miniBatchSize > n {
            log(
                "Batch size \(c.miniBatchSize) is bigger than the first batch data. Effective batch size used to "
                    + "initialize is \(n)")
        }
        schedulerStep = c.lrSchedulerStep ?? max(1, (n + maxBatch - 1) / maxBatch / 10)
        scratchX = zeros(Self.parts * maxBatch * d)
        scratchZ = zeros(Self.parts * maxBatch * padded)
        partGrad = zeros(Self.parts * panel)
        partBiasGrad = zeros(Self.parts * padded)
        partLoss = UnsafeMutablePointer<Double>.allocate(capacity: Self.parts * models)
        partLoss.initialize(repeating: 0, count: Self.parts * models)

        for j in 0 ..< d {
            for col in 0 ..< columns {
                weights[j * padded + col] =
                    c.initMethod == .uniform ? (2 * rng.nextUnit() - 1) * c.initScale : rng.nextNormal() * c.initSigma
            }
        }
        for col in 0 ..< columns { bias[col] = c.useBias ? c.initBias : 0 }
        log(
            "Training \(models) model(s) in parallel, optimizer \(optimizer.rawValue): "
                + settings.enumerated().map { "#\($0.offset) lr=\($0.element.learningRate) wd=\($0.element.wd)" }
                .joined(separator: ", ") + " l1=\(c.l1 ?? 0)")
    }

    deinit {
        let buffers = [weights, bias, moment1, moment2, biasMoment1, biasMoment2, scratchX, scratchZ, partGrad]
        for p in buffers + [partBiasGrad] {
            p.deallocate()
        }
        partLoss.deallocate()
    }

    static func preview(_ v: [Float]) -> String {
        let shown = v.prefix(10).map { "\($0)" }.joined(separator: ", ")
        return "[" + shown + (v.count > 10 ? ", …" : "") + "]"
    }

    // MARK: - Training

    /// One pass over the data in shuffled batch order; returns each model's mean training loss (label units).
    func runEpoch(_ train: LabeledData) -> [Double] {
        let n = train.rowCount, batch = maxBatch
        let batches = (n + batch - 1) / batch
        var order = Array(0 ..< batches)
        order.shuffle(using: &rng)
        var totals = [Double](repeating: 0, count: modelCount)
        train.features.values.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { y in
                for b in order {
                    let lo = b * batch, hi = min(n, lo + batch)
                    step(x: x.baseAddress!, y: y.baseAddress!, lo: lo, hi: hi, totals: &totals)
                }
            }
        }
        let scale = Double(loss.reportScale)
        return totals.map { $0 / Double(n) * (softmax ? 1 : scale) }
    }

    private struct Shared: @unchecked Sendable {
        var x: UnsafePointer<Float>
        var y: UnsafePointer<Float>
        var mean: UnsafePointer<Float>
        var inverse: UnsafePointer<Float>
        var positive: UnsafePointer<Float>
        var classWeights: UnsafePointer<Float>
        var state: TrainingState
    }

    private func step(x: UnsafePointer<Float>, y: UnsafePointer<Float>, lo: Int, hi: Int, totals: inout [Double]) {
        let rows = hi - lo
        let parts = rows >= 64 && rows * d * padded >= 32_768 ? Self.parts : 1
        let positive = (0 ..< padded).map { $0 < columns ? settings[$0 / k].positiveWeight : 1 }
        mean.withUnsafeBufferPointer { mp in
            inverseScale.withUnsafeBufferPointer { ip in
                positive.withUnsafeBufferPointer { pp in
                    classWeights.withUnsafeBufferPointer { cp in
                        let shared = Shared(
                            x: x, y: y, mean: mp.baseAddress!, inverse: ip.baseAddress!, positive: pp.baseAddress!,
                            classWeights: cp.baseAddress!, state: self)
                        let work: @Sendable (Int) -> Void = { t in
                            let a = lo + rows * t / parts, b = lo + rows * (t + 1) / parts
                            shared.state.partialGradient(part: t, lo: a, hi: b, shared: shared)
                        }
                        if parts == 1 {
                            work(0)
                        } else {
                            DispatchQueue.concurrentPerform(iterations: parts, execute: work)
                        }
                    }
                }
            }
        }
        let panel = d * padded
        for t in 1 ..< parts {
            for e in 0 ..< panel { partGrad[e] += partGrad[t * panel + e] }
            for e in 0 ..< padded { partBiasGrad[e] += partBiasGrad[t * padded + e] }
        }
        for t in 0 ..< parts {
            for m in 0 ..< modelCount { totals[m] += partLoss[t * modelCount + m] }
        }
        update(batchRows: rows)
    }

    /// Margins, per-row loss derivatives and the weight gradient of rows `lo..<hi` into part `part`'s buffers.
    private func partialGradient(part: Int, lo: Int, hi: Int, shared s: Shared) {
        let rows = hi - lo
        let xs = scratchX + part * maxBatch * d
        let z = scratchZ + part * maxBatch * padded
        let grad = partGrad + part * d * padded
        let biasGrad = partBiasGrad + part * padded
        let lossSums = partLoss + part * modelCount
        for m in 0 ..< modelCount { lossSums[m] = 0 }
        LinearKernels.standardize(
            x: s.x + lo * d, rows: rows, features: d, mean: s.mean, inverseScale: s.inverse, into: xs)
        LinearKernels.margins(
            x: xs, rows: rows, features: d, weights: weights, bias: bias, outputs: padded, into: z)
        // Overwrite the margins with d loss / d margin.
        let loss = self.loss, k = self.k, models = modelCount, padded = self.padded, columns = self.columns
        let binary = c.predictorType == .binaryClassifier
        if loss.kind == .logistic {
            // Vectorised: this is the hot loop of binary training.
            var sums = [Float](repeating: 0, count: padded)
            LinearKernels.logisticGradient(
                margins: z, rows: rows, outputs: padded, labels: s.y + lo, positiveWeights: s.positive,
                lossSums: &sums)
            for m in 0 ..< models { lossSums[m] = Double(sums[m]) }
            for i in 0 ..< rows {
                for col in columns ..< padded { z[i * padded + col] = 0 }
            }
        } else {
        for i in 0 ..< rows {
            let row = z + i * padded
            let label = s.y[lo + i]
            if softmax {
                let target = Int(label), weight = s.classWeights[target]
                for m in 0 ..< models {
                    let base = row + m * k
                    var top = -Float.infinity
                    for q in 0 ..< k { top = max(top, base[q]) }
                    var total: Float = 0
                    for q in 0 ..< k {
                        let e = exp(base[q] - top)
                        base[q] = e
                        total += e
                    }
                    let inverse = 1 / total
                    lossSums[m] -= Double(log(max(base[target] * inverse, 1e-30)) * weight)
                    for q in 0 ..< k { base[q] = (base[q] * inverse - (q == target ? 1 : 0)) * weight }
                }
            } else {
                for m in 0 ..< models {
                    let (l, g) = loss.evaluate(row[m], label)
                    let weight: Float = binary && label > 0.5 ? s.positive[m] : 1
                    row[m] = g * weight
                    lossSums[m] += Double(l * weight)
                }
            }
            for col in columns ..< padded { row[col] = 0 }
        }
        }
        LinearKernels.gradient(x: xs, rows: rows, features: d, coefficients: z, outputs: padded, into: grad)
        for col in 0 ..< padded { biasGrad[col] = 0 }
        for i in 0 ..< rows {
            let row = z + i * padded
            for col in 0 ..< columns { biasGrad[col] += row[col] }
        }
    }

    /// One optimizer step of every model from the summed gradient in part 0's buffers.
    private func update(batchRows: Int) {
        updates += 1
        let t = Float(updates)
        let scale = 1 / Float(batchRows)
        let optimizer = c.optimizer ?? .adam
        let beta1 = c.beta1 ?? 0.9, beta2 = c.beta2 ?? 0.999, momentum = c.momentum ?? 0.9
        let biasLr = c.biasLrMult ?? 1, biasWd = c.biasWdMult ?? 0
        let eps: Float = 1e-8
        let correction1 = 1 - pow(beta1, t), correction2 = 1 - pow(beta2, t)
        let adamScale = correction2.squareRoot() / correction1
        var wdColumn = [Float](repeating: 0, count: padded), l1Column = [Float](repeating: 0, count: padded)
        for col in 0 ..< columns {
            wdColumn[col] = settings[col / k].wd
            l1Column[col] = settings[col / k].l1
        }
        // One parameter: gradient g (data term), returns the new value.
        @inline(__always) func apply(
            _ w: inout Float, _ g0: Float, _ m1: inout Float, _ m2: inout Float, lr: Float, wd: Float, l1: Float
        ) {
            let g = g0 * scale + wd * w
            var eta: Float
            switch optimizer {
            case .adam:
                m1 = beta1 * m1 + (1 - beta1) * g
                m2 = beta2 * m2 + (1 - beta2) * g * g
                eta = lr * adamScale / (m2.squareRoot() + eps)
                w -= eta * m1
            case .rmsprop:
                m2 = beta2 * m2 + (1 - beta2) * g * g
                eta = lr / (m2.squareRoot() + eps)
                w -= eta * g
            case .sgd:
                m1 = momentum * m1 - lr * g
                eta = lr
                w += m1
            }
            if l1 > 0 {
                // Proximal step of the L1 term with the same per-parameter step size.
                let shrink = eta * l1
                w = w > shrink ? w - shrink : (w < -shrink ? w + shrink : 0)
            }
        }
        for j in 0 ..< d {
            let row = j * padded
            for col in 0 ..< columns {
                apply(
                    &weights[row + col], partGrad[row + col], &moment1[row + col], &moment2[row + col],
                    lr: learningRates[col], wd: wdColumn[col], l1: l1Column[col])
            }
        }
        if c.useBias {
            for col in 0 ..< columns {
                apply(
                    &bias[col], partBiasGrad[col], &biasMoment1[col], &biasMoment2[col],
                    lr: learningRates[col] * biasLr, wd: wdColumn[col] * biasWd, l1: 0)
            }
        }
        if c.useLrScheduler, updates % schedulerStep == 0 {
            let factor = c.lrSchedulerFactor ?? 0.99, floor = c.lrSchedulerMinimumLr ?? 1e-5
            for col in 0 ..< columns {
                learningRates[col] = max(learningRates[col] * factor, min(floor, learningRates[col]))
            }
        }
    }

    // MARK: - Evaluation and selection

    private var scorer: PanelScorer {
        PanelScorer(
            weights: Array(UnsafeBufferPointer(start: weights, count: d * padded)),
            bias: Array(UnsafeBufferPointer(start: bias, count: padded)), columns: padded, mean: mean,
            inverseScale: inverseScale)
    }

    /// Each model's mean loss on `data` (label units).
    func losses(on data: LabeledData) -> [Double] {
        let z = scorer.margins(data.features)
        var totals = [Double](repeating: 0, count: modelCount)
        let regression = c.predictorType == .regressor
        for i in 0 ..< data.rowCount {
            let y = regression ? (data.labels[i] - labelMean) / labelScale : data.labels[i]
            let row = i * padded
            for m in 0 ..< modelCount {
                if softmax {
                    var top = -Float.infinity
                    for q in 0 ..< k { top = max(top, z[row + m * k + q]) }
                    var total: Float = 0
                    for q in 0 ..< k { total += exp(z[row + m * k + q] - top) }
                    totals[m] += Double(log(total) + top - z[row + m * k + Int(y)])
                } else {
                    totals[m] += Double(loss.evaluate(z[row + m], y).loss)
                }
            }
        }
        let scale = softmax ? 1 : Double(loss.reportScale)
        return totals.map { $0 / Double(max(data.rowCount, 1)) * scale }
    }

    /// Each binary model's best threshold (in score space) and the selection criterion's value there.
    func thresholdCriteria(on data: LabeledData) -> [(threshold: Float, value: Double)] {
        let z = scorer.margins(data.features)
        let logistic = c.resolvedLoss == .logistic
        return (0 ..< modelCount).map { m in
            let scores = (0 ..< data.rowCount).map { i in
                let v = z[i * padded + m]
                return logistic ? 1 / (1 + exp(-v)) : v
            }
            return BinaryCalibration.bestThreshold(
                scores: scores, labels: data.labels, criterion: c.binaryClassifierModelSelectionCriteria,
                beta: c.fBeta, targetRecall: c.targetRecall, targetPrecision: c.targetPrecision,
                defaultThreshold: logistic ? 0.5 : 0)
        }
    }

    /// Picks the best model on validation data (or a training sample), calibrates the binary threshold, and
    /// folds the scaler into the chosen model's weights.
    func selectModel(train: LabeledData, validation: LabeledData?, log: (String) -> Void) -> LinearModel {
        let source = validation ?? train
        let calibration = LinearLearnerTrainer.sample(source, limit: c.numCalibrationSamples)
        let ranking = LinearLearnerTrainer.sample(calibration, limit: LinearLearnerTrainer.rankingSampleLimit)
        let binary = c.predictorType == .binaryClassifier
        let criterion = c.binaryClassifierModelSelectionCriteria
        let tuneThreshold = binary && criterion != .lossFunction
        var rankedThreshold: Float?
        var selectionNote: String
        let eligible = polish(train: train, log: log)
        let candidates = (0 ..< modelCount).filter { eligible[$0] }
        if tuneThreshold {
            let results = thresholdCriteria(on: ranking)
            var best = candidates[0]
            for m in candidates where results[m].value > results[best].value { best = m }
            selectedIndex = best
            rankedThreshold = results[best].threshold
            selectionNote = "\(criterion.rawValue)=\(formatMetric(results[best].value))"
        } else {
            var values = losses(on: ranking)
            if validation == nil {
                // On training data compare the objective the models minimise: with the regularisation term
                // (otherwise the least regularised / noisiest model always looks best).
                let scale = softmax ? 1 : Double(loss.reportScale)
                let penalty = penalties()
                for m in values.indices { values[m] = values[m] / scale + penalty[m] }
            }
            log("Model selection objective per model: " + values.map { formatMetric($0) }.joined(separator: ", "))
            var best = candidates[0]
            for m in candidates where values[m] < values[best] { best = m }
            selectedIndex = best
            selectionNote = "\(c.resolvedLoss.objectiveMetricName)=\(formatMetric(values[best]))"
        }
        var model = folded(selectedIndex)
        if binary {
            let defaultThreshold: Float = c.resolvedLoss == .logistic ? 0.5 : 0
            if !tuneThreshold {
                model.threshold = defaultThreshold
            } else if calibration.rowCount > ranking.rowCount {
                model.threshold = BinaryCalibration.bestThreshold(
                    scores: model.scores(calibration.features), labels: calibration.labels, criterion: criterion,
                    beta: c.fBeta, targetRecall: c.targetRecall, targetPrecision: c.targetPrecision,
                    defaultThreshold: defaultThreshold
                ).threshold
            } else {
                model.threshold = rankedThreshold ?? defaultThreshold
            }
        }
        let s = settings[selectedIndex]
        log(
            "Selected model #\(selectedIndex) of \(modelCount) (learning_rate=\(s.learningRate), wd=\(s.wd), "
                + "l1=\(s.l1), positive_example_weight_mult=\(s.positiveWeight)) on \(ranking.rowCount) "
                + "\(validation == nil ? "training" : "validation") rows: \(selectionNote)"
                + (binary ? ", threshold=\(model.threshold)" : ""))
        return model
    }

    /// Each model's regularisation term `½·wd·‖w‖² + l1·‖w‖₁` (standardised space).
    func penalties() -> [Double] {
        (0 ..< modelCount).map { m in
            var squares = 0.0, absolute = 0.0
            for q in 0 ..< k {
                for j in 0 ..< d {
                    let w = Double(weights[j * padded + m * k + q])
                    squares += w * w
                    absolute += abs(w)
                }
            }
            return 0.5 * Double(settings[m].wd) * squares + Double(settings[m].l1) * absolute
        }
    }

    /// Model `m` with the feature scaler (and label scaler) folded into its raw-space weights.
    func folded(_ m: Int) -> LinearModel {
        var w = [Float](repeating: 0, count: d * k), b = [Float](repeating: 0, count: k)
        for q in 0 ..< k {
            let col = m * k + q
            var shift: Double = 0
            for j in 0 ..< d {
                let raw = weights[j * padded + col] * inverseScale[j]
                w[j * k + q] = raw * labelScale
                shift += Double(raw) * Double(mean[j])
            }
            b[q] = Float((Double(bias[col]) - shift) * Double(labelScale) + Double(labelMean))
        }
        let s = settings[m]
        return LinearModel(
            predictorType: c.predictorType, loss: c.resolvedLoss, featureDim: d, outputs: k, weights: w, bias: b,
            threshold: c.resolvedLoss == .logistic ? 0.5 : 0, fBeta: c.fBeta, accuracyTopK: c.accuracyTopK,
            margin: c.margin, quantile: c.quantile, lossInsensitivity: c.lossInsensitivity, huberDelta: c.huberDelta,
            selectedLearningRate: s.learningRate, selectedWd: s.wd, selectedL1: s.l1)
    }
}
