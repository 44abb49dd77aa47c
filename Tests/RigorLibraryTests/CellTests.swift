import Foundation
import RichDisplay
import RigorLibrary
import RigorScript
import Testing

/// The example cells of LANGUAGE.md, run as written (with fewer epochs and a narrower grid).
@Suite("LANGUAGE.md example cells")
struct CellTests {
    static let data = """
        let data = Dataset.digits()            // 1,797 scanned digits, 8×8 pixels, labels 0–9
            .reshaped([1, 8, 8])               // features as 1-channel images
            .split(train: 0.7, validation: 0.15, test: 0.15, stratified: true, seed: 42)
            .standardized()                    // fitted on data.train only
        func makeCNN(width: Int = 16, dropout: Double = 0.25) -> Model {
            return Sequential([
                Conv2D(1, width, kernel: 3, padding: 1, activation: .relu),
                MaxPool2D(2),
                Conv2D(width, width * 2, kernel: 3, padding: 1, activation: .relu),
                MaxPool2D(2),
                Flatten(),
                Dropout(dropout),
                Dense(width * 2 * 2 * 2, 10),
            ])
        }
        let model = makeCNN(width: 4)
        """

    @Test("training with early stopping, written out")
    func writtenOutLoop() throws {
        let s = librarySession()
        _ = run(s, Self.data)
        let cell = """
            let optimizer = Adam(model.parameters, learningRate: 1e-3)

            var trainLosses = []
            var validLosses = []
            var best = Double.infinity
            var bestWeights = nil
            var patience = 3

            for epoch in 1...3 {
                let trainLoss = model.trainEpoch(data.train, batchSize: 64, optimizer: optimizer, seed: epoch) { logits, labels in
                    crossEntropy(logits, labels)
                }
                let validLoss = model.evaluate(data.validation, loss: .crossEntropy)
                trainLosses.append(trainLoss)
                validLosses.append(validLoss)
                print("epoch \\(epoch): train \\(String(format: "%.4f", trainLoss))  valid \\(String(format: "%.4f", validLoss))")

                if validLoss < best {
                    best = validLoss
                    bestWeights = model.weights()
                    patience = 3
                } else {
                    patience -= 1
                    guard patience > 0 else {
                        print("stopping early after epoch \\(epoch)")
                        break
                    }
                }
            }
            model.load(bestWeights ?? model.weights())
            "best validation loss \\(String(format: "%.4f", best))"
            """
        let result = try #require(run(s, cell))
        #expect(result.hasPrefix("best validation loss "))
        #expect(run(s, "validLosses.count") == "3")
        #expect(run(s, "trainLosses[2] < trainLosses[0]") == "true")
    }

    @Test("fit as a single call, and the grid search")
    func fitAndGrid() throws {
        let s = librarySession()
        _ = run(s, Self.data)
        let fit = """
            let history = model.fit(data.train, validation: data.validation, epochs: 2, optimizer: .adam(learningRate: 1e-3), loss: .crossEntropy, callbacks: [EarlyStopping(patience: 3)], seed: 42)
            history.validationLoss.count
            """
        #expect(run(s, fit) == "2")
        let grid = """
            var results = []
            for learningRate in [1e-2, 3e-3] {
                for width in [4] {
                    let candidate = makeCNN(width: width)
                    let history = candidate.fit(data.train, validation: data.validation, epochs: 1,
                                                optimizer: .adam(learningRate: learningRate), loss: .crossEntropy,
                                                callbacks: [EarlyStopping(patience: 2)], seed: 42)
                    results.append([
                        "learning rate": learningRate,
                        "width": width,
                        "parameters": candidate.parameterCount,
                        "best validation loss": history.bestValidationLoss,
                        "accuracy": accuracy(candidate, data.validation),
                    ])
                }
            }
            Table(results.sorted { $0["accuracy"] > $1["accuracy"] }, title: "Grid search")   // text/html
            """
        let table = try #require(s.execute(grid).value)
        let html = try #require(table.mimeBundle.data["text/html"])
        #expect(html.contains("Grid search"))
        #expect(html.contains("best validation loss"))
        #expect(run(s, "\"\\(classificationReport(model, data.test))\".contains(\"macro avg\")") == "true")
        #expect(run(s, "confusionMatrix(model, data.test).counts.count") == "10")
    }

    @Test("a running fit is one output through the session's rich host: shown at the start, replaced in place, final")
    func liveTrainingThroughTheHost() throws {
        let host = RecordingHost(interval: 0)
        let s = Session(host: host, registry: RigorLibrary.makeRegistry())
        _ = run(
            s,
            "let model = Sequential([Dense(4, 3)], seed: 0)\n"
                + "model.fit(Dataset.iris(), epochs: 2, batchSize: 50, seed: 0)")
        let first = try #require(host.events.first)
        #expect(first.kind == "display")
        #expect(first.id.hasPrefix("rigor-fit-"))
        #expect(host.events.dropFirst().allSatisfy { $0.kind == "update" && $0.id == first.id })
        // Every batch and epoch (the test host asks for every update): 6 batches, 2 epochs, the end.
        #expect(host.events.count == 1 + 6 + 2 + 1)
        let last = try #require(host.events.last)
        #expect(last.bundle.plainText.hasPrefix("epoch 2/2  batch 3/3  loss "))
        #expect(last.bundle.plainText.contains("done in"))
        #expect(last.bundle.data["text/html"]?.contains("<svg") == true)
        let firstBatch = host.events[1]
        #expect(firstBatch.bundle.plainText.contains("ETA"))
        #expect(firstBatch.bundle.data["text/html"]?.contains("<svg") == false)
        // `progress: false` shows nothing.
        host.events.removeAll()
        _ = run(s, "model.fit(Dataset.iris(), epochs: 1, batchSize: 50, seed: 0, progress: false)")
        #expect(host.events.isEmpty)
    }

