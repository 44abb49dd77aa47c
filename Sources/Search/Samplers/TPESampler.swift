// TPESampler: the tree-structured Parzen estimator (Bergstra, Bardenet, Bengio & Kégl 2011) as Optuna implements it:
// trials split into a good group (the best γ(n) = min(⌈0.1 n⌉, 25)) and the rest; each group becomes a Parzen
// estimator (truncated Gaussians at the observations plus a prior); 24 candidates drawn from the good group's density
// l(x); the one maximizing log l(x) − log g(x) wins.
import Foundation
import TensorCore

/// TPE's options; the defaults are Optuna 5's.
public struct TPEOptions: Hashable, Sendable, Codable {
    /// Trials sampled at random before the estimator is used (Optuna: 10).
    public var startupTrials: Int
    /// Candidates drawn from l(x) per suggestion (Optuna: 24).
    public var candidates: Int
    /// Weight of the prior kernel (Optuna: 1).
    public var priorWeight: Double
    /// Model the parameters of the intersection search space jointly (Optuna 5's default for one objective); `false`
    /// samples each parameter on its own.
    public var multivariate: Bool

    public init(startupTrials: Int = 10, candidates: Int = 24, priorWeight: Double = 1, multivariate: Bool = true) {
        self.startupTrials = startupTrials
        self.candidates = candidates
        self.priorWeight = priorWeight
        self.multivariate = multivariate
    }
}

/// One dimension of a Parzen estimator: its bounds in the sampler's space, and whether it is discrete or categorical.
struct ParzenDimension: Equatable {
    enum Kind: Equatable {
        case continuous
        case discrete(step: Double)
        case categorical(count: Int)
    }
    var low: Double
    var high: Double
    var kind: Kind

    /// The sampler-space dimension of a distribution (log ranges in log space; log integers are continuous there).
    init(_ distribution: Distribution) {
        switch distribution {
        case .uniform(let low, let high): (self.low, self.high, kind) = (low, high, .continuous)
        case .logUniform(let low, let high): (self.low, self.high, kind) = (log(low), log(high), .continuous)
        case .int(let low, _, let step, let isLog):
            if isLog {
                (self.low, self.high, kind) = (
                    log(Double(low) - 0.5), log(Double(distribution.intHigh) + 0.5), .continuous
                )
            } else {
                (self.low, self.high, kind) = (Double(low), Double(distribution.intHigh), .discrete(step: Double(step)))
            }
        case .choice(let values):
            (self.low, self.high, kind) = (0, Double(values.count - 1), .categorical(count: values.count))
        }
    }

    init(low: Double, high: Double, kind: Kind) {
        self.low = low
        self.high = high
        self.kind = kind
    }

    var step: Double {
        if case .discrete(let step) = kind { return step }
        return 0
    }
}

/// A mixture of kernels, one per observation plus the prior; each kernel is a product over dimensions of a truncated
/// Gaussian (continuous), a discretized truncated Gaussian (integers on a step) or a categorical distribution.
struct ParzenEstimator {
    let dimensions: [ParzenDimension]
    /// Normalized kernel weights.
    let weights: [Double]
    /// Per dimension, per kernel: centre and width (numerical) or category probabilities (categorical).
    let mus: [[Double]]
    let sigmas: [[Double]]
    let categoryProbabilities: [[[Double]]]

    /// Optuna's default weights: 1 for the last 25 observations, a ramp from 1/n up to 1 before them.
    static func defaultWeights(_ n: Int) -> [Double] {
        if n == 0 { return [] }
        if n < 25 { return Array(repeating: 1, count: n) }
        let rampCount = n - 25
        let ramp: [Double] = (0..<rampCount).map { i in
            rampCount == 1 ? 1 / Double(n) : 1 / Double(n) + (1 - 1 / Double(n)) * Double(i) / Double(rampCount - 1)
        }
        return ramp + Array(repeating: 1, count: 25)
    }

