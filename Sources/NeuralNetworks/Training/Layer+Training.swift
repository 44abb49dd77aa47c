// Layer+Training: fit (epochs of seeded mini-batches, validation, callbacks, cancellation, NaN stop), evaluate, predict.
import TensorCore

extension Layer {
    /// Trains the model on `training` and returns the per-epoch history.
    ///
    /// Each epoch takes the examples in `batchOrder(epoch)` if given, else in a seeded shuffle (`shuffle`), else in
    /// order; batches of `batchSize` keep the last partial one. Per batch: check `shouldCancel` (the kernel's
    /// interrupt), forward in training mode, loss, backward, optimizer step, clear gradients; a NaN/Inf loss stops
    /// with a `TrainingError` naming the epoch and batch. After each epoch: the mean training loss (and accuracy for
    /// classification losses), the same on `validation` in evaluation mode (`val_` names), the learning rate; then the
    /// callbacks, which may stop training.
    ///
    /// Two hooks let a caller change what is trained on and what is measured without a loop of its own (adversarial
    /// training uses both): `transformBatch(batch, epoch, batchIndex)` replaces each training batch before the forward
    /// pass (the training loss and accuracy are then those of the batches it returns); `epochMetrics(epoch)` adds
    /// metrics after validation, before the callbacks see the epoch.
    ///
    /// - Throws: `TrainingError` (cancelled, non-finite loss), `NeuralNetworkError`, `TensorError`.
    @discardableResult
    public func fit(
        _ training: Dataset, validation: Dataset? = nil, epochs: Int, batchSize: Int = 32,
        loss: Loss = .crossEntropy(), optimizer: any Optimizer, callbacks: [any Callback] = [],
        shuffle: Bool = true, seed: UInt64 = 0, batchOrder: ((Int) -> [Int])? = nil,
        shouldCancel: () -> Bool = { false },
        transformBatch: ((Dataset, _ epoch: Int, _ batch: Int) throws -> Dataset)? = nil,
        epochMetrics: ((_ epoch: Int) throws -> [(name: String, value: Double)])? = nil
    ) throws -> History {
        guard epochs >= 0, batchSize > 0, training.count > 0 else {
            throw NeuralNetworkError("fit", "need epochs ≥ 0, batch size > 0 and a non-empty training set")
        }
        let batchesPerEpoch = (training.count + batchSize - 1) / batchSize
        let state = TrainingState(
            model: self, optimizer: optimizer, epochs: epochs, batchesPerEpoch: batchesPerEpoch)
        let context = LayerContext(isTraining: true, seed: seed)
        let parameters = self.parameters
        for callback in callbacks { try callback.trainingWillBegin(state) }
        for epoch in 0..<epochs {
            for callback in callbacks { try callback.epochWillBegin(epoch, state: state) }
            let order: [Int]
            if let batchOrder {
                order = batchOrder(epoch)
                guard order.count == training.count, Set(order).count == order.count,
                    order.allSatisfy({ (0..<training.count).contains($0) })
                else {
                    throw NeuralNetworkError(
                        "fit", "batchOrder(\(epoch)) is not a permutation of 0..<\(training.count)")
                }
            } else {
                order = shuffle ? training.shuffledOrder(seed: seed, epoch: epoch) : Array(0..<training.count)
            }
            var lossSum = 0.0
            var seen = 0
            var tally = AccuracyTally()
            for (batchIndex, start) in stride(from: 0, to: order.count, by: batchSize).enumerated() {
                if shouldCancel() {
                    throw TrainingError(
                        kind: .cancelled, epoch: epoch, batch: batchIndex, history: state.history,
                        message: "fit: interrupted at epoch \(epoch + 1), batch \(batchIndex + 1) of \(batchesPerEpoch)"
                    )
                }
                var batch = try training.subset(Array(order[start..<min(start + batchSize, order.count)]))
                if let transformBatch { batch = try transformBatch(batch, epoch, batchIndex) }
                let output = try forward(batch.features, context: context)
                let value = try loss(output, batch.targets, mask: batch.mask)
                let scalar = try value.item()
                guard scalar.isFinite else {
                    clearGradients()
                    throw TrainingError(
                        kind: .nonFiniteLoss, epoch: epoch, batch: batchIndex, history: state.history,
                        message: "fit: the loss became \(scalar.isNaN ? "NaN" : "infinite") at epoch \(epoch + 1), "
                            + "batch \(batchIndex + 1) (learning rate \(optimizer.learningRate)); try a lower learning "
                            + "rate, gradient clipping, or check the data for NaN")
                }
                try value.backward()
                optimizer.step(parameters)
                clearGradients()
                lossSum += Double(scalar) * Double(batch.count)
                seen += batch.count
                if loss.isClassification { try tally.add(output.detached(), batch, loss: loss) }
                let progress = BatchProgress(
                    epoch: epoch, batch: batchIndex, batchesPerEpoch: batchesPerEpoch, loss: Double(scalar),
                    runningLoss: lossSum / Double(seen))
                for callback in callbacks { try callback.batchDidEnd(progress, state: state) }
                // A callback that stops training at a batch ends the epoch there (RigorLibrary's exploding-loss check).
                if state.shouldStop { break }
            }
            var values: [(name: String, value: Double)] = [("loss", lossSum / Double(max(seen, 1)))]
            if loss.isClassification { values.append(("accuracy", tally.accuracy)) }
            if let validation {
                for (name, value) in try evaluate(validation, loss: loss, batchSize: max(batchSize, 256)) {
                    values.append(("val_" + name, value))
                }
            }
            if let epochMetrics { values += try epochMetrics(epoch) }
            values.append(("learning_rate", Double(optimizer.learningRate)))
            let logs = EpochLogs(epoch: epoch, values: values)
            state.history.epochs.append(logs)
            for callback in callbacks { try callback.epochDidEnd(logs, state: state) }
            if state.shouldStop {
                state.history.stopReason = state.stopReason ?? "stopped by a callback after epoch \(epoch + 1)"
                break
            }
        }
        for callback in callbacks { try callback.trainingDidEnd(state) }
        return state.history
    }

