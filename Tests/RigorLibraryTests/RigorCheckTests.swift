import Foundation
import RichDisplay
import RigorLibrary
import RigorScript
import RunLog
import Testing

/// A notebook front end that keeps the rigor warnings it is shown.
private final class WarningHost: RichOutputHost, @unchecked Sendable {
    var warnings: [MIMEBundle] = []
    var standardError = ""
    var liveUpdateInterval: TimeInterval { 0 }
    func write(_ text: String, to stream: OutputStreamKind) {
        if stream == .standardError { standardError += text }
    }
    func readLine(prompt: String) -> String? { nil }
    func display(_ bundle: MIMEBundle, id: String) {
        if id.hasPrefix("rigor-warning-") { warnings.append(bundle) }
    }
    func updateDisplay(_ bundle: MIMEBundle, id: String) {}
    func clearOutput(wait: Bool) {}
}

/// A session and its host; `cell` runs code and returns the checks that warned (`test-split`, …) and their text.
private struct Notebook {
    let host = WarningHost()
    let session: Session

    init() {
        let registry = BuiltinRegistry()
        RigorLibrary.register(in: registry)
        session = Session(host: host, registry: registry)
    }

    @discardableResult
    func cell(_ code: String, sourceLocation: SourceLocation = #_sourceLocation) -> (checks: [String], text: String) {
        let before = host.warnings.count
        _ = run(session, code, sourceLocation: sourceLocation)
        let new = host.warnings[before...]
        let checks = new.map { bundle in
            String(bundle.plainText.dropFirst("warning[".count).prefix { $0 != "]" })
        }
        return (checks, new.map(\.plainText).joined())
    }
}

private let irisSplit = """
    let data = Dataset.iris().split(train: 0.6, validation: 0.2, test: 0.2, seed: 1).standardized()
    let model = Sequential([Dense(4, 16, activation: .relu), Dense(16, 3)], seed: 2)
    """