    /// `observations[i][d]`: observation i's coordinate in dimension d (sampler space; category index), in trial-number
    /// order (the weights ramp up towards the newest). With no observations the estimator is the prior alone.
    init(observations: [[Double]], dimensions: [ParzenDimension], priorWeight: Double) {
        self.dimensions = dimensions
        let n = observations.count
        var weights = n == 0 ? [1.0] : Self.defaultWeights(n) + [priorWeight]
        let total = weights.reduce(0, +)
        weights = weights.map { $0 / total }
        self.weights = weights
        var mus: [[Double]] = []
        var sigmas: [[Double]] = []
        var categories: [[[Double]]] = []
        for (d, dimension) in dimensions.enumerated() {
            let values = observations.map { $0[d] }
            switch dimension.kind {
            case .categorical(let count):
                let kernels = n + 1
                var rows: [[Double]] = values.map { value in
                    var row = [Double](repeating: priorWeight / Double(kernels), count: count)
                    row[min(max(Int(value.rounded()), 0), count - 1)] += 1
                    return row
                }
                rows.append([Double](repeating: 1, count: count))
                categories.append(rows.map { row in row.map { $0 / row.reduce(0, +) } })
                mus.append([])
                sigmas.append([])
            case .continuous, .discrete:
                let low = dimension.low - dimension.step / 2
                let high = dimension.high + dimension.step / 2
                let maximum = high - low
                let minimum = maximum / min(100, 1 + Double(n + 1))
                let kernelSigmas = Self.neighbourSigmas(values, low: low, high: high).map {
                    min(max($0, minimum), maximum)
                }
                mus.append(values + [0.5 * (low + high)])
                sigmas.append(kernelSigmas + [maximum])
                categories.append([])
            }
        }
        self.mus = mus
        self.sigmas = sigmas
        self.categoryProbabilities = categories
    }

    /// Optuna's bandwidths: each observation's larger gap to its neighbours in sorted order (the bounds, widened by
    /// half a step, as the outer neighbours), except that the smallest and largest use their inner gap only.
    static func neighbourSigmas(_ values: [Double], low: Double, high: Double) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var padded: [Double] = [low]
        padded += order.map { values[$0] }
        padded.append(high)
        var sortedSigmas: [Double] = []
        for i in 1..<(padded.count - 1) {
            let left: Double = padded[i] - padded[i - 1]
            let right: Double = padded[i + 1] - padded[i]
            sortedSigmas.append(max(left, right))
        }
        if padded.count >= 4 {
            sortedSigmas[0] = padded[2] - padded[1]
            sortedSigmas[sortedSigmas.count - 1] = padded[padded.count - 2] - padded[padded.count - 3]
        }
        var sigmas = [Double](repeating: 0, count: values.count)
        for (position, index) in order.enumerated() { sigmas[index] = sortedSigmas[position] }
        return sigmas
    }

    var kernelCount: Int { weights.count }

    /// log of kernel k's density (probability, for discrete and categorical dimensions) in dimension d at x.
    func logKernel(_ k: Int, dimension d: Int, at x: Double) -> Double {
        let dimension = dimensions[d]
        switch dimension.kind {
        case .categorical(let count):
            return log(categoryProbabilities[d][k][min(max(Int(x.rounded()), 0), count - 1)])
        case .continuous:
            let (mu, sigma) = (mus[d][k], sigmas[d][k])
            let normalizer = Normal.logMass((dimension.low - mu) / sigma, (dimension.high - mu) / sigma)
            return Normal.logPDF((x - mu) / sigma) - log(sigma) - normalizer
        case .discrete(let step):
            let (mu, sigma) = (mus[d][k], sigmas[d][k])
            let normalizer = Normal.logMass(
                (dimension.low - step / 2 - mu) / sigma, (dimension.high + step / 2 - mu) / sigma)
            return Normal.logMass((x - step / 2 - mu) / sigma, (x + step / 2 - mu) / sigma) - normalizer
        }
    }

    /// log density of the mixture at a point.
    func logPDF(_ point: [Double]) -> Double {
        var terms = [Double](repeating: 0, count: kernelCount)
        for k in 0..<kernelCount {
            var sum = log(weights[k])
            for d in dimensions.indices { sum += logKernel(k, dimension: d, at: point[d]) }
            terms[k] = sum
        }
        let top = terms.max() ?? -.infinity
        guard top.isFinite else { return top }
        return top + log(terms.reduce(0) { $0 + exp($1 - top) })
    }

    /// `count` points drawn from the mixture.
    func sample(_ count: Int, using generator: inout RandomGenerator) -> [[Double]] {
        (0..<count).map { _ in
            var u = generator.nextDouble()
            var k = 0
            while k < kernelCount - 1, u >= weights[k] {
                u -= weights[k]
                k += 1
            }
            return dimensions.indices.map { d in sampleKernel(k, dimension: d, using: &generator) }
        }
    }

    private func sampleKernel(_ k: Int, dimension d: Int, using generator: inout RandomGenerator) -> Double {
        let dimension = dimensions[d]
        switch dimension.kind {
        case .categorical:
            var u = generator.nextDouble()
            let probabilities = categoryProbabilities[d][k]
            for (index, p) in probabilities.enumerated() {
                if u < p { return Double(index) }
                u -= p
            }
            return Double(probabilities.count - 1)
        case .continuous, .discrete:
            let step = dimension.step
            let (low, high) = (dimension.low - step / 2, dimension.high + step / 2)
            let (mu, sigma) = (mus[d][k], sigmas[d][k])
            let a = Normal.cdf((low - mu) / sigma)
            let b = Normal.cdf((high - mu) / sigma)
            let p = a + (b - a) * generator.nextDouble()
            var x = mu + sigma * Normal.quantile(min(max(p, 1e-300), 1 - 1e-16))
            x = min(max(x, low), high)
            if step > 0 {
                x = dimension.low + ((x - dimension.low) / step).rounded() * step
                x = min(max(x, dimension.low), dimension.high)
            }
            return x
        }
    }
}

