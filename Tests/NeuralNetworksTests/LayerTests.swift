import Testing
import TensorCore

@testable import NeuralNetworks

@Suite struct LayerTests {
    @Test func denseForward() throws {
        let dense = try Dense(2, 1)
        try dense.weight.assign([1, 2])
        try dense.bias!.assign([0.5])
        let y = try dense(Tensor([[1, 1], [2, -1]]))
        #expect(y.shape == [2, 1])
        #expect(y.scalars == [3.5, 0.5])
    }
}
