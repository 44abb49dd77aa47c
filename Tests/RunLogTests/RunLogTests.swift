import Foundation
import GRDB
import Synchronization
import Testing

@testable import RunLog

private func temporaryPath(_ name: String = "runs.sqlite") -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runlog-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory.appendingPathComponent(name).path
}

private func fingerprint(_ values: [Float], shape: [Int]) -> DataFingerprint {
    values.withUnsafeBufferPointer { DataFingerprint(rows: shape[0], parts: [(shape, $0)]) }
}

@Suite("Run log: every run recorded as it happens")
struct RunLogTests {
    @Test("a fit's start, epochs and end read back as given")
    func roundTrip() throws {
        let path = temporaryPath()
        let log = try RunLog(path: path)
        let data = fingerprint([1, 2, 3, 4, 5, 6], shape: [3, 2])
        let start = RunStart(
            kind: .fit, title: "Sequential 2-4-2", parameters: [("epochs", "2"), ("batchSize", "32")], seed: 42,
            model: "Dense(4) relu\nDense(2)", data: [("training", data)], versions: [("rigor", "test")],
            origin: "In[3]")
        let began = Date(timeIntervalSince1970: 1_000)
        let id = try log.begin(start, at: began)
        try log.record(epoch: 1, [RunValue("loss", 0.9), RunValue("val_loss", 1.0)], of: id)
        try log.record(epoch: 2, [RunValue("loss", 0.5), RunValue("val_loss", 0.7)], of: id)
        try log.finish(id, status: .finished, results: [RunValue("accuracy", 0.8)], at: began.addingTimeInterval(2.5))

        let reopened = try RunLog(path: path)
        let runs = try reopened.runs()
        #expect(runs.count == 1)
        let run = try #require(runs.first)
        #expect(run.id == id)
        #expect(run.kind == .fit && run.status == .finished)
        #expect(run.title == "Sequential 2-4-2" && run.model == "Dense(4) relu\nDense(2)" && run.origin == "In[3]")
        #expect(run.parameters.map(\.0) == ["epochs", "batchSize"] && run.parameter("epochs") == "2")
        #expect(run.seed == 42)
        #expect(run.data.count == 1 && run.data[0].0 == "training" && run.data[0].1 == data)
        #expect(run.versions.map(\.0) == ["rigor"])
        #expect(run.series("loss") == [0.9, 0.5])
        #expect(run.series("val_loss") == [1.0, 0.7])
        #expect(run.result("accuracy") == 0.8)
        #expect(run.result("loss") == 0.5)  // the last epoch's, when no final result has that name
        #expect(run.duration == 2.5)
        #expect(run.processID == getpid())
    }

    @Test("non-finite metrics (a diverging fit) are kept, not refused")
    func nonFinite() throws {
        let log = try RunLog(path: temporaryPath())
        let id = try log.begin(RunStart(kind: .fit, title: "diverging"))
        try log.record(epoch: 1, [RunValue("loss", 1e10), RunValue("val_loss", .infinity)], of: id)
        try log.record(epoch: 2, [RunValue("loss", .nan)], of: id)
        try log.finish(id, status: .failed, message: "the loss is not finite")
        let run = try log.run(id)
        #expect(run.series("loss")[0] == 1e10)
        #expect(run.series("val_loss") == [.infinity])
        #expect(run.series("loss")[1].isNaN)
        #expect(run.status == .failed && run.message == "the loss is not finite")
    }

