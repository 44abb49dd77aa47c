// TrainingProgress: what a front end shows while `fit` runs, drawn by RichDisplay's `TrainingProgressView` (a
// progress line for terminals; for notebooks a progress bar and the live loss chart, which the kernel updates in place).
import Foundation
import RichDisplay

/// Where a running `fit` is, for live progress displays: its phase (the event just heard) and what a front end draws
/// of it, `view`. The view's numbers read and write as the progress's own (`progress.epoch`, `progress.metrics`,
/// `progress.bestEpoch`), so they are declared once, in `RichDisplay.TrainingProgressView`.
@dynamicMemberLookup
public struct TrainingProgress: Sendable {
    public enum Phase: Sendable, Equatable {
        case began, batch, epoch, ended
        /// Stopped by an interrupt or a non-finite loss, with the message the user sees.
        case stopped(String)
    }
    /// The event just heard; the view's state follows it.
    public var phase: Phase {
        didSet { view.state = Self.state(of: phase) }
    }
    /// What a front end draws: the progress line, the bar and the live loss chart.
    public private(set) var view: TrainingProgressView

    /// Training of `epochs` epochs about to begin.
    public init(epochs: Int) {
        phase = .began
        view = TrainingProgressView(
            state: .running, epoch: 0, epochs: epochs, batch: 0, batchesPerEpoch: 0, runningLoss: nil, metrics: [],
            elapsed: 0)
    }

    /// The view's numbers (`epoch`, `batch`, `metrics`, `elapsed`, `bestEpoch` — the best epoch so far, from 1, by
    /// `NeuralNetworks.History.bestEpoch`'s rule).
    public subscript<Member>(dynamicMember keyPath: WritableKeyPath<TrainingProgressView, Member>) -> Member {
        get { view[keyPath: keyPath] }
        set { view[keyPath: keyPath] = newValue }
    }

    private static func state(of phase: Phase) -> TrainingProgressView.State {
        switch phase {
        case .began, .batch, .epoch: return .running
        case .ended: return .finished
        case .stopped(let message): return .stopped(message)
        }
    }
}

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
