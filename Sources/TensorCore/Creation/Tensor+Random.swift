// Tensor+Random: random tensors and initializers, all drawing from an explicit `RandomGenerator`.

extension Tensor {
    private static func generated(
        _ shape: [Int], operation: String, _ draw: () -> Float
    ) throws(TensorError) -> Tensor {
        try validate(shape: shape, operation: operation)
        let storage = try TensorStorage.allocate(
            count: MemoryBudget.scalarCount(of: shape), operation: operation, shapes: [shape])
        for index in 0..<storage.count { storage.pointer[index] = draw() }
        return Tensor(shape: shape, storage: storage)
    }

    /// Uniform samples in `[lower, upper)`. - Shape: `shape`.
    public static func uniform(
        _ shape: [Int], lower: Float = 0, upper: Float = 1, using generator: inout RandomGenerator
    ) throws(TensorError) -> Tensor {
        try generated(shape, operation: "uniform") { lower + (upper - lower) * generator.nextUniform() }
    }

    /// Normal samples with the given mean and standard deviation. - Shape: `shape`.
    public static func normal(
        _ shape: [Int], mean: Float = 0, standardDeviation: Float = 1, using generator: inout RandomGenerator
    ) throws(TensorError) -> Tensor {
        try generated(shape, operation: "normal") { mean + standardDeviation * generator.nextNormal() }
    }

    /// 1 with probability `probability`, else 0. - Shape: `shape`.
    public static func bernoulli(
        _ shape: [Int], probability: Float, using generator: inout RandomGenerator
    ) throws(TensorError) -> Tensor {
        guard probability >= 0 && probability <= 1 else {
            throw TensorError("bernoulli", shapes: [shape], "probability \(probability) is outside [0, 1]")
        }
        return try generated(shape, operation: "bernoulli") { generator.nextUniform() < probability ? 1 : 0 }
    }

    /// The inverted-dropout mask: 0 with probability `dropProbability`, else `1 / (1 − dropProbability)`, so that
    /// `x * mask` keeps the expected value of `x`. - Shape: `shape`.
    public static func dropoutMask(
        _ shape: [Int], dropProbability: Float, using generator: inout RandomGenerator
    ) throws(TensorError) -> Tensor {
        guard dropProbability >= 0 && dropProbability < 1 else {
            throw TensorError("dropoutMask", shapes: [shape], "drop probability \(dropProbability) is outside [0, 1)")
        }
        let scale = 1 / (1 - dropProbability)
        return try generated(shape, operation: "dropoutMask") {
            generator.nextUniform() < dropProbability ? 0 : scale
        }
    }

    /// A random permutation of `0..<count` (Fisher–Yates). - Shape: `[count]`.
    public static func permutation(
        _ count: Int, using generator: inout RandomGenerator
    ) throws(TensorError)
        -> IndexTensor
    {
        guard count >= 0 else { throw TensorError("permutation", shapes: [], "count must not be negative") }
        try MemoryBudget.check(
            count: count, scalarBytes: MemoryLayout<Int>.stride, operation: "permutation", shapes: [])
        var values = Array(0..<count)
        var index = count - 1
        while index > 0 {
            values.swapAt(index, generator.nextInt(below: index + 1))
            index -= 1
        }
        return IndexTensor(values)
    }

    /// Xavier/Glorot uniform: `U(±gain·√(6 / (fanIn + fanOut)))`. - Shape: `shape`.
    public static func glorotUniform(
        _ shape: [Int], fanIn: Int, fanOut: Int, gain: Float = 1, using generator: inout RandomGenerator
    ) throws(TensorError) -> Tensor {
        let limit = gain * (6 / Float(Swift.max(fanIn + fanOut, 1))).squareRoot()
        return try uniform(shape, lower: -limit, upper: limit, using: &generator)
    }

    /// Xavier/Glorot normal: `N(0, gain²·2 / (fanIn + fanOut))`. - Shape: `shape`.
    public static func glorotNormal(
        _ shape: [Int], fanIn: Int, fanOut: Int, gain: Float = 1, using generator: inout RandomGenerator
    ) throws(TensorError) -> Tensor {
        let deviation = gain * (2 / Float(Swift.max(fanIn + fanOut, 1))).squareRoot()
        return try normal(shape, standardDeviation: deviation, using: &generator)
    }

    /// Kaiming/He uniform for ReLU: `U(±√(6 / fanIn))`. - Shape: `shape`.
    public static func heUniform(
        _ shape: [Int], fanIn: Int, using generator: inout RandomGenerator
    )
        throws(TensorError) -> Tensor
    {
        let limit = (6 / Float(Swift.max(fanIn, 1))).squareRoot()
        return try uniform(shape, lower: -limit, upper: limit, using: &generator)
    }

    /// Kaiming/He normal for ReLU: `N(0, 2 / fanIn)`. - Shape: `shape`.
    public static func heNormal(
        _ shape: [Int], fanIn: Int, using generator: inout RandomGenerator
    )
        throws(TensorError) -> Tensor
    {
        try normal(shape, standardDeviation: (2 / Float(Swift.max(fanIn, 1))).squareRoot(), using: &generator)
    }
}
