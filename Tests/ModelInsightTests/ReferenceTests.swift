import Foundation
import NeuralNetworks
import TensorCore
import Testing

@testable import ModelInsight

/// Numbers computed once by shap and captum (References/make_references.py, references.json) on the same weights.
@Suite("Against shap and captum")
struct ReferenceTests {
    struct Weights: Decodable {
        let shape: [Int]
        let values: [Double]
    }

    nonisolated(unsafe) static let references: [String: Any] = {
        let url = Bundle.module.url(forResource: "references", withExtension: "json", subdirectory: "References")!
        let data = try! Data(contentsOf: url)
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }()

    static func load(_ model: any Layer, from section: String) throws {
        let weights = (references[section] as! [String: Any])["weights"] as! [[String: Any]]
        let parameters = model.namedParameters
        #expect(parameters.count == weights.count)
        for ((_, parameter), entry) in zip(parameters, weights) {
            #expect(parameter.shape == entry["shape"] as! [Int], "\(entry["name"]!)")
            try parameter.assign((entry["values"] as! [Double]).map { Float($0) })
        }
    }

    static func tabularModel() throws -> Sequential {
        let model = try Sequential([Dense(5, 8, activation: .tanh), Dense(8, 3)])
        try load(model, from: "tabular")
        return model
    }

    static func imageModel() throws -> Sequential {
        let model = try Sequential([
            Conv2D(1, 2, kernelSize: 3, padding: 1, activation: .relu), Flatten(), Dense(72, 3),
        ])
        try load(model, from: "image")
        return model
    }

    static var tabular: [String: Any] { references["tabular"] as! [String: Any] }
    static var rows: [[Double]] { tabular["rows"] as! [[Double]] }
    static var background: [[Double]] { tabular["background"] as! [[Double]] }

    @Test("exact Shapley and KernelSHAP (every coalition) match shap's KernelExplainer within 1e-4")
    func shapValues() throws {
        let model = try Self.tabularModel()
        for entry in Self.references["shap"] as! [[String: Any]] {
            let output = ModelFunction.OutputTransform(rawValue: entry["output"] as! String)!
            let f = try ModelFunction(model: model, inputShape: [5], output: output)
            let values = entry["values"] as! [[[Double]]]  // [row][feature][class]
            let expected = entry["expected"] as! [Double]
            for (r, x) in Self.rows.enumerated() {
                for c in 0..<3 {
                    let reference = values[r].map { $0[c] }
                    let exact = try Explainer.explain(
                        f, x, method: .exactShapley(background: Self.background), classIndex: c)
                    let kernel = try Explainer.explain(
                        f, x, method: .kernelSHAP(background: Self.background, samples: 30), classIndex: c)
                    #expect(
                        Fixtures.maxDifference(exact.attributions, reference) < 1e-4, "\(output) row \(r) class \(c)")
                    #expect(
                        Fixtures.maxDifference(kernel.attributions, reference) < 1e-4, "\(output) row \(r) class \(c)")
                    #expect(abs(exact.baseValue - expected[c]) < 1e-4)
                }
            }
        }
    }

    @Test("integrated gradients, saliency and gradient × input match captum within 1e-4")
    func captumValues() throws {
        let model = try Self.tabularModel()
        let logits = try ModelFunction(model: model, inputShape: [5])
        let probabilities = try ModelFunction(model: model, inputShape: [5], output: .softmax)
        let rules: [String: QuadratureRule] = [
            "gausslegendre": .gaussLegendre, "riemann_trapezoid": .riemannTrapezoid, "riemann_middle": .riemannMiddle,
        ]
        var compared = 0
        for entry in Self.references["captum"] as! [[String: Any]] {
            let target = entry["target"] as! Int
            let expected = entry["attributions"] as! [[Double]]
            let f = (entry["output"] as? String) == "softmax" ? probabilities : logits
            for (r, x) in Self.rows.enumerated() {
                let method: AttributionMethod
                switch entry["method"] as! String {
                case "integratedGradients":
                    method = .integratedGradients(
                        baseline: entry["baseline"] as? [Double], steps: entry["steps"] as! Int,
                        rule: rules[entry["rule"] as! String]!)
                case "saliency": method = .saliency
                default: method = .gradientTimesInput
                }
                let ours = try Explainer.explain(f, x, method: method, classIndex: target)
                var attributions = ours.attributions
                var scale = 1.0
                if (entry["rule"] as? String) == "riemann_trapezoid" {
                    // Captum's trapezoid steps are 1/n (halved at the ends) on n points, which sum to (n − 1)/n; the
                    // trapezoid rule's are 1/(n − 1). Its numbers are ours times (n − 1)/n.
                    let n = Double(entry["steps"] as! Int)
                    scale = (n - 1) / n
                    attributions = attributions.map { $0 * scale }
                }
                #expect(Fixtures.maxDifference(attributions, expected[r]) < 1e-4, "\(entry["method"]!) \(r)")
                if let deltas = entry["delta"] as? [Double], case .completeness(let gap, _) = ours.check, scale == 1 {
                    // captum's delta is Σ attributions − (f(x) − f(baseline)), as our gap.
                    #expect(abs(gap - deltas[r]) < 1e-4)
                }
                compared += 1
            }
        }
        #expect(compared == 3 * (3 * 2 * 3 + 3 + 3 + 3))
    }

    @Test("occlusion and integrated gradients through a convolution match captum within 1e-4")
    func imageValues() throws {
        let model = try Self.imageModel()
        let f = try ModelFunction(model: model, inputShape: [1, 6, 6])
        #expect(f.image == ImageLayout(channels: 1, height: 6, width: 6))
        let rows = (Self.references["image"] as! [String: Any])["rows"] as! [[Double]]
        for entry in Self.references["occlusion"] as! [[String: Any]] {
            let expected = entry["attributions"] as! [[Double]]
            for (r, x) in rows.enumerated() {
                let ours = try Explainer.explain(
                    f, x, method: .occlusion(window: entry["window"] as! Int, stride: entry["stride"] as! Int),
                    classIndex: entry["target"] as! Int)
                #expect(Fixtures.maxDifference(ours.attributions, expected[r]) < 1e-4)
            }
        }
        for entry in Self.references["imageIntegratedGradients"] as! [[String: Any]] {
            let expected = entry["attributions"] as! [[Double]]
            for (r, x) in rows.enumerated() {
                let ours = try Explainer.explain(
                    f, x, method: .integratedGradients(steps: entry["steps"] as! Int),
                    classIndex: entry["target"] as! Int)
                #expect(Fixtures.maxDifference(ours.attributions, expected[r]) < 1e-4)
            }
        }
    }
}
