import Foundation
import Testing

@testable import Search

@Suite("Search spaces and samplers")
struct SpaceAndSamplerTests {
    @Test("bad spaces are clear errors")
    func badSpaces() throws {
        let cases: [(Distribution, String)] = [
            (.uniform(1, 1), "the range is empty"),
            (.uniform(2, 1), "the range is empty"),
            (.uniform(0, .infinity), "bounds must be finite"),
            (.logUniform(0, 1), "positive bounds"),
            (.logUniform(-1, 1), "positive bounds"),
            (.int(5, 4), "the range is empty"),
            (.int(0, 10, step: 0), "the step must be at least 1"),
            (.int(0, 10, log: true), "positive bounds"),
            (.choice([]), "at least one value"),
            (.choice(["a", "a"]), "distinct"),
        ]
        for (distribution, reason) in cases {
            let error = #expect(throws: SearchError.self) { try distribution.validate(name: "p") }
            #expect(error?.kind == .invalidArgument)
            #expect(error?.message.contains(reason) == true, "\(error?.message ?? "")")
            #expect(error?.message.contains("parameter 'p'") == true)
        }
        #expect(throws: SearchError.self) { try Study("s", sampler: .grid([:])) }
        #expect(throws: SearchError.self) { try Study("s", sampler: .grid(["x": []])) }
        #expect(throws: SearchError.self) { try Study("", sampler: .random) }
    }

    @Test("a bad suggestion fails its trial, and the study goes on")
    func badSuggestionFailsTrial() throws {
        let study = try Study("bad", sampler: .random, seed: 1)
        let trials = try study.optimize(trials: 3) { trial in
            if trial.number == 1 { return try trial.suggestFloat("x", 0, -1, log: true) }
            return try trial.suggestFloat("x", 0, 1)
        }
        #expect(trials.map(\.state) == [.complete, .failed, .complete])
        #expect(trials[1].message?.contains("positive bounds") == true)
    }

    @Test("values map to and from the unit interval")
    func unitMapping() {
        #expect(Distribution.uniform(2, 4).value(atUnit: 0.5) == .double(3))
        let log = Distribution.logUniform(1e-4, 1)
        #expect(abs(log.value(atUnit: 0.5).doubleValue! - 1e-2) < 1e-12)
        let ints = Distribution.int(16, 250, step: 16)
        #expect(ints.cardinality == 15)
        #expect(ints.value(atUnit: 0) == .int(16))
        #expect(ints.value(atUnit: 0.9999) == .int(240))
        let counts = (0..<1500).reduce(into: [ParameterValue: Int]()) { counts, i in
            counts[ints.value(atUnit: (Double(i) + 0.5) / 1500), default: 0] += 1
        }
        #expect(counts.count == 15 && counts.values.allSatisfy { $0 == 100 })
        let choice = Distribution.choice(["a", "b", "c"])
        #expect([0.1, 0.5, 0.9].map { choice.value(atUnit: $0) } == ["a", "b", "c"])
        #expect(Distribution.int(1, 1000, log: true).value(atUnit: 1) == .int(1000))
    }

    @Test("the grid sampler visits every point once, then stops")
    func gridCompleteness() throws {
        let grid: [String: [ParameterValue]] = [
            "rate": [0.1, 0.01, 0.001], "width": [8, 16], "act": ["relu", "tanh"],
        ]
        let study = try Study("grid", sampler: .grid(grid), seed: 3)
        var seen: [String] = []
        let trials = try study.optimize(trials: 100) { trial in
            let rate = try trial.suggestFloat("rate", 1e-4, 1, log: true)
            let width = try trial.suggestInt("width", 8, 16, step: 8)
            let act = try trial.suggestChoice("act", ["relu", "tanh"])
            seen.append("\(rate)/\(width)/\(act)")
            return rate * Double(width)
        }
        #expect(trials.count == 12)
        #expect(Set(seen).count == 12)
        var expected: Set<String> = []
        for rate in [0.1, 0.01, 0.001] {
            for width in [8, 16] { for act in ["relu", "tanh"] { expected.insert("\(rate)/\(width)/\(act)") } }
        }
        #expect(Set(seen) == expected)
        #expect(try study.optimize(trials: 5) { _ in 0 }.isEmpty)
        // A parameter outside the grid fails the trial with a clear message.
        let other = try Study("grid2", sampler: .grid(["x": [1, 2]]))
        let failed = try other.optimize(trials: 1) { trial in try trial.suggestFloat("y", 0, 1) }
        #expect(failed.first?.state == .failed)
        #expect(failed.first?.message?.contains("not in the grid") == true)
    }

