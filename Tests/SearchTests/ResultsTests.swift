import Foundation
import NeuralNetworks
import RichDisplay
import TensorCore
import Testing

@testable import Search

#if canImport(FoundationXML)
    import FoundationXML
#endif

@Suite("Results: tables, charts, importances, cross-validation")
struct ResultsTests {
    static func study() throws -> Study {
        let study = try Study(
            "charts", sampler: .tpe(TPEOptions(startupTrials: 8)), pruner: .median(startupTrials: 3), seed: 4)
        try study.optimize(trials: 30) { trial in
            let rate = try trial.suggestFloat("learningRate", 1e-4, 1, log: true)
            let width = try trial.suggestInt("width", 8, 128, step: 8)
            let noise = try trial.suggestFloat("noise", 0, 1)
            let act = try trial.suggestChoice("activation", ["relu", "tanh", "gelu"])
            if trial.number == 5 { throw SearchError(.invalidArgument, "diverged") }
            let value = pow(log10(rate) + 2, 2) + Double(width) / 256 + 0.01 * noise + (act == "relu" ? 0 : 0.3)
            for epoch in 1...4 {
                try trial.report(step: epoch, value: value + 1 / Double(epoch))
                try trial.pruneIfNeeded()
            }
            return value
        }
        return study
    }

    @Test("the trial table shows every trial, its state, value and duration, with the best highlighted; CSV too")
    func table() throws {
        let results = try StudyResults(try Self.study())
        let table = results.table
        #expect(
            table.columns == [
                "trial", "state", "value", "learningRate", "width", "noise", "activation", "duration (s)", "note",
            ])
        #expect(table.rows.count == 30)
        #expect(table.highlights["value"] == .lowest)
        #expect(table.html.contains("pruned") && table.html.contains("failed") && table.html.contains("diverged"))
        let csv = results.csv
        #expect(csv.split(separator: "\r\n").count == 31)
        let best = try #require(results.best)
        #expect(csv.contains(String(best.value!)))
    }

    @Test("importances single out the parameters that matter")
    func importances() throws {
        let results = try StudyResults(try Self.study())
        let importances = results.importances()
        #expect(Set(importances.map(\.name)) == ["learningRate", "width", "noise", "activation"])
        #expect(abs(importances.map(\.importance).reduce(0, +) - 1) < 1e-9)
        #expect(importances.first?.name == "learningRate")
        #expect(importances.last?.name == "noise")
        #expect(results.importances().map(\.name) == importances.map(\.name))  // deterministic
    }

    @Test("charts render to SVG with text fallbacks; written to RIGOR_SEARCH_CHARTS to look at")
    func charts() throws {
        let results = try StudyResults(try Self.study())
        let contour = try results.contourPlot("learningRate", "width")
        #expect(contour.xScale == .logarithmic && contour.yScale == .linear)
        #expect(contour.plainText.contains("40×40 grid"))
        let charts: [(String, any MIMERepresentable, String)] = [
            ("history", results.historyPlot, results.historyPlot.svg),
            ("importances", results.importancePlot(), results.importancePlot().svg),
            ("parallel", results.parallelCoordinates, results.parallelCoordinates.svg),
            ("slice-rate", results.slicePlot("learningRate"), results.slicePlot("learningRate").svg),
            ("slice-activation", results.slicePlot("activation"), results.slicePlot("activation").svg),
            ("contour", contour, contour.svg),
        ]
        for (name, chart, svg) in charts {
            #expect(svg.hasPrefix("<svg"), "\(name)")
            #expect(chart.mimeBundle.mimeTypes.contains("image/svg+xml"), "\(name)")
            #expect(svg == (name == "contour" ? try results.contourPlot("learningRate", "width").svg : svg))
            let parser = XMLParser(data: Data(svg.utf8))
            #expect(parser.parse(), "\(name) is not well-formed XML")
        }
        #expect(throws: SearchError.self) { try results.contourPlot("learningRate", "activation") }
        if let directory = ProcessInfo.processInfo.environment["RIGOR_SEARCH_CHARTS"] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for (name, _, svg) in charts {
                try svg.write(toFile: "\(directory)/\(name).svg", atomically: true, encoding: .utf8)
            }
            try results.table.html.write(toFile: "\(directory)/table.html", atomically: true, encoding: .utf8)
        }
    }

    @Test("k-fold and stratified k-fold over a dataset")
    func crossValidation() throws {
        let labels = (0..<30).map { $0 < 20 ? 0 : 1 }
        let features = try Tensor(shape: [30, 2], scalars: (0..<60).map(Float.init))
        let dataset = try Dataset(features: features, labels: labels)
        let folds = try CrossValidation.stratifiedKFold(dataset, folds: 5, seed: 1)
        #expect(folds.count == 5)
        var validationRows: [Float] = []
        for fold in folds {
            #expect(fold.train.count + fold.validation.count == 30)
            #expect(fold.validation.labels.filter { $0 == 1 }.count == 2)  // 10 of class 1 over 5 folds
            validationRows += fold.validation.features.scalars.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        }
        #expect(validationRows.sorted() == (0..<30).map { Float($0 * 2) })
        let plain = try CrossValidation.kFold(dataset, folds: 3, seed: 1)
        #expect(plain.map(\.validation.count) == [10, 10, 10])
        let (mean, scores) = try CrossValidation.score(dataset, folds: 3) { train, validation in
            Double(validation.count)
        }
        #expect(mean == 10 && scores == [10, 10, 10])
        #expect(throws: (any Error).self) { try CrossValidation.kFold(dataset, folds: 1) }
    }
}
