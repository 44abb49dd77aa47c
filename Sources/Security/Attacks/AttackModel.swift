// AttackModel: a classifier as an attack sees it: a batch of flat rows → class scores, and, for a NeuralNetworks
// model, the gradient of the classification loss with respect to the rows.
import Foundation
import NeuralNetworks
import TensorCore

/// A classifier under attack: rows of `featureCount` values (an image is `C × H × W` values, row-major) → scores per
/// class, and for a NeuralNetworks model the input gradient of its loss, which FGSM and PGD follow.
///
/// The loss is the one the model would be trained with: softmax cross-entropy over logits (`.logits`, several
/// outputs), −log p of the label over probabilities (`.probabilities`), and binary cross-entropy when the model has
/// one output (a logit, or a probability with `.probabilities`), whose class is `output > 0` (`> 0.5`).
///
/// ```swift
/// let target = try AttackModel(model: cnn, inputShape: [1, 8, 8])
/// let opaque = AttackModel(featureCount: 4, classCount: 3) { rows in rows.map(score) }   // no gradients
/// ```
public struct AttackModel {
    /// What the model's outputs are.
    public enum Output: String, Sendable, Hashable {
        /// Raw scores (logits); the loss applies softmax (or a sigmoid for one output).
        case logits
        /// Probabilities (the model ends in softmax or sigmoid).
        case probabilities
    }

    /// One row's shape as the model takes it (`[4]`, `[1, 8, 8]`).
    public let inputShape: [Int]
    /// Values per row: the product of `inputShape`.
    public let featureCount: Int
    /// Outputs per row: the class count, or 1 for a binary model with one output.
    public let outputCount: Int
    public let output: Output

    /// Classes the labels range over: `outputCount`, or 2 for a model with one output.
    public var classCount: Int { outputCount == 1 ? 2 : outputCount }

    /// Whether the model gives input gradients (a NeuralNetworks model).
    public var isDifferentiable: Bool { lossGradientFlat != nil }

    /// `count` flat rows → `count × outputCount` scores.
    let scoresFlat: ([Float], Int) throws -> [Float]
    /// `count` flat rows and one class per row → (scores, ∂ loss(row, class) / ∂ row for each row), where the loss is
    /// each row's own (not divided by the batch size).
    let lossGradientFlat: (([Float], [Int]) throws -> (scores: [Float], gradient: [Float]))?

    /// A classifier given as a Swift closure over a batch of rows; it has no gradients, so FGSM and PGD refuse it.
    public init(
        featureCount: Int, classCount: Int, output: Output = .logits,
        _ scores: @escaping ([[Float]]) throws -> [[Float]]
    ) {
        self.inputShape = [featureCount]
        self.featureCount = featureCount
        self.outputCount = classCount
        self.output = output
        self.scoresFlat = { flat, count in
            let rows = (0..<count).map { Array(flat[($0 * featureCount)..<(($0 + 1) * featureCount)]) }
            let result = try scores(rows)
            guard result.count == count, result.allSatisfy({ $0.count == classCount }) else {
                throw SecurityError(
                    .modelFailed, "AttackModel",
                    "the function must return \(classCount) scores for each of the \(count) rows")
            }
            return result.flatMap { $0 }
        }
        self.lossGradientFlat = nil
    }

