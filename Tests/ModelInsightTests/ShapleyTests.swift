import Foundation
import NeuralNetworks
import TensorCore
import Testing

@testable import ModelInsight

@Suite("Shapley values: exact, KernelSHAP, permutation")
struct ShapleyTests {
    @Test("exact values equal the brute-force definition on functions with interactions")
    func exactMatchesBruteForce() throws {
        let background = Fixtures.rows(7, 5, seed: 1)
        for (seed, classIndex) in [(UInt64(2), 0), (3, 1), (4, 0)] {
            let x = Fixtures.rows(1, 5, seed: seed, scale: 2)[0]
            let explanation = try Explainer.explain(
                Fixtures.interacting, x, method: .exactShapley(background: background), classIndex: classIndex)
            let f = { (row: [Double]) in try! Fixtures.interacting([row])[0][classIndex] }
            let expected = Fixtures.bruteForceShapley(f, x: x, background: background)
            #expect(Fixtures.maxDifference(explanation.attributions, expected) < 1e-12)
            guard case .efficiency(let gap) = explanation.check else {
                Issue.record("exact Shapley must report efficiency")
                return
            }
            #expect(abs(gap) < 1e-12)
            #expect(abs(explanation.prediction - f(x)) < 1e-12)
        }
    }

    @Test("exact values of a linear model are w · (x − E[x]) over the background")
    func linearClosedForm() throws {
        let w = [0.5, -2, 3, 0, 1.25, -0.75]
        let linear = ModelFunction(featureCount: 6, outputCount: 1) { rows in
            rows.map { [zip($0, w).map(*).reduce(0.3, +)] }
        }
        let background = Fixtures.rows(25, 6, seed: 5)
        let x = Fixtures.rows(1, 6, seed: 6, scale: 3)[0]
        let explanation = try Explainer.explain(linear, x, method: .exactShapley(background: background))
        let means = (0..<6).map { j in background.reduce(0) { $0 + $1[j] } / Double(background.count) }
        let expected = (0..<6).map { w[$0] * (x[$0] - means[$0]) }
        #expect(Fixtures.maxDifference(explanation.attributions, expected) < 1e-12)
        // KernelSHAP and permutation SHAP are exact for an additive model at any budget.
        let kernel = try Explainer.explain(linear, x, method: .kernelSHAP(background: background, samples: 20))
        #expect(Fixtures.maxDifference(kernel.attributions, expected) < 1e-9)
        let permutation = try Explainer.explain(linear, x, method: .permutationSHAP(background: background))
        #expect(Fixtures.maxDifference(permutation.attributions, expected) < 1e-12)
    }

    @Test("KernelSHAP converges to the exact values as the budget grows, and is exact with every coalition")
    func kernelConverges() throws {
        let model = try Fixtures.mlp()
        // 10 features: an MLP on [5] widened by a closure so that sampling matters (2^10 − 2 = 1022 coalitions).
        let inner = try ModelFunction(model: model, inputShape: [5])
        let wide = ModelFunction(featureCount: 10, outputCount: 3) { rows in
            try inner(rows.map { r in (0..<5).map { r[$0] * r[$0 + 5] + r[$0] } })
        }
        let background = Fixtures.rows(10, 10, seed: 7)
        let x = Fixtures.rows(1, 10, seed: 8, scale: 1.5)[0]
        let exact = try Explainer.explain(wide, x, method: .exactShapley(background: background), classIndex: 2)
        var errors: [Double] = []
        for budget in [40, 160, 640] {
            // Mean error over seeds, so one lucky draw does not decide.
            var total = 0.0
            for seed in UInt64(0)..<4 {
                let kernel = try Explainer.explain(
                    wide, x, method: .kernelSHAP(background: background, samples: budget, seed: seed), classIndex: 2)
                total += Fixtures.maxDifference(kernel.attributions, exact.attributions)
                guard case .efficiency(let gap) = kernel.check else {
                    Issue.record("KernelSHAP's check is \(kernel.check), not an efficiency gap")
                    return
                }
                #expect(abs(gap) < 1e-9)
            }
            errors.append(total / 4)
        }
        #expect(errors[1] < errors[0])
        #expect(errors[2] < errors[1])
        let full = try Explainer.explain(
            wide, x, method: .kernelSHAP(background: background, samples: 1022), classIndex: 2)
        #expect(Fixtures.maxDifference(full.attributions, exact.attributions) < 1e-9)
    }

