// Callback: hooks into the training loop, and the TrainingState they see and steer.
import TensorCore

/// The live state of a `fit`, shared with callbacks: they read it and may stop training or change the learning rate.
public final class TrainingState {
    /// The model being trained.
    public let model: any Layer
    /// Its optimizer (callbacks may change `learningRate`).
    public let optimizer: any Optimizer
    /// Epochs requested and batches per epoch.
    public let epochs: Int
    public let batchesPerEpoch: Int
    /// The epochs finished so far.
    public internal(set) var history = History()
    /// Set by a callback to end training: after the current epoch, or, when set in `batchDidEnd`, after that batch
    /// (the epoch's metrics then cover the batches it ran).
    public var shouldStop = false
    /// Why a callback stopped training.
    public var stopReason: String?

    init(model: any Layer, optimizer: any Optimizer, epochs: Int, batchesPerEpoch: Int) {
        self.model = model
        self.optimizer = optimizer
        self.epochs = epochs
        self.batchesPerEpoch = batchesPerEpoch
    }
}

/// One finished batch.
public struct BatchProgress: Sendable, Equatable {
    /// Epoch and batch, from 0.
    public let epoch: Int
    public let batch: Int
    public let batchesPerEpoch: Int
    /// This batch's loss and the epoch's running mean loss.
    public let loss: Double
    public let runningLoss: Double
}

/// Hooks the training loop calls; every method has an empty default.
public protocol Callback: AnyObject {
    func trainingWillBegin(_ state: TrainingState) throws
    func epochWillBegin(_ epoch: Int, state: TrainingState) throws
    func batchDidEnd(_ progress: BatchProgress, state: TrainingState) throws
    /// Called after validation; `logs` is already appended to `state.history`.
    func epochDidEnd(_ logs: EpochLogs, state: TrainingState) throws
    func trainingDidEnd(_ state: TrainingState) throws
}

extension Callback {
    public func trainingWillBegin(_ state: TrainingState) throws {}
    public func epochWillBegin(_ epoch: Int, state: TrainingState) throws {}
    public func batchDidEnd(_ progress: BatchProgress, state: TrainingState) throws {}
    public func epochDidEnd(_ logs: EpochLogs, state: TrainingState) throws {}
    public func trainingDidEnd(_ state: TrainingState) throws {}
}

extension Layer {
    /// A copy of every parameter's and buffer's scalars (for restoring best weights).
    public func snapshot() -> [[Float]] { namedParameters.map(\.parameter.value.scalars) }

    /// Writes back a `snapshot()` taken from this model.
    public func restore(_ snapshot: [[Float]]) throws {
        let parameters = namedParameters
        guard parameters.count == snapshot.count else {
            throw NeuralNetworkError(
                "restore", "the snapshot has \(snapshot.count) tensors, the model \(parameters.count)")
        }
        for (entry, values) in zip(parameters, snapshot) { try entry.parameter.assign(values) }
    }
}
