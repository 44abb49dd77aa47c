import Foundation
import NeuralNetworks
import TensorCore
import Testing

@testable import ModelInsight

@Suite("Gradient attributions")
struct GradientTests {
    @Test("predictRecordingGraph: the same outputs as predict, input gradients only, refused inside noGrad")
    func recordingPredict() throws {
        let model = try Fixtures.mlp()
        let x = try Tensor(shape: [4, 5], scalars: (0..<20).map { Float($0) / 10 - 1 })
        let plain = try model.predict(x)
        let recorded = try model.predictRecordingGraph(x.requiringGradient())
        #expect(recorded.requiresGradient)
        #expect(zip(plain.scalars, recorded.scalars).allSatisfy { abs($0 - $1) < 1e-6 })
        let (_, gradient) = try model.inputGradient(x) { $0.sum() }
        #expect(gradient.shape == [4, 5])
        // The parameters took part as constants: nothing accumulated into them.
        #expect(model.parameters.allSatisfy { $0.gradient == nil })
        #expect(throws: NeuralNetworkError.self) {
            try noGrad { try model.predictRecordingGraph(x.requiringGradient()) }
        }
        #expect(throws: NeuralNetworkError.self) { try model.predictRecordingGraph(x) }
        // Training still works after (parameters are leaves again outside the scope).
        let loss = try Loss.meanSquaredError(model(x), Tensor.zeros([4, 3]))
        try loss.backward()
        #expect(model.parameters.allSatisfy { $0.gradient != nil })
    }

    @Test("input gradients match central finite differences of the model")
    func gradientsMatchFiniteDifferences() throws {
        let model = try Fixtures.mlp()
        let f = try ModelFunction(model: model, inputShape: [5], output: .softmax)
        let x = [0.3, -0.7, 1.1, 0.05, -1.4]
        let saliency = try Explainer.explain(f, x, method: .gradientTimesInput, classIndex: 1)
        let h = 1e-3
        for j in 0..<5 {
            var up = x
            var down = x
            up[j] += h
            down[j] -= h
            let above: Double = try f([up])[0][1]
            let below: Double = try f([down])[0][1]
            let expected: Double = (above - below) / (2 * h) * x[j]
            #expect(abs(saliency.attributions[j] - expected) < 2e-3)
        }
    }

    @Test("quadrature rules integrate polynomials as their order promises")
    func quadrature() {
        // ∫₀¹ 7x⁶ dx = 1: Gauss–Legendre with 4 nodes is exact up to degree 7.
        let (alphas, weights) = QuadratureRule.gaussLegendre.nodes(steps: 4)
        let integral = zip(alphas, weights).reduce(0) { $0 + $1.1 * 7 * pow($1.0, 6) }
        #expect(abs(integral - 1) < 1e-13)
        for rule in QuadratureRule.allCases {
            let (a, w) = rule.nodes(steps: 50)
            #expect(abs(w.reduce(0, +) - 1) < 1e-12, "\(rule)")
            #expect(a.allSatisfy { $0 >= 0 && $0 <= 1 })
            // ∫₀¹ 2x dx = 1: exact for all but left/right Riemann sums.
            let linear = zip(a, w).reduce(0) { $0 + $1.1 * 2 * $1.0 }
            let tolerance = rule == .riemannLeft || rule == .riemannRight ? 0.021 : 1e-12
            #expect(abs(linear - 1) < tolerance, "\(rule)")
        }
        // Nodes for 50 steps agree with NumPy's leggauss (first node, weight).
        let (x, w) = QuadratureRule.legendre(50)
        let firstNode: Double = -0.9988664044200710501855
        let firstWeight: Double = 0.0029086225531551409584
        #expect(abs(x[0] - firstNode) < 1e-14)
        #expect(abs(w[0] - firstWeight) < 1e-14)
    }

    @Test("integrated gradients are complete within the documented gap (1e-3 relative at 50 Gauss–Legendre steps)")
    func completeness() throws {
        let model = try Fixtures.mlp(seed: 11)
        for output in [ModelFunction.OutputTransform.identity, .softmax] {
            let f = try ModelFunction(model: model, inputShape: [5], output: output)
            for (index, x) in Fixtures.rows(4, 5, seed: 13, scale: 1.5).enumerated() {
                let explanation = try Explainer.explain(
                    f, x, method: .integratedGradients(steps: 50), classIndex: index % 3)
                guard case .completeness(let gap, let relative) = explanation.check else {
                    Issue.record("integrated gradients report completeness")
                    return
                }
                #expect(abs(gap) < 1e-3 * max(1, abs(explanation.prediction - explanation.baseValue)))
                #expect(relative < 1e-3 || abs(gap) < 1e-5)
                #expect(abs(explanation.total - (explanation.prediction - explanation.baseValue) - gap) < 1e-9)
            }
        }
        // A linear model: integrated gradients are exactly w·(x − baseline), at any step count.
        let linear = try Sequential([Dense(5, 2)], seed: 4)
        let f = try ModelFunction(model: linear, inputShape: [5])
        let x = [1.0, 2, -1, 0.5, 3]
        let baseline = [0.5, 0, 0, 1, 1]
        let ig = try Explainer.explain(
            f, x, method: .integratedGradients(baseline: baseline, steps: 3, rule: .riemannLeft), classIndex: 1)
        let weight = linear.namedParameters.first { $0.name == "0.weight" }!.parameter.value.scalars
        for j in 0..<5 { #expect(abs(ig.attributions[j] - Double(weight[5 + j]) * (x[j] - baseline[j])) < 1e-5) }
    }

    @Test("SmoothGrad averages gradients: a linear model's SmoothGrad is its weight; seeded")
    func smoothGrad() throws {
        let linear = try Sequential([Dense(5, 2)], seed: 4)
        let f = try ModelFunction(model: linear, inputShape: [5])
        let x = [1.0, 2, -1, 0.5, 3]
        let a = try Explainer.explain(f, x, method: .smoothGrad(samples: 20, seed: 3), classIndex: 0)
        let b = try Explainer.explain(f, x, method: .smoothGrad(samples: 20, seed: 3), classIndex: 0)
        let saliencyFree = try Explainer.explain(f, x, method: .gradientTimesInput, classIndex: 0)
        #expect(a == b)
        for j in 0..<5 { #expect(abs(a.attributions[j] * x[j] - saliencyFree.attributions[j]) < 1e-5) }
    }

    @Test("occlusion finds the one pixel a function reads")
    func occlusion() throws {
        let image = ModelFunction(featureCount: 16, outputCount: 1, image: ImageLayout(height: 4, width: 4)) { rows in
            rows.map { [3 * $0[5]] }
        }
        let x = (0..<16).map { Double($0) / 16 + 0.5 }
        let explanation = try Explainer.explain(image, x, method: .occlusion(window: 1, stride: 1))
        #expect(explanation.ranking[0] == 5)
        #expect(abs(explanation.attributions[5] - 3 * x[5]) < 1e-12)
        #expect(explanation.attributions.enumerated().allSatisfy { $0.offset == 5 || $0.element == 0 })
    }
}