    @Test(
        "samplers are deterministic for a seed",
        arguments: [
            SamplerKind.random, .sobol, .tpe(TPEOptions(startupTrials: 4)),
            .tpe(TPEOptions(startupTrials: 4, multivariate: false)),
            .gaussianProcess(GPOptions(startupTrials: 4, candidates: 128, localSearches: 2)),
        ])
    func determinism(sampler: SamplerKind) throws {
        func run(seed: UInt64) throws -> [[String: ParameterValue]] {
            let study = try Study("det", sampler: sampler, seed: seed)
            return try study.optimize(trials: 9) { trial in
                let x = try trial.suggestFloat("x", -5, 5)
                let n = try trial.suggestInt("n", 1, 64, log: true)
                let kind = try trial.suggestChoice("kind", ["a", "b", "c"])
                if kind == "a" { _ = try trial.suggestFloat("extra", 1e-3, 1, log: true) }  // conditional
                return x * x + Double(n) / 10 + (kind == "b" ? 0 : 1)
            }.map(\.params)
        }
        let first = try run(seed: 7)
        #expect(try run(seed: 7) == first)
        #expect(try run(seed: 8) != first)
        #expect(Set(first.map { StorageCoding.key($0) }).count == first.count)
    }

    @Test("unscrambled Sobol' points match SciPy; scrambled points are seeded and balanced")
    func sobol() {
        let plain = SobolSequence(dimensions: 6, scrambleSeed: nil)
        // scipy.stats.qmc.Sobol(d=6, scramble=False, bits=32).random(8)
        let scipy: [[Double]] = [
            [0, 0, 0, 0, 0, 0], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5], [0.75, 0.25, 0.25, 0.25, 0.75, 0.75],
            [0.25, 0.75, 0.75, 0.75, 0.25, 0.25], [0.375, 0.375, 0.625, 0.875, 0.375, 0.125],
            [0.875, 0.875, 0.125, 0.375, 0.875, 0.625], [0.625, 0.125, 0.875, 0.625, 0.625, 0.875],
            [0.125, 0.625, 0.375, 0.125, 0.125, 0.375],
        ]
        #expect((0..<8).map { plain.point($0) } == scipy)
        let a = SobolSequence(dimensions: 64, scrambleSeed: 1)
        let b = SobolSequence(dimensions: 64, scrambleSeed: 1)
        let c = SobolSequence(dimensions: 64, scrambleSeed: 2)
        #expect(a.point(5) == b.point(5))
        #expect(a.point(5) != c.point(5))
        // A scrambled net keeps the stratification: 64 points put one in each of the 64 cells of every dimension.
        for dimension in [0, 1, 7, 40, 63] {
            let cells = Set((0..<64).map { Int(a.point($0)[dimension] * 64) })
            #expect(cells.count == 64)
        }
    }

    @Test("TPE's Parzen estimators match Optuna 5's densities on a tiny history")
    func tpeDensities() throws {
        // Ten trials of x ∈ [0, 10]: γ(4) = 1, so with the four below the best (x = 2) is the good group.
        func estimator(_ observations: [Double], _ distribution: Distribution) -> ParzenEstimator {
            ParzenEstimator(
                observations: observations.map {
                    [distribution.isCategorical ? $0 : distribution.internalValue(of: .double($0))!]
                },
                dimensions: [ParzenDimension(distribution)], priorWeight: 1)
        }
        // Log ranges are modelled in log space; Optuna's log-normal kernels give the same log density there.
        func check(_ estimator: ParzenEstimator, _ points: [Double], _ expected: [Double], logSpace: Bool = false) {
            for (point, value) in zip(points, expected) {
                let ours = estimator.logPDF([logSpace ? log(point) : point])
                #expect(abs(ours - value) < 1e-9, "log density at \(point): \(ours) vs Optuna's \(value)")
            }
        }
        // Numbers from optuna 5.1.0's _ParzenEstimator with the same observations.
        check(
            estimator([2], .uniform(0, 10)), [0.5, 2, 5, 9],
            [-2.275461543454555, -2.2399798016659256, -2.254693957251166, -2.444999723712837])
        check(
            estimator([7, 4, 9.5], .uniform(0, 10)), [0.5, 2, 5, 9],
            [-3.0690518869530807, -2.7229803880720755, -2.2332035462299573, -2.01793961742164])
        check(
            estimator([3], .int(1, 9, step: 2)), [1, 3, 5, 9],
            [-1.5917545877367334, -1.542082116764648, -1.5533450465912182, -1.7499381256656257])
        check(
            estimator([7, 5, 9], .int(1, 9, step: 2)), [1, 3, 5, 9],
            [-2.732696901703921, -2.035846228913219, -1.4455168816089936, -1.322071986735876])
        check(
            estimator([0], .choice(["a", "b", "c"])), [0, 1, 2],
            [-0.7621400520468968, -1.3217558399823193, -1.3217558399823193])
        check(
            estimator([1, 2, 1], .choice(["a", "b", "c"])), [0, 1, 2],
            [-1.6582280766035324, -0.7419373447293772, -1.0986122886681098])
        check(
            estimator([1e-3], .logUniform(1e-4, 1)), [1e-4, 1e-3, 0.05],
            [-2.22751086400645, -2.154089007606048, -2.227239782566241], logSpace: true)
        check(
            estimator([0.1, 0.01, 3e-4], .logUniform(1e-4, 1)), [1e-4, 1e-3, 0.05],
            [-2.4705336418995323, -2.2402708230184225, -2.0817215244111846], logSpace: true)
    }

    @Test("TPE splits the history as Optuna does")
    func tpeSplit() {
        func trial(_ number: Int, _ value: Double, _ state: TrialState = .complete) -> TrialRecord {
            var record = TrialRecord(number: number, state: state)
            record.value = value
            if state == .pruned { record.intermediateValues = [IntermediateValue(step: 1, value: value)] }
            return record
        }
        let history =
            (0..<12).map { trial($0, Double(($0 * 7) % 12)) } + [trial(12, -1, .pruned), trial(13, .nan, .failed)]
        let context = SamplingContext(trialNumber: 14, history: history, direction: .minimize, seed: 0, current: [])
        let (below, above) = TPESampler.split(context)
        #expect(TPESampler.gamma(13) == 2)
        #expect(below.map(\.value) == [0, 1])  // trials 0 and 7, in number order
        #expect(below.map(\.number) == [0, 7])
        #expect(above.count == 11)
        #expect(ParzenEstimator.defaultWeights(27) == [1.0 / 27, 1] + Array(repeating: 1, count: 25))
    }

    @Test("the Gaussian process's posterior matches a hand-computed case")
    func gaussianProcessPosterior() throws {
        let parameters = KernelParameters(inverseSquaredLengthscales: [4], scale: 2, noiseVariance: 0.01)
        let model = try #require(
            GaussianProcess(
                inputs: [[0], [0.5], [0.9]], categorical: [false], targets: [1, -1, 0.5], parameters: parameters))
        // NumPy: K = 2·m(4·Δ²) + 0.01·I, mean = k·K⁻¹y, variance = 2 − k·K⁻¹k.
        let a = model.posterior([0.1])
        #expect(abs(a.mean - 0.5773206063345255) < 1e-12)
        #expect(abs(a.variance - 0.07711621466908003) < 1e-12)
        let b = model.posterior([0.7])
        #expect(abs(b.mean - -0.41709391841763144) < 1e-12)
        #expect(abs(b.variance - 0.097450270902671) < 1e-12)
        #expect(abs(model.logMarginalLikelihood - -5.333639676711822) < 1e-12)
        // Gradients agree with central differences.
        let (mean, variance, dMean, dVariance) = model.posteriorWithGradient([0.3])
        let h = 1e-6
        let plus = model.posterior([0.3 + h]), minus = model.posterior([0.3 - h])
        #expect(
            abs(mean - model.posterior([0.3]).mean) < 1e-12 && abs(variance - model.posterior([0.3]).variance) < 1e-12)
        #expect(abs(dMean[0] - (plus.mean - minus.mean) / (2 * h)) < 1e-5)
        #expect(abs(dVariance[0] - (plus.variance - minus.variance) / (2 * h)) < 1e-5)
        // The marginal-likelihood gradient agrees with central differences too.
        let theta = GaussianProcess.theta(from: parameters)
        let inputs: [[Double]] = [[0], [0.5], [0.9]]
        let (_, gradient) = GaussianProcess.negativeObjective(
            theta: theta, inputs: inputs, categorical: [false], targets: [1, -1, 0.5])
        for i in theta.indices {
            var up = theta, down = theta
            up[i] += 1e-6
            down[i] -= 1e-6
            let numeric =
                (GaussianProcess.negativeObjective(
                    theta: up, inputs: inputs, categorical: [false], targets: [1, -1, 0.5]
                ).value
                    - GaussianProcess.negativeObjective(
                        theta: down, inputs: inputs, categorical: [false], targets: [1, -1, 0.5]
                    ).value)
                / 2e-6
            #expect(abs(gradient[i] - numeric) < 1e-5 * max(1, abs(numeric)), "θ[\(i)]: \(gradient[i]) vs \(numeric)")
        }
        // Fitting raises the marginal likelihood (plus prior) above the starting point's.
        let fitted = try #require(GaussianProcess.fit(inputs: inputs, categorical: [false], targets: [1, -1, 0.5]))
        let start = GaussianProcess.theta(
            from: KernelParameters(inverseSquaredLengthscales: [1], scale: 1, noiseVariance: 0.01))
        #expect(
            GaussianProcess.negativeObjective(
                theta: GaussianProcess.theta(from: fitted.parameters), inputs: inputs, categorical: [false],
                targets: [1, -1, 0.5]
            ).value
                < GaussianProcess.negativeObjective(
                    theta: start, inputs: inputs, categorical: [false], targets: [1, -1, 0.5]
                ).value)
    }

    @Test("normal functions")
    func normal() {
        #expect(abs(Normal.cdf(1.96) - 0.9750021048517795) < 1e-14)
        for p in [1e-12, 1e-5, 0.02, 0.3, 0.5, 0.9, 0.99999] {
            #expect(abs(Normal.cdf(Normal.quantile(p)) - p) < 1e-13 * max(1, p / 1e-3))
        }
        #expect(abs(Normal.logCDF(-40) - -804.6084420137538) < 1e-6)
        // log h(z) against mpmath at 50 digits: log(z·Φ(z) + φ(z)).
        #expect(abs(Normal.logH(-10) - -55.553122036122356) < 1e-9)
        #expect(abs(Normal.logH(-40) - -808.2985683566200) < 1e-9)
        #expect(abs(Normal.logH(1) - log(Normal.cdf(1) + Normal.pdf(1))) < 1e-15)
    }
}
