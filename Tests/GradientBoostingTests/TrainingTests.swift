import Foundation
import Testing
@testable import GradientBoosting

func makeBinary(rows: Int, seed: UInt64) -> LabeledData {
    var rng = SplitMix64(seed: seed)
    var v = [Float](), y = [Float]()
    for _ in 0..<rows {
        let a = rng.nextDouble() * 4 - 2, b = rng.nextDouble() * 4 - 2, c = rng.nextDouble()
        v += [Float(a), Float(b), rng.nextDouble() < 0.05 ? .nan : Float(c)]
        let p = 1 / (1 + exp(-(2 * a - b * b + 0.5)))
        y.append(rng.nextDouble() < p ? 1 : 0)
    }
    return LabeledData(features: DataMatrix(rows: rows, cols: 3, values: v), labels: y)
}

@Test func hyperparameterValidation() throws {
    #expect(throws: Hyperparameters.ValidationError.self) { try Hyperparameters.parse(["num_round": "10", "bogus": "1"]) }
    do { _ = try Hyperparameters.parse(["num_round": "10", "bogus": "1"]) } catch {
        #expect("\(error)" == "Extraneous hyperparameter found: bogus")
    }
    #expect(throws: Hyperparameters.ValidationError.self) { try Hyperparameters.parse(["eta": "0.1"]) }
    #expect(throws: Hyperparameters.ValidationError.self) { try Hyperparameters.parse(["num_round": "1", "eta": "2"]) }
    #expect(throws: Hyperparameters.ValidationError.self) { try Hyperparameters.parse(["num_round": "1", "objective": "multi:softmax"]) }
    let p = try Hyperparameters.parse(["num_round": "5", "learning_rate": "0.1", "reg_lambda": "2",
                                       "monotone_constraints": "(1,0,-1)", "interaction_constraints": "[[0,1],[2]]"])
    #expect(p.tree.eta == 0.1 && p.tree.lambda == 2)
    #expect(p.tree.monotoneConstraints == [1, 0, -1])
    #expect(p.tree.interactionConstraints == [[0, 1], [2]])
}

@Test func binaryTrainingLearnsAndLogsLikeSageMaker() throws {
    let train = makeBinary(rows: 4000, seed: 10)
    let valid = makeBinary(rows: 1000, seed: 11)
    let hp = try Hyperparameters.parse(["num_round": "20", "objective": "binary:logistic", "eval_metric": "auc,logloss"])
    let r = try Trainer.train(params: hp, train: train, validation: valid)
    #expect(r.log.count == 20)
    #expect(r.log[0].hasPrefix("[0]\ttrain-auc:"))
    #expect(r.log[0].contains("\tvalidation-logloss:"))
    let preds = r.booster.predict(valid.features).values
    let auc = Metric(name: "auc")!.evaluate(preds: preds, width: 1, labels: valid.labels, weights: nil)
    #expect(auc > 0.8)
    // JSON round trip predicts the same
    let again = try Booster.load(json: Data(r.booster.jsonModel().utf8))
    let p2 = again.predict(valid.features).values
    #expect(zip(preds, p2).allSatisfy { abs($0 - $1) < 1e-6 })
}

@Test func trainingPartitionMatchesFloatTraversal() throws {
    // leaf-segment margins during training must equal predicting the float data with the trees
    let train = makeBinary(rows: 3000, seed: 12)
    let hp = try Hyperparameters.parse(["num_round": "5", "objective": "reg:squarederror", "max_depth": "4"])
    let r = try Trainer.train(params: hp, train: train)
    let m = r.booster.predictMargins(train.features)
    let rmseLogged = Double(r.log.last!.split(separator: ":").last!)!
    let rmse = Metric(name: "rmse")!.evaluate(preds: m, width: 1, labels: train.labels, weights: nil)
    #expect(abs(rmse - rmseLogged) < 1e-4)
}