/// The TPE engine.
final class TPESampler: Sampler {
    let options: TPEOptions

    init(options: TPEOptions) { self.options = options }

    /// γ(n) = min(⌈0.1 n⌉, 25): how many trials form the good group.
    static func gamma(_ n: Int) -> Int { min(Int((0.1 * Double(n)).rounded(.up)), 25) }

    /// Optuna's split: complete trials by loss, then pruned ones (further steps first, then by their last value); the
    /// best γ(n) form the good group, n counting finished trials only. Running trials join the bad group (Optuna's
    /// constant liar, so parallel workers spread out). Both groups come back in trial-number order.
    static func split(_ context: SamplingContext) -> (below: [TrialRecord], above: [TrialRecord]) {
        let trials = context.finishedWithValues
        let complete = trials.filter { $0.state == .complete }.sorted {
            (context.direction.loss($0.value!), $0.number) < (context.direction.loss($1.value!), $1.number)
        }
        let pruned = trials.filter { $0.state == .pruned }.sorted {
            let a = (-($0.lastIntermediate?.step ?? 0), context.direction.loss($0.value!), $0.number)
            let b = (-($1.lastIntermediate?.step ?? 0), context.direction.loss($1.value!), $1.number)
            return a < b
        }
        let running = context.history.filter { $0.state == .running && $0.number != context.trialNumber }
        let ranked = complete + pruned
        let n = gamma(ranked.count)
        let below = ranked.prefix(n).sorted { $0.number < $1.number }
        let above = (ranked.dropFirst(n) + running).sorted { $0.number < $1.number }
        return (below, above)
    }

    func relativeSample(_ context: SamplingContext) -> [String: ParameterValue] {
        guard options.multivariate, context.finishedWithValues.count >= options.startupTrials else { return [:] }
        let space = context.intersectionSpace
        guard !space.isEmpty else { return [:] }
        let dimensions = space.map { ParzenDimension($0.distribution) }
        let point = chooseCandidate(
            names: space.map(\.name), distributions: space.map(\.distribution), dimensions: dimensions,
            context: context, label: "tpe-joint")
        var values: [String: ParameterValue] = [:]
        for (index, entry) in space.enumerated() {
            values[entry.name] = entry.distribution.value(atInternal: point[index])
        }
        return values
    }

    func independentSample(name: String, distribution: Distribution, context: SamplingContext) -> ParameterValue {
        guard context.finishedWithValues.count >= options.startupTrials else {
            return RandomSampler().independentSample(name: name, distribution: distribution, context: context)
        }
        let point = chooseCandidate(
            names: [name], distributions: [distribution], dimensions: [ParzenDimension(distribution)],
            context: context, label: "tpe/" + name)
        return distribution.value(atInternal: point[0])
    }

    /// The good and bad groups' estimators over `names`.
    func estimators(
        names: [String], distributions: [Distribution], dimensions: [ParzenDimension], context: SamplingContext
    ) -> (below: ParzenEstimator, above: ParzenEstimator) {
        let (below, above) = Self.split(context)
        func observations(_ trials: [TrialRecord]) -> [[Double]] {
            trials.compactMap { trial -> [Double]? in
                var point: [Double] = []
                for (name, distribution) in zip(names, distributions) {
                    guard let parameter = trial.parameters.first(where: { $0.name == name }),
                        parameter.distribution == distribution,
                        let x = distribution.internalValue(of: parameter.value)
                    else { return nil }
                    point.append(x)
                }
                return point
            }
        }
        return (
            ParzenEstimator(
                observations: observations(below), dimensions: dimensions, priorWeight: options.priorWeight),
            ParzenEstimator(
                observations: observations(above), dimensions: dimensions, priorWeight: options.priorWeight)
        )
    }

    private func chooseCandidate(
        names: [String], distributions: [Distribution], dimensions: [ParzenDimension], context: SamplingContext,
        label: String
    ) -> [Double] {
        let (below, above) = estimators(
            names: names, distributions: distributions, dimensions: dimensions, context: context)
        var generator = context.generator(label)
        let candidates = below.sample(options.candidates, using: &generator)
        var best = candidates[0]
        var bestScore = -Double.infinity
        for candidate in candidates {
            let score = below.logPDF(candidate) - above.logPDF(candidate)
            if score > bestScore {
                bestScore = score
                best = candidate
            }
        }
        return best
    }
}
