// ConvolutionTests: conv2d against PyTorch values and a direct (naive) convolution; gradients.

import Testing

@testable import TensorCore

@Suite("Convolution")
struct ConvolutionTests {
    /// A direct six-loop convolution in Double: the definition, for comparison.
    func naive(
        _ x: Tensor, _ w: Tensor, _ bias: Tensor?, stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int),
        groups: Int
    ) -> [Float] {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, cg, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
        let oh = (h + 2 * padding.0 - dilation.0 * (kh - 1) - 1) / stride.0 + 1
        let ow = (wd + 2 * padding.1 - dilation.1 * (kw - 1) - 1) / stride.1 + 1
        let xs = x.scalars
        let ws = w.scalars
        var result: [Float] = []
        for image in 0..<n {
            for filter in 0..<o {
                let group = filter / (o / groups)
                for y in 0..<oh {
                    for xx in 0..<ow {
                        var total = Double(bias?.scalars[filter] ?? 0)
                        for channel in 0..<cg {
                            for i in 0..<kh {
                                for j in 0..<kw {
                                    let iy = y * stride.0 + i * dilation.0 - padding.0
                                    let ix = xx * stride.1 + j * dilation.1 - padding.1
                                    guard iy >= 0 && iy < h && ix >= 0 && ix < wd else { continue }
                                    let input = xs[((image * c + group * cg + channel) * h + iy) * wd + ix]
                                    let weight = ws[((filter * cg + channel) * kh + i) * kw + j]
                                    total += Double(input) * Double(weight)
                                }
                            }
                        }
                        result.append(Float(total))
                    }
                }
            }
        }
        return result
    }

    @Test func matchesPyTorch() throws {
        let x = try Tensor.arange(to: 16).reshaped(to: [1, 1, 4, 4])
        let w = try Tensor(shape: [1, 1, 2, 2], scalars: [1, 0, 0, -1])
        let y = try x.conv2d(weight: w, bias: Tensor([0.5]), stride: (2, 2), padding: (1, 1))
        #expect(y.shape == [1, 1, 3, 3])
        #expect(y.scalars == [0.5, -1.5, 0.5, -7.5, -4.5, 7.5, 0.5, 13.5, 15.5])
    }

    @Test(arguments: [
        (stride: 1, padding: 0, dilation: 1, groups: 1), (stride: 2, padding: 1, dilation: 1, groups: 1),
        (stride: 1, padding: 2, dilation: 2, groups: 1), (stride: 2, padding: 1, dilation: 1, groups: 2),
        (stride: 1, padding: 1, dilation: 1, groups: 4),
    ])
    func matchesDirectConvolution(stride: Int, padding: Int, dilation: Int, groups: Int) throws {
        let x = sample([2, 4, 7, 6], salt: 50)
        let w = sample([4, 4 / groups, 3, 2], salt: 51)
        let bias = sample([4], salt: 52)
        let y = try x.conv2d(
            weight: w, bias: bias, stride: (stride, stride), padding: (padding, padding),
            dilation: (dilation, dilation), groups: groups)
        let expected = naive(
            x, w, bias, stride: (stride, stride), padding: (padding, padding), dilation: (dilation, dilation),
            groups: groups)
        expectClose(y, expected, tolerance: 1e-4)
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        try expectGradientsMatch([
            sample([2, 2, 5, 4], salt: 53), sample([3, 2, 3, 3], salt: 54), sample([3], salt: 55),
        ]) { (p) throws(TensorError) in
            try p[0].conv2d(weight: p[1], bias: p[2], stride: (2, 1), padding: (1, 1))
        }
        try expectGradientsMatch([sample([1, 4, 5, 5], salt: 56), sample([2, 2, 2, 2], salt: 57)]) {
            (p) throws(TensorError) in try p[0].conv2d(weight: p[1], padding: (1, 0), dilation: (2, 1), groups: 2)
        }
    }

    @Test func invalidGeometryThrows() {
        #expect(throws: TensorError.self) {
            try Tensor.zeros([1, 3, 4, 4]).conv2d(weight: Tensor.zeros([2, 2, 3, 3]))
        }
        #expect(throws: TensorError.self) {
            try Tensor.zeros([1, 1, 2, 2]).conv2d(weight: Tensor.zeros([1, 1, 3, 3]))
        }
        #expect(throws: TensorError.self) { try Tensor.zeros([3, 4]).conv2d(weight: Tensor.zeros([1, 1, 1, 1])) }
    }
}

@Suite("Pooling")
struct PoolingTests {
    let x = try! Tensor.arange(to: 16).reshaped(to: [1, 1, 4, 4])

