// TrainingChoices: the dot-shorthand choices of training as data: optimizers (`.adam(learningRate: 1e-3)`), losses
// (`.crossEntropy`) and learning-rate schedules (`.cosine(epochs: 30)`), each a name, its parameters and a constructor.
import NeuralNetworks
import RigorScript

extension RigorLibrary {
    /// `optimizer: .adam(learningRate: 1e-3)`: the optimizers `fit` builds for the model's parameters.
    static let optimizers = Choices<any Optimizer>(
        "Optimizer",
        [
            Choices.Choice(
                "adam", Arg("learningRate", default: 1e-3), Arg("beta1", default: 0.9),
                Arg("beta2", default: 0.999),
                Arg("weightDecay", default: 0.0), doc: "Adam: `.adam(learningRate: 1e-3, weightDecay: 0)`."
            ) { learningRate, beta1, beta2, weightDecay in
                Adam(
                    learningRate: Float(learningRate), beta1: Float(beta1), beta2: Float(beta2),
                    weightDecay: Float(weightDecay))
            },
            Choices.Choice(
                "adamW", Arg("learningRate", default: 1e-3), Arg("weightDecay", default: 0.01),
                doc: "AdamW (decoupled weight decay): `.adamW(learningRate: 1e-3, weightDecay: 0.01)`."
            ) { learningRate, weightDecay in
                Adam.adamW(learningRate: Float(learningRate), weightDecay: Float(weightDecay))
            },
            Choices.Choice(
                "sgd", Arg("learningRate", default: 0.01), Arg("momentum", default: 0.0),
                Arg("nesterov", default: false),
                Arg("weightDecay", default: 0.0),
                doc: "SGD: `.sgd(learningRate: 0.01, momentum: 0.9, weightDecay: 0)`."
            ) { learningRate, momentum, nesterov, weightDecay in
                SGD(
                    learningRate: Float(learningRate), momentum: Float(momentum), nesterov: nesterov,
                    weightDecay: Float(weightDecay))
            },
            Choices.Choice(
                "rmsProp", Arg("learningRate", default: 0.01), Arg("momentum", default: 0.0),
                Arg("weightDecay", default: 0.0),
                doc: "RMSProp: `.rmsProp(learningRate: 0.01, momentum: 0, weightDecay: 0)`."
            ) { learningRate, momentum, weightDecay in
                RMSProp(
                    learningRate: Float(learningRate), momentum: Float(momentum), weightDecay: Float(weightDecay))
            },
        ])

    /// `loss: .crossEntropy`: the losses `fit` and `evaluate` take (`.mse` and `.mae` also by their long names).
    static let losses = Choices<Loss>(
        "Loss",
        [
            Choices.Choice(
                "crossEntropy", Arg("labelSmoothing", default: 0.0),
                doc: "Softmax cross-entropy against class ids (`labelSmoothing:` optional)."
            ) { labelSmoothing in .crossEntropy(labelSmoothing: Float(labelSmoothing)) },
            Choices.Choice("binaryCrossEntropy", doc: "Binary cross-entropy on one logit per example.") {
                .binaryCrossEntropy()
            },
            Choices.Choice("mse", doc: "Mean squared error.") { .meanSquaredError },
            Choices.Choice("meanSquaredError", doc: "Mean squared error (`.mse`).") { .meanSquaredError },
            Choices.Choice("mae", doc: "Mean absolute error.") { .meanAbsoluteError },
            Choices.Choice("meanAbsoluteError", doc: "Mean absolute error (`.mae`).") { .meanAbsoluteError },
            Choices.Choice("huber", Arg("delta", default: 1.0), doc: "Huber loss (`delta:`).") { delta in
                .huber(delta: Float(delta))
            },
        ])

    /// `LearningRateScheduler(.cosine(epochs: 30))`: the per-epoch schedules, with their names (for the callback's
    /// description).
    static let schedules = Choices<(name: String, schedule: LearningRateSchedule)>(
        "Schedule",
        [
            Choices.Choice("constant", doc: "A constant learning rate.") { ("constant", .constant) },
            Choices.Choice(
                "step", Arg<Int>("every"), Arg<Double>("factor"),
                doc: "The learning rate multiplied by `factor` every `every` epochs."
            ) { every, factor in ("step", .step(every: every, factor: Float(factor))) },
            Choices.Choice(
                "exponential", Arg<Double>("factor"), doc: "The learning rate multiplied by `factor` every epoch."
            ) { factor in ("exponential", .exponential(factor: Float(factor))) },
            Choices.Choice(
                "cosine", Arg<Int>("epochs"), Arg("minimum", default: 0.0),
                doc: "Cosine annealing to `minimum` over `epochs` epochs."
            ) { epochs, minimum in ("cosine", .cosine(epochs: epochs, minimum: Float(minimum))) },
            Choices.Choice(
                "warmup", Arg<Int>("epochs"), doc: "A linear warm-up over `epochs` epochs, then constant."
            ) { epochs in ("warmup", .warmup(epochs: epochs, then: .constant)) },
        ])
}

extension RigorLibrary {
    /// An optimizer as the script writes it, with the arguments that differ from the choice's defaults:
    /// `.adamW(learningRate: 0.001, weightDecay: 0.1)`, `.sgd(learningRate: 0.1, momentum: 0.9)`. What the run log
    /// records, so two fits that differ only in weight decay or momentum read differently in `runs()`.
    static func optimizerSpelling(_ optimizer: any Optimizer) -> String {
        func arguments(_ pairs: [(String, Float, Float)], always: Set<String> = ["learningRate"]) -> String {
            pairs.filter { always.contains($0.0) || $0.1 != $0.2 }.map { "\($0.0): \($0.1)" }.joined(separator: ", ")
        }
        var text: String
        switch optimizer {
        case let adam as Adam where adam.decoupledWeightDecay:
            text =
                ".adamW("
                + arguments([("learningRate", adam.learningRate, 1e-3), ("weightDecay", adam.weightDecay, 0.01)])
        case let adam as Adam:
            text =
                ".adam("
                + arguments([
                    ("learningRate", adam.learningRate, 1e-3), ("beta1", adam.beta1, 0.9), ("beta2", adam.beta2, 0.999),
                    ("weightDecay", adam.weightDecay, 0),
                ])
        case let sgd as SGD:
            text =
                ".sgd("
                + arguments([("learningRate", sgd.learningRate, 0.01), ("momentum", sgd.momentum, 0)])
                + (sgd.nesterov ? ", nesterov: true" : "")
                + (sgd.weightDecay != 0 ? ", weightDecay: \(sgd.weightDecay)" : "")
        case let rms as RMSProp:
            text =
                ".rmsProp("
                + arguments([
                    ("learningRate", rms.learningRate, 0.01), ("momentum", rms.momentum, 0),
                    ("weightDecay", rms.weightDecay, 0),
                ])
        default:
            text = "\(type(of: optimizer))(learningRate: \(optimizer.learningRate)"
        }
        if let clipping = optimizer.gradientClipping { text += ", gradientClipping: \(clipping)" }
        return text + ")"
    }
}
