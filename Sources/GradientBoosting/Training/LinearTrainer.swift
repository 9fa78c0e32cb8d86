/// gblinear: coordinate descent on a linear model (XGBoost's shotgun/coord_descent updaters,
/// features in order, penalties scaled by the sum of instance weights).
enum LinearTrainer {
    static func train(params: Hyperparameters, objective obj: Objective, train: LabeledData, validation: LabeledData?,
                      logLine: (String) -> Void) -> Trainer.Result {
        let x = train.features
        let n = x.rows, F = x.cols
        let K = obj.outputGroups
        var booster = Booster(objective: obj, baseScore: params.baseScore ?? 0.5, numFeature: F)
        booster.kind = .gblinear
        var w = [Float](repeating: 0, count: (F + 1) * K)
        let base = booster.baseMargins()
        var margins = [Float](repeating: 0, count: n * K)
        for r in 0..<n { for k in 0..<K { margins[r * K + k] = base[k] } }
        let sumW = train.weights.map { $0.reduce(0.0) { $0 + Double($1) } } ?? Double(n)
        let lambda = (params.lambdaGiven ? params.tree.lambda : 0) * sumW
        let alpha = params.tree.alpha * sumW
        let eta = params.tree.eta
        var gpair = [SIMD2<Float>](repeating: .zero, count: n * K)
        let metrics = Metric.evaluationList(params.evalMetrics, defaultMetric: obj.defaultMetric)
        var log: [String] = []
        var profile = TrainingProfile()
        var valMargins: [Float] = []
        if let v = validation { valMargins = [Float](repeating: 0, count: v.features.rows * K) }
        for round in 0..<params.numRound {
            var t = monotonicSeconds()
            margins.withUnsafeBufferPointer { mb in
                train.labels.withUnsafeBufferPointer { lb in
                    gpair.withUnsafeMutableBufferPointer { gb in
                        if let ws = train.weights {
                            ws.withUnsafeBufferPointer { wb in
                                obj.gradients(margins: mb.baseAddress!, labels: lb.baseAddress!, weights: wb.baseAddress!, rows: n, out: gb.baseAddress!, threads: params.nthread,
                                              groups: train.groups, weightCount: wb.count, iteration: round)
                            }
                        } else {
                            obj.gradients(margins: mb.baseAddress!, labels: lb.baseAddress!, weights: nil, rows: n, out: gb.baseAddress!, threads: params.nthread,
                                          groups: train.groups, iteration: round)
                        }
                    }
                }
            }
            profile.gradients += monotonicSeconds() - t
            t = monotonicSeconds()
            for k in 0..<K {
                let off = k * n
                // bias
                var sg = 0.0, sh = 0.0
                for i in 0..<n { let g = gpair[off + i]; if g.y >= 0 { sg += Double(g.x); sh += Double(g.y) } }
                let db = sh > 0 ? Float(-sg / sh * eta) : 0
                w[F * K + k] += db
                for i in 0..<n { gpair[off + i].x += gpair[off + i].y * db; margins[i * K + k] += db }
                for f in 0..<F {
                    var g = 0.0, h = 0.0
                    for i in 0..<n {
                        let v = x.values[i * F + f]
                        if v.isNaN { continue }
                        let p = gpair[off + i]
                        if p.y < 0 { continue }
                        g += Double(p.x * v); h += Double(p.y * v * v)
                    }
                    let wf = Double(w[f * K + k])
                    var delta = 0.0
                    if h >= 1e-5 {
                        let tmp = wf - (g + lambda * wf) / (h + lambda)
                        if tmp >= 0 {
                            delta = max(-(g + lambda * wf + alpha) / (h + lambda), -wf)
                        } else {
                            delta = min(-(g + lambda * wf - alpha) / (h + lambda), -wf)
                        }
                    }
                    let dw = Float(delta * eta)
                    if dw == 0 { continue }
                    w[f * K + k] += dw
                    for i in 0..<n {
                        let v = x.values[i * F + f]
                        if v.isNaN { continue }
                        gpair[off + i].x += gpair[off + i].y * v * dw
                        margins[i * K + k] += v * dw
                    }
                }
            }
            profile.histograms += monotonicSeconds() - t
            booster.linearWeights = w
            var line = "[\(round)]"
            var sets: [(String, [Float], [Float], [Float]?, [Int]?)] = [("train", margins, train.labels, train.weights, train.groups)]
            if let v = validation {
                let vm = booster.predictMargins(v.features, threads: params.nthread)
                valMargins = vm
                sets.append(("validation", valMargins, v.labels, v.weights, v.groups))
            }
            for (name, m, y, wt, g) in sets {
                let preds = Trainer.evalPredictions(obj, margins: m, rows: y.count)
                for metric in metrics {
                    let value = metric.readsMargins
                        ? metric.evaluate(preds: m, width: K, labels: y, weights: nil)
                        : metric.evaluate(preds: preds.values, width: preds.width, labels: y, weights: wt, groups: g)
                    line += "\t\(name)-\(metric.name):\(format5(value))"
                }
            }
            logLine(line)
            log.append(line)
        }
        booster.linearWeights = w
        return Trainer.Result(booster: booster, log: log, bestIteration: nil, profile: profile, binningSeconds: 0)
    }
}
