// Security: `attack` (FGSM, PGD), `robustness` (accuracy against ε) and `desensitize` (personal data in text and
// columns), over the Security target.
import Foundation
import NeuralNetworks
import RichDisplay
import RigorScript
import Security
import TensorCore

/// `method: .pgd(epsilon: 0.1, steps: 10)`: an attack as the script writes it; the seed comes from the call.
struct AttackSpec {
    var isPGD: Bool
    var epsilon: Double
    var norm: AttackNorm
    var steps: Int
    var stepSize: Double?
    var randomStart: Bool

    func method(seed: Int) -> AttackMethod {
        guard isPGD else { return .fgsm(epsilon: epsilon, norm: norm) }
        return .pgd(
            epsilon: epsilon, stepSize: stepSize ?? 2.5 * epsilon / Double(steps), steps: steps, norm: norm,
            randomStart: randomStart, seed: UInt64(seed))
    }
}

extension RigorLibrary {
    static var attackNorms: Choices<AttackNorm> {
        Choices<AttackNorm>(
            "AttackNorm", noun: "norm",
            [
                Choices.Choice("linf", doc: "max |δᵢ| ≤ ε: every value moves by at most ε (steps follow the sign).") {
                    .lInfinity
                },
                Choices.Choice("l2", doc: "‖δ‖₂ ≤ ε: the whole input moves by at most ε (steps follow the gradient).") {
                    .l2
                },
            ])
    }

    static var attackMethods: Choices<AttackSpec> {
        let linf = Value.implicitMember(ImplicitMember(name: "linf", arguments: []))
        func norm() -> Arg<AttackNorm> { Arg("norm", choices: attackNorms, defaultValue: linf, text: ".linf") }
        return Choices<AttackSpec>(
            "AttackMethod", noun: "attack",
            [
                Choices.Choice(
                    "fgsm", Arg("epsilon", default: 0.1, bound: .atLeast(0)), norm(),
                    doc: "The fast gradient sign method: one step of ε up the loss (Goodfellow et al., 2015)."
                ) { epsilon, norm in
                    AttackSpec(isPGD: false, epsilon: epsilon, norm: norm, steps: 1, stepSize: nil, randomStart: false)
                },
                Choices.Choice(
                    "pgd", Arg("epsilon", default: 0.1, bound: .atLeast(0)),
                    Arg("steps", default: 10, bound: .atLeast(1)),
                    Arg<Double?>("stepSize", default: nil, bound: .greaterThan(0)), norm(),
                    Arg("randomStart", default: false),
                    doc: "Projected gradient descent: `steps` steps of `stepSize` (nil: 2.5·ε/steps), each projected "
                        + "back onto the ε-ball and the valid range; `randomStart` begins at a random point of the "
                        + "ball, drawn from the call's `seed` (Madry et al., 2018)."
                ) { epsilon, steps, stepSize, norm, randomStart in
                    AttackSpec(
                        isPGD: true, epsilon: epsilon, norm: norm, steps: steps, stepSize: stepSize,
                        randomStart: randomStart)
                },
            ])
    }

    static var anonymizationOperators: Choices<AnonymizationOperator> {
        Choices<AnonymizationOperator>(
            "AnonymizationOperator", noun: "operator",
            [
                Choices.Choice("redact", doc: "Removes what was found.") { .redact },
                Choices.Choice(
                    "mask", Arg("keepLast", default: 4, bound: .atLeast(0)), Arg("character", default: "*"),
                    doc: "Replaces letters and digits by `character`, keeping the last `keepLast` and the separators."
                ) { keepLast, character in .mask(character: character.first ?? "*", keepLast: keepLast) },
                Choices.Choice("typeTag", doc: "Writes the type: `<EMAIL_ADDRESS>`.") { .typeTag },
                Choices.Choice(
                    "pseudonym", Arg<String>("key"),
                    doc: "A keyed pseudonym `<EMAIL_ADDRESS_05b3e5060268>` (HMAC-SHA256): the same for one key in "
                        + "every run, so joins still work; unrelated under another key."
                ) { key in .pseudonym(key: key) },
            ])
    }

