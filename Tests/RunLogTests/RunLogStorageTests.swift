import Foundation
import GRDB
import Synchronization
import Testing

@testable import RunLog
@testable import RunLogPostgres

/// The two storages of the run log. Every test here runs on both: the same calls must read back the same.
enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres
    var testDescription: String { rawValue }

    /// A new, empty log: a new file, or a new database on the test server.
    func makeLocation() throws -> String {
        switch self {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runlog-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return directory.appendingPathComponent("runs.sqlite").path
        case .postgres:
            return try TestPostgres.freshDatabase()
        }
    }

    func open(_ location: String, busyTimeout: TimeInterval = 5) throws -> any RunLogStorage {
        switch self {
        case .sqlite: return try RunLog(path: location, busyTimeout: busyTimeout)
        case .postgres: return try PostgresRunLog(url: location, connectTimeout: 10)
        }
    }
}

/// The PostgreSQL server of the tests (scripts/start-test-postgres.sh: loopback, port 54329, user `rigor`), started
/// by that script when it does not answer, as the search tests do. A server that cannot be started fails the test:
/// it is never skipped.
enum TestPostgres {
    static let port = Int(ProcessInfo.processInfo.environment["RIGOR_TEST_POSTGRES_PORT"] ?? "") ?? 54329
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The URL of a new database (`rigor_runlog_<uuid>`), so that each test sees only its own runs.
    static func freshDatabase() throws -> String {
        let name = "rigor_runlog_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try psql("CREATE DATABASE \(name)")
        return "postgresql://rigor@127.0.0.1:\(port)/\(name)"
    }

