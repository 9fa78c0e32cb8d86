#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Monotonic seconds.
public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Where training time goes, in seconds (filled when profiling is on; cheap either way).
public struct TrainingProfile: Sendable {
    public var gradients = 0.0
    public var histograms = 0.0
    /// Sibling subtraction (parent − built child).
    public var subtraction = 0.0
    public var splitFinding = 0.0
    public var partition = 0.0
    public var predictionUpdate = 0.0
    public var evaluation = 0.0
    public init() {}
    public var summary: String {
        func f(_ x: Double) -> String { String(Int((x * 1000).rounded())) + " ms" }
        return "gradients \(f(gradients)), histogram build \(f(histograms)), sibling subtraction \(f(subtraction)), split finding \(f(splitFinding)), "
            + "partition \(f(partition)), prediction update \(f(predictionUpdate)), evaluation \(f(evaluation))"
    }
}
