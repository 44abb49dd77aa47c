import Foundation
import RigorLibrary

/// LiveTrainingDisplay: shows a running `fit` in the notebook — a progress bar and the loss chart
/// in one output, replaced in place (`update_display_data`) a few times a second, and left in
/// its final state when training ends or is interrupted.
///
/// It runs on the interpreter thread (the library calls it from inside `fit`); in a cell it is the cell's output,
/// in an `interact` run the Output widget's.
final class LiveTrainingDisplay {
    /// At most this many updates a second, at batches and epoch ends alike (a small model finishes an epoch in a
    /// few milliseconds; one chart per epoch would flood the front end); the final state is always sent.
    static let updatesPerSecond = 4.0

    private let host: KernelHost
    private var displayID: String?
    private var lastUpdate = Date.distantPast

    init(host: KernelHost) {
        self.host = host
    }

    func show(_ progress: TrainingProgress) {
        guard host.hasSink else { return }
        let now = Date()
        switch progress.phase {
        case .began:
            let id = "rigor-fit-" + UUID().uuidString.lowercased()
            displayID = id
            lastUpdate = now
            host.display(progress.mimeBundle, id: id)
        case .batch, .epoch:
            guard let id = displayID, now.timeIntervalSince(lastUpdate) >= 1 / Self.updatesPerSecond else { return }
            lastUpdate = now
            host.updateDisplay(progress.mimeBundle, id: id)
        case .ended, .stopped:
            guard let id = displayID else { return }
            host.updateDisplay(progress.mimeBundle, id: id)
            displayID = nil
        }
    }
}
