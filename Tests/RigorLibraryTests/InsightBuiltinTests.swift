import Foundation
import ModelInsight
import NeuralNetworks
import RigorLibrary
import RigorScript
import Testing

/// `explain` and `explainAll` give the engine's numbers: the same model, rows and method through ModelInsight
/// directly equal what the builtin returns.
@Suite("Insight builtins")
struct InsightBuiltinTests {
    /// A trained iris model in a session, and the same rows as Swift values.
    static func irisSession(host: ScriptHost? = nil) throws -> Session {
        let registry = BuiltinRegistry()
        RigorLibrary.register(in: registry)
        let session = host.map { Session(host: $0, registry: registry) } ?? Session(registry: registry)
        let setup = """
            let iris = Dataset.iris().standardized()
            let model = Sequential([Dense(4, 8, activation: .tanh), Dense(8, 3)], seed: 3)
            model.fit(iris, epochs: 5, progress: false)
            let background = iris.features[0..<12]
            let x = iris[70].features
            """
        let outcome = session.execute(setup)
        if let error = outcome.error { Issue.record("\(session.render(error))") }
        return session
    }

    static func numbers(_ session: Session, _ code: String) -> [Double] {
        let outcome = session.execute(code)
        if let error = outcome.error { Issue.record("\(session.render(error))") }
        guard case .array(let values)? = outcome.value else { return [] }
        return values.compactMap(\.doubleValue)
    }

    @Test("exact Shapley, KernelSHAP, integrated gradients and LIME equal the engine's")
    func sameNumbersAsTheEngine() throws {
        let session = try Self.irisSession()
        // The rows and the model's outputs, read back from the session.
        let rows = Self.numbers(session, "iris.features.toArray().flatMap { $0 }")
        let x = Self.numbers(session, "x.toArray()")
        let background = Array(rows.prefix(12 * 4))
        let backgroundRows = (0..<12).map { Array(background[($0 * 4)..<($0 * 4 + 4)]) }
        let training = (0..<(rows.count / 4)).map { Array(rows[($0 * 4)..<($0 * 4 + 4)]) }
        let probabilities = Self.numbers(session, "model.predict(Tensor([x.toArray()])).softmax(axis: 1).toArray()[0]")
        #expect(probabilities.count == 3)

        // The engine on a closure that asks the session's model: the same function as the builtin's.
        let function = ModelFunction(featureCount: 4, outputCount: 3) { batch in
            let literal =
                "["
                + batch.map { "[" + $0.map { String($0) }.joined(separator: ", ") + "]" }
                .joined(separator: ", ") + "]"
            let flat = Self.numbers(
                session, "model.predict(Tensor(\(literal))).softmax(axis: 1).toArray().flatMap { $0 }")
            return (0..<batch.count).map { Array(flat[($0 * 3)..<($0 * 3 + 3)]) }
        }
        let cases: [(String, AttributionMethod)] = [
            (".exactShapley(background: background)", .exactShapley(background: backgroundRows)),
            (
                ".shap(background: background, samples: 64)",
                .kernelSHAP(background: backgroundRows, samples: 64, seed: 5)
            ),
            (
                ".permutationSHAP(background: background, permutations: 4)",
                .permutationSHAP(background: backgroundRows, permutations: 4, seed: 5)
            ),
            (
                ".lime(training: iris, samples: 500)",
                .lime(training: training, options: LIMEOptions(samples: 500, seed: 5))
            ),
        ]
        for (script, method) in cases {
            let ours = Self.numbers(
                session, "explain(model, x, method: \(script), classIndex: 1, seed: 5).attributions")
            let engine = try Explainer.explain(function, x, method: method, classIndex: 1)
            #expect(ours.count == 4, "\(script)")
            for (a, b) in zip(ours, engine.attributions) {
                #expect(abs(a - b) < 1e-5, "\(script): \(ours) vs \(engine.attributions)")
            }
        }
    }

    @Test("integrated gradients through the builtin equal the engine on the same layer")
    func integratedGradients() throws {
        let session = try Self.irisSession()
        let ig = Self.numbers(
            session, "explain(model, x, method: .integratedGradients(steps: 32), classIndex: 2).attributions")
        let gap = Self.numbers(
            session, "[explain(model, x, method: .integratedGradients(steps: 32), classIndex: 2).gap ?? 1.0]")
        let total = Self.numbers(
            session,
            "let e = explain(model, x, method: .integratedGradients(steps: 32), classIndex: 2)\n[e.total, e.prediction - e.baseValue]"
        )
        #expect(ig.count == 4)
        guard total.count == 2, gap.count == 1 else {
            Issue.record("no numbers: \(total) \(gap)")
            return
        }
        #expect(abs(total[0] - total[1] - gap[0]) < 1e-9)
        #expect(abs(gap[0]) < 1e-2)
    }

