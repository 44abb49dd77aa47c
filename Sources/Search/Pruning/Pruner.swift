// Pruners: stop trials whose intermediate values (`trial.report(step:value:)`) say they will not win. The median
// pruner and successive halving follow Optuna's MedianPruner and SuccessiveHalvingPruner.

/// Which pruner a study uses (stored with the study).
public enum PrunerKind: Hashable, Sendable, Codable {
    /// Never prune.
    case none
    /// Prune when the trial's best value so far is worse than the median, at the same step, of the trials that
    /// finished (Optuna's MedianPruner: no pruning before `startupTrials` finished trials, before `warmupSteps`, off
    /// the `intervalSteps` grid, or with fewer than `minTrials` values at that step).
    case median(startupTrials: Int = 5, warmupSteps: Int = 0, intervalSteps: Int = 1, minTrials: Int = 1)
    /// Asynchronous successive halving (Li et al. 2018, Optuna's SuccessiveHalvingPruner): rung r is reached at step
    /// minResource · η^(minEarlyStoppingRate + r); there, a trial continues only if its value is in the best 1/η of the
    /// values every trial had at that rung.
    case successiveHalving(minResource: Int = 1, reductionFactor: Int = 4, minEarlyStoppingRate: Int = 0)

    func validate() throws(SearchError) {
        switch self {
        case .none: break
        case .median(let startup, let warmup, let interval, let minTrials):
            guard startup >= 0, warmup >= 0, interval >= 1, minTrials >= 1 else {
                throw SearchError(.invalidArgument, "median pruner options out of range: \(self)")
            }
        case .successiveHalving(let minResource, let factor, let rate):
            guard minResource >= 1, factor >= 2, rate >= 0 else {
                throw SearchError(.invalidArgument, "successive halving options out of range: \(self)")
            }
        }
    }

    func makePruner() -> (any Pruner)? {
        switch self {
        case .none: nil
        case .median(let startup, let warmup, let interval, let minTrials):
            MedianPruner(startupTrials: startup, warmupSteps: warmup, intervalSteps: interval, minTrials: minTrials)
        case .successiveHalving(let minResource, let factor, let rate):
            SuccessiveHalvingPruner(minResource: minResource, reductionFactor: factor, minEarlyStoppingRate: rate)
        }
    }
}

protocol Pruner {
    func shouldPrune(_ trial: TrialRecord, history: [TrialRecord], direction: Direction) -> Bool
}

struct MedianPruner: Pruner {
    let startupTrials: Int
    let warmupSteps: Int
    let intervalSteps: Int
    let minTrials: Int

    func shouldPrune(_ trial: TrialRecord, history: [TrialRecord], direction: Direction) -> Bool {
        guard let last = trial.lastIntermediate else { return false }
        let step = last.step
        let finished = history.filter { $0.state == .complete }
        guard finished.count >= startupTrials, step >= warmupSteps else { return false }
        guard (step - warmupSteps) % intervalSteps == 0 else { return false }
        let values = trial.intermediateValues.map(\.value)
        if values.contains(where: \.isNaN) { return true }
        let best = direction == .minimize ? values.min()! : values.max()!
        let others = finished.compactMap { $0.intermediate(at: step) }.filter { !$0.isNaN }
        guard others.count >= minTrials else { return false }
        let median = Self.median(others)
        return direction == .minimize ? best > median : best < median
    }

    /// The median with linear interpolation between the middle two (NumPy's percentile 50).
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = Double(sorted.count - 1) / 2
        let lower = sorted[Int(middle.rounded(.down))]
        let upper = sorted[Int(middle.rounded(.up))]
        return lower + (upper - lower) * (middle - middle.rounded(.down))
    }
}

struct SuccessiveHalvingPruner: Pruner {
    let minResource: Int
    let reductionFactor: Int
    let minEarlyStoppingRate: Int

    /// The step at which rung `rung` is reached.
    func resource(ofRung rung: Int) -> Int {
        var value = minResource
        for _ in 0..<(minEarlyStoppingRate + rung) { value *= reductionFactor }
        return value
    }

    /// A trial's value at a rung: what it reported at the first step at or past the rung's resource.
    func value(of trial: TrialRecord, atRung rung: Int) -> Double? {
        let resource = resource(ofRung: rung)
        return trial.intermediateValues.filter { $0.step >= resource }.min { $0.step < $1.step }?.value
    }

    func shouldPrune(_ trial: TrialRecord, history: [TrialRecord], direction: Direction) -> Bool {
        guard let last = trial.lastIntermediate else { return false }
        if last.value.isNaN { return true }
        var rung = 0
        while resource(ofRung: rung) <= last.step {
            guard let value = value(of: trial, atRung: rung) else { return false }
            let competing =
                history.filter { $0.state != .waiting }.compactMap { self.value(of: $0, atRung: rung) }.filter {
                    !$0.isNaN
                } + [value]
            if !Self.isPromotable(value, competing: competing, reductionFactor: reductionFactor, direction: direction) {
                return true
            }
            rung += 1
        }
        return false
    }

    /// Optuna's rule: in the best ⌊n/η⌋ of the rung's values (the best one while there are fewer than η).
    static func isPromotable(_ value: Double, competing: [Double], reductionFactor: Int, direction: Direction) -> Bool {
        var index = competing.count / reductionFactor - 1
        if index < 0 { index = 0 }
        let sorted = competing.sorted()
        return direction == .maximize ? value >= sorted[sorted.count - 1 - index] : value <= sorted[index]
    }
}
