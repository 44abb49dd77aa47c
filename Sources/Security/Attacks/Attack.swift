// Attack: FGSM and PGD (L∞ and L2, untargeted and targeted) on an AttackModel, following ART 1.20's
// FastGradientMethod and ProjectedGradientDescent step for step.
import Foundation
import TensorCore

/// The norm an attack's budget ε is measured in.
public enum AttackNorm: String, Sendable, Hashable, CaseIterable {
    /// max |δᵢ| ≤ ε; a step moves every value by ±stepSize (the gradient's sign).
    case lInfinity
    /// ‖δ‖₂ ≤ ε; a step moves stepSize along the normalised gradient.
    case l2

    public var displayName: String { self == .lInfinity ? "L∞" : "L2" }
}

/// How an attack perturbs the inputs.
public enum AttackMethod: Sendable, Hashable {
    /// The fast gradient (sign) method (Goodfellow et al., 2015): one step of size ε,
    /// `x′ = clip(x + ε · sign(∇ₓ L(x, y)))` for L∞, `x + ε · ∇/‖∇‖₂` for L2.
    case fgsm(epsilon: Double, norm: AttackNorm = .lInfinity)
    /// Projected gradient descent (Madry et al., 2018): `steps` steps of `stepSize` along the gradient's sign (or its
    /// L2 direction), each clipped to the valid range and projected back onto the ε-ball around x. With
    /// `randomStart`, x⁰ is drawn uniformly from the ε-ball (from `seed`), as ART's `num_random_init = 1`.
    case pgd(
        epsilon: Double, stepSize: Double, steps: Int, norm: AttackNorm = .lInfinity, randomStart: Bool = false,
        seed: UInt64 = 0)

    /// `fgsm` or `pgd`.
    public var name: String {
        switch self {
        case .fgsm: return "fgsm"
        case .pgd: return "pgd"
        }
    }

    public var epsilon: Double {
        switch self {
        case .fgsm(let epsilon, _), .pgd(let epsilon, _, _, _, _, _): return epsilon
        }
    }

    public var norm: AttackNorm {
        switch self {
        case .fgsm(_, let norm), .pgd(_, _, _, let norm, _, _): return norm
        }
    }

    /// `FGSM (L∞, ε = 0.1)`, `PGD (L∞, ε = 0.1, 10 steps of 0.025, random start)`.
    public var displayName: String {
        switch self {
        case .fgsm(let epsilon, let norm):
            return "FGSM (\(norm.displayName), ε = \(Attack.format(epsilon)))"
        case .pgd(let epsilon, let stepSize, let steps, let norm, let randomStart, _):
            return
                "PGD (\(norm.displayName), ε = \(Attack.format(epsilon)), \(steps) steps of \(Attack.format(stepSize))"
                + (randomStart ? ", random start)" : ")")
        }
    }
}

/// What an attack aims for.
public enum AttackGoal: Sendable, Hashable {
    /// Any wrong class: the attack climbs the loss of the true class.
    case untargeted
    /// One class for every row: the attack descends the loss of that class.
    case targeted(class: Int)
    /// One target class per row.
    case targetedPerRow([Int])
}

/// An adversarial attack, configured: the method, the goal, the valid input range the adversarial rows stay in, and
/// the batch size of the gradient passes.
///
/// ```swift
/// let attack = Attack(.pgd(epsilon: 0.1, stepSize: 0.01, steps: 20), validRange: 0...1)
/// let result = try attack.run(on: AttackModel(model: cnn, inputShape: [1, 8, 8]), inputs: x, labels: y)
/// print(result.cleanAccuracy, result.adversarialAccuracy)
/// ```
public struct Attack: Sendable, Hashable {
    public var method: AttackMethod
    public var goal: AttackGoal
    /// The range every input value lies in (pixels in 0...1); inputs must lie in it, and adversarial rows are
    /// clipped to it. `nil`: no clipping (tabular data with no natural bounds).
    public var validRange: ClosedRange<Double>?
    /// Rows per gradient pass.
    public var batchSize: Int

    public init(
        _ method: AttackMethod, goal: AttackGoal = .untargeted, validRange: ClosedRange<Double>? = 0...1,
        batchSize: Int = 128
    ) {
        self.method = method
        self.goal = goal
        self.validRange = validRange
        self.batchSize = batchSize
    }

