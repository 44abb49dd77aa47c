// Training: optimizers and losses as implicit members, callbacks, `fit`, `evaluate` and `History`.
import Foundation
import NeuralNetworks
import RigorScript
import TensorCore

extension RigorLibrary {
    static func registerTraining(in registry: BuiltinRegistry, observer: TrainingObserver?) {
        registry.beginFamily("Training")
        for (name, doc) in [
            ("adam", "Adam: `.adam(learningRate: 1e-3, weightDecay: 0)`."),
            ("adamW", "AdamW (decoupled weight decay): `.adamW(learningRate: 1e-3, weightDecay: 0.01)`."),
            ("sgd", "SGD: `.sgd(learningRate: 0.01, momentum: 0.9, weightDecay: 0)`."),
            ("rmsProp", "RMSProp: `.rmsProp(learningRate: 0.01, momentum: 0, weightDecay: 0)`."),
            ("crossEntropy", "Softmax cross-entropy against class ids (`labelSmoothing:` optional)."),
            ("binaryCrossEntropy", "Binary cross-entropy on one logit per example."),
            ("mse", "Mean squared error."), ("mae", "Mean absolute error."), ("huber", "Huber loss (`delta:`)."),
        ] {
            registry.registerImplicitMember(name, doc: doc)
        }
        registerCallbacks(in: registry)
        registerOptimizers(in: registry)
        registerFit(in: registry, observer: observer)
        registerHistory(in: registry)
    }

    private static func registerCallbacks(in registry: BuiltinRegistry) {
        let type = TypeDescriptor(
            "EarlyStopping", doc: "Stops `fit` when the validation loss has not improved for `patience` epochs.")
        type.conformances = ["Callback"]
        type.initializer(
            [
                param("patience", "patience", "Int", default: .int(5)),
                param("minDelta", "minDelta", "Double", default: .double(0)),
                param("restoreBest", "restoreBest", "Bool", default: .bool(true)),
                param("monitor", "monitor", "String", default: .string("val_loss")),
            ],
            doc: "Stops `fit` when `monitor` has not improved by `minDelta` for `patience` epochs, and (with "
                + "`restoreBest`) puts back the best epoch's weights.",
            example: "EarlyStopping(patience: 3)"
        ) { arguments, _ in
            let patience = try arguments.int(0)
            let callback = EarlyStopping(
                monitor: try arguments.string(3), patience: patience, minDelta: try arguments.double(1),
                restoreBestWeights: try arguments.bool(2))
            return .object(CallbackObject(callback, spec: "EarlyStopping(patience: \(patience))"))
        }
        registry.register(type)

        let plateau = TypeDescriptor(
            "ReduceLearningRateOnPlateau",
            doc: "Multiplies the learning rate by `factor` when the validation loss stalls.")
        plateau.conformances = ["Callback"]
        plateau.initializer(
            [
                param("factor", "factor", "Double", default: .double(0.1)),
                param("patience", "patience", "Int", default: .int(10)),
                param("minimumRate", "minimumRate", "Double", default: .double(0)),
            ],
            doc: "Multiplies the learning rate by `factor` after `patience` epochs without a better validation loss.",
            example: "ReduceLearningRateOnPlateau(factor: 0.5, patience: 2)"
        ) { arguments, _ in
            let callback = NeuralNetworks.ReduceLearningRateOnPlateau(
                factor: Float(try arguments.double(0)), patience: try arguments.int(1),
                minimumRate: Float(try arguments.double(2)))
            return .object(
                CallbackObject(callback, spec: "ReduceLearningRateOnPlateau", typeName: "ReduceLearningRateOnPlateau"))
        }
        registry.register(plateau)

        let scheduler = TypeDescriptor(
            "LearningRateScheduler", doc: "Sets the learning rate at the start of every epoch from a schedule.")
        scheduler.conformances = ["Callback"]
        scheduler.initializer(
            [param(nil, "schedule", "Schedule")],
            doc: "A per-epoch schedule: `.step(every:factor:)`, `.exponential(factor:)`, `.cosine(epochs:minimum:)`, "
                + "`.warmup(epochs:)` (then constant) or `.constant`.",
            example: "LearningRateScheduler(.cosine(epochs: 30))"
        ) { arguments, _ in
            let member = try arguments.implicitMember(0, expected: "Schedule")
            func number(_ label: String) throws -> Double {
                guard let value = member.argument(label)?.doubleValue else {
                    throw BuiltinError(.value, ".\(member.name) needs \(label):", argument: 0)
                }
                return value
            }
            let schedule: LearningRateSchedule
            switch member.name {
            case "constant": schedule = .constant
            case "step": schedule = .step(every: Int(try number("every")), factor: Float(try number("factor")))
            case "exponential": schedule = .exponential(factor: Float(try number("factor")))
            case "cosine":
                schedule = .cosine(
                    epochs: Int(try number("epochs")), minimum: Float(member.argument("minimum")?.doubleValue ?? 0))
            case "warmup": schedule = .warmup(epochs: Int(try number("epochs")), then: .constant)
            default:
                throw BuiltinError(
                    .value,
                    "unknown schedule '.\(member.name)'; use .step, .exponential, .cosine, .warmup or .constant",
                    argument: 0)
            }
            return .object(
                CallbackObject(
                    LearningRateScheduler(schedule), spec: "LearningRateScheduler(.\(member.name))",
                    typeName: "LearningRateScheduler"))
        }
        registry.register(scheduler)
    }

