// RunLog: every run recorded as it happens in an SQLite file (through GRDB), by default `runs.sqlite` next to the
// notebook (the kernel's working directory). The file is in WAL mode: a run's start, each of its epochs and its end
// are each one committed transaction, so an interrupt or a `kill -9` of the kernel loses at most the running entry's
// unfinished epoch, and that entry reads back as `incomplete`. Several kernels may write one file (IMMEDIATE
// transactions, a busy timeout); readers never block writers.
import Foundation
import GRDB

/// A failure of the run log: the file cannot be opened or written, or it is not a run log.
public struct RunLogError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The run log of one SQLite file. Tables: `runs` (one row per run: what it was given, its status, its results, the
/// run it ran inside), `run_epochs` (one row per finished epoch of a run, its metrics as JSON) and `run_warnings`.
public final class RunLog: RunLogStorage, @unchecked Sendable {
    /// `runs.sqlite`, next to the notebook (in the working directory).
    public static let defaultFileName = "runs.sqlite"
    /// The schema this code writes (kept in `PRAGMA user_version`): 2 added `runs.parent`; a version-1 file gets
    /// the column when it is opened.
    static let schemaVersion = 2

    public let path: String
    public let busyTimeout: TimeInterval
    private let pool: DatabasePool
    private let identity = ProcessIdentity.current
    public var location: String { path }

    /// Opens (creating if needed) the run log at `path`. Writers wait up to `busyTimeout` seconds for another
    /// connection's write lock.
    public init(path: String, busyTimeout: TimeInterval = 5) throws {
        self.path = path
        self.busyTimeout = busyTimeout
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "rigor.runlog"
        configuration.prepareDatabase { db in
            // WAL + NORMAL: a commit survives the process dying at any point (it is in the OS's cache and the WAL);
            // only a power cut may lose the last commits, never corrupt the file. No fsync per epoch.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            throw RunLogError("cannot open run log '\(path)': the folder '\(directory)' does not exist")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw Self.mapped(error, path: path, timeout: busyTimeout)
        }
        try write { db in
            let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
            if version == 0, !tables.isEmpty, !tables.contains("runs") {
                throw RunLogError(
                    "'\(path)' is an SQLite file but not a run log (it has tables \(tables.joined(separator: ", "))); "
                        + "give the run log another path")
            }
            if version > Self.schemaVersion {
                throw RunLogError(
                    "run log '\(path)' was written by a newer Rigor (schema \(version), this one reads "
                        + "\(Self.schemaVersion)); update Rigor or use another path")
            }
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL,
                        title TEXT NOT NULL, status TEXT NOT NULL, started_at REAL NOT NULL, ended_at REAL,
                        seed INTEGER, parameters TEXT NOT NULL, model TEXT NOT NULL, data TEXT NOT NULL,
                        versions TEXT NOT NULL, origin TEXT NOT NULL, source TEXT NOT NULL, results TEXT NOT NULL DEFAULT '[]',
                        message TEXT, pid INTEGER NOT NULL, host TEXT NOT NULL, process TEXT NOT NULL,
                        parent INTEGER REFERENCES runs(id) ON DELETE SET NULL);
                    CREATE TABLE IF NOT EXISTS run_epochs (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        epoch INTEGER NOT NULL, metrics TEXT NOT NULL, PRIMARY KEY (run_id, epoch));
                    CREATE INDEX IF NOT EXISTS runs_by_kind ON runs (kind, id);
                    CREATE TABLE IF NOT EXISTS run_warnings (run_id INTEGER NOT NULL REFERENCES runs(id)
                        ON DELETE CASCADE, position INTEGER NOT NULL, check_name TEXT NOT NULL, message TEXT NOT NULL,
                        PRIMARY KEY (run_id, position));
                    """)
            let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(runs)").map { $0["name"] as String }
            if !columns.contains("parent") {
                try db.execute(sql: "ALTER TABLE runs ADD COLUMN parent INTEGER REFERENCES runs(id) ON DELETE SET NULL")
            }
            try db.execute(sql: "PRAGMA user_version = \(Self.schemaVersion)")
        }
    }

    // MARK: writing

    /// Records the start of a run (committed at once) and returns its id.
    @discardableResult
    public func begin(_ start: RunStart, at date: Date = Date()) throws -> Int {
        let encoded = try EncodedStart(start)
        return try write { db in
            try db.execute(
                sql: """
                    INSERT INTO runs (kind, title, status, started_at, seed, parameters, model, data, versions, origin,
                        source, pid, host, process, parent)
                    VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    start.kind.rawValue, start.title, date.timeIntervalSince1970, start.seed, encoded.parameters,
                    start.model, encoded.data, encoded.versions, start.origin, start.source, Int(identity.processID),
                    identity.hostName, identity.token, start.parent,
                ])
            return Int(db.lastInsertedRowID)
        }
    }

    /// Records finished epochs of a running run, and its parameters when they are given, in one transaction.
    public func record(epochs: [RunEpoch], parameters: [(String, String)]? = nil, of run: Int) throws {
        let encoded = try epochs.map { ($0.epoch, try Self.encode($0.metrics)) }
        let parameterText = try parameters.map(EncodedStart.parameters)
        guard !encoded.isEmpty || parameterText != nil else { return }
        try write { db in
            try Self.insert(encoded, parameters: parameterText, of: run, in: db)
        }
    }

    private static func insert(_ epochs: [(Int, String)], parameters: String?, of run: Int, in db: Database) throws {
        if !epochs.isEmpty {
            let statement = try db.cachedStatement(
                sql: "INSERT OR REPLACE INTO run_epochs (run_id, epoch, metrics) VALUES (?, ?, ?)")
            for (epoch, text) in epochs { try statement.execute(arguments: [run, epoch, text]) }
        }
        if let parameters {
            try db.execute(sql: "UPDATE runs SET parameters = ? WHERE id = ?", arguments: [parameters, run])
        }
    }

    /// Records a rigor warning shown while `run` ran (`check` is the check's name, `message` what it said).
    public func record(warning check: String, message: String, of run: Int) throws {
        try write { db in
            let position =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM run_warnings WHERE run_id = ?", arguments: [run]) ?? 0
            try db.execute(
                sql: "INSERT INTO run_warnings (run_id, position, check_name, message) VALUES (?, ?, ?, ?)",
                arguments: [run, position, check, message])
        }
    }

    /// The warnings recorded with `run`, in the order they were shown.
    public func warnings(of run: Int) throws -> [RunWarning] {
        do {
            return try pool.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT check_name, message FROM run_warnings WHERE run_id = ? ORDER BY position",
                    arguments: [run]
                ).map { RunWarning(check: $0["check_name"], message: $0["message"]) }
            }
        } catch {
            throw Self.mapped(error, path: path, timeout: busyTimeout)
        }
    }

    /// Records how a run ended, its final results, for a failure, an interrupt or a pruned trial why, its final
    /// parameters when they are given, and the epochs not yet recorded, in one transaction.
    public func finish(
        _ run: Int, status: RunStatus, results: [RunValue] = [], message: String? = nil,
        parameters: [(String, String)]? = nil, epochs: [RunEpoch] = [], at date: Date = Date()
    ) throws {
        precondition(status != .running && status != .incomplete, "a run finishes as finished, interrupted or failed")
        let text = try Self.encode(results)
        let parameterText = try parameters.map(EncodedStart.parameters)
        let encoded = try epochs.map { ($0.epoch, try Self.encode($0.metrics)) }
        try write { db in
            try db.execute(
                sql: "UPDATE runs SET status = ?, ended_at = ?, results = ?, message = ? WHERE id = ?",
                arguments: [status.rawValue, date.timeIntervalSince1970, text, message, run])
            if db.changesCount == 0 {
                throw RunLogError("run log '\(path)' has no run \(run) to finish (was the file replaced?)")
            }
            try Self.insert(encoded, parameters: parameterText, of: run, in: db)
        }
    }

    /// Deletes runs (and their epochs).
    public func delete(_ ids: [Int]) throws {
        try write { db in
            for id in ids { try db.execute(sql: "DELETE FROM runs WHERE id = ?", arguments: [id]) }
        }
    }

    // MARK: reading

    /// The runs, oldest first, optionally of one kind and only the newest `limit`.
    public func runs(kind: RunKind? = nil, limit: Int? = nil) throws -> [RunRecord] {
        if let kind { return try fetch(where: "kind = ?", [kind.rawValue], limit: limit) }
        return try fetch(limit: limit)
    }

    /// One run by id.
    public func run(_ id: Int) throws -> RunRecord {
        guard let record = try fetch(where: "id = ?", [id]).first else {
            throw RunLogError("run log '\(path)' has no run \(id)")
        }
        return record
    }

    /// The runs matching `condition` (newest `limit` of them), oldest first, each with its epochs and warnings:
    /// three queries in one read, whatever the number of runs.
    private func fetch(
        where condition: String? = nil, _ arguments: StatementArguments = [], limit: Int? = nil
    ) throws -> [RunRecord] {
        do {
            return try pool.read { db in
                var sql = "SELECT * FROM runs"
                if let condition { sql += " WHERE \(condition)" }
                sql += " ORDER BY id DESC"
                if let limit { sql += " LIMIT \(max(limit, 0))" }
                let rows = try Row.fetchAll(db, sql: sql, arguments: arguments).reversed()
                let ids = rows.map { $0["id"] as Int }
                var epochs: [Int: [[RunValue]]] = [:]
                var warnings: [Int: [RunWarning]] = [:]
                if !ids.isEmpty {
                    let marks = databaseQuestionMarks(count: ids.count)
                    let epochRows = try Row.fetchAll(
                        db,
                        sql: "SELECT run_id, epoch, metrics FROM run_epochs WHERE run_id IN (\(marks)) "
                            + "ORDER BY run_id, epoch",
                        arguments: StatementArguments(ids))
                    epochs = try StoredRun.epochs(
                        epochRows.map { (run: $0["run_id"], epoch: $0["epoch"], metrics: $0["metrics"]) })
                    for row in try Row.fetchAll(
                        db,
                        sql: "SELECT run_id, check_name, message FROM run_warnings WHERE run_id IN (\(marks)) "
                            + "ORDER BY run_id, position",
                        arguments: StatementArguments(ids))
                    {
                        warnings[row["run_id"], default: []].append(
                            RunWarning(check: row["check_name"], message: row["message"]))
                    }
                }
                return try rows.map { row in
                    let id: Int = row["id"]
                    return try stored(row).record(
                        epochs: epochs[id] ?? [], warnings: warnings[id] ?? [], location: path)
                }
            }
        } catch {
            throw Self.mapped(error, path: path, timeout: busyTimeout)
        }
    }

    private func stored(_ row: Row) -> StoredRun {
        // Typed one by one: a single expression of 19 generic subscripts is too much for the type checker.
        let id: Int = row["id"]
        let kind: String = row["kind"]
        let title: String = row["title"]
        let status: String = row["status"]
        let startedAt: Double = row["started_at"]
        let endedAt: Double? = row["ended_at"]
        let seed: Int? = row["seed"]
        let parameters: String = row["parameters"]
        let model: String = row["model"]
        let data: String = row["data"]
        let versions: String = row["versions"]
        let origin: String = row["origin"]
        let source: String = row["source"]
        let results: String = row["results"]
        let message: String? = row["message"]
        let processID: Int = row["pid"]
        let host: String = row["host"]
        let process: String = row["process"]
        let parent: Int? = row["parent"]
        return StoredRun(
            id: id, kind: kind, title: title, status: status, startedAt: startedAt, endedAt: endedAt, seed: seed,
            parameters: parameters, model: model, data: data, versions: versions, origin: origin, source: source,
            results: results, message: message, processID: processID, host: host, process: process, parent: parent)
    }

    // MARK: plumbing

    /// Runs `body` in one transaction, IMMEDIATE as GRDB's writes are (the write lock is taken at BEGIN).
    private func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.write(body)
        } catch {
            throw Self.mapped(error, path: path, timeout: busyTimeout)
        }
    }

    /// One encoder for every write (an epoch's metrics are encoded at every epoch of every fit; making an encoder
    /// each time was most of the run log's per-epoch cost). `JSONEncoder` is Sendable: its options are fixed here.
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }()

    package static func encode<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    package static func decode<T: Decodable>(_ type: T.Type, _ text: String, what: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return try decoder.decode(type, from: Data(text.utf8))
        } catch {
            throw RunLogError("run log: \(what) cannot be read (\(error))")
        }
    }

    static func mapped(_ error: any Error, path: String, timeout: TimeInterval) -> RunLogError {
        if let error = error as? RunLogError { return error }
        guard let error = error as? DatabaseError else { return RunLogError("run log '\(path)': \(error)") }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return RunLogError(
                "run log '\(path)' is locked by another connection (waited \(timeout) s); try again, or raise "
                    + "the busy timeout")
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return RunLogError(
                "'\(path)' is not a run log (damaged, or not an SQLite file): \(error.message ?? ""); move it aside "
                    + "or give the run log another path")
        default:
            return RunLogError("cannot use run log '\(path)': \(error.message ?? "\(error.resultCode)")")
        }
    }
}

