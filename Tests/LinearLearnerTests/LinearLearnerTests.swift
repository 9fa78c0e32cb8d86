import Foundation
import Linalg
import Testing

@testable import LinearLearner

/// Synthetic data: features with non-zero means and different scales (so the scaler folding matters).
private func features(rows: Int, columns: Int, seed: UInt64) -> Matrix {
    var rng = SplitMix64(seed: seed)
    var x = Matrix(rows: rows, columns: columns)
    for i in 0 ..< rows {
        for j in 0 ..< columns { x[i, j] = rng.nextNormal() * Float(j + 1) + Float(j) * 0.5 }
    }
    return x
}

private func dot(_ x: Matrix, _ i: Int, _ w: [Float]) -> Float {
    var s: Float = 0
    for j in 0 ..< x.columns { s += x[i, j] * w[j] }
    return s
}

private func binaryData(rows: Int, seed: UInt64) -> (LabeledData, [Float]) {
    let x = features(rows: rows, columns: 5, seed: seed)
    let w: [Float] = [1.5, -0.8, 0.4, 0, 0.3]
    var rng = SplitMix64(seed: seed + 1)
    let labels = (0 ..< rows).map { i -> Float in
        let margin = dot(x, i, w) - 1 + 0.3 * rng.nextNormal()
        return margin > 0 ? 1 : 0
    }
    return (LabeledData(features: x, labels: labels), w)
}

private func regressionData(rows: Int, seed: UInt64, coefficients: [Float], noise: Float = 0.1) -> LabeledData {
    let x = features(rows: rows, columns: coefficients.count, seed: seed)
    var rng = SplitMix64(seed: seed + 1)
    let y = (0 ..< rows).map { dot(x, $0, coefficients) + 3 + noise * rng.nextNormal() }
    return LabeledData(features: x, labels: y)
}

private func matches(_ line: String, _ pattern: String) -> Bool {
    let regex = try! Regex(pattern)
    return line.wholeMatch(of: regex) != nil
}

private func metric(_ model: LinearModel, _ data: LabeledData, _ name: String) -> Double {
    model.evaluate(data).first { $0.name == name }!.value
}

@Test func binaryLogisticFindsTheSeparator() throws {
    let (train, w) = binaryData(rows: 4000, seed: 1)
    let (test, _) = binaryData(rows: 2000, seed: 7)
    var config = LinearLearnerConfiguration(predictorType: .binaryClassifier)
    config.miniBatchSize = 100
    var lines: [String] = []
    let model = try LinearLearnerTrainer.train(train: train, validation: nil, configuration: config) { lines.append($0) }
    #expect(metric(model, test, "binary_classification_accuracy") > 0.93)
    #expect(metric(model, test, "roc_auc_score") > 0.98)
    // Direction of the learned weights matches the generating separator.
    var cosine: Float = 0, a: Float = 0, b: Float = 0
    for j in 0 ..< 5 {
        cosine += model.weights[j] * w[j]
        a += model.weights[j] * model.weights[j]
        b += w[j] * w[j]
    }
    #expect(cosine / (a * b).squareRoot() > 0.98)
    let predictions = model.predict(test.features)
    #expect(predictions.allSatisfy { $0.score.count == 1 && (0 ... 1).contains($0.score[0]) && $0.predictedLabel != nil })
    // Log formats the SageMaker metric regexes read.
    let first = try #require(lines.first { $0.hasPrefix("#quality_metric") })
    #expect(matches(first, #"#quality_metric: host=algo-1, epoch=0, train binary_classification_cross_entropy_objective <loss>=[0-9.e-]+"#))
    #expect(lines.contains { $0.hasPrefix("#early_stopping_criteria_metric: host=algo-1, epoch=0, criteria=") })
    #expect(lines.contains { $0.hasPrefix("#progress_metric: host=algo-1, completed ") && $0.hasSuffix(" % of epochs") })
    var final: [String] = []
    model.logFinalMetrics(channel: "test", data: test) { final.append($0) }
    #expect(final.contains { matches($0, #"#quality_metric: host=algo-1, test binary_f_1\.000 <score>=[0-9.e-]+"#) })
    #expect(final.contains { $0.hasPrefix("#quality_metric: host=algo-1, test roc_auc_score <score>=") })
    #expect(final.contains { $0.hasPrefix("#test_score (algo-1) : ('binary_classification_accuracy', ") })
    #expect(final.contains { $0.hasPrefix("#quality_metric: host=algo-1, test binary_classification_cross_entropy_objective <loss>=") })
}

