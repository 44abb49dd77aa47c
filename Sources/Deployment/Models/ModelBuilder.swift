// ModelBuilder: a Sequential rebuilt from the ModelArchitecture a checkpoint carries, without the language.
import NeuralNetworks
import TensorCore

/// Rebuilds the model a Rigor checkpoint describes (its ``ModelArchitecture``, whose arguments are named as the
/// notebook's layer initializers name them) and loads its weights: what `rigor serve` does with a `.safetensors`.
public enum ModelBuilder {
    /// The model saved at `path`, its architecture, its metadata and its weights (the file is read once;
    /// ``build(_:weights:source:)`` makes more copies from the weights without reading it again).
    public static func load(
        checkpoint path: String
    ) throws -> (
        model: Sequential, architecture: ModelArchitecture, metadata: [String: String], weights: [String: Tensor]
    ) {
        let (weights, metadata) = try Checkpoint.read(from: path)
        guard let architecture = try ModelArchitecture(metadata: metadata) else {
            throw NeuralNetworkError(
                "load",
                "\(path) has no Rigor architecture (\(ModelArchitecture.metadataKey)); save the model with "
                    + "`model.save` in a notebook, or export it to ONNX and serve the .onnx file")
        }
        return (try build(architecture, weights: weights, source: path), architecture, metadata, weights)
    }

    /// The `Sequential` an architecture describes, with `weights` (as ``Checkpoint/read(from:)`` returns them) loaded;
    /// `source` names the checkpoint in errors.
    public static func build(
        _ architecture: ModelArchitecture, weights: [String: Tensor], source: String
    ) throws -> Sequential {
        let model = try build(architecture)
        try Checkpoint.load(model, from: weights, source: source)
        return model
    }

    /// The `Sequential` an architecture describes, initialized from its seed.
    public static func build(_ architecture: ModelArchitecture) throws -> Sequential {
        let layers = try architecture.layers.enumerated().map { index, description in
            try layer(description, index: index)
        }
        return try Sequential(layers, seed: architecture.seed)
    }

    /// One layer from its description.
    public static func layer(_ description: LayerDescription, index: Int = 0) throws -> any Layer {
        let arguments = Arguments(kind: description.kind, index: index, values: description.arguments)
        switch description.kind {
        case "Dense":
            return try Dense(
                arguments.int("inputSize"), arguments.int("outputSize"), activation: arguments.activation("activation"))
        case "Conv2D":
            return try Conv2D(
                arguments.int("inputChannels"), arguments.int("outputChannels"), kernelSize: arguments.int("kernel", 3),
                stride: arguments.int("stride", 1), padding: arguments.int("padding", 0),
                activation: arguments.activation("activation"))
        case "MaxPool2D": return MaxPool2D(try arguments.int("kernel", 2), stride: try arguments.optionalInt("stride"))
        case "AvgPool2D": return AvgPool2D(try arguments.int("kernel", 2), stride: try arguments.optionalInt("stride"))
        case "Flatten": return Flatten()
        case "GlobalAvgPool": return GlobalAvgPool()
        case "Dropout": return try Dropout(Float(arguments.double("rate")))
        case "BatchNorm": return try BatchNorm(arguments.int("features"))
        case "LayerNorm": return try LayerNorm(arguments.int("features"))
        case "Activation": return NeuralNetworks.Activation(try arguments.activation("function"))
        case "Embedding": return try Embedding(arguments.int("vocabularySize"), arguments.int("dimension"))
        case "PositionalEmbedding":
            return try PositionalEmbedding(
                maximumLength: arguments.int("maximumLength"), dimension: arguments.int("dimension"))
        case "SinusoidalPositionalEncoding":
            return try SinusoidalPositionalEncoding(
                maximumLength: arguments.int("maximumLength"), dimension: arguments.int("dimension"))
        case "LSTM", "GRU", "SimpleRNN":
            let (i, h) = (try arguments.int("inputSize"), try arguments.int("hiddenSize"))
            let (r, b) = (try arguments.bool("returnSequences", false), try arguments.bool("bidirectional", false))
            switch description.kind {
            case "LSTM": return try LSTM(i, h, returnSequences: r, bidirectional: b)
            case "GRU": return try GRU(i, h, returnSequences: r, bidirectional: b)
            default: return try SimpleRNN(i, h, returnSequences: r, bidirectional: b)
            }
        case "MultiHeadAttention":
            return try MultiHeadAttention(
                dimension: arguments.int("dimension"), headCount: arguments.int("headCount"),
                causal: arguments.bool("causal", false))
        case "TransformerEncoderLayer":
            return try TransformerEncoderLayer(
                dimension: arguments.int("dimension"), headCount: arguments.int("headCount"),
                feedForwardSize: arguments.int("feedForwardSize"), dropout: Float(arguments.double("dropout", 0)))
        default:
            throw NeuralNetworkError("load", "layer \(index) is an unknown kind '\(description.kind)'")
        }
    }

    /// Typed reads of a description's named arguments, with defaults.
    struct Arguments {
        let kind: String
        let index: Int
        let values: [String: LayerArgument]

        func missing(_ name: String, _ expected: String) -> NeuralNetworkError {
            NeuralNetworkError("load", "layer \(index) (\(kind)): argument '\(name)' is not \(expected)")
        }

        func int(_ name: String, _ fallback: Int? = nil) throws -> Int {
            switch values[name] {
            case .int(let value): return value
            case nil, .some(.none): if let fallback { return fallback }
            default: break
            }
            throw missing(name, "an integer")
        }

        func optionalInt(_ name: String) throws -> Int? {
            switch values[name] {
            case .int(let value): return value
            case nil, .some(.none): return nil
            default: throw missing(name, "an integer")
            }
        }

        func double(_ name: String, _ fallback: Double? = nil) throws -> Double {
            switch values[name] {
            case .double(let value): return value
            case .int(let value): return Double(value)
            case nil, .some(.none): if let fallback { return fallback }
            default: break
            }
            throw missing(name, "a number")
        }

        func bool(_ name: String, _ fallback: Bool) throws -> Bool {
            switch values[name] {
            case .bool(let value): return value
            case nil, .some(.none): return fallback
            default: throw missing(name, "a Boolean")
            }
        }

        func activation(_ name: String) throws -> ActivationFunction {
            switch values[name] {
            case .member(let member):
                guard let function = ActivationFunction(rawValue: member) else { throw missing(name, "an activation") }
                return function
            case nil, .some(.none): return .identity
            default: throw missing(name, "an activation")
            }
        }
    }
}
