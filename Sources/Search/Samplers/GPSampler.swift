// GPSampler: Bayesian optimisation as Optuna's GPSampler does it: inputs scaled to [0, 1] (log ranges in log space),
// losses standardized, a Matérn 5/2 ARD Gaussian process fitted by marginal likelihood (warm-started from the previous
// fit), and the next point chosen by maximizing log expected improvement: 2,048 scrambled Sobol' candidates, then
// L-BFGS from the best ten and the best trial so far.
import Foundation
import TensorCore

/// The Gaussian-process sampler's options; the defaults follow Optuna's GPSampler.
public struct GPOptions: Hashable, Sendable, Codable {
    /// Trials sampled at random before the model is used (Optuna: 10).
    public var startupTrials: Int
    /// Quasi-random candidates scored before the local search (Optuna: 2048).
    public var candidates: Int
    /// Local searches started from the best candidates (Optuna: 10).
    public var localSearches: Int

    public init(startupTrials: Int = 10, candidates: Int = 2048, localSearches: Int = 10) {
        self.startupTrials = startupTrials
        self.candidates = candidates
        self.localSearches = localSearches
    }
}

final class GPSampler: Sampler {
    let options: GPOptions
    private var previousFit: KernelParameters?

    init(options: GPOptions) { self.options = options }

    func independentSample(name: String, distribution: Distribution, context: SamplingContext) -> ParameterValue {
        RandomSampler().independentSample(name: name, distribution: distribution, context: context)
    }

    /// The unit-cube coordinate of a value: continuous dimensions scaled over the sampler-space bounds; a choice's index.
    static func coordinate(_ value: ParameterValue, _ distribution: Distribution) -> Double? {
        guard let x = distribution.internalValue(of: value) else { return nil }
        if distribution.isCategorical { return x }
        let (low, high) = distribution.internalBounds
        return (x - low) / (high - low)
    }

    static func value(atCoordinate u: Double, _ distribution: Distribution) -> ParameterValue {
        if distribution.isCategorical { return distribution.value(atInternal: u) }
        let (low, high) = distribution.internalBounds
        return distribution.value(atInternal: low + min(max(u, 0), 1) * (high - low))
    }

    func relativeSample(_ context: SamplingContext) -> [String: ParameterValue] {
        let complete = context.history.filter { $0.state == .complete && ($0.value?.isFinite ?? false) }
        guard context.finishedWithValues.count >= options.startupTrials, !complete.isEmpty else { return [:] }
        let space = context.intersectionSpace
        guard !space.isEmpty else { return [:] }
        let categorical = space.map { $0.distribution.isCategorical }
        var inputs: [[Double]] = []
        var losses: [Double] = []
        for trial in complete {
            let params = trial.params
            let point = space.compactMap { entry in
                params[entry.name].flatMap { Self.coordinate($0, entry.distribution) }
            }
            guard point.count == space.count else { continue }
            inputs.append(point)
            losses.append(context.direction.loss(trial.value!))
        }
        guard !inputs.isEmpty else { return [:] }
        let mean = losses.reduce(0, +) / Double(losses.count)
        let variance = losses.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(losses.count)
        let deviation = variance > 0 ? variance.squareRoot() : 1
        let targets = losses.map { ($0 - mean) / deviation }
        let start = previousFit?.inverseSquaredLengthscales.count == space.count ? previousFit : nil
        guard
            let model = GaussianProcess.fit(
                inputs: inputs, categorical: categorical, targets: targets, start: start)
        else { return [:] }
        previousFit = model.parameters
        let threshold = targets.min()!
        var generator = context.generator("gp-acquisition")
        let best = Self.maximizeExpectedImprovement(
            model: model, threshold: threshold, space: space.map(\.distribution),
            incumbent: inputs[targets.firstIndex(of: threshold)!], options: options, generator: &generator,
            seed: SeedMixing.mix(context.seed, UInt64(context.trialNumber), SeedMixing.hash("gp-sobol")))
        var values: [String: ParameterValue] = [:]
        for (index, entry) in space.enumerated() {
            values[entry.name] = Self.value(atCoordinate: best[index], entry.distribution)
        }
        return values
    }

