// Models: layers (`Dense`, `Conv2D`, … as script values) and `Sequential` models with their members.
import Foundation
import NeuralNetworks
import RigorScript
import TensorCore

extension RigorLibrary {
    static func registerModels(in registry: BuiltinRegistry) {
        registry.beginFamily("Models")
        for function in ActivationFunction.allCases {
            registry.registerImplicitMember(function.rawValue, doc: "The \(function.rawValue) activation.")
        }
        registerLayers(in: registry)
        registerSequential(in: registry)
    }

    /// Declares one layer type: its initializer builds the engine layer from the arguments.
    private static func layer(
        _ name: String, in registry: BuiltinRegistry, _ parameters: [Signature.Parameter], doc: String,
        example: String, _ make: @escaping (Arguments) throws -> any Layer
    ) {
        let type = TypeDescriptor(name, doc: doc)
        type.conformances = ["Layer"]
        type.initializer(parameters, doc: doc, example: example) { arguments, _ in
            let layer = try engine { try make(arguments) }
            let spec =
                name + "("
                + zip(parameters, arguments.values).compactMap { parameter, value in
                    if let defaultValue = parameter.defaultValue, defaultValue == value { return nil }
                    return (parameter.label.map { "\($0): " } ?? "") + value.debugDescription
                }.joined(separator: ", ") + ")"
            let description = layerDescription(name, parameters, arguments.values)
            return .object(LayerObject(layer, typeName: name, spec: spec, layerDescription: description))
        }
        type.getter("parameterCount", type: "Int", doc: "The number of trainable numbers.") {
            .int(try $0.object(LayerObject.self).layer.parameterCount)
        }
        registry.register(type)
    }

