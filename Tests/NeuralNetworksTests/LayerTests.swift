import Foundation
import TensorCore
import Testing

@testable import NeuralNetworks

@Suite struct LayerTests {
    @Test func denseComputesAffineMapWithPyTorchLayout() throws {
        let dense = try Dense(2, 1)
        try dense.weight.assign([1, 2])
        try dense.bias!.assign([0.5])
        let y = try dense(Tensor([[1, 1], [2, -1]]))
        #expect(y.shape == [2, 1])
        #expect(y.scalars == [3.5, 0.5])
        #expect(dense.namedParameters.map(\.name) == ["weight", "bias"])
    }

    @Test func denseDefaultInitIsUniformWithinOneOverRootFanIn() throws {
        let dense = try Dense(64, 128, seed: 3)
        let bound = 1 / Float(64).squareRoot()
        #expect(dense.weight.value.scalars.allSatisfy { abs($0) <= bound })
        #expect(dense.bias!.value.scalars.allSatisfy { abs($0) <= bound })
        #expect(dense.weight.value.scalars.map(abs).max()! > 0.9 * bound)
        let again = try Dense(64, 128, seed: 3)
        #expect(again.weight.value.scalars == dense.weight.value.scalars)
    }

    @Test func denseGradientsMatchFiniteDifferences() throws {
        var generator = RandomGenerator(seed: 1)
        for activation in [ActivationFunction.identity, .tanh, .gelu] {
            let dense = try Dense(3, 4, activation: activation, seed: 2)
            try expectParameterGradientsMatch(dense, input: Tensor.normal([5, 3], using: &generator))
        }
    }

    @Test func conv2dShapesParametersAndGradients() throws {
        let conv = try Conv2D(2, 3, kernelSize: 3, padding: 1, seed: 4)
        var generator = RandomGenerator(seed: 5)
        let x = try Tensor.normal([2, 2, 5, 5], using: &generator)
        #expect(try conv(x).shape == [2, 3, 5, 5])
        #expect(conv.parameterCount == 3 * 2 * 9 + 3)
        try expectParameterGradientsMatch(conv, input: x)
    }

    /// A CNN's evaluation pass inside `noGrad` (the direct convolution kernel with its activation fused, pooling
    /// without indices) against its training-mode pass (every op recorded, im2col + GEMM; no dropout in this model):
    /// the same values within 1e-4 relative (the direct kernel adds the same products in another order; the
    /// im2col inference path alone is equal to the bit, TensorCore's InferencePathTests).
    @Test(arguments: [1, 32])
    func cnnInferencePassEqualsTheTrainingModeForward(batch: Int) throws {
        let model = try Sequential(
            [
                Conv2D(1, 6, kernelSize: 3, padding: 1, activation: .relu), MaxPool2D(2),
                Conv2D(6, 5, kernelSize: (3, 2), stride: (2, 1), padding: (1, 0), activation: .tanh),
                MaxPool2D(3, stride: 1, padding: 1), Conv2D(5, 4, kernelSize: 1, activation: .gelu), Flatten(),
            ], seed: 8)
        var generator = RandomGenerator(seed: 9)
        let x = try Tensor.normal([batch, 1, 9, 7], using: &generator)
        let inference = try noGrad { try model(x) }
        let training = try model.forward(x, context: LayerContext(isTraining: true))
        #expect(training.requiresGradient && !inference.requiresGradient)
        #expect(inference.shape == training.shape)
        let worst =
            zip(inference.scalars, training.scalars).map { Swift.abs($0 - $1) / Swift.max(1, Swift.abs($1)) }
            .max() ?? .nan
        #expect(worst <= 1e-4, "largest relative difference \(worst)")
    }

