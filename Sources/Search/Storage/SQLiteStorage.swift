// SQLiteStorage: studies in an SQLite file (through GRDB), by default `studies.sqlite` in the working directory (a
// notebook's kernel runs in the notebook's folder). Each change is one IMMEDIATE transaction, so several processes
// may share the file; a file locked longer than the busy timeout, or one that is not a study database, is a clear
// `SearchError`.
import Foundation
import GRDB

/// A study database in one SQLite file. Tables: `studies(id, name, settings JSON, next_number)` and
/// `trials(study_id, number, state, record JSON)`.
public final class SQLiteStorage: StudyStorage {
    /// `studies.sqlite`, next to the notebook (in the working directory).
    public static let defaultPath = "studies.sqlite"

    public let path: String
    public let busyTimeout: TimeInterval
    private let queue: DatabaseQueue

    /// Opens (or, with `create`, creates) the study file at `path`. Writers wait up to `busyTimeout` seconds for a
    /// lock held by another connection.
    public init(path: String = SQLiteStorage.defaultPath, busyTimeout: TimeInterval = 5, create: Bool = true) throws {
        self.path = path
        self.busyTimeout = busyTimeout
        if !create, !FileManager.default.fileExists(atPath: path) {
            throw SearchError(.studyNotFound, "no study file at '\(path)'")
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "rigor.search"
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw Self.mapped(error, path: path, timeout: busyTimeout)
        }
        try transaction { db in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS studies (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,
                        settings TEXT NOT NULL, next_number INTEGER NOT NULL DEFAULT 0);
                    CREATE TABLE IF NOT EXISTS trials (study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
                        number INTEGER NOT NULL, state TEXT NOT NULL, record TEXT NOT NULL,
                        PRIMARY KEY (study_id, number));
                    CREATE INDEX IF NOT EXISTS trials_waiting ON trials (study_id, state, number);
                    """)
        }
    }

    /// Runs `body` in one transaction, IMMEDIATE as GRDB's writes are (the write lock is taken at BEGIN, so two
    /// workers never interleave).
    private func transaction<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.write(body)
        } catch {
            throw Self.mapped(error, path: path, timeout: busyTimeout)
        }
    }

    static func mapped(_ error: any Error, path: String, timeout: TimeInterval) -> SearchError {
        if let error = error as? SearchError { return error }
        guard let error = error as? DatabaseError else {
            return SearchError(.storage, "study file '\(path)': \(error)")
        }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return SearchError(
                .locked,
                "study file '\(path)' is locked by another connection (waited \(NumberFormatting.seconds(timeout))): "
                    + "another process is writing to it; try again when it is done, or raise busyTimeout")
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return SearchError(
                .corrupt,
                "'\(path)' is not a study database (damaged, or not an SQLite file): \(error.message ?? "")"
                    + "; move it aside or give the study another path")
        case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY, .SQLITE_FULL, .SQLITE_IOERR:
            return SearchError(.storage, "cannot use study file '\(path)': \(error.message ?? "\(error.resultCode)")")
        default:
            return SearchError(.storage, "study file '\(path)': \(error.message ?? "\(error)")")
        }
    }

    public func createStudy(_ settings: StudySettings) throws -> (study: StoredStudy, created: Bool) {
        let text = try StorageCoding.encode(settings)
        return try transaction { db in
            if let row = try Row.fetchOne(
                db, sql: "SELECT id, settings FROM studies WHERE name = ?", arguments: [settings.name])
            {
                let stored = try StorageCoding.decode(
                    StudySettings.self, from: row["settings"], what: "study '\(settings.name)' in '\(path)'")
                return (StoredStudy(id: row["id"], settings: stored), false)
            }
            try db.execute(sql: "INSERT INTO studies (name, settings) VALUES (?, ?)", arguments: [settings.name, text])
            return (StoredStudy(id: Int(db.lastInsertedRowID), settings: settings), true)
        }
    }

    public func loadStudy(named name: String) throws -> StoredStudy {
        try transaction { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT id, settings FROM studies WHERE name = ?", arguments: [name])
            else {
                let names = try String.fetchAll(db, sql: "SELECT name FROM studies ORDER BY name")
                throw SearchError(
                    .studyNotFound,
                    "no study named '\(name)' in '\(path)'"
                        + (names.isEmpty ? "" : " (it has: \(names.joined(separator: ", ")))"))
            }
            let settings = try StorageCoding.decode(
                StudySettings.self, from: row["settings"], what: "study '\(name)' in '\(path)'")
            return StoredStudy(id: row["id"], settings: settings)
        }
    }

    public func studyNames() throws -> [String] {
        try transaction { db in try String.fetchAll(db, sql: "SELECT name FROM studies ORDER BY id") }
    }

    public func deleteStudy(named name: String) throws {
        let path = path
        try transaction { db in
            guard let id = try Int.fetchOne(db, sql: "SELECT id FROM studies WHERE name = ?", arguments: [name]) else {
                throw SearchError(.studyNotFound, "no study named '\(name)' in '\(path)'")
            }
            try db.execute(sql: "DELETE FROM trials WHERE study_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM studies WHERE id = ?", arguments: [id])
        }
    }

    public func claimTrial(studyID: Int, worker: String, maxTotal: Int?, onlyWaiting: Bool) throws -> TrialRecord? {
        try transaction { db in
            var record: TrialRecord
            if let row = try Row.fetchOne(
                db, sql: "SELECT record FROM trials WHERE study_id = ? AND state = 'waiting' ORDER BY number LIMIT 1",
                arguments: [studyID])
            {
                record = try StorageCoding.decode(TrialRecord.self, from: row["record"], what: "a trial in '\(path)'")
            } else {
                if onlyWaiting { return nil }
                let next = try Int.fetchOne(
                    db, sql: "SELECT next_number FROM studies WHERE id = ?", arguments: [studyID])
                guard let next else { throw SearchError(.studyNotFound, "study \(studyID) is gone from '\(path)'") }
                if let maxTotal, next >= maxTotal { return nil }
                try db.execute(sql: "UPDATE studies SET next_number = ? WHERE id = ?", arguments: [next + 1, studyID])
                record = TrialRecord(number: next, state: .running)
            }
            record.state = .running
            record.worker = worker
            record.started = Date()
            try Self.write(record, studyID: studyID, db: db)
            return record
        }
    }

    private static func write(_ record: TrialRecord, studyID: Int, db: Database) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO trials (study_id, number, state, record) VALUES (?, ?, ?, ?)",
            arguments: [studyID, record.number, record.state.rawValue, try StorageCoding.encode(record)])
    }

    public func enqueue(studyID: Int, parameterSets: [[String: ParameterValue]]) throws -> Int {
        try transaction { db in
            let existing = try String.fetchAll(
                db, sql: "SELECT record FROM trials WHERE study_id = ?", arguments: [studyID])
            var present = Set(
                try existing.map {
                    StorageCoding.key(
                        try StorageCoding.decode(TrialRecord.self, from: $0, what: "a trial in '\(path)'")
                            .fixedParameters)
                })
            var next =
                try Int.fetchOne(db, sql: "SELECT next_number FROM studies WHERE id = ?", arguments: [studyID]) ?? 0
            var added = 0
            for parameters in parameterSets where present.insert(StorageCoding.key(parameters)).inserted {
                try Self.write(
                    TrialRecord(number: next, state: .waiting, fixedParameters: parameters), studyID: studyID, db: db)
                next += 1
                added += 1
            }
            try db.execute(sql: "UPDATE studies SET next_number = ? WHERE id = ?", arguments: [next, studyID])
            return added
        }
    }

    public func saveTrial(studyID: Int, _ record: TrialRecord) throws {
        try transaction { db in try Self.write(record, studyID: studyID, db: db) }
    }

    public func trials(studyID: Int) throws -> [TrialRecord] {
        let texts = try transaction { db in
            try String.fetchAll(
                db, sql: "SELECT record FROM trials WHERE study_id = ? ORDER BY number", arguments: [studyID])
        }
        return try texts.map { try StorageCoding.decode(TrialRecord.self, from: $0, what: "a trial in '\(path)'") }
    }
}

enum NumberFormatting {
    static func seconds(_ value: TimeInterval) -> String {
        value == value.rounded() ? "\(Int(value)) s" : String(format: "%.2g s", value)
    }
}
