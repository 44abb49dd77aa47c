import RichDisplay
import RigorLibrary
import RigorScript
import Testing

@Suite("Display and documentation")
struct DisplayTests {
    @Test("models, tensors, splits and metrics have an HTML table beside text/plain")
    func bundles() throws {
        let s = librarySession()
        let code = """
            let data = Dataset.iris().split(train: 0.8, test: 0.2, seed: 3).standardized()
            let model = Sequential([Dense(4, 8, activation: .relu), Dense(8, 3)])
            model.fit(data.train, epochs: 2)
            """
        let history = try #require(s.execute(code).value)
        let historyBundle = history.mimeBundle
        #expect(historyBundle.data[MIMEType.svg]?.contains("loss per epoch") == true)
        #expect(historyBundle.plainText.hasPrefix("History(2 epochs)"))
        let model = try #require(s.execute("model").value)
        let summary = model.mimeBundle
        // Text and HTML come from one table: the same rows, the total in a footer.
        #expect(summary.plainText.contains("0 Dense(4, 8, activation: .relu)"))
        #expect(summary.plainText.split(separator: "\n").last?.hasPrefix("total") == true)
        #expect(summary.plainText.split(separator: "\n").last?.hasSuffix(" 67") == true)
        let html = try #require(summary.data[MIMEType.html])
        #expect(html.contains("0 Dense(4, 8, activation: .relu)"))
        #expect(html.contains("[N, 8]"))
        #expect(html.contains("<tfoot"))
        // Small values (gradients) keep their digits in the HTML table; nothing is rounded to 0 first.
        let small = try #require(s.execute("Tensor([0.000012345, -2.5])").value)
        #expect(small.mimeBundle.data[MIMEType.html]?.contains(">1.234e-5<") == true)
        let tensor = try #require(s.execute("Tensor([[1, 2], [3, 4]])").value)
        #expect(
            tensor.mimeBundle.data[MIMEType.html]?.contains("Tensor [2, 2]</caption>")
                == true)
        // A large tensor: statistics and a corner preview of its first matrix, not 36,000 numbers.
        let large = try #require(s.execute("Tensor.randomNormal([3, 4, 50, 60], seed: 2)").value)
        let summaryHTML = try #require(large.mimeBundle.data[MIMEType.html])
        #expect(summaryHTML.contains(">36000<") && summaryHTML.contains(">std<"))
        #expect(summaryHTML.contains("preview (the matrix [0, 0, :, :])") && summaryHTML.contains(">59<"))
        #expect(!summaryHTML.contains(">30<") && summaryHTML.components(separatedBy: "<tr").count < 20)
        let split = try #require(s.execute("data").value)
        #expect(split.mimeBundle.data[MIMEType.html]?.contains(">train<") == true)
        let matrix = try #require(s.execute("confusionMatrix(model, data.test)").value)
        let heatmap = matrix.mimeBundle
        #expect(heatmap.plainText.hasPrefix("Confusion matrix\nactual \\ predicted"))
        #expect(heatmap.data[MIMEType.svg]?.hasPrefix("<svg") == true)
        #expect(Value.int(3).mimeBundle.data == ["text/plain": "3"])
    }

    @Test("ROC curves and reliability diagrams are SVG charts with their reference diagonal, named by class")
    func probabilityCharts() throws {
        let s = librarySession()
        _ = s.execute(
            """
            let data = Dataset.breastCancer().split(train: 0.7, test: 0.3, seed: 1).standardized()
            let model = Sequential([Dense(30, 8, activation: .relu), Dense(8, 2)], seed: 1)
            model.fit(data.train, epochs: 3, progress: false);
            """)
        func bundle(_ code: String) throws -> MIMEBundle {
            let value = try #require(s.execute(code).value)
            return value.mimeBundle
        }
        let roc = try bundle("rocCurve(model, data.test, positiveClass: \"malignant\")")
        let rocSVG = try #require(roc.data[MIMEType.svg])
        #expect(rocSVG.contains("ROC curve, malignant vs rest"))
        #expect(rocSVG.contains("chance") && rocSVG.contains("AUC 0.9"))
        #expect(roc.plainText.hasPrefix("ROCCurve(malignant vs rest"))
        let calibration = try bundle("calibration(model, data.test, bins: 5, positiveClass: 0)")
        let reliabilitySVG = try #require(calibration.data[MIMEType.svg])
        #expect(reliabilitySVG.contains("perfectly calibrated") && reliabilitySVG.contains("Reliability: ECE 0."))
        #expect(reliabilitySVG.contains("mean predicted P(malignant)"))
        #expect(calibration.plainText.contains("0.80–1.00"))
        let report = try bundle("classificationReport(model, data.test)")
        #expect(report.data[MIMEType.html]?.contains(">malignant<") == true)
        let matrix = try bundle("confusionMatrix(model, data.test)")
        #expect(matrix.data[MIMEType.svg]?.contains(">benign<") == true)
    }

    @Test("every library builtin has a documentation sentence and an example")
    func documented() {
        let registry = RigorLibrary.makeRegistry()
        let library = registry.families.drop { $0.name != "Tensors" }
        #expect(
            library.map(\.name) == [
                "Tensors", "Data", "Models", "Training", "Evaluation", "Insight", "Search", "Security", "Deployment",
                "Display", "Widgets", "Run log", "Rigor", "Memory",
            ])
        for family in library {
            for name in family.functions {
                for function in [registry.functions[name]!] + registry.functions[name]!.overloads {
                    #expect(!function.signature.documentation.isEmpty && function.signature.example != nil, "\(name)")
                }
            }
            for name in family.types {
                let type = registry.types[name]!
                for method in type.methods.values.flatMap({ [$0] + $0.overloads }) {
                    #expect(
                        !method.signature.documentation.isEmpty && method.signature.example != nil,
                        "\(name).\(method.signature.name)")
                }
            }
        }
    }
}
