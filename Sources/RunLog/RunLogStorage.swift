// RunLogStorage: where a run log lives. The SQLite file beside the notebook (`RunLog`) and a PostgreSQL database a
// team shares (`RunLogPostgres.PostgresRunLog`) keep the same tables with the same meaning; every write is one
// transaction, and several writers may share one log.
import Foundation

/// The run log's storage protocol. Each method is one transaction: a run's start, a batch of epochs, each warning and
/// its end are committed as they happen, so a writer that dies loses at most what it had not yet written, and that
/// run reads back `incomplete`. (A fit hands its epochs over in batches, at most half a second apart, and the last
/// ones with its end: one transaction per epoch cost more than the epochs of a small model.)
public protocol RunLogStorage: AnyObject, Sendable {
    /// How messages name the log: a file's path, or a database URL without its password.
    var location: String { get }
    /// Records the start of a run and returns its id (ids grow with every run, over every writer).
    func begin(_ start: RunStart, at date: Date) throws -> Int
    /// Records finished epochs of a running run, in one transaction; `parameters`, when given, replace the run's (a
    /// search trial draws its parameters while it runs). An epoch recorded again replaces the earlier entry.
    func record(epochs: [RunEpoch], parameters: [(String, String)]?, of run: Int) throws
    /// Records a rigor warning shown while `run` ran, after the ones already recorded.
    func record(warning check: String, message: String, of run: Int) throws
    /// Records how a run ended, its results, why (for a failure, an interrupt or a pruned trial), when given its
    /// final parameters, and the epochs not yet recorded, all in one transaction.
    func finish(
        _ run: Int, status: RunStatus, results: [RunValue], message: String?, parameters: [(String, String)]?,
        epochs: [RunEpoch], at date: Date) throws
    /// Deletes runs with their epochs and warnings (a deleted run's children keep running, without a parent).
    func delete(_ ids: [Int]) throws
    /// The runs, oldest first, optionally of one kind and only the newest `limit`, each with its epochs and
    /// warnings.
    func runs(kind: RunKind?, limit: Int?) throws -> [RunRecord]
    /// One run by id.
    func run(_ id: Int) throws -> RunRecord
    /// The warnings recorded with `run`, in the order they were shown.
    func warnings(of run: Int) throws -> [RunWarning]
}

extension RunLogStorage {
    /// Records one finished epoch (from 1) of a running run.
    public func record(epoch: Int, _ metrics: [RunValue], parameters: [(String, String)]? = nil, of run: Int) throws {
        try record(epochs: [RunEpoch(epoch, metrics)], parameters: parameters, of: run)
    }

    /// Records how a run ended, with no epochs left to write.
    public func finish(
        _ run: Int, status: RunStatus, results: [RunValue] = [], message: String? = nil,
        parameters: [(String, String)]? = nil, at date: Date = Date()
    ) throws {
        try finish(
            run, status: status, results: results, message: message, parameters: parameters, epochs: [], at: date)
    }
}
