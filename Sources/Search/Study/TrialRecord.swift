// TrialRecord: one trial as stored (state, value, parameters in suggestion order with their distributions,
// intermediate values, times, the failure message); Direction; StudySettings.
import Foundation

/// Where a trial is in its life.
public enum TrialState: String, Hashable, Sendable, Codable, CaseIterable {
    /// Enqueued with fixed parameters (a grid point, `study.enqueue`), not yet claimed by a worker.
    case waiting
    /// Claimed by a worker and running (or left running by a worker that died).
    case running
    /// Finished with a value.
    case complete
    /// Stopped early by the pruner; its value is the last reported intermediate value.
    case pruned
    /// The objective threw or returned a value that is not finite.
    case failed

    /// Whether the trial has ended.
    public var isFinished: Bool { self == .complete || self == .pruned || self == .failed }
}

/// Whether the objective is to be made small or large.
public enum Direction: String, Hashable, Sendable, Codable {
    case minimize
    case maximize

    /// Whether `a` is better than `b` in this direction.
    public func isBetter(_ a: Double, than b: Double) -> Bool {
        self == .minimize ? a < b : a > b
    }

    /// The value as a loss (negated when maximizing), what samplers minimize.
    func loss(_ value: Double) -> Double { self == .minimize ? value : -value }
}

/// One suggested parameter of a trial.
public struct TrialParameter: Hashable, Sendable, Codable {
    public var name: String
    public var value: ParameterValue
    public var distribution: Distribution
}

/// One value reported by `trial.report(step:value:)`.
public struct IntermediateValue: Hashable, Sendable, Codable {
    public var step: Int
    public var value: Double
}

/// A trial as stored: everything needed to resume a study, rank trials, draw charts and feed samplers.
public struct TrialRecord: Hashable, Sendable, Codable {
    public var number: Int
    public var state: TrialState
    /// The objective's value (`.complete`), or the last intermediate value (`.pruned`).
    public var value: Double?
    /// Parameters in the order they were suggested.
    public var parameters: [TrialParameter]
    /// Values reported during the trial, by step.
    public var intermediateValues: [IntermediateValue]
    /// Parameters fixed before the trial ran (a grid point, an enqueued trial).
    public var fixedParameters: [String: ParameterValue]
    public var started: Date?
    public var finished: Date?
    /// Why the trial failed (the objective's error), or `nil`.
    public var message: String?
    /// Which worker ran it (host and process, or a name given to `optimize`).
    public var worker: String?

    public init(number: Int, state: TrialState, fixedParameters: [String: ParameterValue] = [:]) {
        self.number = number
        self.state = state
        self.value = nil
        self.parameters = []
        self.intermediateValues = []
        self.fixedParameters = fixedParameters
        self.started = nil
        self.finished = nil
        self.message = nil
        self.worker = nil
    }

    /// The parameters by name.
    public var params: [String: ParameterValue] {
        Dictionary(parameters.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// The distribution each parameter was drawn from.
    public var distributions: [String: Distribution] {
        Dictionary(parameters.map { ($0.name, $0.distribution) }, uniquingKeysWith: { first, _ in first })
    }

    /// The value of parameter `name`, or `nil` when the trial did not suggest it.
    public subscript(name: String) -> ParameterValue? {
        parameters.first { $0.name == name }?.value
    }

    /// Seconds from start to finish (to now while running).
    public var duration: TimeInterval? {
        guard let started else { return nil }
        return (finished ?? Date()).timeIntervalSince(started)
    }

    /// The last reported step and its value.
    public var lastIntermediate: IntermediateValue? { intermediateValues.max { $0.step < $1.step } }

    /// The value reported at `step`.
    public func intermediate(at step: Int) -> Double? {
        intermediateValues.first { $0.step == step }?.value
    }
}

/// What a study is, as stored with it: `Study.load(name)` rebuilds the study from these.
public struct StudySettings: Hashable, Sendable, Codable {
    public var name: String
    public var direction: Direction
    public var sampler: SamplerKind
    public var pruner: PrunerKind
    public var seed: UInt64

    public init(name: String, direction: Direction, sampler: SamplerKind, pruner: PrunerKind, seed: UInt64) {
        self.name = name
        self.direction = direction
        self.sampler = sampler
        self.pruner = pruner
        self.seed = seed
    }
}
