// Progress: what a front end shows while `fit` runs: a progress line for terminals and, for notebooks, a
// MIME bundle with a progress bar and the live loss chart (the kernel updates it in place, throttled).
import Foundation
import RichDisplay

extension TrainingProgress {
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
        for name in ["val_loss", "val_accuracy"] {
            if let last = series(name).last { parts.append("\(name) \(String(format: "%.4f", last))") }
        }
        switch phase {
        case .ended: parts.append("done in \(Self.duration(elapsed))")
        case .stopped(let message): parts.append(message)
        default:
            if let left = estimatedSecondsLeft { parts.append("ETA \(Self.duration(left))") }
        }
        return parts.joined(separator: "  ")
    }

    static func duration(_ seconds: Double) -> String {
        seconds < 60 ? "\(Int(seconds.rounded()))s" : "\(Int(seconds) / 60)m \(Int(seconds) % 60)s"
    }

    /// The notebook view: a progress bar with the line under it, and the loss chart once an epoch has finished.
    public var mimeBundle: MIMEBundle {
        let total = max(epochs * batchesPerEpoch, 1)
        let done = phase == .ended ? total : max(0, epoch - 1) * batchesPerEpoch + batch
        let percent = min(100, Double(done) * 100 / Double(total))
        var html =
            "<div class=\"rigor-progress\"><div style=\"width: 400px; height: 8px; background: #ddd;\">"
            + "<div style=\"width: \(String(format: "%.1f", percent))%; height: 8px; background: #0077bb;\"></div></div>"
            + "<div style=\"font-family: monospace; font-size: 12px;\">\(Markup.escape(line))</div>"
        let train = series("loss")
        if !train.isEmpty {
            let validation = series("val_loss")
            let best = validation.indices.min { validation[$0] < validation[$1] }.map { $0 + 1 }
            html += Plot.training(metric: "loss", train: train, validation: validation, bestEpoch: best).svg
        }
        return MIMEBundle(html: html + "</div>", plainText: line)
    }
}
