// SearchObjects: the search family's script values: `Study`, the `Trial` an objective receives, `TrialRecord` (a
// trial as data), `CrossValidation` (k-fold scores), the storage a study lives in, and what an objective run watches.
import Foundation
import NeuralNetworks
import OrderedCollections
import RichDisplay
import RigorScript
import RunLog
import Search
import SearchPostgres

/// Where a study is kept: `storage: "studies.sqlite"` (a SQLite file), `"postgresql://user@host:port/database"`, or
/// `.memory`.
enum StudyStorageSpec {
    case memory
    case sqlite(path: String, busyTimeout: Double)
    case postgres(url: String, connectTimeout: Double)

    /// A string: a PostgreSQL URL (`postgresql://` or `postgres://`), else a SQLite file path.
    init(text: String) {
        self =
            text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
            ? .postgres(url: text, connectTimeout: 10) : .sqlite(path: text, busyTimeout: 5)
    }

    /// How messages name it: the path, `memory`, or the URL without its password.
    var description: String {
        switch self {
        case .memory: return "memory"
        case .sqlite(let path, _): return path
        case .postgres(let url, _):
            guard var components = URLComponents(string: url), components.password != nil else { return url }
            components.password = "…"
            return components.string ?? url
        }
    }

    /// Opens (or creates) the storage; a file that cannot be used or a server that cannot be reached is an error at
    /// the `storage` argument.
    func open() throws -> any StudyStorage {
        do {
            switch self {
            case .memory: return InMemoryStorage()
            case .sqlite(let path, let busyTimeout): return try SQLiteStorage(path: path, busyTimeout: busyTimeout)
            case .postgres(let url, let connectTimeout):
                guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty,
                    let user = components.user, !user.isEmpty
                else {
                    throw BuiltinError(
                        .value,
                        "'\(description)' is not a PostgreSQL URL; write postgresql://user:password@host:port/database",
                        parameter: "storage")
                }
                let database = String(components.path.drop { $0 == "/" })
                return try PostgresStorage(
                    host: host, port: components.port ?? 5432, username: user, password: components.password,
                    database: database.isEmpty ? user : database, connectTimeout: connectTimeout)
            }
        } catch let error as SearchError {
            throw searchError(error, parameter: "storage")
        }
    }
}

/// A `SearchError` as the error a user sees: storage failures are `IOError`s, bad input `ValueError`s.
func searchError(_ error: SearchError, parameter: String? = nil) -> BuiltinError {
    let kind: ErrorKind
    switch error.kind {
    case .locked, .corrupt, .unreachable, .storage: kind = .io
    case .invalidArgument, .inconsistentParameter, .studyNotFound, .studyMismatch: kind = .value
    }
    guard let parameter else { return BuiltinError(kind, error.message) }
    return BuiltinError(kind, error.message, parameter: parameter)
}

/// Runs engine search code, turning its errors into errors at `parameter` (or the call).
func search<T>(parameter: String? = nil, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as SearchError {
        throw searchError(error, parameter: parameter)
    }
}

extension ParameterValue {
    /// A script value as a parameter value: a number, a string or a flag.
    init?(_ value: Value) {
        switch value {
        case .int(let number): self = .int(number)
        case .double(let number): self = .double(number)
        case .string(let text): self = .string(text)
        case .bool(let flag): self = .bool(flag)
        default: return nil
        }
    }

    var scriptValue: Value {
        switch self {
        case .double(let number): .double(number)
        case .int(let number): .int(number)
        case .string(let text): .string(text)
        case .bool(let flag): .bool(flag)
        }
    }
}

/// A `[name: value]` dictionary of parameters, in the order given.
func parameterDictionary(_ pairs: [(String, ParameterValue)]) -> Value {
    var dictionary = OrderedDictionary<Value, Value>()
    for (name, value) in pairs { dictionary[.string(name)] = value.scriptValue }
    return .dictionary(dictionary)
}

/// What the search family watches while an objective runs: reads of a split's test part (which a search should not
/// look at). One per registry, made when the family registers, so that sessions do not share it through globals.
final class ObjectiveWatch: @unchecked Sendable {
    /// How many objectives are running (a study's objective may run another study).
    var running = 0
    /// Reads of `DataSplit.test` while an objective ran.
    var testReads = 0
}