    /// Drops a database `freshDatabase` made (closing its connections).
    static func drop(_ url: String) {
        guard let name = url.split(separator: "/").last, name.hasPrefix("rigor_runlog_") else { return }
        try? psql("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// Runs one SQL command with the server's `psql` in `database` (starting the server first when it does not
    /// answer).
    static func psql(database: String = "rigor_search", _ command: String) throws {
        guard let bin = binDirectory() else {
            try start()
            return try psql(database: database, command)
        }
        if run(bin + "/pg_isready", ["-q", "-h", "127.0.0.1", "-p", "\(port)"]) != 0 { try start() }
        let status = run(
            bin + "/psql", ["-h", "127.0.0.1", "-p", "\(port)", "-U", "rigor", "-d", database, "-qc", command])
        guard status == 0 else { throw RunLogError("psql '\(command)' failed with status \(status)") }
    }

    static func start() throws {
        let status = run("/bin/bash", [packageRoot.appendingPathComponent("scripts/start-test-postgres.sh").path])
        guard status == 0 else { throw RunLogError("scripts/start-test-postgres.sh failed (status \(status))") }
    }

    static func binDirectory() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions.compactMap(Int.init).sorted().last.map { "\(root)/\($0)/bin" }
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        do { try process.run() } catch { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

@Suite("Run log storages: SQLite and PostgreSQL keep the same runs", .serialized)
struct RunLogStorageTests {
    @Test("a run's start, epochs, parameters, warnings, parent and end read back as given", arguments: Backend.allCases)
    func roundTrip(_ backend: Backend) throws {
        let location = try backend.makeLocation()
        defer { TestPostgres.drop(location) }
        let log = try backend.open(location)
        let data = [Float(1), 2, 3, 4].withUnsafeBufferPointer { DataFingerprint(rows: 2, parts: [([2, 2], $0)]) }
        let began = Date(timeIntervalSince1970: 1_000)
        let trial = try log.begin(
            RunStart(
                kind: .trial, title: "trial 0 of s", parameters: [("study", "s"), ("trial", "0")], seed: 7,
                model: "Study 's'", versions: [("rigor", "test")], origin: "In[2]", source: "study.optimize(…)"),
            at: began)
        let fit = try log.begin(
            RunStart(
                kind: .fit, title: "Sequential 2-2", parameters: [("epochs", "2")], seed: 3,
                data: [("training", data)], parent: trial), at: began.addingTimeInterval(0.5))
        try log.record(epoch: 1, [RunValue("loss", 0.9), RunValue("val_loss", .infinity)], parameters: nil, of: fit)
        try log.record(epoch: 2, [RunValue("loss", 0.5), RunValue("val_loss", 0.7)], parameters: nil, of: fit)
        try log.record(warning: "test-split", message: "validation is the test split", of: fit)
        try log.record(warning: "overfitting", message: "since epoch 1", of: fit)
        try log.finish(
            fit, status: .finished, results: [RunValue("val_loss", 0.7)], message: nil, parameters: nil,
            at: began.addingTimeInterval(1))
        // A trial's parameters grow as they are drawn; step 2's value is entry 3.
        let drawn: [(String, String)] = [("study", "s"), ("trial", "0"), ("lr", "0.01")]
        try log.record(epoch: 3, [RunValue("value", 0.7)], parameters: drawn, of: trial)
        try log.finish(
            trial, status: .pruned, results: [RunValue("value", 0.7)], message: "pruned at step 2",
            parameters: drawn + [("width", "16")], at: began.addingTimeInterval(2))

        let runs = try backend.open(location).runs(kind: nil, limit: nil)
        #expect(runs.map(\.id) == [trial, fit])
        let readTrial = runs[0]
        let readFit = runs[1]
        #expect(readTrial.kind == .trial && readTrial.status == .pruned && readTrial.message == "pruned at step 2")
        #expect(readTrial.parameters.map(\.0) == ["study", "trial", "lr", "width"])
        #expect(readTrial.parameter("width") == "16" && readTrial.seed == 7)
        #expect(readTrial.epochs.count == 3 && readTrial.epochs[2] == [RunValue("value", 0.7)])
        #expect(readTrial.series("value") == [0.7] && readTrial.result("value") == 0.7)
        #expect(
            readTrial.origin == "In[2]" && readTrial.source == "study.optimize(…)" && readTrial.model == "Study 's'")
        #expect(readTrial.duration == 2 && readTrial.parent == nil && readTrial.warnings.isEmpty)
        #expect(readFit.parent == trial)
        #expect(readFit.series("val_loss") == [.infinity, 0.7])
        #expect(readFit.data.count == 1 && readFit.data[0].1 == data)
        #expect(
            readFit.warnings == [
                RunWarning(check: "test-split", message: "validation is the test split"),
                RunWarning(check: "overfitting", message: "since epoch 1"),
            ])
        #expect(try log.warnings(of: fit) == readFit.warnings)
        #expect(try log.run(fit) == readFit)
        #expect(readFit.processID == getpid())
    }

    @Test("epochs written in batches and with the run's end read back in order, once each", arguments: Backend.allCases)
    func batches(_ backend: Backend) throws {
        let location = try backend.makeLocation()
        defer { TestPostgres.drop(location) }
        let log = try backend.open(location)
        let id = try log.begin(RunStart(kind: .trial, title: "trial 0 of s"), at: Date())
        try log.record(
            epochs: [RunEpoch(1, [RunValue("value", 0.9)]), RunEpoch(2, [RunValue("value", 0.8)])],
            parameters: [("lr", "0.1")], of: id)
        // A batch with nothing in it writes nothing; an epoch recorded again replaces the first entry.
        try log.record(epochs: [], parameters: nil, of: id)
        try log.record(epochs: [RunEpoch(2, [RunValue("value", 0.7)])], parameters: nil, of: id)
        #expect(try log.run(id).status == .running)
        #expect(try log.run(id).series("value") == [0.9, 0.7])
        try log.finish(
            id, status: .finished, results: [RunValue("value", 0.5)], message: nil, parameters: [("lr", "0.2")],
            epochs: [RunEpoch(3, [RunValue("value", 0.6)]), RunEpoch(4, [RunValue("value", 0.5)])], at: Date())
        let read = try backend.open(location).run(id)
        #expect(read.status == .finished && read.parameter("lr") == "0.2")
        #expect(read.series("value") == [0.9, 0.7, 0.6, 0.5])
        // Finishing a run that is not there is an error, and leaves no epochs behind.
        #expect(throws: RunLogError.self) {
            try log.finish(
                id + 1, status: .finished, results: [], message: nil, parameters: nil,
                epochs: [RunEpoch(1, [RunValue("value", 1)])], at: Date())
        }
        // The next run takes that id: it starts with no epochs.
        let next = try log.begin(RunStart(kind: .fit, title: "next"), at: Date())
        #expect(next == id + 1)
        #expect(try log.runs(kind: nil, limit: nil).map(\.epochs.count) == [4, 0])
    }

    @Test("filter by kind, newest n, delete (a deleted trial's fits lose their parent)", arguments: Backend.allCases)
    func queries(_ backend: Backend) throws {
        let location = try backend.makeLocation()
        defer { TestPostgres.drop(location) }
        let log = try backend.open(location)
        var ids: [Int] = []
        for index in 0..<5 {
            let id = try log.begin(
                RunStart(
                    kind: index.isMultiple(of: 2) ? .fit : .trial, title: "run \(index)",
                    parent: index == 2 ? ids[1] : nil), at: Date())
            try log.finish(id, status: .finished, results: [], message: nil, parameters: nil, at: Date())
            ids.append(id)
        }
        #expect(try log.runs(kind: nil, limit: nil).map(\.title) == (0..<5).map { "run \($0)" })
        #expect(try log.runs(kind: .fit, limit: nil).map(\.title) == ["run 0", "run 2", "run 4"])
        #expect(try log.runs(kind: .trial, limit: 1).map(\.title) == ["run 3"])
        #expect(try log.runs(kind: nil, limit: 2).map(\.title) == ["run 3", "run 4"])
        #expect(try log.run(ids[2]).parent == ids[1])
        try log.record(warning: "unseeded", message: "fit used seed 0", of: ids[1])
        try log.delete([ids[1]])
        #expect(try log.runs(kind: nil, limit: nil).count == 4)
        #expect(try log.run(ids[2]).parent == nil)
        #expect(try log.warnings(of: ids[1]).isEmpty)
        let missing = try #require(throws: RunLogError.self) { try log.run(ids[1]) }
        #expect(missing.message.contains("has no run \(ids[1])"))
    }

    @Test("four writers at once lose and mix nothing", arguments: Backend.allCases)
    func concurrentWriters(_ backend: Backend) throws {
        let location = try backend.makeLocation()
        defer { TestPostgres.drop(location) }
        _ = try backend.open(location)
        let (writers, runsEach, epochs) = (4, 20, 3)
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: writers) { writer in
            do {
                let log = try backend.open(location, busyTimeout: 30)
                for index in 0..<runsEach {
                    let id = try log.begin(
                        RunStart(kind: .trial, title: "w\(writer)-\(index)", parameters: [("writer", "\(writer)")]),
                        at: Date())
                    for epoch in 1...epochs {
                        try log.record(
                            epoch: epoch, [RunValue("value", Double(writer * 1000 + index * 10 + epoch))],
                            parameters: [("writer", "\(writer)"), ("epoch", "\(epoch)")], of: id)
                    }
                    try log.record(warning: "unseeded", message: "w\(writer)-\(index)", of: id)
                    try log.finish(
                        id, status: .finished, results: [RunValue("value", Double(writer))], message: nil,
                        parameters: nil, at: Date())
                }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let runs = try backend.open(location).runs(kind: nil, limit: nil)
        #expect(runs.count == writers * runsEach)
        #expect(Set(runs.map(\.id)).count == writers * runsEach)
        for run in runs {
            let writer = try #require(run.parameter("writer").flatMap(Int.init))
            let index = try #require(Int(run.title.split(separator: "-")[1]))
            #expect(run.status == .finished && run.parameter("epoch") == "\(epochs)")
            #expect(run.series("value") == (1...epochs).map { Double(writer * 1000 + index * 10 + $0) })
            #expect(run.warnings.map(\.message) == [run.title])
        }
    }

    @Test("PostgreSQL: a running entry whose writer's session ended reads incomplete, from any machine")
    func postgresIncomplete() throws {
        let location = try TestPostgres.freshDatabase()
        defer { TestPostgres.drop(location) }
        let reader = try PostgresRunLog(url: location)
        // A writer that records a run and an epoch, then goes away without finishing it (its connection closes, as
        // when its kernel is killed).
        func writeAndVanish() throws -> Int {
            let writer = try PostgresRunLog(url: location)
            let id = try writer.begin(RunStart(kind: .fit, title: "killed"), at: Date())
            try writer.record(epoch: 1, [RunValue("loss", 2)], parameters: nil, of: id)
            #expect(try reader.run(id).status == .running)
            return id
        }
        let live = try reader.begin(RunStart(kind: .fit, title: "running here"), at: Date())
        let dead = try writeAndVanish()
        // The server ends the closed connection's session on its own schedule: wait for it (not a timing assertion;
        // a minute is far beyond what it takes).
        let deadline = Date().addingTimeInterval(60)
        while try reader.run(dead).status == .running, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let runs = try reader.runs(kind: nil, limit: nil)
        #expect(runs.map(\.status) == [.running, .incomplete])
        #expect(runs[1].series("loss") == [2])  // its finished epoch is kept
        #expect(runs[0].id == live)
    }

    @Test("PostgreSQL: a bad URL, an unreachable server and a missing database are clear errors")
    func postgresErrors() throws {
        let notURL = try #require(throws: RunLogError.self) { _ = try PostgresRunLog(url: "postgresql:///nohost") }
        #expect(notURL.message.contains("is not a PostgreSQL URL"))
        let unreachable = try #require(throws: RunLogError.self) {
            _ = try PostgresRunLog(url: "postgresql://rigor:secret@127.0.0.1:1/runs", connectTimeout: 2)
        }
        #expect(unreachable.message.contains("cannot reach PostgreSQL at 127.0.0.1:1"), "\(unreachable)")
        #expect(!unreachable.message.contains("secret"))
        try TestPostgres.psql("SELECT 1")  // the server is up
        let missing = try #require(throws: RunLogError.self) {
            _ = try PostgresRunLog(url: "postgresql://rigor@127.0.0.1:\(TestPostgres.port)/no_such_database_here")
        }
        #expect(missing.message.contains("no_such_database_here"), "\(missing)")
    }

