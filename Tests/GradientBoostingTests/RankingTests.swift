import Foundation
import Testing
@testable import GradientBoosting

private func eval(_ name: String, _ p: [Float], _ y: [Float], groups: [Int]? = nil, weights: [Float]? = nil) -> Double {
    Metric(name: name)!.evaluate(preds: p, width: 1, labels: y, weights: weights, groups: groups)
}

@Test func ndcgOnHandComputedLists() {
    // order 3,2,1 puts labels 0,1,2: DCG = 1/log2(3) + 3/log2(4); ideal = 3 + 1/log2(3)
    let dcg = 1 / log2(3.0) + 3 / 2.0, idcg = 3 + 1 / log2(3.0)
    #expect(abs(eval("ndcg", [3, 2, 1], [0, 1, 2]) - dcg / idcg) < 1e-12)
    // ties keep the input order
    #expect(abs(eval("ndcg", [1, 1, 1], [0, 1, 2]) - dcg / idcg) < 1e-12)
    #expect(abs(eval("ndcg", [1, 1, 1], [2, 1, 0]) - 1) < 1e-12)
    // a query without relevant documents: 1, or 0 with the '-' suffix
    let second = 1 / log2(3.0)
    #expect(abs(eval("ndcg", [1, 2, 3, 4], [0, 0, 1, 0], groups: [0, 2, 4]) - (1 + second) / 2) < 1e-12)
    #expect(abs(eval("ndcg-", [1, 2, 3, 4], [0, 0, 1, 0], groups: [0, 2, 4]) - second / 2) < 1e-12)
    // per-query weights
    #expect(abs(eval("ndcg", [1, 2, 3, 4], [0, 0, 1, 0], groups: [0, 2, 4], weights: [1, 3]) - (1 + 3 * second) / 4) < 1e-12)
    // truncation: DCG@2 = 1, ideal@2 = 1 + 1/log2(3)
    #expect(abs(eval("ndcg@2", [4, 3, 2, 1], [1, 0, 1, 1]) - 1 / (1 + second)) < 1e-12)
    // the only relevant document below the cut: 0 (the ideal list still has it on top)
    #expect(eval("ndcg@3", [4, 3, 2, 1], [0, 0, 0, 1]) == 0)
}

@Test func mapOnHandComputedLists() {
    // relevant at positions 1, 3, 4: (1/1 + 2/3 + 3/4) / 3
    #expect(abs(eval("map", [4, 3, 2, 1], [1, 0, 1, 1]) - (1 + 2.0 / 3 + 0.75) / 3) < 1e-12)
    // @2 divides by min(2, relevant) (XGBoost >= 2.0)
    #expect(abs(eval("map@2", [4, 3, 2, 1], [1, 0, 1, 1]) - 0.5) < 1e-12)
    #expect(abs(eval("map@2", [4, 3, 2, 1], [0, 1, 1, 1]) - 0.25) < 1e-12)
    #expect(abs(eval("map@3", [4, 3, 2, 1], [1, 0, 0, 0]) - 1) < 1e-12)
    #expect(eval("map@3", [4, 3, 2, 1], [0, 0, 0, 1]) == 0)
    #expect(abs(eval("map", [1, 2, 3, 4], [0, 0, 1, 0], groups: [0, 2, 4]) - 0.75) < 1e-12)
    #expect(abs(eval("map-", [1, 2, 3, 4], [0, 0, 1, 0], groups: [0, 2, 4]) - 0.25) < 1e-12)
}

@Test func rankingMetricNames() {
    #expect(Metric(name: "ndcg@3-")?.kind == .ndcg(top: 3, minus: true))
    #expect(Metric(name: "map-")?.kind == .map(top: nil, minus: true))
    #expect(Metric(name: "map@10")?.kind == .map(top: 10, minus: false))
    #expect(Metric(name: "ndcg@0") == nil)
    #expect(Metric(name: "ndcgx") == nil)
    #expect(Metric(name: "ndcg")!.maximize && Metric(name: "map@2")!.maximize)
    // the SageMaker 1.7-1 container logs map for every rank:* objective
    #expect(Objective(kind: .rankNDCG).defaultMetric == "map")
    #expect(Objective(kind: .rankPairwise).defaultMetric == "map")
}

@Test func libsvmQueryIds() throws {
    let text = "1 qid:3 0:1\n0 qid:3 0:2\n2 qid:5 1:3\n"
    let p = try LibSVMParser.parse(bytes: Array(text.utf8), fileName: "q.txt")
    #expect(p.qids == [3, 3, 5])
    #expect(try p.groups(file: "q.txt") == [0, 2, 3])
    let bad = try LibSVMParser.parse(bytes: Array("1 qid:1 0:1\n0 qid:2 0:2\n1 qid:1 0:3\n".utf8), fileName: "b.txt")
    #expect(throws: DataError.self) { try bad.groups(file: "b.txt") }
    #expect(throws: DataError.self) { try LibSVMParser.parse(bytes: Array("1 qid:1 0:1\n0 0:2\n".utf8), fileName: "m.txt") }
}

@Test func pairwiseGradientOfOnePair() {
    let obj = Objective(kind: .rankPairwise)
    let m: [Float] = [0, 0], y: [Float] = [1, 0]
    var g = [SIMD2<Float>](repeating: .zero, count: 2)
    m.withUnsafeBufferPointer { mb in
        y.withUnsafeBufferPointer { yb in
            g.withUnsafeMutableBufferPointer { gb in
                obj.gradients(margins: mb.baseAddress!, labels: yb.baseAddress!, weights: nil, rows: 2,
                              out: gb.baseAddress!, threads: 1, groups: [0, 2])
            }
        }
    }
    // σ(0) = 1/2: λ = −1/2, h = 2·(1/4); Σλ = 1 so log2(1 + 1)/1 = 1 leaves them unscaled
    #expect(abs(g[0].x + 0.5) < 1e-6 && abs(g[0].y - 0.5) < 1e-6)
    #expect(abs(g[1].x - 0.5) < 1e-6 && abs(g[1].y - 0.5) < 1e-6)
}
