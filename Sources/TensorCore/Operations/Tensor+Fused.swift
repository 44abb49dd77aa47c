// Tensor+Fused: kernels that fuse several ops into one pass and one graph node per result (bias + activation,
// softmax + cross-entropy, layer normalization, an LSTM cell step).

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which result of `Tensor.lstmCell` a graph node stands for.
enum LSTMCellOutput: Sendable, Equatable {
    case hidden, cell
}

/// An activation that a fused kernel applies after its affine part.
public enum Activation: String, Sendable, CaseIterable {
    case identity, relu, sigmoid, tanh

    /// `g · f′(x)`, written in terms of the output `y = f(x)`.
    func derivative(gradient g: Tensor, output y: Tensor) -> Tensor {
        let storage: TensorStorage
        switch self {
        case .identity: return g
        case .relu: storage = ElementwiseKernel.zip(g.storage, y.storage) { g, y in y > 0 ? g : 0 }
        case .sigmoid: storage = ElementwiseKernel.zip(g.storage, y.storage) { g, y in g * y * (1 - y) }
        case .tanh: storage = ElementwiseKernel.zip(g.storage, y.storage) { g, y in g * (1 - y * y) }
        }
        return Tensor(shape: y.shape, storage: storage)
    }
}

extension Tensor {
    /// `activation(self + bias)` in one pass, the bias broadcast along the last axis (a dense layer's epilogue).
    ///
    /// - Shape: `[..., F] + [F] → [..., F]`.
    /// - Gradient: `d = g · f′`; `dx = d`, `dBias = Σ_rows d`.
    public func addingBias(_ bias: Tensor, activation: Activation = .identity) throws(TensorError) -> Tensor {
        guard rank >= 1, bias.shape == [shape[rank - 1]] else {
            throw TensorError("addingBias", shapes: [shape, bias.shape], "the bias must be [\(shape.last ?? 0)]")
        }
        let features = bias.scalarCount
        let output = TensorStorage(uninitializedCount: scalarCount)
        let rows = features == 0 ? 0 : scalarCount / features
        let source = storage.pointer
        let offsets = bias.storage.pointer
        let destination = output.pointer
        switch activation {
        case .identity: Self.biasLoop(source, offsets, destination, rows, features) { $0 }
        case .relu: Self.biasLoop(source, offsets, destination, rows, features) { $0 > 0 ? $0 : 0 }
        case .sigmoid:
            // Add, then activate the whole buffer in one vectorizable pass.
            Self.biasLoop(source, offsets, destination, rows, features) { $0 }
            VectorMath.map(destination, destination, count: scalarCount, VectorMath.sigmoid)
        case .tanh:
            Self.biasLoop(source, offsets, destination, rows, features) { $0 }
            VectorMath.map(destination, destination, count: scalarCount, VectorMath.tanh)
        }
        let saved = Tensor(shape: shape, storage: output)
        return Tensor(
            result: output, shape: shape, operation: .biasActivation(activation, output: saved), inputs: [self, bias])
    }

    /// `activation(x · Wᵀ + bias)`, a dense layer's forward pass, as one op.
    ///
    /// - Shape: x `[..., in]`, weight `[out, in]`, bias `[out]` → `[..., out]`.
    /// - Gradient: recorded as `matmul(x, weight, transposeB: true)` followed by ``addingBias(_:activation:)``.
    /// - Inference: when no gradient is recorded, the bias rows are written into the result first and one GEMM adds
    ///   the product onto them (`beta = 1`), the activation then applied in place: one buffer instead of two, and no
    ///   separate bias pass (the same sums and the same one rounding of `Σ + bias`).
    public static func linear(
        _ x: Tensor, weight: Tensor, bias: Tensor, activation: Activation = .identity
    ) throws(TensorError) -> Tensor {
        let tracked =
            (x.node != nil || weight.node != nil || bias.node != nil) && EngineContext.current.isRecordingGradients
        guard !tracked, x.rank >= 1, weight.rank == 2, x.shape[x.rank - 1] == weight.shape[1], weight.shape[1] > 0,
            bias.shape == [weight.shape[0]]
        else {
            // The two ops: the graph while recording, and every operand error worded as they word it.
            return try matmul(x, weight, transposeB: true).addingBias(bias, activation: activation)
        }
        let (inputs, outputs) = (weight.shape[1], weight.shape[0])
        let rows = x.scalarCount / inputs
        let outputShape = Array(x.shape.dropLast()) + [outputs]
        try reserve(outputShape, operation: "linear", operands: [x.shape, weight.shape, bias.shape])
        let output = TensorStorage(uninitializedCount: rows * outputs)
        for row in 0..<rows { (output.pointer + row * outputs).update(from: bias.storage.pointer, count: outputs) }
        gemm(
            x.storage.pointer, weight.storage.pointer, output.pointer, m: rows, n: outputs, k: inputs,
            transposeA: false, transposeB: true, accumulate: true)
        switch activation {
        case .identity: break
        case .relu:
            // `relu()`'s own expression, so that NaN maps the same way (to 0).
            for index in 0..<output.count {
                let y = output.pointer[index]
                output.pointer[index] = y > 0 ? y : 0
            }
        case .sigmoid: VectorMath.map(output.pointer, output.pointer, count: output.count, VectorMath.sigmoid)
        case .tanh: VectorMath.map(output.pointer, output.pointer, count: output.count, VectorMath.tanh)
        }
        return Tensor(
            result: output, shape: outputShape,
            operation: .biasActivation(activation, output: Tensor(shape: outputShape, storage: output)),
            inputs: [x, weight, bias], tracked: false)
    }