    @Test func matchesPyTorch() throws {
        #expect(try x.maxPool2d(kernel: (2, 2)).scalars == [5, 7, 13, 15])
        expectClose(
            try x.avgPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1)), [1.111111, 2.666667, 5.666667, 10])
        #expect(throws: TensorError.self) { try x.maxPool2d(kernel: (5, 5)) }
    }

    @Test func gradients() throws {
        let leaf = x.requiringGradient()
        try leaf.maxPool2d(kernel: (2, 2)).sum().backward()
        #expect(leaf.gradient?.scalars == [0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1])
        let input = sample([2, 3, 5, 6], salt: 60)
        try expectGradientsMatch([input], epsilon: 1e-3) { (p) throws(TensorError) in
            try p[0].maxPool2d(kernel: (2, 3), stride: (2, 2), padding: (1, 1))
        }
        try expectGradientsMatch([input]) { (p) throws(TensorError) in
            try p[0].avgPool2d(kernel: (3, 2), stride: (1, 2), padding: (1, 0))
        }
    }
}

/// The inference paths (no gradient recorded): `conv2d` on im2col with its activation fused into the last pass, and
/// `maxPool2d` without indices, against the recording path on the same inputs. Both compute the same floats in the
/// same order, so the tolerance is zero: the results must be equal to the bit. (The direct kernel, which sums in
/// another order, is compared within a tolerance in DirectConvolutionTests.)
@Suite("Inference paths")
struct InferencePathTests {
    @Test(arguments: [
        (batch: 1, stride: 1, padding: 1, activation: Activation.relu),
        (batch: 32, stride: 1, padding: 1, activation: Activation.relu),
        (batch: 3, stride: 2, padding: 0, activation: Activation.identity),
        (batch: 32, stride: 2, padding: 2, activation: Activation.sigmoid),
        (batch: 1, stride: 3, padding: 1, activation: Activation.tanh),
    ])
    func fusedConvolutionEqualsTheRecordedOne(batch: Int, stride: Int, padding: Int, activation: Activation) throws {
        let x = sample([batch, 3, 7, 5], salt: 70)
        let w = sample([4, 3, 3, 2], salt: 71)
        let bias = sample([4], salt: 72)
        let inference = try noGrad {
            try x.conv2d(
                weight: w, bias: bias, stride: (stride, stride), padding: (padding, padding), dilation: (1, 1),
                groups: 1, activation: activation, directKernel: nil)
        }
        #expect(!inference.requiresGradient)
        // The recording path: the convolution node, then the activation as its own op.
        let leaf = w.requiringGradient()
        let recorded = try x.conv2d(
            weight: leaf, bias: bias, stride: (stride, stride), padding: (padding, padding), activation: activation)
        #expect(recorded.requiresGradient)
        let unfused = try x.conv2d(
            weight: w, bias: bias, stride: (stride, stride), padding: (padding, padding), dilation: (1, 1), groups: 1,
            activation: .identity, directKernel: nil)
        let expected: Tensor
        switch activation {
        case .identity: expected = unfused
        case .relu: expected = unfused.relu()
        case .sigmoid: expected = unfused.sigmoid()
        case .tanh: expected = unfused.tanh()
        }
        #expect(inference.shape == recorded.shape)
        #expect(inference.scalars == recorded.scalars)
        #expect(inference.scalars == expected.scalars)
        // The activation still has its gradient on the recording path.
        try recorded.sum().backward()
        #expect(leaf.gradient?.shape == w.shape)
    }

    @Test(arguments: [
        (batch: 1, kernel: (2, 2), stride: (2, 2), padding: (0, 0)),
        (batch: 32, kernel: (2, 2), stride: (2, 2), padding: (0, 0)),
        (batch: 2, kernel: (3, 3), stride: (2, 2), padding: (1, 1)),
        (batch: 32, kernel: (2, 3), stride: (1, 2), padding: (1, 1)),
        (batch: 1, kernel: (3, 2), stride: (3, 1), padding: (0, 1)),
    ])
    func maxPoolingWithoutIndicesEqualsTheRecordedOne(
        batch: Int, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int)
    ) throws {
        // Odd sizes (the 2×2 window drops the last row and column), ties, −∞ and a NaN among the values.
        var values = sample([batch, 3, 7, 5], salt: 73).scalars
        values[0] = .nan
        values[6] = -.infinity
        values[7] = values[8]
        let x = try Tensor(shape: [batch, 3, 7, 5], scalars: values)
        let inference = try noGrad { try x.maxPool2d(kernel: kernel, stride: stride, padding: padding) }
        let leaf = x.requiringGradient()
        let recorded = try leaf.maxPool2d(kernel: kernel, stride: stride, padding: padding)
        #expect(recorded.requiresGradient && !inference.requiresGradient)
        #expect(inference.shape == recorded.shape)
        #expect(inference.scalars.map(\.bitPattern) == recorded.scalars.map(\.bitPattern))
        #expect(inference.scalars[0].isNaN)
    }
}
