// Sequential: a chain of layers, each feeding the next, and the model summary.
import TensorCore

/// Layers applied in order. Its parameters are named `0.weight`, `1.bias`, … as in a PyTorch `nn.Sequential`.
///
/// ```swift
/// let model = try Sequential([Dense(64, 128, activation: .relu), Dropout(0.2), Dense(128, 10)], seed: 0)
/// ```
public final class Sequential: Layer {
    public let layers: [any Layer]

    /// A chain of `layers`; with a `seed`, every parameter is re-drawn from one generator seeded with it, so each
    /// layer gets its own stream (layers built with the same default seed would otherwise start alike).
    public init(_ layers: [any Layer], seed: UInt64? = nil) throws {
        self.layers = layers
        if let seed {
            var generator = RandomGenerator(seed: seed)
            try resetParameters(using: &generator)
        }
    }

    public var children: [(name: String, layer: any Layer)] {
        layers.enumerated().map { (name: String($0.offset), layer: $0.element) }
    }

    /// Each layer on the previous one's output. A `Conv2D` followed by `MaxPool2D(2)` (stride 2, no padding) runs as
    /// one op, `conv2dMaxPooled`: the same values (the same two ops while a gradient is recorded), and on the
    /// inference path the convolution's output is pooled in registers instead of being written and read back.
    public func forward(_ input: Tensor, context: LayerContext) throws -> Tensor {
        var x = input
        var index = 0
        while index < layers.count {
            if index + 1 < layers.count, let convolution = layers[index] as? Conv2D,
                let pool = layers[index + 1] as? MaxPool2D, pool.kernel == 2, pool.stride == 2, pool.padding == 0,
                let pooled = try convolution.forwardMaxPooled(x)
            {
                x = pooled
                index += 2
                continue
            }
            x = try layers[index].forward(x, context: context)
            index += 1
        }
        return x
    }
}

/// One row of a model summary: a layer, its output shape and its parameter count.
public struct LayerSummaryRow: Sendable, Equatable {
    /// The child's name (`0`, `1`, …) or the layer's kind for a single layer.
    public let name: String
    /// The layer's kind (`Dense(relu)`, `Conv2D(3×3)`).
    public let kind: String
    /// The output shape, with the batch axis shown as -1.
    public let outputShape: [Int]
    /// Trainable scalars in the layer.
    public let parameterCount: Int
}

extension Layer {
    /// One row per child (or one for a leaf layer), found by running one example of `inputShape` (without the batch
    /// axis) through the model in evaluation mode.
    public func summary(inputShape: [Int]) throws -> [LayerSummaryRow] {
        try noGrad {
            var x = try Tensor.zeros([1] + inputShape)
            let context = LayerContext.evaluation
            let parts = children.isEmpty ? [(name: kind, layer: self as any Layer)] : children
            var rows: [LayerSummaryRow] = []
            for part in parts {
                x = try part.layer.forward(x, context: context)
                rows.append(
                    LayerSummaryRow(
                        name: part.name, kind: part.layer.kind, outputShape: [-1] + x.shape.dropFirst(),
                        parameterCount: part.layer.parameterCount))
            }
            return rows
        }
    }

    /// The summary as a text table (layer, output shape, parameters, and the total).
    public func summaryDescription(inputShape: [Int]) throws -> String {
        let rows = try summary(inputShape: inputShape)
        func shape(_ s: [Int]) -> String { "[" + s.map { $0 < 0 ? "N" : String($0) }.joined(separator: ", ") + "]" }
        let table = rows.map { ["\($0.name) \($0.kind)", shape($0.outputShape), String($0.parameterCount)] }
        let headers = ["layer", "output shape", "parameters"]
        let widths = (0..<3).map { column in ([headers[column]] + table.map { $0[column] }).map(\.count).max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        let total = rows.reduce(0) { $0 + $1.parameterCount }
        return ([line(headers)] + table.map(line) + ["total parameters: \(total)"]).joined(separator: "\n")
    }
}