    @Test("PostgreSQL: a database a newer Rigor wrote is refused with a clear error, and left as it was")
    func postgresNewerSchema() throws {
        let url = try TestPostgres.freshDatabase()
        defer { TestPostgres.drop(url) }
        let log = try PostgresRunLog(url: url)
        let id = try log.begin(RunStart(kind: .fit, title: "kept"))
        try log.finish(id, status: .finished)
        // Opening it again is fine (the version row is there once); then a newer Rigor bumps the version.
        _ = try PostgresRunLog(url: url)
        let name = try #require(url.split(separator: "/").last)
        try TestPostgres.psql(
            database: String(name), "UPDATE rigor_schema_versions SET version = 3 WHERE component = 'runlog'")
        let newer = try #require(throws: RunLogError.self) { _ = try PostgresRunLog(url: url) }
        #expect(newer.message.contains("written by a newer Rigor (schema 3, this one reads 2)"), "\(newer)")
        try TestPostgres.psql(
            database: String(name), "UPDATE rigor_schema_versions SET version = 2 WHERE component = 'runlog'")
        #expect(try PostgresRunLog(url: url).runs().map(\.title) == ["kept"])
    }

    @Test("SQLite: a version-1 file gains the parent column and keeps its runs")
    func migration() throws {
        let path = try Backend.sqlite.makeLocation()
        let old = try RunLog(path: path)
        let id = try old.begin(RunStart(kind: .fit, title: "old"))
        try old.finish(id, status: .finished)
        // Make it a version-1 file: no parent column.
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "ALTER TABLE runs DROP COLUMN parent")
            try db.execute(sql: "PRAGMA user_version = 1")
        }
        let reopened = try RunLog(path: path)
        #expect(try reopened.runs().map(\.title) == ["old"])
        let child = try reopened.begin(RunStart(kind: .fit, title: "child", parent: id))
        #expect(try reopened.run(child).parent == id)
    }
}
