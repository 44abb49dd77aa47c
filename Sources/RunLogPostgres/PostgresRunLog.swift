// PostgresRunLog: the run log in a PostgreSQL database (through postgres-nio, as search studies are), so a team's
// kernels on many machines record into one log. Same tables and meaning as the SQLite file, prefixed `rigor_`; each
// write is one transaction, ids come from a sequence (no two writers get the same), and a running entry whose
// writer's database session is gone reads back `incomplete`, whichever machine it ran on.
import Foundation
import PostgresBridge
import PostgresNIO
import RunLog
import Synchronization

/// A run log on a PostgreSQL server. Each writer (kernel) opens its own `PostgresRunLog` (one connection); every
/// method is one transaction.
///
/// ```swift
/// let log = try PostgresRunLog(url: "postgresql://rigor:…@db.lab:5432/experiments")
/// let id = try log.begin(RunStart(kind: .fit, title: "Sequential 64-32-10"), at: Date())
/// ```
public final class PostgresRunLog: RunLogStorage {
    public let host: String
    public let port: Int
    public let database: String
    /// `postgresql://user@host:port/database`: the URL without its password.
    public let location: String
    /// The schema this code writes, kept in `rigor_schema_versions` (component `runlog`); the same tables and
    /// version as the SQLite file's schema 2 (`runs.parent` included from the start).
    static let schemaVersion = 2
    private let connection: PostgresConnection
    private let logger: Logger
    /// One transaction at a time on the connection.
    private let lock = Mutex(())

    /// Connects to `postgresql://user:password@host:port/database` (`postgres://` too; the port defaults to 5432,
    /// the database to the user's name). A URL that is not one, an unreachable server, a refused login or a missing
    /// database is a `RunLogError` that names the server.
    public convenience init(url: String, connectTimeout: TimeInterval = 10) throws {
        guard url.hasPrefix("postgresql://") || url.hasPrefix("postgres://"),
            let components = URLComponents(string: url), let host = components.host, !host.isEmpty,
            let user = components.user, !user.isEmpty
        else {
            throw RunLogError(
                "'\(Self.redacted(url))' is not a PostgreSQL URL; write postgresql://user:password@host:port/database")
        }
        let database = String(components.path.drop { $0 == "/" })
        try self.init(
            host: host, port: components.port ?? 5432, username: user, password: components.password,
            database: database.isEmpty ? user : database, connectTimeout: connectTimeout)
    }

