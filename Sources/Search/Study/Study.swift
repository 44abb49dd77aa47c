// Study: a named search with a direction, a sampler, a pruner and a seed, kept in a storage; `optimize` runs trials
// of an objective one after another, records each as it ends (failures included) and stops cleanly on interrupt.
import Foundation

/// A hyperparameter search, Optuna's way: define-by-run trials, a sampler that proposes parameters, a pruner that stops
/// hopeless trials early, and a storage that keeps every trial as it finishes.
///
/// ```swift
/// let study = try Study("digits-mlp", direction: .minimize, sampler: .tpe(), seed: 0,
///                       storage: SQLiteStorage(path: "studies.sqlite"))
/// try study.optimize(trials: 40) { trial in
///     let rate = try trial.suggestFloat("learningRate", 1e-4, 1e-1, log: true)
///     let width = try trial.suggestInt("width", 16, 128, step: 16)
///     return try validationLoss(rate: rate, width: width)
/// }
/// study.best?.params     // ["learningRate": 0.0031…, "width": 64]
/// ```
public final class Study {
    /// The study's settings as stored (name, direction, sampler, pruner, seed).
    public let settings: StudySettings
    public let storage: any StudyStorage
    /// The study's key in its storage.
    public let id: Int
    let samplerEngine: any Sampler
    let prunerEngine: (any Pruner)?

    public var name: String { settings.name }
    public var direction: Direction { settings.direction }

    /// Creates the study in `storage`, or resumes the stored one of that name (which must have the same direction;
    /// this call's sampler, pruner and seed are used from now on).
    public convenience init(
        _ name: String, direction: Direction = .minimize, sampler: SamplerKind = .tpe(), pruner: PrunerKind = .none,
        seed: UInt64 = 0, storage: any StudyStorage = InMemoryStorage()
    ) throws {
        guard !name.isEmpty else { throw SearchError(.invalidArgument, "a study needs a non-empty name") }
        try sampler.validate()
        try pruner.validate()
        let settings = StudySettings(name: name, direction: direction, sampler: sampler, pruner: pruner, seed: seed)
        let (stored, _) = try storage.createStudy(settings)
        guard stored.settings.direction == direction else {
            throw SearchError(
                .studyMismatch,
                "study '\(name)' exists and is to \(stored.settings.direction.rawValue), not \(direction.rawValue)")
        }
        self.init(id: stored.id, settings: settings, storage: storage)
    }

    init(id: Int, settings: StudySettings, storage: any StudyStorage) {
        self.id = id
        self.settings = settings
        self.storage = storage
        self.samplerEngine = settings.sampler.makeSampler()
        self.prunerEngine = settings.pruner.makePruner()
    }

    /// The stored study `name`, with the sampler, pruner and seed it was created with; its finished trials feed the
    /// sampler, so `optimize` continues where the study stopped.
    public static func load(_ name: String, storage: any StudyStorage) throws -> Study {
        let stored = try storage.loadStudy(named: name)
        return Study(id: stored.id, settings: stored.settings, storage: storage)
    }

    /// `load(name, storage: SQLiteStorage(path: path))`.
    public static func load(_ name: String, path: String = SQLiteStorage.defaultPath) throws -> Study {
        try load(name, storage: SQLiteStorage(path: path, create: false))
    }

    /// Deletes the stored study `name` and its trials (`SearchError.studyNotFound` when there is none).
    public static func delete(_ name: String, storage: any StudyStorage) throws {
        try storage.deleteStudy(named: name)
    }

    /// Every trial of the study, by number (all workers').
    public var trials: [TrialRecord] {
        get throws { try storage.trials(studyID: id) }
    }

    /// The best complete trial, or `nil` before the first.
    public var best: TrialRecord? {
        get throws { Self.best(of: try trials, direction: direction) }
    }

    static func best(of trials: [TrialRecord], direction: Direction) -> TrialRecord? {
        trials.filter { $0.state == .complete && $0.value != nil }.min { a, b in
            direction.isBetter(a.value!, than: b.value!) || (a.value! == b.value! && a.number < b.number)
        }
    }

    /// Queues a trial with fixed parameters; the next `optimize` runs it before sampling new ones.
    public func enqueue(_ parameters: [String: ParameterValue]) throws {
        _ = try storage.enqueue(studyID: id, parameterSets: [parameters])
    }

    /// Runs up to `trials` trials of `objective` in this process, one after another.
    ///
    /// - Each trial is stored when it starts, at every `report`, and when it ends.
    /// - An objective that throws, or returns NaN or ±inf, makes its trial `.failed` (with the reason); the study goes on.
    ///   `TrialPruned` makes it `.pruned`.
    /// - An error that conforms to `StopsStudy` (an interrupt) or `CancellationError` fails the running trial and is
    ///   rethrown: every trial finished before it is already stored.
    /// - `maxTotalTrials` caps the study's trial count over every worker (claimed atomically); `timeout` stops
    ///   starting trials after that many seconds; `shouldStop` is asked before each trial.
    /// - A grid sampler enqueues its grid first and stops when every point has been claimed.
    ///
    /// Returns the trials this call ran.
    @discardableResult
    public func optimize(
        trials count: Int, maxTotalTrials: Int? = nil, timeout: TimeInterval? = nil, worker: String? = nil,
        shouldStop: () -> Bool = { false }, onTrialFinished: (TrialRecord) -> Void = { _ in },
        objective: (Trial) throws -> Double
    ) throws -> [TrialRecord] {
        guard count >= 0 else { throw SearchError(.invalidArgument, "optimize(trials: \(count)): need trials ≥ 0") }
        let worker = worker ?? StorageCoding.defaultWorker
        let start = Date()
        var onlyWaiting = false
        if case .grid(let grid) = settings.sampler {
            _ = try storage.enqueue(
                studyID: id, parameterSets: GridSampler.points(of: grid, seed: settings.seed))
            onlyWaiting = true
        }
        var finished: [TrialRecord] = []
        for _ in 0..<count {
            if shouldStop() { break }
            if let timeout, Date().timeIntervalSince(start) >= timeout { break }
            guard
                let claimed = try storage.claimTrial(
                    studyID: id, worker: worker, maxTotal: maxTotalTrials, onlyWaiting: onlyWaiting)
            else { break }
            let history = try storage.trials(studyID: id).filter { $0.number != claimed.number }
            let record = try run(claimed, history: history, objective: objective)
            finished.append(record)
            onTrialFinished(record)
        }
        return finished
    }

    private func run(
        _ claimed: TrialRecord, history: [TrialRecord], objective: (Trial) throws -> Double
    ) throws
        -> TrialRecord
    {
        var stopping: (any Error)?
        let trial: Trial
        do {
            trial = try Trial(record: claimed, study: self, history: history)
        } catch {
            var failed = claimed
            failed.state = .failed
            failed.message = "the sampler failed: \(error)"
            failed.finished = Date()
            try storage.saveTrial(studyID: id, failed)
            throw error
        }
        do {
            let value = try objective(trial)
            if value.isFinite {
                trial.finish(state: .complete, value: value, message: nil)
            } else {
                trial.finish(state: .failed, value: nil, message: "the objective returned \(value)")
            }
        } catch let pruned as TrialPruned {
            _ = pruned
            trial.finish(state: .pruned, value: trial.record.lastIntermediate?.value, message: nil)
        } catch {
            trial.finish(state: .failed, value: nil, message: String(describing: error))
            if error is any StopsStudy || error is CancellationError { stopping = error }
        }
        try storage.saveTrial(studyID: id, trial.record)
        if let stopping { throw stopping }
        return trial.record
    }
}
