import Foundation
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

    @Test("a training observer hears the start, batches, epochs and the end")
    func observer() throws {
        final class Log: @unchecked Sendable { var events: [TrainingProgress] = [] }
        let log = Log()
        let registry = BuiltinRegistry()
        RigorLibrary.register(in: registry) { log.events.append($0) }
        let s = Session(registry: registry)
        _ = run(s, "let model = Sequential([Dense(4, 3)])\nmodel.fit(Dataset.iris(), epochs: 2, batchSize: 50)")
        #expect(log.events.first?.phase == .began)
        #expect(log.events.last?.phase == .ended)
        #expect(log.events.filter { $0.phase == .batch }.count == 6)
        let last = try #require(log.events.last)
        #expect(last.metrics.first?.name == "loss")
        #expect(last.metrics.first?.values.count == 2)
        #expect(last.batchesPerEpoch == 3)
        #expect(last.line.hasPrefix("epoch 2/2  batch 3/3  loss "))
        #expect(last.line.contains("done in"))
        #expect(last.mimeBundle.data["text/html"]?.contains("<svg") == true)
        let firstBatch = try #require(log.events.first { $0.phase == .batch })
        #expect(firstBatch.line.contains("ETA"))
        #expect(firstBatch.mimeBundle.data["text/html"]?.contains("<svg") == false)
    }

    @Test("the live chart and the final one mark the same best epoch, the one EarlyStopping restored")
    func oneBestEpochRule() throws {
        final class Log: @unchecked Sendable { var events: [TrainingProgress] = [] }
        let log = Log()
        let registry = BuiltinRegistry()
        RigorLibrary.register(in: registry) { log.events.append($0) }
        let s = Session(registry: registry)
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
        let ended = try #require(log.events.last)
        #expect(ended.phase == .ended)
        #expect(ended.bestEpoch.map(String.init) == final)
        #expect(ended.mimeBundle.data["text/html"]?.contains("best epoch \(final)") == true)
        // While training ran, the chart marked the epoch EarlyStopping would restore, not a later, lower loss.
        let lastEpoch = try #require(log.events.last { $0.phase == .epoch })
        #expect(lastEpoch.bestEpoch.map(String.init) == final)
    }
}
