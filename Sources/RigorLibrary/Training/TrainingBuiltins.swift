// Training: callbacks, optimizer objects, `fit`, `evaluate`, `trainEpoch` and `History` (the choices `fit` takes,
// optimizers, losses and schedules, are tables in TrainingChoices.swift).
import Foundation
import NeuralNetworks
import RigorScript
import RunLog
import TensorCore

extension RigorLibrary {
    static func registerTraining(in registry: BuiltinRegistry) {
        registry.beginFamily("Training")
        registry.register(optimizers)
        registry.register(losses)
        registry.register(schedules)
        registerCallbacks(in: registry)
        registerOptimizers(in: registry)
        registerFit(in: registry)
        registerHistory(in: registry)
    }

    /// The callback types share one Swift class, so their initializers return the object as a `Value`: the
    /// signature then reads `-> EarlyStopping` (the type's name), not the class's `Callback`.
    private static func registerCallbacks(in registry: BuiltinRegistry) {
        registry.type(
            named: "EarlyStopping", of: CallbackObject.self,
            doc: "Stops `fit` when the validation loss has not improved for `patience` epochs.",
            conformsTo: ["Callback"]
        ).initializer(
            Arg("patience", default: 5), Arg("minDelta", default: 0.0), Arg("restoreBest", default: true),
            Arg("monitor", default: "val_loss"),
            doc: "Stops `fit` when `monitor` has not improved by `minDelta` for `patience` epochs, and (with "
                + "`restoreBest`) puts back the best epoch's weights.",
            example: "EarlyStopping(patience: 3)"
        ) { _, patience, minDelta, restoreBest, monitor in
            let callback = EarlyStopping(
                monitor: monitor, patience: patience, minDelta: minDelta, restoreBestWeights: restoreBest)
            return CallbackObject(callback, spec: "EarlyStopping(patience: \(patience))").scriptValue
        }

        registry.type(
            named: "ReduceLearningRateOnPlateau", of: CallbackObject.self,
            doc: "Multiplies the learning rate by `factor` when the validation loss stalls.", conformsTo: ["Callback"]
        ).initializer(
            Arg("factor", default: 0.1), Arg("patience", default: 10), Arg("minimumRate", default: 0.0),
            doc: "Multiplies the learning rate by `factor` after `patience` epochs without a better validation loss.",
            example: "ReduceLearningRateOnPlateau(factor: 0.5, patience: 2)"
        ) { _, factor, patience, minimumRate in
            let callback = NeuralNetworks.ReduceLearningRateOnPlateau(
                factor: Float(factor), patience: patience, minimumRate: Float(minimumRate))
            return CallbackObject(
                callback, spec: "ReduceLearningRateOnPlateau", typeName: "ReduceLearningRateOnPlateau"
            ).scriptValue
        }

        registry.type(
            named: "LearningRateScheduler", of: CallbackObject.self,
            doc: "Sets the learning rate at the start of every epoch from a schedule.", conformsTo: ["Callback"]
        ).initializer(
            Arg(nil, "schedule", choices: schedules),
            doc: "A per-epoch schedule: `.step(every:factor:)`, `.exponential(factor:)`, `.cosine(epochs:minimum:)`, "
                + "`.warmup(epochs:)` (then constant) or `.constant`.",
            example: "LearningRateScheduler(.cosine(epochs: 30))"
        ) { _, schedule in
            CallbackObject(
                LearningRateScheduler(schedule.schedule), spec: "LearningRateScheduler(.\(schedule.name))",
                typeName: "LearningRateScheduler"
            ).scriptValue
        }
    }