    /// A NeuralNetworks model in evaluation mode: scores through a forward pass without a graph, loss gradients
    /// through `inputGradient` (a graph from the input only; the weights stay constants).
    ///
    /// - Throws: `SecurityError` when the model fails on one row of zeros (the probe that finds `outputCount`).
    public init(model: any Layer, inputShape: [Int], output: Output = .logits) throws {
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
            throw SecurityError(
                .invalidArgument, "AttackModel", "inputShape must be non-empty and positive, got \(inputShape)",
                argument: "inputShape")
        }
        let featureCount = inputShape.reduce(1, *)
        let outputCount: Int
        do {
            let probe = try noGrad { try model.forward(Tensor.zeros([1] + inputShape), context: .evaluation) }
            outputCount = probe.scalarCount
        } catch {
            throw SecurityError(
                .modelFailed, "AttackModel", "the model does not take rows of shape \(inputShape): \(error)")
        }
        self.inputShape = inputShape
        self.featureCount = featureCount
        self.outputCount = outputCount
        self.output = output
        self.scoresFlat = { flat, count in
            try noGrad {
                try model.forward(Tensor(shape: [count] + inputShape, scalars: flat), context: .evaluation).scalars
            }
        }
        self.lossGradientFlat = { flat, classes in
            let count = classes.count
            let input = try Tensor(shape: [count] + inputShape, scalars: flat)
            let (raw, gradient) = try model.inputGradient(input) { raw in
                let scores = try raw.reshaped(to: [count, outputCount])
                return try AttackModel.summedLoss(scores, classes: classes, output: output)
            }
            return (raw.scalars, gradient.scalars)
        }
    }

    /// Σ over rows of each row's loss against its class (so the gradient of a row is that row's own).
    static func summedLoss(_ scores: Tensor, classes: [Int], output: Output) throws -> Tensor {
        let count = classes.count
        if scores.shape[1] == 1 {
            let y = try Tensor(shape: [count, 1], scalars: classes.map { Float($0) })
            switch output {
            case .logits:
                return try (scores.softplus() - scores * y).sum()
            case .probabilities:
                let p = scores.clamped(min: 1e-7, max: 1 - 1e-7)
                return try -(y * p.log() + (1 - y) * (1 - p).log()).sum()
            }
        }
        switch output {
        case .logits:
            return try Tensor.softmaxCrossEntropy(logits: scores, labels: IndexTensor(classes)) * Float(count)
        case .probabilities:
            let picked = try scores.gather(IndexTensor(shape: [count, 1], indices: classes), alongAxis: 1)
            return -(picked.clamped(min: 1e-12, max: 1).log()).sum()
        }
    }

    /// The predicted class of each of `count` rows given their scores.
    func classes(fromScores scores: [Float], count: Int) -> [Int] {
        if outputCount == 1 {
            let threshold: Float = output == .logits ? 0 : 0.5
            return scores.prefix(count).map { $0 > threshold ? 1 : 0 }
        }
        return (0..<count).map { row in
            var best = 0
            var bestScore = -Float.infinity
            for c in 0..<outputCount where scores[row * outputCount + c] > bestScore {
                bestScore = scores[row * outputCount + c]
                best = c
            }
            return best
        }
    }

    /// The predicted classes of `count` flat rows, `batchSize` rows per model call.
    public func predictClasses(_ flat: [Float], count: Int, batchSize: Int = 256) throws -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(count)
        var start = 0
        while start < count {
            let end = min(count, start + max(1, batchSize))
            let scores = try scores(Array(flat[(start * featureCount)..<(end * featureCount)]), count: end - start)
            result += classes(fromScores: scores, count: end - start)
            start = end
        }
        return result
    }

    /// Scores of `count` flat rows, the model's own errors wrapped.
    func scores(_ flat: [Float], count: Int) throws -> [Float] {
        do {
            let result = try scoresFlat(flat, count)
            guard result.count == count * outputCount else {
                throw SecurityError(
                    .modelFailed, "AttackModel",
                    "the model returned \(result.count) values for \(count) rows of \(outputCount) outputs")
            }
            return result
        } catch let error as SecurityError {
            throw error
        } catch {
            throw SecurityError(.modelFailed, "AttackModel", "\(error)")
        }
    }

    /// Throws `.notDifferentiable` for a model without input gradients.
    func requireGradients(operation: String) throws {
        guard lossGradientFlat != nil else {
            throw SecurityError(
                .notDifferentiable, operation,
                "needs the model's input gradients, and this model has none (it is a Swift closure); attack a"
                    + " NeuralNetworks model", argument: "model")
        }
    }

    /// Scores and loss gradients for flat rows; refuses a model without gradients.
    func lossGradient(
        _ flat: [Float], classes: [Int], operation: String
    ) throws -> (
        scores: [Float], gradient: [Float]
    ) {
        try requireGradients(operation: operation)
        guard let lossGradientFlat else { return ([], []) }
        do {
            return try lossGradientFlat(flat, classes)
        } catch let error as SecurityError {
            throw error
        } catch {
            throw SecurityError(.modelFailed, operation, "\(error)")
        }
    }
}
