// Dataset: examples as tensors (features, targets, an optional target mask), subsets and batches.
import TensorCore

/// Examples stacked along the first axis: `features[i]` and `targets[i]` are example `i`; an optional `mask`
/// (shaped like `targets`, 1 = counts) marks padded positions the loss and metrics skip.
///
/// Classification targets are class ids stored as Float (`[N]`, or `[N, T]` for per-position tasks).
public struct Dataset: Sendable {
    public let features: Tensor
    public let targets: Tensor
    public let mask: Tensor?

    /// A dataset; `features`, `targets` and `mask` must agree on the number of examples.
    public init(features: Tensor, targets: Tensor, mask: Tensor? = nil) throws {
        guard features.rank >= 1, targets.rank >= 1, features.shape[0] == targets.shape[0] else {
            throw NeuralNetworkError(
                "Dataset",
                "features \(TensorError.format(shape: features.shape)) and targets \(TensorError.format(shape: targets.shape)) "
                    + "must have the same first extent")
        }
        if let mask, mask.shape != targets.shape {
            throw NeuralNetworkError(
                "Dataset", "the mask must have the targets' shape \(TensorError.format(shape: targets.shape))")
        }
        self.features = features
        self.targets = targets
        self.mask = mask
    }

    /// A dataset from class ids.
    public init(features: Tensor, labels: [Int]) throws {
        try self.init(features: features, targets: Tensor(labels.map(Float.init)))
    }

    /// The number of examples.
    public var count: Int { features.shape[0] }

    /// The targets as integer class ids (for metrics).
    public var labels: [Int] { targets.scalars.map { Int($0.rounded()) } }

    /// The examples at `indices`, in that order.
    public func subset(_ indices: [Int]) throws -> Dataset {
        let selection = IndexTensor(indices)
        return try noGrad {
            try Dataset(
                features: features.indexSelect(selection, alongAxis: 0),
                targets: targets.indexSelect(selection, alongAxis: 0),
                mask: mask?.indexSelect(selection, alongAxis: 0))
        }
    }

    /// Consecutive batches of at most `size` examples taken in `order` (default: as stored); the last batch keeps
    /// the remainder.
    public func batches(size: Int, order: [Int]? = nil) throws -> [Dataset] {
        guard size > 0 else { throw NeuralNetworkError("batches", "the batch size must be positive") }
        let order = order ?? Array(0..<count)
        return try stride(from: 0, to: order.count, by: size).map { start in
            try subset(Array(order[start..<min(start + size, order.count)]))
        }
    }

    /// A seeded shuffle of `0..<count`; one `(seed, epoch)` always gives the same order.
    public func shuffledOrder(seed: UInt64, epoch: Int) -> [Int] {
        var generator = RandomGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(epoch) &+ 1)
        var values = Array(0..<count)
        var index = count - 1
        while index > 0 {
            values.swapAt(index, generator.nextInt(below: index + 1))
            index -= 1
        }
        return values
    }
}