    @inline(__always)
    private static func biasLoop(
        _ source: UnsafePointer<Float>, _ bias: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>,
        _ rows: Int, _ features: Int, _ f: (Float) -> Float
    ) {
        for row in 0..<rows {
            let input = source + row * features
            let output = destination + row * features
            for j in 0..<features { output[j] = f(input[j] + bias[j]) }
        }
    }

    /// The mean cross-entropy of `softmax(logits)` against integer labels, in one stable pass:
    /// `L = −(1/N) Σₙ log softmax(logitsₙ)[labelₙ]`.
    ///
    /// - Shape: logits `[N, C]`, labels `[N]` with values in `0..<C` → `[]`. Logits `[..., C]` with labels `[...]`
    ///   (a sequence task's `[N, T, C]` and `[N, T]`) average over all leading positions.
    /// - Gradient: `(softmax(logits) − onehot(labels)) / N`.
    public static func softmaxCrossEntropy(logits: Tensor, labels: IndexTensor) throws(TensorError) -> Tensor {
        if logits.rank > 2 && labels.shape == Array(logits.shape.dropLast()) {
            let classes = logits.shape[logits.rank - 1]
            return try softmaxCrossEntropy(
                logits: logits.reshaped(to: [-1, classes]), labels: IndexTensor(labels.indices))
        }
        guard logits.rank == 2, labels.shape == [logits.shape[0]] else {
            throw TensorError(
                "crossEntropy", shapes: [logits.shape, labels.shape], "logits must be [N, C] and labels [N]")
        }
        let (rows, classes) = (logits.shape[0], logits.shape[1])
        try labels.validate(below: classes, operation: "crossEntropy", shapes: [logits.shape, labels.shape])
        let probabilities = logits.softmaxKernel(axis: 1, logarithmic: false)
        var total: Double = 0
        for row in 0..<rows {
            let label = labels.indices[row]
            // log p from the logits directly, so that a vanishing probability gives a large finite loss.
            let logits = logits.storage.pointer + row * classes
            var maximum = -Float.infinity
            for c in 0..<classes { maximum = Swift.max(maximum, logits[c]) }
            var sum: Float = 0
            for c in 0..<classes { sum += expf(logits[c] - maximum) }
            total -= Double(logits[label] - maximum - logf(sum))
        }
        let loss = TensorStorage(repeating: Float(total / Double(Swift.max(rows, 1))), count: 1)
        let saved = Tensor(shape: logits.shape, storage: probabilities)
        return Tensor(
            result: loss, shape: [], operation: .softmaxCrossEntropy(labels: labels, probabilities: saved),
            inputs: [logits])
    }

    static func softmaxCrossEntropyGradient(labels: IndexTensor, probabilities: Tensor, gradient: Tensor) -> Tensor {
        let (rows, classes) = (probabilities.shape[0], probabilities.shape[1])
        let scale = gradient.storage.pointer[0] / Float(Swift.max(rows, 1))
        let result = ElementwiseKernel.map(probabilities.storage) { $0 * scale }
        for row in 0..<rows { result.pointer[row * classes + labels.indices[row]] -= scale }
        return Tensor(shape: probabilities.shape, storage: result)
    }