    private static func registerLayers(in registry: BuiltinRegistry) {
        let relu = Value.implicitMember(ImplicitMember(name: "identity"))
        layer(
            "Dense", in: registry,
            [
                param(nil, "inputSize", "Int"), param(nil, "outputSize", "Int"),
                param("activation", "activation", "Activation", default: relu, text: ".identity"),
            ],
            doc: "A fully connected layer `y = activation(x·Wᵀ + b)`: `[..., in] → [..., out]`.",
            example: "Dense(64, 32, activation: .relu)"
        ) { a in try Dense(try a.int(0), try a.int(1), activation: try a.activation(2)) }
        if let dense = registry.types["Dense"] {
            let lazyParameters = [
                param(nil, "outputSize", "Int"),
                param("activation", "activation", "Activation", default: relu, text: ".identity"),
            ]
            dense.addInitializer(
                BuiltinFunction(
                    Signature(
                        "Dense", lazyParameters, returns: "Dense",
                        doc: "A dense layer to `outputSize` features whose input size is taken from its first input.",
                        example: "Sequential([Flatten(), Dense(32, activation: .relu), Dense(10)])")
                ) { arguments, _ in
                    let outputSize = try arguments.int(0)
                    let activation = try arguments.activation(1)
                    let layer = try engine { try LazyDense(outputSize, activation: activation) }
                    let spec =
                        "Dense(\(outputSize)" + (activation == .identity ? "" : ", activation: .\(activation.rawValue)")
                        + ")"
                    let description = layerDescription("Dense", lazyParameters, arguments.values)
                    return .object(LayerObject(layer, typeName: "Dense", spec: spec, layerDescription: description))
                })
        }
        layer(
            "Conv2D", in: registry,
            [
                param(nil, "inputChannels", "Int"), param(nil, "outputChannels", "Int"),
                param("kernel", "kernel", "Int", default: .int(3)), param("stride", "stride", "Int", default: .int(1)),
                param("padding", "padding", "Int", default: .int(0)),
                param("activation", "activation", "Activation", default: relu, text: ".identity"),
            ],
            doc: "A 2-D convolution: `[N, C, H, W] → [N, O, OH, OW]`.",
            example: "Conv2D(1, 16, kernel: 3, padding: 1, activation: .relu)"
        ) { a in
            try Conv2D(
                try a.int(0), try a.int(1), kernelSize: try a.int(2), stride: try a.int(3), padding: try a.int(4),
                activation: try a.activation(5))
        }
        for (name, doc) in [("MaxPool2D", "Max pooling"), ("AvgPool2D", "Average pooling")] {
            layer(
                name, in: registry,
                [param(nil, "kernel", "Int", default: .int(2)), param("stride", "stride", "Int?", default: .nil)],
                doc: "\(doc) over `kernel × kernel` windows (stride defaults to the kernel).", example: "\(name)(2)"
            ) { a in
                if name == "MaxPool2D" { return MaxPool2D(try a.int(0), stride: try a.optionalInt(1)) }
                return AvgPool2D(try a.int(0), stride: try a.optionalInt(1))
            }
        }
        layer("Flatten", in: registry, [], doc: "Flattens `[N, ...]` to `[N, F]`.", example: "Flatten()") { _ in
            Flatten()
        }
        layer(
            "GlobalAvgPool", in: registry, [], doc: "Averages each channel: `[N, C, H, W] → [N, C]`.",
            example: "GlobalAvgPool()"
        ) { _ in GlobalAvgPool() }
        layer(
            "Dropout", in: registry, [param(nil, "rate", "Double")],
            doc: "Zeroes a fraction `rate` of the inputs while training (inverted dropout).", example: "Dropout(0.25)"
        ) { a in try Dropout(Float(try a.double(0))) }
        layer(
            "BatchNorm", in: registry, [param(nil, "features", "Int")],
            doc: "Batch normalization over channels: `[N, C]`, `[N, C, L]` or `[N, C, H, W]`.", example: "BatchNorm(16)"
        ) { a in try BatchNorm(try a.int(0)) }
        layer(
            "LayerNorm", in: registry, [param(nil, "features", "Int")],
            doc: "Layer normalization over the last axis `[..., F]`.", example: "LayerNorm(64)"
        ) { a in try LayerNorm(try a.int(0)) }
        layer(
            "Activation", in: registry, [param(nil, "function", "Activation")],
            doc: "An activation as a layer.", example: "Activation(.relu)"
        ) { a in NeuralNetworks.Activation(try a.activation(0)) }
        layer(
            "Embedding", in: registry, [param(nil, "vocabularySize", "Int"), param(nil, "dimension", "Int")],
            doc: "A lookup table of vectors: ids `[...]` → `[..., dimension]`.", example: "Embedding(100, 16)"
        ) { a in try Embedding(try a.int(0), try a.int(1)) }
        let positions = [param("maximumLength", "maximumLength", "Int"), param("dimension", "dimension", "Int")]
        layer(
            "PositionalEmbedding", in: registry, positions,
            doc: "A learned vector per position added to a sequence `[N, T, dimension]` (T ≤ `maximumLength`), so "
                + "that attention, which ignores order, can tell positions apart. Put it right after `Embedding`.",
            example: "PositionalEmbedding(maximumLength: 8, dimension: 32)"
        ) { a in try PositionalEmbedding(maximumLength: try a.int(0), dimension: try a.int(1)) }
        layer(
            "SinusoidalPositionalEncoding", in: registry, positions,
            doc: "The fixed sine/cosine position code of \"Attention Is All You Need\" added to `[N, T, dimension]`: "
                + "no parameters, and it extends to any length up to `maximumLength`.",
            example: "SinusoidalPositionalEncoding(maximumLength: 512, dimension: 32)"
        ) { a in try SinusoidalPositionalEncoding(maximumLength: try a.int(0), dimension: try a.int(1)) }
        let recurrent: [(String, String)] = [
            ("LSTM", "A long short-term memory layer"), ("GRU", "A gated recurrent unit layer"),
            ("SimpleRNN", "An Elman recurrent layer"),
        ]
        for (name, doc) in recurrent {
            layer(
                name, in: registry,
                [
                    param(nil, "inputSize", "Int"), param(nil, "hiddenSize", "Int"),
                    param("returnSequences", "returnSequences", "Bool", default: .bool(false)),
                    param("bidirectional", "bidirectional", "Bool", default: .bool(false)),
                ],
                doc: "\(doc): `[N, T, I] → [N, H]` (or `[N, T, H]` with `returnSequences`).",
                example: "\(name)(8, 32, returnSequences: true)"
            ) { a in
                let (i, h, r, b) = (try a.int(0), try a.int(1), try a.bool(2), try a.bool(3))
                switch name {
                case "LSTM": return try LSTM(i, h, returnSequences: r, bidirectional: b)
                case "GRU": return try GRU(i, h, returnSequences: r, bidirectional: b)
                default: return try SimpleRNN(i, h, returnSequences: r, bidirectional: b)
                }
            }
        }
        layer(
            "MultiHeadAttention", in: registry,
            [
                param("dimension", "dimension", "Int"), param("headCount", "headCount", "Int"),
                param("causal", "causal", "Bool", default: .bool(false)),
            ],
            doc: "Multi-head self-attention over `[N, T, D]`.",
            example: "MultiHeadAttention(dimension: 32, headCount: 4)"
        ) { a in try MultiHeadAttention(dimension: try a.int(0), headCount: try a.int(1), causal: try a.bool(2)) }
        layer(
            "TransformerEncoderLayer", in: registry,
            [
                param("dimension", "dimension", "Int"), param("headCount", "headCount", "Int"),
                param("feedForwardSize", "feedForwardSize", "Int"),
                param("dropout", "dropout", "Double", default: .double(0)),
            ],
            doc: "A transformer encoder block (attention + feed-forward, post-norm) over `[N, T, D]`.",
            example: "TransformerEncoderLayer(dimension: 32, headCount: 4, feedForwardSize: 64)"
        ) { a in
            try TransformerEncoderLayer(
                dimension: try a.int(0), headCount: try a.int(1), feedForwardSize: try a.int(2),
                dropout: Float(try a.double(3)))
        }
    }

