import Foundation
import RichDisplay
import RigorLibrary
import RigorScript
import RunLog
import Testing

private func temporaryDirectory() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("rigor-trials-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

private func session(_ host: RunLogTestHost) -> Session {
    let registry = BuiltinRegistry()
    RigorLibrary.register(in: registry)
    return Session(host: host, registry: registry)
}

private func richBundle(_ value: Value?) -> MIMEBundle? {
    guard case .object(let object)? = value, let rich = object as? any MIMERepresentable else { return nil }
    return rich.mimeBundle
}

/// Four trials of one study: two complete (each fits a model), one pruned, one failed.
private let study = """
    let data = Dataset.iris().split(train: 0.7, validation: 0.3, seed: 0).standardized()
    let study = Study("iris-rate", sampler: .random, seed: 4, storage: .memory)
    study.optimize(trials: 4, progress: false) { trial in
        let rate = trial.float("rate", 0.001, 0.1, log: true)
        if trial.number == 2 {
            trial.report(1.5, step: 0)
            trial.prune()
        }
        if trial.number == 3 { return [1.0][5] }
        let model = Sequential([Dense(4, 8, activation: .relu), Dense(8, 3)], seed: 0)
        let history = model.fit(data.train, validation: data.validation, epochs: 2,
                                optimizer: .adam(learningRate: rate), seed: 1, progress: false)
        trial.report(history.validationLoss[0], step: 1)
        trial.report(history.validationLoss[1], step: 2)
        return history.validationLoss[1]
    }
    """

/// The test PostgreSQL server's URL for a new database (scripts/start-test-postgres.sh starts the server when it does
/// not answer, as for the search tests; a server that cannot be started fails the test).
private func freshPostgresDatabase() throws -> String {
    let port = Int(ProcessInfo.processInfo.environment["RIGOR_TEST_POSTGRES_PORT"] ?? "") ?? 54329
    let root = "/usr/lib/postgresql"
    let bin = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted().last
        .map { "\(root)/\($0)/bin" }
    func run(_ executable: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        do { try process.run() } catch { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
    if bin == nil || run(bin! + "/pg_isready", ["-q", "-h", "127.0.0.1", "-p", "\(port)"]) != 0 {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/start-test-postgres.sh").path
        let status = run("/bin/bash", [script])
        guard status == 0 else { throw RunLogError("scripts/start-test-postgres.sh failed (status \(status))") }
    }
    let directory = try #require(
        ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted().last)
    let name = "rigor_runlog_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    let status = run(
        "\(root)/\(directory)/bin/psql",
        ["-h", "127.0.0.1", "-p", "\(port)", "-U", "rigor", "-d", "rigor_search", "-qc", "CREATE DATABASE \(name)"])
    guard status == 0 else { throw RunLogError("CREATE DATABASE \(name) failed (status \(status))") }
    return "postgresql://rigor@127.0.0.1:\(port)/\(name)"
}

/// Drops a database `freshPostgresDatabase` made (closing its connections).
private func dropPostgresDatabase(_ url: String) {
    let root = "/usr/lib/postgresql"
    guard let name = url.split(separator: "/").last, name.hasPrefix("rigor_runlog_"),
        let version = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).max()
    else { return }
    let port = url.split(separator: ":").last?.split(separator: "/").first.map(String.init) ?? "54329"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "\(root)/\(version)/bin/psql")
    process.arguments = [
        "-h", "127.0.0.1", "-p", port, "-U", "rigor", "-d", "rigor_search", "-qc",
        "DROP DATABASE IF EXISTS \(name) WITH (FORCE)",
    ]
    try? process.run()
    process.waitUntilExit()
}

