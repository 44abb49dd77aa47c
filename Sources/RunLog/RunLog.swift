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

/// The run log of one SQLite file. Tables: `runs` (one row per run: what it was given, its status, its results)
/// and `run_epochs` (one row per finished epoch of a run, its metrics as JSON).
public final class RunLog: @unchecked Sendable {
    /// `runs.sqlite`, next to the notebook (in the working directory).
    public static let defaultFileName = "runs.sqlite"
    /// The schema this code writes (kept in `PRAGMA user_version`).
    static let schemaVersion = 1

    public let path: String
    public let busyTimeout: TimeInterval
    private let pool: DatabasePool
    private let identity = ProcessIdentity.current

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
                        message TEXT, pid INTEGER NOT NULL, host TEXT NOT NULL, process TEXT NOT NULL);
                    CREATE TABLE IF NOT EXISTS run_epochs (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        epoch INTEGER NOT NULL, metrics TEXT NOT NULL, PRIMARY KEY (run_id, epoch));
                    CREATE INDEX IF NOT EXISTS runs_by_kind ON runs (kind, id);
                    CREATE TABLE IF NOT EXISTS run_warnings (run_id INTEGER NOT NULL REFERENCES runs(id)
                        ON DELETE CASCADE, position INTEGER NOT NULL, check_name TEXT NOT NULL, message TEXT NOT NULL,
                        PRIMARY KEY (run_id, position));
                    """)
            try db.execute(sql: "PRAGMA user_version = \(Self.schemaVersion)")
        }
    }

    // MARK: writing

    /// Records the start of a run (committed at once) and returns its id.
    @discardableResult
    public func begin(_ start: RunStart, at date: Date = Date()) throws -> Int {
        let parameters = try Self.encode(start.parameters.map { [$0.0, $0.1] })
        let data = try Self.encode(start.data.map { StoredData(role: $0.0, sha256: $0.1.hex, rows: $0.1.rows) })
        let versions = try Self.encode(start.versions.map { [$0.0, $0.1] })
        return try write { db in
            try db.execute(
                sql: """
                    INSERT INTO runs (kind, title, status, started_at, seed, parameters, model, data, versions, origin,
                        source, pid, host, process)
                    VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    start.kind.rawValue, start.title, date.timeIntervalSince1970, start.seed, parameters, start.model,
                    data, versions, start.origin, start.source, Int(identity.processID), identity.hostName,
                    identity.token,
                ])
            return Int(db.lastInsertedRowID)
        }
    }

    /// Records one finished epoch (from 1) of a running run.
    public func record(epoch: Int, _ metrics: [RunValue], of run: Int) throws {
        let text = try Self.encode(metrics)
        try write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO run_epochs (run_id, epoch, metrics) VALUES (?, ?, ?)",
                arguments: [run, epoch, text])
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

    /// The warnings recorded with `run`, in the order they were shown: (check, message).
    public func warnings(of run: Int) throws -> [(check: String, message: String)] {
        do {
            return try pool.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT check_name, message FROM run_warnings WHERE run_id = ? ORDER BY position",
                    arguments: [run]
                ).map { (check: $0["check_name"], message: $0["message"]) }
            }
        } catch {
            throw Self.mapped(error, path: path, timeout: busyTimeout)
        }
    }

    /// Records how a run ended, its final results and, for a failure or interrupt, why.
    public func finish(
        _ run: Int, status: RunStatus, results: [RunValue] = [], message: String? = nil, at date: Date = Date()
    ) throws {
        precondition(status != .running && status != .incomplete, "a run finishes as finished, interrupted or failed")
        let text = try Self.encode(results)
        try write { db in
            try db.execute(
                sql: "UPDATE runs SET status = ?, ended_at = ?, results = ?, message = ? WHERE id = ?",
                arguments: [status.rawValue, date.timeIntervalSince1970, text, message, run])
            if db.changesCount == 0 {
                throw RunLogError("run log '\(path)' has no run \(run) to finish (was the file replaced?)")
            }
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

    /// The runs matching `condition` (newest `limit` of them), oldest first, each with its epochs: two queries in
    /// one read, whatever the number of runs.
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
                if !ids.isEmpty {
                    let epochRows = try Row.fetchAll(
                        db,
                        sql: "SELECT run_id, epoch, metrics FROM run_epochs WHERE run_id IN "
                            + "(\(databaseQuestionMarks(count: ids.count))) ORDER BY run_id, epoch",
                        arguments: StatementArguments(ids))
                    for epochRow in epochRows {
                        let id: Int = epochRow["run_id"]
                        let epoch: Int = epochRow["epoch"]
                        let metrics = try Self.decode([RunValue].self, epochRow["metrics"], what: "run \(id)'s epochs")
                        var series = epochs[id, default: []]
                        while series.count < epoch - 1 { series.append([]) }
                        series.append(metrics)
                        epochs[id] = series
                    }
                }
                return try rows.map { row in try record(row, epochs: epochs[row["id"] as Int] ?? []) }
            }
        } catch {
            throw Self.mapped(error, path: path, timeout: busyTimeout)
        }
    }

    private func record(_ row: Row, epochs: [[RunValue]]) throws -> RunRecord {
        let id: Int = row["id"]
        let kindText: String = row["kind"]
        let statusText: String = row["status"]
        guard let kind = RunKind(rawValue: kindText), var status = RunStatus(rawValue: statusText) else {
            throw RunLogError("run log '\(path)': run \(id) has kind '\(kindText)' and status '\(statusText)'")
        }
        let host: String = row["host"]
        let processID: Int32 = Int32(truncatingIfNeeded: row["pid"] as Int)
        let token: String = row["process"]
        if status == .running, host == identity.hostName, !ProcessIdentity.isAlive(processID, token: token) {
            status = .incomplete
        }
        let pairs = { (text: String, what: String) throws -> [(String, String)] in
            try Self.decode([[String]].self, text, what: what).compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil }
        }
        let data = try Self.decode([StoredData].self, row["data"], what: "run \(id)'s data").map {
            ($0.role, DataFingerprint(hex: $0.sha256, rows: $0.rows))
        }
        let ended: Double? = row["ended_at"]
        return RunRecord(
            id: id, kind: kind, title: row["title"], status: status,
            startedAt: Date(timeIntervalSince1970: row["started_at"]),
            endedAt: ended.map(Date.init(timeIntervalSince1970:)),
            seed: row["seed"], parameters: try pairs(row["parameters"], "run \(id)'s parameters"), model: row["model"],
            data: data, versions: try pairs(row["versions"], "run \(id)'s versions"), origin: row["origin"],
            source: row["source"],
            epochs: epochs, results: try Self.decode([RunValue].self, row["results"], what: "run \(id)'s results"),
            message: row["message"], processID: processID, hostName: host)
    }

    // MARK: plumbing

    private struct StoredData: Codable {
        var role: String
        var sha256: String
        var rows: Int
    }

    /// Runs `body` in one transaction, IMMEDIATE as GRDB's writes are (the write lock is taken at BEGIN).
    private func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.write(body)
        } catch {
            throw Self.mapped(error, path: path, timeout: busyTimeout)
        }
    }

    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String, what: String) throws -> T {
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