/// A study: its trials, the best one, and every chart of them (`Study("digits-mlp", sampler: .tpe(), seed: 0)`).
final class StudyObject: NativeObject, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "Study" }
    let study: Study
    let storage: StudyStorageSpec
    init(_ study: Study, storage: StudyStorageSpec) {
        self.study = study
        self.storage = storage
    }
    var typeName: String { "Study" }

    /// The trials as stored now.
    func results() throws -> StudyResults { try search { try StudyResults(study) } }

    /// `tpe`, `gp`, `grid` …: the sampler as the user chose it.
    var samplerName: String {
        switch study.settings.sampler {
        case .grid: "grid"
        case .random: "random"
        case .sobol: "sobol"
        case .tpe: "tpe"
        case .gaussianProcess: "gaussianProcess"
        }
    }

    var summary: String {
        guard let results = try? results() else { return "Study '\(study.name)' (\(storage.description))" }
        return Self.summary(of: results, sampler: samplerName)
    }

    static func summary(of results: StudyResults, sampler: String) -> String {
        let trials = results.trials.filter { $0.state != .waiting }
        func count(_ state: TrialState) -> Int { trials.filter { $0.state == state }.count }
        var parts = ["\(count(.complete)) complete"]
        if count(.pruned) > 0 { parts.append("\(count(.pruned)) pruned") }
        if count(.failed) > 0 { parts.append("\(count(.failed)) failed") }
        if count(.running) > 0 { parts.append("\(count(.running)) running") }
        var text =
            "Study '\(results.name)' (\(results.direction.rawValue), \(sampler)): \(trials.count) trial"
            + (trials.count == 1 ? "" : "s") + " (" + parts.joined(separator: ", ") + ")"
        if let best = results.best, let value = best.value {
            text += "; best \(format(value, digits: 6)) at trial \(best.number)"
        }
        return text
    }

    var description: String { summary }
}

/// The trial an objective receives: it suggests parameters (`trial.float("lr", 1e-4, 1e-1, log: true)`), reports
/// intermediate values and asks the pruner. Valid only while its objective runs.
final class TrialObject: NativeObject, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "Trial" }
    let trial: Trial
    /// The study it belongs to.
    let study: StudyObject
    /// Its entry in the run log (docs/rigor.md).
    var recording: RunRecording?
    /// Why the trial was pruned (by `trial.prune()` or a `PruningCallback`), or nil.
    var prunedReason: String?
    /// Set when a `suggest` call was given a space that cannot be sampled: a mistake in the script, which every trial
    /// would repeat, so it stops the study instead of failing one trial after another.
    var badSpace = false
    /// Set when the objective has returned; the trial is then read-only.
    var finished = false
    init(_ trial: Trial, study: StudyObject) {
        self.trial = trial
        self.study = study
    }
    var typeName: String { "Trial" }
    var description: String {
        let parameters = trial.record.parameters.map { "\($0.name): \($0.value)" }.joined(separator: ", ")
        return "Trial(\(trial.number)" + (parameters.isEmpty ? "" : ", \(parameters)") + ")"
    }

    /// Records the objective's value at `step` (stored in the study at once) and keeps it in the run log with the
    /// parameters drawn so far: entry `step + 1` of the trial's run holds `value`.
    func report(step: Int, value: Double) throws {
        try search { try trial.report(step: step, value: value) }
        recording?.epoch(
            step + 1, [("value", value)], parameters: RigorLibrary.trialRunParameters(study, trial.record))
    }

    /// Records how the trial ended in the run log (once): complete → `finished` with its value, `pruned` with its
    /// last reported value and why, failed → `failed` (or `interrupted`) with the reason.
    func finishRecording(_ record: TrialRecord, interrupted: Bool = false) {
        guard let recording else { return }
        let parameters = RigorLibrary.trialRunParameters(study, record)
        let results = record.value.map { [("value", $0)] } ?? []
        switch record.state {
        case .complete:
            recording.finish(.finished, results: results, parameters: parameters)
        case .pruned:
            let step = record.lastIntermediate.map { "pruned at step \($0.step)" } ?? "pruned"
            recording.finish(.pruned, results: results, message: prunedReason ?? step, parameters: parameters)
        case .failed, .running, .waiting:
            recording.finish(
                interrupted ? .interrupted : .failed, message: record.message ?? "the trial ended \(record.state)",
                parameters: parameters)
        }
    }

    /// Throws when the objective has returned.
    func checkRunning(_ what: String) throws {
        guard !finished else {
            throw BuiltinError(
                .value, "trial \(trial.number) has finished; \(what) only works inside the trial's objective")
        }
    }
}

