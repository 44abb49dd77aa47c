// Loss: the training objectives (cross-entropy, binary cross-entropy, MSE, MAE, Huber), optionally masked.
import TensorCore

/// A loss: a scalar to minimize, from a model's output and the targets.
///
/// Every loss is a mean. A `mask` (1 = counts, 0 = ignored; shaped like the targets, or like the output for the
/// regression losses) turns it into a mean over the unmasked positions: per-position sequence losses over padded
/// batches.
public enum Loss: Sendable, Equatable {
    /// Softmax cross-entropy from logits `[..., C]` against class ids `[...]` (or probabilities `[..., C]`), with
    /// optional label smoothing `ε` (targets `(1 − ε)·onehot + ε/C`) and per-class weights (the mean is then
    /// weighted by the target classes' weights, as PyTorch's `CrossEntropyLoss(weight:, label_smoothing:)`).
    case crossEntropy(labelSmoothing: Float = 0, classWeights: [Float]? = nil)
    /// Binary cross-entropy against 0/1 targets, from logits (stable: `softplus(x) − x·y`) or probabilities.
    case binaryCrossEntropy(fromLogits: Bool = true)
    /// Mean squared error `mean((ŷ − y)²)`.
    case meanSquaredError
    /// Mean absolute error `mean(|ŷ − y|)`.
    case meanAbsoluteError
    /// Huber (smooth L1): `½d²` where `|d| ≤ δ`, else `δ(|d| − ½δ)`.
    case huber(delta: Float = 1)

    /// A short name (`crossEntropy`, `mse`).
    public var name: String {
        switch self {
        case .crossEntropy: return "crossEntropy"
        case .binaryCrossEntropy: return "binaryCrossEntropy"
        case .meanSquaredError: return "mse"
        case .meanAbsoluteError: return "mae"
        case .huber: return "huber"
        }
    }

    /// Whether the targets are class ids (accuracy then makes sense as a metric).
    public var isClassification: Bool {
        switch self {
        case .crossEntropy, .binaryCrossEntropy: return true
        default: return false
        }
    }

    /// The loss of `output` against `target`.
    ///
    /// - Shape: cross-entropy: output `[..., C]`, target `[...]` (ids) or `[..., C]`, mask `[...]`; the others:
    ///   output and target of equal count (a `[N]` target fits a `[N, 1]` output), mask like the output → `[]`.
    public func callAsFunction(_ output: Tensor, _ target: Tensor, mask: Tensor? = nil) throws -> Tensor {
        switch self {
        case .crossEntropy(let smoothing, let weights):
            return try Loss.crossEntropy(output, target, mask: mask, smoothing: smoothing, weights: weights)
        case .binaryCrossEntropy(let fromLogits):
            let y = try Loss.aligned(target, to: output, loss: name)
            let terms =
                fromLogits
                ? try output.softplus() - output * y
                : try
                    -(y * output.clamped(min: 1e-7, max: 1 - 1e-7).log()
                    + (1 - y) * (1 - output.clamped(min: 1e-7, max: 1 - 1e-7)).log())
            return try Loss.mean(terms, mask: mask)
        case .meanSquaredError:
            return try Loss.mean((output - Loss.aligned(target, to: output, loss: name)).squared(), mask: mask)
        case .meanAbsoluteError:
            return try Loss.mean((output - Loss.aligned(target, to: output, loss: name)).abs(), mask: mask)
        case .huber(let delta):
            let absolute = try (output - Loss.aligned(target, to: output, loss: name)).abs()
            let quadratic = try Tensor.minimum(absolute, Tensor(delta))
            return try Loss.mean(quadratic.squared() * 0.5 + (absolute - quadratic) * delta, mask: mask)
        }
    }

    static func aligned(_ target: Tensor, to output: Tensor, loss: String) throws -> Tensor {
        if target.shape == output.shape { return target }
        guard target.scalarCount == output.scalarCount else {
            throw NeuralNetworkError(
                loss,
                "output \(TensorError.format(shape: output.shape)) and target \(TensorError.format(shape: target.shape)) "
                    + "differ")
        }
        return try target.reshaped(to: output.shape)
    }

    static func mean(_ terms: Tensor, mask: Tensor?) throws -> Tensor {
        guard let mask else { return terms.mean() }
        let weights = try aligned(mask, to: terms, loss: "mask")
        let count = weights.scalars.reduce(0, +)
        return try (terms * weights).sum() / max(count, 1)
    }

    static func crossEntropy(
        _ logits: Tensor, _ target: Tensor, mask: Tensor?, smoothing: Float, weights: [Float]?
    ) throws -> Tensor {
        guard logits.rank >= 1 else { throw NeuralNetworkError("crossEntropy", "logits must be [..., C]") }
        let classes = logits.shape[logits.rank - 1]
        let rows = logits.scalarCount / max(classes, 1)
        let soft = target.shape == logits.shape
        guard soft || target.scalarCount == rows else {
            throw NeuralNetworkError(
                "crossEntropy",
                "logits \(TensorError.format(shape: logits.shape)) need class ids \(TensorError.format(shape: Array(logits.shape.dropLast()))) "
                    + "or probabilities of the same shape, got \(TensorError.format(shape: target.shape))")
        }
        if let weights, weights.count != classes {
            throw NeuralNetworkError("crossEntropy", "\(weights.count) class weights for \(classes) classes")
        }
        if let mask, mask.scalarCount != rows {
            throw NeuralNetworkError("crossEntropy", "the mask must have one value per position (\(rows))")
        }
        let ids = soft ? [] : target.scalars.map { Int($0.rounded()) }
        if let bad = ids.first(where: { $0 < 0 || $0 >= classes }) {
            throw NeuralNetworkError("crossEntropy", "class id \(bad) is outside 0..<\(classes)")
        }
        if !soft, smoothing == 0, weights == nil, mask == nil {
            return try Tensor.softmaxCrossEntropy(
                logits: logits.reshaped(to: [rows, classes]), labels: IndexTensor(ids))
        }
        // Coefficients K[i, c] = mask_i · q_ic · w_c; loss = −Σ K ⊙ log softmax / Σ_i mask_i · w_{y_i}.
        let maskValues = mask?.scalars ?? [Float](repeating: 1, count: rows)
        let targetValues = soft ? target.scalars : []
        var coefficients = [Float](repeating: 0, count: rows * classes)
        var normalizer: Float = 0
        for row in 0..<rows where maskValues[row] != 0 {
            for c in 0..<classes {
                let probability: Float =
                    soft ? targetValues[row * classes + c] : (c == ids[row] ? 1 : 0)
                let q = (1 - smoothing) * probability + smoothing / Float(classes)
                coefficients[row * classes + c] = maskValues[row] * q * (weights?[c] ?? 1)
            }
            normalizer += maskValues[row] * (soft ? 1 : (weights?[ids[row]] ?? 1))
        }
        let logProbabilities = try logits.reshaped(to: [rows, classes]).logSoftmax(alongAxis: -1)
        let k = try Tensor(shape: [rows, classes], scalars: coefficients)
        return try -(logProbabilities * k).sum() / max(normalizer, .leastNormalMagnitude)
    }
}