    static func registerSecurity(in registry: BuiltinRegistry) {
        registry.beginFamily("Security")
        registry.register(attackNorms)
        registry.register(attackMethods)
        registry.register(anonymizationOperators)
        let fgsmDefault = Value.implicitMember(
            ImplicitMember(name: "fgsm", arguments: [(label: "epsilon", value: .double(0.1))]))
        let validRange = Arg<[Double]?>("validRange", default: [0, 1])
        let batchSize = Arg<Int>("batchSize", default: 128, bound: .atLeast(1))
        registry.function(
            "attack", Arg<ModelObject>(nil, "model"), Arg<DatasetObject>(nil, "data"),
            Arg("method", choices: attackMethods, defaultValue: fgsmDefault, text: ".fgsm(epsilon: 0.1)"),
            Arg<Int?>("target", default: nil, bound: .atLeast(0)), validRange, batchSize, Arg<Seed>.trackedSeed(),
            doc: "Attacks a classifier on a dataset with adversarial inputs: FGSM or PGD within ε of each input (in "
                + "L∞ or L2), clipped to `validRange` (nil: no clipping; the data must lie in it). `target` nil "
                + "lowers the accuracy (untargeted); a class pushes every input towards it. Returns an `AttackResult`: "
                + "clean and adversarial accuracy, success rate, mean perturbation, the adversarial inputs.",
            example: "attack(model, data.test, method: .pgd(epsilon: 0.1, steps: 10)).adversarialAccuracy"
        ) { context, model, data, spec, target, range, batchSize, seed -> AttackResultObject in
            if spec.isPGD, spec.randomStart { RigorChecks.checkSeed(seed, of: "attack", in: context) }
            let (attackModel, inputs, labels) = try attackInputs(model, data)
            let attack = Attack(
                spec.method(seed: seed.value), goal: target.map { .targeted(class: $0) } ?? .untargeted,
                validRange: try closedRange(range), batchSize: batchSize)
            let result = try runAttack(attack, attackModel, inputs, labels, context: context)
            return AttackResultObject(result, dataShape: data.data.features.shape, classNames: data.classNames)
        }
        registry.function(
            "robustness", Arg<ModelObject>(nil, "model"), Arg<DatasetObject>(nil, "data"), Arg<[Double]>("epsilons"),
            Arg("steps", default: 10, bound: .atLeast(1)),
            Arg(
                "norm", choices: attackNorms,
                defaultValue: .implicitMember(ImplicitMember(name: "linf", arguments: [])),
                text: ".linf"), validRange, batchSize,
            doc: "Accuracy under FGSM and under PGD (`steps` steps of 2.5·ε/steps) at each ε: the robustness curve, "
                + "shown as a chart of accuracy against ε with its table. `.fgsm` and `.pgd` are the accuracies.",
            example: "robustness(model, data.test, epsilons: [0, 0.05, 0.1, 0.2])"
        ) { context, model, data, epsilons, steps, norm, range, batchSize -> RobustnessObject in
            guard !epsilons.isEmpty else {
                throw BuiltinError(.value, "give at least one ε", parameter: "epsilons")
            }
            if let bad = epsilons.first(where: { !($0 >= 0) || !$0.isFinite }) {
                throw BuiltinError(.value, "every ε must be a finite number ≥ 0, not \(bad)", parameter: "epsilons")
            }
            return try robustnessCurve(
                model, data, epsilons: epsilons, steps: steps, norm: norm, range: range, batchSize: batchSize,
                context: context)
        }
        registry.function(
            "desensitize",
            Arg<Value>(nil, "text", type: "String or [String]") { value, _ in
                switch value {
                case .string: return value
                case .array(let items):
                    if let index = items.firstIndex(where: {
                        if case .string = $0 { return false } else { return true }
                    }) {
                        throw BuiltinError(
                            .type,
                            "desensitize takes text or a column of text ([String]); element \(index) is of type "
                                + "\(items[index].typeName)",
                            parameter: "text",
                            notes: ["convert a column first: values.map { String($0) } — numbers are not scanned"])
                    }
                    return value
                default: return nil
                }
            },
            Arg(
                "operator", choices: anonymizationOperators,
                defaultValue: .implicitMember(
                    ImplicitMember(name: "typeTag", arguments: [])), text: ".typeTag"),
            Arg<[String]?>("entities", default: nil), Arg("threshold", default: 0.5, bound: .within(0...1)),
            doc: "Finds personal data — e-mail addresses, phone numbers (international, North American, Chinese "
                + "mobile), credit cards (Luhn), IBANs (mod-97), Chinese resident IDs (checksum), IP addresses, URLs, "
                + "dates of birth (with birth context) — in a text or a column of texts and replaces it with "
                + "`operator`. `entities` limits the kinds (`[\"emailAddress\", \"creditCard\"]`); `threshold` is "
                + "the lowest score kept (checksums score 1, context words raise a score).",
            example: "desensitize(\"mail jane@example.com\", operator: .pseudonym(key: \"secret\"))"
        ) { _, text, anonymizationOperator, entities, threshold -> Value in
            var selected: Set<PIIEntity>?
            if let entities {
                selected = []
                for name in entities {
                    guard let entity = PIIEntity(rawValue: name) else {
                        throw BuiltinError(
                            .value, "unknown kind of personal data '\(name)'", parameter: "entities",
                            notes: ["the kinds are " + PIIEntity.allCases.map(\.rawValue).joined(separator: ", ")])
                    }
                    selected?.insert(entity)
                }
            }
            let anonymizer = Anonymizer(
                analyzer: PIIAnalyzer(entities: selected, threshold: threshold),
                defaultOperator: anonymizationOperator)
            if case .string(let single) = text { return .string(anonymizer.anonymize(single).text) }
            guard case .array(let items) = text else { return text }
            return .array(
                items.map { item in
                    guard case .string(let cell) = item else { return item }
                    return .string(anonymizer.anonymize(cell).text)
                })
        }
        registerSecurityTypes(in: registry)
        registerPrivacy(in: registry)
        registerAudit(in: registry)
    }