@Test(arguments: [LinearLearnerConfiguration.Optimizer.sgd, .adam, .rmsprop])
func binaryHingeWithEachOptimizer(optimizer: LinearLearnerConfiguration.Optimizer) throws {
    let (train, _) = binaryData(rows: 3000, seed: 2)
    let (test, _) = binaryData(rows: 1000, seed: 8)
    var config = LinearLearnerConfiguration(predictorType: .binaryClassifier)
    config.loss = .hingeLoss
    config.optimizer = optimizer
    config.miniBatchSize = 50
    config.binaryClassifierModelSelectionCriteria = .fBeta
    let model = try LinearLearnerTrainer.train(train: train, validation: test, configuration: config) { _ in }
    #expect(metric(model, test, "binary_classification_accuracy") > 0.92)
    #expect(metric(model, test, "binary_f_1.000") > 0.9)
}

@Test func multiclassSoftmaxSeparatesBlobs() throws {
    func blobs(_ rows: Int, seed: UInt64) -> LabeledData {
        var rng = SplitMix64(seed: seed)
        let centres: [[Float]] = [[0, 0, 3], [3, 0, 0], [0, 3, 0], [3, 3, 3]]
        var x = Matrix(rows: rows, columns: 3)
        var y = [Float]()
        for i in 0 ..< rows {
            let c = i % 4
            for j in 0 ..< 3 { x[i, j] = centres[c][j] + 0.6 * rng.nextNormal() }
            y.append(Float(c))
        }
        return LabeledData(features: x, labels: y)
    }
    var config = LinearLearnerConfiguration(predictorType: .multiclassClassifier)
    config.numClasses = 4
    config.miniBatchSize = 64
    config.accuracyTopK = 2
    let model = try LinearLearnerTrainer.train(train: blobs(2000, seed: 3), validation: nil, configuration: config) { _ in }
    let test = blobs(800, seed: 4)
    let metrics = model.evaluate(test)
    #expect(metrics.map(\.name) == [
        "multiclass_cross_entropy_objective", "multiclass_accuracy", "multiclass_top_k_accuracy_2", "dcg",
        "macro_precision", "macro_recall", "macro_f_1.000",
    ])
    #expect(metric(model, test, "multiclass_accuracy") > 0.95)
    for p in model.predict(test.features).prefix(20) {
        #expect(p.score.count == 4)
        #expect(abs(p.score.reduce(0, +) - 1) < 1e-4)
        #expect(p.predictedLabel == Float(p.score.indices.max { p.score[$0] < p.score[$1] }!))
    }
}

