import Foundation

/// Small deterministic generator (SplitMix64) for initialisation and batch order.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func nextUnit() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// Standard normal (Box–Muller).
    mutating func nextNormal() -> Float {
        let u1 = max(nextUnit(), 0x1p-24), u2 = nextUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Float.pi * u2)
    }
}
