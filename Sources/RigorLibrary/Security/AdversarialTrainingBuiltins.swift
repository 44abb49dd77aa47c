// AdversarialTrainingBuiltins: `fit(…, adversarial: .pgd(epsilon: 0.1, steps: 7), adversarialRatio: 0.5)` — the
// choices of the `adversarial:` argument and the hooks `fit` passes to the engine (Security's AdversarialTraining).
import Foundation
import NeuralNetworks
import RigorScript
import Security
import TensorCore

/// `adversarial: .pgd(epsilon: 0.1, steps: 7)`: the attack adversarial training makes its examples with, and the range
/// the data lies in.
struct AdversarialTrainingSpec {
    var attack: AttackSpec
    var validRange: [Double]?
}

/// What `fit` hands the engine for adversarial training, and what the run log records of it.
struct AdversarialFitHooks {
    var transformBatch: (NeuralNetworks.Dataset, Int, Int) throws -> NeuralNetworks.Dataset
    var epochMetrics: ((Int) throws -> [(name: String, value: Double)])?
    var settings: [(String, String)]
}

extension RigorLibrary {
    static var adversarialTrainingMethods: Choices<AdversarialTrainingSpec> {
        let linf = Value.implicitMember(ImplicitMember(name: "linf", arguments: []))
        func norm() -> Arg<AttackNorm> { Arg("norm", choices: attackNorms, defaultValue: linf, text: ".linf") }
        func validRange() -> Arg<[Double]?> { Arg<[Double]?>("validRange", default: [0, 1]) }
        return Choices<AdversarialTrainingSpec>(
            "AdversarialTraining", noun: "adversarial training",
            [
                Choices.Choice(
                    "pgd", Arg("epsilon", default: 0.1, bound: .atLeast(0)),
                    Arg("steps", default: 7, bound: .atLeast(1)),
                    Arg<Double?>("stepSize", default: nil, bound: .greaterThan(0)), norm(),
                    Arg("randomStart", default: true), validRange(),
                    doc: "Trains on PGD examples (Madry et al., 2018): `steps` steps of `stepSize` (nil: 2.5·ε/steps) "
                        + "from a random point of the ε-ball, projected onto the ball and `validRange` (the range the "
                        + "data lies in; nil: no clipping)."
                ) { epsilon, steps, stepSize, norm, randomStart, range in
                    AdversarialTrainingSpec(
                        attack: AttackSpec(
                            isPGD: true, epsilon: epsilon, norm: norm, steps: steps, stepSize: stepSize,
                            randomStart: randomStart), validRange: range)
                },
                Choices.Choice(
                    "fgsm", Arg("epsilon", default: 0.1, bound: .atLeast(0)), norm(), validRange(),
                    doc: "Trains on FGSM examples (Goodfellow et al., 2015): one step of ε, clipped to `validRange`. "
                        + "Cheaper than PGD, and weaker against it."
                ) { epsilon, norm, range in
                    AdversarialTrainingSpec(
                        attack: AttackSpec(
                            isPGD: false, epsilon: epsilon, norm: norm, steps: 1, stepSize: nil, randomStart: false),
                        validRange: range)
                },
            ])
    }

    /// `adversarial: AdversarialTraining? = nil`, one of `adversarialTrainingMethods`.
    static var adversarialArgument: Arg<AdversarialTrainingSpec?> {
        let methods = adversarialTrainingMethods
        return Arg<AdversarialTrainingSpec?>(
            "adversarial", type: "AdversarialTraining?", defaultValue: .nil, text: "nil"
        ) { value, context in
            if case .nil = value { return .some(nil) }
            return try methods.decode(value, context: context).map { .some($0) }
        }
    }

    /// The engine's hooks for `fit(…, adversarial:, adversarialRatio:)`, after checking that the model, the loss and
    /// the data allow it; nil without `adversarial`.
    static func adversarialFitHooks(
        _ spec: AdversarialTrainingSpec?, ratio: Double, model: ModelObject, training: DatasetObject,
        validation: DatasetObject?, loss: Loss, seed: Int
    ) throws -> AdversarialFitHooks? {
        guard let spec else { return nil }
        let output: AttackModel.Output
        switch loss {
        case .crossEntropy, .binaryCrossEntropy(fromLogits: true): output = .logits
        case .binaryCrossEntropy(fromLogits: false): output = .probabilities
        default:
            throw BuiltinError(
                .value,
                "adversarial training attacks a classifier, and the loss \(loss) is a regression loss",
                parameter: "loss", notes: ["train with loss: .crossEntropy or .binaryCrossEntropy"])
        }
        let range: ClosedRange<Double>?
        if let bounds = spec.validRange {
            guard bounds.count == 2, bounds[0].isFinite, bounds[1].isFinite, bounds[0] < bounds[1] else {
                throw BuiltinError(
                    .value, "validRange must be [lower, upper] with lower < upper, not \(bounds)",
                    parameter: "adversarial")
            }
            range = bounds[0]...bounds[1]
        } else {
            range = nil
        }
        do {
            let adversarialTraining = try AdversarialTraining(
                spec.attack.method(seed: seed), ratio: ratio, validRange: range, seed: UInt64(seed))
            let hooks = try adversarialTraining.hooks(
                model: model.model, inputShape: model.inputShape ?? training.featureShape, output: output,
                training: training.data, validation: validation?.data)
            return AdversarialFitHooks(
                transformBatch: hooks.transformBatch, epochMetrics: hooks.epochMetrics,
                settings: adversarialTraining.settings)
        } catch let error as SecurityError {
            switch error.argument {
            case "training", "validation":
                var notes: [String] = []
                if error.reason.contains("outside the valid range") {
                    notes.append(
                        "adversarial examples stay in the data's valid range; scale the features into "
                            + "\(spec.validRange.map { "\(Attack.format($0[0]))...\(Attack.format($0[1]))" } ?? "it") or declare theirs: "
                            + ".pgd(epsilon: 0.1, validRange: [lower, upper]) (nil: no clipping)")
                }
                throw BuiltinError(.value, error.reason, parameter: error.argument ?? "training", notes: notes)
            case "ratio":
                throw BuiltinError(.value, error.reason, parameter: "adversarialRatio")
            case "epsilon", "stepSize", "steps", "validRange":
                throw BuiltinError(.value, error.reason, parameter: "adversarial")
            default:
                throw BuiltinError(.value, "adversarial training: \(error.reason)")
            }
        }
    }
}
