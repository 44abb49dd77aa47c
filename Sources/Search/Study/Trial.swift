// Trial: the object an objective receives. Define-by-run: each `suggest…` call draws one parameter from the study's
// sampler (so a parameter can depend on an earlier one); `report(step:value:)` feeds the pruner.
import Foundation

/// One evaluation of the objective. Parameters are drawn when they are asked for, so the search space can branch:
///
/// ```swift
/// let optimizer = try trial.suggestChoice("optimizer", ["sgd", "adam"])
/// let rate = try trial.suggestFloat("learningRate", 1e-5, 1e-1, log: true)
/// if optimizer == "sgd" { momentum = try trial.suggestFloat("momentum", 0, 0.99) }   // conditional parameter
/// for epoch in 1...20 {
///     …
///     try trial.report(step: epoch, value: validationLoss)
///     try trial.pruneIfNeeded()          // throws TrialPruned when the pruner gives up on this trial
/// }
/// ```
public final class Trial {
    /// The trial's number in its study (0, 1, 2, … in the order trials were started, over every worker).
    public var number: Int { record.number }
    /// The trial as stored so far.
    public private(set) var record: TrialRecord
    let study: Study
    private(set) var history: [TrialRecord]
    private var relative: [String: ParameterValue]

    init(record: TrialRecord, study: Study, history: [TrialRecord]) throws {
        self.record = record
        self.study = study
        self.history = history
        self.relative = [:]
        self.relative = try study.samplerEngine.relativeSample(context)
    }

    var context: SamplingContext {
        SamplingContext(
            trialNumber: record.number, history: history, direction: study.direction, seed: study.settings.seed,
            current: record.parameters)
    }

    /// The parameters suggested so far, by name.
    public var parameters: [String: ParameterValue] { record.params }

    /// Draws parameter `name` from `distribution` (or returns it again when it was already drawn in this trial).
    @discardableResult
    public func suggest(_ name: String, _ distribution: Distribution) throws -> ParameterValue {
        try distribution.validate(name: name)
        if let existing = record.parameters.first(where: { $0.name == name }) {
            guard existing.distribution == distribution else {
                throw SearchError(
                    .inconsistentParameter,
                    "parameter '\(name)' was already suggested from \(existing.distribution) in trial \(number); "
                        + "it cannot also come from \(distribution)")
            }
            return existing.value
        }
        let value: ParameterValue
        if let fixed = record.fixedParameters[name] {
            let normalized: ParameterValue =
                switch (distribution, fixed) {
                case (.uniform, .int(let x)), (.logUniform, .int(let x)): .double(Double(x))
                default: fixed
                }
            guard distribution.contains(normalized) else {
                throw SearchError(
                    .inconsistentParameter,
                    "parameter '\(name)': the fixed value \(fixed) of trial \(number) is not in \(distribution)")
            }
            value = normalized
        } else if let sampled = relative[name], distribution.contains(sampled) {
            value = sampled
        } else {
            value = try study.samplerEngine.independentSample(name: name, distribution: distribution, context: context)
        }
        record.parameters.append(TrialParameter(name: name, value: value, distribution: distribution))
        return value
    }

    /// A float in `low...high`, evenly in log space when `log` is true.
    public func suggestFloat(_ name: String, _ low: Double, _ high: Double, log: Bool = false) throws -> Double {
        let value = try suggest(name, log ? .logUniform(low, high) : .uniform(low, high))
        return value.doubleValue ?? .nan
    }

    /// An integer in `low...high` on multiples of `step` from `low` (log-spaced when `log` is true).
    public func suggestInt(_ name: String, _ low: Int, _ high: Int, step: Int = 1, log: Bool = false) throws -> Int {
        let value = try suggest(name, .int(low, high, step: step, log: log))
        return value.intValue ?? low
    }

    /// One of `choices`.
    public func suggestChoice(_ name: String, _ choices: [ParameterValue]) throws -> ParameterValue {
        try suggest(name, .choice(choices))
    }

    /// One of the strings `choices`.
    public func suggestChoice(_ name: String, _ choices: [String]) throws -> String {
        try suggest(name, .choice(choices.map(ParameterValue.string))).stringValue ?? ""
    }

    /// Every parameter of a space at once, drawn in name order (a space dictionary instead of `suggest…` calls).
    public func suggest(_ space: [String: Distribution]) throws -> [String: ParameterValue] {
        var values: [String: ParameterValue] = [:]
        for name in space.keys.sorted() { values[name] = try suggest(name, space[name]!) }
        return values
    }

    /// Records the objective's value at `step` (an epoch) for the pruner and the charts; stored at once.
    public func report(step: Int, value: Double) throws {
        record.intermediateValues.removeAll { $0.step == step }
        record.intermediateValues.append(IntermediateValue(step: step, value: value))
        record.intermediateValues.sort { $0.step < $1.step }
        try study.storage.saveTrial(studyID: study.id, record)
    }

    /// Whether the study's pruner would stop this trial now (after the last `report`).
    public func shouldPrune() -> Bool {
        guard let pruner = study.prunerEngine, record.lastIntermediate != nil else { return false }
        if let fresh = try? study.storage.trials(studyID: study.id) {
            history = fresh.filter { $0.number != record.number }
        }
        return pruner.shouldPrune(record, history: history, direction: study.direction)
    }

    /// Throws `TrialPruned` when `shouldPrune()` is true.
    public func pruneIfNeeded() throws {
        if shouldPrune() { throw TrialPruned(step: record.lastIntermediate?.step) }
    }

    func finish(state: TrialState, value: Double?, message: String?) {
        record.state = state
        record.value = value
        record.message = message
        record.finished = Date()
    }
}
