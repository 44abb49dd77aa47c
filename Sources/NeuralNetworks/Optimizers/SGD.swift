// SGD: stochastic gradient descent with momentum, Nesterov momentum and L2 weight decay (PyTorch's torch.optim.SGD).
import TensorCore

/// Stochastic gradient descent: `g ← ∇ + λ·p`; with momentum `b ← μ·b + g` (`b = g` on the first step) and
/// `g ← b` (or `g + μ·b` with Nesterov); then `p ← p − η·g`.
public final class SGD: Optimizer {
    public var learningRate: Float
    public let momentum: Float
    public let nesterov: Bool
    public let weightDecay: Float
    public var gradientClipping: GradientClipping?
    var velocity = OptimizerSlots()

    /// SGD with learning rate `η`, momentum `μ` and L2 weight decay `λ`.
    public init(
        learningRate: Float = 0.01, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0,
        gradientClipping: GradientClipping? = nil
    ) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        self.gradientClipping = gradientClipping
    }

    public func update(_ parameter: Parameter, gradient: [Float]) {
        let (lr, mu, decay, nesterov) = (learningRate, momentum, weightDecay, nesterov)
        let first = !velocity.contains(parameter)
        velocity.with(parameter) { b in
            parameter.update { p in
                for i in 0..<p.count {
                    var g = gradient[i] + decay * p[i]
                    if mu != 0 {
                        b[i] = first ? g : mu * b[i] + g
                        g = nesterov ? g + mu * b[i] : b[i]
                    }
                    p[i] -= lr * g
                }
            }
        }
    }
}
