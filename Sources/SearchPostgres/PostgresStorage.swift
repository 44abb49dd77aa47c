// PostgresStorage: studies in PostgreSQL (through postgres-nio), so many workers on many machines share one study.
// The claim protocol follows Optuna's RDB storage: a new trial's number comes from the study row, locked with
// SELECT … FOR UPDATE inside the transaction; a waiting (enqueued) trial is claimed with FOR UPDATE SKIP LOCKED, so
// no number and no waiting trial is ever handed to two workers.
import Foundation
import PostgresBridge
import PostgresNIO
import Search
import Synchronization

/// A study database on a PostgreSQL server. Each worker (thread or process) opens its own `PostgresStorage` (one
/// connection); every method is one transaction.
///
/// ```swift
/// let storage = try PostgresStorage(host: "db.lab", username: "rigor", password: "…", database: "studies")
/// let study = try Study("digits-mlp", sampler: .tpe(), storage: storage)
/// try study.optimize(trials: 10, maxTotalTrials: 100) { trial in … }   // run the same on every machine
/// ```
public final class PostgresStorage: StudyStorage {
    public let host: String
    public let port: Int
    public let database: String
    private let connection: PostgresConnection
    private let logger: Logger
    /// One transaction at a time on the connection.
    private let lock = Mutex(())

    /// Connects (waiting at most `connectTimeout` seconds) and creates the tables if they are missing. An unreachable
    /// server, a refused login or a missing database is a `SearchError` of kind `.unreachable`.
    public init(
        host: String = "127.0.0.1", port: Int = 5432, username: String, password: String? = nil, database: String,
        connectTimeout: TimeInterval = 10
    ) throws {
        self.host = host
        self.port = port
        self.database = database
        var logger = Logger(label: "rigor.search.postgres")
        logger.logLevel = .critical
        self.logger = logger
        do {
            connection = try PostgresBridge.connect(
                host: host, port: port, username: username, password: password, database: database,
                connectTimeout: connectTimeout, logger: logger)
        } catch {
            throw SearchError(.unreachable, "\(error)")
        }
        try transaction { connection, logger in
            // Workers starting together must not race to create the tables: one advisory lock for the schema.
            try await connection.query("SELECT pg_advisory_xact_lock(727272)", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS rigor_studies (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE,
                    settings TEXT NOT NULL, next_number BIGINT NOT NULL DEFAULT 0)
                """, logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS rigor_trials (study_id BIGINT NOT NULL REFERENCES rigor_studies(id)
                    ON DELETE CASCADE, number BIGINT NOT NULL, state TEXT NOT NULL, record TEXT NOT NULL,
                    PRIMARY KEY (study_id, number))
                """, logger: logger)
            try await connection.query(
                "CREATE INDEX IF NOT EXISTS rigor_trials_state ON rigor_trials (study_id, state, number)",
                logger: logger)
        }
    }

    deinit {
        let connection = connection
        _ = try? PostgresBridge.blocking { try await connection.close() }
    }

