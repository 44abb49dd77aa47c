import Foundation
import Testing

@testable import RichDisplay

/// Realistic, larger outputs for looking at in a browser: `RIGOR_GALLERY=/tmp/gallery swift test
/// --filter GalleryTests` writes them there (headless Chromium turns them into PNGs); without the
/// variable the test only checks that each is well-formed.
@Suite struct GalleryTests {
    static var items: [(name: String, text: String)] {
        var generator = SplitMix(seed: 1)
        let epochs = 30
        var train: [Double] = []
        var validation: [Double] = []
        for epoch in 1...epochs {
            let decay: Double = exp(-Double(epoch) / 5)
            let overfit: Double = 0.001 * Double(max(0, epoch - 12) * max(0, epoch - 12))
            train.append(2.3 * decay + 0.08 + 0.02 * generator.next())
            validation.append(2.2 * decay + 0.2 + overfit + 0.03 * generator.next())
        }
        let best = validation.indices.min { validation[$0] < validation[$1] }! + 1
        var live = Plot.training(metric: "cross-entropy", train: train, validation: validation, bestEpoch: best)
        live.title = "Loss per epoch — a long title with <angle brackets> & ampersands"

        let classes = (0..<10).map(String.init)
        let matrix: [[Double]] = (0..<10).map { (row: Int) -> [Double] in
            (0..<10).map { (column: Int) -> Double in
                row == column ? Double(150 + row * 3) : Double((row * 7 + column * 3) % 5)
            }
        }
        let confusion = Heatmap(
            matrix, labels: classes, title: "Confusion matrix (digits)", x: "predicted", y: "actual")

        var bars = Plot(title: "F1 per class", y: "F1")
        bars.bar(
            [0.97, 0.91, 0.95, 0.88, 0.93, 0.9, 0.99, 0.94, 0.86, 0.89],
            categories: ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])

        var big = Plot(title: "Throughput", x: "batch size", y: "samples per second")
        big.scatter(x: [16, 32, 64, 128, 256], y: [1.2e5, 2.3e5, 4.1e5, 7.2e5, 1.1e6], label: "measured")
        big.markY(1e6, label: "one million")

        var tiny = Plot(title: "Gradient norm", x: "step", y: "norm")
        var norms: [Double] = []
        for step in 1...200 { norms.append(3e-4 * exp(-Double(step) / 60) + 1e-5 * generator.next()) }
        tiny.line(norms, label: "layer 1")
        tiny.yScale = .logarithmic

        let digits = (0..<20).map { index -> [[Double]] in
            (0..<8).map { row in
                (0..<8).map { column in
                    let dx = Double(column) - 3.5
                    let dy = Double(row) - 3.5
                    let radius: Double = (dx * dx + dy * dy).squareRoot()
                    let ring = abs(radius - Double(2 + index % 2)) < 0.8
                    let noise: Double = generator.next()
                    return ring ? 16 * noise : noise * 2
                }
            }
        }
        let grid = ImageGrid(
            digits, captions: (0..<20).map { $0 % 7 == 3 ? "\($0 % 10) → 8" : "\($0 % 10)" },
            title: "Test digits (wrong predictions in orange)", emphasized: Set((0..<20).filter { $0 % 7 == 3 }))

        var summary = Table(
            columns: ["layer", "output shape", "parameters"],
            rows: [
                ["conv1 Conv2D(1, 16, kernel: 3)", "[N, 16, 8, 8]", 160], ["pool1 MaxPool2D(2)", "[N, 16, 4, 4]", 0],
                ["dense Dense(128, 10)", "[N, 10]", 1290],
            ], title: "Sequential")
        summary.footer = ["total", "", 1450]

        var attribution = Heatmap(
            (0..<8).map { row in (0..<8).map { column in sin(Double(row) / 2) * cos(Double(column) / 3) } },
            title: "Attribution", showsValues: false)
        attribution.colorScale = .diverging

        var batches: [Double] = []
        for step in 1...3000 { batches.append(2 * exp(-Double(step) / 600) + 0.1 + 0.3 * generator.next()) }
        let perBatch = Plot.training(metric: "loss", train: batches, x: "batch")

        return [
            ("per-batch.svg", perBatch.svg),
            ("attribution.svg", attribution.svg),
            ("edge-single.svg", EdgeCaseTests.cases[0].1), ("edge-negative-bars.svg", EdgeCaseTests.cases[3].1),
            ("edge-one-value.svg", EdgeCaseTests.cases[4].1), ("edge-negative-log.svg", EdgeCaseTests.cases[2].1),
            ("live.svg", live.svg), ("confusion-10.svg", confusion.svg), ("bars-f1.svg", bars.svg),
            ("throughput.svg", big.svg), ("gradient-log.svg", tiny.svg), ("digits-20.svg", grid.svg),
            ("summary.html", HTMLPage.wrap(summary.html + "\n" + Fixtures.gridSearch.html, title: "tables")),
        ]
    }

    @Test func galleryIsWellFormedAndWrittenOnRequest() throws {
        let directory = ProcessInfo.processInfo.environment["RIGOR_GALLERY"]
        for item in Self.items {
            if item.name.hasSuffix(".svg") { #expect(isWellFormedXML(item.text), "\(item.name)") }
            if let directory {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                try DisplayFile.writeAtomically(item.text, to: directory + "/" + item.name)
            }
        }
    }
}
