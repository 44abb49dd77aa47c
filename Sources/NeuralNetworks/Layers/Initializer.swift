// Initializer: how a weight is filled at construction (PyTorch's defaults and the usual alternatives).
import TensorCore

/// A weight initializer. `.pytorchDefault` is what `torch.nn` uses for the layer (for Linear and Conv:
/// `U(±1/√fanIn)` for weight and bias).
public enum Initializer: Sendable, Equatable {
    /// PyTorch's default for the layer (Linear/Conv/RNN: `U(±1/√fanIn)`; Embedding: `N(0, 1)`).
    case pytorchDefault
    /// `U(±bound)`.
    case uniform(bound: Float)
    /// `N(0, σ²)`.
    case normal(standardDeviation: Float)
    /// Xavier/Glorot uniform `U(±√(6/(fanIn+fanOut)))`.
    case glorotUniform
    /// Xavier/Glorot normal.
    case glorotNormal
    /// Kaiming/He uniform for ReLU `U(±√(6/fanIn))`.
    case heUniform
    /// Kaiming/He normal for ReLU.
    case heNormal
    /// All zeros.
    case zeros
    /// All ones.
    case ones

    /// A tensor of `shape` filled by this initializer; `defaultBound` is the layer's PyTorch default bound.
    func make(
        _ shape: [Int], fanIn: Int, fanOut: Int, defaultBound: Float, using generator: inout RandomGenerator
    ) throws -> Tensor {
        switch self {
        case .pytorchDefault:
            return try Tensor.uniform(shape, lower: -defaultBound, upper: defaultBound, using: &generator)
        case .uniform(let bound): return try Tensor.uniform(shape, lower: -bound, upper: bound, using: &generator)
        case .normal(let deviation): return try Tensor.normal(shape, standardDeviation: deviation, using: &generator)
        case .glorotUniform: return try Tensor.glorotUniform(shape, fanIn: fanIn, fanOut: fanOut, using: &generator)
        case .glorotNormal: return try Tensor.glorotNormal(shape, fanIn: fanIn, fanOut: fanOut, using: &generator)
        case .heUniform: return try Tensor.heUniform(shape, fanIn: fanIn, using: &generator)
        case .heNormal: return try Tensor.heNormal(shape, fanIn: fanIn, using: &generator)
        case .zeros: return try Tensor.zeros(shape)
        case .ones: return try Tensor.ones(shape)
        }
    }

    /// PyTorch's Linear/Conv bound `1/√fanIn`.
    static func fanInBound(_ fanIn: Int) -> Float { 1 / Float(max(fanIn, 1)).squareRoot() }
}