    /// Layer normalization over the last axis: `γ ⊙ (x − μ) / √(σ² + ε) + β`, μ and σ² per row (biased variance).
    ///
    /// - Shape: `[..., F]`, `gamma` and `beta` `[F]` → `[..., F]`.
    /// - Gradient: `dx = (1/σ)(d̂ − mean(d̂) − x̂·mean(d̂ ⊙ x̂))` with `d̂ = g ⊙ γ`; `dγ = Σ g ⊙ x̂`; `dβ = Σ g`.
    public func layerNormalized(gamma: Tensor, beta: Tensor, epsilon: Float = 1e-5) throws(TensorError) -> Tensor {
        guard rank >= 1, gamma.shape == [shape[rank - 1]], beta.shape == gamma.shape else {
            throw TensorError(
                "layerNorm", shapes: [shape, gamma.shape, beta.shape], "gamma and beta must be [\(shape.last ?? 0)]")
        }
        let features = gamma.scalarCount
        let rows = features == 0 ? 0 : scalarCount / features
        let normalized = TensorStorage(uninitializedCount: scalarCount)
        let inverse = TensorStorage(uninitializedCount: rows)
        let output = TensorStorage(uninitializedCount: scalarCount)
        for row in 0..<rows {
            let x = storage.pointer + row * features
            let mean = ReductionKernel.contiguousSum(x, count: features) / Float(features)
            var variance: Float = 0
            for j in 0..<features { variance += (x[j] - mean) * (x[j] - mean) }
            let scale = 1 / (variance / Float(features) + epsilon).squareRoot()
            inverse.pointer[row] = scale
            let xHat = normalized.pointer + row * features
            let y = output.pointer + row * features
            for j in 0..<features {
                xHat[j] = (x[j] - mean) * scale
                y[j] = xHat[j] * gamma.storage.pointer[j] + beta.storage.pointer[j]
            }
        }
        return Tensor(
            result: output, shape: shape,
            operation: .layerNorm(
                normalized: Tensor(shape: shape, storage: normalized),
                inverseStandardDeviation: Tensor(shape: [rows], storage: inverse)),
            inputs: [self, gamma, beta])
    }

    static func layerNormGradients(
        inputs: [Tensor], normalized: Tensor, inverseStandardDeviation: Tensor, gradient g: Tensor, needed: [Bool]
    ) throws(TensorError) -> [Tensor?] {
        let gamma = inputs[1]
        let features = gamma.scalarCount
        let rows = inverseStandardDeviation.scalarCount
        let dx = TensorStorage(uninitializedCount: normalized.scalarCount)
        let dGamma = TensorStorage(repeating: 0, count: features)
        let dBeta = TensorStorage(repeating: 0, count: features)
        for row in 0..<rows {
            let gRow = g.storage.pointer + row * features
            let xHat = normalized.storage.pointer + row * features
            var meanD: Float = 0
            var meanDX: Float = 0
            for j in 0..<features {
                let d = gRow[j] * gamma.storage.pointer[j]
                meanD += d
                meanDX += d * xHat[j]
                dGamma.pointer[j] += gRow[j] * xHat[j]
                dBeta.pointer[j] += gRow[j]
            }
            meanD /= Float(features)
            meanDX /= Float(features)
            let scale = inverseStandardDeviation.storage.pointer[row]
            let out = dx.pointer + row * features
            for j in 0..<features {
                out[j] = scale * (gRow[j] * gamma.storage.pointer[j] - meanD - xHat[j] * meanDX)
            }
        }
        return [
            Tensor(shape: normalized.shape, storage: dx),
            needed[1] ? Tensor(shape: [features], storage: dGamma) : nil,
            needed[2] ? Tensor(shape: [features], storage: dBeta) : nil,
        ]
    }

