// ONNXExporter+Sequences: recurrent layers, multi-head attention and the transformer encoder layer as ONNX nodes.
import NeuralNetworks
import TensorCore

extension ONNXExporter {
    /// SimpleRNN / LSTM / GRU as ONNX's `RNN` / `LSTM` / `GRU` (time-major: ONNX Runtime has no batch-first layout).
    static func recurrentNodes(
        _ layer: RecurrentLayer, _ input: String, into graph: inout ONNXGraphBuilder
    ) throws -> String {
        let parameters = Dictionary(uniqueKeysWithValues: layer.namedParameters.map { ($0.name, $0.parameter.value) })
        let hidden = layer.hiddenSize
        let (opType, gateOrder): (String, [Int])
        switch layer {
        case is LSTM: (opType, gateOrder) = ("LSTM", [0, 3, 1, 2])  // PyTorch i, f, g, o → ONNX i, o, f, c
        case is GRU: (opType, gateOrder) = ("GRU", [1, 0, 2])  // PyTorch r, z, n → ONNX z, r, h
        default: (opType, gateOrder) = ("RNN", [0])
        }
        let suffixes = layer.isBidirectional ? ["_l0", "_l0_reverse"] : ["_l0"]
        func reordered(_ tensor: Tensor) throws -> [Float] {
            let blocks = try tensor.split(count: gateOrder.count, alongAxis: 0)
            return gateOrder.flatMap { blocks[$0].scalars }
        }
        var w: [Float] = []
        var r: [Float] = []
        var b: [Float] = []
        for suffix in suffixes {
            guard let wi = parameters["weight_ih" + suffix], let wh = parameters["weight_hh" + suffix],
                let bi = parameters["bias_ih" + suffix], let bh = parameters["bias_hh" + suffix]
            else { throw NeuralNetworkError("ONNX export", "\(layer.kind) has no \(suffix) weights") }
            w += try reordered(wi)
            r += try reordered(wh)
            b += try reordered(bi) + reordered(bh)
        }
        let directions = suffixes.count
        let rows = gateOrder.count * hidden
        let timeMajor = graph.apply("Transpose", [input], [ONNXAttribute.ints("perm", [1, 0, 2])])
        var attributes = [
            ONNXAttribute.int("hidden_size", hidden),
            ONNXAttribute.string("direction", directions == 2 ? "bidirectional" : "forward"),
        ]
        if opType == "GRU" { attributes.append(ONNXAttribute.int("linear_before_reset", 1)) }
        let outputs = graph.node(
            opType,
            [
                timeMajor, graph.constant("rnn_w", shape: [directions, rows, layer.inputSize], floats: w),
                graph.constant("rnn_r", shape: [directions, rows, hidden], floats: r),
                graph.constant("rnn_b", shape: [directions, 2 * rows], floats: b),
            ], attributes: attributes, outputCount: 2)
        if layer.returnsSequences {
            // Y [T, dirs, N, H] → [N, T, dirs, H] → [N, T, dirs·H]
            let batchFirst = graph.apply("Transpose", [outputs[0]], [ONNXAttribute.ints("perm", [2, 0, 1, 3])])
            return graph.apply(
                "Reshape", [batchFirst, graph.constant("shape", int64: [0, 0, Int64(directions * hidden)])])
        }
        // Y_h [dirs, N, H] → [N, dirs, H] → [N, dirs·H] (forward state, then the reverse one at position 0)
        let batchFirst = graph.apply("Transpose", [outputs[1]], [ONNXAttribute.ints("perm", [1, 0, 2])])
        return graph.apply("Reshape", [batchFirst, graph.constant("shape", int64: [0, Int64(directions * hidden)])])
    }

    /// Self-attention over `[N, T, D]` for a fixed `T` (the causal mask is a constant `[T, T]`).
    static func attentionNodes(
        _ attention: MultiHeadAttention, _ input: String, length: Int, extraMask: Tensor? = nil,
        into graph: inout ONNXGraphBuilder
    ) throws -> String {
        let d = attention.dimension
        let heads = attention.headCount
        let headSize = d / heads
        let projected = graph.apply(
            "Add",
            [
                graph.apply(
                    "MatMul",
                    [input, graph.constant("in_proj_t", try attention.inputProjectionWeight.value.transposed(0, 1))]),
                graph.constant("in_proj_bias", attention.inputProjectionBias.value),
            ])
        let parts = graph.node(
            "Split", [projected, graph.constant("split", int64: [Int64(d), Int64(d), Int64(d)])],
            attributes: [ONNXAttribute.int("axis", 2)], outputCount: 3)
        let headShape = graph.constant("heads", int64: [0, 0, Int64(heads), Int64(headSize)])
        func split(_ x: String, _ perm: [Int]) -> String {
            graph.apply("Transpose", [graph.apply("Reshape", [x, headShape])], [ONNXAttribute.ints("perm", perm)])
        }
        let q = split(parts[0], [0, 2, 1, 3])  // [N, h, T, d]
        let kT = split(parts[1], [0, 2, 3, 1])  // [N, h, d, T]
        let v = split(parts[2], [0, 2, 1, 3])
        var scores = graph.apply(
            "Mul",
            [
                graph.apply("MatMul", [q, kT]),
                graph.constant("scale", shape: [], floats: [1 / Float(headSize).squareRoot()]),
            ])
        var mask = extraMask
        if attention.isCausal {
            let causal = try Encoding.causalMask(length: length)
            mask = try mask.map { try $0 + causal } ?? causal
        }
        if let mask { scores = graph.apply("Add", [scores, graph.constant("mask", mask)]) }
        let weights = graph.apply("Softmax", [scores], [ONNXAttribute.int("axis", -1)])
        let mixed = graph.apply(
            "Transpose", [graph.apply("MatMul", [weights, v])], [ONNXAttribute.ints("perm", [0, 2, 1, 3])])
        let joined = graph.apply("Reshape", [mixed, graph.constant("shape", int64: [0, 0, Int64(d)])])
        return try linear(attention.outputProjection, joined, into: &graph)
    }

    /// A transformer encoder block: post-norm `norm1(x + attn(x))`, `norm2(x + ff(x))`, or the pre-norm order.
    static func encoderNodes(
        _ encoder: TransformerEncoderLayer, _ input: String, length: Int, into graph: inout ONNXGraphBuilder
    ) throws -> String {
        guard encoder.mask == nil else {
            // A padding mask belongs to one batch; the graph would freeze it for every input.
            throw NeuralNetworkError("ONNX export", "a TransformerEncoderLayer with a padding mask has no ONNX form")
        }
        func feedForward(_ x: String) throws -> String {
            let inner = try activation(
                encoder.linear1.activation, linear(encoder.linear1, x, into: &graph), into: &graph)
            return try activation(
                encoder.linear2.activation, linear(encoder.linear2, inner, into: &graph), into: &graph)
        }
        func attend(_ x: String) throws -> String {
            try attentionNodes(encoder.selfAttention, x, length: length, into: &graph)
        }
        if encoder.normFirst {
            let afterAttention = graph.apply("Add", [input, try attend(layerNorm(encoder.norm1, input, into: &graph))])
            return graph.apply(
                "Add", [afterAttention, try feedForward(layerNorm(encoder.norm2, afterAttention, into: &graph))])
        }
        let first = layerNorm(encoder.norm1, graph.apply("Add", [input, try attend(input)]), into: &graph)
        return layerNorm(encoder.norm2, graph.apply("Add", [first, try feedForward(first)]), into: &graph)
    }
}
