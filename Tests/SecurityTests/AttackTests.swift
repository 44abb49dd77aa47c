import Foundation
import NeuralNetworks
import Testing

@testable import Security

/// FGSM and PGD against closed forms and hand computation, the valid range, and the refusals.
@Suite struct AttackTests {
    /// A logistic regression: one Dense(3 → 1) logit, seeded; its weights read back for the closed forms.
    func logisticRegression() throws -> (model: Sequential, w: [Float], b: Float) {
        let model = try Sequential([Dense(3, 1)], seed: 11)
        let w = model.namedParameters.first { $0.name == "0.weight" }!.parameter.value.scalars
        let b = model.namedParameters.first { $0.name == "0.bias" }!.parameter.value.scalars[0]
        return (model, w, b)
    }

    func sigmoid(_ z: Float) -> Float { 1 / (1 + exp(-z)) }

    @Test("FGSM on a logistic regression is the closed form x + ε·sign((σ(w·x + b) − y)·w), L∞ and L2")
    func fgsmClosedForm() throws {
        let (model, w, b) = try logisticRegression()
        let target = try AttackModel(model: model, inputShape: [3])
        #expect(target.classCount == 2)
        let rows: [[Float]] = [[0.2, 0.5, 0.7], [0.9, 0.1, 0.4], [0.5, 0.5, 0.5], [0.3, 0.8, 0.05]]
        let labels = [1, 0, 1, 0]
        let epsilon: Float = 0.05
        let linf = try Attack(.fgsm(epsilon: Double(epsilon)), validRange: nil)
            .run(on: target, inputs: rows.flatMap { $0 }, labels: labels)
        let l2 = try Attack(.fgsm(epsilon: Double(epsilon), norm: .l2), validRange: nil)
            .run(on: target, inputs: rows.flatMap { $0 }, labels: labels)
        let wNorm = w.map { $0 * $0 }.reduce(0, +).squareRoot()
        for (i, x) in rows.enumerated() {
            let z = zip(w, x).map(*).reduce(b, +)
            let s: Float = sigmoid(z) - Float(labels[i]) > 0 ? 1 : -1
            for j in 0..<3 {
                let expectedLInf = x[j] + epsilon * s * (w[j] > 0 ? 1 : -1)
                #expect(abs(linf.adversarial[i * 3 + j] - expectedLInf) < 1e-6)
                let expectedL2 = x[j] + epsilon * s * w[j] / wNorm
                #expect(abs(l2.adversarial[i * 3 + j] - expectedL2) < 1e-5)
            }
            // The attack raised each row's loss.
            let zAdv = zip(w, linf.adversarialRow(i)).map(*).reduce(b, +)
            #expect(labels[i] == 1 ? zAdv < z : zAdv > z)
        }
        #expect(abs(linf.meanPerturbation - Double(epsilon)) < 1e-6)
        #expect(abs(l2.meanPerturbation - Double(epsilon)) < 1e-5)
    }

    @Test("FGSM on a two-class softmax regression follows sign((p₁ − y₁)·(W₁ − W₀)); targeted FGSM goes the other way")
    func fgsmSoftmaxClosedForm() throws {
        let model = try Sequential([Dense(3, 2)], seed: 5)
        let weight = model.namedParameters.first { $0.name == "0.weight" }!.parameter.value.scalars
        let bias = model.namedParameters.first { $0.name == "0.bias" }!.parameter.value.scalars
        let target = try AttackModel(model: model, inputShape: [3])
        let x: [Float] = [0.4, 0.6, 0.3]
        let logits = (0..<2).map { c in (0..<3).map { weight[c * 3 + $0] * x[$0] }.reduce(bias[c], +) }
        let p1 = 1 / (1 + exp(logits[0] - logits[1]))
        let untargeted = try Attack(.fgsm(epsilon: 0.1)).run(on: target, inputs: x, labels: [0])
        let targeted = try Attack(.fgsm(epsilon: 0.1), goal: .targeted(class: 0)).run(
            on: target, inputs: x, labels: [1])
        for j in 0..<3 {
            let direction = p1 * (weight[3 + j] - weight[j])  // (p₁ − 0)·(W₁ − W₀) for label 0
            let expected = min(max(x[j] + 0.1 * (direction > 0 ? 1 : -1), 0), 1)
            #expect(abs(untargeted.adversarial[j] - expected) < 1e-6)
            // Towards class 0 = down the loss of class 0 = the opposite step.
            let expectedTargeted = min(max(x[j] - 0.1 * (direction > 0 ? 1 : -1), 0), 1)
            #expect(abs(targeted.adversarial[j] - expectedTargeted) < 1e-6)
        }
    }

