// QuantizedLSTM: an LSTM whose input and recurrent products run in int8 (dynamic quantization, as torch's).
import NeuralNetworks
import TensorCore

/// An ``LSTM`` with dynamic int8 quantization: both weight matrices of each direction are int8 per output row; the
/// input projection of all steps is one int8 product of the quantized sequence, and each step's recurrent product
/// `hₜ₋₁·W_hhᵀ` quantizes `hₜ₋₁` with its own range; the gates (PyTorch order i, f, g, o) and the cell update run in
/// float (`Tensor.lstmCell`). Zero initial states, batch-first, as the float layer.
///
/// - Shape: `[N, T, I] → [N, T, H·dirs]` (`returnsSequences`) or `[N, H·dirs]`.
public final class QuantizedLSTM: Layer {
    struct Direction {
        let input: QuantizedWeights
        let hidden: QuantizedWeights
        let bias: [Float]
    }

    public let inputSize: Int
    public let hiddenSize: Int
    public let returnsSequences: Bool
    let directions: [Direction]

    public init(_ lstm: LSTM) throws {
        inputSize = lstm.inputSize
        hiddenSize = lstm.hiddenSize
        returnsSequences = lstm.returnsSequences
        let parameters = Dictionary(uniqueKeysWithValues: lstm.namedParameters.map { ($0.name, $0.parameter.value) })
        directions = try (lstm.isBidirectional ? ["_l0", "_l0_reverse"] : ["_l0"]).map { suffix in
            guard let wi = parameters["weight_ih" + suffix], let wh = parameters["weight_hh" + suffix],
                let bi = parameters["bias_ih" + suffix], let bh = parameters["bias_hh" + suffix]
            else { throw NeuralNetworkError("quantize", "the LSTM has no \(suffix) weights") }
            return Direction(
                input: QuantizedWeights(wi), hidden: QuantizedWeights(wh), bias: zip(bi.scalars, bh.scalars).map(+))
        }
    }

    public var kind: String { "QuantizedLSTM(dynamic)" }

    public var byteCount: Int {
        directions.reduce(0) { $0 + $1.input.byteCount + $1.hidden.byteCount + 4 * $1.bias.count }
    }

    public func forward(_ input: Tensor, context: LayerContext) throws -> Tensor {
        guard input.rank == 3, input.shape[2] == inputSize, input.shape[1] > 0 else {
            throw NeuralNetworkError(
                "QuantizedLSTM", "expected input [N, T, \(inputSize)], got \(TensorError.format(shape: input.shape))")
        }
        let (batch, steps) = (input.shape[0], input.shape[1])
        let h = hiddenSize
        var outputs: [Tensor] = []
        for (index, direction) in directions.enumerated() {
            // [N·T, 4H], row n·T + t.
            let projected = input.withUnsafeBufferPointer { x in
                direction.input.apply(x.baseAddress!, m: batch * steps, map: nil, bias: direction.bias)
            }
            var hidden = [Float](repeating: 0, count: batch * h)
            var cell = try Tensor.zeros([batch, h])
            var sequence = [Float](repeating: 0, count: returnsSequences ? batch * steps * h : 0)
            let order = index == 1 ? Array((0..<steps).reversed()) : Array(0..<steps)
            for (position, t) in order.enumerated() {
                var gates = [Float](repeating: 0, count: batch * 4 * h)
                for n in 0..<batch {
                    for j in 0..<(4 * h) { gates[n * 4 * h + j] = projected[(n * steps + t) * 4 * h + j] }
                }
                if position > 0 {
                    let recurrent = hidden.withUnsafeBufferPointer { previous in
                        direction.hidden.apply(previous.baseAddress!, m: batch, map: nil, bias: nil)
                    }
                    for k in gates.indices { gates[k] += recurrent[k] }
                }
                let next = try Tensor.lstmCell(gates: Tensor(shape: [batch, 4 * h], scalars: gates), cell: cell)
                hidden = next.hidden.scalars
                cell = next.cell
                if returnsSequences {
                    for n in 0..<batch {
                        for j in 0..<h { sequence[(n * steps + t) * h + j] = hidden[n * h + j] }
                    }
                }
            }
            outputs.append(
                returnsSequences
                    ? try Tensor(shape: [batch, steps, h], scalars: sequence)
                    : try Tensor(shape: [batch, h], scalars: hidden))
        }
        return outputs.count == 1 ? outputs[0] : try Tensor.concatenate(outputs, alongAxis: returnsSequences ? 2 : 1)
    }
}