@Test func regressionRecoversCoefficientsInRawUnits() throws {
    let beta: [Float] = [2, -1, 0.5, 0.25]
    let train = regressionData(rows: 5000, seed: 5, coefficients: beta)
    var config = LinearLearnerConfiguration(predictorType: .regressor)
    config.miniBatchSize = 100
    config.epochs = 20
    let model = try LinearLearnerTrainer.train(train: train, validation: nil, configuration: config) { _ in }
    for j in 0 ..< 4 { #expect(abs(model.weights[j] - beta[j]) < 0.03) }
    #expect(abs(model.bias[0] - 3) < 0.1)
    let test = regressionData(rows: 1000, seed: 6, coefficients: beta)
    #expect(metric(model, test, "rmse") < 0.15)
    #expect(model.predict(test.features).allSatisfy { $0.predictedLabel == nil })
}

@Test(arguments: [
    LinearLearnerConfiguration.Loss.absoluteLoss, .huberLoss, .quantileLoss, .epsInsensitiveSquaredLoss,
    .epsInsensitiveAbsoluteLoss,
])
func regressionLosses(loss: LinearLearnerConfiguration.Loss) throws {
    let beta: [Float] = [1, -2, 0.5]
    let train = regressionData(rows: 4000, seed: 9, coefficients: beta, noise: 0.2)
    var config = LinearLearnerConfiguration(predictorType: .regressor)
    config.loss = loss
    config.miniBatchSize = 100
    config.epochs = 20
    let model = try LinearLearnerTrainer.train(train: train, validation: nil, configuration: config) { _ in }
    let test = regressionData(rows: 1000, seed: 10, coefficients: beta, noise: 0.2)
    #expect(metric(model, test, "rmse") < 0.35)
    #expect(model.evaluate(test)[0].name == "\(loss.rawValue)_objective")
}

@Test func l1ProducesExactZeros() throws {
    let beta: [Float] = [2, 0, 0, -1.5, 0, 0, 0, 1]
    let train = regressionData(rows: 5000, seed: 11, coefficients: beta, noise: 0.5)
    var config = LinearLearnerConfiguration(predictorType: .regressor)
    config.l1 = 0.02
    config.learningRate = 0.01
    config.numModels = 1
    config.miniBatchSize = 100
    config.epochs = 20
    let model = try LinearLearnerTrainer.train(train: train, validation: nil, configuration: config) { _ in }
    for j in 0 ..< 8 {
        if beta[j] == 0 { #expect(model.weights[j] == 0) } else { #expect(abs(model.weights[j] - beta[j]) < 0.2) }
    }
}

@Test func earlyStoppingEndsTraining() throws {
    let (train, _) = binaryData(rows: 2000, seed: 12)
    var config = LinearLearnerConfiguration(predictorType: .binaryClassifier)
    config.epochs = 50
    config.miniBatchSize = 100
    config.earlyStoppingPatience = 2
    config.earlyStoppingTolerance = 0.05
    var lines: [String] = []
    _ = try LinearLearnerTrainer.train(train: train, validation: nil, configuration: config) { lines.append($0) }
    let epochs = lines.filter { $0.hasPrefix("#quality_metric: host=algo-1, epoch=") }.count
    #expect(lines.contains("Early stop condition met. Stopping training."))
    #expect(epochs < 20)
}

@Test func earlyStoppingCounter() {
    var stopping = EarlyStopping(patience: 2, tolerance: 0.01)
    // 10 % better, then two epochs under 1 %.
    let decisions = [1.0, 0.9, 0.899, 0.898].map { stopping.shouldStop($0, higherIsBetter: false) }
    #expect(decisions == [false, false, false, true])
}

@Test func thresholdSelectionOnHandMadeScores() {
    let scores: [Float] = [0.9, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2, 0.1]
    let labels: [Float] = [1, 1, 0, 1, 0, 0, 1, 0]
    func best(_ c: LinearLearnerConfiguration.SelectionCriterion) -> (threshold: Float, value: Double) {
        BinaryCalibration.bestThreshold(
            scores: scores, labels: labels, criterion: c, beta: 1, targetRecall: 0.8, targetPrecision: 0.8,
            defaultThreshold: 0.5)
    }
    let accuracy = best(.accuracy)
    #expect(accuracy.value == 0.75)
    #expect(abs(accuracy.threshold - 0.75) < 1e-6)  // top 2 positive
    let f1 = best(.fBeta)
    #expect(abs(f1.value - 0.75) < 1e-9)
    #expect(abs(f1.threshold - 0.5) < 1e-6)  // top 4
    let precision = best(.precisionAtTargetRecall)  // recall ≥ 0.8 needs all 4 positives: top 7
    #expect(abs(precision.value - 4.0 / 7) < 1e-9)
    #expect(abs(precision.threshold - 0.15) < 1e-6)
    let recall = best(.recallAtTargetPrecision)  // precision ≥ 0.8 allows at most the top 2
    #expect(recall.value == 0.5)
    #expect(abs(recall.threshold - 0.75) < 1e-6)
    let loss = best(.lossFunction)
    #expect(loss.threshold == 0.5)
    #expect(BinaryCalibration.rocAUC(scores: scores, labels: labels) == 0.75)
    // Ties count one half.
    #expect(BinaryCalibration.rocAUC(scores: [0.5, 0.5], labels: [1, 0]) == 0.5)
}

@Test func configurationValidation() throws {
    var c = LinearLearnerConfiguration(predictorType: .regressor)
    c.loss = .hingeLoss
    #expect(throws: LinearLearnerError.self) { try c.validated() }
    var m = LinearLearnerConfiguration(predictorType: .multiclassClassifier)
    m.numClasses = 2
    #expect(throws: LinearLearnerError.self) { try m.validated() }
    var b = LinearLearnerConfiguration(predictorType: .binaryClassifier)
    b.targetRecall = 1
    #expect(throws: LinearLearnerError.self) { try b.validated() }
    let resolved = try LinearLearnerConfiguration(predictorType: .binaryClassifier).validated()
    #expect(resolved.loss == .logistic)
    #expect(resolved.optimizer == .adam)
    #expect(resolved.learningRate == nil)
    let bad = LabeledData(features: Matrix(rows: 2, columns: 1, values: [0, 1]), labels: [0, 2])
    #expect(throws: LinearLearnerError.self) {
        try LinearLearnerTrainer.train(
            train: bad, validation: nil, configuration: LinearLearnerConfiguration(predictorType: .binaryClassifier)
        ) { _ in }
    }
}

@Test func modelRoundTripsThroughJSONAndIsDeterministic() throws {
    let (train, _) = binaryData(rows: 1000, seed: 13)
    var config = LinearLearnerConfiguration(predictorType: .binaryClassifier)
    config.epochs = 3
    config.seed = 42
    let a = try LinearLearnerTrainer.train(train: train, validation: nil, configuration: config) { _ in }
    let b = try LinearLearnerTrainer.train(train: train, validation: nil, configuration: config) { _ in }
    #expect(a == b)
    let decoded = try JSONDecoder().decode(LinearModel.self, from: JSONEncoder().encode(a))
    #expect(decoded == a)
    #expect(decoded.predict(train.features) == a.predict(train.features))
}

@Test func radixSortOrdersScores() {
    var rng = SplitMix64(seed: 3)
    let scores = (0 ..< 5000).map { _ in rng.nextNormal() * (rng.nextUnit() < 0.1 ? 0 : 100) }
    let order = BinaryCalibration.sortedIndices(scores)
    #expect(Set(order).count == scores.count)
    #expect(zip(order, order.dropFirst()).allSatisfy { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 < $1) })
}

@Test func noBiasAndBalancedPositiveWeight() throws {
    // Labels depend on the sign of x0 only, with few positives; without a bias the separator passes through 0.
    var rng = SplitMix64(seed: 21)
    var x = Matrix(rows: 2000, columns: 2)
    var y = [Float]()
    for i in 0 ..< 2000 {
        x[i, 0] = rng.nextNormal()
        x[i, 1] = rng.nextNormal()
        y.append(x[i, 0] > 1 ? 1 : 0)
    }
    var config = LinearLearnerConfiguration(predictorType: .binaryClassifier)
    config.useBias = false
    config.positiveExampleWeightMult = .balanced
    config.miniBatchSize = 100
    var lines: [String] = []
    let model = try LinearLearnerTrainer.train(
        train: LabeledData(features: x, labels: y), validation: nil, configuration: config
    ) { lines.append($0) }
    #expect(model.bias == [0])
    #expect(model.weights[0] > 0)
    #expect(lines.contains { $0.contains("positive_example_weight_mult=") && !$0.contains("positive_example_weight_mult=1.0)") })
    #expect(metric(model, LabeledData(features: x, labels: y), "roc_auc_score") > 0.99)
}
