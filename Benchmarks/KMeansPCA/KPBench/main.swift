// Benchmark/quality driver for Kiln's K-Means and PCA on a raw float32 row-major file
// (see ../export_mnist.py). Usage: KPBench kmeans|pca|pca-randomized <file> <rows> <cols> [k|components]
import Foundation
import KMeans
import Linalg
import PCA

let args = CommandLine.arguments
let mode = args[1], path = args[2]
let rows = Int(args[3])!, cols = Int(args[4])!
let param = args.count > 5 ? Int(args[5])! : (mode == "kmeans" ? 10 : 50)
let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
precondition(bytes.count == rows * cols * 4, "file has \(bytes.count) bytes, expected \(rows * cols * 4)")
var values = [Float](repeating: 0, count: rows * cols)
values.withUnsafeMutableBytes { _ = bytes.copyBytes(to: $0) }
let data = Matrix(rows: rows, columns: cols, values: values)
let verbose = ProcessInfo.processInfo.environment["KP_VERBOSE"] != nil

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }
func cpu() -> Double { Double(clock()) / Double(CLOCKS_PER_SEC) }

func timed(_ label: String, _ body: () -> Void) {
    let t = now(), c = cpu()
    body()
    print(String(format: "  %@: wall %.3f s cpu %.3f s", label, now() - t, cpu() - c))
}

let t0 = now(), c0 = cpu()
if mode == "kernels" {
    let n = rows, d = cols
    var gram = [Double](repeating: 0, count: d * d)
    timed("gram XᵀX") {
        data.values.withUnsafeBufferPointer { px in gram.withUnsafeMutableBufferPointer {
            Kernels.accumulateGram(px.baseAddress!, rows: n, columns: d, into: $0.baseAddress!) } }
    }
    let active = (0 ..< d).filter { gram[$0 * d + $0] > 0 }
    var compact = [Double](repeating: 0, count: active.count * active.count)
    for (p, i) in active.enumerated() { for (q, j) in active.enumerated() where q >= p { compact[p * active.count + q] = gram[i * d + j] } }
    timed("eigen top 50 of \(active.count)²") { _ = Kernels.symmetricEigen(compact, n: active.count, largest: 50) }
    timed("eigen top 1 of \(active.count)²") { _ = Kernels.symmetricEigen(compact, n: active.count, largest: 1) }
    for k in [10, 100] {
        let centers = Matrix(rows: k, columns: d, values: Array(data.values[0 ..< k * d]))
        timed("nearestCenters k=\(k)") { _ = Kernels.nearestCenters(data, centers: centers) }
    }
    let b = Matrix(rows: d, columns: 100, values: Array(data.values[0 ..< d * 100]))
    timed("sgemm 70000×784·784×100") { _ = Kernels.multiply(data, b) }
    exit(0)
}
if mode == "kmeans" {
    var config = KMeansConfiguration(k: param, featureDim: cols, seed: 0)
    config.refineOnFullData = ProcessInfo.processInfo.environment["KP_NO_REFINE"] == nil
    if let m = ProcessInfo.processInfo.environment["KP_INIT"], m == "kmeans++" { config.initMethod = .kmeansPlusPlus }
    let model = try KMeansTrainer.train(data, configuration: config) { if verbose { print($0) } }
    let wall = now() - t0, cpuTime = cpu() - c0
    let score = model.score(data)
    print(String(format: "kiln kmeans: wall %.3f s cpu %.3f s inertia %.6e msd %.6e", wall, cpuTime, score.ssd, score.msd))
} else {
    let config = PCAConfiguration(numComponents: param, mode: mode == "pca" ? .regular : .randomized, seed: 0)
    let model = try PCATrainer.train(data, configuration: config) { if verbose { print($0) } }
    let wall = now() - t0, cpuTime = cpu() - c0
    // Explained variance ratio = Σ s² / total sum of squares about the mean.
    var total = 0.0
    for j in 0 ..< cols {
        var s = 0.0, ss = 0.0
        for i in 0 ..< rows { let v = Double(data.values[i * cols + j]); s += v; ss += v * v }
        total += ss - s * s / Double(rows)
    }
    let explained = model.singularValues.reduce(0.0) { $0 + Double($1) * Double($1) }
    print(String(format: "kiln pca %@: wall %.3f s cpu %.3f s evr%d %.7f s_top %.6e s_%d %.6e", mode, wall, cpuTime, param,
                 explained / total, model.singularValues.last!, param, model.singularValues.first!))
}
