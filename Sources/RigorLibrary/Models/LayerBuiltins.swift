// LayerBuiltins: the layer types (`Dense`, `Conv2D`, `LSTM`, …): each initializer builds the engine layer and
// remembers how it was written (the summary's spec) and its arguments by name (the checkpoint's description).
import Foundation
import NeuralNetworks
import RigorScript
import TensorCore

extension RigorLibrary {
    /// Declares an initializer of the layer type `name`: `make` builds the engine layer from the decoded arguments;
    /// the layer keeps its spec (`Conv2D(1, 16, padding: 1)`, arguments left at their default omitted) and its
    /// description. A second initializer of the same type is an overload (`Dense(in, out)`, `Dense(out)`).
    private static func layer<each T>(
        _ name: String, in registry: BuiltinRegistry, _ arguments: repeat Arg<each T>, typeDoc: String? = nil,
        doc: String, example: String, _ make: @escaping (repeat each T) throws -> any Layer
    ) {
        let parameters = Parameters(repeat each arguments)
        let type = registry.type(named: name, of: LayerObject.self, doc: typeDoc, conformsTo: ["Layer"])
        let signature = Signature(name, parameters.declarations, returns: name, doc: doc, example: example)
        type.descriptor.addInitializer(
            BuiltinFunction(signature) { arguments, context in
                let values = try parameters.decode(arguments, context: context)
                let layer = try parameters.blaming { try engine { try make(repeat each values) } }
                let given = arguments.byName(parameters.declarations)
                let spec =
                    name + "("
                    + given.compactMap { parameter, value in
                        if let defaultValue = parameter.defaultValue, defaultValue == value { return nil }
                        return (parameter.label.map { "\($0): " } ?? "") + value.debugDescription
                    }.joined(separator: ", ") + ")"
                return .object(
                    LayerObject(layer, typeName: name, spec: spec, layerDescription: layerDescription(name, given)))
            })
        type.property("parameterCount", doc: "The number of trainable numbers.") { $0.layer.parameterCount }
    }

    /// `activation: Activation = .identity`.
    private static var activation: Arg<ActivationFunction> {
        Arg(
            "activation", choices: activations, defaultValue: .implicitMember(ImplicitMember(name: "identity")),
            text: ".identity")
    }

