import Foundation
import NeuralNetworks
import RichDisplay
import TensorCore
import Testing

@testable import ModelInsight

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The displays: well-formed, escaped, carrying the numbers. `RIGOR_INSIGHT_GALLERY=/tmp/insight swift test --filter
/// RenderingTests` also writes each one as a file to look at (HTML pages and SVGs; turn them into PNGs with headless
/// Chromium, see docs/insight.md).
@Suite("Rendering explanations")
struct RenderingTests {
    static let gallery = ProcessInfo.processInfo.environment["RIGOR_INSIGHT_GALLERY"]

    func wellFormed(_ xml: String) -> Bool {
        let parser = XMLParser(data: Data(xml.utf8))
        return parser.parse()
    }

    func save(_ text: String, _ name: String) throws {
        guard let folder = Self.gallery else { return }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var content = text
        if name.hasSuffix(".html") {
            content =
                "<!doctype html><html><head><meta charset=\"utf-8\"></head><body style=\"margin: 12px\">\n"
                + text + "</body></html>\n"
        }
        try content.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
    }

    func irisModel() throws -> (ModelFunction, [[Double]], Dataset) {
        let iris = try BundledDataset.iris()
        let data = try iris.dataset
        let model = try Sequential([Dense(4, 16, activation: .relu), Dense(16, 3)], seed: 0)
        _ = try model.fit(
            data, epochs: 30, batchSize: 16, loss: .crossEntropy(), optimizer: Adam(learningRate: 0.01), seed: 0)
        let f = try ModelFunction(
            model: model, inputShape: [4], output: .softmax, featureNames: iris.featureNames,
            classNames: iris.classNames)
        let features = data.features.scalars.map(Double.init)
        let rows = (0..<data.count).map { Array(features[($0 * 4)..<($0 * 4 + 4)]) }
        return (f, rows, data)
    }

    @Test("a tabular explanation: HTML table with bars, ends, check, waterfall; text fallback")
    func tabular() throws {
        let (f, rows, _) = try irisModel()
        let background = stride(from: 0, to: rows.count, by: 10).map { rows[$0] }
        let x = rows[75]
        let explanation = try Explainer.explain(f, x, method: .exactShapley(background: background), classIndex: 1)
        let html = explanation.html
        #expect(html.contains("<table class=\"rigor-table\""))
        #expect(html.contains("efficiency: Σφ − (f(x) − E f) = "))
        #expect(html.contains("petal_length_(cm)"))
        #expect(html.contains("<svg"))
        #expect(wellFormed(html))
        #expect(wellFormed(explanation.waterfall.svg))
        let bundle = explanation.mimeBundle
        #expect(bundle.data[MIMEType.html] != nil)
        #expect(bundle.plainText.contains("exact Shapley"))
        #expect(bundle.plainText.contains("versicolor"))
        try save(html, "tabular-shap.html")
        try save(explanation.waterfall.svg, "waterfall.svg")
        let lime = try Explainer.explain(
            f, x, method: .lime(training: rows, options: LIMEOptions(seed: 1)), classIndex: 1)
        #expect(lime.html.contains("condition"))
        #expect(wellFormed(lime.html))
        try save(lime.html, "tabular-lime.html")
        let ig = try Explainer.explain(f, x, method: .integratedGradients(steps: 64), classIndex: 1)
        #expect(ig.plainText.contains("completeness"))
        try save(ig.html, "tabular-ig.html")
        // Global views over many rows.
        let set = try Explainer.explainAll(
            f, Array(rows.prefix(150).enumerated().filter { $0.offset % 3 == 0 }.map(\.element)),
            method: .kernelSHAP(background: background, samples: 64), classIndex: 1)
        #expect(set.explanations.count == 50)
        #expect(wellFormed(set.importanceChart().svg))
        #expect(wellFormed(set.beeswarm().svg))
        #expect(set.table.columns.count == 3 + 4)
        #expect(set.table.rows.count == 50)
        try save(set.importanceChart().svg, "mean-abs.svg")
        try save(set.beeswarm().svg, "beeswarm.svg")
        try save(set.html, "global.html")
    }

    @Test("an image explanation: the input beside a diverging heat map")
    func image() throws {
        let digits = try BundledDataset.digits()
        let data = try digits.dataset(split: "train")
        let scaledFeatures: Tensor = data.features * Float(0.0625)
        let scaled = try Dataset(features: scaledFeatures, targets: data.targets)
        let model = try Sequential([Dense(64, 32, activation: .relu), Dense(32, 10)], seed: 1)
        _ = try model.fit(
            scaled, epochs: 5, batchSize: 32, loss: .crossEntropy(), optimizer: Adam(learningRate: 0.01), seed: 0)
        let f = try ModelFunction(
            model: model, inputShape: [64], output: .softmax, image: ImageLayout(height: 8, width: 8))
        let pixels = scaled.features.scalars.map(Double.init)
        let x = Array(pixels[0..<64])
        let label = Int(data.targets.scalars[0])
        for (name, method) in [
            ("ig", AttributionMethod.integratedGradients(steps: 32)), ("occlusion", .occlusion(window: 2, stride: 1)),
            ("lime", .imageLIME(patch: 2, options: LIMEOptions(samples: 500))),
            ("smoothgrad", .smoothGrad(samples: 20)),
        ] {
            let explanation = try Explainer.explain(f, x, method: method, classIndex: label)
            let overlay = explanation.overlay!
            #expect(overlay.image.count == 8)
            #expect(wellFormed(overlay.svg))
            #expect(explanation.html.contains("attribution"))
            #expect(wellFormed(explanation.html))
            try save(explanation.html, "digit-\(name).html")
        }
    }

    @Test("user strings are escaped everywhere")
    func escaping() throws {
        let f = ModelFunction(
            featureCount: 2, outputCount: 1, featureNames: ["<script>", "a & b"], classNames: ["\"q\""]
        ) { $0.map { [$0[0] - $0[1]] } }
        let explanation = try Explainer.explain(f, [1, 2], method: .exactShapley(background: [[0, 0]]))
        #expect(!explanation.html.contains("<script>"))
        #expect(explanation.html.contains("&lt;script&gt;"))
        #expect(wellFormed(explanation.html))
        let set = ExplanationSet([explanation, explanation])
        #expect(!set.html.contains("<script>"))
        #expect(wellFormed(set.beeswarm().svg))
    }
}