    @Test("PGD L∞ by hand: steps of α along a constant sign, clipped to 0…1, projected onto ±ε")
    func pgdLInfinityByHand() throws {
        let (model, w, b) = try logisticRegression()
        let target = try AttackModel(model: model, inputShape: [3])
        // Label 0 and a logistic model: the loss gradient is σ(z)·w, so every step moves by +α·sign(w).
        let x: [Float] = [0.5, 0.96, 0.03]
        let result = try Attack(.pgd(epsilon: 0.1, stepSize: 0.04, steps: 3)).run(on: target, inputs: x, labels: [0])
        _ = b
        for j in 0..<3 {
            let s: Float = w[j] > 0 ? 1 : -1
            // Three steps of 0.04 would be 0.12; the ε-ball stops at 0.1, and the range at 0 and 1.
            var value = x[j]
            for _ in 0..<3 {
                value = min(max(value + 0.04 * s, 0), 1)
                value = x[j] + min(max(value - x[j], -0.1), 0.1)
            }
            #expect(abs(result.adversarial[j] - value) < 1e-6, "feature \(j)")
        }
        // Written out for the signs the seed gives, so the test states the numbers.
        let expected: [Float] = w.enumerated().map { j, weight in
            switch (j, weight > 0) {
            case (0, true): return 0.6
            case (0, false): return 0.4
            case (1, true): return 1.0
            case (1, false): return 0.86
            case (_, true): return 0.13
            default: return 0.0
            }
        }
        for j in 0..<3 { #expect(abs(result.adversarial[j] - expected[j]) < 1e-6) }
    }

    @Test("PGD L2 by hand: steps along w/‖w‖, then scaled back onto the ε-sphere")
    func pgdL2ByHand() throws {
        let (model, w, _) = try logisticRegression()
        let target = try AttackModel(model: model, inputShape: [3])
        let x: [Float] = [0.5, 0.5, 0.5]
        let result = try Attack(.pgd(epsilon: 0.1, stepSize: 0.04, steps: 3, norm: .l2))
            .run(on: target, inputs: x, labels: [0])
        let norm = w.map { $0 * $0 }.reduce(0, +).squareRoot()
        // Steps reach 0.04, 0.08, then 0.12 > ε, scaled back to 0.1 along the same direction.
        for j in 0..<3 { #expect(abs(result.adversarial[j] - (x[j] + 0.1 * w[j] / norm)) < 1e-5) }
        #expect(abs(result.perturbationL2[0] - 0.1) < 1e-5)
        let two = try Attack(.pgd(epsilon: 0.1, stepSize: 0.04, steps: 2, norm: .l2))
            .run(on: target, inputs: x, labels: [0])
        #expect(abs(two.perturbationL2[0] - 0.08) < 1e-5)
    }

    @Test("the loss gradient of an MLP matches finite differences (the direction every attack follows)")
    func lossGradientFiniteDifferences() throws {
        let model = try Sequential([Dense(4, 6, activation: .tanh), Dense(6, 3)], seed: 2)
        let target = try AttackModel(model: model, inputShape: [4])
        let x: [Float] = [0.3, -0.2, 0.8, 0.1, 0.5, 0.5, -0.4, 0.9]
        let classes = [2, 0]
        let (_, gradient) = try target.lossGradient(x, classes: classes, operation: "test")
        func loss(_ rows: [Float]) throws -> Double {
            let scores = try target.scores(rows, count: 2)
            return (0..<2).map { r -> Double in
                let row = (0..<3).map { Double(scores[r * 3 + $0]) }
                let m = row.max()!
                let lse = m + log(row.map { exp($0 - m) }.reduce(0, +))
                return lse - row[classes[r]]
            }.reduce(0, +)
        }
        for i in x.indices {
            var plus = x
            var minus = x
            plus[i] += 1e-2
            minus[i] -= 1e-2
            let numeric = (try loss(plus) - loss(minus)) / 2e-2
            #expect(abs(Double(gradient[i]) - numeric) < 2e-3, "value \(i)")
        }
    }

    @Test("no attack leaves the valid range or the ε-ball, whatever the method, norm, goal or start")
    func validRangeAndBall() throws {
        let model = try Sequential([Dense(6, 8, activation: .relu), Dense(8, 4)], seed: 3)
        let target = try AttackModel(model: model, inputShape: [6])
        var random = SystemRandomNumberGenerator()
        let inputs = (0..<(40 * 6)).map { _ -> Float in
            // Many values on the bounds, where a step would leave the range.
            [0, 1, Float.random(in: 0...1, using: &random)][Int.random(in: 0..<3, using: &random)]
        }
        let methods: [AttackMethod] = [
            .fgsm(epsilon: 0.3), .fgsm(epsilon: 0.8, norm: .l2),
            .pgd(epsilon: 0.3, stepSize: 0.1, steps: 7), .pgd(epsilon: 0.3, stepSize: 0.1, steps: 7, randomStart: true),
            .pgd(epsilon: 0.8, stepSize: 0.3, steps: 7, norm: .l2, randomStart: true, seed: 4),
        ]
        for method in methods {
            for goal in [AttackGoal.untargeted, .targeted(class: 2)] {
                let result = try Attack(method, goal: goal, validRange: 0...1, batchSize: 16)
                    .run(on: target, inputs: inputs, labels: nil)
                #expect(result.adversarial.allSatisfy { (0...1).contains($0) }, "\(method)")
                let norms = method.norm == .lInfinity ? result.perturbationLInfinity : result.perturbationL2
                #expect(norms.allSatisfy { $0 <= method.epsilon + 1e-5 }, "\(method)")
                #expect(result.cleanAccuracy == 1)  // no labels: the clean predictions are the labels
            }
        }
        // A declared range other than 0…1.
        let shifted = inputs.map { $0 * 2 - 1 }
        let result = try Attack(.pgd(epsilon: 0.5, stepSize: 0.2, steps: 5), validRange: -1...1)
            .run(on: target, inputs: shifted, labels: nil)
        #expect(result.adversarial.allSatisfy { (-1...1).contains($0) })
    }

    @Test("a random start is reproducible from its seed and differs between seeds")
    func randomStartSeeded() throws {
        let model = try Sequential([Dense(5, 3)], seed: 1)
        let target = try AttackModel(model: model, inputShape: [5])
        let x: [Float] = [0.5, 0.5, 0.5, 0.5, 0.5]
        func run(_ seed: UInt64) throws -> [Float] {
            try Attack(.pgd(epsilon: 0.2, stepSize: 0.01, steps: 1, randomStart: true, seed: seed))
                .run(on: target, inputs: x, labels: [0]).adversarial
        }
        #expect(try run(7) == run(7))
        #expect(try run(7) != run(8))
    }

    @Test("attacks on a trained digits MLP: accuracy falls as ε grows, PGD is at least as strong as FGSM, targets hit")
    func digits() throws {
        let (model, test) = try DigitsFixture.trained()
        let target = try AttackModel(model: model, inputShape: [64])
        let (x, y) = (Array(test.inputs.prefix(200 * 64)), Array(test.labels.prefix(200)))
        var previous = 1.0
        for epsilon in [0.0, 0.05, 0.1, 0.2] {
            let fgsm = try Attack(.fgsm(epsilon: epsilon)).run(on: target, inputs: x, labels: y)
            let pgd = try Attack(.pgd(epsilon: epsilon, stepSize: max(epsilon / 4, 1e-3), steps: 10))
                .run(on: target, inputs: x, labels: y)
            #expect(fgsm.cleanAccuracy > 0.9)
            #expect(fgsm.adversarialAccuracy <= previous + 1e-9)
            #expect(pgd.adversarialAccuracy <= fgsm.adversarialAccuracy + 0.02)
            if epsilon == 0 { #expect(fgsm.adversarialAccuracy == fgsm.cleanAccuracy) }
            if epsilon == 0.2 { #expect(pgd.adversarialAccuracy < 0.2 && pgd.successRate > 0.8) }
            previous = fgsm.adversarialAccuracy
        }
        let targeted = try Attack(.pgd(epsilon: 0.3, stepSize: 0.05, steps: 20), goal: .targeted(class: 3))
            .run(on: target, inputs: x, labels: y)
        #expect(targeted.successRate > 0.8)
        let hit = (0..<200).filter { y[$0] != 3 && targeted.adversarialPredictions[$0] == 3 }.count
        #expect(abs(targeted.successRate - Double(hit) / Double(y.filter { $0 != 3 }.count)) < 1e-12)
    }

    @Test("bad input is refused with the argument named: ε < 0, steps, step size, out-of-range or NaN rows, labels")
    func refusals() throws {
        let model = try Sequential([Dense(3, 2)], seed: 1)
        let target = try AttackModel(model: model, inputShape: [3])
        let x: [Float] = [0.1, 0.2, 0.3]
        func refusal(_ attack: Attack, inputs: [Float]? = nil, labels: [Int]? = [0]) -> SecurityError? {
            do {
                _ = try attack.run(on: target, inputs: inputs ?? x, labels: labels)
                return nil
            } catch {
                return error as? SecurityError
            }
        }
        let negative = refusal(Attack(.fgsm(epsilon: -0.1)))
        #expect(negative?.argument == "epsilon")
        #expect(negative?.description == "fgsm: epsilon must be a finite number ≥ 0, got -0.1")
        #expect(refusal(Attack(.pgd(epsilon: -1, stepSize: 0.1, steps: 3)))?.argument == "epsilon")
        #expect(refusal(Attack(.pgd(epsilon: 0.1, stepSize: 0, steps: 3)))?.argument == "stepSize")
        #expect(refusal(Attack(.pgd(epsilon: 0.1, stepSize: 0.1, steps: 0)))?.argument == "steps")
        let outside = refusal(Attack(.fgsm(epsilon: 0.1)), inputs: [0.1, 1.5, 0.3])
        #expect(outside?.argument == "inputs")
        #expect(outside?.reason.contains("row 0 has 1.5 at feature 1, outside the valid range 0...1") == true)
        #expect(refusal(Attack(.fgsm(epsilon: 0.1)), inputs: [0.1, .nan, 0.3])?.reason.contains("NaN") == true)
        #expect(refusal(Attack(.fgsm(epsilon: 0.1)), inputs: [0.1, 0.2])?.argument == "inputs")
        #expect(refusal(Attack(.fgsm(epsilon: 0.1)), labels: [0, 1])?.argument == "labels")
        #expect(refusal(Attack(.fgsm(epsilon: 0.1)), labels: [2])?.argument == "labels")
        #expect(refusal(Attack(.fgsm(epsilon: 0.1), goal: .targeted(class: 5)))?.argument == "target")
        // Out-of-range rows are fine when no range is declared.
        #expect(refusal(Attack(.fgsm(epsilon: 0.1), validRange: nil), inputs: [0.1, 1.5, 0.3]) == nil)

        let opaque = AttackModel(featureCount: 3, classCount: 2) { rows in rows.map { [$0[0], $0[1]] } }
        #expect(!opaque.isDifferentiable)
        #expect(throws: SecurityError.self) { try Attack(.fgsm(epsilon: 0.1)).run(on: opaque, inputs: x, labels: [0]) }
        var caught: SecurityError?
        do {
            _ = try Attack(.pgd(epsilon: 0.1, stepSize: 0.1, steps: 2)).run(on: opaque, inputs: x, labels: [0])
        } catch {
            caught = error as? SecurityError
        }
        #expect(caught?.kind == .notDifferentiable && caught?.argument == "model")
        #expect(caught?.description.hasPrefix("pgd: needs the model's input gradients") == true)
    }
}