    private static func registerOptimizers(in registry: BuiltinRegistry) {
        registry.type(OptimizerObject.self, doc: "An optimizer bound to a list of parameters.").method(
            "step", doc: "Updates every parameter from its gradient, then clears the gradients.",
            example: "optimizer.step()"
        ) { object, _ in
            object.optimizer.step(object.parameters)
            for parameter in object.parameters { parameter.clearGradient() }
        }
        let parameters = Arg<[Parameter]>(nil, "parameters", type: "[Tensor]") { value, _ in
            guard case .array(let items) = value else { return nil }
            return try items.map { item in
                guard case .object(let tensor as TensorObject) = item, let parameter = tensor.parameter else {
                    throw BuiltinError(.type, "pass a model's parameters: model.parameters")
                }
                return parameter
            }
        }
        let makers: [(String, String, Double, (Float, Float) -> any Optimizer)] = [
            ("Adam", "Adam over `parameters`.", 1e-3, { Adam(learningRate: $0, weightDecay: $1) }),
            ("SGD", "Stochastic gradient descent over `parameters`.", 0.01, { SGD(learningRate: $0, weightDecay: $1) }),
        ]
        for (name, doc, learningRate, make) in makers {
            registry.function(
                name, parameters, Arg("learningRate", default: learningRate), Arg("weightDecay", default: 0.0),
                doc: doc, example: "let optimizer = \(name)(model.parameters, learningRate: 1e-3)"
            ) { _, parameters, learningRate, weightDecay in
                OptimizerObject(make(Float(learningRate), Float(weightDecay)), parameters: parameters)
            }
        }
    }

