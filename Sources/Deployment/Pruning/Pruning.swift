// Pruning: magnitude (per layer or global), structured channel pruning of convolutions, and 2:4 patterns, as masks.
import NeuralNetworks
import TensorCore

/// Prunes a model's weights by setting 0/1 masks on its parameters (``Parameter/setMask(_:)``): the pruned
/// scalars become zero now and stay zero through further training, because every optimizer's `step` masks the
/// gradient and re-applies the mask (so `fit` is the fine-tuning step of an iterative prune-and-fine-tune loop).
///
/// Pruning applies to weights: trainable parameters of rank ≥ 2 (Dense, Conv2D, recurrent, attention and
/// embedding matrices); biases and normalization parameters are left whole. Pruning again combines with the
/// mask a parameter already has (a pruned scalar has magnitude 0, so it is the first to go).
///
/// ```swift
/// try Pruning.magnitude(model, sparsity: 0.5, scope: .global)
/// _ = try model.fit(train, epochs: 2, batchSize: 32, loss: .crossEntropy(), optimizer: Adam(learningRate: 1e-3))
/// print(Pruning.sparsityTable(model).plainText)
/// ```
public enum Pruning {
    /// Which weights compete for the smallest magnitudes.
    public enum Scope: Sendable, Equatable {
        /// Each weight tensor loses the same fraction.
        case perLayer
        /// All weight tensors together: layers with many small weights lose more.
        case global
    }

    /// The parameters pruning applies to, with their `state_dict` names.
    public static func prunableParameters(of model: any Layer) -> [(name: String, parameter: Parameter)] {
        model.namedParameters.filter { $0.parameter.isTrainable && $0.parameter.value.rank >= 2 }
    }

    /// Zeroes the fraction `sparsity` (0…1) of the weights with the smallest magnitude, per tensor or globally.
    /// Ties at the threshold are broken by position, so exactly `⌊sparsity · count⌋` scalars are pruned.
    public static func magnitude(_ model: any Layer, sparsity: Double, scope: Scope = .perLayer) throws {
        guard sparsity >= 0, sparsity <= 1 else {
            throw NeuralNetworkError("prune", "sparsity must be in 0…1, got \(sparsity)")
        }
        let targets = prunableParameters(of: model)
        switch scope {
        case .perLayer:
            for (_, parameter) in targets {
                let values = parameter.value.scalars
                let pruned = smallest(values.map(Swift.abs), count: Int(sparsity * Double(values.count)))
                try parameter.setMask(mask(for: parameter, removing: pruned, offset: 0))
            }
        case .global:
            let magnitudes = targets.flatMap { $0.parameter.value.scalars.map(Swift.abs) }
            // In index order, so each tensor takes its own run of the global indices (not a scan of all of them).
            let pruned = smallest(magnitudes, count: Int(sparsity * Double(magnitudes.count))).sorted()
            var (offset, start) = (0, 0)
            for (_, parameter) in targets {
                let end = offset + parameter.value.scalarCount
                let stop = pruned[start...].firstIndex { $0 >= end } ?? pruned.endIndex
                try parameter.setMask(mask(for: parameter, removing: pruned[start..<stop], offset: offset))
                (offset, start) = (end, stop)
            }
        }
    }

    /// Structured pruning: in every `Conv2D`, zeroes whole output channels (the filter and its bias) with the
    /// smallest L1 norms, `⌊fraction · channels⌋` of them; the layer then computes zero (before its activation) on
    /// those channels, and a smaller convolution without them computes the same.
    public static func channels(_ model: any Layer, fraction: Double) throws {
        guard fraction >= 0, fraction < 1 else {
            throw NeuralNetworkError("prune", "the channel fraction must be in 0..<1, got \(fraction)")
        }
        for conv in layers(of: model).compactMap({ $0 as? Conv2D }) {
            let weight = conv.weight.value.scalars
            let perChannel = weight.count / conv.outputChannels
            let norms = (0..<conv.outputChannels).map { channel in
                weight[(channel * perChannel)..<((channel + 1) * perChannel)].reduce(Float(0)) { $0 + Swift.abs($1) }
            }
            let removed = Set(smallest(norms, count: Int(fraction * Double(conv.outputChannels))))
            let keep = (0..<weight.count).map { removed.contains($0 / perChannel) ? Float(0) : 1 }
            try conv.weight.setMask(Tensor(shape: conv.weight.shape, scalars: keep))
            if let bias = conv.bias {
                let keepBias = (0..<conv.outputChannels).map { removed.contains($0) ? Float(0) : 1 }
                try bias.setMask(Tensor(shape: bias.shape, scalars: keepBias))
            }
        }
    }

    /// The 2:4 pattern of sparse tensor cores: in every group of four consecutive weights along a row (the input
    /// axis; for a convolution, the flattened `C·kh·kw`), the two with the smallest magnitude are zeroed. A last
    /// group of fewer than four keeps at most two.
    public static func twoOfFour(_ model: any Layer) throws {
        for (_, parameter) in prunableParameters(of: model) {
            let values = parameter.value.scalars
            let rowLength = values.count / parameter.shape[0]
            var keep = [Float](repeating: 1, count: values.count)
            for row in 0..<parameter.shape[0] {
                for groupStart in stride(from: 0, to: rowLength, by: 4) {
                    let group = (groupStart..<Swift.min(groupStart + 4, rowLength)).map { row * rowLength + $0 }
                    guard group.count > 2 else { continue }
                    let order = group.sorted { (Swift.abs(values[$0]), $0) < (Swift.abs(values[$1]), $1) }
                    for index in order.prefix(group.count - 2) { keep[index] = 0 }
                }
            }
            try parameter.setMask(Tensor(shape: parameter.shape, scalars: keep))
        }
    }

    /// Removes every mask (the zeros stay; training may revive them).
    public static func removeMasks(_ model: any Layer) throws {
        for (_, parameter) in model.namedParameters { try parameter.setMask(nil) }
    }

    /// The leaf layers of a model (nested containers walked in order).
    static func layers(of model: any Layer) -> [any Layer] {
        model.children.isEmpty ? [model] : model.children.flatMap { layers(of: $0.layer) }
    }

    /// The indices of the `count` smallest values (ties by position).
    static func smallest(_ values: [Float], count: Int) -> [Int] {
        guard count > 0 else { return [] }
        return Array(values.indices.sorted { (values[$0], $0) < (values[$1], $1) }.prefix(count))
    }

    /// A mask of `parameter`'s shape with zeros at the `removed` global indices that fall in its range, combined
    /// with the mask it already has.
    static func mask(for parameter: Parameter, removing removed: some Sequence<Int>, offset: Int) throws -> Tensor {
        let count = parameter.value.scalarCount
        var keep = parameter.mask?.scalars ?? [Float](repeating: 1, count: count)
        for index in removed where index >= offset && index < offset + count { keep[index - offset] = 0 }
        return try Tensor(shape: parameter.shape, scalars: keep)
    }
}
