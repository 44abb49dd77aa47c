// RigorChecks+Training: the checks around `fit` and a model's scores — the test split steering a fit (validation,
// early stopping) or scoring a model again after more training, leaked scaling, unwritten seeds, an exploding loss
// (the fit stops), and overfitting read from the finished history.
import Foundation
import NeuralNetworks
import RigorScript

extension RigorChecks {
    /// A random operation: noted for `reproducibility()`, and when called without `seed:` warned about once per cell
    /// and operation, with the seed it used.
    static func checkSeed(
        _ seed: Seed, of operation: String, in context: CallContext, recording: RunRecording? = nil
    ) {
        let checks = of(context)
        checks.noteRandom(operation, seed: seed, origin: RigorLibrary.runRecorder(context).origin)
        guard !seed.isGiven else { return }
        checks.warn(
            RigorWarning(
                check: .unseeded,
                summary: "\(operation) is random and was called without seed:, so it used seed \(seed.value)",
                details: ["its result depends on the seed, and a reader cannot see which one it was"],
                advice: "write seed: \(seed.value) in the call to pin this result (and try a few seeds to see how "
                    + "much the result moves)",
                cause: operation), in: context, recording: recording)
    }

    /// A model scored on a split's test part (`evaluate`, `accuracy`): warns when this test set already scored the
    /// model before its latest training (the first test score then steered a decision), and when the test data's
    /// scaler saw rows outside the model's training data.
    static func checkTestScore(
        _ model: ModelObject, on data: DatasetObject, by builtin: String, in context: CallContext
    ) {
        let checks = of(context)
        if let training = model.trainedOn, checks.isEnabled(.preprocessingLeak),
            let leak = scalingLeak(data, role: data.role?.rawValue ?? "scored", training: training)
        {
            checks.warn(leak, in: context)
        }
        guard data.role == .test, checks.isEnabled(.testSplit) else { return }
        let key = data.fingerprint.hex
        guard let first = model.testScores[key] else {
            model.testScores[key] = model.trainingCount
            return
        }
        guard first < model.trainingCount else { return }
        checks.warn(
            RigorWarning(
                check: .testSplit,
                summary: "the test split scores this model a second time, after it was trained again: the first "
                    + "test score was seen, so the test split is now steering the model",
                details: [
                    "\(builtin) on the same \(data.data.count) test rows; the model was trained "
                        + "\(model.trainingCount - first) more time(s) since its first test score"
                ],
                advice: "compare and tune on the validation split (data.validation); score on the test split once, "
                    + "at the end, with the model you chose",
                cause: "rescore \(key)"), in: context)
    }
}

/// The checks of one `fit`: what is wrong before it starts (test data steering it, leaked scaling, no seed), a
/// callback that stops it when the loss explodes, and what the finished history shows (overfitting).
final class FitChecks {
    /// A batch loss this many times the first batch's is an explosion.
    static let explosionFactor = 1000.0
    /// Overfitting: at least this many epochs after the best validation loss, ending this much above it, while the
    /// training loss fell.
    static let overfittingEpochs = 5
    static let overfittingRise = 0.1

    private let context: CallContext
    private let checks: RigorChecks
    private let recording: RunRecording
    private let watch = ExplosionWatch()

    init(
        _ context: CallContext, model: ModelObject, training: DatasetObject, validation: DatasetObject?,
        callbacks: [any Callback], seed: Seed, recording: RunRecording
    ) {
        self.context = context
        self.recording = recording
        checks = RigorChecks.of(context)
        model.trainingCount += 1
        model.trainedOn = training
        if let validation, validation.role == .test {
            let steers =
                callbacks.contains { $0 is EarlyStopping }
                ? "EarlyStopping picks the epoch (and the weights) by the test loss"
                : callbacks.contains { $0 is NeuralNetworks.ReduceLearningRateOnPlateau }
                    ? "ReduceLearningRateOnPlateau changes the learning rate by the test loss"
                    : "the test loss is what you will read to judge this fit"
            warn(
                RigorWarning(
                    check: .testSplit,
                    summary: "the validation data given to fit is the test split, so the test data steers this fit",
                    details: [steers, "a test score of this model is no longer an unbiased estimate"],
                    advice: "pass the validation split (validation: data.validation) and keep data.test for one "
                        + "final score",
                    cause: "validation"))
        }
        for (data, role) in [(training, "training"), (validation, "validation")] {
            guard let data, let leak = RigorChecks.scalingLeak(data, role: role, training: training) else { continue }
            warn(leak)
        }
        RigorChecks.checkSeed(seed, of: "fit", in: context, recording: recording)
    }

