// CompositionTests: whole small networks, end to end: gradients of a CNN against finite differences, and a few
// steps of gradient descent that reduce the loss, with parameters updated in place as an optimizer does.

import Testing

@testable import TensorCore

@Suite("Composition")
struct CompositionTests {
    @Test func smallCNNGradientsMatchFiniteDifferences() throws {
        let images = sample([2, 1, 6, 6], salt: 80)
        let labels = IndexTensor([1, 2])
        try expectGradientsMatch(
            [
                sample([3, 1, 3, 3], salt: 81), sample([3], salt: 82), sample([4, 12], salt: 83), sample([4], salt: 84),
            ],
            epsilon: 1e-3, tolerance: 2e-2
        ) { (p) throws(TensorError) in
            let features = try images.conv2d(weight: p[0], bias: p[1], padding: (1, 1)).relu()
                .maxPool2d(kernel: (3, 3)).flattened(from: 1)  // [2, 12]
            let logits = try Tensor.matmul(features, p[2], transposeB: true).addingBias(p[3])
            return try Tensor.softmaxCrossEntropy(logits: logits, labels: labels)
        }
    }

    @Test func gradientDescentReducesTheLoss() throws {
        var generator = RandomGenerator(seed: 5)
        let inputs = try Tensor.normal([64, 4], using: &generator)
        // Labels: which of the first two features is larger.
        let labels = IndexTensor(
            (0..<64).map { row in inputs.scalars[row * 4] > inputs.scalars[row * 4 + 1] ? 1 : 0 })
        var parameters = [
            try Tensor.glorotUniform([16, 4], fanIn: 4, fanOut: 16, using: &generator).requiringGradient(),
            try Tensor.zeros([16]).requiringGradient(),
            try Tensor.glorotUniform([2, 16], fanIn: 16, fanOut: 2, using: &generator).requiringGradient(),
            try Tensor.zeros([2]).requiringGradient(),
        ]
        func loss() throws -> Tensor {
            let hidden = try Tensor.matmul(inputs, parameters[0], transposeB: true).addingBias(
                parameters[1], activation: .tanh)
            let logits = try Tensor.matmul(hidden, parameters[2], transposeB: true).addingBias(parameters[3])
            return try Tensor.softmaxCrossEntropy(logits: logits, labels: labels)
        }
        let initial = try loss().item()
        for _ in 0..<100 {
            try loss().backward()
            for index in parameters.indices {
                let step = try #require(parameters[index].gradient)
                parameters[index].withUnsafeMutableBufferPointer { values in
                    step.withUnsafeBufferPointer { gradient in
                        for i in values.indices { values[i] -= 0.5 * gradient[i] }
                    }
                }
                parameters[index].clearGradient()
            }
        }
        let final = try loss().item()
        #expect(final < initial * 0.5, "loss \(initial) → \(final)")
        let predictions = try noGrad { () throws(TensorError) -> IndexTensor in
            let hidden = try Tensor.matmul(inputs, parameters[0], transposeB: true).addingBias(
                parameters[1], activation: .tanh)
            return try Tensor.matmul(hidden, parameters[2], transposeB: true).addingBias(parameters[3])
                .argmax(alongAxis: 1)
        }
        let correct = zip(predictions.indices, labels.indices).filter { $0 == $1 }.count
        #expect(correct >= 56)
    }
}