    @Test("a running entry of this live process reads as running; one whose process is gone as incomplete")
    func incomplete() throws {
        let path = temporaryPath()
        let log = try RunLog(path: path)
        let finished = try log.begin(RunStart(kind: .evaluate, title: "before"))
        try log.finish(finished, status: .finished)
        let live = try log.begin(RunStart(kind: .fit, title: "running here"))
        let dead = try log.begin(RunStart(kind: .fit, title: "killed"))
        try log.record(epoch: 1, [RunValue("loss", 2)], of: dead)
        // A process that has exited: its pid and start token no longer name a live process.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(
                sql: "UPDATE runs SET pid = ?, process = 'gone' WHERE id = ?",
                arguments: [Int(child.processIdentifier), dead])
        }
        let runs = try log.runs()
        #expect(runs.map(\.status) == [.finished, .running, .incomplete])
        #expect(runs[2].series("loss") == [2])  // its finished epoch is kept
        #expect(runs[1].id == live)
        // The same pid with another start token is another process (a pid reused after the writer died).
        try queue.write { db in
            try db.execute(sql: "UPDATE runs SET process = 'other:1' WHERE id = ?", arguments: [live])
        }
        #expect(try log.run(live).status == .incomplete)
    }

    @Test("filter by kind, newest n, delete")
    func queries() throws {
        let log = try RunLog(path: temporaryPath())
        for index in 0..<5 {
            let id = try log.begin(RunStart(kind: index.isMultiple(of: 2) ? .fit : .evaluate, title: "run \(index)"))
            try log.finish(id, status: .finished)
        }
        #expect(try log.runs().map(\.title) == (0..<5).map { "run \($0)" })
        #expect(try log.runs(kind: .fit).map(\.title) == ["run 0", "run 2", "run 4"])
        #expect(try log.runs(limit: 2).map(\.title) == ["run 3", "run 4"])
        let first = try #require(try log.runs().first)
        try log.delete([first.id])
        #expect(try log.runs().count == 4)
        #expect(throws: RunLogError.self) { try log.run(first.id) }
    }

    @Test("a run's rigor warnings read back in order, with their run, and go when the run is deleted")
    func warnings() throws {
        let log = try RunLog(path: temporaryPath())
        let first = try log.begin(RunStart(kind: .fit, title: "first"))
        let second = try log.begin(RunStart(kind: .fit, title: "second"))
        try log.record(warning: "test-split", message: "validation is the test split", of: first)
        try log.record(warning: "overfitting", message: "since epoch 7", of: second)
        try log.record(warning: "unseeded", message: "fit used seed 0", of: first)
        let read = try log.warnings(of: first)
        #expect(read.map(\.check) == ["test-split", "unseeded"])
        #expect(read.map(\.message) == ["validation is the test split", "fit used seed 0"])
        #expect(try log.warnings(of: second).map(\.check) == ["overfitting"])
        try log.delete([first])
        #expect(try log.warnings(of: first).isEmpty)
        #expect(try log.warnings(of: second).count == 1)
    }

    @Test("four connections writing one file at once lose and mix nothing")
    func concurrentWriters() throws {
        let path = temporaryPath()
        _ = try RunLog(path: path)
        let writers = 4
        let runsEach = 25
        let epochs = 4
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: writers) { writer in
            do {
                let log = try RunLog(path: path, busyTimeout: 30)
                for index in 0..<runsEach {
                    let id = try log.begin(
                        RunStart(kind: .trial, title: "w\(writer)-\(index)", parameters: [("writer", "\(writer)")]))
                    for epoch in 1...epochs {
                        try log.record(
                            epoch: epoch, [RunValue("loss", Double(writer * 1000 + index * 10 + epoch))], of: id)
                    }
                    try log.finish(id, status: .finished, results: [RunValue("writer", Double(writer))])
                }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let runs = try RunLog(path: path).runs()
        #expect(runs.count == writers * runsEach)
        #expect(Set(runs.map(\.title)).count == writers * runsEach)
        for run in runs {
            let writer = try #require(run.parameter("writer").flatMap(Int.init))
            let index = try #require(Int(run.title.split(separator: "-")[1]))
            #expect(run.status == .finished)
            #expect(run.series("loss") == (1...epochs).map { Double(writer * 1000 + index * 10 + $0) })
        }
    }

    @Test("a file that is not a run log, or a missing folder, is a clear error")
    func badFiles() throws {
        let notSQLite = temporaryPath("notes.sqlite")
        try "just text, not a database".write(toFile: notSQLite, atomically: true, encoding: .utf8)
        let error = try #require(throws: RunLogError.self) { _ = try RunLog(path: notSQLite).runs() }
        #expect(error.message.contains("is not a run log"))

        let otherDatabase = temporaryPath("studies.sqlite")
        try DatabaseQueue(path: otherDatabase).write { db in
            try db.execute(sql: "CREATE TABLE studies (id INTEGER PRIMARY KEY)")
        }
        let other = try #require(throws: RunLogError.self) { _ = try RunLog(path: otherDatabase) }
        #expect(other.message.contains("not a run log (it has tables studies)"))

        let missing = try #require(throws: RunLogError.self) { _ = try RunLog(path: "/nonexistent-rigor/runs.sqlite") }
        #expect(missing.message.contains("the folder '/nonexistent-rigor' does not exist"))
    }

    @Test("a fingerprint changes with any value, the order or the shape, and not otherwise")
    func fingerprints() {
        let base = fingerprint([1, 2, 3, 4, 5, 6], shape: [3, 2])
        #expect(base == fingerprint([1, 2, 3, 4, 5, 6], shape: [3, 2]))
        #expect(base.hex.count == 64 && base.rows == 3)
        #expect(base != fingerprint([1, 2, 3, 4, 5, 7], shape: [3, 2]))
        #expect(base != fingerprint([3, 4, 1, 2, 5, 6], shape: [3, 2]))
        #expect(base != fingerprint([1, 2, 3, 4, 5, 6], shape: [2, 3]))
        // The SHA-256 of known bytes: shape header (3, 2, -1 as little-endian Int64) then the floats.
        var bytes: [UInt8] = []
        for value in [Int64(3), 2, -1] { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        for value in [Float(1), 2, 3, 4, 5, 6] { withUnsafeBytes(of: value) { bytes += $0 } }
        #expect(sha256sum(bytes) == base.hex)
    }
}

/// The SHA-256 of `bytes` from coreutils' sha256sum (an independent implementation; coreutils is always there).
private func sha256sum(_ bytes: [UInt8]) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    do { try process.run() } catch { return "sha256sum failed to start: \(error)" }
    input.fileHandleForWriting.write(Data(bytes))
    try? input.fileHandleForWriting.close()
    process.waitUntilExit()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    return text.split(separator: " ").first.map(String.init)
}
