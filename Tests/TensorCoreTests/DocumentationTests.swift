// DocumentationTests: the example at the top of docs/engine.md, verbatim, compiles and runs.

import TensorCore
import Testing

@Suite("Documentation")
struct DocumentationTests {
    @Test func tensorGuideExample() throws {
        var generator = RandomGenerator(seed: 0)
        let x = try Tensor.normal([32, 64], using: &generator)  // a batch
        let w = try Tensor.glorotUniform([128, 64], fanIn: 64, fanOut: 128, using: &generator).requiringGradient()
        let b = try Tensor.zeros([128]).requiringGradient()
        let labels = IndexTensor((0..<32).map { $0 % 10 })

        let hidden = try Tensor.matmul(x, w, transposeB: true).addingBias(b, activation: .relu)  // [32, 128]
        let loss = try Tensor.softmaxCrossEntropy(logits: hidden.sliced(alongAxis: 1, to: 10), labels: labels)
        try loss.backward()
        #expect(w.gradient?.shape == [128, 64])  // d loss / d w
        #expect(b.gradient?.shape == [128])
    }
}