    /// log EI(x) = log σ + log h((threshold − μ)/σ) and its gradient (for minimization).
    static func logExpectedImprovement(
        _ model: GaussianProcess, _ x: [Double], threshold: Double
    )
        -> (value: Double, gradient: [Double])
    {
        let (mean, variance, dMean, dVariance) = model.posteriorWithGradient(x)
        let sigma = variance.squareRoot()
        let z = (threshold - mean) / sigma
        let logH = Normal.logH(z)
        let ratio = exp(Normal.logCDF(z) - logH)  // h′(z)/h(z) = Φ(z)/h(z)
        let gradient = (0..<x.count).map { d -> Double in
            let dSigma = dVariance[d] / (2 * sigma)
            let dz = (-dMean[d] - z * dSigma) / sigma
            return dSigma / sigma + ratio * dz
        }
        return (log(sigma) + logH, gradient)
    }

    static func maximizeExpectedImprovement(
        model: GaussianProcess, threshold: Double, space: [Distribution], incumbent: [Double], options: GPOptions,
        generator: inout RandomGenerator, seed: UInt64
    ) -> [Double] {
        let dimensions = space.count
        let sobol = SobolSequence(dimensions: min(dimensions, SobolSequence.maximumDimensions), scrambleSeed: seed)
        var scored: [(point: [Double], value: Double)] = []
        for index in 0..<options.candidates {
            var unit = sobol.point(index)
            while unit.count < dimensions { unit.append(generator.nextDouble()) }
            let point = (0..<dimensions).map { d -> Double in
                if let count = space[d].cardinality, space[d].isCategorical {
                    return Double(min(Int(unit[d] * Double(count)), count - 1))
                }
                return unit[d]
            }
            scored.append((point, logExpectedImprovement(model, point, threshold: threshold).value))
        }
        // Local searches (Optuna's optimize_acqf_mixed): from the best candidate, from candidates drawn by a roulette
        // wheel with weights exp(log EI − max), and from the best trial so far.
        let top = scored.indices.max { scored[$0].value < scored[$1].value }!
        var starts = [scored[top].point]
        var weights = scored.map { exp($0.value - scored[top].value) }
        weights[top] = 0
        for _ in 0..<max(options.localSearches - 2, 0) {
            let total = weights.reduce(0, +)
            guard total > 0 else { break }
            var u = generator.nextDouble() * total
            var index = 0
            while index < weights.count - 1, u >= weights[index] {
                u -= weights[index]
                index += 1
            }
            starts.append(scored[index].point)
            weights[index] = 0
        }
        starts.append(incumbent)
        var best = scored[top]
        let continuous = (0..<dimensions).filter { !space[$0].isCategorical }
        guard !continuous.isEmpty else { return best.point }
        // Preconditioned: optimize over z = x / ℓ (ℓ the lengthscale), so every direction has the same curvature scale.
        let scales = continuous.map { 1 / model.parameters.inverseSquaredLengthscales[$0].squareRoot() }
        for start in starts {
            let (z, negative) = LBFGS.minimize(
                continuous.indices.map { start[continuous[$0]] / scales[$0] }, lower: continuous.map { _ in 0 },
                upper: scales.map { 1 / $0 }, iterations: 200
            ) { free in
                var point = start
                for (i, d) in continuous.enumerated() { point[d] = free[i] * scales[i] }
                let (value, gradient) = logExpectedImprovement(model, point, threshold: threshold)
                return (-value, continuous.indices.map { -gradient[continuous[$0]] * scales[$0] })
            }
            if -negative > best.value {
                var point = start
                for (i, d) in continuous.enumerated() { point[d] = min(max(z[i] * scales[i], 0), 1) }
                best = (point, -negative)
            }
        }
        return best.point
    }
}
