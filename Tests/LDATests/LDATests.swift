import Foundation
import Linalg
import Testing
@testable import LDA

/// Gamma(shape) by Marsaglia–Tsang (boosted for shape < 1).
private func sampleGamma(_ shape: Double, _ rng: inout Kernels.SplitMix64) -> Double {
    if shape < 1 { return sampleGamma(shape + 1, &rng) * pow(rng.nextOpenUnit(), 1 / shape) }
    let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
    while true {
        let x = rng.nextGaussian(), v0 = 1 + c * x
        if v0 <= 0 { continue }
        let v = v0 * v0 * v0, u = rng.nextOpenUnit()
        if log(u) < 0.5 * x * x + d - d * v + d * log(v) { return d * v }
    }
}

private func categorical(_ p: [Double], _ rng: inout Kernels.SplitMix64) -> Int {
    var u = rng.nextOpenUnit() * p.reduce(0, +)
    for (i, x) in p.enumerated() {
        u -= x
        if u <= 0 { return i }
    }
    return p.count - 1
}

/// A corpus drawn from LDA with `topics` well-separated topics: topic t puts 90 % of its mass on
/// its own block of `wordsPerTopic` words and 10 % spread over the whole vocabulary.
private func syntheticCorpus(
    topics: Int, wordsPerTopic: Int, documents: Int, alpha: Double, lengths: ClosedRange<Int>, seed: UInt64
) -> (corpus: SparseMatrix, beta: [[Double]]) {
    var rng = Kernels.SplitMix64(seed: seed)
    let v = topics * wordsPerTopic
    var beta = [[Double]]()
    for t in 0 ..< topics {
        var row = (0 ..< v).map { _ in 0.1 / Double(v) * (0.5 + rng.nextOpenUnit()) }
        for w in t * wordsPerTopic ..< (t + 1) * wordsPerTopic { row[w] += 0.9 / Double(wordsPerTopic) * (0.5 + rng.nextOpenUnit()) }
        let s = row.reduce(0, +)
        beta.append(row.map { $0 / s })
    }
    var starts = [0], cols = [Int32](), vals = [Float]()
    for _ in 0 ..< documents {
        let theta = (0 ..< topics).map { _ in sampleGamma(alpha, &rng) }
        let n = lengths.lowerBound + Int(rng.next() % UInt64(lengths.count))
        var counts = [Int: Float]()
        for _ in 0 ..< n { counts[categorical(beta[categorical(theta, &rng)], &rng), default: 0] += 1 }
        for (w, c) in counts.sorted(by: { $0.key < $1.key }) {
            cols.append(Int32(w))
            vals.append(c)
        }
        starts.append(vals.count)
    }
    return (SparseMatrix(columns: v, rowStarts: starts, columnIndices: cols, values: vals), beta)
}

/// Mean cosine between true and learned topics under the best one-to-one matching (greedy on
/// the largest cosine, exact enough for well-separated topics).
private func matchedCosine(_ truth: [[Double]], _ learned: Matrix) -> (mean: Double, minimum: Double) {
    let k = truth.count, v = learned.columns
    var cos = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
    for i in 0 ..< k {
        for j in 0 ..< k {
            var d = 0.0, a = 0.0, b = 0.0
            for w in 0 ..< v {
                let x = truth[i][w], y = Double(learned[j, w])
                d += x * y; a += x * x; b += y * y
            }
            cos[i][j] = d / (a * b).squareRoot()
        }
    }
    var usedI = Set<Int>(), usedJ = Set<Int>(), chosen = [Double]()
    let pairs = (0 ..< k).flatMap { i in (0 ..< k).map { (i, $0) } }.sorted { cos[$0.0][$0.1] > cos[$1.0][$1.1] }
    for (i, j) in pairs where !usedI.contains(i) && !usedJ.contains(j) {
        usedI.insert(i); usedJ.insert(j); chosen.append(cos[i][j])
    }
    return (chosen.reduce(0, +) / Double(k), chosen.min()!)
}

