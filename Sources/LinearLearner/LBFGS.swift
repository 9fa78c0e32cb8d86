/// A deterministic limited-memory BFGS minimiser for smooth functions of a `[Double]` vector, with a
/// backtracking (Armijo) line search. Used to polish the SGD models on small training sets.
enum LBFGS {
    struct Result {
        var x: [Double]
        var value: Double
        var iterations: Int
        /// Largest absolute gradient component at `x`.
        var gradientMax: Double
        var converged: Bool
    }

    /// Minimises `objective` (which returns f(x) and writes ∇f(x) into its second argument) from `start`.
    /// Stops when the largest gradient component is at most `gradientTolerance`, when an iteration lowers f by
    /// less than `relativeTolerance`·max(|f|, 1), or after `maxIterations`.
    static func minimize(
        start: [Double], memory: Int = 10, maxIterations: Int = 500, gradientTolerance: Double = 1e-6,
        relativeTolerance: Double = 1e-13, objective: ([Double], inout [Double]) -> Double
    ) -> Result {
        let p = start.count
        var x = start
        var g = [Double](repeating: 0, count: p)
        var f = objective(x, &g)
        var s: [[Double]] = [], y: [[Double]] = [], rho: [Double] = []
        var direction = [Double](repeating: 0, count: p)
        var trial = [Double](repeating: 0, count: p), trialGradient = [Double](repeating: 0, count: p)
        var alpha = [Double](repeating: 0, count: memory)
        func maxAbs(_ v: [Double]) -> Double { v.reduce(0) { max($0, abs($1)) } }
        var iteration = 0
        while iteration < maxIterations {
            let gm = maxAbs(g)
            if gm <= gradientTolerance {
                return Result(x: x, value: f, iterations: iteration, gradientMax: gm, converged: true)
            }
            iteration += 1
            // Two-loop recursion: direction = −H·g.
            for i in 0 ..< p { direction[i] = -g[i] }
            for h in stride(from: s.count - 1, through: 0, by: -1) {
                var a = 0.0
                for i in 0 ..< p { a += s[h][i] * direction[i] }
                a *= rho[h]
                alpha[h] = a
                for i in 0 ..< p { direction[i] -= a * y[h][i] }
            }
            if let lastS = s.last, let lastY = y.last {
                var sy = 0.0, yy = 0.0
                for i in 0 ..< p {
                    sy += lastS[i] * lastY[i]
                    yy += lastY[i] * lastY[i]
                }
                let gamma = sy / yy
                for i in 0 ..< p { direction[i] *= gamma }
            } else {
                // First step: unit length.
                let norm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
                for i in 0 ..< p { direction[i] /= max(norm, 1e-300) }
            }
            for h in 0 ..< s.count {
                var b = 0.0
                for i in 0 ..< p { b += y[h][i] * direction[i] }
                b *= rho[h]
                for i in 0 ..< p { direction[i] += s[h][i] * (alpha[h] - b) }
            }
            var slope = 0.0
            for i in 0 ..< p { slope += g[i] * direction[i] }
            if !(slope < 0) {
                // Not a descent direction (numerical trouble): restart from steepest descent.
                s.removeAll()
                y.removeAll()
                rho.removeAll()
                let norm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
                for i in 0 ..< p { direction[i] = -g[i] / max(norm, 1e-300) }
                slope = -norm
            }
            // Backtracking line search (Armijo, c₁ = 1e-4).
            var step = 1.0, trialValue = Double.infinity, accepted = false
            for _ in 0 ..< 50 {
                for i in 0 ..< p { trial[i] = x[i] + step * direction[i] }
                trialValue = objective(trial, &trialGradient)
                if trialValue.isFinite && trialValue <= f + 1e-4 * step * slope {
                    accepted = true
                    break
                }
                step *= 0.5
            }
            guard accepted else { break }
            var newS = [Double](repeating: 0, count: p), newY = [Double](repeating: 0, count: p)
            var sy = 0.0
            for i in 0 ..< p {
                newS[i] = trial[i] - x[i]
                newY[i] = trialGradient[i] - g[i]
                sy += newS[i] * newY[i]
            }
            let decrease = f - trialValue
            swap(&x, &trial)
            swap(&g, &trialGradient)
            f = trialValue
            if sy > 1e-300 {
                if s.count == memory {
                    s.removeFirst()
                    y.removeFirst()
                    rho.removeFirst()
                }
                s.append(newS)
                y.append(newY)
                rho.append(1 / sy)
            }
            if decrease <= relativeTolerance * max(abs(f), 1) { break }
        }
        let gm = maxAbs(g)
        return Result(x: x, value: f, iterations: iteration, gradientMax: gm, converged: gm <= gradientTolerance)
    }
}
