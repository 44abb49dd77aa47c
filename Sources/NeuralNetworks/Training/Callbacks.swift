// The stock callbacks: EarlyStopping, ModelCheckpoint, LearningRateScheduler, ProgressCallback.
import Foundation
import TensorCore

/// Whether a smaller or a larger monitored value is better.
public enum MonitorMode: Sendable, Equatable {
    case minimum, maximum

    /// `minimum` for losses and errors, `maximum` for accuracies, AUC and the like.
    static func inferred(for name: String) -> MonitorMode {
        name.contains("loss") || name.contains("error") || name.hasSuffix("mse") || name.hasSuffix("mae")
            ? .minimum : .maximum
    }

    func isImprovement(_ value: Double, over best: Double?, minDelta: Double) -> Bool {
        guard let best else { return true }
        return self == .minimum ? value < best - minDelta : value > best + minDelta
    }
}

/// Stops training when `monitor` has not improved by more than `minDelta` for `patience` epochs; optionally puts
/// back the weights of the best epoch.
public final class EarlyStopping: Callback {
    public let monitor: String
    public let patience: Int
    public let minDelta: Double
    public let mode: MonitorMode
    public let restoreBestWeights: Bool
    public private(set) var bestValue: Double?
    public private(set) var bestEpoch: Int?
    var bestWeights: [[Float]]?
    var waited = 0

    public init(
        monitor: String = "val_loss", patience: Int = 5, minDelta: Double = 0, mode: MonitorMode? = nil,
        restoreBestWeights: Bool = true
    ) {
        self.monitor = monitor
        self.patience = patience
        self.minDelta = minDelta
        self.mode = mode ?? MonitorMode.inferred(for: monitor)
        self.restoreBestWeights = restoreBestWeights
    }

    public func trainingWillBegin(_ state: TrainingState) throws {
        bestValue = nil
        bestEpoch = nil
        bestWeights = nil
        waited = 0
    }

    public func epochDidEnd(_ logs: EpochLogs, state: TrainingState) throws {
        guard let value = logs[monitor] else {
            throw NeuralNetworkError(
                "EarlyStopping", "no metric '\(monitor)' (have: \(logs.values.map(\.name).joined(separator: ", ")))")
        }
        if mode.isImprovement(value, over: bestValue, minDelta: minDelta) {
            bestValue = value
            bestEpoch = logs.epoch
            waited = 0
            if restoreBestWeights { bestWeights = state.model.snapshot() }
        } else {
            waited += 1
            if waited >= patience {
                state.shouldStop = true
                state.stopReason =
                    "EarlyStopping: \(monitor) did not improve for \(patience) epochs after epoch \((bestEpoch ?? 0) + 1)"
            }
        }
    }

    public func trainingDidEnd(_ state: TrainingState) throws {
        if restoreBestWeights, let bestWeights, let bestEpoch, bestEpoch != state.history.epochs.last?.epoch {
            try state.model.restore(bestWeights)
            state.history.restoredEpoch = bestEpoch
        }
    }
}

/// Saves the model's weights (safetensors, atomically) after an epoch: every epoch, or only when `monitor` improved.
public final class ModelCheckpoint: Callback {
    public let path: String
    public let monitor: String
    public let saveBestOnly: Bool
    public let mode: MonitorMode
    public private(set) var bestValue: Double?
    /// The epochs whose weights were written.
    public private(set) var savedEpochs: [Int] = []

    public init(path: String, monitor: String = "val_loss", saveBestOnly: Bool = true, mode: MonitorMode? = nil) {
        self.path = path
        self.monitor = monitor
        self.saveBestOnly = saveBestOnly
        self.mode = mode ?? MonitorMode.inferred(for: monitor)
    }

    public func epochDidEnd(_ logs: EpochLogs, state: TrainingState) throws {
        if saveBestOnly {
            guard let value = logs[monitor] else {
                throw NeuralNetworkError("ModelCheckpoint", "no metric '\(monitor)'")
            }
            guard mode.isImprovement(value, over: bestValue, minDelta: 0) else { return }
            bestValue = value
        }
        try Checkpoint.save(
            state.model, to: path, metadata: ["epoch": String(logs.epoch), "monitor": monitor])
        savedEpochs.append(logs.epoch)
    }
}