@Suite("Rigor checks: warnings in the notebook")
struct RigorCheckTests {
    @Test("the test split as fit's validation warns (naming EarlyStopping); the validation split does not")
    func testSplitAsValidation() throws {
        let notebook = Notebook()
        #expect(notebook.cell(irisSplit).checks == [])
        #expect(
            notebook.cell(
                "model.fit(data.train, validation: data.validation, epochs: 2, seed: 1, progress: false)"
            ).checks == [])
        let warned = notebook.cell(
            "model.fit(data.train, validation: data.test, epochs: 2, callbacks: [EarlyStopping(patience: 2)], "
                + "seed: 1, progress: false)")
        #expect(warned.checks == ["test-split"])
        #expect(warned.text.contains("the validation data given to fit is the test split"), "\(warned.text)")
        #expect(warned.text.contains("EarlyStopping picks the epoch"), "\(warned.text)")
        #expect(warned.text.contains("what to do: pass the validation split"), "\(warned.text)")
        // The styled box carries the same words.
        let html = try #require(notebook.host.warnings.last?.data["text/html"])
        #expect(html.contains("class=\"rigor-warning\"") && html.contains("data-check=\"test-split\""))
        #expect(html.contains("EarlyStopping picks the epoch"))
    }

    @Test("scoring on the test split again after more training warns; repeated scores of one model do not")
    func rescoredTest() {
        let notebook = Notebook()
        notebook.cell(irisSplit)
        notebook.cell("model.fit(data.train, validation: data.validation, epochs: 2, seed: 1, progress: false)")
        #expect(notebook.cell("accuracy(model, data.test)").checks == [])
        #expect(notebook.cell("model.evaluate(data.test)\naccuracy(model, data.test)").checks == [])
        // Validation may be scored as often as one likes.
        notebook.cell("model.fit(data.train, validation: data.validation, epochs: 1, seed: 1, progress: false)")
        #expect(notebook.cell("accuracy(model, data.validation)").checks == [])
        let warned = notebook.cell("accuracy(model, data.test)")
        #expect(warned.checks == ["test-split"])
        #expect(warned.text.contains("trained 1 more time(s) since its first test score"), "\(warned.text)")
        // Another model's first test score is its first.
        notebook.cell("let other = Sequential([Dense(4, 3)], seed: 3)")
        notebook.cell("other.fit(data.train, epochs: 1, seed: 1, progress: false)")
        #expect(notebook.cell("accuracy(other, data.test)").checks == [])
    }

    @Test(
        "every scoring builtin counts as a test score: a report, matrix, curve or comparison after more training warns")
    func rescoredByEveryScore() {
        let scores = [
            ("classificationReport", "classificationReport(model, data.test)"),
            ("confusionMatrix", "confusionMatrix(model, data.test)"),
            ("rocCurve", "rocCurve(model, data.test, positiveClass: 1)"),
            ("calibration", "calibration(model, data.test)"),
            ("compareModels", "compareModels([\"m\": model], on: data.test, batchSizes: [1], repetitions: 1)"),
        ]
        for (name, score) in scores {
            let notebook = Notebook()
            notebook.cell(irisSplit)
            notebook.cell("model.fit(data.train, epochs: 1, seed: 1, progress: false)")
            // The first score, then any other score of the same model: no warning.
            #expect(notebook.cell(score).checks == [], "\(name)")
            #expect(notebook.cell("accuracy(model, data.test)\n" + score).checks == [], "\(name)")
            notebook.cell("model.fit(data.train, epochs: 1, seed: 1, progress: false)")
            let warned = notebook.cell(score)
            #expect(warned.checks == ["test-split"], "\(name)")
            #expect(warned.text.contains("\(name) on the same 30 test rows"), "\(warned.text)")
        }
    }

    @Test("a scaler fitted before the split warns at fit and at scoring; one fitted on the training part does not")
    func preprocessingLeak() {
        let notebook = Notebook()
        notebook.cell(
            """
            let leaky = Dataset.iris().standardized().split(train: 0.6, validation: 0.2, test: 0.2, seed: 1)
            let leakyModel = Sequential([Dense(4, 3)], seed: 2)
            """)
        let warned = notebook.cell(
            "leakyModel.fit(leaky.train, validation: leaky.validation, epochs: 1, seed: 1, progress: false)")
        #expect(warned.checks == ["preprocessing-leak"])
        #expect(warned.text.contains("statistics of 150 rows, 60 of which are not training rows"), "\(warned.text)")
        notebook.cell(irisSplit)
        #expect(
            notebook.cell(
                "model.fit(data.train, validation: data.validation, epochs: 1, seed: 1, progress: false)"
            ).checks == [])
        // A separately standardized test part is scaled with its own rows: scoring it warns.
        notebook.cell(
            """
            let raw = Dataset.iris().split(train: 0.6, validation: 0.2, test: 0.2, seed: 1)
            let scaledModel = Sequential([Dense(4, 3)], seed: 2)
            """)
        #expect(
            notebook.cell("scaledModel.fit(raw.train.standardized(), epochs: 1, seed: 1, progress: false)").checks
                == [])
        #expect(notebook.cell("accuracy(scaledModel, raw.test.standardized(using: raw.train))").checks == [])
        let scored = notebook.cell("accuracy(scaledModel, raw.test.standardized())")
        #expect(scored.checks == ["preprocessing-leak"], "\(scored.text)")
        #expect(scored.text.contains("the test data was standardized"), "\(scored.text)")
    }

    @Test("rows shared by train and test: augmented before the split, exact copies, near copies; none in wine")
    func sharedRows() {
        let notebook = Notebook()
        let augmented = notebook.cell(
            "let digits = Dataset.digits().reshaped([1, 8, 8]).augmented(copies: 1, maximumShift: 1, seed: 1)\n"
                + "let parts = digits.split(train: 0.8, test: 0.2, seed: 1)")
        #expect(augmented.checks == ["shared-rows"])
        #expect(augmented.text.contains("are copies of the same source rows as training rows"), "\(augmented.text)")
        notebook.cell(
            """
            let rows = Tensor.random([100, 3], seed: 1).toArray()
            let labels = (0..<100).map { $0 % 2 }
            """)
        let exact = notebook.cell(
            "Dataset(features: Tensor(rows + rows), labels: labels + labels).split(train: 0.5, test: 0.5, seed: 2)")
        #expect(exact.checks == ["shared-rows"])
        #expect(exact.text.contains("have exactly the features of a training row"), "\(exact.text)")
        let near = notebook.cell(
            """
            let jittered = Tensor(rows + rows) + Tensor.randomNormal([200, 3], standardDeviation: 0.0005, seed: 3)
            Dataset(features: jittered, labels: labels + labels).split(train: 0.5, test: 0.5, seed: 2)
            """)
        #expect(near.checks == ["shared-rows"])
        #expect(near.text.contains("are within 0.01 standard deviations"), "\(near.text)")
        #expect(!near.text.contains("exactly"), "\(near.text)")
        #expect(notebook.cell("Dataset.wine().split(train: 0.6, validation: 0.2, test: 0.2, seed: 1)").checks == [])
        #expect(notebook.cell("Dataset.digits().split(train: 0.7, test: 0.3, seed: 4)").checks == [])
    }

    @Test("a random operation without seed: warns once per cell with the seed it used; a written seed does not")
    func unseeded() {
        let notebook = Notebook()
        let warned = notebook.cell("let a = Dataset.iris().shuffled()\nlet b = Dataset.iris().shuffled()")
        #expect(warned.checks == ["unseeded"])
        #expect(warned.text.contains("shuffled is random and was called without seed:, so it used seed 0"))
        #expect(warned.text.contains("write seed: 0"))
        #expect(notebook.cell("Dataset.iris().shuffled()").checks == ["unseeded"])
        #expect(
            notebook.cell("Dataset.wine().split(train: 0.5, test: 0.5)\nTensor.random([2])").checks == [
                "unseeded", "unseeded",
            ])
        let model = notebook.cell(
            "let model = Sequential([Dense(4, 3)])\nmodel.fit(Dataset.iris(), epochs: 1, progress: false)")
        #expect(model.checks == ["unseeded", "unseeded"])
        #expect(model.text.contains("Sequential is random") && model.text.contains("fit is random"))
        #expect(
            notebook.cell(
                "let c = Dataset.wine().shuffled(seed: 0).split(train: 0.5, test: 0.5, seed: 0)\n"
                    + "Sequential([Dense(13, 3)], seed: 0).fit(c.train, epochs: 1, seed: 0, progress: false)"
            ).checks == [])
        // The seed keeps its bound.
        let outcome = notebook.session.execute("Dataset.iris().shuffled(seed: -1)")
        #expect(outcome.error.map { notebook.session.render($0) }?.contains("'seed' must be at least 0") == true)
    }

    @Test("every random builtin warns without seed: (folds, studies, sampled explanations…); others do not")
    func unseededEverywhere() {
        let notebook = Notebook()
        notebook.cell(irisSplit)
        let unseeded: [(code: String, operation: String)] = [
            ("kFold(data.train, folds: 3)", "kFold"),
            ("stratifiedKFold(data.train, folds: 3)", "stratifiedKFold"),
            ("crossValidate(data.train, folds: 3) { train, validation in 1.0 }", "crossValidate"),
            ("Study(\"s\", storage: .memory)", "Study"),
            (
                "model.trainEpoch(data.train, optimizer: SGD(model.parameters, learningRate: 0.1)) { logits, labels in "
                    + "crossEntropy(logits, labels) }", "trainEpoch"
            ),
            ("explain(model, data.test[0].features, method: .shap(background: data.train, samples: 64))", "explain"),
            (
                "explainAll(model, data.test.features[0..<2], method: .lime(training: data.train, samples: 50))",
                "explainAll"
            ),
            (
                "attack(model, data.test, method: .pgd(epsilon: 0.1, steps: 2, randomStart: true), validRange: nil)",
                "attack"
            ),
        ]
        for (code, operation) in unseeded {
            let warned = notebook.cell(code)
            #expect(warned.checks == ["unseeded"], "\(code)")
            #expect(warned.text.contains("\(operation) is random and was called without seed:"), "\(warned.text)")
        }
        let seeded = [
            "kFold(data.train, folds: 3, seed: 1)", "stratifiedKFold(data.train, folds: 3, seed: 1)",
            "crossValidate(data.train, folds: 3, seed: 1) { train, validation in 1.0 }",
            "Study(\"t\", seed: 1, storage: .memory)",
            "model.trainEpoch(data.train, optimizer: SGD(model.parameters, learningRate: 0.1), seed: 1) { logits, labels in "
                + "crossEntropy(logits, labels) }",
            "explain(model, data.test[0].features, method: .shap(background: data.train, samples: 64), seed: 1)",
            // Deterministic methods and attacks need no seed.
            "explain(model, data.test[0].features, method: .integratedGradients(steps: 8))",
            "explain(model, data.test[0].features, method: .exactShapley(background: data.train.features[0..<5]))",
            "attack(model, data.test, method: .fgsm(epsilon: 0.1), validRange: nil)",
            "attack(model, data.test, method: .pgd(epsilon: 0.1, steps: 2), validRange: nil)",
            "attack(model, data.test, method: .pgd(epsilon: 0.1, steps: 2, randomStart: true), validRange: nil, seed: 3)",
        ]
        for code in seeded {
            #expect(notebook.cell(code).checks == [], "\(code)")
        }
    }

    @Test("an exploding loss stops the fit with advice, without an error; a sane learning rate does not")
    func explodingLoss() {
        let notebook = Notebook()
        notebook.cell(irisSplit)
        let warned = notebook.cell(
            "let history = model.fit(data.train, epochs: 20, batchSize: 16, optimizer: .sgd(learningRate: 1e4), "
                + "seed: 1, progress: false)")
        #expect(warned.checks == ["exploding-loss"], "\(warned.text)")
        #expect(warned.text.contains("the training loss exploded"), "\(warned.text)")
        #expect(warned.text.contains("lower the learning rate"), "\(warned.text)")
        #expect(Int(run(notebook.session, "history.epochs") ?? "") ?? 99 < 20)
        #expect(run(notebook.session, "history.stopReason")?.contains("the loss exploded") == true)
        notebook.cell("let calm = Sequential([Dense(4, 16, activation: .relu), Dense(16, 3)], seed: 2)")
        #expect(
            notebook.cell(
                "calm.fit(data.train, epochs: 20, batchSize: 16, optimizer: .sgd(learningRate: 0.05), seed: 1, "
                    + "progress: false)"
            ).checks == [])
    }

    @Test("validation loss rising while training loss falls warns after the fit; EarlyStopping's restore does not")
    func overfitting() {
        let notebook = Notebook()
        // Labels that are noise: the training loss falls by memorising, the validation loss can only rise.
        notebook.cell(
            """
            let noise = Dataset(features: Tensor.random([120, 4], seed: 1),
                                labels: Tensor.random([120], seed: 2).toArray().map { $0 < 0.5 ? 0 : 1 })
                .split(train: 0.5, validation: 0.5, seed: 3)
            func wide() -> Model { Sequential([Dense(4, 128, activation: .relu), Dense(128, 2)], seed: 4) }
            """)
        let warned = notebook.cell(
            "wide().fit(noise.train, validation: noise.validation, epochs: 60, batchSize: 8, "
                + "optimizer: .adam(learningRate: 0.01), seed: 5, progress: false)")
        #expect(warned.checks == ["overfitting"], "\(warned.text)")
        #expect(warned.text.contains("the model is overfitting since epoch"), "\(warned.text)")
        #expect(warned.text.contains("EarlyStopping(patience: 3)"), "\(warned.text)")
        #expect(
            notebook.cell(
                "wide().fit(noise.train, validation: noise.validation, epochs: 60, batchSize: 8, "
                    + "optimizer: .adam(learningRate: 0.01), callbacks: [EarlyStopping(patience: 3)], seed: 5, "
                    + "progress: false)"
            ).checks == [])
        // Inside a search objective a trial's overfitting is what its objective value measures: no warning.
        #expect(
            notebook.cell(
                "Study(\"noise\", sampler: .random, seed: 0, storage: .memory).optimize(trials: 1, progress: false) "
                    + "{ trial in\n    wide().fit(noise.train, validation: noise.validation, epochs: 60, batchSize: 8, "
                    + "optimizer: .adam(learningRate: 0.01), seed: 5, progress: false).validationLoss.last ?? 0\n}"
            ).checks == [])
    }

    @Test("rigorCheck(_:enabled:) turns one check off and on; on a terminal a warning is text on stderr")
    func silenceAndText() {
        let notebook = Notebook()
        notebook.cell("rigorCheck(.unseeded, enabled: false)")
        #expect(notebook.cell("Dataset.iris().shuffled()").checks == [])
        notebook.cell("rigorCheck(.unseeded, enabled: true)")
        #expect(notebook.cell("Dataset.iris().shuffled()").checks == ["unseeded"])
        let outcome = notebook.session.execute("rigorCheck(.unseded, enabled: false)")
        #expect(outcome.error.map { notebook.session.render($0) }?.contains("did you mean '.unseeded'") == true)

        let host = BufferedHost()
        let registry = BuiltinRegistry()
        RigorLibrary.register(in: registry)
        let terminal = Session(host: host, registry: registry)
        _ = run(terminal, "Dataset.iris().shuffled()")
        #expect(
            host.standardError.hasPrefix(
                "warning[unseeded]: shuffled is random and was called without seed:, so it used seed 0\n"),
            "\(host.standardError)")
        #expect(host.standardError.contains("  what to do: write seed: 0"))
    }

    @Test("the run log keeps a fit's warnings with its run")
    func recordedWithTheRun() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rigor-checks-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/runs.sqlite"
        let host = RunLogTestHost(path: path)
        let registry = BuiltinRegistry()
        RigorLibrary.register(in: registry)
        let session = Session(host: host, registry: registry)
        _ = run(session, irisSplit)
        _ = run(session, "model.fit(data.train, validation: data.test, epochs: 1, progress: false)")
        let log = try RunLog(path: path)
        let fit = try #require(try log.runs(kind: .fit).last)
        let warnings = try log.warnings(of: fit.id)
        #expect(warnings.map(\.check) == ["test-split", "unseeded"])
        #expect(warnings.first?.message.contains("validation data given to fit is the test split") == true)
        #expect(host.written.contains("warning[test-split]"))
    }
}
