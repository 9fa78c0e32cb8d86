import Foundation
import Testing
@testable import GradientBoosting

@Test func dartNormalization() {
    var d = DartParameters()
    #expect(d.normalization(dropped: 0, newTrees: 1, eta: 0.3) == (1, 1))
    // tree: k/(k + lr) for the dropped trees, 1/(k + lr) for the new one (the weights pip xgboost writes)
    let (f, w) = d.normalization(dropped: 2, newTrees: 1, eta: 0.3)
    #expect(abs(f - 2 / 2.3) < 1e-6 && abs(w - 1 / 2.3) < 1e-6)
    d.normalizeType = .forest
    let (f2, w2) = d.normalization(dropped: 3, newTrees: 1, eta: 0.3)
    #expect(abs(f2 - 1 / 1.3) < 1e-6 && abs(w2 - 1 / 1.3) < 1e-6)
}

@Test func dartDropRules() {
    var rng = SplitMix64(seed: 1)
    var d = DartParameters()
    #expect(d.drop(weights: [1, 1, 1], rng: &rng).isEmpty)  // rate_drop 0
    d.oneDrop = true
    #expect(d.drop(weights: [1, 1, 1], rng: &rng).count == 1)
    d.skipDrop = 1
    #expect(d.drop(weights: [1, 1, 1], rng: &rng).isEmpty)
    d = DartParameters()
    d.rateDrop = 1
    #expect(d.drop(weights: [1, 1, 1, 1], rng: &rng) == [0, 1, 2, 3])
    d.sampleType = .weighted
    d.rateDrop = 0.25
    // weighted: probability rate_drop · n · w_i / Σw; a zero weight is never dropped
    for _ in 0..<50 { #expect(!d.drop(weights: [0, 2, 2], rng: &rng).contains(0)) }
}

@Test func dartHyperparameters() throws {
    let p = try Hyperparameters.parse(["num_round": "3", "booster": "dart", "rate_drop": "0.1", "skip_drop": "0.5",
                                       "one_drop": "1", "sample_type": "weighted", "normalize_type": "forest"])
    #expect(p.booster == "dart" && p.dart.rateDrop == 0.1 && p.dart.skipDrop == 0.5 && p.dart.oneDrop)
    #expect(p.dart.sampleType == .weighted && p.dart.normalizeType == .forest)
    #expect(throws: Hyperparameters.ValidationError.self) { try Hyperparameters.parse(["num_round": "3", "rate_drop": "1.5"]) }
    #expect(throws: Hyperparameters.ValidationError.self) { try Hyperparameters.parse(["num_round": "3", "sample_type": "random"]) }
    #expect(throws: Hyperparameters.ValidationError.self) { try Hyperparameters.parse(["num_round": "3", "one_drop": "2"]) }
}

@Test func dartTrainsAndRoundTripsJSON() throws {
    var rng = SplitMix64(seed: 3)
    let n = 400
    let x = (0..<(n * 3)).map { _ in Float(rng.nextDouble()) }
    let y = (0..<n).map { x[$0 * 3] + 0.5 * x[$0 * 3 + 1] > 0.75 ? Float(1) : 0 }
    var p = try Hyperparameters.parse(["num_round": "12", "booster": "dart", "rate_drop": "0.3",
                                       "objective": "binary:logistic", "max_depth": "3"])
    p.nthread = 1
    let data = LabeledData(features: DataMatrix(rows: n, cols: 3, values: x), labels: y)
    let r = try Trainer.train(params: p, train: data)
    #expect(r.booster.kind == .dart && r.booster.treeWeights.count == 12)
    #expect(r.booster.treeWeights.contains { $0 != 1 })
    let loaded = try Booster.load(json: Data(r.booster.jsonModel().utf8))
    #expect(loaded.kind == .dart && loaded.treeWeights == r.booster.treeWeights)
    let a = r.booster.predictMargins(data.features), b = loaded.predictMargins(data.features)
    #expect(zip(a, b).allSatisfy { abs($0 - $1) < 1e-6 })
}
