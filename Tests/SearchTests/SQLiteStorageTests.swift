import Foundation
import GRDB
import Synchronization
import Testing

@testable import Search

private struct Interrupted: StopsStudy {}

private func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("rigor-search-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite("SQLite study storage")
struct SQLiteStorageTests {
    private static func objective(_ trial: Trial) throws -> Double {
        let x = try trial.suggestFloat("x", -5, 5)
        let width = try trial.suggestInt("width", 8, 64, step: 8)
        let act = try trial.suggestChoice("act", ["relu", "tanh"])
        for epoch in 1...3 { try trial.report(step: epoch, value: x * x / Double(epoch)) }
        return x * x + Double(width) / 64 + (act == "relu" ? 0 : 0.5)
    }

    @Test("an interrupted study resumes from its file exactly where an uninterrupted one would be")
    func resume() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("studies.sqlite").path
        let sampler = SamplerKind.tpe(TPEOptions(startupTrials: 5))

        let reference = try Study("mlp", sampler: sampler, seed: 11)
        try reference.optimize(trials: 14, objective: Self.objective)

        do {
            let study = try Study("mlp", sampler: sampler, seed: 11, storage: SQLiteStorage(path: path))
            #expect(throws: Interrupted.self) {
                try study.optimize(trials: 14) { trial in
                    if trial.number == 7 { throw Interrupted() }
                    return try Self.objective(trial)
                }
            }
        }
        let resumed = try Study.load("mlp", path: path)
        #expect(resumed.settings.sampler == sampler)
        #expect(resumed.settings.seed == 11)
        let before = try resumed.trials
        #expect(before.count == 8)
        #expect(before.prefix(7).allSatisfy { $0.state == .complete && $0.intermediateValues.count == 3 })
        #expect(before[7].state == .failed)
        try resumed.optimize(trials: 7, objective: Self.objective)
        let after = try resumed.trials
        #expect(after.count == 15)
        // Trial 7 failed (interrupted) and was redone as trial 8: the rest follows the reference shifted by one.
        let expected = try reference.trials.map(\.params)
        #expect(after.prefix(7).map(\.params) == Array(expected.prefix(7)))
        #expect(after.map(\.number) == Array(0..<15))
        #expect(after.dropFirst(8).allSatisfy { $0.state == .complete })
        #expect(try SQLiteStorage(path: path).studyNames() == ["mlp"])
    }

    @Test("a study file holds several studies; loading a missing one names the ones it has")
    func missingStudy() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("studies.sqlite").path
        _ = try Study("a", storage: SQLiteStorage(path: path))
        _ = try Study("b", direction: .maximize, storage: SQLiteStorage(path: path))
        let error = #expect(throws: SearchError.self) { try Study.load("c", path: path) }
        #expect(error?.kind == .studyNotFound)
        #expect(error?.description == "no study named 'c' in '\(path)' (it has: a, b)")
        let mismatch = #expect(throws: SearchError.self) {
            try Study("b", direction: .minimize, storage: SQLiteStorage(path: path))
        }
        #expect(mismatch?.kind == .studyMismatch)
        let noFile = #expect(throws: SearchError.self) { try Study.load("a", path: path + ".missing") }
        #expect(noFile?.kind == .studyNotFound)
    }

    @Test("a locked study file is a clear error, and nothing is lost")
    func locked() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("studies.sqlite").path
        let study = try Study("locked", sampler: .random, storage: SQLiteStorage(path: path, busyTimeout: 0.2))
        try study.optimize(trials: 2) { try $0.suggestFloat("x", 0, 1) }
        let holder = try DatabaseQueue(path: path)
        try holder.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN EXCLUSIVE")
            let error = #expect(throws: SearchError.self) {
                try study.optimize(trials: 1) { try $0.suggestFloat("x", 0, 1) }
            }
            #expect(error?.kind == .locked)
            #expect(
                error?.description
                    == "study file '\(path)' is locked by another connection (waited 0.2 s): another process is "
                    + "writing to it; try again when it is done, or raise busyTimeout")
            try db.execute(sql: "ROLLBACK")
        }
        #expect(try study.trials.count == 2)
        try study.optimize(trials: 1) { try $0.suggestFloat("x", 0, 1) }
        #expect(try study.trials.count == 3)
    }

    @Test("a corrupt study file is a clear error")
    func corrupt() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("studies.sqlite").path
        try Data(String(repeating: "this is not a database ", count: 400).utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: SearchError.self) { try SQLiteStorage(path: path) }
        #expect(error?.kind == .corrupt)
        #expect(error?.description.hasPrefix("'\(path)' is not a study database") == true)
        #expect(error?.description.hasSuffix("move it aside or give the study another path") == true)

        // A damaged trial record is reported as such, not as an empty study.
        let good = directory.appendingPathComponent("good.sqlite").path
        let study = try Study("s", sampler: .random, storage: SQLiteStorage(path: good))
        try study.optimize(trials: 1) { try $0.suggestFloat("x", 0, 1) }
        try DatabaseQueue(path: good).write { db in try db.execute(sql: "UPDATE trials SET record = '{\"number\": '") }
        let damaged = #expect(throws: SearchError.self) { try study.trials }
        #expect(damaged?.kind == .corrupt)
    }

    @Test("two storages on one file share a study without repeating a trial number")
    func twoConnections() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("studies.sqlite").path
        _ = try Study("shared", sampler: .random, storage: SQLiteStorage(path: path))
        let numbers = Mutex<[Int]>([])
        DispatchQueue.concurrentPerform(iterations: 3) { worker in
            do {
                let study = try Study(
                    "shared", sampler: .random, seed: 5, storage: SQLiteStorage(path: path, busyTimeout: 30))
                let trials = try study.optimize(trials: 5, worker: "w\(worker)") { try $0.suggestFloat("x", 0, 1) }
                numbers.withLock { $0 += trials.map(\.number) }
            } catch {
                Issue.record("worker \(worker): \(error)")
            }
        }
        #expect(numbers.withLock { $0.sorted() } == Array(0..<15))
    }
}