    /// `Sequential` runs a `Conv2D` followed by `MaxPool2D(2)` as one op (pooled in the convolution's registers when
    /// no gradient is recorded): the digits CNN in evaluation gives the values of its layers called one by one (the
    /// same kernels, bit for bit) and of its training-mode pass (im2col + GEMM, every op recorded) within 1e-4; a pool
    /// with another window, stride or padding, or a convolution with an unfused activation, is not fused. Trained
    /// through the fused pair, the gradients are the layer-by-layer ones.
    @Test(arguments: [1, 32])
    func sequentialFusesConvolutionAndPooling(batch: Int) throws {
        let model = try Sequential(
            [
                Conv2D(1, 16, kernelSize: 3, padding: 1, activation: .relu), MaxPool2D(2),
                Conv2D(16, 32, kernelSize: 3, padding: 1, activation: .relu), MaxPool2D(2), Flatten(),
                Dense(128, 10),
            ], seed: 10)
        var generator = RandomGenerator(seed: 11)
        let x = try Tensor.normal([batch, 1, 8, 8], using: &generator)
        func layerByLayer(_ context: LayerContext) throws -> Tensor {
            var y = x
            for layer in model.layers { y = try layer.forward(y, context: context) }
            return y
        }
        let fused = try noGrad { try model(x) }
        let separate = try noGrad { try layerByLayer(.evaluation) }
        #expect(fused.shape == [batch, 10])
        #expect(fused.scalars.map(\.bitPattern) == separate.scalars.map(\.bitPattern))
        let training = try model.forward(x, context: LayerContext(isTraining: true))
        let worst =
            zip(fused.scalars, training.scalars).map { Swift.abs($0 - $1) / Swift.max(1, Swift.abs($1)) }.max() ?? .nan
        #expect(worst <= 1e-4, "largest relative difference \(worst)")
        // Gradients through the fused pair (recorded as the two ops) equal the layer-by-layer graph's.
        let trainingSeparate = try layerByLayer(LayerContext(isTraining: true))
        #expect(training.scalars == trainingSeparate.scalars)
        let parameters = model.parameters.map(\.value)
        let fusedGradients = try Tensor.gradients(of: training.sum(), withRespectTo: parameters)
        let separateGradients = try Tensor.gradients(of: trainingSeparate.sum(), withRespectTo: parameters)
        for (a, b) in zip(fusedGradients, separateGradients) { #expect(a.scalars == b.scalars) }

        // Not fused: a 3×3 pool, a stride-1 pool, a GELU convolution; each still equals its layers one by one.
        let unfused: [[any Layer]] = try [
            [Conv2D(1, 4, kernelSize: 3, padding: 1, activation: .relu), MaxPool2D(3)],
            [Conv2D(1, 4, kernelSize: 3, padding: 1, activation: .relu), MaxPool2D(2, stride: 1)],
            [Conv2D(1, 4, kernelSize: 3, padding: 1, activation: .gelu), MaxPool2D(2)],
        ]
        for layers in unfused {
            let other = try Sequential(layers, seed: 12)
            var y = x
            for layer in other.layers { y = try noGrad { try layer(y) } }
            #expect(try noGrad { try other(x) }.scalars == y.scalars)
        }
    }

    @Test func poolingFlattenAndGlobalAverage() throws {
        let x = try Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])
        #expect(try MaxPool2D(2)(x).scalars == [4])
        #expect(try AvgPool2D(2)(x).scalars == [2.5])
        #expect(try GlobalAvgPool()(x).shape == [1, 1])
        #expect(try Flatten()(Tensor.zeros([2, 3, 4, 5])).shape == [2, 60])
    }

    @Test func dropoutIsIdentityInEvaluationAndScalesInTraining() throws {
        let dropout = try Dropout(0.5)
        let x = try Tensor.ones([1000])
        #expect(try dropout(x).scalars == x.scalars)
        let trained = try dropout.forward(x, context: LayerContext(isTraining: true, seed: 1)).scalars
        #expect(Set(trained) == [0, 2])
        let kept = trained.filter { $0 > 0 }.count
        #expect(kept > 400 && kept < 600)
        #expect(throws: NeuralNetworkError.self) { try Dropout(1) }
    }

    @Test func batchNormUsesBatchStatisticsWhileTrainingAndRunningOnesInEvaluation() throws {
        let norm = try BatchNorm(2)
        let x = try Tensor([[1, 10], [3, 30]])
        let y = try norm.forward(x, context: LayerContext(isTraining: true))
        expectClose(y.scalars, [-1, -1, 1, 1], tolerance: 1e-3)
        // running = 0.9·init + 0.1·batch; the running variance takes the unbiased batch variance (2 and 200).
        expectClose(norm.runningMean.value.scalars, [0.2, 2])
        expectClose(norm.runningVariance.value.scalars, [1.1, 20.9])
        let evaluated = try norm(x)
        let (s1, s2): (Float, Float) = (Float(1.1).squareRoot(), Float(20.9).squareRoot())
        let expected: [Float] = [0.8 / s1, 8 / s2, 2.8 / s1, 28 / s2]
        expectClose(evaluated.scalars, expected, tolerance: 1e-3)
        #expect(norm.parameterCount == 4)
        #expect(norm.namedParameters.map(\.name) == ["weight", "bias", "running_mean", "running_var"])
        let image = try BatchNorm(3)
        #expect(
            try image.forward(Tensor.ones([2, 3, 4, 4]), context: LayerContext(isTraining: true)).shape == [2, 3, 4, 4])
    }

    @Test func layerNormAndEmbedding() throws {
        let norm = try LayerNorm(4)
        let y = try norm(Tensor([[1, 2, 3, 4]]))
        expectClose([y.scalars.reduce(0, +)], [0], tolerance: 1e-5)
        var generator = RandomGenerator(seed: 8)
        try expectParameterGradientsMatch(norm, input: Tensor.normal([3, 4], using: &generator))
        let embedding = try Embedding(5, 3, seed: 1)
        let looked = try embedding(Tensor([[0, 4], [4, 1]]))
        #expect(looked.shape == [2, 2, 3])
        #expect(Array(looked.scalars[3..<6]) == Array(embedding.weight.value.scalars[12..<15]))
        #expect(throws: NeuralNetworkError.self) { try embedding(Tensor([5])) }
    }

    @Test func sequentialNamesParametersLikePyTorchAndSummarizes() throws {
        let model = try Sequential(
            [Dense(64, 128, activation: .relu), Dropout(0.2), Dense(128, 64, activation: .relu), Dense(64, 10)], seed: 0
        )
        #expect(model.parameterCount == 17_226)
        #expect(model.namedParameters.map(\.name).prefix(3) == ["0.weight", "0.bias", "2.weight"])
        // The seed gives each layer its own stream.
        let first = model.layers[0] as! Dense
        let third = model.layers[2] as! Dense
        #expect(Array(first.weight.value.scalars.prefix(4)) != Array(third.weight.value.scalars.prefix(4)))
        let rows = try model.summary(inputShape: [64])
        #expect(rows.map(\.outputShape) == [[-1, 128], [-1, 128], [-1, 64], [-1, 10]])
        #expect(rows.map(\.parameterCount) == [8320, 0, 8256, 650])
        let text = try model.summaryDescription(inputShape: [64])
        #expect(text.contains("Dense(relu)") && text.contains("total parameters: 17226"))
    }

    @Test func referenceCNNHasTheReferenceParameterCount() throws {
        let model = try Sequential(
            [
                Conv2D(1, 16, kernelSize: 3, padding: 1, activation: .relu), MaxPool2D(2),
                Conv2D(16, 32, kernelSize: 3, padding: 1, activation: .relu), MaxPool2D(2), Flatten(),
                Dense(128, 64, activation: .relu), Dropout(0.2), Dense(64, 10),
            ], seed: 0)
        #expect(model.parameterCount == 13_706)
        #expect(try model(Tensor.zeros([2, 1, 8, 8])).shape == [2, 10])
    }

    @Test func recurrentLayersShapesAndParameterCounts() throws {
        var generator = RandomGenerator(seed: 3)
        let x = try Tensor.normal([2, 5, 3], using: &generator)
        let lstm = try LSTM(3, 4, returnSequences: true)
        #expect(try lstm(x).shape == [2, 5, 4])
        #expect(lstm.parameterCount == 4 * 4 * (3 + 4) + 2 * 16)
        #expect(lstm.namedParameters.map(\.name) == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"])
        #expect(try LSTM(3, 4)(x).shape == [2, 4])
        let bidirectional = try GRU(3, 4, returnSequences: true, bidirectional: true)
        #expect(try bidirectional(x).shape == [2, 5, 8])
        #expect(bidirectional.parameterCount == 2 * (3 * 4 * (3 + 4) + 2 * 12))
        #expect(try SimpleRNN(3, 4, bidirectional: true)(x).shape == [2, 8])
        let stacked = try Sequential([LSTM(3, 4, returnSequences: true), LSTM(4, 2)], seed: 1)
        #expect(try stacked(x).shape == [2, 2])
    }

    @Test func recurrentGradientsMatchFiniteDifferences() throws {
        var generator = RandomGenerator(seed: 4)
        let x = try Tensor.normal([2, 3, 2], using: &generator)
        try expectParameterGradientsMatch(try LSTM(2, 3, returnSequences: true, seed: 1), input: x)
        try expectParameterGradientsMatch(try LSTM(2, 5, seed: 5), input: x)
        try expectParameterGradientsMatch(try LSTM(2, 3, returnSequences: true, bidirectional: true, seed: 6), input: x)
        try expectParameterGradientsMatch(try LSTM(2, 4, bidirectional: true, seed: 7), input: x)
        // Stacked: the lower layer's parameters see the upper layer's input gradient.
        try expectParameterGradientsMatch(
            try Sequential([LSTM(2, 3, returnSequences: true, bidirectional: true), LSTM(6, 2)], seed: 8), input: x)
        try expectParameterGradientsMatch(try GRU(2, 3, bidirectional: true, seed: 2), input: x)
        try expectParameterGradientsMatch(try SimpleRNN(2, 3, returnSequences: true, seed: 3), input: x)
    }

    @Test func fusedLSTMMatchesTheStepwiseScan() throws {
        // The layer runs TensorCore's whole-sequence `Tensor.lstm`; `stepwise` runs the per-step composition
        // (GEMM + `lstmCell` per step). Outputs and parameter gradients must agree in every configuration.
        var generator = RandomGenerator(seed: 9)
        let x = try Tensor.normal([3, 5, 4], using: &generator)
        for (returnSequences, bidirectional) in [(true, false), (false, false), (true, true), (false, true)] {
            let lstm = try LSTM(4, 6, returnSequences: returnSequences, bidirectional: bidirectional, seed: 10)
            let probe = try Tensor.normal(try lstm(x).shape, using: &generator)
            var results: [(output: [Float], gradients: [[Float]])] = []
            for stepwise in [false, true] {
                lstm.clearGradients()
                let output = try lstm.core.forward(x, stepwise: stepwise)
                try (output * probe).sum().backward()
                results.append((output.scalars, lstm.parameters.map { $0.gradient?.scalars ?? [] }))
            }
            expectClose(results[0].output, results[1].output, tolerance: 1e-6)
            for (fused, stepwise) in zip(results[0].gradients, results[1].gradients) {
                expectClose(fused, stepwise, tolerance: 1e-5)
            }
            lstm.clearGradients()
        }
    }

    @Test func lstmLastStateMatchesAHandComputedStep() throws {
        // One step, one unit: gates = x·W_ih + b_ih + b_hh (h0 = 0, c0 = 0).
        let lstm = try LSTM(1, 1)
        try lstm.core.directions[0].inputWeight.assign([1, 2, 3, 4])
        try lstm.core.directions[0].inputBias.assign([0, 0, 0, 0])
        try lstm.core.directions[0].hiddenBias.assign([0.5, 0, 0, 0])
        let y = try lstm(Tensor(shape: [1, 1, 1], scalars: [1]))
        func sigmoid(_ v: Float) -> Float { 1 / (1 + (-v).exp()) }
        let c = sigmoid(1.5) * Float(3).tanhValue
        expectClose(y.scalars, [sigmoid(4) * c.tanhValue], tolerance: 1e-4)
    }

    @Test func attentionShapesMasksAndGradients() throws {
        var generator = RandomGenerator(seed: 6)
        let attention = try MultiHeadAttention(dimension: 4, headCount: 2, seed: 1)
        #expect(attention.parameterCount == 3 * 16 + 12 + 16 + 4)
        #expect(
            attention.namedParameters.map(\.name) == [
                "in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias",
            ])
        let x = try Tensor.normal([2, 3, 4], using: &generator)
        #expect(try attention(x).shape == [2, 3, 4])
        // A causal mask: the first position's output depends only on the first token.
        let causal = try MultiHeadAttention(dimension: 4, headCount: 2, causal: true, seed: 1)
        var changed = x.scalars
        for i in 4..<12 { changed[i] += 1 }  // change tokens 1 and 2 of the first sequence
        let a = try causal(x)
        let b = try causal(Tensor(shape: x.shape, scalars: changed))
        expectClose(Array(a.scalars[0..<4]), Array(b.scalars[0..<4]), tolerance: 1e-5)
        #expect(Array(a.scalars[4..<8]) != Array(b.scalars[4..<8]))
        // A padding mask hides the padded keys.
        let padding = try Encoding.attentionMask(fromPadding: Tensor([[1, 1, 0], [1, 1, 1]]))
        let masked = try attention.attend(query: x, key: x, value: x, mask: padding)
        var changedPad = x.scalars
        for i in 8..<12 { changedPad[i] += 5 }
        let x2 = try Tensor(shape: x.shape, scalars: changedPad)
        let masked2 = try attention.attend(query: x2, key: x2, value: x2, mask: padding)
        expectClose(Array(masked.scalars[0..<8]), Array(masked2.scalars[0..<8]), tolerance: 1e-5)
        try expectParameterGradientsMatch(attention, input: x)
    }

    @Test func transformerEncoderLayerMatchesTheReferenceSize() throws {
        let layer = try TransformerEncoderLayer(dimension: 32, headCount: 4, feedForwardSize: 64, seed: 0)
        #expect(layer.parameterCount == 8544)
        var generator = RandomGenerator(seed: 2)
        #expect(try layer(Tensor.normal([2, 8, 32], using: &generator)).shape == [2, 8, 32])
        let small = try TransformerEncoderLayer(dimension: 4, headCount: 2, feedForwardSize: 6, seed: 1)
        try expectParameterGradientsMatch(small, input: Tensor.normal([2, 3, 4], using: &generator))
        let positional = try PositionalEmbedding(maximumLength: 8, dimension: 4)
        #expect(try positional(Tensor.zeros([2, 5, 4])).shape == [2, 5, 4])
        let sinusoid = try SinusoidalPositionalEncoding(maximumLength: 4, dimension: 4)
        expectClose(
            Array(try sinusoid(Tensor.zeros([1, 2, 4])).scalars[4..<8]), [0.841_471, 0.540_302, 0.01, 0.99995])
    }
}

