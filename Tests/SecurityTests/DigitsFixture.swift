import Foundation
import NeuralNetworks
import TensorCore

/// A digits MLP (64-32-10, ReLU) trained once on the reference training split, pixels scaled to 0…1, with the test
/// split's rows and labels; shared by the attack tests and the ART comparison.
enum DigitsFixture {
    struct Split {
        var inputs: [Float]
        var labels: [Int]
    }

    nonisolated(unsafe) private static var cache: (Sequential, Split)?
    private static let lock = NSLock()

    static func trained() throws -> (model: Sequential, test: Split) {
        lock.lock()
        defer { lock.unlock() }
        if let cache { return cache }
        let digits = try BundledDataset.digits()
        let train = try digits.dataset(split: "train")
        let test = try digits.dataset(split: "test")
        let scaledTrain = try Dataset(features: train.features / 16, labels: train.targets.scalars.map { Int($0) })
        let model = try Sequential([Dense(64, 32, activation: .relu), Dense(32, 10)], seed: 0)
        try model.fit(scaledTrain, epochs: 8, batchSize: 32, optimizer: Adam(learningRate: 0.01), seed: 0)
        let split = Split(inputs: (test.features / 16).scalars, labels: test.targets.scalars.map { Int($0) })
        cache = (model, split)
        return (model, split)
    }
}
