// AdversarialTraining: training on adversarial examples made against the current weights (Madry et al., 2018;
// Goodfellow et al., 2015 for the mix), through the two hooks of NeuralNetworks' `fit`.
import Foundation
import NeuralNetworks
import TensorCore

/// Adversarial training: before each training step, a fraction `ratio` of the batch's rows is replaced by adversarial
/// versions of themselves, made by `method` against the model's current weights; and after each epoch the robust
/// accuracy on a fixed subset of the validation split is measured.
///
/// * **Replace, not augment.** The first `round(ratio · n)` rows of each (already shuffled) batch of `n` are replaced,
///   so a batch keeps its size and a step its cost beyond the attack. `ratio: 1` is Madry et al.'s min-max training
///   (every example adversarial); `ratio: 0.5` is Goodfellow et al.'s mix of clean and adversarial loss with equal
///   weights (in expectation over the shuffle), which keeps more clean accuracy.
/// * **The attack** runs with the model in evaluation mode (dropout off, batch-norm running statistics; as ART's
///   trainers do) and the weights as constants; a PGD random start draws from a seed derived from (`seed`, epoch,
///   batch), so the run is reproducible.
/// * **Robust accuracy** (`val_robust_accuracy`): PGD in the method's norm at its ε, `robustSteps` steps of
///   2.5·ε/steps, no random start, on at most `robustRows` validation rows (a subset fixed by `seed` for the whole
///   run).
///
/// ```swift
/// let training = try AdversarialTraining(.pgd(epsilon: 0.1, stepSize: 0.035, steps: 7, randomStart: true),
///                                        ratio: 0.5, validRange: 0...1, seed: 42)
/// let hooks = try training.hooks(model: mlp, inputShape: [64], training: train, validation: valid)
/// try mlp.fit(train, validation: valid, epochs: 10, optimizer: Adam(learningRate: 1e-2), seed: 42,
///             transformBatch: hooks.transformBatch, epochMetrics: hooks.epochMetrics)
/// ```
public struct AdversarialTraining: Sendable, Hashable {
    /// The attack that makes the training examples (its `seed`, for a PGD random start, is replaced per batch).
    public var method: AttackMethod
    /// The fraction of each batch replaced by adversarial rows, in 0...1.
    public var ratio: Double
    /// The range inputs lie in; adversarial rows are clipped to it (`nil`: no clipping).
    public var validRange: ClosedRange<Double>?
    public var seed: UInt64
    /// PGD steps of the robust validation accuracy.
    public var robustSteps: Int
    /// The most validation rows the robust accuracy is measured on.
    public var robustRows: Int

    /// The metric the hooks add after each epoch.
    public static let robustMetric = "val_robust_accuracy"

    /// - Throws: `SecurityError` (`.invalidArgument`) for ε < 0, a step size ≤ 0, steps < 1 (argument `epsilon`,
    ///   `stepSize`, `steps`), a ratio outside 0...1 (`ratio`), a range without finite bounds (`validRange`),
    ///   `robustSteps` or `robustRows` < 1.
    public init(
        _ method: AttackMethod, ratio: Double = 0.5, validRange: ClosedRange<Double>? = 0...1, seed: UInt64 = 0,
        robustSteps: Int = 10, robustRows: Int = 500
    ) throws {
        let operation = "adversarialTraining"
        try Attack(method, validRange: validRange).validateParameters(operation: operation)
        guard ratio.isFinite, (0...1).contains(ratio) else {
            throw SecurityError(
                .invalidArgument, operation, "ratio must be a fraction in 0...1, got \(ratio)", argument: "ratio")
        }
        guard robustSteps >= 1, robustRows >= 1 else {
            throw SecurityError(
                .invalidArgument, operation,
                "robustSteps and robustRows must be at least 1, got \(robustSteps) and \(robustRows)",
                argument: robustSteps >= 1 ? "robustRows" : "robustSteps")
        }
        self.method = method
        self.ratio = ratio
        self.validRange = validRange
        self.seed = seed
        self.robustSteps = robustSteps
        self.robustRows = robustRows
    }