@Test func alsRecoversAnOrthogonalTensor() {
    let n = 6
    var rng = Kernels.SplitMix64(seed: 7)
    var basis = Matrix(rows: n, columns: n, values: (0 ..< n * n).map { _ in Float(rng.nextGaussian()) })
    SmallDense.orthonormalizeColumns(&basis)
    let weights: [Double] = [5, 4, 3, 2.5, 2, 1]
    var tensor = [Double](repeating: 0, count: n * n * n)
    for r in 0 ..< n {
        for a in 0 ..< n {
            for b in 0 ..< n {
                for c in 0 ..< n {
                    tensor[a * n * n + b * n + c] += weights[r] * Double(basis[a, r]) * Double(basis[b, r]) * Double(basis[c, r])
                }
            }
        }
    }
    let result = SymmetricTensorALS.decompose(
        tensor, n: n, rank: n, maxRestarts: 3, maxIterations: 500, tolerance: 1e-12, rng: &rng)
    #expect(result.relativeResidual < 1e-4)
    for r in 0 ..< n {
        // Find the recovered component aligned with basis column r.
        let best = result.vectors.indices.max { i, j in
            abs((0 ..< n).reduce(0.0) { $0 + result.vectors[i][$1] * Double(basis[$1, r]) })
                < abs((0 ..< n).reduce(0.0) { $0 + result.vectors[j][$1] * Double(basis[$1, r]) })
        }!
        let alignment = (0 ..< n).reduce(0.0) { $0 + result.vectors[best][$1] * Double(basis[$1, r]) }
        #expect(alignment > 0.999)  // sign fixed so that the weight is positive
        #expect(abs(result.weights[best] - weights[r]) < 1e-3)
    }
}

@Test func spectralAndRefinedTopicsMatchTheTruth() throws {
    let (corpus, beta) = syntheticCorpus(topics: 4, wordsPerTopic: 12, documents: 3000, alpha: 0.2, lengths: 20 ... 60, seed: 1)
    for passes in [0, 3] {
        let config = LDAConfiguration(numTopics: 4, featureDim: corpus.columns, alpha0: 0.8, seed: 5, refinementPasses: passes)
        var lines = [String]()
        let model = try LDATrainer.train(corpus, configuration: config) { lines.append($0) }
        #expect(model.beta.rows == 4 && model.beta.columns == corpus.columns && model.alpha.count == 4)
        for t in 0 ..< 4 {
            let row = model.beta.row(t)
            #expect(abs(row.reduce(0, +) - 1) < 1e-4)
            #expect(row.allSatisfy { $0 >= 0 })
            #expect(model.alpha[t] > 0)
        }
        let (mean, minimum) = matchedCosine(beta, model.beta)
        #expect(mean > 0.97, "passes \(passes): mean cosine \(mean)")
        #expect(minimum > 0.93, "passes \(passes): min cosine \(minimum)")
        #expect(lines.contains { $0.hasPrefix("Tensor ALS") })
    }
}