    /// The mean loss (and accuracy, for classification losses) over `data` in evaluation mode, without a graph.
    public func evaluate(
        _ data: Dataset, loss: Loss = .crossEntropy(), batchSize: Int = 256
    ) throws
        -> [(name: String, value: Double)]
    {
        try noGrad {
            var lossSum = 0.0
            var weight = 0.0
            var tally = AccuracyTally()
            for batch in try data.batches(size: batchSize) {
                let output = try forward(batch.features, context: .evaluation)
                let value = try loss(output, batch.targets, mask: batch.mask).item()
                lossSum += Double(value) * Double(batch.count)
                weight += Double(batch.count)
                if loss.isClassification { try tally.add(output, batch, loss: loss) }
            }
            var result: [(name: String, value: Double)] = [("loss", lossSum / max(weight, 1))]
            if loss.isClassification { result.append(("accuracy", tally.accuracy)) }
            return result
        }
    }

    /// The model's outputs for `features` in evaluation mode, computed in batches without a graph.
    ///
    /// - Shape: `[N, ...] → [N, ...output]`.
    public func predict(_ features: Tensor, batchSize: Int = 256) throws -> Tensor {
        try noGrad {
            guard features.rank >= 1, features.shape[0] > 0 else { return try forward(features, context: .evaluation) }
            let count = features.shape[0]
            var outputs: [Tensor] = []
            for start in stride(from: 0, to: count, by: batchSize) {
                let slice = try features.sliced(alongAxis: 0, from: start, to: min(start + batchSize, count))
                outputs.append(try forward(slice, context: .evaluation))
            }
            return outputs.count == 1 ? outputs[0] : try Tensor.concatenate(outputs, alongAxis: 0)
        }
    }

    /// Predicted class ids: the argmax over the last axis of `predict` (or `output > 0` for a single logit).
    public func predictClasses(_ features: Tensor, batchSize: Int = 256) throws -> [Int] {
        let output = try predict(features, batchSize: batchSize)
        if output.shape.last == 1 { return output.scalars.map { $0 > 0 ? 1 : 0 } }
        return try output.argmax(alongAxis: -1).indices
    }
}

/// Counts correct predictions over batches (argmax for cross-entropy, threshold for binary cross-entropy), skipping
/// masked positions.
struct AccuracyTally {
    var correct = 0.0
    var total = 0.0

    var accuracy: Double { total > 0 ? correct / total : 0 }

    mutating func add(_ output: Tensor, _ batch: Dataset, loss: Loss) throws {
        let targets = batch.targets.scalars
        let mask = batch.mask?.scalars
        let predictions: [Float]
        switch loss {
        case .binaryCrossEntropy(let fromLogits):
            let threshold: Float = fromLogits ? 0 : 0.5
            predictions = output.scalars.map { $0 > threshold ? 1 : 0 }
        default:
            if batch.targets.shape == output.shape {  // probability targets: compare argmaxes
                let predicted = try output.argmax(alongAxis: -1).indices
                let actual = try batch.targets.argmax(alongAxis: -1).indices
                correct += Double(zip(predicted, actual).filter { $0 == $1 }.count)
                total += Double(predicted.count)
                return
            }
            predictions = try output.argmax(alongAxis: -1).indices.map(Float.init)
        }
        guard predictions.count == targets.count else { return }
        for index in targets.indices where mask?[index] ?? 1 != 0 {
            total += 1
            if predictions[index] == targets[index].rounded() { correct += 1 }
        }
    }
}
