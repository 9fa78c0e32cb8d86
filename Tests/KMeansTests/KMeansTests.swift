import Linalg
import Testing

@testable import KMeans

/// `perCluster` rows around each of `centers` with uniform noise in ±`noise`, interleaved so every
/// mini-batch sees every cluster.
private func blobs(_ centers: [[Float]], perCluster: Int, noise: Float, seed: UInt64) -> Matrix {
    var rng = Kernels.SplitMix64(seed: seed)
    let d = centers[0].count
    var values = [Float]()
    for _ in 0 ..< perCluster {
        for c in centers {
            for t in 0 ..< d { values.append(c[t] + noise * Float(2 * rng.nextUnit() - 1)) }
        }
    }
    return Matrix(rows: perCluster * centers.count, columns: d, values: values)
}

private let truth: [[Float]] = [[0, 0, 0, 0, 0], [100, 0, 0, 0, 0], [0, 100, 0, 0, 50], [-50, -50, 100, 0, 0]]

private func closestDistance(_ model: KMeansModel, to c: [Float]) -> Float {
    (0 ..< model.centroids.rows).map { j in
        zip(model.centroids.row(j), c).reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
    }.min()!
}

@Test(arguments: [true, false])
func findsWellSeparatedBlobs(refine: Bool) throws {
    let data = blobs(truth, perCluster: 300, noise: 1, seed: 1)
    var lines = [String]()
    let config = KMeansConfiguration(k: 4, featureDim: 5, miniBatchSize: 200, refineOnFullData: refine, seed: 7)
    let model = try KMeansTrainer.train(data, configuration: config) { lines.append($0) }
    #expect(model.centroids.rows == 4 && model.centroids.columns == 5)
    for c in truth { #expect(closestDistance(model, to: c) < 0.3) }
    // Uniform noise in ±1 on 5 axes: E‖x − c‖² = 5/3.
    let score = model.score(data)
    #expect(abs(score.msd - 5.0 / 3) < 0.15)
    #expect(abs(score.ssd - score.msd * Double(data.rows)) < 1e-6 * score.ssd)
    #expect(lines.contains("shrinking 40 centers into 4"))
    #expect(lines.filter { $0.hasPrefix("local kmeans attempt #") }.count == 10)
    #expect(lines.contains { $0.hasPrefix("#quality_metric: host=algo-1, train msd <loss>=") })
    #expect(lines.contains("#progress_metric: host=algo-1, completed 100.0 % of epochs"))
    #expect(lines.contains { $0.hasPrefix("#throughput_metric: host=algo-1, train throughput=") && $0.hasSuffix(" records/second") })
    #expect(lines.contains { $0.hasPrefix("Lloyd refinement on all 1200 rows") } == refine)
}

@Test func assignReturnsEuclideanDistanceToClosestCentroid() {
    let model = KMeansModel(centroids: Matrix(rows: 2, columns: 2, values: [0, 0, 10, 0]))
    let rows = Matrix(rows: 3, columns: 2, values: [3, 4, 9, 0, 5, 0])
    let (clusters, distances) = model.assign(rows)
    #expect(clusters == [0, 1, 0])
    #expect(distances == [5, 1, 5])
    let score = model.score(rows)
    #expect(score.ssd == 51)
    #expect(score.msd == 17)
}

@Test func trainingIsDeterministicForASeedAndHonoursOptions() throws {
    let data = blobs(truth, perCluster: 100, noise: 2, seed: 3)
    let config = KMeansConfiguration(
        k: 4, featureDim: 5, miniBatchSize: 64, epochs: 3, initMethod: .kmeansPlusPlus, extraCenterFactor: 3,
        localLloydTrials: 2, localLloydInitMethod: .random, halfLifeTimeSize: 100, seed: 11)
    var lines = [String]()
    let a = try KMeansTrainer.train(data, configuration: config) { lines.append($0) }
    let b = try KMeansTrainer.train(data, configuration: config) { _ in }
    #expect(a == b)
    #expect(lines.contains("shrinking 12 centers into 4"))
    #expect(lines.filter { $0.hasPrefix("#progress_metric") }.count == 3)
    for c in truth { #expect(closestDistance(a, to: c) < 0.6) }
}

@Test func smallFirstBatchIsReportedAndCapsTheCenterCount() throws {
    let data = blobs(truth, perCluster: 5, noise: 1, seed: 4)
    var lines = [String]()
    _ = try KMeansTrainer.train(data, configuration: KMeansConfiguration(k: 4, featureDim: 5)) { lines.append($0) }
    #expect(lines.contains("Batch size 5000 is bigger than the first batch data. Effective batch size used to initialize is 20"))
    #expect(lines.contains("shrinking 20 centers into 4"))
}

@Test func invalidSettingsThrowActionableErrors() {
    let data = blobs(truth, perCluster: 1, noise: 0, seed: 5)
    #expect(throws: KMeansError("k=5 clusters need at least 5 training rows, got 4; lower k or add data")) {
        try KMeansTrainer.train(data, configuration: KMeansConfiguration(k: 5, featureDim: 5)) { _ in }
    }
    #expect(throws: KMeansError.self) {
        try KMeansTrainer.train(data, configuration: KMeansConfiguration(k: 2, featureDim: 6)) { _ in }
    }
    #expect(throws: KMeansError("local_lloyd_tol must be a number in [0, 1], got 2.0")) {
        try KMeansTrainer.train(data, configuration: KMeansConfiguration(k: 2, featureDim: 5, localLloydTolerance: 2)) { _ in }
    }
    #expect(throws: KMeansError("mini_batch_size must be a positive integer, got 0")) {
        try KMeansConfiguration(k: 2, featureDim: 5, miniBatchSize: 0).validate()
    }
}