@Test func mixturesSumToOneAndShortDocumentsAreHandled() throws {
    let (corpus, _) = syntheticCorpus(topics: 3, wordsPerTopic: 8, documents: 800, alpha: 0.3, lengths: 0 ... 30, seed: 2)
    #expect((0 ..< corpus.rows).contains { corpus.rowStarts[$0 + 1] == corpus.rowStarts[$0] })  // empty documents present
    let model = try LDATrainer.train(corpus, configuration: LDAConfiguration(numTopics: 3, featureDim: corpus.columns, seed: 1)) { _ in }
    // Documents with 0, 1 and 2 words, plus a normal one.
    let short = SparseMatrix(
        columns: corpus.columns, rowStarts: [0, 0, 1, 2, 5], columnIndices: [3, 5, 0, 1, 9], values: [1, 2, 4, 1, 3])
    let theta = try model.topicMixtures(short)
    #expect(theta.rows == 4 && theta.columns == 3)
    for d in 0 ..< 4 {
        let row = theta.row(d)
        #expect(abs(row.reduce(0, +) - 1) < 1e-5)
        #expect(row.allSatisfy { $0 >= 0 && $0.isFinite })
    }
    // An empty document gets the prior mean.
    let alphaSum = model.alpha.reduce(0, +)
    for t in 0 ..< 3 { #expect(abs(theta[0, t] - model.alpha[t] / alphaSum) < 1e-6) }
    let pwll = try model.perWordLogLikelihood(corpus)
    #expect(pwll.isFinite && pwll < 0)
    #expect(try model.perWordLogLikelihood(SparseMatrix(columns: corpus.columns, rowStarts: [0, 0], columnIndices: [], values: [])) == 0)
}

@Test func inferredMixturesFollowTheDocumentsTopic() throws {
    let (corpus, _) = syntheticCorpus(topics: 3, wordsPerTopic: 10, documents: 1500, alpha: 0.2, lengths: 30 ... 50, seed: 3)
    let model = try LDATrainer.train(corpus, configuration: LDAConfiguration(numTopics: 3, featureDim: corpus.columns, seed: 2)) { _ in }
    // A document using only topic-block-0 words should be dominated by one topic.
    let doc = SparseMatrix(columns: corpus.columns, rowStarts: [0, 5], columnIndices: [0, 2, 4, 6, 8], values: [5, 5, 5, 5, 5])
    let theta = try model.topicMixtures(doc)
    #expect(theta.row(0).max()! > 0.9)
}

@Test func trainingIsDeterministicForASeed() throws {
    let (corpus, _) = syntheticCorpus(topics: 3, wordsPerTopic: 6, documents: 500, alpha: 0.3, lengths: 10 ... 20, seed: 4)
    let config = LDAConfiguration(numTopics: 3, featureDim: corpus.columns, maxRestarts: 4, seed: 9, refinementPasses: 2)
    let a = try LDATrainer.train(corpus, configuration: config) { _ in }
    let b = try LDATrainer.train(corpus, configuration: config) { _ in }
    #expect(a == b)
}

@Test func moreTopicsThanTheDataSupportsStillGivesValidTopics() throws {
    let (corpus, _) = syntheticCorpus(topics: 2, wordsPerTopic: 5, documents: 400, alpha: 0.3, lengths: 10 ... 20, seed: 6)
    let model = try LDATrainer.train(corpus, configuration: LDAConfiguration(numTopics: 8, featureDim: corpus.columns, seed: 1)) { _ in }
    #expect(model.beta.rows == 8 && model.alpha.count == 8)
    for t in 0 ..< 8 { #expect(abs(model.beta.row(t).reduce(0, +) - 1) < 1e-4) }
    #expect(model.alpha.allSatisfy { $0 > 0 && $0.isFinite })
}

@Test func invalidInputIsRejectedWithAClearMessage() {
    let corpus = SparseMatrix(columns: 4, rowStarts: [0, 2, 3], columnIndices: [0, 1, 2], values: [1, 1, 1])
    #expect(throws: LDAError("documents have 4 features but feature_dim is 5")) {
        try LDATrainer.train(corpus, configuration: LDAConfiguration(numTopics: 2, featureDim: 5)) { _ in }
    }
    #expect(throws: LDAError("num_topics must be a positive integer, got 0")) {
        try LDATrainer.train(corpus, configuration: LDAConfiguration(numTopics: 0, featureDim: 4)) { _ in }
    }
    #expect(throws: LDAError("alpha0 must be a positive number, got -1.0")) {
        try LDATrainer.train(corpus, configuration: LDAConfiguration(numTopics: 2, featureDim: 4, alpha0: -1)) { _ in }
    }
    #expect(throws: LDAError.self) {  // no document has 3 words
        try LDATrainer.train(corpus, configuration: LDAConfiguration(numTopics: 2, featureDim: 4)) { _ in }
    }
    let negative = SparseMatrix(columns: 4, rowStarts: [0, 1], columnIndices: [0], values: [-2])
    #expect(throws: LDAError("word counts must be finite and ≥ 0, found -2.0")) {
        try LDATrainer.train(negative, configuration: LDAConfiguration(numTopics: 2, featureDim: 4)) { _ in }
    }
}

@Test func digammaMatchesKnownValues() {
    #expect(abs(digamma(1) + 0.5772156649015329) < 1e-10)
    #expect(abs(digamma(0.5) + 1.9635100260214235) < 1e-10)
    #expect(abs(digamma(10) - 2.251752589066721) < 1e-12)
    #expect(abs(digamma(0.01) + 100.56088545786867) < 1e-9)
}

@Test func metricLineHasTheSpecFormat() {
    #expect(LDATrainer.testMetricLine(perWordLogLikelihood: -7.25) == "#quality_metric: host=algo-1, test pwll <score>=-7.25")
}

