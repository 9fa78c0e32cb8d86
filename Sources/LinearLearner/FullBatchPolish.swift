import Dispatch
import Foundation
import Linalg

/// Kiln addition (not in SageMaker): after the SGD epochs, on training sets small enough
/// (`rows × features × outputs ≤ budget`), each distinct regularised objective among the parallel models is
/// solved to convergence with full-batch L-BFGS, starting from the SGD weights of the model of that objective
/// with the lowest training objective, in the standardised space. Mini-batch Adam on ~1k rows stops short of
/// the regularised optimum in 15 epochs; the polish reaches it deterministically. Only smooth losses (logistic,
/// softmax, squared) without L1 are polished; the other models of a polished objective are then excluded from
/// model selection (they approximate the same optimum less exactly). Disable with
/// `LinearLearnerConfiguration.fullBatchPolish = false`.
extension TrainingState {
    /// Largest `rows × features × outputs` polished (one gradient costs about 4× this in flops).
    static let polishBudget = 2_000_000
    static let polishMaxIterations = 300

    /// Polishes the eligible models in place. Returns the models selection may choose from (all when nothing
    /// was polished).
    func polish(train: LabeledData, log: (String) -> Void) -> [Bool] {
        let all = [Bool](repeating: true, count: modelCount)
        guard c.fullBatchPolish ?? true else { return all }
        let kind: PolishObjective.Kind
        switch c.resolvedLoss {
        case .logistic: kind = .logistic
        case .softmaxLoss: kind = .softmax
        case .squaredLoss: kind = .squared
        default:
            log("Full-batch polish skipped: loss \(c.resolvedLoss.rawValue) is not smooth")
            return all
        }
        let n = train.rowCount
        let size = n * d * k
        guard size <= Self.polishBudget else {
            log("Full-batch polish skipped: rows × features × outputs = \(size) > \(Self.polishBudget)")
            return all
        }
        guard (c.l1 ?? 0) == 0 else {
            log("Full-batch polish skipped: l1 > 0 is not smooth")
            return all
        }
        let start = DispatchTime.now().uptimeNanoseconds
        // Standardised copy of the training features.
        var xs = [Float](repeating: 0, count: n * d)
        train.features.values.withUnsafeBufferPointer { x in
            for i in 0 ..< n {
                for j in 0 ..< d { xs[i * d + j] = (x[i * d + j] - mean[j]) * inverseScale[j] }
            }
        }
        // Group the models by objective (wd, positive weight), in first-appearance order.
        var groups: [[Int]] = []
        for m in 0 ..< modelCount {
            if let g = groups.firstIndex(where: {
                settings[$0[0]].wd == settings[m].wd && settings[$0[0]].positiveWeight == settings[m].positiveWeight
            }) {
                groups[g].append(m)
            } else {
                groups.append([m])
            }
        }
        var eligible = [Bool](repeating: false, count: modelCount)
        xs.withUnsafeBufferPointer { xp in
            labels.withUnsafeBufferPointer { yp in
                for group in groups {
                    let s = settings[group[0]]
                    let objective = PolishObjective(
                        kind: kind, x: xp, labels: yp, rows: n, features: d, outputs: k,
                        positiveWeight: Double(s.positiveWeight), classWeights: classWeights.map(Double.init),
                        wd: Double(s.wd), biasWd: Double(c.biasWdMult ?? 0), useBias: c.useBias)
                    var gradient = [Double](repeating: 0, count: objective.parameterCount)
                    var best = group[0], bestValue = Double.infinity
                    for m in group {
                        let value = objective.evaluate(parameters(of: m), gradient: &gradient)
                        if value < bestValue { (best, bestValue) = (m, value) }
                    }
                    let result = LBFGS.minimize(
                        start: parameters(of: best), maxIterations: Self.polishMaxIterations,
                        gradientTolerance: 1e-6
                    ) { objective.evaluate($0, gradient: &$1) }
                    if result.value < bestValue {
                        setParameters(of: best, result.x)
                    }
                    eligible[best] = true
                    log(
                        "Full-batch L-BFGS polish of model #\(best) (wd=\(s.wd), positive_example_weight_mult="
                            + "\(s.positiveWeight)): training objective \(formatMetric(bestValue)) → "
                            + "\(formatMetric(min(result.value, bestValue))) in \(result.iterations) iterations, "
                            + "max |gradient| \(formatMetric(result.gradientMax))"
                            + (result.converged ? "" : " (not converged)"))
                }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        log("Full-batch polish of \(groups.count) objective(s) took \(formatMetric(seconds)) seconds")
        return eligible
    }

    /// Model `m`'s standardised-space parameters packed as `PolishObjective` expects.
    func parameters(of m: Int) -> [Double] {
        var theta = [Double](repeating: 0, count: (d + 1) * k)
        for j in 0 ..< d {
            for q in 0 ..< k { theta[j * k + q] = Double(weights[j * padded + m * k + q]) }
        }
        for q in 0 ..< k { theta[d * k + q] = Double(bias[m * k + q]) }
        return theta
    }

    func setParameters(of m: Int, _ theta: [Double]) {
        for j in 0 ..< d {
            for q in 0 ..< k { weights[j * padded + m * k + q] = Float(theta[j * k + q]) }
        }
        for q in 0 ..< k { bias[m * k + q] = Float(theta[d * k + q]) }
    }
}
