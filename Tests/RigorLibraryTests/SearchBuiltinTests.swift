import Foundation
import RichDisplay
import RigorLibrary
import RigorScript
import Search
import Testing

/// The search builtins: a study run from a script gives the engine's trials for the same seed, bad input is an error
/// at the argument, failures and pruning are recorded, an interrupt keeps every finished trial, and studies resume from
/// their SQLite file.
@Suite("Search builtins")
struct SearchBuiltinTests {
    static func session(host: ScriptHost? = nil) -> Session {
        let registry = BuiltinRegistry()
        RigorLibrary.register(in: registry)
        return host.map { Session(host: $0, registry: registry) } ?? Session(registry: registry)
    }

    static func numbers(
        _ session: Session, _ code: String, sourceLocation: SourceLocation = #_sourceLocation
    )
        -> [Double]
    {
        let outcome = session.execute(code)
        if let error = outcome.error { Issue.record("\(session.render(error))", sourceLocation: sourceLocation) }
        guard case .array(let values)? = outcome.value else { return [] }
        return values.compactMap(\.doubleValue)
    }

    static func error(_ session: Session, _ code: String) throws -> (ScriptError, String) {
        let error = try #require(session.execute(code).error, "no error from: \(code)")
        return (error, session.render(error))
    }

    /// A temporary SQLite path, removed when the test ends.
    static func temporaryPath(_ name: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "rigor-search-\(name)-\(UUID().uuidString).sqlite"
        ).path
        return path
    }

    static let quadratic = """
        { trial in
            let x = trial.float("x", -5, 5)
            let y = trial.int("y", -3, 3)
            let kind = trial.choice("kind", ["a", "b"])
            return (x - 1) * (x - 1) + Double(y * y) + (kind == "a" ? 0.0 : 0.5)
        }
        """

    @Test("a script study gives the engine's trials for the same sampler and seed, and the best of them")
    func sameTrialsAsTheEngine() throws {
        for (script, kind) in [
            (".random", SamplerKind.random), (".tpe(startupTrials: 4)", .tpe(TPEOptions(startupTrials: 4))),
        ] {
            let session = Self.session()
            _ = run(
                session,
                "let study = Study(\"q\", sampler: \(script), seed: 7, storage: .memory)\n"
                    + "study.optimize(trials: 12, progress: false) \(Self.quadratic)")
            let xs = Self.numbers(session, "study.trials.map { $0.params[\"x\"] }")
            let values = Self.numbers(session, "study.trials.map { $0.value }")

            let engine = try Study("q", sampler: kind, seed: 7)
            try engine.optimize(trials: 12) { trial in
                let x = try trial.suggestFloat("x", -5, 5)
                let y = try trial.suggestInt("y", -3, 3)
                let kind = try trial.suggestChoice("kind", ["a", "b"])
                return (x - 1) * (x - 1) + Double(y * y) + (kind == "a" ? 0 : 0.5)
            }
            let expected = try engine.trials
            #expect(xs == expected.map { $0["x"]!.doubleValue! }, "\(script)")
            #expect(values == expected.map { $0.value! }, "\(script)")
            let best = try #require(try engine.best)
            #expect(run(session, "study.bestValue") == String(best.value!))
            #expect(run(session, "study.best.number") == String(best.number))
            #expect(run(session, "study.bestParams[\"y\"]") == best["y"]!.description)
        }
    }

    @Test("the same seed gives the same trials, another seed others; a grid runs every combination once")
    func seedsAndGrid() throws {
        let session = Self.session()
        let study = { (name: String, seed: Int) in
            "let \(name) = Study(\"\(name)\", sampler: .tpe(startupTrials: 3), seed: \(seed), storage: .memory)\n"
                + "\(name).optimize(trials: 8, progress: false) \(Self.quadratic)"
        }
        _ = run(session, study("a", 3))
        _ = run(session, study("b", 3))
        _ = run(session, study("c", 4))
        let a = Self.numbers(session, "a.trials.map { $0.params[\"x\"] }")
        #expect(a.count == 8)
        #expect(a == Self.numbers(session, "b.trials.map { $0.params[\"x\"] }"))
        #expect(a != Self.numbers(session, "c.trials.map { $0.params[\"x\"] }"))

        _ = run(
            session,
            """
            let grid = Study("g", sampler: .grid(["w": [1, 2, 3], "act": ["relu", "tanh"]]), storage: .memory)
            grid.optimize(progress: false) { trial in
                Double(trial.int("w", 1, 3)) + (trial.choice("act", ["relu", "tanh"]) == "relu" ? 0.0 : 10.0)
            }
            """)
        let seen = run(
            session, "grid.trials.map { \"\\($0.params[\"w\"] ?? 0)-\\($0.params[\"act\"] ?? \"\")\" }.sorted()")
        #expect(seen == #"["1-relu", "1-tanh", "2-relu", "2-tanh", "3-relu", "3-tanh"]"#)
        #expect(run(session, "grid.bestValue") == "1.0")
    }

    @Test("bad ranges stop the study with an error at the argument; a failing or NaN objective fails only its trial")
    func errors() throws {
        let session = Self.session()
        _ = run(session, "let s = Study(\"e\", sampler: .random, storage: .memory)")
        let cases: [(String, String, String)] = [
            ("trial.float(\"lr\", 1, 1)", "'lr': the range 1.0...1.0 is empty; need low < high", "1)"),
            ("trial.float(\"lr\", 0, 1, log: true)", "a logarithmic range needs positive bounds", "0,"),
            ("trial.int(\"n\", 5, 2)", "'n': the range 5...2 is empty", "2)"),
            ("trial.choice(\"act\", [])", "a choice of nothing: 'act' needs at least one value", "[]"),
            ("trial.int(\"n\", 1, 9, step: 0)", "'step' must be at least 1, not 0", "step"),
            ("trial.suggest([\"lr\": .logUniform(-1, 1)])", "logUniform(-1.0, 1.0): a logarithmic range", "["),
            // One table of spaces with interact: what only a control can use is refused with the reason.
            ("trial.suggest([\"lr\": .uniform(0, 1, step: 0.1)])", "'lr': a step on .uniform is for interact's", "["),
            ("trial.suggest([\"w\": .choice([16, 32], value: 32)])", "'w': value: is for interact's controls", "[\"w"),
            ("trial.suggest([\"seed\": .fixed(3)])", "'seed': .fixed is interact's value without a control", "["),
        ]
        for (call, message, caretAt) in cases {
            let code = "s.optimize(trials: 3, progress: false) { trial in\n    return \(call)\n}"
            let (error, rendered) = try Self.error(session, code)
            #expect(error.kind == .value, "\(call): \(rendered)")
            #expect(error.message.contains(message), "\(call): \(rendered)")
            // The caret is under the argument to blame, on the objective's line.
            let lines = rendered.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let source = try #require(lines.firstIndex { $0.contains(call) }, "\(rendered)")
            let caret = lines[source + 1].firstIndex(of: "^").map {
                lines[source + 1].distance(from: lines[source + 1].startIndex, to: $0)
            }
            let argument = lines[source].range(of: caretAt, options: .backwards, range: lines[source].range(of: call)!)
                .map { lines[source].distance(from: lines[source].startIndex, to: $0.lowerBound) }
            #expect(caret != nil && caret == argument, "\(call):\n\(rendered)")
        }
        // Each stopped study recorded one failed trial and ran no more.
        #expect(run(session, "s.trials.count") == String(cases.count))
        #expect(run(session, "s.trials.map { $0.state }.filter { $0 != \"failed\" }.count") == "0")
        // The stopped trial's note is the error, as the user saw it.
        let note = run(session, "s.trials[0].message") ?? ""
        #expect(note.hasPrefix("ValueError: 'lr': the range 1.0...1.0 is empty; need low < high (at In["), "\(note)")

        // A throwing or NaN objective: those trials fail with the reason, the others complete.
        let host = BufferedHost()
        let quiet = Self.session(host: host)
        _ = run(
            quiet,
            """
            let t = Study("t", sampler: .random, seed: 1, storage: .memory)
            t.optimize(trials: 6, progress: false) { trial in
                let x = trial.float("x", 0, 1)
                if trial.number == 1 { return [1, 2][5] }
                if trial.number == 3 { return Double.nan }
                return x
            }
            """)
        #expect(
            run(quiet, "t.trials.map { $0.state }")
                == #"["complete", "failed", "complete", "failed", "complete", "complete"]"#)
        let messages = run(quiet, "t.trials.map { $0.message ?? \"\" }") ?? ""
        #expect(messages.contains("IndexError: index 5 is out of range"), "\(messages)")
        #expect(messages.contains("the objective returned nan"), "\(messages)")
        #expect(host.standardError.contains("warning: trial 1 failed: IndexError"), "\(host.standardError)")

        // Options: an unknown sampler, a bad study argument, a trials-less optimize.
        let (sampler, samplerText) = try Self.error(session, "Study(\"x\", sampler: .tpee, storage: .memory)")
        #expect(sampler.message == "unknown sampler '.tpee'", "\(samplerText)")
        #expect(samplerText.contains("did you mean '.tpe'?"), "\(samplerText)")
        let (trials, trialsText) = try Self.error(session, "s.optimize(progress: false) { trial in 1.0 }")
        #expect(trials.message.contains("optimize needs trials: or timeout:"), "\(trialsText)")
        let (name, _) = try Self.error(session, "Study(\"\", storage: .memory)")
        #expect(name.message.contains("'name' must not be empty"))
    }

    @Test("a corrupt study file and an unreachable database are IOErrors at the storage argument")
    func storageErrors() throws {
        let session = Self.session()
        let path = Self.temporaryPath("corrupt")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("this is not a database, just text that is long enough to be read as a header".utf8).write(
            to: URL(fileURLWithPath: path))
        let (corrupt, corruptText) = try Self.error(session, "Study(\"x\", storage: \"\(path)\")")
        #expect(corrupt.kind == .io, "\(corruptText)")
        #expect(corrupt.message.contains("is not a study database"), "\(corruptText)")
        #expect(corruptText.contains("^"), "\(corruptText)")
        let (unreachable, unreachableText) = try Self.error(
            session, "Study(\"x\", storage: .postgres(\"postgresql://rigor@127.0.0.1:1/nothing\", connectTimeout: 2))")
        #expect(unreachable.kind == .io, "\(unreachableText)")
        #expect(unreachable.message.contains("cannot reach PostgreSQL at 127.0.0.1:1"), "\(unreachableText)")
        let (missing, _) = try Self.error(session, "Study.load(\"x\", storage: \"\(path).missing\")")
        #expect(missing.message.contains("no study file"))
    }

    /// The test PostgreSQL server's URL; starts the server with scripts/start-test-postgres.sh (as `make test` does)
    /// when it does not answer. A server that cannot be started fails the test.
    static func postgresURL() throws -> String {
        let port = Int(ProcessInfo.processInfo.environment["RIGOR_TEST_POSTGRES_PORT"] ?? "") ?? 54329
        let url = "postgresql://rigor@127.0.0.1:\(port)/rigor_search"
        let probe = session()
        if probe.execute("Study.names(storage: .postgres(\"\(url)\", connectTimeout: 3))").error == nil { return url }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let script = Process()
        script.executableURL = URL(fileURLWithPath: "/bin/bash")
        script.arguments = [root.appendingPathComponent("scripts/start-test-postgres.sh").path]
        try script.run()
        script.waitUntilExit()
        #expect(script.terminationStatus == 0, "scripts/start-test-postgres.sh failed")
        return url
    }

    @Test("a PostgreSQL URL: two workers share one study, every trial counted once; load and delete")
    func postgresWorkers() throws {
        let url = try Self.postgresURL()
        let name = "builtins-\(UUID().uuidString)"
        // Two sessions (two kernels) on one study, one after the other, under one cap of 7 trials.
        let first = Self.session()
        let second = Self.session()
        for worker in [first, second] {
            _ = run(
                worker,
                "let study = Study(\"\(name)\", sampler: .random, seed: 3, storage: \"\(url)\")\n"
                    + "study.optimize(trials: 5, maxTotalTrials: 7, progress: false) { trial in trial.float(\"x\", 0, 1) }"
            )
        }
        #expect(run(first, "study.trials.count") == "7")
        let loaded = Self.session()
        #expect(
            run(loaded, "Study.load(\"\(name)\", storage: \"\(url)\").trials.map { $0.number }")
                == "[0, 1, 2, 3, 4, 5, 6]")
        #expect(run(loaded, "Study.names(storage: \"\(url)\").contains(\"\(name)\")") == "true")
        #expect(run(loaded, "Study.delete(\"\(name)\", storage: \"\(url)\")") == "true")
        #expect(run(loaded, "Study.names(storage: \"\(url)\").contains(\"\(name)\")") == "false")
        let (gone, text) = try Self.error(loaded, "Study.load(\"\(name)\", storage: \"\(url)\")")
        #expect(gone.message.contains("no study named"), "\(text)")
    }

    @Test("pruning: trial.prune() and a PruningCallback record pruned trials with their last reported value")
    func pruning() throws {
        let session = Self.session()
        _ = run(
            session,
            """
            let p = Study("p", sampler: .random, pruner: .median(startupTrials: 2), seed: 2, storage: .memory)
            p.optimize(trials: 12, progress: false) { trial in
                let rate = trial.float("rate", 0.01, 1)
                var value = 10.0
                for step in 1...8 {
                    value = value * (1 - rate)
                    trial.report(value, step: step)
                    if trial.shouldPrune() { trial.prune() }
                }
                return value
            }
            """)
        let states = run(session, "p.trials.map { $0.state }") ?? ""
        #expect(states.contains("pruned"), "\(states)")
        #expect(!states.contains("failed"), "\(states)")
        // A pruned trial's value is its last reported value.
        #expect(
            run(
                session,
                "p.trials.filter { $0.state == \"pruned\" }.allSatisfy { $0.value == $0.intermediateValues.last }")
                == "true")

        _ = run(
            session,
            """
            let iris = Dataset.iris().split(train: 0.7, validation: 0.3, seed: 0).standardized()
            let f = Study("f", sampler: .random, pruner: .median(startupTrials: 2), seed: 5, storage: .memory)
            f.optimize(trials: 8, progress: false) { trial in
                let rate = trial.float("rate", 1e-5, 1e-1, log: true)
                let model = Sequential([Dense(4, 8, activation: .relu), Dense(8, 3)], seed: 0)
                let history = model.fit(iris.train, validation: iris.validation, epochs: 6, optimizer: .sgd(learningRate: rate),
                                        callbacks: [PruningCallback(trial)], seed: 0, progress: false)
                return history.validationLoss.last ?? 9.0
            }
            """)
        let fitStates = run(session, "f.trials.map { $0.state }") ?? ""
        #expect(fitStates.contains("pruned"), "\(fitStates)")
        #expect(!fitStates.contains("failed"), "\(fitStates)")
        #expect(
            run(session, "f.trials.filter { $0.state == \"pruned\" }.allSatisfy { $0.intermediateValues.count < 6 }")
                == "true")
    }

    @Test("an interrupt stops optimize within a trial, keeps every finished trial, and the study continues")
    func interrupt() throws {
        let path = Self.temporaryPath("interrupt")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let session = Self.session()
        _ = run(session, "let study = Study(\"slow\", sampler: .random, seed: 0, storage: \"\(path)\")")
        let interrupt = session.interrupt
        DispatchQueue.global().asyncAfter(deadline: .now() + 1.2) { interrupt.request() }
        let code = """
            study.optimize(trials: 1000, progress: false) { trial in
                let x = trial.float("x", 0, 1)
                var total = 0.0
                for i in 0..<30000 { total += x * Double(i % 7) }
                return total
            }
            """
        let error = try #require(session.execute(code).error)
        #expect(error.kind == .interrupted)
        #expect(error.message.contains("optimize interrupted"), "\(error.message)")
        #expect(error.message.contains("finished trials in \(path)") || error.message.contains("finished trial in"))
        // Inside a trial (most of the time goes there), that trial is recorded as failed ("interrupted"); between
        // trials, none is.
        let failed = run(session, "study.trials.filter { $0.state == \"failed\" }.map { $0.message }")
        if error.message.contains("between trials") {
            #expect(failed == "[]")
        } else {
            #expect(error.message.contains("during trial"), "\(error.message)")
            #expect(failed == #"["interrupted"]"#)
        }
        let complete = Int(run(session, "study.trials.filter { $0.state == \"complete\" }.count") ?? "") ?? 0
        #expect(complete > 0 && complete < 1000)

        // A new session (a kernel restart) loads the study from its file and continues it.
        let restarted = Self.session()
        _ = run(restarted, "let again = Study.load(\"slow\", storage: \"\(path)\")")
        let before = Int(run(restarted, "again.trials.count") ?? "") ?? 0
        #expect(before >= complete)
        _ = run(restarted, "again.optimize(trials: 3, progress: false) { trial in trial.float(\"x\", 0, 1) }")
        #expect(run(restarted, "again.trials.count") == String(before + 3))
    }

    @Test("a study resumed from SQLite continues as an uninterrupted one, with the same seed")
    func resumeMatchesUninterrupted() throws {
        let path = Self.temporaryPath("resume")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let objective = "{ trial in let x = trial.float(\"x\", -2, 2)\n return x * x }"
        let straight = Self.session()
        _ = run(
            straight,
            "let s = Study(\"r\", sampler: .tpe(startupTrials: 3), seed: 9, storage: .memory)\n"
                + "s.optimize(trials: 8, progress: false) \(objective)")
        let first = Self.session()
        _ = run(
            first,
            "let s = Study(\"r\", sampler: .tpe(startupTrials: 3), seed: 9, storage: \"\(path)\")\n"
                + "s.optimize(trials: 5, progress: false) \(objective)")
        let second = Self.session()
        _ = run(
            second,
            "let s = Study.load(\"r\", storage: \"\(path)\")\ns.optimize(trials: 3, progress: false) \(objective)")
        let expected = Self.numbers(straight, "s.trials.map { $0.params[\"x\"] }")
        #expect(expected.count == 8)
        #expect(Self.numbers(second, "s.trials.map { $0.params[\"x\"] }") == expected)
        #expect(run(second, "Study.delete(\"r\", storage: \"\(path)\")") == "true")
        #expect(run(second, "Study.names(storage: \"\(path)\")") == "[]")
    }

    @Test("the live view shows and updates a trial table; reading the test split warns")
    func liveViewAndTestSplitWarning() throws {
        final class Host: RichOutputHost, @unchecked Sendable {
            var displays: [(id: String, bundle: MIMEBundle)] = []
            var updates: [(id: String, bundle: MIMEBundle)] = []
            var standardError = ""
            var liveUpdateInterval: TimeInterval { 0 }
            func write(_ text: String, to stream: OutputStreamKind) {
                if stream == .standardError { standardError += text }
            }
            func readLine(prompt: String) -> String? { nil }
            func display(_ bundle: MIMEBundle, id: String) { displays.append((id, bundle)) }
            func updateDisplay(_ bundle: MIMEBundle, id: String) { updates.append((id, bundle)) }
            func clearOutput(wait: Bool) {}
        }
        let host = Host()
        let session = Self.session(host: host)
        _ = run(
            session,
            """
            let data = Dataset.iris().split(train: 0.6, validation: 0.2, test: 0.2, seed: 0)
            let study = Study("live", sampler: .random, seed: 0, storage: .memory)
            study.optimize(trials: 4) { trial in
                let x = trial.float("x", 0, 1)
                return x + Double(data.test.count) * 0.0
            }
            """)
        let live = host.displays.filter { $0.id.hasPrefix("rigor-study-") }
        #expect(live.count == 1)
        let final = try #require(host.updates.last { $0.id == live.first?.id })
        let html = final.bundle.data["text/html"] ?? ""
        #expect(html.contains("<table"), "\(html)")
        #expect(final.bundle.plainText.contains("study 'live': 4 of 4 trials"), "\(final.bundle.plainText)")
        #expect(host.updates.filter { $0.id == live.first?.id }.count >= 4)
        // A longer study shows its latest 20 trials (and the best), titled with the whole study's counts.
        _ = run(session, "study.optimize(trials: 30) { trial in trial.float(\"x\", 0, 1) }")
        let long = try #require(host.updates.last).bundle
        #expect(long.data["text/html"]?.contains("Study live (minimize): 34 complete, 0 pruned, 0 failed") == true)
        let html34 = long.data["text/html"] ?? ""
        #expect(html34.contains("earlier trials not shown; study.table has every trial"), "\(html34)")
        #expect(html34.components(separatedBy: "<tr").count - 2 <= 21, "\(html34)")
        // The warning is a rigor warning (a styled box and its text), shown once although every trial read it.
        let warnings = host.displays.filter { $0.id.hasPrefix("rigor-warning-") }
        #expect(warnings.count == 1, "\(warnings.map(\.bundle.plainText))")
        let warning = try #require(warnings.first).bundle
        #expect(warning.plainText.hasPrefix("warning[test-split]: the objective read the test split"))
        #expect(warning.data["text/html"]?.contains("class=\"rigor-warning\"") == true)
        // Reading it outside an objective is fine.
        _ = run(session, "data.test.count")
        _ = run(session, "study.optimize(trials: 1, progress: false) { trial in trial.float(\"x\", 0, 1) }")
        #expect(host.displays.filter { $0.id.hasPrefix("rigor-warning-") }.count == 1)
    }

    @Test("k-fold splits partition the data; crossValidate's mean is the mean of its folds' scores")
    func crossValidation() throws {
        let session = Self.session()
        _ = run(session, "let iris = Dataset.iris()\nlet folds = stratifiedKFold(iris, folds: 5, seed: 1)")
        #expect(run(session, "folds.count") == "5")
        #expect(run(session, "folds.map { $0[1].count }.sum()") == "150")
        #expect(run(session, "folds.map { $0[0].count + $0[1].count }") == "[150, 150, 150, 150, 150]")
        // Stratified: each validation part has 10 of each class.
        #expect(run(session, "folds[0][1].classCounts().counts") == "[10, 10, 10]")
        let cv = Self.numbers(
            session,
            """
            let cv = crossValidate(iris, folds: 3, seed: 0) { train, validation in Double(validation.count) / Double(train.count) }
            [cv.mean] + cv.scores
            """)
        #expect(cv.count == 4)
        #expect(abs(cv[0] - (cv[1] + cv[2] + cv[3]) / 3) < 1e-12)
        let (error, text) = try Self.error(session, "kFold(iris, folds: 1)")
        #expect(error.message.contains("'folds' must be at least 2"), "\(text)")
    }
}
