// LearningRateSchedule: the learning rate as a function of the epoch (step, exponential, cosine, warm-up).
import Foundation

/// A learning rate per epoch (0-based), relative to the optimizer's initial rate `η₀`.
public indirect enum LearningRateSchedule: Sendable, Equatable {
    /// `η₀`.
    case constant
    /// `η₀ · factor^⌊epoch / every⌋`.
    case step(every: Int, factor: Float)
    /// `η₀ · factor^epoch`.
    case exponential(factor: Float)
    /// Cosine annealing from `η₀` to `minimum` over `epochs`: `min + (η₀ − min)(1 + cos(π·e/epochs))/2`.
    case cosine(epochs: Int, minimum: Float = 0)
    /// Linear warm-up `η₀·(e+1)/epochs` for `epochs`, then `then` (counting from the end of the warm-up).
    case warmup(epochs: Int, then: LearningRateSchedule)

    /// The rate at `epoch` for an initial rate `base`.
    public func rate(atEpoch epoch: Int, base: Float) -> Float {
        switch self {
        case .constant: return base
        case .step(let every, let factor): return base * Float(pow(Double(factor), Double(epoch / max(every, 1))))
        case .exponential(let factor): return base * Float(pow(Double(factor), Double(epoch)))
        case .cosine(let epochs, let minimum):
            let progress = Double(min(epoch, epochs)) / Double(max(epochs, 1))
            return minimum + (base - minimum) * Float((1 + cos(Double.pi * progress)) / 2)
        case .warmup(let epochs, let then):
            if epoch < epochs { return base * Float(epoch + 1) / Float(epochs) }
            return then.rate(atEpoch: epoch - epochs, base: base)
        }
    }
}
