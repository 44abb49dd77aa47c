import Foundation
import TensorCore
import Testing

@testable import NeuralNetworks

/// The engine reference tasks (shared/bench/reference) at test size. The digits tasks use the reference's data and
/// split (bundled) and its full schedule; the sequence tasks generate the same kind of data with a smaller training
/// set, so their bar is a little below the full-size reference range. Full size runs in
/// `Benchmarks/NeuralNetworks/bench.sh`.
@Suite(.serialized) struct ReferenceTaskTests {
    static func digits(shape: [Int]) throws -> (train: Dataset, test: Dataset) {
        let digits = try BundledDataset.digits()
        let train = try digits.dataset(split: "train")
        let test = try digits.dataset(split: "test")
        let scaler = try StandardScaler(fittingOn: train.features)
        return (
            try Dataset(features: scaler.transform(train.features).reshaped(to: [-1] + shape), targets: train.targets),
            try Dataset(features: scaler.transform(test.features).reshaped(to: [-1] + shape), targets: test.targets)
        )
    }

    static func testAccuracy(_ model: any Layer, _ test: Dataset) throws -> Double {
        let predicted = try model.predict(test.features).argmax(alongAxis: -1).indices
        return try ClassificationMetrics.accuracy(predicted: predicted, actual: test.labels)
    }

    /// Sequences of `length` tokens below `vocabulary`, from a seed.
    static func tokens(count: Int, length: Int, vocabulary: Int, seed: UInt64) -> [[Int]] {
        var generator = RandomGenerator(seed: seed)
        return (0..<count).map { _ in (0..<length).map { _ in generator.nextInt(below: vocabulary) } }
    }

    static func sequenceDataset(_ inputs: [[Int]], _ targets: [[Int]]) throws -> Dataset {
        let length = inputs[0].count
        return try Dataset(
            features: Tensor(shape: [inputs.count, length], scalars: inputs.flatMap { $0.map(Float.init) }),
            targets: Tensor(shape: [inputs.count, length], scalars: targets.flatMap { $0.map(Float.init) }))
    }

    @Test func mlpOnDigitsReachesTheReferenceRange() throws {
        let (train, test) = try Self.digits(shape: [64])
        let model = try Sequential(
            [Dense(64, 128, activation: .relu), Dense(128, 64, activation: .relu), Dense(64, 10)], seed: 0)
        try model.fit(train, epochs: 20, batchSize: 32, optimizer: Adam(learningRate: 1e-3), seed: 0)
        let accuracy = try Self.testAccuracy(model, test)
        #expect(accuracy >= 0.9741, "reference 0.9741–0.9815, got \(accuracy)")
    }

    @Test func cnnOnDigitsReachesTheReferenceRange() throws {
        let (train, test) = try Self.digits(shape: [1, 8, 8])
        let model = try Sequential(
            [
                Conv2D(1, 16, kernelSize: 3, padding: 1, activation: .relu), MaxPool2D(2),
                Conv2D(16, 32, kernelSize: 3, padding: 1, activation: .relu), MaxPool2D(2), Flatten(),
                Dense(128, 64, activation: .relu), Dropout(0.2), Dense(64, 10),
            ], seed: 0)
        try model.fit(train, epochs: 15, batchSize: 32, optimizer: Adam(learningRate: 1e-3), seed: 0)
        let accuracy = try Self.testAccuracy(model, test)
        #expect(accuracy >= 0.9574, "reference 0.9574–0.9796, got \(accuracy)")
    }

    @Test func lstmLearnsTheRunningSumModTen() throws {
        func runningSums(_ row: [Int]) -> [Int] {
            var sum = 0
            return row.map {
                sum = (sum + $0) % 10; return sum
            }
        }
        // Length 6 instead of 20 (the cost of a step is its length), and 470 steps as in the reference's 625.
        let inputs = Self.tokens(count: 3500, length: 6, vocabulary: 10, seed: 1234)
        let train = try Self.sequenceDataset(Array(inputs[..<3000]), inputs[..<3000].map(runningSums))
        let test = try Self.sequenceDataset(Array(inputs[3000...]), inputs[3000...].map(runningSums))
        let model = try Sequential([Embedding(10, 16), LSTM(16, 64, returnSequences: true), Dense(64, 10)], seed: 0)
        try model.fit(train, epochs: 10, batchSize: 64, optimizer: Adam(learningRate: 3e-3), seed: 0)
        let accuracy = try Self.testAccuracy(model, test)
        #expect(accuracy >= 0.99, "per-position accuracy \(accuracy) (full size: 0.9993–0.9996)")
    }

    @Test func transformerLearnsToSortEightTokens() throws {
        let inputs = Self.tokens(count: 4500, length: 8, vocabulary: 16, seed: 4321)
        let train = try Self.sequenceDataset(Array(inputs[..<4000]), inputs[..<4000].map { $0.sorted() })
        let test = try Self.sequenceDataset(Array(inputs[4000...]), inputs[4000...].map { $0.sorted() })
        let model = try Sequential(
            [
                Embedding(16, 32), PositionalEmbedding(maximumLength: 8, dimension: 32),
                TransformerEncoderLayer(dimension: 32, headCount: 4, feedForwardSize: 64),
                TransformerEncoderLayer(dimension: 32, headCount: 4, feedForwardSize: 64), Dense(32, 16),
            ], seed: 0)
        #expect(model.parameterCount == 18_384)
        try model.fit(train, epochs: 6, batchSize: 64, optimizer: Adam(learningRate: 3e-3), seed: 0)
        let accuracy = try Self.testAccuracy(model, test)
        // 375 steps instead of 942: a little below the full-size range.
        #expect(accuracy >= 0.98, "per-token accuracy \(accuracy) (full size: 0.9986–0.9996)")
    }
}
