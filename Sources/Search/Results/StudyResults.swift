// StudyResults: a study's trials as data and charts: the trial table (HTML, text, CSV), optimisation history,
// parameter importances (permutation importance of a Gaussian-process surrogate), parallel coordinates, slice plots
// and 2-D contour plots, all RichDisplay values that render to static SVG/HTML.
import Foundation
import RichDisplay
import TensorCore

/// A snapshot of a study's trials, and every view of them.
public struct StudyResults: Sendable {
    public let name: String
    public let direction: Direction
    public let trials: [TrialRecord]

    public init(name: String, direction: Direction, trials: [TrialRecord]) {
        self.name = name
        self.direction = direction
        self.trials = trials.sorted { $0.number < $1.number }
    }

    /// The study's trials as they are stored now.
    public init(_ study: Study) throws {
        self.init(name: study.name, direction: study.direction, trials: try study.trials)
    }

    public var best: TrialRecord? { Study.best(of: trials, direction: direction) }

    var complete: [TrialRecord] { trials.filter { $0.state == .complete && $0.value != nil } }

    /// Parameter names in first-suggested order over all trials.
    public var parameterNames: [String] {
        var names: [String] = []
        for trial in trials {
            for parameter in trial.parameters where !names.contains(parameter.name) { names.append(parameter.name) }
        }
        return names
    }

    /// The distribution a parameter was last drawn from.
    func distribution(of name: String) -> Distribution? {
        trials.reversed().lazy.compactMap { $0.parameters.first { $0.name == name }?.distribution }.first
    }

    // MARK: the table

    /// One row per trial: number, state, value, each parameter, duration (s) and the failure message; the best value
    /// highlighted. Waiting trials are left out.
    public var table: Table {
        let names = parameterNames
        let rows: [[TableCell]] = trials.filter { $0.state != .waiting }.map { trial in
            var row: [TableCell] = [.integer(trial.number), .text(trial.state.rawValue)]
            row.append(trial.value.map(TableCell.number) ?? .empty)
            for name in names {
                switch trial[name] {
                case .double(let x): row.append(.number(x))
                case .int(let x): row.append(.integer(x))
                case .string(let x): row.append(.text(x))
                case .bool(let x): row.append(.bool(x))
                case nil: row.append(.empty)
                }
            }
            row.append(trial.duration.map { .number(($0 * 1000).rounded() / 1000) } ?? .empty)
            row.append(trial.message.map(TableCell.text) ?? .empty)
            return row
        }
        var table = Table(
            columns: ["trial", "state", "value"] + names + ["duration (s)", "note"], rows: rows,
            title: "Study \(name) (\(direction.rawValue)): \(trials.filter { $0.state == .complete }.count) complete, "
                + "\(trials.filter { $0.state == .pruned }.count) pruned, \(trials.filter { $0.state == .failed }.count) failed"
        )
        table.highlight("value", best: direction == .minimize ? .lowest : .highest)
        return table
    }

    /// The trial table as CSV (RFC 4180), full precision.
    public var csv: String { table.csv }

    // MARK: history

    /// Each complete trial's value (points) and the best value so far (a line).
    public var historyPlot: Plot {
        var plot = Plot(title: "Optimisation history: \(name)", x: "trial", y: "objective value")
        let points = complete
        plot.scatter(x: points.map { Double($0.number) }, y: points.map { $0.value! }, label: "trial")
        var best = Double.nan
        var xs: [Double] = []
        var ys: [Double] = []
        for trial in points {
            if best.isNaN || direction.isBetter(trial.value!, than: best) { best = trial.value! }
            xs.append(Double(trial.number))
            ys.append(best)
        }
        plot.line(x: xs, y: ys, label: "best so far")
        return plot
    }

    // MARK: surrogate

    /// A Gaussian process fitted to the complete trials over `names` (unit coordinates), with the standardization.
    struct Surrogate {
        let model: GaussianProcess
        let names: [String]
        let distributions: [Distribution]
        let inputs: [[Double]]
        let mean: Double
        let deviation: Double

        func predict(_ point: [Double]) -> Double { model.posterior(point).mean * deviation + mean }
    }

    func surrogate(_ names: [String]) -> Surrogate? {
        let distributions = names.compactMap(distribution(of:))
        guard distributions.count == names.count else { return nil }
        var inputs: [[Double]] = []
        var values: [Double] = []
        for trial in complete {
            let point = zip(names, distributions).compactMap { name, distribution in
                trial[name].flatMap { GPSampler.coordinate($0, distribution) }
            }
            guard point.count == names.count else { continue }
            inputs.append(point)
            values.append(trial.value!)
        }
        guard inputs.count >= 2 else { return nil }
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        let deviation = variance > 0 ? variance.squareRoot() : 1
        guard
            let model = GaussianProcess.fit(
                inputs: inputs, categorical: distributions.map(\.isCategorical),
                targets: values.map { ($0 - mean) / deviation })
        else { return nil }
        return Surrogate(
            model: model, names: names, distributions: distributions, inputs: inputs, mean: mean, deviation: deviation)
    }

    // MARK: importances

