// ModelObjects: `LayerObject`, `ModelObject` and `WeightsObject`, the models family's script values.
import Foundation
import NeuralNetworks
import RichDisplay
import RigorScript
import TensorCore

/// A layer before it is put in a model; `spec` is how it was written, for descriptions.
final class LayerObject: NativeObject, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "Layer" }
    let layer: any Layer
    let typeName: String
    let spec: String
    /// The initializer's arguments by parameter name, to rebuild the layer (`Model.load`); nil when an argument
    /// has no form in a checkpoint.
    let layerDescription: LayerDescription?
    init(_ layer: any Layer, typeName: String, spec: String, layerDescription: LayerDescription?) {
        self.layer = layer
        self.typeName = typeName
        self.spec = spec
        self.layerDescription = layerDescription
    }
    var description: String { "\(spec)  (\(layer.parameterCount) parameters)" }
}

/// A trainable model: a `Sequential` of layers, with the last history and the last input shape seen.
final class ModelObject: NativeObject, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "Sequential" }
    let model: any Layer
    let layerSpecs: [String]
    var inputShape: [Int]?
    var lastHistory: NeuralNetworks.History?
    /// Each layer's description, when every layer is a library layer that has one.
    var architecture: [LayerDescription]?
    var seed: UInt64 = 0
    /// The seed of the last `fit` (its batch order and dropout), for `audit`'s reproducibility facts; nil before one.
    var fitSeed: Int?
    /// Why this model cannot be trained, saved or pruned (an int8 model from `quantize`), or nil.
    var frozenReason: String?
    /// What the rigor checks remember (Rigor/RigorChecks+Training.swift): how many times it was trained, the data
    /// of its last fit, and the training count at which each test set (by fingerprint) first scored it.
    var trainingCount = 0
    var trainedOn: DatasetObject?
    var testScores: [String: Int] = [:]
    init(_ model: any Layer, layerSpecs: [String], inputShape: [Int]?) {
        self.model = model
        self.layerSpecs = layerSpecs
        self.inputShape = inputShape
    }

    /// The architecture as checkpoint metadata (``ModelArchitecture``, JSON); empty when the model cannot be
    /// rebuilt from descriptions (it holds a nested model, or a `Dense(out)` that has not seen an input).
    var architectureMetadata: [String: String] {
        guard var layers = architecture else { return [:] }
        for index in layers.indices where index < model.children.count {
            guard let lazy = model.children[index].layer as? LazyDense else { continue }
            guard let built = lazy.built else { return [:] }
            layers[index] = LayerDescription(
                kind: "Dense",
                arguments: [
                    "inputSize": .int(built.inputSize), "outputSize": .int(built.outputSize),
                    "activation": .member(built.activation.rawValue),
                ])
        }
        return ModelArchitecture(layers: layers, seed: seed, inputShape: inputShape).metadata
    }

    var typeName: String { "Sequential" }

    /// The summary as one table (its text and HTML views): each layer as written, its output shape once an input
    /// shape is known, its parameter count, and the total.
    var summaryTable: Table {
        let title = "Sequential" + (inputShape.map { " (input \(TensorError.format(shape: $0)))" } ?? "")
        let total = TableCell.integer(model.parameterCount)
        if let inputShape, let rows = try? model.summary(inputShape: inputShape) {
            let shape = { (s: [Int]) in "[" + s.map { $0 < 0 ? "N" : String($0) }.joined(separator: ", ") + "]" }
            var table = Table(
                columns: ["layer", "output shape", "parameters"],
                rows: rows.enumerated().map { index, row in
                    let spec = index < layerSpecs.count ? layerSpecs[index] : row.kind
                    return [.text("\(row.name) \(spec)"), .text(shape(row.outputShape)), .integer(row.parameterCount)]
                }, title: title)
            table.footer = [.text("total"), .empty, total]
            return table
        }
        var table = Table(
            columns: ["layer", "parameters"],
            rows: model.children.enumerated().map { index, child in
                let spec = index < layerSpecs.count ? layerSpecs[index] : child.layer.kind
                return [.text("\(child.name) \(spec)"), .integer(child.layer.parameterCount)]
            }, title: title)
        table.footer = [.text("total"), total]
        return table
    }

    var description: String { summaryTable.plainText }

    /// How the run log names a run of this model: its layers as written and its size.
    var runTitle: String {
        "Sequential[" + layerSpecs.joined(separator: ", ") + "] (\(model.parameterCount) parameters)"
    }
}

extension ModelObject {
    /// Whether some layer still waits for its first input to know its size.
    var hasUnbuiltLayers: Bool {
        model.children.contains { ($0.layer as? LazyDense)?.built == nil && $0.layer is LazyDense }
    }

    /// Builds lazy layers by running one example of `featureShape` through the model.
    func materialize(_ featureShape: [Int]) throws {
        guard hasUnbuiltLayers else { return }
        _ = try engine { try model.summary(inputShape: featureShape) }
    }
}

/// A copy of a model's weights (`model.weights()`), to load back later.
final class WeightsObject: NativeObject, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "Weights" }
    let values: [[Float]]
    init(_ values: [[Float]]) { self.values = values }
    var typeName: String { "Weights" }
    var description: String { "Weights(\(values.count) tensors, \(values.reduce(0) { $0 + $1.count }) numbers)" }
}

/// What `model.load(_:)` reads: weights taken by `weights()`, or a checkpoint file.
enum WeightsSource {
    case weights(WeightsObject)
    case file(String)
}

/// The layers of a `Sequential(…)`: library layers and nested models, with how each was written and, when every one
/// has one, their checkpoint descriptions.
struct LayerStack: ArgumentType {
    var layers: [any Layer] = []
    var specs: [String] = []
    var architecture: [LayerDescription]? = []

    static var scriptTypeName: String { "[Layer]" }

    init(_ items: [Value]) throws {
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
                throw BuiltinError(.type, "a Sequential holds layers, not '\(item.typeName)'")
            }
        }
    }

    static func decode(_ value: Value, context: CallContext) throws -> LayerStack? {
        guard case .array(let items) = value else { return nil }
        return try LayerStack(items)
    }
}

extension ModelObject {
    /// A `Sequential` of `stack`'s layers, every parameter drawn from `seed`.
    convenience init(_ stack: LayerStack, seed: UInt64) throws {
        let model = try engine { try Sequential(stack.layers, seed: seed) }
        self.init(model, layerSpecs: stack.specs, inputShape: Self.inferredInputShape(stack.layers.first))
        architecture = stack.architecture
        self.seed = seed
    }

    /// The input shape a model's first layer implies, when it does.
    static func inferredInputShape(_ first: (any Layer)?) -> [Int]? {
        if let dense = first as? Dense { return [dense.inputSize] }
        return nil
    }
}

extension Arg where T == Tensor {
    /// A tensor, or a dataset's features (`model.predict(data.test)`).
    static func features(_ label: String?, _ name: String) -> Arg<Tensor> {
        Arg(label, name, type: "Tensor or Dataset") { value, context in
            if case .object(let set as DatasetObject) = value { return set.data.features }
            return try Tensor.decode(value, context: context)
        }
    }
}
