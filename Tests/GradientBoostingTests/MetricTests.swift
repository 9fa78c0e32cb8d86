import Foundation
import Testing
@testable import GradientBoosting

/// Naive AUC: fraction of (positive, negative) pairs ranked correctly, ties counting one half.
func naiveAUC(_ p: [Float], _ y: [Float]) -> Double {
    var good = 0.0, pairs = 0.0
    for i in p.indices where y[i] == 1 {
        for j in p.indices where y[j] == 0 {
            pairs += 1
            good += p[i] > p[j] ? 1 : (p[i] == p[j] ? 0.5 : 0)
        }
    }
    return good / pairs
}

@Test func aucMatchesPairCounting() {
    var rng = SplitMix64(seed: 9)
    let p = (0..<400).map { _ in Float((rng.nextDouble() * 20).rounded() / 20) }  // many ties
    let y = p.map { rng.nextDouble() < Double($0) ? Float(1) : 0 }
    let fast = Metric(name: "auc")!.evaluate(preds: p, width: 1, labels: y, weights: nil)
    #expect(abs(fast - naiveAUC(p, y)) < 1e-12)
}

@Test func metricNamesAndFormats() {
    #expect(Metric(name: "error@0.7")?.kind == .error(threshold: 0.7))
    #expect(Metric(name: "tweedie-nloglik@1.2")?.kind == .tweedieNLogLik(rho: 1.2))
    #expect(Metric(name: "rmse@2") == nil)
    #expect(Metric(name: "bogus") == nil)
    #expect(format5(0.123456) == "0.12346")
    #expect(format5(2) == "2.00000")
    let e = Metric(name: "error")!.evaluate(preds: [0.2, 0.7, 0.6], width: 1, labels: [0, 1, 0], weights: nil)
    #expect(abs(e - 1.0 / 3.0) < 1e-12)
    let rmse = Metric(name: "rmse")!.evaluate(preds: [1, 2], width: 1, labels: [0, 0], weights: [1, 3])
    #expect(abs(rmse - (13.0 / 4.0).squareRoot()) < 1e-12)
}

@Test func objectivesGradients() {
    var obj = Objective(kind: .binaryLogistic)
    obj.scalePosWeight = 2
    let m: [Float] = [0, 1]
    let y: [Float] = [1, 0]
    var g = [SIMD2<Float>](repeating: .zero, count: 2)
    m.withUnsafeBufferPointer { mb in
        y.withUnsafeBufferPointer { yb in
            g.withUnsafeMutableBufferPointer { gb in
                obj.gradients(margins: mb.baseAddress!, labels: yb.baseAddress!, weights: nil, rows: 2, out: gb.baseAddress!, threads: 1)
            }
        }
    }
    #expect(abs(g[0].x - (0.5 - 1) * 2) < 1e-6 && abs(g[0].y - 0.25 * 2) < 1e-6)
    let p1: Float = 1 / (1 + expf(-1))
    #expect(abs(g[1].x - p1) < 1e-6 && abs(g[1].y - p1 * (1 - p1)) < 1e-6)
    #expect(abs(Objective(kind: .binaryLogistic).margin(fromBaseScore: 0.5)) < 1e-12)
    #expect(abs(Objective(kind: .poisson).margin(fromBaseScore: 1)) < 1e-12)
}

/// The container's own metrics on hand-counted cases, including scikit-learn's zero-division and constant-label rules.
@Test func containerMetricsOnHandCountedCases() {
    func score(_ name: String, _ margins: [Float], width: Int = 1, _ labels: [Float]) -> Double {
        Metric(name: name)!.evaluate(preds: margins, width: width, labels: labels, weights: nil)
    }
    // margins > 0 → class 1: predictions 1, 1, 0, 0 against labels 1, 0, 0, 1
    let m: [Float] = [2, 0.5, -1, -0.2], y: [Float] = [1, 0, 0, 1]
    #expect(score("accuracy", m, y) == 0.5)
    #expect(score("precision", m, y) == 0.5 && score("recall", m, y) == 0.5 && score("f1_binary", m, y) == 0.5)
    // No row predicted positive: precision and f1 of class 1 count 0, as scikit-learn's zero_division default.
    #expect(score("precision", [-1, -1], [1, 0]) == 0 && score("f1_binary", [-1, -1], [1, 0]) == 0)
    // Three classes (arg-max): predicted 0, 1, 1, 2 against 0, 1, 2, 2.
    let mm: [Float] = [5, 0, 0, 0, 5, 0, 0, 5, 0, 0, 0, 5], ym: [Float] = [0, 1, 2, 2]
    #expect(score("accuracy", mm, width: 3, ym) == 0.75)
    #expect(abs(score("balanced_accuracy", mm, width: 3, ym) - (1 + 1 + 0.5) / 3) < 1e-12)
    #expect(abs(score("precision_macro", mm, width: 3, ym) - (1 + 0.5 + 1) / 3) < 1e-12)
    #expect(abs(score("f1", mm, width: 3, ym) - (1 + 2.0 / 3 + 2.0 / 3) / 3) < 1e-12)
    #expect(score("recall_micro", mm, width: 3, ym) == 0.75)
    // Regression on the margins; constant labels give r2 = 1 for a perfect fit, else 0.
    #expect(score("mse", [1, 2], [0, 4]) == 2.5)
    #expect(abs(score("r2", [1, 2], [0, 4]) - (1 - 5.0 / 8)) < 1e-12)
    #expect(score("r2", [3, 3], [3, 3]) == 1 && score("r2", [2, 3], [3, 3]) == 0)
    #expect(Metric(name: "f1")!.maximize && !Metric(name: "mse")!.maximize && Metric(name: "mse")!.readsMargins)
}