    /// Parameter importances by **permutation importance on a Gaussian-process surrogate**: a GP (Matérn 5/2, ARD) is
    /// fitted to the complete trials over the parameters every complete trial has; a parameter's importance is the
    /// mean squared change of the surrogate's prediction at the trials when that parameter's column is shuffled
    /// (`repeats` seeded shuffles), normalized to sum to 1. Largest first.
    public func importances(repeats: Int = 10, seed: UInt64 = 0) -> [(name: String, importance: Double)] {
        let names = parameterNames.filter { name in !complete.isEmpty && complete.allSatisfy { $0[name] != nil } }
        guard !names.isEmpty else { return [] }
        if names.count == 1 { return [(names[0], 1)] }
        guard let surrogate = surrogate(names) else { return names.map { ($0, 1 / Double(names.count)) } }
        let base = surrogate.inputs.map(surrogate.predict)
        var generator = RandomGenerator(seed: SeedMixing.mix(seed, SeedMixing.hash("importance")))
        var scores: [Double] = []
        for column in names.indices {
            var total = 0.0
            for _ in 0..<repeats {
                var order = Array(surrogate.inputs.indices)
                var index = order.count - 1
                while index > 0 {
                    order.swapAt(index, generator.nextInt(below: index + 1))
                    index -= 1
                }
                for (row, input) in surrogate.inputs.enumerated() {
                    var shuffled = input
                    shuffled[column] = surrogate.inputs[order[row]][column]
                    let change = surrogate.predict(shuffled) - base[row]
                    total += change * change
                }
            }
            scores.append(total / Double(repeats * surrogate.inputs.count))
        }
        let sum = scores.reduce(0, +)
        let normalized = scores.map { sum > 0 ? $0 / sum : 1 / Double(scores.count) }
        return zip(names, normalized).sorted { ($1.1, $0.0) < ($0.1, $1.0) }.map { ($0.0, $0.1) }
    }

    /// The importances as a bar chart.
    public func importancePlot(repeats: Int = 10, seed: UInt64 = 0) -> Plot {
        let values = importances(repeats: repeats, seed: seed)
        var plot = Plot(
            title: "Parameter importances (permutation, GP surrogate)", x: "parameter", y: "share of importance")
        plot.bar(values.map(\.importance), categories: values.map(\.name))
        return plot
    }

    // MARK: parallel coordinates, slices, contours

    /// One axis for the objective, then one per parameter; lines coloured by the objective, the best trial thicker.
    public var parallelCoordinates: ParallelCoordinates {
        let rows = complete
        var chart = ParallelCoordinates(title: "Parallel coordinates: \(name)", colorLabel: "objective")
        chart.numericAxis("objective", rows.map { $0.value })
        for name in parameterNames {
            guard let distribution = distribution(of: name) else { continue }
            if case .choice(let choices) = distribution {
                chart.categoricalAxis(
                    name, rows.map { $0[name]?.description }, categories: choices.map(\.description))
            } else {
                chart.numericAxis(name, rows.map { $0[name]?.number }, logarithmic: distribution.isLogarithmic)
            }
        }
        chart.colorValues = rows.map { $0.value! }
        if let best, let index = rows.firstIndex(where: { $0.number == best.number }) { chart.emphasized = [index] }
        return chart
    }

    /// The objective against one parameter, one point per complete trial (log axis for log ranges; a choice's index).
    public func slicePlot(_ parameter: String) -> Plot {
        let distribution = distribution(of: parameter)
        var xLabel = parameter
        if case .choice(let choices) = distribution {
            xLabel += " (" + choices.enumerated().map { "\($0.offset) = \($0.element)" }.joined(separator: ", ") + ")"
        }
        var plot = Plot(title: "Slice: \(parameter)", x: xLabel, y: "objective value")
        let rows = complete.filter { $0[parameter] != nil }
        let xs = rows.map { trial -> Double in
            if case .choice(let choices) = distribution {
                return Double(choices.firstIndex(of: trial[parameter]!) ?? 0)
            }
            return trial[parameter]!.number ?? .nan
        }
        plot.scatter(x: xs, y: rows.map { $0.value! }, label: "trial")
        if distribution?.isLogarithmic == true { plot.xScale = .logarithmic }
        return plot
    }

    /// A slice plot per parameter.
    public var slicePlots: [Plot] { parameterNames.map(slicePlot) }

    /// The objective over two numeric parameters: a GP surrogate's mean on a `resolution`² grid (even in log space for
    /// log ranges), with the trials on top and the best one marked.
    public func contourPlot(_ x: String, _ y: String, resolution: Int = 40) throws -> ContourPlot {
        guard let xDistribution = distribution(of: x), let yDistribution = distribution(of: y) else {
            throw SearchError(
                .invalidArgument, "contourPlot: the study has no parameter '\(distribution(of: x) == nil ? x : y)'")
        }
        guard !xDistribution.isCategorical, !yDistribution.isCategorical, x != y else {
            throw SearchError(
                .invalidArgument, "contourPlot needs two different numeric parameters, got '\(x)' and '\(y)'")
        }
        guard let surrogate = surrogate([x, y]) else {
            throw SearchError(.invalidArgument, "contourPlot needs at least two complete trials with '\(x)' and '\(y)'")
        }
        let steps = (0..<resolution).map { Double($0) / Double(resolution - 1) }
        func axis(_ distribution: Distribution) -> [Double] {
            let (low, high) = distribution.internalBounds
            return steps.map { u in
                let value = low + u * (high - low)
                return distribution.isLogarithmic ? exp(value) : value
            }
        }
        let surface = steps.map { v in steps.map { u in surrogate.predict([u, v]) } }
        var chart = ContourPlot(
            x: axis(xDistribution), y: axis(yDistribution), z: surface, title: "Contour: \(name)", xLabel: x, yLabel: y,
            colorLabel: "objective")
        if xDistribution.isLogarithmic { chart.xScale = .logarithmic }
        if yDistribution.isLogarithmic { chart.yScale = .logarithmic }
        let rows = complete.filter { $0[x] != nil && $0[y] != nil }
        chart.points = rows.map { ($0[x]!.number!, $0[y]!.number!) }
        if let best, let index = rows.firstIndex(where: { $0.number == best.number }) { chart.emphasizedPoint = index }
        return chart
    }
}
