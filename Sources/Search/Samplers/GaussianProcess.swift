// GaussianProcess: a GP regression model with a Matérn 5/2 kernel and automatic relevance determination (one
// lengthscale per input), fitted by maximizing the log marginal likelihood plus Optuna's priors; its posterior mean
// and variance with their gradients, for expected improvement.
import Foundation

/// Kernel hyperparameters: k(x, x') = scale · m(r), r² = Σ_d λ_d Δ_d², m(r) = (1 + √5 r + 5r²/3) e^(−√5 r), and the
/// observation noise variance. Categorical inputs use Δ² = 1 when the categories differ, else 0.
struct KernelParameters: Equatable {
    var inverseSquaredLengthscales: [Double]
    var scale: Double
    var noiseVariance: Double

    static let minimumNoiseVariance = 1e-6
}

struct GaussianProcess {
    let inputs: [[Double]]
    let categorical: [Bool]
    let targets: [Double]
    let parameters: KernelParameters
    let cholesky: Cholesky
    /// K⁻¹ y.
    let alpha: [Double]

    var count: Int { inputs.count }

    /// Matérn 5/2 of the squared scaled distance, unit scale.
    static func matern(_ r2: Double) -> Double {
        let r = r2.squareRoot()
        let s5r = 5.0.squareRoot() * r
        return (1 + s5r + 5 * r2 / 3) * exp(-s5r)
    }

    /// d m / d(r²) = −(5/6)(1 + √5 r) e^(−√5 r) (finite at r = 0).
    static func maternDerivative(_ r2: Double) -> Double {
        let s5r = 5.0.squareRoot() * r2.squareRoot()
        return -(5.0 / 6.0) * (1 + s5r) * exp(-s5r)
    }

    static func squaredDifferences(_ a: [Double], _ b: [Double], categorical: [Bool]) -> [Double] {
        (0..<a.count).map { d in
            categorical[d] ? (a[d].rounded() == b[d].rounded() ? 0 : 1) : (a[d] - b[d]) * (a[d] - b[d])
        }
    }

    static func kernel(_ a: [Double], _ b: [Double], categorical: [Bool], parameters: KernelParameters) -> Double {
        let differences = squaredDifferences(a, b, categorical: categorical)
        var r2 = 0.0
        for d in differences.indices { r2 += parameters.inverseSquaredLengthscales[d] * differences[d] }
        return parameters.scale * matern(r2)
    }