@Test func multiclassAndEarlyStopping() throws {
    var rng = SplitMix64(seed: 5)
    var v = [Float](), y = [Float]()
    for _ in 0..<3000 {
        let a = rng.nextDouble(), b = rng.nextDouble()
        v += [Float(a), Float(b)]
        y.append(a + 0.1 * rng.nextDouble() < 0.4 ? 0 : (b < 0.5 ? 1 : 2))
    }
    let d = LabeledData(features: DataMatrix(rows: 2000, cols: 2, values: Array(v[0..<4000])), labels: Array(y[0..<2000]))
    let valid = LabeledData(features: DataMatrix(rows: 1000, cols: 2, values: Array(v[4000...])), labels: Array(y[2000...]))
    let hp = try Hyperparameters.parse(["num_round": "200", "objective": "multi:softprob", "num_class": "3",
                                        "eval_metric": "mlogloss,merror", "early_stopping_rounds": "5", "eta": "0.5"])
    let r = try Trainer.train(params: hp, train: d, validation: valid)
    #expect(r.bestIteration != nil)
    #expect(r.booster.trees.count == (r.bestIteration! + 1) * 3)
    #expect(r.log.count < 200)
    let merr = Double(r.log.last!.split(separator: "\t")[4].split(separator: ":")[1])!
    #expect(merr < 0.1)
}

@Test func monotoneConstraintIsRespected() throws {
    var rng = SplitMix64(seed: 8)
    var v = [Float](), y = [Float]()
    for _ in 0..<2000 {
        let a = rng.nextDouble()
        v.append(Float(a))
        y.append(Float(sin(a * 9) + a + 0.2 * rng.nextDouble()))
    }
    let d = LabeledData(features: DataMatrix(rows: 2000, cols: 1, values: v), labels: y)
    let hp = try Hyperparameters.parse(["num_round": "30", "monotone_constraints": "(1)", "tree_method": "hist"])
    let r = try Trainer.train(params: hp, train: d)
    let grid = DataMatrix(rows: 101, cols: 1, values: (0...100).map { Float($0) / 100 })
    let p = r.booster.predict(grid).values
    #expect(zip(p, p.dropFirst()).allSatisfy { $0 <= $1 + 1e-6 })
}

@Test func lossguideRespectsMaxLeaves() throws {
    let train = makeBinary(rows: 3000, seed: 13)
    let hp = try Hyperparameters.parse(["num_round": "3", "objective": "binary:logistic", "grow_policy": "lossguide",
                                        "max_leaves": "5", "max_depth": "0"])
    let r = try Trainer.train(params: hp, train: train)
    for t in r.booster.trees { #expect((0..<t.nodeCount).filter { t.isLeaf($0) }.count <= 5) }
}

@Test func blockedPredictorMatchesTheReferenceExactly() throws {
    let train = makeBinary(rows: 3000, seed: 30)
    let hp = try Hyperparameters.parse(["num_round": "25", "objective": "binary:logistic", "max_depth": "5"])
    let booster = try Trainer.train(params: hp, train: train, validation: nil).booster
    for rows in [0, 1, 63, 65, 5000] {
        let x = makeBinary(rows: rows, seed: 31).features
        #expect(booster.predictMargins(x, threads: 2) == booster.predictMarginsReference(x, threads: 2), "\(rows) rows")
        #expect(booster.predictMargins(x, treeLimit: 7) == booster.predictMarginsReference(x, treeLimit: 7))
    }
    // Rows narrower than the model (features past the row are missing), below and above the blocked path's 64 rows.
    let narrow = DataMatrix(rows: 2, cols: 2, values: [0.5, -1, 1.5, 0.25])
    #expect(booster.predictMargins(narrow) == booster.predictMarginsReference(narrow))
    let wide = makeBinary(rows: 300, seed: 32).features
    let cut = DataMatrix(rows: 300, cols: 2, values: (0..<300).flatMap { r in [wide[r, 0], wide[r, 1]] })
    #expect(booster.predictMargins(cut) == booster.predictMarginsReference(cut))
    // Many missing values: the default directions on every path.
    var holes = makeBinary(rows: 777, seed: 33).features
    for i in stride(from: 0, to: holes.values.count, by: 2) { holes.values[i] = .nan }
    #expect(booster.predictMargins(holes, threads: 2) == booster.predictMarginsReference(holes, threads: 2))
}
