import Foundation
import NeuralNetworks
import TensorCore
import Testing

@testable import Deployment

/// Scales, zero points and rounding against hand computation; the int8 kernel against a triple loop; quantized
/// layers against their float originals; the accuracy of int8 digits models.
@Suite struct QuantizationTests {
    @Test func symmetricWeightScaleAndRoundingByHand() throws {
        // Row 0: max |w| = 1.27 → scale 0.01: 0.5 → 50, −1.27 → −127, 0.3 → 30, 0.004 → 0 (0.4 rounds down).
        // Row 1: max |w| = 127 → scale 1: ties go to even, 2.5 → 2, 3.5 → 4, −2.5 → −2.
        let weight = try Tensor(shape: [2, 4], scalars: [0.5, -1.27, 0.3, 0.004, 127, 2.5, 3.5, -2.5])
        let quantized = QuantizedWeights(weight)
        #expect(abs(quantized.scales[0] - 0.01) < 1e-7)
        #expect(quantized.scales[1] == 1)
        #expect((0..<4).map { quantized.value(row: 0, column: $0) } == [50, -127, 30, 0])
        #expect((0..<4).map { quantized.value(row: 1, column: $0) } == [127, 2, 4, -2])
        let sums: [Int32] = [-47, 131]  // 50 − 127 + 30 + 0 and 127 + 2 + 4 − 2
        #expect(quantized.rowSums == sums)
        #expect(quantized.byteCount == 8 + 2 * 4)
        // An all-zero row keeps scale 1 and codes 0.
        let zero = QuantizedWeights(try Tensor.zeros([1, 3]))
        #expect(zero.scales == [1] && (0..<3).allSatisfy { zero.value(row: 0, column: $0) == 0 })
    }

    @Test func asymmetricActivationMapByHand() {
        // [−1, 3]: scale 4/255; zero point −128 − round(−1 / (4/255)) = −128 − round(−63.75) = −64.
        let map = AffineQuantization.activation(lower: -1, upper: 3)
        #expect(map.scale == Float(4) / 255)
        #expect(map.zeroPoint == -64)
        #expect(map.quantize(0) == -64)
        #expect(map.quantize(3) == 127)  // round(191.25) − 64
        #expect(map.quantize(-1) == -128)  // round(−63.75) − 64
        #expect(map.quantize(100) == 127 && map.quantize(-100) == -128)  // clamped
        #expect(abs(map.dequantize(map.quantize(1)) - 1) <= map.scale / 2)
        // A range without 0 is widened to contain it: [2, 4] → [0, 4], zero point −128.
        let positive = AffineQuantization.activation(lower: 2, upper: 4)
        #expect(positive.zeroPoint == -128 && positive.scale == Float(4) / 255)
        // Symmetric: zero point 0, ±127.
        let symmetric = AffineQuantization.symmetric(maximumMagnitude: 2.54)
        #expect(symmetric.zeroPoint == 0 && symmetric.quantize(-2.54) == -127 && symmetric.quantize(0.01) == 0)
    }

    @Test func percentileCalibrationClipsOutliers() {
        var observer = ActivationObserver()
        // 0…999 and one outlier at 10⁶: min-max keeps the outlier, the 99.9th percentile does not.
        observer.observe(Tensor((0..<1000).map(Float.init) + [1_000_000]))
        let minMax = observer.quantization(.minMax)
        let percentile = observer.quantization(.percentile(99.9))
        #expect(minMax.scale == Float(1_000_000) / 255)
        #expect(percentile.scale == Float(999) / 255)
    }