    /// Connects (waiting at most `connectTimeout` seconds) and creates the tables if they are missing.
    public init(
        host: String = "127.0.0.1", port: Int = 5432, username: String, password: String? = nil, database: String,
        connectTimeout: TimeInterval = 10
    ) throws {
        self.host = host
        self.port = port
        self.database = database
        location = "postgresql://\(username)@\(host):\(port)/\(database)"
        var logger = Logger(label: "rigor.runlog.postgres")
        logger.logLevel = .critical
        self.logger = logger
        do {
            connection = try PostgresBridge.connect(
                host: host, port: port, username: username, password: password, database: database,
                connectTimeout: connectTimeout, logger: logger)
        } catch {
            throw RunLogError("cannot reach \(error.target) for the run log: \(error.reason)")
        }
        let location = location
        try transaction { connection, logger in
            // Kernels starting together must not race to create the tables: one advisory lock for the schema.
            try await connection.query("SELECT pg_advisory_xact_lock(727273)", logger: logger)
            // The schema's version, as the SQLite file keeps it in `PRAGMA user_version`: a database a newer Rigor
            // wrote is refused with a clear error instead of failing later on a column this code does not know.
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS rigor_schema_versions (component TEXT PRIMARY KEY,
                    version INTEGER NOT NULL)
                """, logger: logger)
            let found = try await connection.query(
                "SELECT version FROM rigor_schema_versions WHERE component = 'runlog'", logger: logger)
            for try await version in found.decode(Int.self) where version > Self.schemaVersion {
                throw RunLogError(
                    "run log '\(location)' was written by a newer Rigor (schema \(version), this one reads "
                        + "\(Self.schemaVersion)); update Rigor or use another database")
            }
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS rigor_runs (id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL,
                    title TEXT NOT NULL, status TEXT NOT NULL, started_at DOUBLE PRECISION NOT NULL,
                    ended_at DOUBLE PRECISION, seed BIGINT, parameters TEXT NOT NULL, model TEXT NOT NULL,
                    data TEXT NOT NULL, versions TEXT NOT NULL, origin TEXT NOT NULL, source TEXT NOT NULL,
                    results TEXT NOT NULL DEFAULT '[]', message TEXT, pid BIGINT NOT NULL, host TEXT NOT NULL,
                    process TEXT NOT NULL, parent BIGINT REFERENCES rigor_runs(id) ON DELETE SET NULL,
                    session_pid INTEGER NOT NULL, session_start TIMESTAMPTZ)
                """, logger: logger)
            try await connection.query(
                "CREATE INDEX IF NOT EXISTS rigor_runs_by_kind ON rigor_runs (kind, id)", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS rigor_run_epochs (run_id BIGINT NOT NULL REFERENCES rigor_runs(id)
                    ON DELETE CASCADE, epoch BIGINT NOT NULL, metrics TEXT NOT NULL, PRIMARY KEY (run_id, epoch))
                """, logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS rigor_run_warnings (run_id BIGINT NOT NULL REFERENCES rigor_runs(id)
                    ON DELETE CASCADE, position BIGINT NOT NULL, check_name TEXT NOT NULL, message TEXT NOT NULL,
                    PRIMARY KEY (run_id, position))
                """, logger: logger)
            try await connection.query(
                """
                INSERT INTO rigor_schema_versions (component, version) VALUES ('runlog', \(Self.schemaVersion))
                ON CONFLICT (component) DO NOTHING
                """, logger: logger)
        }
    }

    deinit {
        let connection = connection
        _ = try? PostgresBridge.blocking { try await connection.close() }
    }

    // MARK: writing

    public func begin(_ start: RunStart, at date: Date = Date()) throws -> Int {
        let encoded = try EncodedStart(start)
        let writer = StoredRun.writer
        let started = date.timeIntervalSince1970
        let kind = start.kind.rawValue
        let (title, seed, model, origin, source, parent) =
            (start.title, start.seed, start.model, start.origin, start.source, start.parent)
        return try transaction(statement: true) { connection, logger in
            // The writer's database session (its backend's pid and start time) tells a reader whether it is alive.
            let rows = try await connection.query(
                """
                INSERT INTO rigor_runs (kind, title, status, started_at, seed, parameters, model, data, versions,
                    origin, source, pid, host, process, parent, session_pid, session_start)
                VALUES (\(kind), \(title), 'running', \(started), \(seed), \(encoded.parameters), \(model),
                    \(encoded.data), \(encoded.versions), \(origin), \(source), \(writer.processID), \(writer.host),
                    \(writer.token), \(parent), pg_backend_pid(),
                    (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()))
                RETURNING id
                """, logger: logger)
            for try await id in rows.decode(Int.self) { return id }
            throw RunLogError("the run log's INSERT returned no id")
        }
    }

    public func record(epochs: [RunEpoch], parameters: [(String, String)]? = nil, of run: Int) throws {
        let numbers = epochs.map(\.epoch)
        let texts = try epochs.map { try RunLog.encode($0.metrics) }
        let parameterText = try parameters.map(EncodedStart.parameters)
        guard !epochs.isEmpty || parameterText != nil else { return }
        try transaction(statement: true) { connection, logger in
            // One statement (the epochs and, when given, the parameters): one round trip, one transaction.
            try await connection.query(
                """
                WITH written AS (
                    INSERT INTO rigor_run_epochs (run_id, epoch, metrics)
                    SELECT \(run), t.epoch, t.metrics FROM unnest(\(numbers)::BIGINT[], \(texts)::TEXT[]) AS t(epoch, metrics)
                    ON CONFLICT (run_id, epoch) DO UPDATE SET metrics = EXCLUDED.metrics)
                UPDATE rigor_runs SET parameters = \(parameterText)
                WHERE id = \(run) AND \(parameterText)::TEXT IS NOT NULL
                """, logger: logger)
        }
    }

    public func record(warning check: String, message: String, of run: Int) throws {
        try transaction { connection, logger in
            // The run's row lock orders its warnings, should two connections warn about one run at once.
            try await connection.query("SELECT id FROM rigor_runs WHERE id = \(run) FOR UPDATE", logger: logger)
            try await connection.query(
                """
                INSERT INTO rigor_run_warnings (run_id, position, check_name, message)
                SELECT \(run), COUNT(*), \(check), \(message) FROM rigor_run_warnings WHERE run_id = \(run)
                """, logger: logger)
        }
    }

    public func finish(
        _ run: Int, status: RunStatus, results: [RunValue] = [], message: String? = nil,
        parameters: [(String, String)]? = nil, epochs: [RunEpoch] = [], at date: Date = Date()
    ) throws {
        precondition(status != .running && status != .incomplete, "a run finishes as finished, interrupted or failed")
        let text = try RunLog.encode(results)
        let parameterText = try parameters.map(EncodedStart.parameters)
        let numbers = epochs.map(\.epoch)
        let texts = try epochs.map { try RunLog.encode($0.metrics) }
        let (state, ended, location) = (status.rawValue, date.timeIntervalSince1970, location)
        try transaction(statement: true) { connection, logger in
            // One statement: the end, and the epochs not yet written (only if the run is there).
            let rows = try await connection.query(
                """
                WITH ended AS (
                    UPDATE rigor_runs SET status = \(state), ended_at = \(ended), results = \(text),
                        message = \(message), parameters = COALESCE(\(parameterText), parameters)
                    WHERE id = \(run) RETURNING id),
                written AS (
                    INSERT INTO rigor_run_epochs (run_id, epoch, metrics)
                    SELECT ended.id, t.epoch, t.metrics
                    FROM ended, unnest(\(numbers)::BIGINT[], \(texts)::TEXT[]) AS t(epoch, metrics)
                    ON CONFLICT (run_id, epoch) DO UPDATE SET metrics = EXCLUDED.metrics)
                SELECT id FROM ended
                """, logger: logger)
            var found = false
            for try await _ in rows.decode(Int.self) { found = true }
            if !found { throw RunLogError("run log '\(location)' has no run \(run) to finish") }
        }
    }

    public func delete(_ ids: [Int]) throws {
        try transaction { connection, logger in
            try await connection.query("DELETE FROM rigor_runs WHERE id = ANY(\(ids))", logger: logger)
        }
    }

    // MARK: reading

    public func runs(kind: RunKind? = nil, limit: Int? = nil) throws -> [RunRecord] {
        try fetch(kind: kind?.rawValue, id: nil, limit: limit)
    }

    public func run(_ id: Int) throws -> RunRecord {
        guard let record = try fetch(kind: nil, id: id, limit: nil).first else {
            throw RunLogError("run log '\(location)' has no run \(id)")
        }
        return record
    }

    public func warnings(of run: Int) throws -> [RunWarning] {
        try transaction(reading: true) { connection, logger in
            var warnings: [RunWarning] = []
            let rows = try await connection.query(
                "SELECT check_name, message FROM rigor_run_warnings WHERE run_id = \(run) ORDER BY position",
                logger: logger)
            for try await (check, message) in rows.decode((String, String).self) {
                warnings.append(RunWarning(check: check, message: message))
            }
            return warnings
        }
    }

    private typealias Row = (
        Int, String, String, String, Double, Double?, Int?, String, String, String, String, String, String, String,
        String?, Int, String, String, Int?, Bool
    )

    /// What one read brings back: the runs, those whose writer is gone, their epochs and their warnings.
    private typealias Fetched = (
        [StoredRun], Set<Int>, [(run: Int, epoch: Int, metrics: String)], [(Int, RunWarning)]
    )

    /// The runs of `kind` (or the run `id`; the newest `limit`), oldest first, with their epochs and warnings:
    /// three queries in one snapshot.
    private func fetch(kind: String?, id: Int?, limit: Int?) throws -> [RunRecord] {
        let location = location
        let (rows, gone, epochRows, warningRows) = try transaction(reading: true) {
            connection, logger -> Fetched in
            // `gone`: the writer's database session has ended (its kernel exited or was killed) while the run was
            // still running.
            let result = try await connection.query(
                """
                SELECT id, kind, title, status, started_at, ended_at, seed, parameters, model, data, versions, origin,
                    source, results, message, pid, host, process, parent,
                    status = 'running' AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a
                        WHERE a.pid = r.session_pid AND a.backend_start IS NOT DISTINCT FROM r.session_start)
                FROM rigor_runs r
                WHERE (\(kind)::TEXT IS NULL OR kind = \(kind)) AND (\(id)::BIGINT IS NULL OR id = \(id))
                ORDER BY id DESC LIMIT \(limit.map { max($0, 0) })
                """, logger: logger)
            var runs: [StoredRun] = []
            var gone: Set<Int> = []
            for try await row in result.decode(Row.self) {
                runs.append(
                    StoredRun(
                        id: row.0, kind: row.1, title: row.2, status: row.3, startedAt: row.4, endedAt: row.5,
                        seed: row.6, parameters: row.7, model: row.8, data: row.9, versions: row.10, origin: row.11,
                        source: row.12, results: row.13, message: row.14, processID: row.15, host: row.16,
                        process: row.17, parent: row.18))
                if row.19 { gone.insert(row.0) }
            }
            runs.reverse()
            let ids = runs.map(\.id)
            var epochs: [(run: Int, epoch: Int, metrics: String)] = []
            var warnings: [(Int, RunWarning)] = []
            if !ids.isEmpty {
                for try await (run, epoch, metrics) in try await connection.query(
                    "SELECT run_id, epoch, metrics FROM rigor_run_epochs WHERE run_id = ANY(\(ids)) ORDER BY run_id, epoch",
                    logger: logger
                ).decode((Int, Int, String).self) {
                    epochs.append((run: run, epoch: epoch, metrics: metrics))
                }
                for try await (run, check, message) in try await connection.query(
                    """
                    SELECT run_id, check_name, message FROM rigor_run_warnings WHERE run_id = ANY(\(ids))
                    ORDER BY run_id, position
                    """, logger: logger
                ).decode((Int, String, String).self) {
                    warnings.append((run, RunWarning(check: check, message: message)))
                }
            }
            return (runs, gone, epochs, warnings)
        }
        let epochs = try StoredRun.epochs(epochRows)
        var warnings: [Int: [RunWarning]] = [:]
        for (run, warning) in warningRows { warnings[run, default: []].append(warning) }
        return try rows.map { stored in
            try stored.record(
                epochs: epochs[stored.id] ?? [], warnings: warnings[stored.id] ?? [],
                writerGone: gone.contains(stored.id), location: location)
        }
    }

    // MARK: plumbing

    /// The URL without its password, for messages.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "…"
        return components.string ?? url
    }

    /// One transaction: BEGIN, the body, COMMIT (ROLLBACK when the body throws). A reading transaction sees one
    /// snapshot. A body of one `statement` runs alone: PostgreSQL makes a single statement its own transaction, and
    /// the two round trips of BEGIN and COMMIT are saved (a trial's value or a fit's epoch is one such write). A
    /// `RunLogError` from the body passes through; any other failure is a `RunLogError` naming the log.
    private func transaction<T: Sendable>(
        reading: Bool = false, statement: Bool = false,
        _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T
    ) throws -> T {
        let connection = connection
        let logger = logger
        return try lock.withLock { _ in
            do {
                return try PostgresBridge.blocking {
                    if statement { return try await body(connection, logger) }
                    return try await PostgresBridge.inTransaction(
                        connection, logger: logger,
                        begin: reading ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN", body)
                }
            } catch let error as RunLogError {
                throw error
            } catch {
                throw RunLogError("run log '\(location)': \(PostgresBridge.reason(error))")
            }
        }
    }
}