    static func registerLayers(in registry: BuiltinRegistry) {
        let denseDoc = "A fully connected layer `y = activation(x·Wᵀ + b)`: `[..., in] → [..., out]`."
        layer(
            "Dense", in: registry, Arg<Int>(nil, "inputSize"), Arg<Int>(nil, "outputSize"), activation,
            typeDoc: denseDoc, doc: denseDoc, example: "Dense(64, 32, activation: .relu)"
        ) { inputSize, outputSize, activation in try Dense(inputSize, outputSize, activation: activation) }
        layer(
            "Dense", in: registry, Arg<Int>(nil, "outputSize"), activation,
            doc: "A dense layer to `outputSize` features whose input size is taken from its first input.",
            example: "Sequential([Flatten(), Dense(32, activation: .relu), Dense(10)])"
        ) { outputSize, activation in try LazyDense(outputSize, activation: activation) }
        let convolutionDoc = "A 2-D convolution: `[N, C, H, W] → [N, O, OH, OW]`."
        layer(
            "Conv2D", in: registry, Arg<Int>(nil, "inputChannels"), Arg<Int>(nil, "outputChannels"),
            Arg("kernel", default: 3), Arg("stride", default: 1), Arg("padding", default: 0), activation,
            typeDoc: convolutionDoc, doc: convolutionDoc,
            example: "Conv2D(1, 16, kernel: 3, padding: 1, activation: .relu)"
        ) { inputChannels, outputChannels, kernel, stride, padding, activation in
            try Conv2D(
                inputChannels, outputChannels, kernelSize: kernel, stride: stride, padding: padding,
                activation: activation)
        }
        let pools: [(String, String, (Int, Int?) -> any Layer)] = [
            ("MaxPool2D", "Max pooling", { MaxPool2D($0, stride: $1) }),
            ("AvgPool2D", "Average pooling", { AvgPool2D($0, stride: $1) }),
        ]
        for (name, what, make) in pools {
            let doc = "\(what) over `kernel × kernel` windows (stride defaults to the kernel)."
            layer(
                name, in: registry, Arg(nil, "kernel", default: 2), Arg<Int?>("stride", default: nil), typeDoc: doc,
                doc: doc, example: "\(name)(2)", make)
        }
        for (name, doc, example, make) in [
            ("Flatten", "Flattens `[N, ...]` to `[N, F]`.", "Flatten()", { Flatten() }),
            (
                "GlobalAvgPool", "Averages each channel: `[N, C, H, W] → [N, C]`.", "GlobalAvgPool()",
                { GlobalAvgPool() }
            ),
        ] as [(String, String, String, () -> any Layer)] {
            layer(name, in: registry, typeDoc: doc, doc: doc, example: example, make)
        }
        let dropoutDoc = "Zeroes a fraction `rate` of the inputs while training (inverted dropout)."
        layer(
            "Dropout", in: registry, Arg<Float>(nil, "rate"), typeDoc: dropoutDoc, doc: dropoutDoc,
            example: "Dropout(0.25)"
        ) { rate in try Dropout(rate) }
        let batchNormDoc = "Batch normalization over channels: `[N, C]`, `[N, C, L]` or `[N, C, H, W]`."
        layer(
            "BatchNorm", in: registry, Arg<Int>(nil, "features"), typeDoc: batchNormDoc, doc: batchNormDoc,
            example: "BatchNorm(16)"
        ) { features in try BatchNorm(features) }
        let layerNormDoc = "Layer normalization over the last axis `[..., F]`."
        layer(
            "LayerNorm", in: registry, Arg<Int>(nil, "features"), typeDoc: layerNormDoc, doc: layerNormDoc,
            example: "LayerNorm(64)"
        ) { features in try LayerNorm(features) }
        layer(
            "Activation", in: registry, Arg(nil, "function", choices: activations),
            typeDoc: "An activation as a layer.", doc: "An activation as a layer.", example: "Activation(.relu)"
        ) { function in NeuralNetworks.Activation(function) }
        let embeddingDoc = "A lookup table of vectors: ids `[...]` → `[..., dimension]`."
        layer(
            "Embedding", in: registry, Arg<Int>(nil, "vocabularySize"), Arg<Int>(nil, "dimension"),
            typeDoc: embeddingDoc, doc: embeddingDoc, example: "Embedding(100, 16)"
        ) { vocabularySize, dimension in try Embedding(vocabularySize, dimension) }
        let positionalDoc =
            "A learned vector per position added to a sequence `[N, T, dimension]` (T ≤ `maximumLength`), so "
            + "that attention, which ignores order, can tell positions apart. Put it right after `Embedding`."
        layer(
            "PositionalEmbedding", in: registry, Arg<Int>("maximumLength"), Arg<Int>("dimension"),
            typeDoc: positionalDoc, doc: positionalDoc, example: "PositionalEmbedding(maximumLength: 8, dimension: 32)"
        ) { maximumLength, dimension in try PositionalEmbedding(maximumLength: maximumLength, dimension: dimension) }
        let sinusoidalDoc =
            "The fixed sine/cosine position code of \"Attention Is All You Need\" added to `[N, T, dimension]`: "
            + "no parameters, and it extends to any length up to `maximumLength`."
        layer(
            "SinusoidalPositionalEncoding", in: registry, Arg<Int>("maximumLength"), Arg<Int>("dimension"),
            typeDoc: sinusoidalDoc, doc: sinusoidalDoc,
            example: "SinusoidalPositionalEncoding(maximumLength: 512, dimension: 32)"
        ) { maximumLength, dimension in
            try SinusoidalPositionalEncoding(maximumLength: maximumLength, dimension: dimension)
        }
        let recurrent: [(String, String, (Int, Int, Bool, Bool) throws -> any Layer)] = [
            (
                "LSTM", "A long short-term memory layer",
                { try LSTM($0, $1, returnSequences: $2, bidirectional: $3) }
            ),
            ("GRU", "A gated recurrent unit layer", { try GRU($0, $1, returnSequences: $2, bidirectional: $3) }),
            (
                "SimpleRNN", "An Elman recurrent layer",
                { try SimpleRNN($0, $1, returnSequences: $2, bidirectional: $3) }
            ),
        ]
        for (name, what, make) in recurrent {
            let doc = "\(what): `[N, T, I] → [N, H]` (or `[N, T, H]` with `returnSequences`)."
            layer(
                name, in: registry, Arg<Int>(nil, "inputSize"), Arg<Int>(nil, "hiddenSize"),
                Arg("returnSequences", default: false), Arg("bidirectional", default: false), typeDoc: doc, doc: doc,
                example: "\(name)(8, 32, returnSequences: true)", make)
        }
        let attentionDoc = "Multi-head self-attention over `[N, T, D]`."
        layer(
            "MultiHeadAttention", in: registry, Arg<Int>("dimension"), Arg<Int>("headCount"),
            Arg("causal", default: false), typeDoc: attentionDoc, doc: attentionDoc,
            example: "MultiHeadAttention(dimension: 32, headCount: 4)"
        ) { dimension, headCount, causal in
            try MultiHeadAttention(dimension: dimension, headCount: headCount, causal: causal)
        }
        let transformerDoc = "A transformer encoder block (attention + feed-forward, post-norm) over `[N, T, D]`."
        layer(
            "TransformerEncoderLayer", in: registry, Arg<Int>("dimension"), Arg<Int>("headCount"),
            Arg<Int>("feedForwardSize"), Arg<Float>("dropout", default: 0), typeDoc: transformerDoc,
            doc: transformerDoc, example: "TransformerEncoderLayer(dimension: 32, headCount: 4, feedForwardSize: 64)"
        ) { dimension, headCount, feedForwardSize, dropout in
            try TransformerEncoderLayer(
                dimension: dimension, headCount: headCount, feedForwardSize: feedForwardSize, dropout: dropout)
        }
    }
}