    /// Attacks `count` rows (`inputs`: `count × featureCount` values, row-major).
    ///
    /// - Parameters:
    ///   - labels: the true class of each row; `nil` attacks the model's own predictions (ART's default, which
    ///     avoids label leaking); accuracy is then measured against those predictions.
    ///   - progress: called after each batch with (rows done, rows); returning `true` stops with `.cancelled`.
    /// - Throws: `SecurityError` for ε < 0, a step size ≤ 0, steps < 1, rows that do not fit the model, values
    ///   outside `validRange` or not finite, labels or targets outside the model's classes, or a model without
    ///   gradients.
    public func run(
        on model: AttackModel, inputs: [Float], labels: [Int]?, progress: ((Int, Int) -> Bool)? = nil
    ) throws -> AttackResult {
        let operation = method.name
        try validateParameters(operation: operation)
        let d = model.featureCount
        guard !inputs.isEmpty, inputs.count % d == 0 else {
            throw SecurityError(
                .invalidArgument, operation,
                "the inputs have \(inputs.count) values, not a whole number of rows of \(d) (the model takes"
                    + " \(model.inputShape))", argument: "inputs")
        }
        let count = inputs.count / d
        try validateInputs(inputs, featureCount: d, operation: operation)
        try model.requireGradients(operation: operation)
        let clean = try model.predictClasses(inputs, count: count, batchSize: batchSize)
        let truth: [Int]
        if let labels {
            guard labels.count == count else {
                throw SecurityError(
                    .invalidArgument, operation, "\(labels.count) labels for \(count) rows", argument: "labels")
            }
            if let index = labels.firstIndex(where: { !(0..<model.classCount).contains($0) }) {
                throw SecurityError(
                    .invalidArgument, operation,
                    "label \(labels[index]) of row \(index) is not a class of the model (0..<\(model.classCount))",
                    argument: "labels")
            }
            truth = labels
        } else {
            truth = clean
        }
        let targets = try targetClasses(count: count, classCount: model.classCount, operation: operation)

        var adversarial = [Float](repeating: 0, count: inputs.count)
        var start = 0
        var random = RandomGenerator(seed: seed)
        while start < count {
            let end = min(count, start + max(1, batchSize))
            let x = Array(inputs[(start * d)..<(end * d)])
            let classes = Array((targets ?? truth)[start..<end])
            let result = try perturb(x, classes: classes, model: model, random: &random, operation: operation)
            adversarial.replaceSubrange((start * d)..<(end * d), with: result)
            start = end
            if let progress, progress(start, count), start < count {
                throw SecurityError(.cancelled, operation, "stopped after \(start) of \(count) rows")
            }
        }
        let predictions = try model.predictClasses(adversarial, count: count, batchSize: batchSize)
        return AttackResult(
            method: method, goal: goal, validRange: validRange, inputShape: model.inputShape, inputs: inputs,
            adversarial: adversarial, labels: truth, labelsGiven: labels != nil, targets: targets,
            cleanPredictions: clean, adversarialPredictions: predictions)
    }

    // MARK: the steps

    var seed: UInt64 {
        if case .pgd(_, _, _, _, _, let seed) = method { return seed }
        return 0
    }

    /// The adversarial rows for one batch.
    func perturb(
        _ x: [Float], classes: [Int], model: AttackModel, random: inout RandomGenerator, operation: String
    ) throws -> [Float] {
        let d = model.featureCount
        // Untargeted attacks climb the loss of the true class; targeted ones descend that of the target.
        let direction: Float = isTargeted ? -1 : 1
        switch method {
        case .fgsm(let epsilon, let norm):
            let (_, gradient) = try model.lossGradient(x, classes: classes, operation: operation)
            var result = x
            step(&result, gradient: gradient, size: Float(epsilon) * direction, norm: norm, featureCount: d)
            clip(&result)
            return result
        case .pgd(let epsilon, let stepSize, let steps, let norm, let randomStart, _):
            var result = x
            if randomStart {
                randomPerturbation(&result, epsilon: Float(epsilon), norm: norm, featureCount: d, random: &random)
                clip(&result)
            }
            for _ in 0..<steps {
                let (_, gradient) = try model.lossGradient(result, classes: classes, operation: operation)
                step(&result, gradient: gradient, size: Float(stepSize) * direction, norm: norm, featureCount: d)
                clip(&result)
                project(&result, around: x, epsilon: Float(epsilon), norm: norm, featureCount: d)
            }
            return result
        }
    }

    /// Whether the attack aims at given classes.
    public var isTargeted: Bool {
        if case .untargeted = goal { return false }
        return true
    }

    /// x += size · sign(g) (L∞) or size · g / (‖g‖₂ + 1e-7) per row (L2); NaN gradients count as 0 (ART does the same).
    func step(_ x: inout [Float], gradient: [Float], size: Float, norm: AttackNorm, featureCount d: Int) {
        switch norm {
        case .lInfinity:
            for i in x.indices {
                let g = gradient[i]
                if g > 0 { x[i] += size } else if g < 0 { x[i] -= size }
            }
        case .l2:
            for row in 0..<(x.count / d) {
                var squares: Float = 0
                for j in 0..<d where !gradient[row * d + j].isNaN {
                    squares += gradient[row * d + j] * gradient[row * d + j]
                }
                let scale = size / (squares.squareRoot() + 1e-7)
                for j in 0..<d where !gradient[row * d + j].isNaN { x[row * d + j] += scale * gradient[row * d + j] }
            }
        }
    }

    /// Clips every value to `validRange`.
    func clip(_ x: inout [Float]) {
        guard let validRange else { return }
        let (lower, upper) = (Float(validRange.lowerBound), Float(validRange.upperBound))
        for i in x.indices { x[i] = min(max(x[i], lower), upper) }
    }