    private static func registerFit(in registry: BuiltinRegistry) {
        let type = registry.type(ModelObject.self)
        let crossEntropy = Value.implicitMember(ImplicitMember(name: "crossEntropy"))
        type.method(
            "fit", Arg<DatasetObject>(nil, "training"), Arg<DatasetObject?>("validation", default: nil),
            Arg("epochs", default: 10, bound: .atLeast(0)), Arg("batchSize", default: 32, bound: .atLeast(1)),
            Arg(
                "optimizer", choices: optimizers,
                defaultValue: .implicitMember(
                    ImplicitMember(name: "adam", arguments: [("learningRate", .double(1e-3))])),
                text: ".adam(learningRate: 1e-3)",
                also: { value, _ in
                    guard case .object(let object as OptimizerObject) = value else { return nil }
                    return object.optimizer
                }),
            Arg("loss", choices: losses, defaultValue: crossEntropy, text: ".crossEntropy"),
            Arg<[CallbackObject]>("callbacks", default: []),
            adversarialArgument,
            Arg("adversarialRatio", default: 0.5, bound: .within(0...1)), Arg<Seed>.trackedSeed(),
            Arg("verbose", default: false),
            Arg("progress", default: true),
            doc: "Trains the model on seeded mini-batches and returns the per-epoch `History`. In a notebook it "
                + "shows a live progress bar and loss chart (`progress: false` turns that off, e.g. inside a "
                + "search loop). An interrupt stops at the next batch; the model keeps its weights and "
                + "`model.history` the finished epochs. `adversarial: .pgd(epsilon: 0.1, steps: 7)` trains "
                + "adversarially: in each batch a fraction `adversarialRatio` of the rows is replaced by attacks on "
                + "the current weights, and the validation's robust (PGD) accuracy is measured after each epoch.",
            example:
                "let history = model.fit(data.train, validation: data.validation, epochs: 30,\n"
                + "                      optimizer: .adam(learningRate: 1e-3), loss: .crossEntropy,\n"
                + "                      callbacks: [EarlyStopping(patience: 3)], seed: 42)"
        ) {
            object, context, training, validation, epochs, batchSize, optimizer, loss, callbacks, adversarial,
            adversarialRatio, seed, verbose, shows in
            if let reason = object.frozenReason {
                throw BuiltinError(.value, "this model cannot be trained: \(reason)")
            }
            let callbacks = callbacks.map(\.callback)
            // The live display goes through the session's host, as `display(_:)` does: a progress bar and the loss
            // chart replaced in place in a notebook, one line per epoch on a terminal.
            let live = shows ? LiveOutput(context: context, prefix: "rigor-fit") : nil
            var all = callbacks
            let earlyStopping = callbacks.lazy.compactMap { $0 as? EarlyStopping }.first
            let start = Date()
            var progress = TrainingProgress(epochs: epochs)
            func tell(_ phase: TrainingProgress.Phase) {
                progress.phase = phase
                progress.elapsed = Date().timeIntervalSince(start)
                guard let live else { return }
                switch phase {
                case .began: live.begin(progress.mimeBundle)
                case .batch: live.update(progress.mimeBundle)
                case .epoch: live.update(progress.mimeBundle, line: progress.line)
                case .ended: live.end(progress.mimeBundle)
                case .stopped: live.end(progress.mimeBundle, line: progress.line)
                }
            }
            if live != nil || verbose {
                all.append(
                    ProgressCallback { event in
                        switch event {
                        case .began(_, let batches):
                            progress.batchesPerEpoch = batches
                            tell(.began)
                        case .batch(let batch):
                            progress.epoch = batch.epoch + 1
                            progress.batch = batch.batch + 1
                            progress.runningLoss = batch.runningLoss
                            tell(.batch)
                        case .epoch(let logs, let total):
                            for (name, value) in logs.values {
                                if let index = progress.metrics.firstIndex(where: { $0.name == name }) {
                                    progress.metrics[index].values.append(value)
                                } else {
                                    progress.metrics.append((name, [value]))
                                }
                            }
                            progress.bestEpoch = NeuralNetworks.History.bestEpoch(
                                validationLosses: progress.series("val_loss"), restoredEpoch: nil,
                                earlyStopping: earlyStopping
                            ).map { $0 + 1 }
                            if verbose {
                                let values = logs.values.map { "\($0.name) \(format($0.value))" }
                                context.write("epoch \(logs.epoch + 1)/\(total): \(values.joined(separator: "  "))\n")
                            }
                            tell(.epoch)
                        case .ended(let history):
                            progress.bestEpoch = history.bestEpoch.map { $0 + 1 }
                            tell(.ended)
                        }
                    })
            }
            object.inputShape = training.featureShape
            try object.materialize(training.featureShape)
            let adversarialHooks = try Self.adversarialFitHooks(
                adversarial, ratio: adversarialRatio, model: object, training: training, validation: validation,
                loss: loss, seed: seed.value)
            object.fitSeed = seed.value
            // The run log (docs/rigor.md): the start now, each epoch as it ends, the outcome last.
            let recording = RunRecording(context) {
                var start = Self.fitRunStart(
                    object, training: training, validation: validation, epochs: epochs, batchSize: batchSize,
                    optimizer: optimizer, loss: loss, callbacks: callbacks, seed: seed.value)
                start.parameters += adversarialHooks?.settings ?? []
                return start
            }
            // The rigor checks (Rigor/RigorChecks+Training.swift): warnings before it starts, a stop if it explodes.
            let checks = FitChecks(
                context, model: object, training: training, validation: validation, callbacks: callbacks, seed: seed,
                recording: recording)
            all.append(checks.callback)
            if recording.isRecording {
                all.append(
                    ProgressCallback { event in
                        if case .epoch(let logs, _) = event {
                            recording.epoch(logs.epoch + 1, logs.values.map { ($0.name, $0.value) })
                        }
                    })
            }
            do {
                let history = try object.model.fit(
                    training.data, validation: validation?.data, epochs: epochs, batchSize: batchSize, loss: loss,
                    optimizer: optimizer, callbacks: all, seed: seed.generatorSeed,
                    shouldCancel: { (try? context.checkInterrupt()) == nil },
                    transformBatch: adversarialHooks?.transformBatch, epochMetrics: adversarialHooks?.epochMetrics)
                object.lastHistory = history
                checks.finished(history)
                recording.finish(.finished, results: Self.runResults(history))
                return HistoryObject(history)
            } catch let error as TrainingError {
                object.lastHistory = error.history
                let finished = error.history.epochs.count
                let kept = "the model keeps its weights; model.history holds the \(finished) finished epoch(s)"
                tell(.stopped("\(error.message); \(kept)"))
                if error.kind == .cancelled {
                    recording.finish(.interrupted, results: Self.runResults(error.history), message: error.message)
                    throw BuiltinError(.interrupted, "\(error.message); \(kept)")
                }
                recording.finish(.failed, results: Self.runResults(error.history), message: error.message)
                throw BuiltinError(.value, "\(error.message); \(kept)")
            } catch {
                recording.finish(.failed, message: "\(error)")
                return try engine { throw error }
            }
        }
        type.method(
            "evaluate", Arg<DatasetObject>(nil, "data"),
            Arg("loss", choices: losses, defaultValue: crossEntropy, text: ".crossEntropy"),
            doc: "The mean loss over `data` in evaluation mode.",
            example: "let validLoss = model.evaluate(data.validation, loss: .crossEntropy)"
        ) { object, context, data, loss in
            try object.materialize(data.featureShape)
            RigorChecks.checkTestScore(object, on: data, by: "evaluate", in: context)
            let recording = RunRecording(context) {
                RunStart(
                    kind: .evaluate, title: object.runTitle, parameters: [("lossFunction", "\(loss)")],
                    model: object.summaryTable.plainText, data: [("data", data.fingerprint)],
                    versions: RigorLibrary.runVersions)
            }
            do {
                let result = try engine { try object.model.evaluate(data.data, loss: loss) }
                recording.finish(.finished, results: result.map { ($0.name, $0.value) })
                return result.first { $0.name == "loss" }?.value ?? .nan
            } catch {
                recording.finish(.failed, message: "\(error)")
                throw error
            }
        }
        type.method(
            "trainEpoch", Arg<DatasetObject>(nil, "training"), Arg("batchSize", default: 32, bound: .atLeast(1)),
            Arg<OptimizerObject>("optimizer"), Arg<Seed>.trackedSeed(),
            Arg<FunctionValue>(nil, "loss", type: "(Tensor, Tensor) -> Tensor"),
            doc: "One epoch of seeded mini-batches: the closure turns `(outputs, labels)` into a loss tensor; "
                + "returns the mean loss. Checks for interrupts before every batch.",
            example:
                "let loss = model.trainEpoch(data.train, batchSize: 64, optimizer: optimizer, seed: 1) { logits, labels in\n"
                + "    crossEntropy(logits, labels)\n}"
        ) { object, context, training, batchSize, optimizer, seed, closure in
            if let reason = object.frozenReason {
                throw BuiltinError(.value, "this model cannot be trained: \(reason)")
            }
            try object.materialize(training.featureShape)
            guard optimizer.parameters.count >= object.model.parameters.count else {
                throw BuiltinError(
                    .value,
                    "the optimizer has \(optimizer.parameters.count) of the model's \(object.model.parameters.count) "
                        + "parameter tensors (it was made before Dense(out) knew its input size); "
                        + "call model.summary(inputShape:) before making the optimizer", parameter: "optimizer")
            }
            RigorChecks.checkSeed(seed, of: "trainEpoch", in: context)
            let order = training.data.shuffledOrder(seed: seed.generatorSeed, epoch: 0)
            let layerContext = LayerContext(isTraining: true, seed: seed.generatorSeed)
            var total = 0.0
            var seen = 0
            for start in stride(from: 0, to: order.count, by: batchSize) {
                try context.checkInterrupt()
                let batch = try engine {
                    try training.data.subset(Array(order[start..<min(start + batchSize, order.count)]))
                }
                let output = try engine { try object.model.forward(batch.features, context: layerContext) }
                let lossValue = try context.call(closure.value, output.scriptValue, batch.targets.scriptValue)
                guard case .object(let lossObject as TensorObject) = lossValue else {
                    throw BuiltinError(
                        .type, "the loss closure returns a Tensor, not '\(lossValue.typeName)'", parameter: "loss")
                }
                let loss = lossObject.tensor
                let scalar = try engine { try loss.item() }
                try engine { try loss.backward() }
                optimizer.optimizer.step(optimizer.parameters)
                object.model.clearGradients()
                total += Double(scalar) * Double(batch.count)
                seen += batch.count
            }
            object.inputShape = training.featureShape
            object.trainingCount += 1
            return total / Double(max(seen, 1))
        }
    }