/// Sets the optimizer's learning rate at the start of each epoch from a schedule and the rate it started with.
public final class LearningRateScheduler: Callback {
    public let schedule: LearningRateSchedule
    var baseRate: Float = 0

    public init(_ schedule: LearningRateSchedule) { self.schedule = schedule }

    public func trainingWillBegin(_ state: TrainingState) throws { baseRate = state.optimizer.learningRate }

    public func epochWillBegin(_ epoch: Int, state: TrainingState) throws {
        state.optimizer.learningRate = schedule.rate(atEpoch: epoch, base: baseRate)
    }
}

/// Multiplies the learning rate by `factor` when `monitor` has not improved by more than `minDelta` for `patience`
/// epochs (then waits `cooldown` epochs), never going below `minimumRate`.
public final class ReduceLearningRateOnPlateau: Callback {
    public let monitor: String
    public let factor: Float
    public let patience: Int
    public let minDelta: Double
    public let cooldown: Int
    public let minimumRate: Float
    public let mode: MonitorMode
    var best: Double?
    var waited = 0
    var coolingDown = 0

    public init(
        monitor: String = "val_loss", factor: Float = 0.1, patience: Int = 10, minDelta: Double = 1e-4,
        cooldown: Int = 0, minimumRate: Float = 0, mode: MonitorMode? = nil
    ) {
        self.monitor = monitor
        self.factor = factor
        self.patience = patience
        self.minDelta = minDelta
        self.cooldown = cooldown
        self.minimumRate = minimumRate
        self.mode = mode ?? MonitorMode.inferred(for: monitor)
    }

    public func trainingWillBegin(_ state: TrainingState) throws {
        best = nil
        waited = 0
        coolingDown = 0
    }

    public func epochDidEnd(_ logs: EpochLogs, state: TrainingState) throws {
        guard let value = logs[monitor] else {
            throw NeuralNetworkError("ReduceLearningRateOnPlateau", "no metric '\(monitor)'")
        }
        if coolingDown > 0 { coolingDown -= 1 }
        if mode.isImprovement(value, over: best, minDelta: minDelta) {
            best = value
            waited = 0
        } else if coolingDown == 0 {
            waited += 1
            if waited >= patience {
                state.optimizer.learningRate = max(state.optimizer.learningRate * factor, minimumRate)
                waited = 0
                coolingDown = cooldown
            }
        }
    }
}

/// An event a `ProgressCallback` reports (what a notebook renders live).
public enum TrainingEvent: Sendable, Equatable {
    case began(epochs: Int, batchesPerEpoch: Int)
    case batch(BatchProgress)
    case epoch(EpochLogs, of: Int)
    case ended(History)
}

/// Reports progress to a closure: the start, every `batchInterval`-th batch (and each epoch's last), every epoch's
/// metrics, the end.
public final class ProgressCallback: Callback {
    public let batchInterval: Int
    let report: (TrainingEvent) throws -> Void

    public init(batchInterval: Int = 1, report: @escaping (TrainingEvent) throws -> Void) {
        self.batchInterval = max(batchInterval, 1)
        self.report = report
    }

    public func trainingWillBegin(_ state: TrainingState) throws {
        try report(.began(epochs: state.epochs, batchesPerEpoch: state.batchesPerEpoch))
    }

    public func batchDidEnd(_ progress: BatchProgress, state: TrainingState) throws {
        if (progress.batch + 1) % batchInterval == 0 || progress.batch + 1 == progress.batchesPerEpoch {
            try report(.batch(progress))
        }
    }

    public func epochDidEnd(_ logs: EpochLogs, state: TrainingState) throws {
        try report(.epoch(logs, of: state.epochs))
    }

    public func trainingDidEnd(_ state: TrainingState) throws { try report(.ended(state.history)) }
}
