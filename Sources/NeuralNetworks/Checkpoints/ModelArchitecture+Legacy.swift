// ModelArchitecture+Legacy: reads the architecture format written before version 1 (tab-separated lines).

extension ModelArchitecture {
    /// The metadata key of the format before version 1.
    public static let legacyMetadataKey = "rigor.architecture"

    /// The parameter names, in order, that the values of a layer's line meant before version 1, when a line was
    /// the layer's kind and then its initializer's arguments by position. Frozen: this is what those files mean,
    /// whatever the initializers become.
    static let legacyParameterNames: [String: [String]] = [
        "Dense": ["inputSize", "outputSize", "activation"],
        "Conv2D": ["inputChannels", "outputChannels", "kernel", "stride", "padding", "activation"],
        "MaxPool2D": ["kernel", "stride"],
        "AvgPool2D": ["kernel", "stride"],
        "Flatten": [],
        "GlobalAvgPool": [],
        "Dropout": ["rate"],
        "BatchNorm": ["features"],
        "LayerNorm": ["features"],
        "Activation": ["function"],
        "Embedding": ["vocabularySize", "dimension"],
        "PositionalEmbedding": ["maximumLength", "dimension"],
        "SinusoidalPositionalEncoding": ["maximumLength", "dimension"],
        "LSTM": ["inputSize", "hiddenSize", "returnSequences", "bidirectional"],
        "GRU": ["inputSize", "hiddenSize", "returnSequences", "bidirectional"],
        "SimpleRNN": ["inputSize", "hiddenSize", "returnSequences", "bidirectional"],
        "MultiHeadAttention": ["dimension", "headCount", "causal"],
        "TransformerEncoderLayer": ["dimension", "headCount", "feedForwardSize", "dropout"],
    ]

    /// The architecture in metadata written before version 1 (``version`` 0): `rigor.architecture` holds one line
    /// per layer, `Kind\tvalue\tvalue…`, each value tagged (`i:3`, `d:0.25`, `b:true`, `m:relu`, `n` for nil) and
    /// meaning the initializer's parameter at its position; `rigor.seed` and `rigor.inputShape` (`1,8,8`) sit
    /// beside it.
    public init(legacyMetadata metadata: [String: String]) throws {
        let text = metadata[Self.legacyMetadataKey] ?? ""
        var layers: [LayerDescription] = []
        for (index, line) in text.split(separator: "\n").enumerated() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let kind = fields[0]
            guard let names = Self.legacyParameterNames[kind] else {
                throw NeuralNetworkError("loadCheckpoint", "layer \(index) is an unknown kind '\(kind)'")
            }
            guard fields.count - 1 <= names.count else {
                throw NeuralNetworkError(
                    "loadCheckpoint",
                    "layer \(index) (\(kind)) has \(fields.count - 1) arguments, at most \(names.count)")
            }
            var arguments: [String: LayerArgument] = [:]
            for (name, field) in zip(names, fields.dropFirst()) {
                guard let value = Self.legacyArgument(field) else {
                    throw NeuralNetworkError("loadCheckpoint", "layer \(index) (\(kind)): unreadable value '\(field)'")
                }
                arguments[name] = value
            }
            layers.append(LayerDescription(kind: kind, arguments: arguments))
        }
        let inputShape = metadata["rigor.inputShape"].map { $0.split(separator: ",").compactMap { Int($0) } }
        self.init(layers: layers, seed: UInt64(metadata["rigor.seed"] ?? "0") ?? 0, inputShape: inputShape)
        version = 0
    }

    static func legacyArgument(_ text: String) -> LayerArgument? {
        if text == "n" { return LayerArgument.none }
        let (tag, rest) = (text.prefix(2), String(text.dropFirst(2)))
        switch tag {
        case "i:": return Int(rest).map(LayerArgument.int)
        case "d:": return Double(rest).map(LayerArgument.double)
        case "b:": return rest == "true" || rest == "false" ? .bool(rest == "true") : nil
        case "m:": return .member(rest)
        default: return nil
        }
    }
}
