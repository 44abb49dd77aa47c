import Foundation
import RichDisplay
import RigorLibrary
import RigorScript
import RunLog
import Testing

/// A notebook front end that records runs into its own file, as the kernel's host does.
final class RunLogTestHost: ScriptHost, RunLogHost, @unchecked Sendable {
    let runRecorder: RunRecorder
    var written = ""
    init(path: String?) { runRecorder = RunRecorder(path: path, environment: [:]) }
    func write(_ text: String, to stream: OutputStreamKind) { written += text }
    func readLine(prompt: String) -> String? { nil }
}

private func temporaryDirectory() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("rigor-runs-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

private func session(_ host: RunLogTestHost) -> Session {
    let registry = BuiltinRegistry()
    RigorLibrary.register(in: registry)
    return Session(host: host, registry: registry)
}

private let setup = """
    let data = Dataset.iris().split(train: 0.8, validation: 0.2, seed: 1)
    let model = Sequential([Dense(4, 8, activation: .relu), Dense(8, 3)], seed: 2)
    """

/// The rich form of a cell's value, if it has one.
private func richBundle(_ value: Value?) -> MIMEBundle? {
    guard case .object(let object)? = value, let rich = object as? any MIMERepresentable else { return nil }
    return rich.mimeBundle
}

@Suite("Run log builtins: runs(), Runs and Run")
struct RunLogBuiltinTests {
    @Test("the optimizer is recorded as written, with what differs from its defaults")
    func optimizerSpelling() throws {
        // Fits that differ only in weight decay or momentum must read differently in runs().
        for (spelling, recorded) in [
            (".adamW(learningRate: 1e-3, weightDecay: 0.1)", ".adamW(learningRate: 0.001, weightDecay: 0.1)"),
            (".adamW(learningRate: 1e-3)", ".adamW(learningRate: 0.001)"),
            (".adam(learningRate: 0.01, beta1: 0.8)", ".adam(learningRate: 0.01, beta1: 0.8)"),
            (
                ".sgd(learningRate: 0.1, momentum: 0.9, nesterov: true)",
                ".sgd(learningRate: 0.1, momentum: 0.9, nesterov: true)"
            ),
            (".rmsProp(learningRate: 0.01, weightDecay: 0.001)", ".rmsProp(learningRate: 0.01, weightDecay: 0.001)"),
        ] {
            let host = RunLogTestHost(path: temporaryDirectory() + "/runs.sqlite")
            let s = session(host)
            _ = run(s, setup + "\nmodel.fit(data.train, epochs: 1, optimizer: \(spelling), seed: 5, progress: false)")
            #expect(run(s, "runs(kind: .fit)[0].parameters[\"optimizer\"]") == recorded, "\(spelling)")
        }
    }

    @Test("each fit and evaluate is recorded with its parameters, seed, data, epochs and results")
    func records() throws {
        let directory = temporaryDirectory()
        let host = RunLogTestHost(path: directory + "/runs.sqlite")
        let s = session(host)
        host.runRecorder.origin = "In[1]"
        _ = run(
            s,
            setup + "\nlet h = model.fit(data.train, validation: data.validation, epochs: 3, seed: 5, progress: false)")
        host.runRecorder.origin = "In[2]"
        let loss = try #require(run(s, "model.evaluate(data.validation)"))
        #expect(run(s, "runs().count") == "2")
        #expect(run(s, "let r = runs(kind: .fit)[0]\nr.status") == "finished")
        #expect(run(s, "r.seed") == "5")
        #expect(run(s, "r.cell") == "In[1]")
        #expect(run(s, "r.parameters[\"epochs\"]") == "3")
        #expect(run(s, "r.parameters[\"optimizer\"]") == ".adam(learningRate: 0.001)")
        #expect(run(s, "r.metric(\"val_loss\").count") == "3")
        #expect(run(s, "r.metric(\"loss\") == h.trainLoss") == "true")
        #expect(run(s, "r.results[\"val_loss\"] == h.validationLoss[2]") == "true")
        #expect(run(s, "(r.data[\"training\"] ?? \"\").count") == "64")
        // The evaluate saw the fit's validation rows: the same fingerprint.
        #expect(run(s, "let e = runs(kind: .evaluate)[0]\ne.data[\"data\"] == r.data[\"validation\"]") == "true")
        #expect(run(s, "e.results[\"loss\"]") == loss)
        #expect(run(s, "e.cell") == "In[2]")
        #expect(run(s, "r.versions[\"rigor\"]") == RigorLibrary.version)
        // The table shows both, with their final metrics.
        let outcome = s.execute("runs()")
        let html = try #require(richBundle(outcome.value)?.data["text/html"])
        #expect(html.contains("Runs in runs.sqlite (2)"))
        #expect(html.contains("<th>val_loss</th>") || html.contains(">val_loss<"))
        #expect(host.written == "")
    }

    @Test("sorted, filter, compare, export and save")
    func querying() throws {
        let directory = temporaryDirectory()
        let host = RunLogTestHost(path: directory + "/runs.sqlite")
        let s = session(host)
        _ = run(s, setup)
        for epochs in [1, 4, 2] {
            _ = run(
                s,
                "model.fit(data.train, validation: data.validation, epochs: \(epochs), seed: \(epochs), progress: false)"
            )
        }
        #expect(run(s, "runs().sorted(by: \"epochs\", descending: true)[0].parameters[\"epochs\"]") == "4")
        #expect(run(s, "runs().filter { run in run.metric(\"loss\").count >= 2 }.count") == "2")
        let plot = s.execute("runs().compare(\"val_loss\")")
        let svg = try #require(richBundle(plot.value)?.data["image/svg+xml"])
        #expect(svg.contains("run 1") && svg.contains("run 2") && svg.contains("run 3"))
        _ = run(s, "runs().export(to: \"\(directory)/runs.json\")\nruns().export(to: \"\(directory)/runs.csv\")")
        let json = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: directory + "/runs.json")))
        let exported = try #require(json as? [[String: Any]])
        #expect(exported.count == 3)
        #expect((exported[1]["epochs"] as? [[String: Double]])?.count == 4)
        #expect((exported[0]["data"] as? [String: String])?["training"]?.count == 64)
        let csv = try String(contentsOfFile: directory + "/runs.csv", encoding: .utf8)
        #expect(csv.split(whereSeparator: \.isNewline).count == 4)
        #expect(csv.hasPrefix("run,kind,status,cell,model,seed,epochs,batchSize,optimizer,lossFunction,loss,val_loss"))
        _ = run(s, "save(runs(), to: \"\(directory)/saved.csv\")")
        #expect(try String(contentsOfFile: directory + "/saved.csv", encoding: .utf8) == csv)
    }

    @Test("bad input is a clear error at the argument")
    func errors() {
        let directory = temporaryDirectory()
        let host = RunLogTestHost(path: directory + "/runs.sqlite")
        let s = session(host)
        _ = run(s, setup + "\nmodel.fit(data.train, validation: data.validation, epochs: 1, progress: false)")
        let cases: [(String, String)] = [
            ("runs(kind: .fits)", "'.fit'"),
            ("runs(last: 0)", "'last' must be at least 1"),
            ("runs().compare(\"val_los\")", "no run here has a per-epoch 'val_los'; they have: accuracy"),
            ("runs().sorted(by: \"speed\")", "no run here has a metric or parameter 'speed'"),
            ("runs()[3]", "index 3 is out of range for 1 run(s)"),
            ("runs()[0].metric(\"f1\")", "run 1 has no per-epoch 'f1'"),
            ("runs().export(to: \"/nonexistent-dir/x.csv\")", "cannot save '/nonexistent-dir/x.csv'"),
            ("runLog(path: \"/nonexistent-dir/runs.sqlite\")", "the folder '/nonexistent-dir' does not exist"),
            ("runs().filter { run in 1 }", "the closure returns Bool, not 'Int'"),
        ]
        for (code, message) in cases {
            let outcome = s.execute(code)
            let rendered = outcome.error.map { s.render($0) } ?? "no error"
            #expect(rendered.contains(message), "\(code): \(rendered)")
        }
        _ = run(s, "runLog(path: nil)")
        let off = s.execute("runs()")
        #expect(off.error.map { s.render($0) }?.contains("the run log is off; turn it on with runLog(path:") == true)
        // With the log off, fits run and record nothing.
        _ = run(s, "model.fit(data.train, epochs: 1, progress: false)")
        #expect(run(s, "runLog(path: \"\(directory)/runs.sqlite\")\nruns().count") == "1")
    }

    @Test("a log that cannot be written warns once and never fails the fit")
    func unwritable() throws {
        let directory = temporaryDirectory()
        let path = directory + "/runs.sqlite"
        try "not a database".write(toFile: path, atomically: true, encoding: .utf8)
        let host = RunLogTestHost(path: path)
        let s = session(host)
        #expect(run(s, setup + "\nmodel.fit(data.train, epochs: 2, progress: false).epochs") == "2")
        #expect(run(s, "model.fit(data.train, epochs: 1, progress: false).epochs") == "1")
        #expect(host.written.components(separatedBy: "warning: the run log").count == 2)
        #expect(host.written.contains("is not a run log"))
    }

    @Test("an interrupted fit is recorded as interrupted with its finished epochs")
    func interrupted() throws {
        let directory = temporaryDirectory()
        let host = RunLogTestHost(path: directory + "/runs.sqlite")
        let s = session(host)
        _ = run(s, setup)
        // Interrupt from another thread once two epochs are recorded.
        let flag = s.interrupt
        let reader = try RunLog(path: directory + "/runs.sqlite")
        let watcher = Thread {
            while true {
                if let epochs = try? reader.runs().first?.epochs.count, epochs >= 2 { break }
                Thread.sleep(forTimeInterval: 0.01)
            }
            flag.request()
        }
        watcher.start()
        let outcome = s.execute("model.fit(data.train, epochs: 100000, progress: false)")
        #expect(outcome.error != nil)
        #expect(run(s, "runs()[0].status") == "interrupted")
        #expect(Int(run(s, "runs()[0].metric(\"loss\").count") ?? "0")! >= 2)
    }

    @Test("runLogSeconds() counts the time spent writing the log, and nothing when recording is off")
    func recordingTime() throws {
        let directory = temporaryDirectory()
        let s = session(RunLogTestHost(path: directory + "/runs.sqlite"))
        _ = run(s, setup)
        #expect(run(s, "runLogSeconds()") == "0.0")
        _ = run(s, "let before = runLogSeconds()\nmodel.fit(data.train, epochs: 3, progress: false)")
        #expect(run(s, "runLogSeconds() > before") == "true")
        _ = run(s, "runLog(path: nil)\nlet off = runLogSeconds()\nmodel.fit(data.train, epochs: 3, progress: false)")
        #expect(run(s, "runLogSeconds() == off") == "true")
    }

    @Test("a fit's epochs go to the log in batches at least half a second apart, the rest with its end")
    func batchedEpochs() throws {
        let directory = temporaryDirectory()
        let storage = CountingStorage(try RunLog(path: directory + "/runs.sqlite"))
        let host = RunLogTestHost(path: nil)
        host.runRecorder.use(storage: storage)
        let s = session(host)
        _ = run(s, setup)
        let clock = ContinuousClock()
        let started = clock.now
        #expect(run(s, "model.fit(data.train, epochs: 40, batchSize: 8, progress: false).epochs") == "40")
        let elapsed = clock.now - started
        // Every epoch is written once, in order; a batch is written only when the last write is half a second old.
        #expect(storage.epochsWritten == Array(1...40))
        #expect(storage.batches.count <= Int(elapsed / .milliseconds(500)))
        #expect(storage.batches.allSatisfy { !$0.isEmpty })
        #expect(storage.finishedWith == 40 - storage.batches.reduce(0) { $0 + $1.count })
        #expect(try RunLog(path: directory + "/runs.sqlite").runs()[0].series("loss").count == 40)
    }
}