    /// The callback to add to the fit: it stops training at the end of the epoch in which the loss exploded.
    var callback: any Callback { watch }

    private func warn(_ warning: RigorWarning) {
        checks.warn(warning, in: context, recording: recording)
    }

    /// After a fit that returned: the explosion, if there was one, and overfitting.
    func finished(_ history: NeuralNetworks.History) {
        if let explosion = watch.explosion {
            warn(
                RigorWarning(
                    check: .explodingLoss,
                    summary: "the training loss exploded: \(short(explosion.first)) at the first batch, "
                        + "\(short(explosion.loss)) at epoch \(explosion.epoch + 1), batch \(explosion.batch + 1) "
                        + "(×\(short(explosion.loss / explosion.first))); the fit stopped there",
                    details: [
                        "learning rate \(short(Double(explosion.learningRate))); the model holds the diverged "
                            + "weights"
                    ],
                    advice: "lower the learning rate (try ÷10 until the loss falls), clip gradients, standardize the "
                        + "features, and train again from new weights",
                    cause: "explosion"))
            return
        }
        guard checks.objectivesRunning == 0, let warning = Self.overfitting(history) else { return }
        warn(warning)
    }

    /// The overfitting warning for a history, if it shows validation loss rising while the training loss falls.
    static func overfitting(_ history: NeuralNetworks.History) -> RigorWarning? {
        let validation = history["val_loss"]
        let training = history["loss"]
        guard history.restoredEpoch == nil, validation.count == training.count, validation.count > overfittingEpochs,
            validation.allSatisfy(\.isFinite),
            let best = validation.indices.min(by: { validation[$0] < validation[$1] })
        else { return nil }
        let last = validation.count - 1
        guard last - best >= overfittingEpochs,
            validation[last] >= validation[best] + overfittingRise * abs(validation[best]),
            training[last] < training[best]
        else { return nil }
        return RigorWarning(
            check: .overfitting,
            summary: "the model is overfitting since epoch \(best + 2): validation loss rose from "
                + "\(format(validation[best])) (epoch \(best + 1)) to \(format(validation[last])) (epoch \(last + 1)) "
                + "while the training loss fell from \(format(training[best])) to \(format(training[last]))",
            details: ["the model holds epoch \(last + 1)'s weights, not the best epoch's"],
            advice: "stop at the best epoch with callbacks: [EarlyStopping(patience: 3)] (it restores the best "
                + "weights), or regularise: Dropout, weightDecay, a smaller model, more data",
            cause: "overfitting")
    }
}

/// Three significant digits, in scientific notation when large or small: 2.42, 3.21e+03, 1e+04.
private func short(_ value: Double) -> String { String(format: "%.3g", value) }

/// Watches the batch losses of a fit; when one exceeds `FitChecks.explosionFactor` times the first, stops the fit
/// after that batch.
private final class ExplosionWatch: Callback {
    struct Explosion {
        let epoch: Int
        let batch: Int
        let first: Double
        let loss: Double
        let learningRate: Float
    }
    private var first: Double?
    private(set) var explosion: Explosion?

    func batchDidEnd(_ progress: BatchProgress, state: TrainingState) throws {
        guard explosion == nil, progress.loss.isFinite else { return }
        guard let first else {
            if progress.loss > 0 { self.first = progress.loss }
            return
        }
        guard progress.loss > FitChecks.explosionFactor * first else { return }
        explosion = Explosion(
            epoch: progress.epoch, batch: progress.batch, first: first, loss: progress.loss,
            learningRate: state.optimizer.learningRate)
        state.shouldStop = true
        state.stopReason =
            "stopped at epoch \(progress.epoch + 1), batch \(progress.batch + 1): the loss exploded "
            + "(\(short(progress.loss)), ×\(short(progress.loss / first)) the first batch's)"
    }
}
