// ModelObjects: `LayerObject`, `ModelObject` and `WeightsObject`, the models family's script values.
import Foundation
import NeuralNetworks
import RigorScript
import TensorCore

/// A layer before it is put in a model; `spec` is how it was written, for descriptions.
final class LayerObject: NativeObject {
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
final class ModelObject: NativeObject {
    let model: any Layer
    let layerSpecs: [String]
    var inputShape: [Int]?
    var lastHistory: NeuralNetworks.History?
    /// Each layer's description, when every layer is a library layer that has one.
    var architecture: [LayerDescription]?
    var seed: UInt64 = 0
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

    /// The summary rows: with a known input shape, output shapes too.
    var description: String {
        var table: [[String]] = []
        var headers = ["layer", "parameters"]
        if let inputShape, let rows = try? model.summary(inputShape: inputShape) {
            headers = ["layer", "output shape", "parameters"]
            let shape = { (s: [Int]) in "[" + s.map { $0 < 0 ? "N" : String($0) }.joined(separator: ", ") + "]" }
            for (index, row) in rows.enumerated() {
                let spec = index < layerSpecs.count ? layerSpecs[index] : row.kind
                table.append(["\(row.name) \(spec)", shape(row.outputShape), String(row.parameterCount)])
            }
        } else {
            for (index, child) in model.children.enumerated() {
                let spec = index < layerSpecs.count ? layerSpecs[index] : child.layer.kind
                table.append(["\(child.name) \(spec)", String(child.layer.parameterCount)])
            }
        }
        let widths = headers.indices.map { column in
            ([headers[column]] + table.map { $0[column] }).map(\.count).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        let title = "Sequential" + (inputShape.map { " (input \(TensorError.format(shape: $0)))" } ?? "")
        return ([title, line(headers)] + table.map(line) + ["total parameters: \(model.parameterCount)"]).joined(
            separator: "\n")
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
final class WeightsObject: NativeObject {
    let values: [[Float]]
    init(_ values: [[Float]]) { self.values = values }
    var typeName: String { "Weights" }
    var description: String { "Weights(\(values.count) tensors, \(values.reduce(0) { $0 + $1.count }) numbers)" }
}

extension Value {
    var model: ModelObject { get throws { try object(ModelObject.self) } }
}

extension Arguments {
    func model(_ index: Int) throws -> ModelObject { try object(index, as: ModelObject.self, typeName: "Model") }

    func activation(_ index: Int) throws -> ActivationFunction {
        let member = try implicitMember(index, expected: "Activation")
        guard let function = ActivationFunction(rawValue: member.name) else {
            let names = ActivationFunction.allCases.map { ".\($0.rawValue)" }.joined(separator: ", ")
            throw BuiltinError(.value, "unknown activation '.\(member.name)'; use one of \(names)", argument: index)
        }
        return function
    }
}

extension Arguments {
    /// A tensor argument, or a dataset argument's features (`model.predict(data.test)`).
    func featuresOrTensor(_ index: Int) throws -> Tensor {
        if case .object(let set as DatasetObject) = self[index] { return set.data.features }
        return try tensor(index)
    }
}