    /// The input shape a model's first layer implies, when it does.
    static func inferredInputShape(_ first: (any Layer)?) -> [Int]? {
        if let dense = first as? Dense { return [dense.inputSize] }
        return nil
    }

    private static func registerSequential(in registry: BuiltinRegistry) {
        let type = TypeDescriptor(
            "Sequential", doc: "A model that applies its layers in order; `Model` in annotations.")
        type.conformances = ["Model", "Layer"]
        type.initializer(
            [param(nil, "layers", "[Layer]"), param("seed", "seed", "Int", default: .int(0))],
            doc: "A model from a list of layers; every parameter is initialized from `seed`.",
            example: "let model = Sequential([Dense(4, 16, activation: .relu), Dense(16, 3)])"
        ) { arguments, _ in
            let items = try arguments.array(0)
            var layers: [any Layer] = []
            var specs: [String] = []
            var architecture: [LayerDescription]? = []
            for item in items {
                if case .object(let object as LayerObject) = item {
                    layers.append(object.layer)
                    specs.append(object.spec)
                    if let description = object.layerDescription {
                        architecture?.append(description)
                    } else {
                        architecture = nil
                    }
                } else if case .object(let object as ModelObject) = item {
                    layers.append(object.model)
                    specs.append("Sequential")
                    architecture = nil
                } else {
                    throw BuiltinError(.type, "a Sequential holds layers, not '\(item.typeName)'", argument: 0)
                }
            }
            let seed = try arguments.seed(1)
            let model = try engine { try Sequential(layers, seed: seed) }
            let object = ModelObject(model, layerSpecs: specs, inputShape: inferredInputShape(layers.first))
            object.architecture = architecture
            object.seed = seed
            return .object(object)
        }
        type.getter("parameterCount", type: "Int", doc: "The number of trainable numbers.") {
            let object = try $0.model
            if let shape = object.inputShape { try object.materialize(shape) }
            return .int(object.model.parameterCount)
        }
        type.getter("parameters", type: "[Tensor]", doc: "The trainable tensors (live: they change as it trains).") {
            let object = try $0.model
            if let shape = object.inputShape { try object.materialize(shape) }
            return .array(object.model.parameters.map { .object(TensorObject(parameter: $0)) })
        }
        type.getter("history", type: "History?", doc: "The history of the last `fit` (also after an interrupt).") {
            try $0.model.lastHistory.map { .object(HistoryObject($0)) } ?? .nil
        }
        type.define(
            "summary", [param("inputShape", "inputShape", "[Int]?", default: .nil)], returns: "String",
            doc: "A table of layers, output shapes and parameter counts for one example of `inputShape`.",
            example: "print(model.summary(inputShape: [1, 8, 8]))"
        ) { receiver, arguments, _ in
            let object = try receiver.model
            if !arguments.isNil(0) { object.inputShape = try arguments.shape(0) }
            if let shape = object.inputShape { try object.materialize(shape) }
            return .string(object.description)
        }
        type.define(
            "predict", [param(nil, "input", "Tensor or Dataset")], returns: "Tensor",
            doc: "The model's outputs in evaluation mode (no dropout), for a batch `[N, ...]` or a dataset's features.",
            example: "model.predict(data.test).argmax()"
        ) { receiver, arguments, _ in
            let object = try receiver.model
            let input = try arguments.featuresOrTensor(0)
            try object.materialize(Array(input.shape.dropFirst()))
            let output = try engine { try object.model.predict(input) }
            object.inputShape = Array(input.shape.dropFirst())
            return wrap(output)
        }
        type.define(
            "predictClasses", [param(nil, "input", "Tensor or Dataset")], returns: "[Int]",
            doc: "The predicted class ids (argmax of the outputs).", example: "model.predictClasses(data.test)"
        ) { receiver, arguments, _ in
            let object = try receiver.model
            let input = try arguments.featuresOrTensor(0)
            try object.materialize(Array(input.shape.dropFirst()))
            return .array(try engine { try object.model.predictClasses(input) }.map(Value.int))
        }
        type.define(
            "weights", returns: "Weights", doc: "A copy of every weight, to `load` back later.",
            example: "let best = model.weights()"
        ) { receiver, _, _ in .object(WeightsObject(try receiver.model.model.snapshot())) }
        type.define(
            "load", [param(nil, "weights", "Weights or String")], returns: "Void",
            doc: "Writes back weights from `weights()`, or from a checkpoint file saved by `save`.",
            example: "model.load(best)\nmodel.load(\"digits.safetensors\")"
        ) { receiver, arguments, _ in
            let object = try receiver.model
            if case .object(let weights as WeightsObject) = arguments[0] {
                try engine(argument: 0) { try object.model.restore(weights.values) }
            } else {
                let path = try arguments.string(0)
                try engine(argument: 0) { try Checkpoint.load(object.model, from: path) }
            }
            return .nil
        }
        type.define(
            "save", [param(nil, "path", "String")], returns: "Void",
            doc: "Saves the weights as a safetensors file (PyTorch names), atomically.",
            example: "model.save(\"digits.safetensors\")"
        ) { receiver, arguments, _ in
            let object = try receiver.model
            let path = try arguments.string(0)
            try engine(argument: 0) {
                if let shape = object.inputShape { try object.materialize(shape) }
                try Checkpoint.save(object.model, to: path, metadata: object.architectureMetadata)
            }
            return .nil
        }
        registry.register(type)

        let modelType = TypeDescriptor(
            "Model", doc: "What every model is (`Sequential`); `Model.load(path)` reads one back.")
        modelType.staticFunction(
            "load", [param(nil, "path", "String")], returns: "Model",
            doc: "A model saved by `model.save(path)`: its layers rebuilt from the file's metadata, then its weights.",
            example: "let model = Model.load(\"digits.safetensors\")"
        ) { arguments, context in
            let path = try arguments.string(0)
            let metadata = try engine(argument: 0) { try Checkpoint.read(from: path).metadata }
            let description = try engine(argument: 0) { try ModelArchitecture(metadata: metadata) }
            guard let architecture = description else {
                throw BuiltinError(
                    .value,
                    "\(path) has no Rigor architecture (saved outside Rigor?); build the model and call model.load(path)",
                    argument: 0)
            }
            var layers: [Value] = []
            for (index, layer) in architecture.layers.enumerated() {
                guard let type = context.registry.types[layer.kind], type.conformances.contains("Layer") else {
                    throw BuiltinError(
                        .value, "\(path): layer \(index) is an unknown kind '\(layer.kind)'", argument: 0)
                }
                let (initializer, values) = try initializerCall(for: layer, of: type, path: path, index: index)
                layers.append(try context.call(.function(initializer), values))
            }
            guard let sequential = context.registry.types["Sequential"] else { return .nil }
            let seed = Value.int(Int(clamping: architecture.seed))
            let model = try context.call(.type(sequential), [.array(layers), seed]).model
            if let shape = architecture.inputShape { model.inputShape = shape }
            try engine(argument: 0) { try Checkpoint.load(model.model, from: path) }
            return .object(model)
        }
        registry.register(modelType)

        let weights = TypeDescriptor("Weights", doc: "A copy of a model's weights (`model.weights()`).")
        registry.register(weights)
    }
}