    static func registerSecurityTypes(in registry: BuiltinRegistry) {
        let result = registry.type(
            AttackResultObject.self,
            doc: "What an attack did: accuracy on the clean and the adversarial inputs, success rate, perturbation.")
        result.property("cleanAccuracy", doc: "The fraction of clean inputs classified as their label.") {
            $0.result.cleanAccuracy
        }
        result.property("adversarialAccuracy", doc: "The fraction of adversarial inputs classified as their label.") {
            $0.result.adversarialAccuracy
        }
        result.property(
            "successRate",
            doc: "Untargeted: of the inputs classified correctly, the fraction the attack made wrong; targeted: of "
                + "the inputs not of the target class, the fraction now classified as the target."
        ) { $0.result.successRate }
        result.property("meanPerturbation", doc: "The mean size of the perturbations, in the attack's norm.") {
            $0.result.meanPerturbation
        }
        result.property("predictions", doc: "The model's class for each adversarial input.") {
            $0.result.adversarialPredictions
        }
        result.property("adversarial", doc: "The adversarial inputs, shaped as the data's features.") { object in
            try engine { try Tensor(shape: object.dataShape, scalars: object.result.adversarial) }
        }
        registerAttackGrid(result, in: registry)
        let robustness = registry.type(
            RobustnessObject.self, doc: "Accuracy under FGSM and PGD at several ε, shown as a chart and a table.")
        robustness.property("epsilons", doc: "The ε values.") { $0.epsilons }
        robustness.property("fgsm", doc: "Accuracy under FGSM at each ε.") { $0.fgsm }
        robustness.property("pgd", doc: "Accuracy under PGD at each ε.") { $0.pgd }
    }