@Suite("Run log: search trials, their fits and every run's warnings")
struct RunLogTrialTests {
    @Test("every trial is recorded with its study, number, parameters, values and outcome; its fits name it")
    func trials() throws {
        let directory = temporaryDirectory()
        let host = RunLogTestHost(path: directory + "/runs.sqlite")
        let s = session(host)
        host.runRecorder.origin = "In[1]"
        _ = run(s, study)
        let records = try RunLog(path: directory + "/runs.sqlite").runs()
        let trials = records.filter { $0.kind == .trial }
        let fits = records.filter { $0.kind == .fit }
        #expect(trials.map(\.status) == [.finished, .finished, .pruned, .failed])
        #expect(trials.map(\.title) == (0..<4).map { "trial \($0) of iris-rate" })
        #expect(trials.allSatisfy { $0.seed == 4 && $0.origin == "In[1]" && $0.endedAt != nil })
        for (number, trial) in trials.enumerated() {
            #expect(trial.parameters.map(\.0) == ["study", "trial", "direction", "rate"])
            #expect(trial.parameter("study") == "iris-rate" && trial.parameter("trial") == "\(number)")
            let drawn = try #require(Double(run(s, "study.trials[\(number)].params[\"rate\"]") ?? ""))
            let recorded = try #require(trial.parameter("rate").flatMap(Double.init))
            #expect(abs(recorded - drawn) <= 1e-6 * drawn, "trial \(number): \(recorded) vs \(drawn)")
        }
        // A complete trial: its reported values per step, its value the objective's.
        #expect(trials[0].series("value").count == 2)
        #expect(trials[0].result("value") == trials[0].series("value").last)
        #expect(run(s, "runs(kind: .trial)[1].results[\"value\"] == study.trials[1].value") == "true")
        // Pruned with the value it reported; failed with the objective's error.
        #expect(trials[2].result("value") == 1.5 && trials[2].message == "pruned at step 0")
        #expect(trials[3].message?.contains("index 5 is out of range") == true, "\(trials[3].message ?? "")")
        // The two fits ran inside trials 0 and 1.
        #expect(fits.map(\.parent) == [trials[0].id, trials[1].id])
        #expect(trials.allSatisfy { $0.parent == nil })
        #expect(run(s, "runs().filter { run in run.parent == \(trials[1].id) }.count") == "1")
        // runs() shows the parent column; compare draws each trial's reported values by step.
        let html = try #require(richBundle(s.execute("runs()").value)?.data["text/html"])
        #expect(html.contains("parent run"))
        #expect(run(s, "runs(kind: .trial).sorted(by: \"value\")[0].parameters[\"trial\"]") != nil)
        let plot = try #require(
            richBundle(s.execute("runs(kind: .trial).compare(\"value\")").value)?.data["image/svg+xml"])
        #expect(plot.contains("trial 0 (run \(trials[0].id))") && plot.contains("value by step"))
        #expect(host.written.contains("warning: trial 3 failed"))
    }

    @Test("an interrupted trial and its fit are recorded as interrupted, linked")
    func interruptedTrial() throws {
        let directory = temporaryDirectory()
        let host = RunLogTestHost(path: directory + "/runs.sqlite")
        let s = session(host)
        let flag = s.interrupt
        let reader = try RunLog(path: directory + "/runs.sqlite")
        let watcher = Thread {
            while true {
                if let fit = try? reader.runs(kind: .fit).first, fit.epochs.count >= 1 { break }
                Thread.sleep(forTimeInterval: 0.01)
            }
            flag.request()
        }
        watcher.start()
        let outcome = s.execute(
            """
            let data = Dataset.iris().split(train: 0.7, validation: 0.3, seed: 0).standardized()
            let study = Study("long", sampler: .random, seed: 1, storage: .memory)
            study.optimize(trials: 3, progress: false) { trial in
                let model = Sequential([Dense(4, 8, activation: .relu), Dense(8, 3)], seed: 0)
                let history = model.fit(data.train, epochs: 100000, seed: 1, progress: false)
                return history.trainLoss[0]
            }
            """)
        #expect(outcome.error != nil)
        let records = try reader.runs()
        let trial = try #require(records.first { $0.kind == .trial })
        let fit = try #require(records.first { $0.kind == .fit })
        #expect(trial.status == .interrupted && fit.status == .interrupted)
        #expect(fit.parent == trial.id)
        #expect(records.count == 2)
    }

    @Test("runs() shows each run's warnings; run(id) lists their messages; CSV and JSON carry them")
    func warnings() throws {
        let directory = temporaryDirectory()
        let host = RunLogTestHost(path: directory + "/runs.sqlite")
        let s = session(host)
        _ = run(
            s,
            """
            let data = Dataset.iris().split(train: 0.6, validation: 0.2, test: 0.2, seed: 1)
            let model = Sequential([Dense(4, 8, activation: .relu), Dense(8, 3)], seed: 2)
            model.fit(data.train, validation: data.validation, epochs: 1, seed: 3, progress: false)
            model.fit(data.train, validation: data.test, epochs: 1, progress: false)
            """)
        let text = try #require(run(s, "runs()"))
        #expect(text.contains("warnings") && text.contains("⚠ 2: test-split, unseeded"), "\(text)")
        let html = try #require(richBundle(s.execute("runs()").value)?.data["text/html"])
        #expect(html.contains("⚠ 2: test-split, unseeded"))
        #expect(run(s, "run(2).warnings.count") == "2")
        #expect(
            run(s, "run(2).warnings[0]")?.hasPrefix("test-split: the validation data given to fit is the test split")
                == true)
        #expect(run(s, "run(1).warnings.count") == "0")
        let single = try #require(richBundle(s.execute("run(2)").value)?.data["text/plain"])
        #expect(single.contains("⚠ warning 1") && single.contains("unseeded: "), "\(single)")
        _ = run(s, "runs().export(to: \"\(directory)/runs.json\")\nruns().export(to: \"\(directory)/runs.csv\")")
        let csv = try String(contentsOfFile: directory + "/runs.csv", encoding: .utf8)
        #expect(csv.split(whereSeparator: \.isNewline).first?.hasSuffix(",warnings") == true, "\(csv)")
        #expect(csv.contains("⚠ 2: test-split, unseeded"))
        let json = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: directory + "/runs.json")))
        let exported = try #require(json as? [[String: Any]])
        let warnings = try #require(exported[1]["warnings"] as? [[String: String]])
        #expect(warnings.map { $0["check"] } == ["test-split", "unseeded"])
        #expect(warnings[0]["message"]?.contains("test split") == true)
        #expect((exported[0]["warnings"] as? [Any])?.isEmpty == true)
        let (missing, _) = (s.execute("run(99)"), ())
        #expect(missing.error.map { s.render($0) }?.contains("has no run 99") == true)
    }

    @Test("an objective that reads the test split: the warning is kept with the trial it fired in")
    func objectiveWarning() throws {
        let directory = temporaryDirectory()
        let host = RunLogTestHost(path: directory + "/runs.sqlite")
        let s = session(host)
        _ = run(
            s,
            """
            let data = Dataset.iris().split(train: 0.6, validation: 0.2, test: 0.2, seed: 1)
            let peek = Study("peek", sampler: .random, seed: 1, storage: .memory)
            peek.optimize(trials: 2, progress: false) { trial in
                let x = trial.float("x", 0, 1)
                return x + Double(data.test.count)
            }
            """)
        let trials = try RunLog(path: directory + "/runs.sqlite").runs(kind: .trial)
        #expect(trials.count == 2)
        #expect(trials[0].warnings.map(\.check) == ["test-split"])
        #expect(trials[0].warnings.first?.message.contains("the objective read the test split") == true)
        #expect(trials[1].warnings.isEmpty)  // once per study and cell
        #expect(run(s, "runs(kind: .trial)")?.contains("⚠ 1: test-split") == true)
    }

    @Test("runLog(path:) with a PostgreSQL URL records fits and trials there, linked, and runs() reads them")
    func postgres() throws {
        let url = try freshPostgresDatabase()
        defer { dropPostgresDatabase(url) }
        let host = RunLogTestHost(path: nil)
        let s = session(host)
        #expect(run(s, "runLog(path: \"\(url)\")") == url)
        _ = run(s, study)
        let text = try #require(run(s, "runs()"))
        #expect(text.contains("Runs in \(url) (6)"), "\(text)")
        let states = run(s, "var states = []\nfor r in runs(kind: .trial) { states.append(r.status) }\nstates")
        #expect(states == "[\"finished\", \"finished\", \"pruned\", \"failed\"]")
        let fits = "let fits = runs(kind: .fit)\nlet trials = runs(kind: .trial)\n"
        #expect(run(s, fits + "fits[0].parent == trials[0].id && fits[1].parent == trials[1].id") == "true")
        #expect(run(s, "runs(kind: .trial)[2].results[\"value\"]") == "1.5")
        // A second session (another kernel of the team) sees the same runs.
        let other = session(RunLogTestHost(path: nil))
        _ = run(other, "runLog(path: \"\(url)\")")
        #expect(run(other, "runs().count") == "6")
        #expect(host.written == "" || !host.written.contains("cannot be written"), "\(host.written)")
    }
}