    /// The model conditioned on the data with fixed hyperparameters; `nil` if the kernel matrix cannot be factored.
    init?(inputs: [[Double]], categorical: [Bool], targets: [Double], parameters: KernelParameters) {
        let n = inputs.count
        var matrix = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                let k = Self.kernel(inputs[i], inputs[j], categorical: categorical, parameters: parameters)
                matrix[i * n + j] = k
                matrix[j * n + i] = k
            }
            matrix[i * n + i] += parameters.noiseVariance
        }
        guard let cholesky = Cholesky(matrix, n: n) else { return nil }
        self.inputs = inputs
        self.categorical = categorical
        self.targets = targets
        self.parameters = parameters
        self.cholesky = cholesky
        self.alpha = cholesky.solve(targets)
    }

    /// Posterior mean and variance of the latent function at x (noise excluded).
    func posterior(_ x: [Double]) -> (mean: Double, variance: Double) {
        let k = inputs.map { Self.kernel(x, $0, categorical: categorical, parameters: parameters) }
        let mean = LBFGS.dot(k, alpha)
        let v = cholesky.solveLower(k)
        let variance = max(parameters.scale - LBFGS.dot(v, v), 1e-12)
        return (mean, variance)
    }

    /// Posterior mean and variance with their gradients with respect to the continuous inputs.
    func posteriorWithGradient(_ x: [Double]) -> (mean: Double, variance: Double, dMean: [Double], dVariance: [Double])
    {
        let dimensions = x.count
        var k = [Double](repeating: 0, count: count)
        var dk = [[Double]](repeating: [Double](repeating: 0, count: count), count: dimensions)
        for (i, input) in inputs.enumerated() {
            let differences = Self.squaredDifferences(x, input, categorical: categorical)
            var r2 = 0.0
            for d in 0..<dimensions { r2 += parameters.inverseSquaredLengthscales[d] * differences[d] }
            k[i] = parameters.scale * Self.matern(r2)
            let slope = parameters.scale * Self.maternDerivative(r2)
            for d in 0..<dimensions where !categorical[d] {
                dk[d][i] = slope * 2 * parameters.inverseSquaredLengthscales[d] * (x[d] - input[d])
            }
        }
        let mean = LBFGS.dot(k, alpha)
        let kInverseK = cholesky.solve(k)
        let variance = max(parameters.scale - LBFGS.dot(k, kInverseK), 1e-12)
        let dMean = (0..<dimensions).map { LBFGS.dot(dk[$0], alpha) }
        let dVariance = (0..<dimensions).map { -2 * LBFGS.dot(dk[$0], kInverseK) }
        return (mean, variance, dMean, dVariance)
    }

    /// log p(y | X, θ) = −½ yᵀK⁻¹y − ½ log|K| − (n/2) log 2π.
    var logMarginalLikelihood: Double {
        -0.5 * LBFGS.dot(targets, alpha) - 0.5 * cholesky.logDeterminant
            - 0.5 * Double(count) * log(2 * Double.pi)
    }

    /// Optuna's prior on the hyperparameters: −Σ(0.1/λ + 0.1λ) + Gamma(2, 1) on the scale + Gamma(1.1, 30) on the noise.
    static func logPrior(_ parameters: KernelParameters) -> Double {
        -parameters.inverseSquaredLengthscales.reduce(0) { $0 + 0.1 / $1 + 0.1 * $1 }
            + (log(parameters.scale) - parameters.scale)
            + (0.1 * log(parameters.noiseVariance) - 30 * parameters.noiseVariance)
    }

    /// θ = (log λ₁…λ_d, log scale, log(noise − minimum)) ↦ parameters.
    static func parameters(from theta: [Double]) -> KernelParameters {
        let d = theta.count - 2
        return KernelParameters(
            inverseSquaredLengthscales: theta[0..<d].map { exp(min(max($0, -20), 20)) },
            scale: exp(min(max(theta[d], -20), 20)),
            noiseVariance: KernelParameters.minimumNoiseVariance + exp(min(max(theta[d + 1], -30), 20)))
    }

    static func theta(from parameters: KernelParameters) -> [Double] {
        parameters.inverseSquaredLengthscales.map { log($0) } + [
            log(parameters.scale), log(max(parameters.noiseVariance - KernelParameters.minimumNoiseVariance, 1e-30)),
        ]
    }

    /// −(log marginal likelihood + log prior) and its gradient in θ:
    /// ∂/∂θ log p = ½ tr((ααᵀ − K⁻¹) ∂K/∂θ).
    static func negativeObjective(
        theta: [Double], inputs: [[Double]], categorical: [Bool], targets: [Double]
    ) -> (value: Double, gradient: [Double]) {
        let parameters = parameters(from: theta)
        guard
            let model = GaussianProcess(
                inputs: inputs, categorical: categorical, targets: targets, parameters: parameters)
        else { return (.infinity, theta.map { _ in 0 }) }
        let n = inputs.count
        let dimensions = theta.count - 2
        let inverse = model.cholesky.inverse
        // W = ααᵀ − K⁻¹, symmetric.
        var w = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n { w[i * n + j] = model.alpha[i] * model.alpha[j] - inverse[i * n + j] }
        }
        var gradient = [Double](repeating: 0, count: theta.count)
        for i in 0..<n {
            for j in 0..<n {
                let differences = squaredDifferences(inputs[i], inputs[j], categorical: categorical)
                var r2 = 0.0
                for d in 0..<dimensions { r2 += parameters.inverseSquaredLengthscales[d] * differences[d] }
                let slope = parameters.scale * maternDerivative(r2)
                let weight = 0.5 * w[i * n + j]
                for d in 0..<dimensions {
                    gradient[d] += weight * slope * parameters.inverseSquaredLengthscales[d] * differences[d]
                }
                gradient[dimensions] += weight * parameters.scale * matern(r2)
            }
            gradient[dimensions + 1] +=
                0.5 * w[i * n + i] * (parameters.noiseVariance - KernelParameters.minimumNoiseVariance)
        }
        // The prior's gradient in θ.
        for d in 0..<dimensions {
            let lambda = parameters.inverseSquaredLengthscales[d]
            gradient[d] += 0.1 / lambda - 0.1 * lambda
        }
        gradient[dimensions] += 1 - parameters.scale
        gradient[dimensions + 1] +=
            (0.1 / parameters.noiseVariance - 30) * (parameters.noiseVariance - KernelParameters.minimumNoiseVariance)
        let value = model.logMarginalLikelihood + logPrior(parameters)
        return (-value, gradient.map { -$0 })
    }

    /// Fits the hyperparameters by L-BFGS (stopping, as Optuna does, when the gradient's norm falls below 0.01) from
    /// `start` (the previous fit) or, when that fails, from Optuna's defaults (λ = 1, scale = 1, noise = 1).
    static func fit(
        inputs: [[Double]], categorical: [Bool], targets: [Double], start: KernelParameters? = nil
    ) -> GaussianProcess? {
        let dimensions = categorical.count
        let defaults = KernelParameters(
            inverseSquaredLengthscales: Array(repeating: 1, count: dimensions), scale: 1, noiseVariance: 1)
        var best: (theta: [Double], value: Double)?
        for initial in [start, defaults].compactMap({ $0 }) {
            let result = LBFGS.minimize(theta(from: initial), iterations: 200, tolerance: 1e-2) { theta in
                negativeObjective(theta: theta, inputs: inputs, categorical: categorical, targets: targets)
            }
            if result.value.isFinite {
                best = (result.x, result.value)
                break
            }
        }
        if let best,
            let model = GaussianProcess(
                inputs: inputs, categorical: categorical, targets: targets, parameters: parameters(from: best.theta))
        {
            return model
        }
        return GaussianProcess(inputs: inputs, categorical: categorical, targets: targets, parameters: defaults)
    }
}
