// Optimizer: the protocol for parameter updates, plus gradient clipping shared by every optimizer.
import TensorCore

/// Limits gradients before an update.
public enum GradientClipping: Sendable, Equatable {
    /// Rescales all gradients together so that their global L2 norm is at most `maximum`.
    case norm(Float)
    /// Clamps every gradient value to `[−maximum, maximum]`.
    case value(Float)
}

/// Updates parameters in place from their accumulated gradients.
///
/// `step(_:)` reads each parameter's gradient (skipping parameters without one), applies the clipping, updates the
/// value in place and leaves the gradients for the caller to clear.
public protocol Optimizer: AnyObject {
    /// The current learning rate (schedules and callbacks change it between epochs).
    var learningRate: Float { get set }
    /// Clipping applied to the gradients before each step.
    var gradientClipping: GradientClipping? { get set }
    /// One update of `parameter` from its (clipped) `gradient`.
    func update(_ parameter: Parameter, gradient: [Float])
}

extension Optimizer {
    /// One optimization step over `parameters`.
    public func step(_ parameters: [Parameter]) {
        var gradients: [(Parameter, [Float])] = []
        for parameter in parameters where parameter.isTrainable {
            guard let gradient = parameter.gradient else { continue }
            var scalars = gradient.scalars
            // A pruned weight gets no gradient, so it moves no optimizer state (momentum, Adam's moments).
            if let mask = parameter.mask {
                mask.withUnsafeBufferPointer { keep in for index in scalars.indices { scalars[index] *= keep[index] } }
            }
            gradients.append((parameter, scalars))
        }
        switch gradientClipping {
        case .norm(let maximum):
            let norm = gradients.reduce(Float(0)) { $0 + $1.1.reduce(0) { $0 + $1 * $1 } }.squareRoot()
            if norm > maximum {
                let scale = maximum / (norm + 1e-6)
                for index in gradients.indices { gradients[index].1 = gradients[index].1.map { $0 * scale } }
            }
        case .value(let maximum):
            for index in gradients.indices {
                gradients[index].1 = gradients[index].1.map { Swift.min(Swift.max($0, -maximum), maximum) }
            }
        case nil: break
        }
        for (parameter, gradient) in gradients {
            update(parameter, gradient: gradient)
            parameter.applyMask()  // weight decay and rounding cannot revive a pruned weight
        }
    }
}

/// Per-parameter state buffers (moments) keyed by the parameter's identity.
struct OptimizerSlots {
    private var storage: [ObjectIdentifier: [Float]] = [:]

    /// The buffer for `parameter`, created as zeros on first use.
    mutating func with<R>(_ parameter: Parameter, _ body: (inout [Float]) -> R) -> R {
        let key = ObjectIdentifier(parameter)
        var buffer = storage.removeValue(forKey: key) ?? [Float](repeating: 0, count: parameter.value.scalarCount)
        defer { storage[key] = buffer }
        return body(&buffer)
    }

    func contains(_ parameter: Parameter) -> Bool { storage[ObjectIdentifier(parameter)] != nil }
}