    @Test("a notebook host gets a few updates a second, and always the final state")
    func liveTrainingIsThrottled() throws {
        let host = RecordingHost(interval: 3600)
        let s = Session(host: host, registry: RigorLibrary.makeRegistry())
        _ = run(
            s,
            "let model = Sequential([Dense(4, 3)], seed: 0)\n"
                + "model.fit(Dataset.iris(), epochs: 5, batchSize: 10, seed: 0)")
        #expect(host.events.map(\.kind) == ["display", "update"])
        #expect(host.events.last?.bundle.plainText.contains("epoch 5/5") == true)
    }

    @Test("without a rich host, a fit prints one line per epoch on standard error")
    func liveTrainingOnATerminal() throws {
        final class Terminal: ScriptHost {
            var errors = ""
            func write(_ text: String, to stream: OutputStreamKind) { if stream == .standardError { errors += text } }
            func readLine(prompt: String) -> String? { nil }
        }
        let host = Terminal()
        let s = Session(host: host, registry: RigorLibrary.makeRegistry())
        _ = run(
            s,
            "let model = Sequential([Dense(4, 3)], seed: 0)\n"
                + "model.fit(Dataset.iris(), epochs: 3, batchSize: 50, seed: 0)")
        let lines = host.errors.split(separator: "\n")
        #expect(lines.count == 3, "\(host.errors)")
        #expect(lines.last?.hasPrefix("epoch 3/3") == true)
    }

    @Test("the live chart and the final one mark the same best epoch, the one EarlyStopping restored")
    func oneBestEpochRule() throws {
        let host = RecordingHost(interval: 0)
        let s = Session(host: host, registry: RigorLibrary.makeRegistry())
        // A large minDelta: EarlyStopping keeps an early epoch although later validation losses are lower, so
        // "the lowest validation loss" and "the restored epoch" differ.
        _ = run(
            s,
            """
            let data = Dataset.iris().split(train: 0.8, validation: 0.2, seed: 1).standardized()
            let model = Sequential([Dense(4, 8, activation: .relu), Dense(8, 3)])
            let history = model.fit(data.train, validation: data.validation, epochs: 12, batchSize: 16,
                                    optimizer: .adam(learningRate: 0.01), loss: .crossEntropy,
                                    callbacks: [EarlyStopping(patience: 20, minDelta: 0.5)], seed: 3)
            """)
        let final = try #require(run(s, "history.bestEpoch"))
        let losses = try #require(run(s, "history.validationLoss"))
        let lowest = try #require(run(s, "history.validationLoss.argmin() + 1"))
        #expect(final != lowest, "the scenario must separate the two rules: \(losses)")
        let ended = try #require(host.events.last)
        #expect(ended.bundle.plainText.contains("done in"))
        #expect(ended.bundle.data["text/html"]?.contains("best epoch \(final)") == true)
        // While training ran, the chart marked the epoch EarlyStopping would restore, not a later, lower loss.
        let lastEpoch = try #require(
            host.events.dropLast().last { $0.bundle.data["text/html"]?.contains("<svg") == true })
        #expect(lastEpoch.bundle.data["text/html"]?.contains("best epoch \(final)") == true)
    }
}

/// A notebook front end for tests: records every display and update, and asks for updates at most every `interval`
/// seconds.
final class RecordingHost: RichOutputHost, @unchecked Sendable {
    struct Event {
        var kind: String
        var id: String
        var bundle: MIMEBundle
    }
    /// What was shown, in order; a test may read it from another thread while a cell runs (an interrupt test waits
    /// for progress before interrupting), so it is kept behind a lock.
    var events: [Event] {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
    private var stored: [Event] = []
    private let lock = NSLock()
    let interval: TimeInterval
    init(interval: TimeInterval) { self.interval = interval }
    var liveUpdateInterval: TimeInterval { interval }
    func write(_ text: String, to stream: OutputStreamKind) {}
    func readLine(prompt: String) -> String? { nil }
    func display(_ bundle: MIMEBundle, id: String) {
        lock.withLock { stored.append(Event(kind: "display", id: id, bundle: bundle)) }
    }
    func updateDisplay(_ bundle: MIMEBundle, id: String) {
        lock.withLock { stored.append(Event(kind: "update", id: id, bundle: bundle)) }
    }
    func clearOutput(wait: Bool) {}
}
