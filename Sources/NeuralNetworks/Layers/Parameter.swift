// Parameter: a named, mutable box around a leaf tensor (a weight) or a non-trained buffer (running statistics).
import TensorCore

/// A layer's weight: a leaf tensor that optimizers update in place, or a buffer (BatchNorm's running statistics)
/// that is saved in checkpoints but not trained.
///
/// The box gives the tensor an identity that optimizers key their state on; `value` keeps the same autodiff leaf
/// across steps because updates write into its storage instead of replacing it.
public final class Parameter {
    /// The local name, as in a PyTorch `state_dict` (`weight`, `bias`, `running_mean`).
    public let name: String
    /// The current value; a leaf requiring gradients when `isTrainable`.
    ///
    /// Inside `Layer.predictRecordingGraph` it reads as a constant (the same scalars, detached), so the graph recorded
    /// there runs from the input only and a backward pass computes no weight gradients.
    public internal(set) var value: Tensor {
        get { Parameter.entersAsConstant ? storedValue.detached() : storedValue }
        _modify { yield &storedValue }
    }
    private var storedValue: Tensor
    /// Set for the scope of `Layer.predictRecordingGraph`.
    @TaskLocal static var entersAsConstant = false
    /// Whether optimizers update it (false for buffers such as running statistics).
    public let isTrainable: Bool
    /// A 0/1 pruning mask of the parameter's shape, or nil (``setMask(_:)``): `Optimizer.step` zeroes the masked
    /// gradients and re-applies the mask after each update, so pruned weights stay zero through training.
    public internal(set) var mask: Tensor?

    /// A parameter initialized to `value`.
    public init(_ name: String, _ value: Tensor, isTrainable: Bool = true) {
        self.name = name
        self.isTrainable = isTrainable
        self.storedValue = isTrainable ? value.detached().requiringGradient() : value.detached()
    }

    /// The accumulated gradient of the last `backward()`, if any.
    public var gradient: Tensor? { value.gradient }

    /// The shape of the value.
    public var shape: [Int] { value.shape }

    /// Overwrites the scalars in place (the autodiff leaf stays the same).
    ///
    /// - Throws: `NeuralNetworkError` when the count differs from the parameter's.
    public func assign(_ scalars: [Float]) throws {
        guard scalars.count == value.scalarCount else {
            throw NeuralNetworkError(
                "assign",
                "\(name) has \(value.scalarCount) values \(TensorError.format(shape: shape)); got \(scalars.count)")
        }
        value.withUnsafeMutableBufferPointer { buffer in
            for index in buffer.indices { buffer[index] = scalars[index] }
        }
    }

    /// Applies `body` to the scalars in place (optimizer updates).
    public func update(_ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        value.withUnsafeMutableBufferPointer(body)
    }

    /// Resets the accumulated gradient.
    public func clearGradient() { value.clearGradient() }
}
