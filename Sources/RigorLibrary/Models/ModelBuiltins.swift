// Models: layers (`Dense`, `Conv2D`, … as script values) and `Sequential` models with their members.
import Foundation
import NeuralNetworks
import RigorScript
import TensorCore

extension RigorLibrary {
    /// The activations, `.identity` … `.softmax`, as implicit members (`activation: .relu`).
    static let activations = Choices<ActivationFunction>(
        "Activation",
        ActivationFunction.allCases.map { function in
            Choices.Choice(function.rawValue, doc: "The \(function.rawValue) activation.") { function }
        })

    static func registerModels(in registry: BuiltinRegistry) {
        registry.beginFamily("Models")
        registry.register(activations)
        registerLayers(in: registry)
        registerSequential(in: registry)
    }

    private static func registerSequential(in registry: BuiltinRegistry) {
        let type = registry.type(
            ModelObject.self, doc: "A model that applies its layers in order; `Model` in annotations.",
            conformsTo: ["Model", "Layer"])
        type.initializer(
            Arg<LayerStack>(nil, "layers"), Arg<Seed>.trackedSeed(),
            doc: "A model from a list of layers; every parameter is initialized from `seed`.",
            example: "let model = Sequential([Dense(4, 16, activation: .relu), Dense(16, 3)], seed: 42)"
        ) { context, layers, seed in
            RigorChecks.checkSeed(seed, of: "Sequential", in: context)
            return try ModelObject(layers, seed: seed.generatorSeed)
        }
        type.property("parameterCount", doc: "The number of trainable numbers.") { object in
            if let shape = object.inputShape { try object.materialize(shape) }
            return object.model.parameterCount
        }
        type.property("parameters", doc: "The trainable tensors (live: they change as it trains).") { object in
            if let shape = object.inputShape { try object.materialize(shape) }
            return object.model.parameters.map { TensorObject(parameter: $0) }
        }
        type.property("history", doc: "The history of the last `fit` (also after an interrupt).") {
            $0.lastHistory.map(HistoryObject.init)
        }
        type.method(
            "summary", Arg<Shape?>("inputShape", default: nil),
            doc: "A table of layers, output shapes and parameter counts for one example of `inputShape`.",
            example: "print(model.summary(inputShape: [1, 8, 8]))"
        ) { object, _, inputShape in
            if let inputShape { object.inputShape = inputShape.extents }
            if let shape = object.inputShape { try object.materialize(shape) }
            return object.description
        }
        type.method(
            "predict", Arg.features(nil, "input"),
            doc: "The model's outputs in evaluation mode (no dropout), for a batch `[N, ...]` or a dataset's features.",
            example: "model.predict(data.test).argmax()"
        ) { object, _, input in
            try object.materialize(Array(input.shape.dropFirst()))
            let output = try engine { try object.model.predict(input) }
            object.inputShape = Array(input.shape.dropFirst())
            return output
        }
        type.method(
            "predictClasses", Arg.features(nil, "input"),
            doc: "The predicted class ids (argmax of the outputs).", example: "model.predictClasses(data.test)"
        ) { object, _, input -> [Int] in
            try object.materialize(Array(input.shape.dropFirst()))
            return try engine { try object.model.predictClasses(input) }
        }
        type.method(
            "weights", doc: "A copy of every weight, to `load` back later.", example: "let best = model.weights()"
        ) { object, _ in WeightsObject(object.model.snapshot()) }
        type.method(
            "load",
            Arg<WeightsSource>(nil, "weights", type: "Weights or String") { value, _ in
                if case .object(let weights as WeightsObject) = value { return .weights(weights) }
                return value.stringValue.map(WeightsSource.file)
            },
            doc: "Writes back weights from `weights()`, or from a checkpoint file saved by `save`.",
            example: "model.load(best)\nmodel.load(\"digits.safetensors\")"
        ) { object, _, source in
            switch source {
            case .weights(let weights):
                try engine(parameter: "weights") { try object.model.restore(weights.values) }
            case .file(let path):
                try engine(parameter: "weights") { try Checkpoint.load(object.model, from: path) }
            }
        }
        type.method(
            "save", Arg<String>(nil, "path"),
            doc: "Saves the weights as a safetensors file (PyTorch names), atomically.",
            example: "model.save(\"digits.safetensors\")"
        ) { object, _, path in
            if let reason = object.frozenReason {
                throw BuiltinError(
                    .value, "this model cannot be saved: \(reason)", notes: ["save the float model, or export it"])
            }
            try engine(parameter: "path") {
                if let shape = object.inputShape { try object.materialize(shape) }
                try Checkpoint.save(object.model, to: path, metadata: object.architectureMetadata)
            }
        }

        let model = registry.type(
            named: "Model", of: ModelObject.self,
            doc: "What every model is (`Sequential`); `Model.load(path)` reads one back.")
        model.staticFunction(
            "load", Arg<String>(nil, "path"), returns: "Model",
            doc: "A model saved by `model.save(path)`: its layers rebuilt from the file's metadata, then its weights.",
            example: "let model = Model.load(\"digits.safetensors\")"
        ) { context, path in try loadModel(path, context: context) }

        _ = registry.type(WeightsObject.self, doc: "A copy of a model's weights (`model.weights()`).")
    }

    /// `Model.load(path)`: each layer rebuilt by the initializer of its kind (found in the registry by the kind the
    /// file names), the model from them with the file's seed, then the weights.
    private static func loadModel(_ path: String, context: CallContext) throws -> ModelObject {
        let metadata = try engine(parameter: "path") { try Checkpoint.read(from: path).metadata }
        let description = try engine(parameter: "path") { try ModelArchitecture(metadata: metadata) }
        guard let architecture = description else {
            throw BuiltinError(
                .value,
                "\(path) has no Rigor architecture (saved outside Rigor?); build the model and call model.load(path)",
                parameter: "path")
        }
        var layers: [Value] = []
        for (index, layer) in architecture.layers.enumerated() {
            guard let type = context.registry.types[layer.kind], type.conformances.contains("Layer") else {
                throw BuiltinError(
                    .value, "\(path): layer \(index) is an unknown kind '\(layer.kind)'", parameter: "path")
            }
            let (initializer, values) = try initializerCall(for: layer, of: type, path: path, index: index)
            layers.append(try context.call(.function(initializer), values))
        }
        let model = try ModelObject(try LayerStack(layers), seed: architecture.seed)
        if let shape = architecture.inputShape { model.inputShape = shape }
        try engine(parameter: "path") { try Checkpoint.load(model.model, from: path) }
        return model
    }
}
