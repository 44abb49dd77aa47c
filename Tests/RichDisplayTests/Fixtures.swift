import Foundation

@testable import RichDisplay

/// The displayables the snapshot, determinism and well-formedness tests share.
enum Fixtures {
    /// Four epochs of metrics: validation loss is lowest at epoch 2.
    static let progressMetrics: [(name: String, values: [Double])] = [
        ("loss", [2.31, 1.42, 0.98, 0.71]), ("accuracy", [0.4, 0.6, 0.7, 0.75]),
        ("val_loss", [2.05, 1.31, 1.35, 1.40]), ("val_accuracy", [0.5, 0.62, 0.61, 0.6]),
    ]

    /// `fit` as it starts, mid-epoch, finished, and stopped by an interrupt.
    static var progressBegan: TrainingProgressView {
        TrainingProgressView(
            state: .running, epoch: 0, epochs: 12, batch: 0, batchesPerEpoch: 79, runningLoss: nil, metrics: [],
            elapsed: 0)
    }
    static var progressRunning: TrainingProgressView {
        TrainingProgressView(
            state: .running, epoch: 5, epochs: 12, batch: 10, batchesPerEpoch: 79, runningLoss: 0.6543,
            metrics: progressMetrics, elapsed: 12.5, bestEpoch: 2)
    }
    static var progressFinished: TrainingProgressView {
        TrainingProgressView(
            state: .finished, epoch: 4, epochs: 4, batch: 79, batchesPerEpoch: 79, runningLoss: 0.7,
            metrics: progressMetrics, elapsed: 75.2, bestEpoch: 2)
    }
    static var progressStopped: TrainingProgressView {
        TrainingProgressView(
            state: .stopped("interrupted at epoch 4"), epoch: 4, epochs: 12, batch: 3, batchesPerEpoch: 79,
            runningLoss: 0.7, metrics: progressMetrics, elapsed: 30, bestEpoch: 2)
    }

    static var lossChart: Plot {
        let train = [2.31, 1.42, 0.98, 0.71, 0.55, 0.46, 0.40, 0.36, 0.33, 0.31, 0.30, 0.29]
        let validation = [2.05, 1.31, 0.95, 0.78, 0.66, 0.61, 0.59, 0.60, 0.62, 0.65, 0.66, 0.69]
        var chart = Plot(title: "Loss per epoch", x: "epoch", y: "cross-entropy")
        chart.line(train, label: "train")
        chart.line(validation, label: "validation", style: .dashed)
        chart.markX(7, label: "best")
        return chart
    }

    static var everySeries: Plot {
        var chart = Plot(title: "Bands, points & <markup>", x: "step", y: "value")
        let x = (0..<20).map(Double.init)
        chart.band(x: x, lower: x.map { sin($0 / 3) - 0.3 }, upper: x.map { sin($0 / 3) + 0.3 }, label: "±1 sd")
        chart.line(x: x, y: x.map { sin($0 / 3) }, label: "mean", marker: .circle)
        chart.scatter(x: x, y: x.map { cos($0 / 4) }, label: "cos & \"points\"")
        chart.line(x: x, y: x.map { $0 == 10 ? .nan : 0.05 * $0 - 0.5 }, label: "with a gap", style: .dotted)
        chart.markY(0.5, label: "target")
        return chart
    }

    static var bars: Plot {
        var chart = Plot(title: "Accuracy by model", y: "accuracy")
        chart.bar([0.912, 0.948, 0.983], categories: ["logistic", "MLP", "CNN"], label: "validation")
        chart.bar([0.905, 0.941, 0.979], categories: ["logistic", "MLP", "CNN"], label: "test")
        return chart
    }

    static var histogram: Plot {
        var chart = Plot(title: "Weights", x: "value", y: "count")
        var generator = SplitMix(seed: 7)
        let values = (0..<500).map { _ in generator.normal() * 0.5 }
        chart.histogram(values, bins: .count(20), label: "layer 1")
        return chart
    }

    static var logChart: Plot {
        var chart = Plot(title: "Learning-rate sweep", x: "learning rate", y: "loss")
        chart.xScale = .logarithmic
        chart.yScale = .logarithmic
        chart.line(
            x: [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1], y: [2.2, 1.1, 0.3, 0.12, 0.4, 3.5], label: "loss", marker: .square)
        return chart
    }

    static var confusion: Heatmap {
        Heatmap(
            [[52, 0, 1], [2, 47, 5], [0, 3, 60]], labels: ["setosa", "versicolor", "virginica"],
            title: "Confusion matrix", x: "predicted", y: "actual")
    }

    static var digits: ImageGrid {
        // A "1", an "0" and a "7", hand-drawn on 8×8.
        let one: [[Double]] = (0..<8).map { row in (0..<8).map { $0 == 4 || ($0 == 3 && row == 1) ? 16 : 0 } }
        let zero: [[Double]] = (0..<8).map { row in
            (0..<8).map { column in
                let inRing = (row == 1 || row == 6) && (2...5).contains(column)
                let side = (2...5).contains(row) && (column == 2 || column == 5)
                return inRing || side ? 16 : 0
            }
        }
        let seven: [[Double]] = (0..<8).map { row in
            (0..<8).map { column -> Double in
                let top = row == 1 && (1...6).contains(column)
                let stroke = row > 1 && column == 6 - row / 2
                return top || stroke ? 12 : 2
            }
        }
        return ImageGrid([one, zero, seven], captions: ["1", "0", "7 → 1"], title: "Digits", emphasized: [2])
    }

    static var gridSearch: Table {
        var table = Table(
            rows: [
                [("learning rate", 0.01), ("width", 8), ("parameters", 1_234), ("accuracy", 0.9481), ("note", "ok")],
                [("learning rate", 0.003), ("width", 16), ("parameters", 4_410), ("accuracy", 0.98333333)],
                [
                    ("learning rate", 0.001), ("width", 32), ("parameters", 16_650), ("accuracy", 0.9722),
                    ("note", "<b>slow</b> & \"big\""),
                ],
            ], title: "Grid search")
        table.highlight("accuracy", best: .highest)
        return table
    }
}

/// A tiny seeded generator so fixtures do not depend on the platform's random numbers.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }
    /// Box–Muller.
    mutating func normal() -> Double {
        let u = max(next(), 1e-12)
        let v = next()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}