    /// x ← x₀ + Π(x − x₀): each difference clipped to ±ε (L∞), or each row's difference scaled onto the ε-ball (L2).
    func project(_ x: inout [Float], around origin: [Float], epsilon: Float, norm: AttackNorm, featureCount d: Int) {
        switch norm {
        case .lInfinity:
            for i in x.indices { x[i] = origin[i] + min(max(x[i] - origin[i], -epsilon), epsilon) }
        case .l2:
            for row in 0..<(x.count / d) {
                var squares: Float = 0
                for j in 0..<d {
                    let delta = x[row * d + j] - origin[row * d + j]
                    squares += delta * delta
                }
                let scale = min(1, epsilon / (squares.squareRoot() + 1e-7))
                guard scale < 1 else { continue }
                for j in 0..<d {
                    let i = row * d + j
                    x[i] = origin[i] + (x[i] - origin[i]) * scale
                }
            }
        }
    }

    /// A uniform draw from the ε-ball added to each row: per value in [−ε, ε] (L∞); a normal direction at radius
    /// ε · u^(1/d) (L2, uniform in the ball).
    func randomPerturbation(
        _ x: inout [Float], epsilon: Float, norm: AttackNorm, featureCount d: Int, random: inout RandomGenerator
    ) {
        switch norm {
        case .lInfinity:
            for i in x.indices { x[i] += epsilon * (2 * random.nextUniform() - 1) }
        case .l2:
            for row in 0..<(x.count / d) {
                var direction = (0..<d).map { _ in random.nextNormal() }
                let length = direction.reduce(0) { $0 + $1 * $1 }.squareRoot()
                let radius = epsilon * Float(pow(Double(random.nextUniform()), 1 / Double(d)))
                for j in 0..<d {
                    direction[j] *= radius / max(length, 1e-12)
                    x[row * d + j] += direction[j]
                }
            }
        }
    }

    // MARK: checks

    func validateParameters(operation: String) throws {
        let epsilon = method.epsilon
        guard epsilon.isFinite, epsilon >= 0 else {
            throw SecurityError(
                .invalidArgument, operation, "epsilon must be a finite number ≥ 0, got \(epsilon)", argument: "epsilon")
        }
        if case .pgd(_, let stepSize, let steps, _, _, _) = method {
            guard stepSize.isFinite, stepSize > 0 else {
                throw SecurityError(
                    .invalidArgument, operation, "stepSize must be a finite number > 0, got \(stepSize)",
                    argument: "stepSize")
            }
            guard steps >= 1 else {
                throw SecurityError(
                    .invalidArgument, operation, "steps must be at least 1, got \(steps)", argument: "steps")
            }
        }
        guard batchSize >= 1 else {
            throw SecurityError(
                .invalidArgument, operation, "batchSize must be at least 1, got \(batchSize)", argument: "batchSize")
        }
        if let validRange, !(validRange.lowerBound.isFinite && validRange.upperBound.isFinite) {
            throw SecurityError(
                .invalidArgument, operation, "the valid range \(validRange) must have finite bounds",
                argument: "validRange")
        }
    }

    func validateInputs(_ inputs: [Float], featureCount d: Int, operation: String) throws {
        if let index = inputs.firstIndex(where: { !$0.isFinite }) {
            throw SecurityError(
                .invalidArgument, operation,
                "row \(index / d) has \(inputs[index].isNaN ? "NaN" : "an infinite value") at feature \(index % d)",
                argument: "inputs")
        }
        guard let validRange else { return }
        let (lower, upper) = (Float(validRange.lowerBound), Float(validRange.upperBound))
        if let index = inputs.firstIndex(where: { $0 < lower || $0 > upper }) {
            throw SecurityError(
                .invalidArgument, operation,
                "row \(index / d) has \(inputs[index]) at feature \(index % d), outside the valid range"
                    + " \(Attack.format(validRange.lowerBound))...\(Attack.format(validRange.upperBound)); scale the"
                    + " data into it or declare the range the data lives in", argument: "inputs")
        }
    }

    func targetClasses(count: Int, classCount: Int, operation: String) throws -> [Int]? {
        let targets: [Int]
        switch goal {
        case .untargeted: return nil
        case .targeted(let target): targets = Array(repeating: target, count: count)
        case .targetedPerRow(let perRow):
            guard perRow.count == count else {
                throw SecurityError(
                    .invalidArgument, operation, "\(perRow.count) target classes for \(count) rows", argument: "target")
            }
            targets = perRow
        }
        if let index = targets.firstIndex(where: { !(0..<classCount).contains($0) }) {
            throw SecurityError(
                .invalidArgument, operation,
                "target class \(targets[index]) is not a class of the model (0..<\(classCount))", argument: "target")
        }
        return targets
    }

    /// `0.1`, `1`: a number as the displays write it.
    public static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e6 ? String(Int(value)) : String(format: "%g", value)
    }
}
