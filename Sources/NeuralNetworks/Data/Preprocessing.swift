// Preprocessing: scalers fitted on the training split only, label and one-hot encoding, sequence padding.
import TensorCore

/// Standardization per feature: `(x − mean) / std` with the training split's mean and population standard deviation
/// (a constant feature's std counts as 1), as scikit-learn's `StandardScaler`.
public struct StandardScaler: Sendable, Equatable {
    public let mean: [Float]
    public let scale: [Float]

    /// Fits on `training` `[N, F]` (only the training split: fitting on all data leaks the test set).
    public init(fittingOn training: Tensor) throws {
        let (rows, columns) = try Self.matrix(training, "StandardScaler")
        let values = training.scalars
        var mean = [Double](repeating: 0, count: columns)
        var squares = [Double](repeating: 0, count: columns)
        for r in 0..<rows { for c in 0..<columns { mean[c] += Double(values[r * columns + c]) } }
        for c in 0..<columns { mean[c] /= Double(max(rows, 1)) }
        for r in 0..<rows {
            for c in 0..<columns {
                let d = Double(values[r * columns + c]) - mean[c]
                squares[c] += d * d
            }
        }
        self.mean = mean.map(Float.init)
        scale = squares.map {
            let s = ($0 / Double(max(rows, 1))).squareRoot(); return s == 0 ? 1 : Float(s)
        }
    }

    /// A scaler with known statistics.
    public init(mean: [Float], scale: [Float]) {
        self.mean = mean
        self.scale = scale
    }

    /// `(x − mean) / scale` per column. - Shape: `[N, F]`, unchanged.
    public func transform(_ x: Tensor) throws -> Tensor {
        let (_, columns) = try Self.matrix(x, "StandardScaler")
        guard columns == mean.count else {
            throw NeuralNetworkError("StandardScaler", "fitted on \(mean.count) features, got \(columns)")
        }
        return try (x - Tensor(mean)) / Tensor(scale)
    }

    /// Undoes `transform`.
    public func inverseTransform(_ x: Tensor) throws -> Tensor { try x * Tensor(scale) + Tensor(mean) }

    static func matrix(_ x: Tensor, _ operation: String) throws -> (Int, Int) {
        guard x.rank == 2 else {
            throw NeuralNetworkError(operation, "expected [N, F], got \(TensorError.format(shape: x.shape))")
        }
        return (x.shape[0], x.shape[1])
    }
}

/// Min–max scaling per feature into `[lower, upper]` with the training split's minimum and maximum
/// (a constant feature maps to `lower`).
public struct MinMaxScaler: Sendable, Equatable {
    public let minimum: [Float]
    public let maximum: [Float]
    public let lower: Float
    public let upper: Float

    /// Fits on `training` `[N, F]`.
    public init(fittingOn training: Tensor, range: ClosedRange<Float> = 0...1) throws {
        let (rows, columns) = try StandardScaler.matrix(training, "MinMaxScaler")
        let values = training.scalars
        var minimum = [Float](repeating: .infinity, count: columns)
        var maximum = [Float](repeating: -.infinity, count: columns)
        for r in 0..<rows {
            for c in 0..<columns {
                minimum[c] = min(minimum[c], values[r * columns + c])
                maximum[c] = max(maximum[c], values[r * columns + c])
            }
        }
        self.minimum = minimum
        self.maximum = maximum
        lower = range.lowerBound
        upper = range.upperBound
    }

    /// `lower + (x − min) / (max − min) · (upper − lower)` per column. - Shape: `[N, F]`, unchanged.
    public func transform(_ x: Tensor) throws -> Tensor {
        let (_, columns) = try StandardScaler.matrix(x, "MinMaxScaler")
        guard columns == minimum.count else {
            throw NeuralNetworkError("MinMaxScaler", "fitted on \(minimum.count) features, got \(columns)")
        }
        let span = zip(minimum, maximum).map { $1 > $0 ? ($1 - $0) / (upper - lower) : 1 }
        return try (x - Tensor(minimum)) / Tensor(span) + lower
    }
}