/// A trial as data: `study.best`, `study.trials[3]`.
final class TrialRecordObject: NativeObject, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "TrialRecord" }
    let record: TrialRecord
    init(_ record: TrialRecord) { self.record = record }
    var typeName: String { "TrialRecord" }
    var params: Value { parameterDictionary(record.parameters.map { ($0.name, $0.value) }) }
    var description: String {
        var text = "TrialRecord(\(record.number), \(record.state.rawValue)"
        if let value = record.value { text += ", value: \(format(value, digits: 6))" }
        let parameters = record.parameters.map { "\($0.name): \($0.value)" }.joined(separator: ", ")
        if !parameters.isEmpty { text += ", params: [\(parameters)]" }
        if let message = record.message { text += ", message: \(message)" }
        return text + ")"
    }
}

/// The scores of a k-fold cross-validation: `crossValidate(data, folds: 5) { train, validation in … }`.
final class CrossValidationObject: NativeObject, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "CrossValidation" }
    let scores: [Double]
    let stratified: Bool
    init(scores: [Double], stratified: Bool) {
        self.scores = scores
        self.stratified = stratified
    }
    var typeName: String { "CrossValidation" }
    var mean: Double { scores.reduce(0, +) / Double(scores.count) }
    /// The sample standard deviation over the folds (0 for one fold).
    var standardDeviation: Double {
        guard scores.count > 1 else { return 0 }
        let mean = mean
        return (scores.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(scores.count - 1)).squareRoot()
    }
    var table: Table {
        var table = Table(
            columns: ["fold", "score"],
            rows: scores.enumerated().map { [.integer($0.offset + 1), .number($0.element)] },
            title: "\(scores.count)-fold\(stratified ? " stratified" : "") cross-validation: mean "
                + "\(format(mean)) ± \(format(standardDeviation)) (sample std)")
        table.footer = [.text("mean"), .number(mean)]
        return table
    }
    var description: String {
        "CrossValidation(\(scores.count) folds, mean \(format(mean)), std \(format(standardDeviation)))"
    }
}

/// A callback whose Swift type is not the name a script writes: the run log records `scriptName` for it.
protocol ScriptNamedCallback {
    var scriptName: String { get }
}

/// A NeuralNetworks callback that reports a monitored metric to a trial after every epoch and stops `fit` when the
/// study's pruner gives up on the trial (Optuna's `KerasPruningCallback`).
final class TrialPruningCallback: Callback, ScriptNamedCallback {
    var scriptName: String { "PruningCallback(monitor: \"\(monitor)\")" }
    let trial: TrialObject
    let monitor: String
    init(trial: TrialObject, monitor: String) {
        self.trial = trial
        self.monitor = monitor
    }

    func epochDidEnd(_ logs: EpochLogs, state: TrainingState) throws {
        try trial.checkRunning("a PruningCallback")
        guard let value = logs.values.first(where: { $0.name == monitor })?.value else {
            let names = logs.values.map(\.name).joined(separator: ", ")
            throw BuiltinError(
                .value,
                "PruningCallback monitors '\(monitor)', which fit does not log (it logs: \(names))"
                    + (monitor.hasPrefix("val_") ? "; pass validation: to fit" : ""))
        }
        try trial.report(step: logs.epoch + 1, value: value)
        if trial.trial.shouldPrune() {
            let reason = "pruned after epoch \(logs.epoch + 1) (\(monitor) \(format(value)))"
            trial.prunedReason = reason
            state.shouldStop = true
            state.stopReason = "the study's pruner stopped trial \(trial.trial.number): \(reason)"
        }
    }
}