    private static func registerOptimizers(in registry: BuiltinRegistry) {
        let type = TypeDescriptor("Optimizer", doc: "An optimizer bound to a list of parameters.")
        type.define(
            "step", returns: "Void", doc: "Updates every parameter from its gradient, then clears the gradients.",
            example: "optimizer.step()"
        ) { receiver, _, _ in
            let object = try receiver.object(OptimizerObject.self)
            object.optimizer.step(object.parameters)
            for parameter in object.parameters { parameter.clearGradient() }
            return .nil
        }
        registry.register(type)
        let makers: [(String, String, (Float, Float) -> any Optimizer)] = [
            ("Adam", "Adam over `parameters`.", { Adam(learningRate: $0, weightDecay: $1) }),
            ("SGD", "Stochastic gradient descent over `parameters`.", { SGD(learningRate: $0, weightDecay: $1) }),
        ]
        for (name, doc, make) in makers {
            registry.global(
                name,
                [
                    param(nil, "parameters", "[Tensor]"),
                    param("learningRate", "learningRate", "Double", default: .double(name == "Adam" ? 1e-3 : 0.01)),
                    param("weightDecay", "weightDecay", "Double", default: .double(0)),
                ],
                returns: "Optimizer", doc: doc, example: "let optimizer = \(name)(model.parameters, learningRate: 1e-3)"
            ) { arguments, _ in
                let parameters = try arguments.array(0).map { value -> Parameter in
                    guard case .object(let tensor as TensorObject) = value, let parameter = tensor.parameter else {
                        throw BuiltinError(.type, "pass a model's parameters: model.parameters", argument: 0)
                    }
                    return parameter
                }
                let optimizer = make(Float(try arguments.double(1)), Float(try arguments.double(2)))
                return .object(OptimizerObject(optimizer, parameters: parameters))
            }
        }
    }