/// A run log that counts how its epochs arrive.
private final class CountingStorage: RunLogStorage, @unchecked Sendable {
    let base: RunLog
    var batches: [[Int]] = []
    var finishedWith = 0
    var epochsWritten: [Int] = []
    init(_ base: RunLog) { self.base = base }
    var location: String { base.location }
    func begin(_ start: RunStart, at date: Date) throws -> Int { try base.begin(start, at: date) }
    func record(epochs: [RunEpoch], parameters: [(String, String)]?, of run: Int) throws {
        batches.append(epochs.map(\.epoch))
        epochsWritten += epochs.map(\.epoch)
        try base.record(epochs: epochs, parameters: parameters, of: run)
    }
    func record(warning check: String, message: String, of run: Int) throws {
        try base.record(warning: check, message: message, of: run)
    }
    func finish(
        _ run: Int, status: RunStatus, results: [RunValue], message: String?, parameters: [(String, String)]?,
        epochs: [RunEpoch], at date: Date
    ) throws {
        finishedWith = epochs.count
        epochsWritten += epochs.map(\.epoch)
        try base.finish(
            run, status: status, results: results, message: message, parameters: parameters, epochs: epochs, at: date)
    }
    func delete(_ ids: [Int]) throws { try base.delete(ids) }
    func runs(kind: RunKind?, limit: Int?) throws -> [RunRecord] { try base.runs(kind: kind, limit: limit) }
    func run(_ id: Int) throws -> RunRecord { try base.run(id) }
    func warnings(of run: Int) throws -> [RunWarning] { try base.warnings(of: run) }
}
