// Adam and AdamW: adaptive moments with bias correction; L2 (Adam) or decoupled (AdamW) weight decay.
import Foundation
import TensorCore

/// Adam (Kingma & Ba): `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
/// `p ← p − η · (m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)`. Weight decay adds `λ·p` to the gradient (L2), or, with
/// `decoupled` (AdamW), multiplies `p` by `1 − ηλ` before the update.
public final class Adam: Optimizer {
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: Float
    public let decoupledWeightDecay: Bool
    public var gradientClipping: GradientClipping?
    var firstMoments = OptimizerSlots()
    var secondMoments = OptimizerSlots()
    var steps: [ObjectIdentifier: Int] = [:]

    /// Adam with PyTorch's defaults (`η = 1e-3`, `β = (0.9, 0.999)`, `ε = 1e-8`).
    public init(
        learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
        weightDecay: Float = 0, decoupledWeightDecay: Bool = false, gradientClipping: GradientClipping? = nil
    ) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        self.gradientClipping = gradientClipping
    }

    /// AdamW (Loshchilov & Hutter): Adam with decoupled weight decay (PyTorch's default `λ = 0.01`).
    public static func adamW(
        learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
        weightDecay: Float = 0.01, gradientClipping: GradientClipping? = nil
    ) -> Adam {
        Adam(
            learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay,
            decoupledWeightDecay: true, gradientClipping: gradientClipping)
    }

    public func update(_ parameter: Parameter, gradient: [Float]) {
        let key = ObjectIdentifier(parameter)
        let t = (steps[key] ?? 0) + 1
        steps[key] = t
        let (lr, b1, b2, eps, decay, decoupled) = (
            learningRate, beta1, beta2, epsilon, weightDecay, decoupledWeightDecay
        )
        let correction1 = 1 - Float(pow(Double(b1), Double(t)))
        let correction2 = 1 - Float(pow(Double(b2), Double(t)))
        let stepSize = lr / correction1
        let root2 = correction2.squareRoot()
        firstMoments.with(parameter) { m in
            secondMoments.with(parameter) { v in
                parameter.update { p in
                    guard let parameters = p.baseAddress, p.count > 0 else { return }
                    gradient.withUnsafeBufferPointer { g in
                        m.withUnsafeMutableBufferPointer { m in
                            v.withUnsafeMutableBufferPointer { v in
                                // Plain pointer loops with the weight-decay choice hoisted out, so that they vectorize.
                                let (g, m, v, count) = (g.baseAddress!, m.baseAddress!, v.baseAddress!, p.count)
                                if decay != 0 && decoupled {
                                    for i in 0..<count { parameters[i] *= 1 - lr * decay }
                                }
                                if decay != 0 && !decoupled {
                                    for i in 0..<count {
                                        let gradient = g[i] + decay * parameters[i]
                                        m[i] = b1 * m[i] + (1 - b1) * gradient
                                        v[i] = b2 * v[i] + (1 - b2) * gradient * gradient
                                        parameters[i] -= stepSize * m[i] / (v[i].squareRoot() / root2 + eps)
                                    }
                                } else {
                                    for i in 0..<count {
                                        m[i] = b1 * m[i] + (1 - b1) * g[i]
                                        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                                        parameters[i] -= stepSize * m[i] / (v[i].squareRoot() / root2 + eps)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// RMSProp (PyTorch's form): `v ← αv + (1−α)g²`, `p ← p − η·g/(√v + ε)`; with momentum
/// `b ← μb + g/(√v + ε)`, `p ← p − η·b`.
public final class RMSProp: Optimizer {
    public var learningRate: Float
    public let alpha: Float
    public let epsilon: Float
    public let momentum: Float
    public let weightDecay: Float
    public var gradientClipping: GradientClipping?
    var squares = OptimizerSlots()
    var velocity = OptimizerSlots()

    /// RMSProp with PyTorch's defaults (`η = 0.01`, `α = 0.99`, `ε = 1e-8`).
    public init(
        learningRate: Float = 0.01, alpha: Float = 0.99, epsilon: Float = 1e-8, momentum: Float = 0,
        weightDecay: Float = 0, gradientClipping: GradientClipping? = nil
    ) {
        self.learningRate = learningRate
        self.alpha = alpha
        self.epsilon = epsilon
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.gradientClipping = gradientClipping
    }

    public func update(_ parameter: Parameter, gradient: [Float]) {
        let (lr, a, eps, mu, decay) = (learningRate, alpha, epsilon, momentum, weightDecay)
        squares.with(parameter) { v in
            velocity.with(parameter) { b in
                parameter.update { p in
                    for i in 0..<p.count {
                        let g = gradient[i] + decay * p[i]
                        v[i] = a * v[i] + (1 - a) * g * g
                        let scaled = g / (v[i].squareRoot() + eps)
                        if mu != 0 {
                            b[i] = mu * b[i] + scaled
                            p[i] -= lr * b[i]
                        } else {
                            p[i] -= lr * scaled
                        }
                    }
                }
            }
        }
    }
}