    private static func registerFit(in registry: BuiltinRegistry, observer: TrainingObserver?) {
        guard let type = registry.types["Sequential"] else { return }
        type.define(
            "fit",
            [
                param(nil, "training", "Dataset"), param("validation", "validation", "Dataset?", default: .nil),
                param("epochs", "epochs", "Int", default: .int(10)),
                param("batchSize", "batchSize", "Int", default: .int(32)),
                param(
                    "optimizer", "optimizer", "Optimizer",
                    default: .implicitMember(
                        ImplicitMember(name: "adam", arguments: [("learningRate", .double(1e-3))])),
                    text: ".adam(learningRate: 1e-3)"),
                param(
                    "loss", "loss", "Loss", default: .implicitMember(ImplicitMember(name: "crossEntropy")),
                    text: ".crossEntropy"),
                param("callbacks", "callbacks", "[Callback]", default: .array([])),
                param("seed", "seed", "Int", default: .int(0)),
                param("verbose", "verbose", "Bool", default: .bool(false)),
                param("progress", "progress", "Bool", default: .bool(true)),
            ],
            returns: "History",
            doc: "Trains the model on seeded mini-batches and returns the per-epoch `History`. In a notebook it "
                + "shows a live progress bar and loss chart (`progress: false` turns that off, e.g. inside a "
                + "search loop). An interrupt stops at the next batch; the model keeps its weights and "
                + "`model.history` the finished epochs.",
            example:
                "let history = model.fit(data.train, validation: data.validation, epochs: 30,\n"
                + "                      optimizer: .adam(learningRate: 1e-3), loss: .crossEntropy,\n"
                + "                      callbacks: [EarlyStopping(patience: 3)], seed: 42)"
        ) { receiver, arguments, context in
            let object = try receiver.model
            let training = try arguments.dataset(0)
            let validation = arguments.isNil(1) ? nil : try arguments.dataset(1)
            let epochs = try arguments.int(2)
            let batchSize = try arguments.int(3)
            let optimizer = try arguments.optimizer(4)
            let loss = try arguments.loss(5)
            let callbacks = try arguments.array(6).map { value -> any Callback in
                guard case .object(let callback as CallbackObject) = value else {
                    throw BuiltinError(
                        .type, "callbacks are EarlyStopping(...) values, not '\(value.typeName)'", argument: 6)
                }
                return callback.callback
            }
            let seed = try arguments.seed(7)
            let verbose = try arguments.bool(8)
            let observer = try arguments.bool(9) ? observer : nil
            var all = callbacks
            let earlyStopping = callbacks.lazy.compactMap { $0 as? EarlyStopping }.first
            let start = Date()
            var progress = TrainingProgress(epochs: epochs)
            func tell(_ phase: TrainingProgress.Phase) {
                progress.phase = phase
                progress.elapsed = Date().timeIntervalSince(start)
                observer?(progress)
            }
            if observer != nil || verbose {
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
            do {
                let history = try object.model.fit(
                    training.data, validation: validation?.data, epochs: epochs, batchSize: batchSize, loss: loss,
                    optimizer: optimizer, callbacks: all, seed: seed,
                    shouldCancel: { (try? context.checkInterrupt()) == nil })
                object.lastHistory = history
                return .object(HistoryObject(history))
            } catch let error as TrainingError {
                object.lastHistory = error.history
                let finished = error.history.epochs.count
                let kept = "the model keeps its weights; model.history holds the \(finished) finished epoch(s)"
                tell(.stopped("\(error.message); \(kept)"))
                if error.kind == .cancelled {
                    throw BuiltinError(.interrupted, "\(error.message); \(kept)")
                }
                throw BuiltinError(.value, "\(error.message); \(kept)")
            } catch {
                return try engine { throw error }
            }
        }
        type.define(
            "evaluate",
            [
                param(nil, "data", "Dataset"),
                param(
                    "loss", "loss", "Loss", default: .implicitMember(ImplicitMember(name: "crossEntropy")),
                    text: ".crossEntropy"),
            ],
            returns: "Double", doc: "The mean loss over `data` in evaluation mode.",
            example: "let validLoss = model.evaluate(data.validation, loss: .crossEntropy)"
        ) { receiver, arguments, _ in
            let object = try receiver.model
            let data = try arguments.dataset(0)
            let loss = try arguments.loss(1)
            try object.materialize(data.featureShape)
            let result = try engine { try object.model.evaluate(data.data, loss: loss) }
            return .double(result.first { $0.name == "loss" }?.value ?? .nan)
        }
        type.define(
            "trainEpoch",
            [
                param(nil, "training", "Dataset"), param("batchSize", "batchSize", "Int", default: .int(32)),
                param("optimizer", "optimizer", "Optimizer"), param("seed", "seed", "Int", default: .int(0)),
                param(nil, "loss", "(Tensor, Tensor) -> Tensor", closure: true),
            ],
            returns: "Double",
            doc: "One epoch of seeded mini-batches: the closure turns `(outputs, labels)` into a loss tensor; "
                + "returns the mean loss. Checks for interrupts before every batch.",
            example:
                "let loss = model.trainEpoch(data.train, batchSize: 64, optimizer: optimizer, seed: 1) { logits, labels in\n"
                + "    crossEntropy(logits, labels)\n}"
        ) { receiver, arguments, context in
            let object = try receiver.model
            let training = try arguments.dataset(0)
            let batchSize = try arguments.int(1)
            guard batchSize > 0 else { throw BuiltinError(.value, "the batch size must be positive", argument: 1) }
            let optimizer = try arguments.object(2, as: OptimizerObject.self, typeName: "Optimizer")
            let seed = try arguments.seed(3)
            let closure = try arguments.function(4)
            try object.materialize(training.featureShape)
            guard optimizer.parameters.count >= object.model.parameters.count else {
                throw BuiltinError(
                    .value,
                    "the optimizer has \(optimizer.parameters.count) of the model's \(object.model.parameters.count) "
                        + "parameter tensors (it was made before Dense(out) knew its input size); "
                        + "call model.summary(inputShape:) before making the optimizer", argument: 2)
            }
            let order = training.data.shuffledOrder(seed: seed, epoch: 0)
            let layerContext = LayerContext(isTraining: true, seed: seed)
            var total = 0.0
            var seen = 0
            for start in stride(from: 0, to: order.count, by: batchSize) {
                try context.checkInterrupt()
                let batch = try engine {
                    try training.data.subset(Array(order[start..<min(start + batchSize, order.count)]))
                }
                let output = try engine { try object.model.forward(batch.features, context: layerContext) }
                let lossValue = try context.call(closure, wrap(output), wrap(batch.targets))
                let loss = try lossValue.tensor
                let scalar = try engine { try loss.item() }
                try engine { try loss.backward() }
                optimizer.optimizer.step(optimizer.parameters)
                object.model.clearGradients()
                total += Double(scalar) * Double(batch.count)
                seen += batch.count
            }
            object.inputShape = training.featureShape
            return .double(total / Double(max(seen, 1)))
        }
    }

    private static func registerHistory(in registry: BuiltinRegistry) {
        let type = TypeDescriptor("History", doc: "The per-epoch metrics of a `fit`.")
        let series: [(String, String, String)] = [
            ("trainLoss", "loss", "The mean training loss per epoch."),
            ("validationLoss", "val_loss", "The validation loss per epoch."),
            ("trainAccuracy", "accuracy", "The training accuracy per epoch."),
            ("validationAccuracy", "val_accuracy", "The validation accuracy per epoch."),
            ("learningRate", "learning_rate", "The learning rate per epoch."),
        ]
        for (name, key, doc) in series {
            type.getter(name, type: "[Double]", doc: doc) {
                .array(try $0.object(HistoryObject.self).history[key].map(Value.double))
            }
        }
        type.getter("epochs", type: "Int", doc: "The number of finished epochs.") {
            .int(try $0.object(HistoryObject.self).history.epochs.count)
        }
        type.getter(
            "bestValidationLoss", type: "Double?",
            doc: "The validation loss of `bestEpoch`, or nil without validation."
        ) {
            try $0.object(HistoryObject.self).bestValidationLoss.map(Value.double) ?? .nil
        }
        type.getter(
            "bestEpoch", type: "Int?",
            doc: "The best epoch (from 1): the one whose weights `EarlyStopping(restoreBest: true)` put back (its "
                + "`minDelta` decides what counts as better), else the one with the lowest validation loss."
        ) { try $0.object(HistoryObject.self).bestEpoch.map(Value.int) ?? .nil }
        type.getter(
            "restoredEpoch", type: "Int?",
            doc: "The epoch (from 1) whose weights the model holds because `EarlyStopping` restored them, or nil "
                + "when it holds the last epoch's."
        ) { try $0.object(HistoryObject.self).history.restoredEpoch.map { .int($0 + 1) } ?? .nil }
        type.getter("stopReason", type: "String?", doc: "Why training stopped early, or nil.") {
            try $0.object(HistoryObject.self).history.stopReason.map(Value.string) ?? .nil
        }
        type.subscriptGetter = { value, indices, _ in
            guard indices.count == 1, let name = indices[0].stringValue else {
                throw BuiltinError(.type, "a history is indexed by a metric name: history[\"val_loss\"]")
            }
            let history = try value.object(HistoryObject.self).history
            guard history.metricNames.contains(name) else {
                throw BuiltinError(
                    .index, "no metric '\(name)'; metrics: \(history.metricNames.joined(separator: ", "))")
            }
            return .array(history[name].map(Value.double))
        }
        registry.register(type)
    }
}
