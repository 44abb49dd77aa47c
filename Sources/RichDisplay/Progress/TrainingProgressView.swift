import Foundation

/// TrainingProgressView: what a running `fit` looks like: a progress line for terminals and, for notebooks, a
/// progress bar with that line under it and the loss chart once an epoch has finished. A pure renderer: the same
/// numbers give the same text, HTML and SVG (the kernel replaces the output in place as training goes on).
///
///     let view = TrainingProgressView(
///         state: .running, epoch: 5, epochs: 12, batch: 10, batchesPerEpoch: 79, runningLoss: 0.65,
///         metrics: [("loss", [2.31, 1.42, 0.98, 0.71])], elapsed: 12.5)
///     view.line   // "epoch 5/12  batch 10/79  loss 0.6500  ETA 24s"
public struct TrainingProgressView: MIMERepresentable, Sendable {
    /// Where training is.
    public enum State: Equatable, Sendable {
        case running
        case finished
        /// Stopped early (an interrupt, a non-finite loss), with the message the user sees.
        case stopped(String)
    }

    public var state: State
    /// The current epoch and batch, counting from 1 (0 before the first).
    public var epoch: Int
    public var epochs: Int
    public var batch: Int
    public var batchesPerEpoch: Int
    /// The running mean training loss of the current epoch.
    public var runningLoss: Double?
    /// Every metric per finished epoch so far (`loss`, `val_loss`, `val_accuracy`, …).
    public var metrics: [(name: String, values: [Double])]
    /// Seconds since training began.
    public var elapsed: Double
    /// The epoch (from 1) the loss chart marks as best; the engine decides it (one rule for the live and the final
    /// chart), the view only draws it.
    public var bestEpoch: Int?

    public init(
        state: State, epoch: Int, epochs: Int, batch: Int, batchesPerEpoch: Int, runningLoss: Double?,
        metrics: [(name: String, values: [Double])], elapsed: Double, bestEpoch: Int? = nil
    ) {
        self.bestEpoch = bestEpoch
        self.state = state
        self.epoch = epoch
        self.epochs = epochs
        self.batch = batch
        self.batchesPerEpoch = batchesPerEpoch
        self.runningLoss = runningLoss
        self.metrics = metrics
        self.elapsed = elapsed
    }

    /// The series of one metric per finished epoch (empty if not measured).
    public func series(_ name: String) -> [Double] { metrics.first { $0.name == name }?.values ?? [] }

    /// Seconds left at the current pace, once a batch has run.
    public var estimatedSecondsLeft: Double? {
        let total = epochs * batchesPerEpoch
        let done = max(0, epoch - 1) * batchesPerEpoch + batch
        guard done > 0, total > 0, elapsed > 0 else { return nil }
        return elapsed / Double(done) * Double(total - done)
    }

    /// One line of text: `epoch 3/10  batch 12/40  loss 0.4211  val_loss 0.3904  ETA 12s`.
    public var line: String {
        var parts = ["epoch \(max(epoch, 1))/\(epochs)"]
        if batchesPerEpoch > 0 { parts.append("batch \(batch)/\(batchesPerEpoch)") }
        if let runningLoss { parts.append("loss \(String(format: "%.4f", runningLoss))") }
        for name in ["val_loss", "val_accuracy", "val_robust_accuracy"] {
            if let last = series(name).last { parts.append("\(name) \(String(format: "%.4f", last))") }
        }
        switch state {
        case .finished: parts.append("done in \(Self.duration(elapsed))")
        case .stopped(let message): parts.append(message)
        case .running:
            if let left = estimatedSecondsLeft { parts.append("ETA \(Self.duration(left))") }
        }
        return parts.joined(separator: "  ")
    }

    /// `42s`, or `3m 5s` from a minute on.
    static func duration(_ seconds: Double) -> String {
        seconds < 60 ? "\(Int(seconds.rounded()))s" : "\(Int(seconds) / 60)m \(Int(seconds) % 60)s"
    }

    /// The share of all batches done, in percent (100 once finished).
    public var percentDone: Double {
        let total = max(epochs * batchesPerEpoch, 1)
        let done = state == .finished ? total : max(0, epoch - 1) * batchesPerEpoch + batch
        return min(100, Double(done) * 100 / Double(total))
    }

    /// The notebook view: the bar, the line, and the loss chart (train and validation, `bestEpoch` marked) once an
    /// epoch has finished; with adversarial training (`val_robust_accuracy`) also the clean and robust validation
    /// accuracy.
    public var html: String {
        var html =
            "<div class=\"rigor-progress\"><div style=\"width: 400px; height: 8px; background: #ddd;\">"
            + "<div style=\"width: \(String(format: "%.1f", percentDone))%; height: 8px; background: #0077bb;\">"
            + "</div></div>"
            + "<div style=\"font-family: monospace; font-size: 12px;\">\(Markup.escape(line))</div>"
        let train = series("loss")
        if !train.isEmpty {
            html +=
                Plot.training(metric: "loss", train: train, validation: series("val_loss"), bestEpoch: bestEpoch).svg
        }
        // Adversarial training: clean and robust validation accuracy side by side.
        let robust = series("val_robust_accuracy")
        if !robust.isEmpty {
            var chart = Plot(title: "validation accuracy per epoch", x: "epoch", y: "accuracy")
            let clean = series("val_accuracy")
            if !clean.isEmpty { chart.line(clean, label: "clean", marker: clean.count <= 20 ? .circle : .none) }
            chart.line(robust, label: "robust (PGD)", style: .dashed, marker: robust.count <= 20 ? .square : .none)
            html += chart.svg
        }
        return html + "</div>"
    }

    public var mimeBundle: MIMEBundle { MIMEBundle(html: html, plainText: line) }
}
