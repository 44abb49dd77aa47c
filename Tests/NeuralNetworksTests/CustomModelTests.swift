import TensorCore
import Testing

@testable import NeuralNetworks

/// A model written by composition, as a notebook user would: a residual block around two dense layers.
final class ResidualBlock: Layer {
    let inner: Dense
    let outer: Dense
    let norm: LayerNorm

    init(width: Int, seed: UInt64) throws {
        inner = try Dense(width, width, activation: .relu, seed: seed)
        outer = try Dense(width, width, seed: seed &+ 1)
        norm = try LayerNorm(width)
    }

    var children: [(name: String, layer: any Layer)] { [("inner", inner), ("outer", outer), ("norm", norm)] }

    func forward(_ input: Tensor, context: LayerContext) throws -> Tensor {
        let update = try outer.forward(inner.forward(input, context: context), context: context)
        return try norm.forward(input + update, context: context)
    }
}

@Suite struct CustomModelTests {
    @Test func customLayersComposeNameTrainAndSave() throws {
        let model = try Sequential([Dense(4, 8), ResidualBlock(width: 8, seed: 1), Dense(8, 3)], seed: 2)
        #expect(model.namedParameters.map(\.name).contains("1.inner.weight"))
        #expect(model.namedParameters.map(\.name).contains("1.norm.bias"))
        #expect(model.parameterCount == 40 + 2 * 72 + 16 + 27)
        let rows = try model.summary(inputShape: [4])
        #expect(rows.map(\.kind) == ["Dense", "ResidualBlock", "Dense"])
        var generator = RandomGenerator(seed: 3)
        try expectParameterGradientsMatch(
            ResidualBlock(width: 3, seed: 4), input: Tensor.normal([2, 3], using: &generator))
        let (train, test) = try irisSplit()
        let history = try model.fit(
            train, validation: test, epochs: 15, batchSize: 16, optimizer: Adam(learningRate: 0.01), seed: 0)
        #expect(history["val_accuracy"].last! > 0.85)
        let path = temporaryPath("residual.safetensors")
        try Checkpoint.save(model, to: path)
        let copy = try Sequential([Dense(4, 8), ResidualBlock(width: 8, seed: 9), Dense(8, 3)])
        try Checkpoint.load(copy, from: path)
        #expect(try copy.predict(test.features).scalars == model.predict(test.features).scalars)
    }
}