@Test func whitenedTensorMatchesADenseComputation() {
    // Tiny corpus (V = 5) including documents with 0, 1 and 2 words.
    let docs: [[Float]] = [[2, 1, 0, 0, 3], [0, 0, 1, 0, 0], [1, 1, 1, 1, 1], [0, 4, 0, 0, 1], [], [0, 1, 1, 0, 0], [5, 0, 0, 2, 0]]
    var starts = [0], cols = [Int32](), vals = [Float]()
    for d in docs {
        for (w, c) in d.enumerated() where c > 0 { cols.append(Int32(w)); vals.append(c) }
        starts.append(vals.count)
    }
    let v = 5, k = 3, alpha0 = 0.7
    let corpus = SparseMatrix(columns: v, rowStarts: starts, columnIndices: cols, values: vals)
    var rng = Kernels.SplitMix64(seed: 1)
    let whiten = Matrix(rows: v, columns: k, values: (0 ..< v * k).map { _ in Float(rng.nextGaussian()) })
    let got = SpectralEstimator(documents: corpus, alpha0: alpha0).whitenedThirdMoment(whiten: whiten)

    // Dense moments straight from the spec's formulas.
    let dense = docs.map { $0.isEmpty ? [Double](repeating: 0, count: v) : $0.map(Double.init) }
    let n = dense.map { $0.reduce(0, +) }
    var m1 = [Double](repeating: 0, count: v)
    var e2 = [Double](repeating: 0, count: v * v), e3 = [Double](repeating: 0, count: v * v * v)
    let d1 = Double(n.filter { $0 >= 1 }.count), d2 = Double(n.filter { $0 >= 2 }.count), d3 = Double(n.filter { $0 >= 3 }.count)
    for (c, nd) in zip(dense, n) {
        if nd >= 1 { for i in 0 ..< v { m1[i] += c[i] / nd / d1 } }
        if nd >= 2 {
            for i in 0 ..< v { for j in 0 ..< v { e2[i * v + j] += (c[i] * c[j] - (i == j ? c[i] : 0)) / (nd * (nd - 1) * d2) } }
        }
        if nd >= 3 {
            for i in 0 ..< v {
                for j in 0 ..< v {
                    for l in 0 ..< v {
                        var x = c[i] * c[j] * c[l]
                        if i == j { x -= c[i] * c[l] }
                        if i == l { x -= c[i] * c[j] }
                        if j == l { x -= c[j] * c[i] }
                        if i == j && j == l { x += 2 * c[i] }
                        e3[(i * v + j) * v + l] += x / (nd * (nd - 1) * (nd - 2) * d3)
                    }
                }
            }
        }
    }
    let a3 = alpha0 / (alpha0 + 2), b3 = 2 * alpha0 * alpha0 / ((alpha0 + 1) * (alpha0 + 2))
    for a in 0 ..< k {
        for b in 0 ..< k {
            for c in 0 ..< k {
                var s = 0.0
                for i in 0 ..< v {
                    for j in 0 ..< v {
                        for l in 0 ..< v {
                            let m3 = e3[(i * v + j) * v + l] - a3 * (e2[i * v + j] * m1[l] + e2[i * v + l] * m1[j] + e2[j * v + l] * m1[i])
                                + b3 * m1[i] * m1[j] * m1[l]
                            s += m3 * Double(whiten[i, a]) * Double(whiten[j, b]) * Double(whiten[l, c])
                        }
                    }
                }
                #expect(abs(got[(a * k + b) * k + c] - s) < 1e-4 * max(1, abs(s)), "entry \(a),\(b),\(c)")
            }
        }
    }
}

@Test func alsRespectsTheWorkBudget() {
    let n = 5
    var rng = Kernels.SplitMix64(seed: 3)
    let tensor = (0 ..< n * n * n).map { _ in rng.nextGaussian() }
    let result = SymmetricTensorALS.decompose(
        tensor, n: n, rank: n, maxRestarts: 10, maxIterations: 1000, tolerance: 1e-30, workBudget: 1e6, rng: &rng)
    #expect(result.restarts >= 1 && result.iterationCap < 1000)
    #expect(Double(result.restarts * result.iterationCap) * (1.5 * 625 + 1) <= 1e6)
    #expect(result.iterations <= result.iterationCap)
}