extension Float {
    var tanhValue: Float { Float(Foundation.tanh(Double(self))) }
    func exp() -> Float { Float(Foundation.exp(Double(self))) }
}

@Suite struct LazyDenseTests {
    @Test func takesItsInputSizeFromTheFirstInput() throws {
        let lazy = try LazyDense(3, activation: .relu, seed: 5)
        #expect(lazy.built == nil)
        #expect(lazy.parameterCount == 0)
        #expect(lazy.kind == "Dense(? → 3)")
        let input = try Tensor(shape: [2, 4], scalars: (0..<8).map { Float($0) / 8 - 0.5 })
        let output = try lazy(input)
        #expect(output.shape == [2, 3])
        let built = try #require(lazy.built)
        #expect(built.inputSize == 4)
        #expect(lazy.parameterCount == 4 * 3 + 3)
        #expect(lazy.kind == "Dense(relu)")
        // The same weights as the Dense it stands for, drawn from its seed.
        let dense = try Dense(4, 3, activation: .relu, seed: 5)
        #expect(lazy.snapshot() == dense.snapshot())
        #expect(try dense(input).scalars == output.scalars)
        #expect(lazy.namedParameters.map(\.name) == ["weight", "bias"])
    }

    @Test func inAModelItIsReproducibleFromTheModelsSeed() throws {
        func make() throws -> Sequential {
            try Sequential([Flatten(), LazyDense(8, activation: .tanh), LazyDense(2)], seed: 7)
        }
        let first = try make()
        let second = try make()
        #expect(first.parameterCount == 0)
        _ = try first.summary(inputShape: [2, 3])
        _ = try second.summary(inputShape: [2, 3])
        #expect(first.parameterCount == 6 * 8 + 8 + 8 * 2 + 2)
        #expect(first.snapshot() == second.snapshot())
        let other = try Sequential([Flatten(), LazyDense(8, activation: .tanh), LazyDense(2)], seed: 8)
        _ = try other.summary(inputShape: [2, 3])
        #expect(other.snapshot() != first.snapshot())
    }

    @Test func rejectsSizesItCannotUse() throws {
        #expect(throws: NeuralNetworkError("Dense", "sizes must be positive, got 0")) { try LazyDense(0) }
        let lazy = try LazyDense(2)
        #expect(throws: NeuralNetworkError("Dense", "cannot infer the input size from [3, 0]")) {
            try lazy(Tensor.zeros([3, 0]))
        }
        #expect(lazy.built == nil)
    }
}