/// Maps labels (any strings) to ids `0..<classes` in sorted order, and back.
public struct LabelEncoder: Sendable, Equatable {
    /// The distinct labels, sorted; a label's id is its index here.
    public let classes: [String]

    /// Learns the classes of `labels`.
    public init(fittingOn labels: [String]) { classes = Array(Set(labels)).sorted() }

    /// The ids of `labels`.
    public func encode(_ labels: [String]) throws -> [Int] {
        let lookup = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        return try labels.map { label in
            guard let id = lookup[label] else { throw NeuralNetworkError("LabelEncoder", "unknown label '\(label)'") }
            return id
        }
    }

    /// The labels of `ids`.
    public func decode(_ ids: [Int]) throws -> [String] {
        try ids.map { id in
            guard classes.indices.contains(id) else { throw NeuralNetworkError("LabelEncoder", "no class \(id)") }
            return classes[id]
        }
    }
}

/// Encoding helpers.
public enum Encoding {
    /// One-hot rows for class ids. - Shape: `[N] → [N, classes]`.
    public static func oneHot(_ ids: [Int], classes: Int) throws -> Tensor {
        try Tensor.oneHot(IndexTensor(ids), classes: classes)
    }

    /// Pads (or truncates) sequences to one length and returns them with a mask (1 = real token, 0 = padding).
    ///
    /// - Parameters: `length` defaults to the longest sequence; `paddingAtStart` pads (and truncates) at the front,
    ///   as Keras's `padding='pre'`.
    /// - Shape: `N` sequences → values `[N, length]`, mask `[N, length]`.
    public static func padSequences(
        _ sequences: [[Float]], length: Int? = nil, value: Float = 0, paddingAtStart: Bool = false
    ) throws -> (values: Tensor, mask: Tensor) {
        let length = length ?? sequences.map(\.count).max() ?? 0
        guard length >= 0 else { throw NeuralNetworkError("padSequences", "length must not be negative") }
        // Values and mask.
        try MemoryBudget.check(
            count: MemoryBudget.scalarCount(of: [2, sequences.count, length]), operation: "padSequences",
            shapes: [[sequences.count, length]])
        var values = [Float](repeating: value, count: sequences.count * length)
        var mask = [Float](repeating: 0, count: sequences.count * length)
        for (row, sequence) in sequences.enumerated() {
            let kept = paddingAtStart ? Array(sequence.suffix(length)) : Array(sequence.prefix(length))
            let offset = paddingAtStart ? length - kept.count : 0
            for (index, element) in kept.enumerated() {
                values[row * length + offset + index] = element
                mask[row * length + offset + index] = 1
            }
        }
        return (
            try Tensor(shape: [sequences.count, length], scalars: values),
            try Tensor(shape: [sequences.count, length], scalars: mask)
        )
    }

    /// An attention mask from a padding mask: `[N, T]` (1 = token) → `[N, 1, 1, T]` additive key mask for
    /// `MultiHeadAttention` (0 where attended, a large negative number where padded).
    public static func attentionMask(fromPadding mask: Tensor) throws -> Tensor {
        guard mask.rank == 2 else { throw NeuralNetworkError("attentionMask", "expected a [N, T] mask") }
        return try ((mask - 1) * 1e9).reshaped(to: [mask.shape[0], 1, 1, mask.shape[1]])
    }

    /// The causal (look-ahead) additive mask `[T, T]`: 0 on and below the diagonal, a large negative number above.
    public static func causalMask(length: Int) throws -> Tensor {
        guard length >= 0 else { throw NeuralNetworkError("causalMask", "length must not be negative") }
        try MemoryBudget.check(
            count: MemoryBudget.scalarCount(of: [length, length]), operation: "causalMask", shapes: [[length, length]])
        var values = [Float](repeating: 0, count: length * length)
        for i in 0..<length { for j in (i + 1)..<max(length, i + 1) { values[i * length + j] = -1e9 } }
        return try Tensor(shape: [length, length], scalars: values)
    }
}
