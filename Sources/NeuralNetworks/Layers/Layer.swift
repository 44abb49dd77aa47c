// Layer: the protocol every layer and model conforms to (parameters, forward pass, summary).
import TensorCore

/// A differentiable function with parameters: a layer, or a model composed of layers.
///
/// Conformers implement `forward(_:context:)` and list their own parameters and named children; everything else
/// (all parameters with PyTorch `state_dict` names, counting, mode-free calls, summaries, training) comes from
/// extensions. Composition is plain Swift: a custom model is a class holding layers, returning them in `children`.
///
/// ```swift
/// final class Residual: Layer {
///     let inner = Dense(16, 16, activation: .relu, seed: 1)
///     var children: [(name: String, layer: any Layer)] { [("inner", inner)] }
///     func forward(_ x: Tensor, context: LayerContext) throws -> Tensor { try x + inner.forward(x, context: context) }
/// }
/// ```
public protocol Layer: AnyObject {
    /// The kind shown in summaries (`Dense`, `Conv2D`).
    var kind: String { get }
    /// Parameters this layer owns directly (not its children's).
    var ownParameters: [Parameter] { get }
    /// Named sublayers, in order (their parameters are named `child.weight`).
    var children: [(name: String, layer: any Layer)] { get }
    /// The forward pass.
    func forward(_ input: Tensor, context: LayerContext) throws -> Tensor
    /// Re-draws the parameters from `generator` (the default resets the children in order).
    func resetParameters(using generator: inout RandomGenerator) throws
}

extension Layer {
    public var kind: String { String(describing: type(of: self)) }
    public var ownParameters: [Parameter] { [] }
    public var children: [(name: String, layer: any Layer)] { [] }

    public func resetParameters(using generator: inout RandomGenerator) throws {
        for child in children { try child.layer.resetParameters(using: &generator) }
    }

    /// Every parameter and buffer of the layer and its descendants, named as in a PyTorch `state_dict`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        var result = ownParameters.map { (name: $0.name, parameter: $0) }
        for child in children {
            result += child.layer.namedParameters.map { (name: child.name + "." + $0.name, parameter: $0.parameter) }
        }
        return result
    }

    /// The trainable parameters of the layer and its descendants.
    public var parameters: [Parameter] { namedParameters.map(\.parameter).filter(\.isTrainable) }

    /// The number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.scalarCount } }

    /// The forward pass in evaluation mode.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try forward(input, context: .evaluation)
    }

    /// Resets every parameter's accumulated gradient.
    public func clearGradients() {
        for parameter in parameters { parameter.clearGradient() }
    }
}
