import Foundation

extension Kernels {
    /// SplitMix64: a small, fast, seedable generator, so training is reproducible from a seed on
    /// every platform (unlike `SystemRandomNumberGenerator`).
    public struct SplitMix64: RandomNumberGenerator, Sendable {
        public var state: UInt64

        public init(seed: UInt64) { state = seed }

        public mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        /// Uniform in `[0, 1)` with 53 random bits.
        public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }

        /// Uniform in `(0, 1)`: never 0, so its logarithm is finite.
        public mutating func nextOpenUnit() -> Double { (Double(next() >> 11) + 0.5) * 0x1p-53 }

        /// Standard normal (Box–Muller on two open-interval uniforms).
        public mutating func nextGaussian() -> Double {
            let u = nextOpenUnit(), v = nextOpenUnit()
            return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
        }

        /// `+1` or `-1` with equal probability.
        public mutating func nextSign() -> Float { next() & 1 == 0 ? 1 : -1 }
    }
}