    private static func registerHistory(in registry: BuiltinRegistry) {
        let type = registry.type(HistoryObject.self, doc: "The per-epoch metrics of a `fit`.")
        let series: [(String, String, String)] = [
            ("trainLoss", "loss", "The mean training loss per epoch."),
            ("validationLoss", "val_loss", "The validation loss per epoch."),
            ("trainAccuracy", "accuracy", "The training accuracy per epoch."),
            ("validationAccuracy", "val_accuracy", "The validation accuracy per epoch."),
            (
                "validationRobustAccuracy", "val_robust_accuracy",
                "The validation accuracy under PGD per epoch (with `adversarial:`; empty otherwise)."
            ),
            ("learningRate", "learning_rate", "The learning rate per epoch."),
        ]
        for (name, key, doc) in series {
            type.property(name, doc: doc) { $0.history[key] }
        }
        type.property("epochs", doc: "The number of finished epochs.") { $0.history.epochs.count }
        type.property("bestValidationLoss", doc: "The validation loss of `bestEpoch`, or nil without validation.") {
            $0.bestValidationLoss
        }
        type.property(
            "bestEpoch",
            doc: "The best epoch (from 1): the one whose weights `EarlyStopping(restoreBest: true)` put back (its "
                + "`minDelta` decides what counts as better), else the one with the lowest validation loss."
        ) { $0.bestEpoch }
        type.property(
            "restoredEpoch",
            doc: "The epoch (from 1) whose weights the model holds because `EarlyStopping` restored them, or nil "
                + "when it holds the last epoch's."
        ) { $0.history.restoredEpoch.map { $0 + 1 } }
        type.property("stopReason", doc: "Why training stopped early, or nil.") { $0.history.stopReason }
        type.subscriptGetter { object, indices, _ in
            guard indices.count == 1, let name = indices[0].stringValue else {
                throw BuiltinError(.type, "a history is indexed by a metric name: history[\"val_loss\"]")
            }
            let history = object.history
            guard history.metricNames.contains(name) else {
                throw BuiltinError(
                    .index, "no metric '\(name)'; metrics: \(history.metricNames.joined(separator: ", "))")
            }
            return history[name].scriptValue
        }
    }