    @Test("permutation SHAP converges and every estimate is efficient; antithetic pairs are exact for pairwise terms")
    func permutationConverges() throws {
        let background = Fixtures.rows(6, 5, seed: 9)
        let x = Fixtures.rows(1, 5, seed: 10, scale: 2)[0]
        // Class 1 has a three-way product, so orderings matter.
        let exact = try Explainer.explain(
            Fixtures.interacting, x, method: .exactShapley(background: background), classIndex: 1)
        var errors: [Double] = []
        for permutations in [2, 20, 200] {
            var total = 0.0
            for seed in UInt64(0)..<4 {
                let estimate = try Explainer.explain(
                    Fixtures.interacting, x,
                    method: .permutationSHAP(background: background, permutations: permutations, seed: seed),
                    classIndex: 1)
                total += Fixtures.maxDifference(estimate.attributions, exact.attributions)
                guard case .efficiency(let gap) = estimate.check else {
                    Issue.record("permutation SHAP's check is \(estimate.check), not an efficiency gap")
                    return
                }
                #expect(abs(gap) < 1e-9)
            }
            errors.append(total / 4)
        }
        #expect(errors[2] < errors[1] && errors[1] < errors[0], "\(errors)")
        #expect(errors[2] < 0.05)
        // Class 0 has only pairwise interactions: an ordering and its reverse put i before j once each, so one
        // antithetic pair already gives the exact values.
        let pairwise = try Explainer.explain(Fixtures.interacting, x, method: .exactShapley(background: background))
        let onePair = try Explainer.explain(
            Fixtures.interacting, x, method: .permutationSHAP(background: background, permutations: 2, seed: 5))
        #expect(Fixtures.maxDifference(onePair.attributions, pairwise.attributions) < 1e-12)
    }

    @Test("the same seed gives the same estimate; another seed another")
    func seeded() throws {
        let background = Fixtures.rows(6, 5, seed: 9)
        let x = Fixtures.rows(1, 5, seed: 11)[0]
        let a = try Explainer.explain(
            Fixtures.interacting, x, method: .kernelSHAP(background: background, samples: 12, seed: 1))
        let b = try Explainer.explain(
            Fixtures.interacting, x, method: .kernelSHAP(background: background, samples: 12, seed: 1))
        let c = try Explainer.explain(
            Fixtures.interacting, x, method: .permutationSHAP(background: background, permutations: 4, seed: 1))
        let d = try Explainer.explain(
            Fixtures.interacting, x, method: .permutationSHAP(background: background, permutations: 4, seed: 2))
        #expect(a == b)
        #expect(c.attributions != d.attributions)
    }

    @Test("features equal to x in every background row get zero (KernelSHAP), as shap does")
    func nonVaryingFeatures() throws {
        var background = Fixtures.rows(5, 5, seed: 12)
        let x = [0.5, 1, -1, 2, 0.25]
        for j in background.indices { background[j][3] = 2 }
        let kernel = try Explainer.explain(
            Fixtures.interacting, x, method: .kernelSHAP(background: background, samples: 100))
        let exact = try Explainer.explain(Fixtures.interacting, x, method: .exactShapley(background: background))
        #expect(kernel.attributions[3] == 0)
        #expect(abs(exact.attributions[3]) < 1e-12)
        #expect(Fixtures.maxDifference(kernel.attributions, exact.attributions) < 1e-9)
    }
}
