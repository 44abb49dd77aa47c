// Progress: what a front end shows while `fit` runs, drawn by RichDisplay's `TrainingProgressView` (a progress
// line for terminals; for notebooks a progress bar and the live loss chart, which the kernel updates in place).
import Foundation
import RichDisplay

extension TrainingProgress {
    /// The series of one metric per finished epoch (empty if not measured).
    public func series(_ name: String) -> [Double] { view.series(name) }

    /// Seconds left at the current pace, once a batch has run.
    public var estimatedSecondsLeft: Double? { view.estimatedSecondsLeft }

    /// One line of text: `epoch 3/10  batch 12/40  loss 0.4211  val_loss 0.3904  ETA 12s`.
    public var line: String { view.line }

    /// The notebook view: a progress bar with the line under it, and the loss chart once an epoch has finished.
    public var mimeBundle: MIMEBundle { view.mimeBundle }
}