    /// One transaction: BEGIN, the body, COMMIT (ROLLBACK when the body throws). A `SearchError` from the body passes
    /// through; any other failure is a `.storage` error naming the server.
    private func transaction<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T
    ) throws -> T {
        let connection = connection
        let logger = logger
        return try lock.withLock { _ in
            do {
                return try PostgresBridge.blocking {
                    try await PostgresBridge.inTransaction(connection, logger: logger, body)
                }
            } catch let error as SearchError {
                throw error
            } catch {
                if let error = error as? PSQLError,
                    [.serverClosedConnection, .connectionError, .clientClosedConnection].contains(error.code)
                {
                    throw SearchError(
                        .unreachable,
                        "lost PostgreSQL at \(host):\(port) (database '\(database)'): \(PostgresBridge.reason(error))")
                }
                throw SearchError(
                    .storage, "PostgreSQL at \(host):\(port) (database '\(database)'): \(PostgresBridge.reason(error))")
            }
        }
    }

    public func createStudy(_ settings: StudySettings) throws -> (study: StoredStudy, created: Bool) {
        let text = try StorageCoding.encode(settings)
        let name = settings.name
        let (id, storedText, created) = try transaction { connection, logger in
            let inserted = try await connection.query(
                """
                INSERT INTO rigor_studies (name, settings) VALUES (\(name), \(text))
                ON CONFLICT (name) DO NOTHING RETURNING id
                """, logger: logger)
            for try await id in inserted.decode(Int.self) { return (id, text, true) }
            let rows = try await connection.query(
                "SELECT id, settings FROM rigor_studies WHERE name = \(name)", logger: logger)
            for try await (id, settings) in rows.decode((Int, String).self) { return (id, settings, false) }
            throw SearchError(.storage, "study '\(name)' vanished while it was being created")
        }
        let stored = try StorageCoding.decode(StudySettings.self, from: storedText, what: "study '\(name)'")
        return (StoredStudy(id: id, settings: created ? settings : stored), created)
    }

    public func loadStudy(named name: String) throws -> StoredStudy {
        let database = database
        let (id, text) = try transaction { connection, logger in
            let rows = try await connection.query(
                "SELECT id, settings FROM rigor_studies WHERE name = \(name)", logger: logger)
            for try await (id, settings) in rows.decode((Int, String).self) { return (id, settings) }
            throw SearchError(.studyNotFound, "no study named '\(name)' in PostgreSQL database '\(database)'")
        }
        return StoredStudy(
            id: id, settings: try StorageCoding.decode(StudySettings.self, from: text, what: "study '\(name)'"))
    }

    public func studyNames() throws -> [String] {
        try transaction { connection, logger in
            var names: [String] = []
            for try await name in try await connection.query(
                "SELECT name FROM rigor_studies ORDER BY id", logger: logger
            )
            .decode(String.self) {
                names.append(name)
            }
            return names
        }
    }

    public func deleteStudy(named name: String) throws {
        let database = database
        try transaction { connection, logger in
            // The trials go with the study (ON DELETE CASCADE).
            let rows = try await connection.query(
                "DELETE FROM rigor_studies WHERE name = \(name) RETURNING id", logger: logger)
            var deleted = false
            for try await _ in rows.decode(Int.self) { deleted = true }
            guard deleted else {
                throw SearchError(.studyNotFound, "no study named '\(name)' in PostgreSQL database '\(database)'")
            }
        }
    }

    public func claimTrial(studyID: Int, worker: String, maxTotal: Int?, onlyWaiting: Bool) throws -> TrialRecord? {
        let text: String? = try transaction { connection, logger in
            // An enqueued trial first; rows another worker is claiming right now are skipped, not waited for.
            let waiting = try await connection.query(
                """
                SELECT record FROM rigor_trials WHERE study_id = \(studyID) AND state = 'waiting'
                ORDER BY number LIMIT 1 FOR UPDATE SKIP LOCKED
                """, logger: logger)
            var record: TrialRecord?
            for try await text in waiting.decode(String.self) {
                record = try StorageCoding.decode(TrialRecord.self, from: text, what: "a trial of study \(studyID)")
            }
            if record == nil {
                if onlyWaiting { return nil }
                // The study row's lock serializes numbering over every worker.
                let rows = try await connection.query(
                    "SELECT next_number FROM rigor_studies WHERE id = \(studyID) FOR UPDATE", logger: logger)
                var next: Int?
                for try await number in rows.decode(Int.self) { next = number }
                guard let next else { throw SearchError(.studyNotFound, "study \(studyID) is gone") }
                if let maxTotal, next >= maxTotal { return nil }
                try await connection.query(
                    "UPDATE rigor_studies SET next_number = \(next + 1) WHERE id = \(studyID)", logger: logger)
                record = TrialRecord(number: next, state: .running)
            }
            var claimed = record!
            claimed.state = .running
            claimed.worker = worker
            claimed.started = Date()
            let encoded = try StorageCoding.encode(claimed)
            try await Self.write(claimed, encoded: encoded, studyID: studyID, connection: connection, logger: logger)
            return encoded
        }
        return try text.map { try StorageCoding.decode(TrialRecord.self, from: $0, what: "a claimed trial") }
    }

    private static func write(
        _ record: TrialRecord, encoded: String, studyID: Int, connection: PostgresConnection, logger: Logger
    ) async throws {
        let state = record.state.rawValue
        try await connection.query(
            """
            INSERT INTO rigor_trials (study_id, number, state, record) VALUES (\(studyID), \(record.number), \(state), \(encoded))
            ON CONFLICT (study_id, number) DO UPDATE SET state = EXCLUDED.state, record = EXCLUDED.record
            """, logger: logger)
    }

    public func enqueue(studyID: Int, parameterSets: [[String: ParameterValue]]) throws -> Int {
        try transaction { connection, logger in
            let rows = try await connection.query(
                "SELECT next_number FROM rigor_studies WHERE id = \(studyID) FOR UPDATE", logger: logger)
            var next = 0
            for try await number in rows.decode(Int.self) { next = number }
            var present = Set<String>()
            for try await text in try await connection.query(
                "SELECT record FROM rigor_trials WHERE study_id = \(studyID)", logger: logger
            ).decode(String.self) {
                present.insert(
                    StorageCoding.key(
                        try StorageCoding.decode(TrialRecord.self, from: text, what: "a trial").fixedParameters))
            }
            var added = 0
            for parameters in parameterSets where present.insert(StorageCoding.key(parameters)).inserted {
                let record = TrialRecord(number: next, state: .waiting, fixedParameters: parameters)
                try await Self.write(
                    record, encoded: try StorageCoding.encode(record), studyID: studyID, connection: connection,
                    logger: logger)
                next += 1
                added += 1
            }
            try await connection.query(
                "UPDATE rigor_studies SET next_number = \(next) WHERE id = \(studyID)", logger: logger)
            return added
        }
    }

    public func saveTrial(studyID: Int, _ record: TrialRecord) throws {
        let encoded = try StorageCoding.encode(record)
        try transaction { connection, logger in
            try await Self.write(record, encoded: encoded, studyID: studyID, connection: connection, logger: logger)
        }
    }

    public func trials(studyID: Int) throws -> [TrialRecord] {
        let texts: [String] = try transaction { connection, logger in
            var texts: [String] = []
            for try await text in try await connection.query(
                "SELECT record FROM rigor_trials WHERE study_id = \(studyID) ORDER BY number", logger: logger
            ).decode(String.self) {
                texts.append(text)
            }
            return texts
        }
        return try texts.map {
            try StorageCoding.decode(TrialRecord.self, from: $0, what: "a trial of study \(studyID)")
        }
    }
}