    /// One LSTM cell step from pre-activation gates (`x·Wₓ + h·Wₕ + b`, gate order i, f, g, o as in PyTorch):
    /// `c′ = σ(f) ⊙ c + σ(i) ⊙ tanh(g)`, `h′ = σ(o) ⊙ tanh(c′)`, all in one pass, one graph node per result.
    ///
    /// - Shape: gates `[N, 4H]`, cell `[N, H]` → `(hidden: [N, H], cell: [N, H])`.
    public static func lstmCell(gates: Tensor, cell: Tensor) throws(TensorError) -> (hidden: Tensor, cell: Tensor) {
        guard gates.rank == 2, cell.rank == 2, gates.shape[0] == cell.shape[0], gates.shape[1] == 4 * cell.shape[1]
        else {
            throw TensorError("lstmCell", shapes: [gates.shape, cell.shape], "gates must be [N, 4H] and cell [N, H]")
        }
        let (rows, hidden) = (cell.shape[0], cell.shape[1])
        let activated = TensorStorage(uninitializedCount: gates.scalarCount)
        let cellTanh = TensorStorage(uninitializedCount: cell.scalarCount)
        let hiddenOutput = TensorStorage(uninitializedCount: cell.scalarCount)
        let cellOutput = TensorStorage(uninitializedCount: cell.scalarCount)
        for row in 0..<rows {
            let z = gates.storage.pointer + row * 4 * hidden
            let a = activated.pointer + row * 4 * hidden
            let previous = cell.storage.pointer + row * hidden
            let h = hiddenOutput.pointer + row * hidden
            let c = cellOutput.pointer + row * hidden
            let t = cellTanh.pointer + row * hidden
            VectorMath.map(z, a, count: hidden, VectorMath.sigmoid)  // input gate
            VectorMath.map(z + hidden, a + hidden, count: hidden, VectorMath.sigmoid)  // forget gate
            VectorMath.map(z + 2 * hidden, a + 2 * hidden, count: hidden, VectorMath.tanh)  // candidate
            VectorMath.map(z + 3 * hidden, a + 3 * hidden, count: hidden, VectorMath.sigmoid)  // output gate
            for j in 0..<hidden { c[j] = a[hidden + j] * previous[j] + a[j] * a[2 * hidden + j] }
            VectorMath.map(c, t, count: hidden, VectorMath.tanh)
            for j in 0..<hidden { h[j] = a[3 * hidden + j] * t[j] }
        }
        // Two results, one node each over the same saved activations. The backward pass is linear in (dh′, dc′),
        // so each node's rule adds its own output's share to the gates' and the cell's gradients.
        let saved = Tensor(shape: gates.shape, storage: activated)
        let savedTanh = Tensor(shape: cell.shape, storage: cellTanh)
        let tracked = gates.node != nil || cell.node != nil
        let newHidden = Tensor(
            result: hiddenOutput, shape: cell.shape,
            operation: .lstmCell(output: .hidden, gates: saved, cellTanh: savedTanh), inputs: [gates, cell],
            tracked: tracked)
        let newCell = Tensor(
            result: cellOutput, shape: cell.shape,
            operation: .lstmCell(output: .cell, gates: saved, cellTanh: savedTanh), inputs: [gates, cell],
            tracked: tracked)
        return (newHidden, newCell)
    }

    /// One output's share of the LSTM cell's gradients: with `t = tanh c′`,
    /// `dc′ = g_c` (cell output) or `g_h·o·(1 − t²)` (hidden output), then `dz_i = dc′·g·i(1 − i)`,
    /// `dz_f = dc′·c·f(1 − f)`, `dz_g = dc′·i·(1 − g²)`, `dz_o = g_h·t·o(1 − o)` (hidden only), `dc = dc′·f`.
    static func lstmCellGradients(
        output: LSTMCellOutput, previousCell: Tensor, activatedGates: Tensor, cellTanh: Tensor, gradient g: Tensor
    ) -> [Tensor?] {
        let (rows, hidden) = (previousCell.shape[0], previousCell.shape[1])
        let dGates = TensorStorage(uninitializedCount: activatedGates.scalarCount)
        let dCell = TensorStorage(uninitializedCount: previousCell.scalarCount)
        let isHidden = output == .hidden
        for row in 0..<rows {
            let a = activatedGates.storage.pointer + row * 4 * hidden
            let dz = dGates.pointer + row * 4 * hidden
            let gradient = g.storage.pointer + row * hidden
            let previous = previousCell.storage.pointer + row * hidden
            let t = cellTanh.storage.pointer + row * hidden
            let dc = dCell.pointer + row * hidden
            for j in 0..<hidden {
                let (input, forget, candidate, gate) = (a[j], a[hidden + j], a[2 * hidden + j], a[3 * hidden + j])
                let dC = isHidden ? gradient[j] * gate * (1 - t[j] * t[j]) : gradient[j]
                dz[j] = dC * candidate * input * (1 - input)
                dz[hidden + j] = dC * previous[j] * forget * (1 - forget)
                dz[2 * hidden + j] = dC * input * (1 - candidate * candidate)
                dz[3 * hidden + j] = isHidden ? gradient[j] * t[j] * gate * (1 - gate) : 0
                dc[j] = dC * forget
            }
        }
        return [
            Tensor(shape: activatedGates.shape, storage: dGates), Tensor(shape: previousCell.shape, storage: dCell),
        ]
    }
}
