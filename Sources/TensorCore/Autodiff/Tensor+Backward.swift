// Tensor+Backward: every gradient rule of the engine, in one switch.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Tensor {
    /// `g ↦ (∂L/∂input₀, ∂L/∂input₁, …)` for one node; `nil` where the input needs no gradient.
    ///
    /// Runs under `noGrad`, so rules may use ordinary tensor ops. `g` has the node's output shape; each returned
    /// gradient has its input's shape (the sweep checks this).
    static func gradientRule(
        _ operation: Operation, inputs: [Tensor], outputShape: [Int], gradient g: Tensor, needed: [Bool]
    ) throws(TensorError) -> [Tensor?] {
        let x = inputs[0]
        switch operation {
        case .leaf:
            return []

        // MARK: binary elementwise (broadcast gradients are summed back to each operand's shape)
        case .add:
            return [try g.summed(toShape: inputs[0].shape), try g.summed(toShape: inputs[1].shape)]
        case .subtract:
            return [
                try g.summed(toShape: inputs[0].shape), needed[1] ? try (-g).summed(toShape: inputs[1].shape) : nil,
            ]
        case .multiply:
            let (a, b) = (inputs[0], inputs[1])
            return [
                needed[0] ? try (g * b).summed(toShape: a.shape) : nil,
                needed[1] ? try (g * a).summed(toShape: b.shape) : nil,
            ]
        case .divide:
            let (a, b) = (inputs[0], inputs[1])
            return [
                needed[0] ? try (g / b).summed(toShape: a.shape) : nil,
                needed[1] ? try (-(g * a) / b.squared()).summed(toShape: b.shape) : nil,
            ]
        case .power:
            let (a, b) = (inputs[0], inputs[1])
            return [
                needed[0] ? try (g * b * a.raised(to: b - 1)).summed(toShape: a.shape) : nil,
                needed[1] ? try (g * a.raised(to: b) * a.log()).summed(toShape: b.shape) : nil,
            ]
        case .maximum, .minimum:
            let (a, b) = (inputs[0], inputs[1])
            let isMaximum = if case .maximum = operation { true } else { false }
            let mask = isMaximum ? try a.greaterOrEqual(to: b) : try a.lessOrEqual(to: b)
            return [
                needed[0] ? try (g * mask).summed(toShape: a.shape) : nil,
                needed[1] ? try (g * (1 - mask)).summed(toShape: b.shape) : nil,
            ]
        case .select(let mask):
            return [
                needed[0] ? try (g * mask).summed(toShape: inputs[0].shape) : nil,
                needed[1] ? try (g * (1 - mask)).summed(toShape: inputs[1].shape) : nil,
            ]

        // MARK: unary elementwise
        case .negate:
            return [-g]
        case .absolute:
            return [local(g, x) { g, x in x > 0 ? g : (x < 0 ? -g : 0) }]
        case .log:
            return [local(g, x) { g, x in g / x }]
        case .square:
            return [local(g, x) { g, x in 2 * g * x }]
        case .softplus:
            return [local(g, x) { g, x in g * VectorMath.sigmoid(x) }]
        case .gelu:
            return [
                local(g, x) { g, x in
                    let cdf = 0.5 * (1 + erff(x * 0.707_106_77))
                    let density = expf(-0.5 * x * x) * 0.398_942_28
                    return g * (cdf + x * density)
                }
            ]
        case .exp(let y):
            return [local(g, y) { g, y in g * y }]
        case .squareRoot(let y):
            return [local(g, y) { g, y in g / (2 * y) }]
        case .sigmoid(let y):
            return [local(g, y) { g, y in g * y * (1 - y) }]
        case .tanh(let y):
            return [local(g, y) { g, y in g * (1 - y * y) }]
        case .relu:
            return [local(g, x) { g, x in x > 0 ? g : 0 }]
        case .leakyRelu(let slope):
            return [local(g, x) { g, x in x > 0 ? g : slope * g }]
        case .elu(let alpha):
            return [local(g, x) { g, x in x > 0 ? g : g * alpha * expf(x) }]
        case .powerScalar(let p):
            return [local(g, x) { g, x in g * p * powf(x, p - 1) }]
        case .clamp(let lower, let upper):
            return [local(g, x) { g, x in x >= lower && x <= upper ? g : 0 }]

        // MARK: reductions
        case .sum(let axes):
            let kept = reducedShape(x.shape, axes: axes, keepingDimensions: true)
            return [try g.reshaped(to: kept).expanded(to: x.shape)]
        case .extremum(let axes, let output):
            let mask = try x.equal(to: output)
            let ties = try mask.sum(alongAxes: axes, keepingDimensions: true)
            let kept = try g.reshaped(to: output.shape) / ties
            return [try mask * kept]
        case .softmax(let axis, let y):
            return [try y * (g - (g * y).sum(alongAxes: [axis], keepingDimensions: true))]
        case .logSoftmax(let axis, let y):
            return [try g - y.exp() * g.sum(alongAxes: [axis], keepingDimensions: true)]

        // MARK: linear algebra
        case .matmul(let transposeA, let transposeB):
            return try matmulGradients(
                inputs[0], inputs[1], g, transposeA: transposeA, transposeB: transposeB, needed: needed)

        // MARK: movement
        case .reshape:
            return [try g.reshaped(to: x.shape)]
        case .permute(let axes):
            var inverse = axes
            for (position, axis) in axes.enumerated() { inverse[axis] = position }
            return [try g.permuted(inverse)]
        case .expand:
            return [try g.summed(toShape: x.shape)]
        case .view(let view):
            let result = filled(x.shape, with: 0)
            view.accumulate(g.storage, into: result.storage)
            return [result]
        case .pad(let view):
            return [Tensor(shape: x.shape, storage: view.copy(from: g.storage))]
        case .concatenate(let axis):
            let pieces = try g.split(sizes: inputs.map { $0.shape[axis] }, alongAxis: axis)
            return pieces.map { Optional($0) }
        case .gather(let axis, let indices):
            return [scatterAdd(g, into: x.shape, indices: indices, axis: axis)]
        case .indexSelect(let axis, let indices):
            return [indexAdd(g, into: x.shape, indices: indices, axis: axis)]

        // MARK: convolution, pooling, fused kernels
        case .conv2d(let geometry, let columns):
            return try conv2dGradients(geometry, inputs: inputs, columns: columns, gradient: g, needed: needed)
        case .maxPool2d(let geometry, let argmax):
            return [maxPool2dGradient(geometry, argmax: argmax, gradient: g)]
        case .avgPool2d(let geometry):
            return [avgPool2dGradient(geometry, gradient: g)]
        case .biasActivation(let activation, let y):
            let local = activation.derivative(gradient: g, output: y)
            return [local, needed[1] ? try local.summed(toShape: inputs[1].shape) : nil]
        case .softmaxCrossEntropy(let labels, let probabilities):
            return [softmaxCrossEntropyGradient(labels: labels, probabilities: probabilities, gradient: g)]
        case .layerNorm(let normalized, let inverseStandardDeviation):
            return try layerNormGradients(
                inputs: inputs, normalized: normalized, inverseStandardDeviation: inverseStandardDeviation,
                gradient: g, needed: needed)
        case .lstmCell(let output, let gates, let cellTanh):
            return lstmCellGradients(
                output: output, previousCell: inputs[1], activatedGates: gates, cellTanh: cellTanh, gradient: g)
        case .lstm(let record):
            return lstmGradients(record, inputs: inputs, gradient: g, needed: needed)
        }
    }

    /// `f(g[i], v[i])` for the local derivative of a unary op (`v` is its input or output).
    @inline(__always)
    private static func local(_ g: Tensor, _ v: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        Tensor(shape: v.shape, storage: ElementwiseKernel.zip(g.storage, v.storage, f))
    }

    private static func matmulGradients(
        _ a: Tensor, _ b: Tensor, _ g: Tensor, transposeA: Bool, transposeB: Bool, needed: [Bool]
    ) throws(TensorError) -> [Tensor?] {
        if a.rank > 2 && b.rank == 2 && !transposeA {
            // The forward pass folded the batch into rows; so does the backward pass.
            let rows = try a.reshaped(to: [-1, a.shape[a.rank - 1]])
            let gradients = try matmulGradients(
                rows, b, g.reshaped(to: [-1, g.shape[g.rank - 1]]), transposeA: false, transposeB: transposeB,
                needed: needed)
            return [try gradients[0]?.reshaped(to: a.shape), gradients[1]]
        }
        var gradientA: Tensor?
        var gradientB: Tensor?
        switch (transposeA, transposeB) {
        case (false, false):
            if needed[0] { gradientA = try matmul(g, b, transposeB: true) }
            if needed[1] { gradientB = try matmul(a, g, transposeA: true) }
        case (true, false):
            if needed[0] { gradientA = try matmul(b, g, transposeB: true) }
            if needed[1] { gradientB = try matmul(a, g) }
        case (false, true):
            if needed[0] { gradientA = try matmul(g, b) }
            if needed[1] { gradientB = try matmul(g, a, transposeA: true) }
        case (true, true):
            if needed[0] { gradientA = try matmul(b, g, transposeA: true, transposeB: true) }
            if needed[1] { gradientB = try matmul(g, a, transposeA: true, transposeB: true) }
        }
        return [try gradientA?.summed(toShape: a.shape), try gradientB?.summed(toShape: b.shape)]
    }

    /// The transpose of `gather`: adds `g` into zeros of `shape` at the gathered positions.
    private static func scatterAdd(_ g: Tensor, into shape: [Int], indices: IndexTensor, axis: Int) -> Tensor {
        let result = filled(shape, with: 0)
        let outer = count(of: shape[..<axis])
        let extent = shape[axis]
        let picked = indices.shape[axis]
        let inner = count(of: shape[(axis + 1)...])
        for o in 0..<outer {
            for p in 0..<picked {
                for i in 0..<inner {
                    let position = (o * picked + p) * inner + i
                    result.storage.pointer[(o * extent + indices.indices[position]) * inner + i] +=
                        g.storage.pointer[position]
                }
            }
        }
        return result
    }

    /// The transpose of `indexSelect`: adds each selected slice of `g` back at its index.
    private static func indexAdd(_ g: Tensor, into shape: [Int], indices: IndexTensor, axis: Int) -> Tensor {
        let result = filled(shape, with: 0)
        let outer = count(of: shape[..<axis])
        let extent = shape[axis]
        let inner = count(of: shape[(axis + 1)...])
        var source = g.storage.pointer
        for o in 0..<outer {
            let block = result.storage.pointer + o * extent * inner
            for index in indices.indices {
                let row = block + index * inner
                for i in 0..<inner { row[i] += source[i] }
                source += inner
            }
        }
        return result
    }
}