    /// A fit's final numbers for the run log: the last epoch's metrics and, when there is one, the best epoch.
    static func runResults(_ history: NeuralNetworks.History) -> [(String, Double)] {
        var results = history.epochs.last.map { $0.values.map { ($0.name, $0.value) } } ?? []
        if let best = history.bestEpoch { results.append(("bestEpoch", Double(best + 1))) }
        results.append(("epochs", Double(history.epochs.count)))
        return results
    }

    /// What the run log records when a `fit` begins.
    static func fitRunStart(
        _ object: ModelObject, training: DatasetObject, validation: DatasetObject?, epochs: Int, batchSize: Int,
        optimizer: any Optimizer, loss: Loss, callbacks: [any Callback], seed: Int
    ) -> RunStart {
        var parameters: [(String, String)] = [
            ("epochs", String(epochs)), ("batchSize", String(batchSize)),
            ("optimizer", optimizerSpelling(optimizer)),
            ("lossFunction", String(describing: loss)),
        ]
        if !callbacks.isEmpty {
            let names: [String] = callbacks.map { callback in
                (callback as? ScriptNamedCallback)?.scriptName ?? String(describing: type(of: callback))
            }
            parameters.append(("callbacks", names.joined(separator: ", ")))
        }
        var data: [(String, DataFingerprint)] = [("training", training.fingerprint)]
        if let validation { data.append(("validation", validation.fingerprint)) }
        return RunStart(
            kind: .fit, title: object.runTitle, parameters: parameters, seed: seed,
            model: object.summaryTable.plainText, data: data, versions: RigorLibrary.runVersions)
    }
}