    // MARK: shared steps

    /// Accuracy under FGSM and under PGD (`steps` steps of 2.5·ε/steps) at each ε: `robustness` and `audit`.
    static func robustnessCurve(
        _ model: ModelObject, _ data: DatasetObject, epsilons: [Double], steps: Int, norm: AttackNorm,
        range: [Double]?, batchSize: Int, context: CallContext
    ) throws -> RobustnessObject {
        let (attackModel, inputs, labels) = try attackInputs(model, data)
        let validRange = try closedRange(range)
        var fgsm: [Double] = []
        var pgd: [Double] = []
        for epsilon in epsilons {
            // The attack looks at the interrupt only between its batches; a small set is one batch.
            try context.checkInterrupt()
            let one = Attack(.fgsm(epsilon: epsilon, norm: norm), validRange: validRange, batchSize: batchSize)
            fgsm.append(try runAttack(one, attackModel, inputs, labels, context: context).adversarialAccuracy)
            let stepSize = epsilon > 0 ? 2.5 * epsilon / Double(steps) : 1
            let many = Attack(
                .pgd(epsilon: epsilon, stepSize: stepSize, steps: steps, norm: norm), validRange: validRange,
                batchSize: batchSize)
            pgd.append(try runAttack(many, attackModel, inputs, labels, context: context).adversarialAccuracy)
        }
        return RobustnessObject(epsilons: epsilons, fgsm: fgsm, pgd: pgd, steps: steps, norm: norm)
    }

    /// The model as an attack sees it, the data's inputs and labels.
    static func attackInputs(
        _ model: ModelObject, _ data: DatasetObject
    ) throws -> (
        AttackModel, [Float], [Int]
    ) {
        guard data.classCount != nil else {
            throw BuiltinError(
                .value, "attacks need class labels; \(data.name) has regression targets", parameter: "data")
        }
        guard data.data.count > 0 else { throw BuiltinError(.value, "\(data.name) is empty", parameter: "data") }
        let inputShape = model.inputShape ?? data.featureShape
        try model.materialize(inputShape)
        let attackModel: AttackModel
        do {
            attackModel = try AttackModel(model: model.model, inputShape: inputShape)
        } catch let error as SecurityError {
            throw BuiltinError(.value, error.description, parameter: "model")
        }
        return (attackModel, data.data.features.scalars, data.data.labels)
    }

    private static func closedRange(_ range: [Double]?) throws -> ClosedRange<Double>? {
        guard let range else { return nil }
        guard range.count == 2, range[0].isFinite, range[1].isFinite, range[0] < range[1] else {
            throw BuiltinError(
                .value, "validRange must be [lower, upper] with lower < upper, not \(range)", parameter: "validRange")
        }
        return range[0]...range[1]
    }

    static func runAttack(
        _ attack: Attack, _ model: AttackModel, _ inputs: [Float], _ labels: [Int], context: CallContext
    ) throws -> AttackResult {
        do {
            return try attack.run(on: model, inputs: inputs, labels: labels) { _, _ in context.interrupt.isRequested }
        } catch let error as SecurityError {
            switch error.kind {
            case .cancelled: throw BuiltinError(.interrupted, "\(error.description)")
            case .modelFailed: throw BuiltinError(.value, error.description, parameter: "model")
            case .invalidArgument, .notDifferentiable:
                let parameter: String
                switch error.argument {
                case "epsilon", "stepSize", "steps": parameter = "method"
                case "inputs", "labels": parameter = "data"
                case "target": parameter = "target"
                case "validRange": parameter = "validRange"
                case "batchSize": parameter = "batchSize"
                default: parameter = "model"
                }
                throw BuiltinError(.value, error.reason, parameter: parameter)
            }
        }
    }
}