    @Test func int8KernelMatchesTheTripleLoop() {
        var generator = RandomGenerator(seed: 5)
        for (m, n, k) in [(1, 1, 1), (5, 7, 37), (3, 9, 16), (33, 13, 64), (2, 4, 100)] {
            let a = (0..<(m * k)).map { _ in Int8(truncatingIfNeeded: generator.nextInt(below: 256) - 128) }
            let b = (0..<(n * k)).map { _ in Int8(generator.nextInt(below: 255) - 127) }
            let length = Int8GEMM.paddedLength(k)
            var paddedA = [Int8](repeating: 0, count: m * length)
            var paddedB = [Int8](repeating: 0, count: n * length)
            for i in 0..<m { for p in 0..<k { paddedA[i * length + p] = a[i * k + p] } }
            for j in 0..<n { for p in 0..<k { paddedB[j * length + p] = b[j * k + p] } }
            // The kernel this machine uses (AVX-512 VNNI when it has it), and the portable Swift one.
            var c = [Int32](repeating: 0, count: m * n)
            var portable = [Int32](repeating: 0, count: m * n)
            paddedA.withUnsafeBufferPointer { pa in
                paddedB.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        Int8GEMM.multiply(
                            pa.baseAddress!, pb.baseAddress!, into: pc.baseAddress!, m: m, n: n, rowLength: length)
                    }
                    portable.withUnsafeMutableBufferPointer { pc in
                        Int8GEMM.portable(
                            pa.baseAddress!, pb.baseAddress!, into: pc.baseAddress!, m: m, n: n, rowLength: length)
                    }
                }
            }
            let expected = Int8GEMM.reference(a, b, m: m, n: n, k: k)
            #expect(c == expected, "m \(m) n \(n) k \(k), VNNI \(Int8GEMM.usesVNNI)")
            #expect(portable == expected, "m \(m) n \(n) k \(k)")
        }
        // The extremes: −128 · −127 in every lane of a full row stays exact in int32.
        let length = 64
        let a = [Int8](repeating: -128, count: length)
        let b = [Int8](repeating: -127, count: length)
        var c: [Int32] = [0]
        Int8GEMM.multiply(a, b, into: &c, m: 1, n: 1, rowLength: length)
        #expect(c == [Int32(128 * 127 * length)])
        // And the other corner for the VNNI kernel's offset (x + 128 = 255): 127 · −127.
        Int8GEMM.multiply([Int8](repeating: 127, count: length), b, into: &c, m: 1, n: 1, rowLength: length)
        #expect(c == [Int32(-127 * 127 * length)])
    }

    @Test func quantizedDenseIsTheIntegerProductOfItsCodes() throws {
        var generator = RandomGenerator(seed: 1)
        let dense = try Dense(37, 11, activation: .relu, seed: 2)
        let input = try Tensor.normal([6, 37], using: &generator)
        for map in [AffineQuantization?.none, .activation(lower: -2.5, upper: 3)] {
            let layer = QuantizedDense(dense, input: map)
            let output = try layer(input)
            // The same arithmetic in float from the codes: dequantized weights times dequantized inputs.
            let inputMap = map ?? QuantizedDense.dynamicQuantization(of: input)
            let codes = try Tensor(
                shape: input.shape, scalars: input.scalars.map { inputMap.dequantize(inputMap.quantize($0)) })
            let expected = try Tensor.matmul(codes, layer.weights.dequantized(), transposeB: true)
                .addingBias(dense.bias!.value, activation: .relu)
            let difference = try (output - expected).abs().max().item()
            #expect(difference < 1e-4, "\(difference)")
            // And close to the float layer: within 2% of the output range.
            let float = try dense(input)
            let range = try float.abs().max().item()
            let error = try (output - float).abs().max().item()
            #expect(error <= 0.02 * range, "int8 error \(error) for outputs up to \(range)")
        }
    }

    /// QuantizedDense's output against its definition computed here in integers from the codes, with the same
    /// float arithmetic for the dequantization: equal to the bit on both kernels (the VNNI one runs the layer as a
    /// 1×1 convolution), for batch 1 and 32 and sizes that are not multiples of 4 or 16.
    @Test(arguments: [(1, 37, 11), (32, 128, 64), (32, 64, 10), (3, 5, 17)])
    func quantizedDenseEqualsItsIntegerDefinition(batch: Int, inputSize: Int, outputSize: Int) throws {
        var generator = RandomGenerator(seed: UInt64(inputSize))
        let dense = try Dense(inputSize, outputSize, activation: .relu, seed: 3)
        let input = try Tensor.normal([batch, inputSize], using: &generator)
        for map in [AffineQuantization?.none, .activation(lower: -2, upper: 2.5)] {
            let layer = QuantizedDense(dense, input: map)
            #expect((layer.packed != nil) == Int8GEMM.usesVNNI)
            let used = map ?? QuantizedDense.dynamicQuantization(of: input)
            let x = input.scalars
            let bias = dense.bias!.value.scalars
            var expected: [Float] = []
            for i in 0..<batch {
                for j in 0..<outputSize {
                    var sum: Int32 = 0
                    var weightSum: Int32 = 0
                    for p in 0..<inputSize {
                        let w = Int32(layer.weights.value(row: j, column: p))
                        sum += Int32(used.quantize(x[i * inputSize + p])) * w
                        weightSum += w
                    }
                    let y = layer.weights.scales[j] * used.scale * Float(sum - used.zeroPoint * weightSum) + bias[j]
                    expected.append(Swift.max(y, 0))
                }
            }
            let output = try layer(input)
            #expect(output.shape == [batch, outputSize])
            #expect(output.scalars == expected)
        }
    }

    @Test func quantizedConvolutionMatchesTheFloatOneAndFoldsBatchNorm() throws {
        var generator = RandomGenerator(seed: 3)
        let conv = try Conv2D(3, 5, kernelSize: 3, stride: 2, padding: 1, seed: 4)
        let norm = try BatchNorm(5)
        try norm.runningMean.assign([0.1, -0.2, 0.3, 0, 0.5])
        try norm.runningVariance.assign([1, 2, 0.5, 1.5, 0.8])
        try norm.weight.assign([1, 0.5, 2, 1, -1])
        let model = try Sequential([conv, norm, Activation(.relu), Flatten(), Dense(5 * 4 * 4, 3)])
        let input = try Tensor.normal([4, 3, 7, 7], using: &generator)
        let quantized = try QuantizedModel(quantizing: model, activations: .calibrated(input, .minMax))
        #expect(quantized.quantizedLayerCount == 2)
        #expect(quantized.layers.count == 4)  // BatchNorm folded into the convolution
        #expect((quantized.layers[0].layer as? QuantizedConv2D)?.foldedBatchNorm == true)
        let float = try model(input)
        let int8 = try quantized(input)
        let range = try float.abs().max().item()
        let error = try (int8 - float).abs().max().item()
        #expect(error <= 0.03 * range, "int8 error \(error) for outputs up to \(range)")
        #expect(quantized.byteCount < quantized.floatByteCount / 3)
    }

    /// The direct VNNI convolution (NHWC int8 copy, no im2col) against the im2col path on the same layer: the int32
    /// sums are the same integers and the dequantization the same arithmetic, so the outputs are equal to the bit.
    /// Odd shapes, strides, paddings, batch 1 and 32, static and dynamic input maps, channel counts that are not
    /// multiples of 4 (input) or 16 (output).
    @Test(arguments: [
        (batch: 1, channels: 1, filters: 16, kernel: 3, stride: 1, padding: 1),
        (batch: 32, channels: 1, filters: 16, kernel: 3, stride: 1, padding: 1),
        (batch: 32, channels: 16, filters: 32, kernel: 3, stride: 1, padding: 1),
        (batch: 3, channels: 5, filters: 7, kernel: 2, stride: 2, padding: 0),
        (batch: 1, channels: 6, filters: 17, kernel: 3, stride: 2, padding: 1),
        (batch: 32, channels: 3, filters: 33, kernel: 1, stride: 3, padding: 2),
        (batch: 4, channels: 2, filters: 5, kernel: 2, stride: 2, padding: 1),
    ])
    func directInt8ConvolutionEqualsTheUnfoldedOne(
        batch: Int, channels: Int, filters: Int, kernel: Int, stride: Int, padding: Int
    ) throws {
        var generator = RandomGenerator(seed: UInt64(10 + channels))
        let conv = try Conv2D(
            channels, filters, kernelSize: kernel, stride: stride, padding: padding, activation: .relu, seed: 6)
        let input = try Tensor.normal([batch, channels, 7, 5], using: &generator)
        for map in [AffineQuantization?.none, .activation(lower: -1.5, upper: 2.5)] {
            let layer = try QuantizedConv2D(conv, input: map)
            #expect((layer.packed != nil) == Int8GEMM.usesVNNI)
            let used = map ?? QuantizedDense.dynamicQuantization(of: input)
            let expected = try layer.unfolded(
                input, map: used, outputHeight: (7 + 2 * padding - kernel) / stride + 1,
                outputWidth: (5 + 2 * padding - kernel) / stride + 1)
            let output = try noGrad { try layer(input) }
            #expect(output.shape == expected.shape)
            #expect(output.scalars == expected.scalars)
            // And, with the map fitted to this input (dynamic; the fixed one clips it), close to the float layer:
            // within 3% of the output range.
            if map == nil {
                let float = try noGrad { try conv(input) }
                let range = try float.abs().max().item()
                #expect(try (output - float).abs().max().item() <= 0.03 * range)
            }
        }
    }

    /// The int8 chain (conv → max pool → conv → max pool kept in int8 on the direct path) against the same model run
    /// layer by layer: equal to the bit, for batch 1 and 32, odd input sizes, a 3×3 window at stride 2, and dynamic
    /// quantization (where the chain stops at each pooling, the next map not being known in advance).
    @Test(arguments: [
        (batch: 1, channels: 1, height: 8, width: 8, window: 2, stride: 2, calibrated: true),
        (batch: 32, channels: 1, height: 8, width: 8, window: 2, stride: 2, calibrated: true),
        (batch: 32, channels: 3, height: 11, width: 9, window: 3, stride: 2, calibrated: true),
        (batch: 5, channels: 3, height: 9, width: 7, window: 2, stride: 2, calibrated: false),
    ])
    func int8ChainEqualsTheLayerByLayerPass(
        batch: Int, channels: Int, height: Int, width: Int, window: Int, stride: Int, calibrated: Bool
    ) throws {
        var generator = RandomGenerator(seed: 21)
        let pooled = { (size: Int) in (size - window) / stride + 1 }
        let features = 12 * pooled(pooled(height)) * pooled(pooled(width))
        let model = try Sequential(
            [
                Conv2D(channels, 8, kernelSize: 3, padding: 1, activation: .relu), MaxPool2D(window, stride: stride),
                Conv2D(8, 12, kernelSize: 3, padding: 1, activation: .relu), MaxPool2D(window, stride: stride),
                Flatten(), Dense(features, 4),
            ], seed: 3)
        let sample = try Tensor.normal([40, channels, height, width], using: &generator)
        let quantized = try QuantizedModel(
            quantizing: model, activations: calibrated ? .calibrated(sample, .minMax) : .dynamic)
        let input = try sample.sliced(alongAxis: 0, from: 0, to: batch)
        var expected = input
        for part in quantized.layers { expected = try part.layer.forward(expected, context: .evaluation) }
        let output = try noGrad { try quantized(input) }
        #expect(output.shape == [batch, 4])
        #expect(output.scalars == expected.scalars)
        if Int8GEMM.usesVNNI {
            let chain = try quantized.int8Chain(from: 0, input: input)
            // Calibrated: both convolutions and poolings in one chain; dynamic: the first pair only.
            #expect(chain?.1 == (calibrated ? 4 : 2))
        }
    }

    @Test func dynamicInt8LSTMFollowsTheFloatOne() throws {
        var generator = RandomGenerator(seed: 8)
        let model = try Sequential(
            [
                Embedding(10, 6), LSTM(6, 8, returnSequences: true, bidirectional: true), LSTM(16, 8), Dense(8, 3),
            ], seed: 9)
        let ids = try Tensor(shape: [4, 7], scalars: (0..<28).map { _ in Float(generator.nextInt(below: 10)) })
        let quantized = try QuantizedModel(quantizing: model)
        #expect(quantized.quantizedLayerCount == 3)
        #expect(quantized.layers[1].layer is QuantizedLSTM)
        let float = try model(ids)
        let int8 = try quantized(ids)
        #expect(int8.shape == float.shape)
        let range = try float.abs().max().item()
        let error = try (int8 - float).abs().max().item()
        // Int8 error compounds through 7 steps and two layers: within 5% of the output range.
        #expect(error <= 0.05 * range, "int8 error \(error) for outputs up to \(range)")
    }

    @Test func int8DigitsModelsLoseAtMostHalfAPoint() throws {
        let (train, test) = try DigitsFixture.data(shape: [64])
        let mlp = try Sequential(
            [Dense(64, 128, activation: .relu), Dense(128, 64, activation: .relu), Dense(64, 10)], seed: 0)
        try mlp.fit(train, epochs: 10, batchSize: 32, optimizer: Adam(learningRate: 1e-3), seed: 0)
        let floatAccuracy = try DigitsFixture.accuracy(mlp, test)
        for mode in [
            ActivationQuantizationMode.dynamic, .calibrated(train.features, .minMax),
            .calibrated(train.features, .percentile(99.99)),
        ] {
            let int8 = try QuantizedModel(quantizing: mlp, activations: mode)
            let accuracy = try DigitsFixture.accuracy(int8, test)
            #expect(floatAccuracy - accuracy <= 0.005, "\(mode): float \(floatAccuracy), int8 \(accuracy)")
        }
        let (imageTrain, imageTest) = try DigitsFixture.data(shape: [1, 8, 8])
        let cnn = try Sequential(
            [
                Conv2D(1, 8, kernelSize: 3, padding: 1, activation: .relu), MaxPool2D(2), Flatten(),
                Dense(128, 10),
            ], seed: 0)
        try cnn.fit(imageTrain, epochs: 8, batchSize: 32, optimizer: Adam(learningRate: 2e-3), seed: 0)
        let cnnFloat = try DigitsFixture.accuracy(cnn, imageTest)
        let calibration = try imageTrain.features.sliced(alongAxis: 0, from: 0, to: 256)
        let cnnInt8 = try QuantizedModel(quantizing: cnn, activations: .calibrated(calibration, .minMax))
        let cnnAccuracy = try DigitsFixture.accuracy(cnnInt8, imageTest)
        #expect(cnnFloat > 0.9 && cnnFloat - cnnAccuracy <= 0.005, "CNN float \(cnnFloat), int8 \(cnnAccuracy)")
        // The report measures the same numbers and renders them.
        let report = try QuantizationReport.measure(
            float: cnn, quantized: cnnInt8, test: imageTest, latencyBatchSizes: [1], repetitions: 2)
        #expect(report.rows.map(\.metric) == ["size (bytes)", "accuracy", "latency batch 1 (ms)"])
        #expect(report.rows[1].float32 == cnnFloat && report.rows[1].int8 == cnnAccuracy)
        #expect(report.rows[0].ratio < 0.35)
        #expect(report.table.html.contains("int8"))
    }
}

/// The digits split, standardized on the training rows.
enum DigitsFixture {
    static func data(shape: [Int]) throws -> (train: Dataset, test: Dataset) {
        let digits = try BundledDataset.digits()
        let train = try digits.dataset(split: "train")
        let test = try digits.dataset(split: "test")
        let scaler = try StandardScaler(fittingOn: train.features)
        return (
            try Dataset(features: scaler.transform(train.features).reshaped(to: [-1] + shape), targets: train.targets),
            try Dataset(features: scaler.transform(test.features).reshaped(to: [-1] + shape), targets: test.targets)
        )
    }

    static func accuracy(_ model: any Layer, _ test: Dataset) throws -> Double {
        let predicted = try model.predictClasses(test.features)
        return Double(zip(predicted, test.labels).count { $0 == $1 }) / Double(test.count)
    }
}
