import TensorCore
import Testing

@testable import NeuralNetworks

/// Expected values are PyTorch 2.13's `torch.nn.functional` losses on the same inputs.
@Suite struct LossTests {
    let logits = try! Tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3]])
    let labels = Tensor([0, 2])

    @Test func crossEntropyMatchesPyTorch() throws {
        expectClose([try Loss.crossEntropy()(logits, labels).item()], [0.621_627_1])
        expectClose([try Loss.crossEntropy(labelSmoothing: 0.1)(logits, labels).item()], [0.701_627_1])
        expectClose([try Loss.crossEntropy(classWeights: [1, 2, 3])(logits, labels).item()], [0.811_785_0])
        expectClose(
            [try Loss.crossEntropy(labelSmoothing: 0.2, classWeights: [1, 2, 3])(logits, labels).item()], [0.980_420_1])
    }

    @Test func crossEntropyGradientMatchesFiniteDifferences() throws {
        let parameter = Parameter("logits", logits)
        let loss = Loss.crossEntropy(labelSmoothing: 0.1, classWeights: [1, 2, 3])
        try loss(parameter.value, labels).backward()
        let analytic = parameter.gradient!.scalars
        var values = logits.scalars
        for index in values.indices {
            let original = values[index]
            values[index] = original + 1e-2
            let plus = try loss(Tensor(shape: [2, 3], scalars: values), labels).item()
            values[index] = original - 1e-2
            let minus = try loss(Tensor(shape: [2, 3], scalars: values), labels).item()
            values[index] = original
            expectClose([analytic[index]], [(plus - minus) / 2e-2], tolerance: 1e-2)
        }
    }

    @Test func maskedSequenceCrossEntropyAveragesOverUnmaskedPositions() throws {
        let sequence = try logits.reshaped(to: [1, 2, 3])
        let full = try Loss.crossEntropy()(sequence, Tensor([[0, 2]]))
        expectClose([try full.item()], [0.621_627_1])
        let firstOnly = try Loss.crossEntropy()(sequence, Tensor([[0, 2]]), mask: Tensor([[1, 0]]))
        let expected = try Loss.crossEntropy()(logits.sliced(alongAxis: 0, from: 0, to: 1), Tensor([0]))
        expectClose([try firstOnly.item()], [try expected.item()])
        #expect(throws: NeuralNetworkError.self) { try Loss.crossEntropy()(logits, Tensor([0, 3])) }
    }

    @Test func binaryAndRegressionLossesMatchPyTorch() throws {
        let x = Tensor([1.5, -0.5, 0])
        let t = Tensor([1, 0, 1])
        expectClose([try Loss.binaryCrossEntropy()(x, t).item()], [0.456_212_5])
        expectClose([try Loss.binaryCrossEntropy(fromLogits: false)(Tensor([0.9, 0.2, 0.6]), t).item()], [0.279_776_6])
        let a = Tensor([0, 2, -3])
        let b = Tensor([0.5, 0, 0])
        expectClose([try Loss.meanSquaredError(a, b).item()], [4.416_666_5])
        expectClose([try Loss.meanAbsoluteError(a, b).item()], [1.833_333_4])
        expectClose([try Loss.huber()(a, b).item()], [1.375])
        expectClose([try Loss.huber(delta: 2)(a, b).item()], [2.041_666_7])
        // A [N] target fits a [N, 1] output.
        expectClose([try Loss.meanSquaredError(a.reshaped(to: [3, 1]), b).item()], [4.416_666_5])
    }
}

/// Expected parameters after three steps on `L = ½‖p‖² + 3·p₀` from `p = (1, −2)`, from PyTorch 2.13's optimizers.
@Suite struct OptimizerTests {
    func run(_ optimizer: any Optimizer, steps: Int = 3) throws -> [[Float]] {
        let parameter = Parameter("p", Tensor([1, -2]))
        var trace: [[Float]] = []
        for _ in 0..<steps {
            let p = parameter.value
            let loss = try p.squared().sum() * 0.5 + p.sliced(alongAxis: 0, from: 0, to: 1).sum() * 3
            try loss.backward()
            optimizer.step([parameter])
            parameter.clearGradient()
            trace.append(parameter.value.scalars)
        }
        return trace
    }

    func expectTrace(_ actual: [[Float]], _ expected: [[Float]], sourceLocation: SourceLocation = #_sourceLocation) {
        for (a, e) in zip(actual, expected) { expectClose(a, e, tolerance: 1e-5, sourceLocation: sourceLocation) }
    }

    @Test func sgdWithMomentumAndNesterov() throws {
        expectTrace(
            try run(SGD(learningRate: 0.1, momentum: 0.9)),
            [[0.6, -1.8], [-0.12, -1.44], [-1.056, -0.972]])
        expectTrace(
            try run(SGD(learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01)),
            [[0.238_099_95, -1.6162], [-0.702_401_46, -1.142_431_3], [-1.692_418_6, -0.643_719_4]])
    }

    @Test func adamAndAdamW() throws {
        expectTrace(
            try run(Adam(learningRate: 0.1)),
            [[0.9, -1.9], [0.800_074, -1.800_166_5], [0.700_273_87, -1.700_623_4]])
        expectTrace(
            try run(Adam.adamW(learningRate: 0.1, weightDecay: 0.1)),
            [[0.89, -1.88], [0.781_182_47, -1.761_409], [0.673_592_2, -1.644_368_6]])
    }

    @Test func rmsProp() throws {
        expectTrace(
            try run(RMSProp(learningRate: 0.01)),
            [[0.9, -1.9], [0.830_010_35, -1.830_943_3], [0.773_173_3, -1.775_349_5]])
        expectTrace(
            try run(RMSProp(learningRate: 0.01, momentum: 0.5, weightDecay: 0.1)),
            [[0.9, -1.9], [0.780_077_4, -1.780_943_3], [0.663_912_6, -1.666_883_3]])
    }

    @Test func gradientClippingByNormAndValue() throws {
        // The first gradient is (4, −2): norm √20.
        let byNorm = try run(SGD(learningRate: 1, gradientClipping: .norm(1)), steps: 1)
        let scale = 1 / (Float(20).squareRoot() + 1e-6)
        expectClose(byNorm[0], [1 - 4 * scale, -2 + 2 * scale])
        let byValue = try run(SGD(learningRate: 1, gradientClipping: .value(1)), steps: 1)
        expectClose(byValue[0], [0, -1])
    }

    @Test func learningRateSchedules() {
        #expect(LearningRateSchedule.step(every: 2, factor: 0.5).rate(atEpoch: 3, base: 1) == 0.5)
        #expect(abs(LearningRateSchedule.exponential(factor: 0.9).rate(atEpoch: 2, base: 1) - 0.81) < 1e-6)
        #expect(LearningRateSchedule.cosine(epochs: 10, minimum: 0.1).rate(atEpoch: 0, base: 1) == 1)
        #expect(abs(LearningRateSchedule.cosine(epochs: 10, minimum: 0.1).rate(atEpoch: 5, base: 1) - 0.55) < 1e-6)
        #expect(abs(LearningRateSchedule.cosine(epochs: 10, minimum: 0.1).rate(atEpoch: 10, base: 1) - 0.1) < 1e-6)
        let warm = LearningRateSchedule.warmup(epochs: 4, then: .constant)
        #expect([0, 1, 3, 4, 9].map { warm.rate(atEpoch: $0, base: 1) } == [0.25, 0.5, 1, 1, 1])
    }
}