    /// The attack for batch `batch` of epoch `epoch`: the method, its random start seeded from (seed, epoch, batch).
    public func attack(epoch: Int, batch: Int) -> Attack {
        var method = self.method
        if case .pgd(let epsilon, let stepSize, let steps, let norm, let randomStart, _) = method {
            let batchSeed = Self.mix(seed, UInt64(epoch), UInt64(batch))
            method = .pgd(
                epsilon: epsilon, stepSize: stepSize, steps: steps, norm: norm, randomStart: randomStart,
                seed: batchSeed)
        }
        return Attack(method, validRange: validRange)
    }

    /// The attack the robust accuracy is measured with: PGD at the method's ε and norm, `robustSteps` steps of
    /// 2.5·ε/steps, no random start.
    public var robustAttack: Attack {
        let epsilon = method.epsilon
        let stepSize = epsilon > 0 ? 2.5 * epsilon / Double(robustSteps) : 1
        return Attack(
            .pgd(epsilon: epsilon, stepSize: stepSize, steps: robustSteps, norm: method.norm), validRange: validRange)
    }

    /// How many rows of a batch of `count` are replaced.
    public func adversarialCount(of count: Int) -> Int { min(count, Int((ratio * Double(count)).rounded())) }

    /// Refuses data an attack cannot use: values not finite or outside the valid range, labels that are not classes
    /// of the model. `argument` names the data in the error (`training`, `validation`).
    public func validate(_ data: Dataset, model: AttackModel, argument: String) throws {
        let operation = "adversarialTraining"
        let attack = Attack(method, validRange: validRange)
        do {
            try attack.validateInputs(data.features.scalars, featureCount: model.featureCount, operation: operation)
        } catch let error as SecurityError {
            throw SecurityError(error.kind, operation, error.reason, argument: argument)
        }
        guard data.features.scalarCount == data.count * model.featureCount else {
            throw SecurityError(
                .invalidArgument, operation,
                "the rows have \(data.features.scalarCount / max(data.count, 1)) values, the model takes"
                    + " \(model.featureCount)", argument: argument)
        }
        let targets = data.targets.scalars
        guard targets.count == data.count else {
            throw SecurityError(
                .invalidArgument, operation,
                "adversarial training needs one class label per row; the targets have shape"
                    + " \(data.targets.shape)", argument: argument)
        }
        if let index = targets.firstIndex(where: {
            $0 != $0.rounded() || !(0..<model.classCount).contains(Int($0))
        }) {
            throw SecurityError(
                .invalidArgument, operation,
                "row \(index) has target \(targets[index]), not a class of the model (0..<\(model.classCount))",
                argument: argument)
        }
    }

    /// `batch` with its first `adversarialCount(of:)` rows replaced by adversarial rows made against `model` (its
    /// current weights); targets and mask unchanged.
    public func adversarialBatch(_ batch: Dataset, model: AttackModel, epoch: Int, batchIndex: Int) throws -> Dataset {
        let replaced = adversarialCount(of: batch.count)
        guard replaced > 0 else { return batch }
        let d = model.featureCount
        var features = batch.features.scalars
        let attack = self.attack(epoch: epoch, batch: batchIndex)
        var random = RandomGenerator(seed: attack.seed)
        let rows = try attack.perturb(
            Array(features[0..<(replaced * d)]), classes: Array(batch.labels.prefix(replaced)), model: model,
            random: &random, operation: "adversarialTraining")
        features.replaceSubrange(0..<(replaced * d), with: rows)
        return try Dataset(
            features: Tensor(shape: batch.features.shape, scalars: features), targets: batch.targets,
            mask: batch.mask)
    }

    /// The rows of `count` the robust accuracy is measured on: all, or `robustRows` drawn without replacement by
    /// `seed` (in their original order).
    public func robustSubset(count: Int) -> [Int] {
        guard count > robustRows else { return Array(0..<count) }
        var random = RandomGenerator(seed: Self.mix(seed, 0x726f_6275_7374, 0))
        var indices = Array(0..<count)
        for i in 0..<robustRows {
            let j = i + Int(random.next() % UInt64(count - i))
            indices.swapAt(i, j)
        }
        return indices.prefix(robustRows).sorted()
    }

