// ActivationFunction: the nonlinearities layers apply, and the Activation layer that wraps one.
import TensorCore

/// A pointwise nonlinearity (softmax acts along the last axis).
public enum ActivationFunction: String, Sendable, CaseIterable {
    case identity, relu, sigmoid, tanh, leakyRelu, elu, gelu, softplus, softmax

    /// The activation applied to `x`.
    public func apply(_ x: Tensor) throws -> Tensor {
        switch self {
        case .identity: return x
        case .relu: return x.relu()
        case .sigmoid: return x.sigmoid()
        case .tanh: return x.tanh()
        case .leakyRelu: return x.leakyRelu()
        case .elu: return x.elu()
        case .gelu: return x.gelu()
        case .softplus: return x.softplus()
        case .softmax: return try x.softmax(alongAxis: -1)
        }
    }

    /// The fused TensorCore epilogue for this activation, when there is one.
    var fused: TensorCore.Activation? {
        switch self {
        case .identity: return .identity
        case .relu: return .relu
        case .sigmoid: return .sigmoid
        case .tanh: return .tanh
        default: return nil
        }
    }
}

/// An activation as a layer (`Activation(.relu)` in a `Sequential`).
///
/// - Shape: unchanged.
public final class Activation: Layer {
    /// The function applied.
    public let function: ActivationFunction

    /// A layer applying `function`.
    public init(_ function: ActivationFunction) { self.function = function }

    public var kind: String { "Activation(\(function.rawValue))" }

    public func forward(_ input: Tensor, context: LayerContext) throws -> Tensor { try function.apply(input) }
}
