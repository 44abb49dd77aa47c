// Sampler: how a study proposes parameters. SamplerKind is the stored choice (grid, random, Sobol, TPE, Gaussian
// process); each makes an engine that samples jointly at the start of a trial (relative) and one parameter at a time
// (independent) for parameters outside the joint space, as Optuna's samplers do.
import TensorCore

/// Which sampler a study uses, with its options (stored with the study).
public enum SamplerKind: Hashable, Sendable, Codable {
    /// Every combination of the listed values, each once (in a seeded order); the study stops when all are taken.
    case grid([String: [ParameterValue]])
    /// Independent uniform draws (log-uniform for log ranges).
    case random
    /// A scrambled (seeded) Sobol' sequence: low-discrepancy points, one dimension per parameter.
    case sobol
    /// The tree-structured Parzen estimator (Bergstra et al. 2011) with Optuna's defaults.
    case tpe(TPEOptions = TPEOptions())
    /// Bayesian optimisation with a Gaussian process (Matérn 5/2, ARD) and expected improvement.
    case gaussianProcess(GPOptions = GPOptions())

    func validate() throws(SearchError) {
        switch self {
        case .grid(let grid):
            guard !grid.isEmpty else { throw SearchError(.invalidArgument, "a grid needs at least one parameter") }
            for (name, values) in grid where values.isEmpty {
                throw SearchError(.invalidArgument, "grid parameter '\(name)' has no values")
            }
        case .tpe(let options):
            guard options.startupTrials >= 0, options.candidates >= 1, options.priorWeight > 0 else {
                throw SearchError(.invalidArgument, "TPE options out of range: \(options)")
            }
        case .gaussianProcess(let options):
            guard options.startupTrials >= 1, options.candidates >= 1 else {
                throw SearchError(.invalidArgument, "Gaussian-process options out of range: \(options)")
            }
        case .random, .sobol: break
        }
    }

    func makeSampler() -> any Sampler {
        switch self {
        case .grid: GridSampler()
        case .random: RandomSampler()
        case .sobol: SobolSampler()
        case .tpe(let options): TPESampler(options: options)
        case .gaussianProcess(let options): GPSampler(options: options)
        }
    }
}

/// What a sampler knows when it proposes parameters for a trial.
struct SamplingContext {
    var trialNumber: Int
    /// Every other trial of the study (any state, any worker).
    var history: [TrialRecord]
    var direction: Direction
    var seed: UInt64
    /// Parameters already drawn in this trial.
    var current: [TrialParameter]

    /// Complete and pruned trials that have a usable value, the ones samplers learn from.
    var finishedWithValues: [TrialRecord] {
        history.filter { ($0.state == .complete || $0.state == .pruned) && ($0.value?.isFinite ?? false) }
    }

    /// Optuna's intersection search space: the parameters (and distributions) every complete trial has.
    var intersectionSpace: [(name: String, distribution: Distribution)] {
        let complete = history.filter { $0.state == .complete }
        guard let first = complete.first else { return [] }
        var space = first.distributions
        for trial in complete.dropFirst() {
            let distributions = trial.distributions
            space = space.filter { distributions[$0.key] == $0.value }
        }
        return space.keys.sorted().map { ($0, space[$0]!) }
    }

    /// A generator for this seed, trial and purpose: the same three always give the same stream, on any worker.
    func generator(_ label: String) -> RandomGenerator {
        RandomGenerator(seed: SeedMixing.mix(seed, UInt64(bitPattern: Int64(trialNumber)), SeedMixing.hash(label)))
    }
}

/// The sampler engine protocol.
protocol Sampler: AnyObject {
    /// Joint samples for the trial, drawn before the objective runs; parameters it does not cover are independent.
    func relativeSample(_ context: SamplingContext) throws -> [String: ParameterValue]
    /// One parameter, drawn when the objective asks for it.
    func independentSample(
        name: String, distribution: Distribution, context: SamplingContext
    ) throws
        -> ParameterValue
}

/// Stable seed derivation (SplitMix64 finaliser, FNV-1a for labels): no dependence on Swift's randomized hashing.
enum SeedMixing {
    static func splitmix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static func mix(_ values: UInt64...) -> UInt64 {
        values.reduce(0x243F_6A88_85A3_08D3) { splitmix($0 ^ splitmix($1)) }
    }

    static func hash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01B3
        }
        return hash
    }
}

extension RandomGenerator {
    /// A uniform Double in [0, 1) with 53 random bits.
    mutating func nextDouble() -> Double { Double(next() >> 11) * 0x1p-53 }
}

/// Independent uniform draws; also what the model-based samplers use before they have enough trials.
final class RandomSampler: Sampler {
    func relativeSample(_ context: SamplingContext) -> [String: ParameterValue] { [:] }

    func independentSample(name: String, distribution: Distribution, context: SamplingContext) -> ParameterValue {
        var generator = context.generator("random/" + name)
        return distribution.value(atUnit: generator.nextDouble())
    }
}

/// Every point of a grid, once. The study enqueues the points (in a seeded order) as waiting trials and workers claim
/// them, so several workers share one grid without repeating a point; this engine only rejects parameters outside it.
final class GridSampler: Sampler {
    func relativeSample(_ context: SamplingContext) -> [String: ParameterValue] { [:] }

    func independentSample(
        name: String, distribution: Distribution, context: SamplingContext
    ) throws
        -> ParameterValue
    {
        throw SearchError(
            .inconsistentParameter,
            "parameter '\(name)' is not in the grid (every parameter of a grid search needs its values listed)")
    }

    /// Every combination, parameters in name order, then shuffled with `seed` (Optuna visits its grid in random order).
    static func points(of grid: [String: [ParameterValue]], seed: UInt64) -> [[String: ParameterValue]] {
        var points: [[String: ParameterValue]] = [[:]]
        for name in grid.keys.sorted() {
            points = points.flatMap { point in
                grid[name]!.map { value in
                    var extended = point
                    extended[name] = value
                    return extended
                }
            }
        }
        var generator = RandomGenerator(seed: SeedMixing.mix(seed, SeedMixing.hash("grid")))
        var index = points.count - 1
        while index > 0 {
            points.swapAt(index, generator.nextInt(below: index + 1))
            index -= 1
        }
        return points
    }

    /// The number of points of a grid.
    static func size(of grid: [String: [ParameterValue]]) -> Int { grid.values.reduce(1) { $0 * $1.count } }
}