    /// The accuracy of `model` under `robustAttack` on `data`'s robust subset.
    public func robustAccuracy(of model: AttackModel, on data: Dataset) throws -> Double {
        let subset = try data.subset(robustSubset(count: data.count))
        return try robustAttack.run(on: model, inputs: subset.features.scalars, labels: subset.labels)
            .adversarialAccuracy
    }

    /// The two hooks of `Layer.fit`: each batch made partly adversarial, and `val_robust_accuracy` after each epoch
    /// (only with `validation`). Checks the data first.
    ///
    /// - Parameters:
    ///   - output: what the model outputs (the loss the attack climbs): logits, or probabilities for a model ending
    ///     in softmax or sigmoid.
    /// - Throws: `SecurityError`: the model does not take rows of `inputShape` (`model`), or the data is refused
    ///   (`training`, `validation`).
    public func hooks(
        model: any Layer, inputShape: [Int], output: AttackModel.Output = .logits, training: Dataset,
        validation: Dataset?
    ) throws -> (
        transformBatch: (Dataset, Int, Int) throws -> Dataset,
        epochMetrics: ((Int) throws -> [(name: String, value: Double)])?
    ) {
        let target = try AttackModel(model: model, inputShape: inputShape, output: output)
        try validate(training, model: target, argument: "training")
        if let validation { try validate(validation, model: target, argument: "validation") }
        try requireInputGradients(target, training)
        let transform: (Dataset, Int, Int) throws -> Dataset = { batch, epoch, index in
            try self.adversarialBatch(batch, model: target, epoch: epoch, batchIndex: index)
        }
        guard let validation else { return (transform, nil) }
        let subset = try validation.subset(robustSubset(count: validation.count))
        let robust = self.robustAttack
        let metrics: (Int) throws -> [(name: String, value: Double)] = { _ in
            let result = try robust.run(on: target, inputs: subset.features.scalars, labels: subset.labels)
            return [(Self.robustMetric, result.adversarialAccuracy)]
        }
        return (transform, metrics)
    }

    /// Refuses a model whose loss does not reach its inputs (an `Embedding` takes ids, not values): on the first 32
    /// training rows every input gradient is exactly 0, so every attack would return the rows unchanged and the
    /// training would silently be plain training.
    func requireInputGradients(_ model: AttackModel, _ training: Dataset) throws {
        let rows = min(32, training.count)
        guard rows > 0 else { return }
        let (_, gradient) = try model.lossGradient(
            Array(training.features.scalars.prefix(rows * model.featureCount)),
            classes: Array(training.labels.prefix(rows)), operation: "adversarialTraining")
        guard gradient.allSatisfy({ $0 == 0 }) else { return }
        throw SecurityError(
            .notDifferentiable, "adversarialTraining",
            "the model's loss has no gradient with respect to its inputs (all 0 on the first \(rows) training rows), so"
                + " no attack can change them; adversarial training needs a model whose inputs are values, not ids"
                + " (an Embedding layer takes ids)", argument: "model")
    }

    /// What a run log records: `adversarial`, `adversarialRatio`, `adversarialValidRange`, `robustAccuracy`.
    public var settings: [(String, String)] {
        var method = self.method
        if case .pgd(let epsilon, let stepSize, let steps, let norm, let randomStart, _) = method {
            method = .pgd(epsilon: epsilon, stepSize: stepSize, steps: steps, norm: norm, randomStart: randomStart)
        }
        let range = validRange.map { "\(Attack.format($0.lowerBound))...\(Attack.format($0.upperBound))" } ?? "none"
        return [
            ("adversarial", method.displayName), ("adversarialRatio", Attack.format(ratio)),
            ("adversarialValidRange", range),
            ("robustAccuracy", robustAttack.method.displayName + " on ≤ \(robustRows) validation rows"),
        ]
    }

    /// SplitMix64 of three words: a seed per (run, epoch, batch).
    static func mix(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> UInt64 {
        var z = a &+ 0x9E37_79B9_7F4A_7C15 &* (b &+ 1) &+ 0xBF58_476D_1CE4_E5B9 &* (c &+ 1)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