    @Test("explainAll keeps the rows, names and table")
    func explainAllAndInterrupt() throws {
        let session = try Self.irisSession()
        #expect(
            run(
                session,
                "explainAll(model, iris.features[0..<5], method: .saliency, classIndex: 0, data: iris).featureNames == (iris.featureNames ?? [])"
            )
                == "true")
        #expect(run(session, "explainAll(model, iris.features[0..<5], method: .saliency, classIndex: 0).count") == "5")
    }

    /// Runs `code` with the session's interrupt requested (as the kernel's interrupt_request does) half a second
    /// after `ready` holds — it is polled from another thread, e.g. until progress shows a finished row, so a slow
    /// machine does not interrupt before there is anything to keep — and returns the error the user sees.
    static func interrupted(
        _ session: Session, _ code: String, when ready: @escaping @Sendable () -> Bool = { true }
    ) throws -> ScriptError {
        let interrupt = session.interrupt
        DispatchQueue.global().async {
            let deadline = Date().addingTimeInterval(120)
            while !ready() && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
            Thread.sleep(forTimeInterval: 0.5)
            interrupt.request()
        }
        return try #require(session.execute(code).error, "the cell finished before the interrupt")
    }

    @Test("an interrupt during explain or explainAll says what was kept, shows it, and the session lives on")
    func interruptKeepsWhatFinished() throws {
        let host = RecordingHost(interval: 0)
        let session = try Self.irisSession(host: host)
        func partials() -> [RecordingHost.Event] {
            host.events.filter { $0.kind == "display" && $0.id.hasPrefix("rigor-explain-partial-") }
        }

        // One row: the sampling stops at the next chunk, and the estimate so far is shown. The interrupt waits for
        // the first progress report (on a loaded machine half a second may pass before any permutation finished,
        // and the message then rightly says only "the partial estimate").
        let one = try Self.interrupted(
            session,
            "explain(model, x, method: .permutationSHAP(background: background, permutations: 100000000), "
                + "classIndex: 1)",
            when: {
                host.events.contains {
                    $0.id.hasPrefix("rigor-explain-") && !$0.id.hasPrefix("rigor-explain-partial-")
                }
            })
        #expect(one.kind == .interrupted)
        #expect(one.message.contains("permutationSHAP interrupted; the estimate from"), "\(one.message)")
        #expect(one.message.contains("permutations is shown above"), "\(one.message)")
        #expect(partials().count == 1)
        #expect(partials().last?.bundle.data["text/plain"]?.contains("interrupted") == true)

        // Many rows: the rows that finished are kept and shown (each row is tens of model calls, so rows finish
        // before the interrupt, and the interrupt stops the row in progress).
        let many = try Self.interrupted(
            session,
            "explainAll(model, Tensor.randomNormal([1000, 4], seed: 1), "
                + "method: .permutationSHAP(background: iris.features, permutations: 200), classIndex: 1)",
            when: {
                host.events.contains {
                    $0.id.hasPrefix("rigor-explain-") && !$0.id.hasPrefix("rigor-explain-partial-")
                        && $0.bundle.plainText.range(of: #"^\w+: [1-9][0-9]* of 1000"#, options: .regularExpression)
                            != nil
                }
            })
        #expect(many.kind == .interrupted)
        #expect(many.message.contains("of 1000 rows finished and are shown above"), "\(many.message)")
        #expect(partials().count == 2)
        #expect(partials().last?.bundle.data["text/plain"]?.contains("interrupted after") == true)

        // A script function interrupted inside its own body is the user's interrupt, not a failing model.
        _ = run(
            session,
            "func slow(_ row: [Double]) -> Double { var s = 0.0; var i = 0; while i < 1000000000 { s += row[0]; i += 1 }; return s }"
        )
        let function = try Self.interrupted(session, "explain(slow, x, method: .shap(background: background))")
        #expect(function.kind == .interrupted, "\(session.render(function))")
        #expect(function.message.contains("interrupted while the script function ran"), "\(function.message)")

        // The session lives on: its values are there and the next explanation runs to the end.
        #expect(
            run(session, "explain(model, x, method: .exactShapley(background: background), classIndex: 1).isComplete")
                == "true")
    }
}
