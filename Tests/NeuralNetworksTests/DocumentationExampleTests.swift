import Foundation
import TensorCore
import Testing

@testable import NeuralNetworks

/// The opening example of docs/engine.md (part 2) runs as written (fewer epochs, quiet progress, a temporary path).
@Suite struct DocumentationExampleTests {
    @Test func theOpeningExampleRuns() throws {
        let digits = try BundledDataset.digits()
        let rawTrain = try digits.dataset(split: "train")
        let rawTest = try digits.dataset(split: "test")
        let scaler = try StandardScaler(fittingOn: rawTrain.features)
        let train = try Dataset(features: scaler.transform(rawTrain.features), targets: rawTrain.targets)
        let test = try Dataset(features: scaler.transform(rawTest.features), targets: rawTest.targets)

        let model = try Sequential(
            [Dense(64, 128, activation: .relu), Dropout(0.2), Dense(128, 64, activation: .relu), Dense(64, 10)], seed: 0
        )
        let summary = try model.summaryDescription(inputShape: [64])
        #expect(summary.split(separator: "\n").count == 6)
        var events = 0
        let history = try model.fit(
            train, validation: test, epochs: 3, batchSize: 32, loss: .crossEntropy(),
            optimizer: Adam(learningRate: 1e-3),
            callbacks: [EarlyStopping(patience: 3), ProgressCallback { _ in events += 1 }], seed: 0,
            shouldCancel: { false })
        #expect(history["val_accuracy"].count == 3)
        #expect(events == 1 + 3 * 40 + 3 + 1)
        let report = try ClassificationMetrics.report(
            predicted: model.predictClasses(test.features), actual: test.labels)
        #expect(report.accuracy > 0.9)
        try Checkpoint.save(model, to: temporaryPath("digits.safetensors"))
    }
}