extension RunLog {
    /// The versions recorded with every run by default: the operating system and the Swift compiler that built
    /// Rigor (the caller adds Rigor's own and the BLAS library's).
    public static var environment: [(String, String)] {
        var versions: [(String, String)] = []
        #if compiler(>=6.3)
            versions.append(("swift", "6.3"))
        #elseif compiler(>=6.2)
            versions.append(("swift", "6.2"))
        #else
            versions.append(("swift", "6"))
        #endif
        let os = ProcessInfo.processInfo.operatingSystemVersion
        versions.append(("os", "\(os.majorVersion).\(os.minorVersion).\(os.patchVersion)"))
        return versions
    }
}

/// Tells a run's own process from another with the same id: the host, the pid and, on Linux, the boot id and the
/// process's start time (so a reused pid after a crash or a reboot is not mistaken for the writer).
struct ProcessIdentity: Sendable {
    let processID: Int32
    let hostName: String
    let token: String

    static let current = ProcessIdentity(
        processID: getpid(), hostName: ProcessInfo.processInfo.hostName, token: token(of: getpid()) ?? "")

    /// "boot id:start time" of a live process, or nil when there is no such process.
    static func token(of processID: Int32) -> String? {
        #if os(Linux)
            guard
                let stat = try? String(contentsOfFile: "/proc/\(processID)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // Fields after the command name (which may hold spaces) start at field 3; start time is field 22.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 19 else { return nil }
            let boot = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)) ?? ""
            return boot.trimmingCharacters(in: .whitespacesAndNewlines) + ":" + fields[19]
        #else
            return kill(processID, 0) == 0 || errno == EPERM ? "\(processID)" : nil
        #endif
    }

    static func isAlive(_ processID: Int32, token: String) -> Bool {
        guard let now = Self.token(of: processID) else { return false }
        return token.isEmpty || now == token
    }
}
