// Parameter+Mask: pruning masks that keep pruned weights at zero (set by Deployment's pruning; kept by optimizers).
import TensorCore

extension Parameter {
    /// Sets (or with nil removes) a 0/1 mask of the parameter's shape and zeroes the masked scalars now.
    ///
    /// `Optimizer.step(_:)` multiplies the gradient by the mask before the update and the value after it, so a
    /// masked scalar stays exactly zero through any number of training steps.
    public func setMask(_ newMask: Tensor?) throws {
        if let newMask {
            guard newMask.shape == value.shape else {
                throw NeuralNetworkError(
                    "setMask",
                    "\(name) has shape \(TensorError.format(shape: shape)); the mask has "
                        + TensorError.format(shape: newMask.shape))
            }
            let binary = newMask.scalars.allSatisfy { $0 == 0 || $0 == 1 }
            guard binary else { throw NeuralNetworkError("setMask", "\(name): a mask holds only 0 and 1") }
        }
        mask = newMask?.detached()
        applyMask()
    }

    /// Zeroes the scalars the mask removes (nothing without a mask).
    public func applyMask() {
        guard let mask else { return }
        mask.withUnsafeBufferPointer { keep in
            value.withUnsafeMutableBufferPointer { values in
                for index in values.indices where keep[index] == 0 { values[index] = 0 }
            }
        }
    }

    /// The fraction of the parameter's scalars that are exactly zero.
    public var sparsity: Double {
        let count = value.scalarCount
        guard count > 0 else { return 0 }
        return value.withUnsafeBufferPointer { values in Double(values.count { $0 == 0 }) / Double(count) }
    }
}
