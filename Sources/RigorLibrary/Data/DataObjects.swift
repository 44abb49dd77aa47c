// DataObjects: `DatasetObject`, `ExampleObject` and `SplitObject`, the data family's script values.
import Foundation
import NeuralNetworks
import RigorScript
import TensorCore

/// Examples with features and class ids (or regression targets).
final class DatasetObject: NativeObject, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "Dataset" }
    let data: NeuralNetworks.Dataset
    let name: String
    let classCount: Int?
    /// One name per class id (bundled data, text labels of a CSV, or given), if known.
    let classNames: [String]?
    /// One name per feature (bundled data and CSV columns, or given), if known.
    let featureNames: [String]?

    init(
        _ data: NeuralNetworks.Dataset, name: String, classCount: Int?, classNames: [String]? = nil,
        featureNames: [String]? = nil
    ) {
        self.data = data
        self.name = name
        self.classCount = classNames?.count ?? classCount
        self.classNames = classNames
        let width = data.features.shape.dropFirst().reduce(1, *)
        self.featureNames = featureNames?.count == width ? featureNames : nil
    }

    var typeName: String { "Dataset" }
    var featureShape: [Int] { Array(data.features.shape.dropFirst()) }

    var description: String {
        var text = "Dataset(\(name): \(data.count) examples, features \(TensorError.format(shape: featureShape))"
        if let classCount { text += ", \(classCount) classes" }
        return text + ")"
    }

    /// Other examples (or the same ones reshaped) with this dataset's name, classes and feature names.
    func with(_ data: NeuralNetworks.Dataset) -> DatasetObject {
        DatasetObject(
            data, name: name, classCount: classCount, classNames: classNames, featureNames: featureNames)
    }

    /// The name of class `id`: its class name if known, else the id.
    func className(_ id: Int) -> String {
        if let classNames, classNames.indices.contains(id) { return classNames[id] }
        return String(id)
    }

    /// Features standardized with a scaler fitted on `reference` (flattened per example).
    func standardized(fittedOn reference: DatasetObject) throws -> DatasetObject {
        let flat = { (t: Tensor) throws -> Tensor in try t.reshaped(to: [t.shape[0], -1]) }
        let width = featureShape.reduce(1, *)
        let referenceWidth = reference.featureShape.reduce(1, *)
        guard width == referenceWidth else {
            throw BuiltinError(
                .value,
                "cannot standardize features \(TensorError.format(shape: featureShape)) with statistics of "
                    + "features \(TensorError.format(shape: reference.featureShape))",
                parameter: "reference")
        }
        let scaler = try engine { try StandardScaler(fittingOn: flat(reference.data.features)) }
        let features = try engine {
            try scaler.transform(flat(data.features)).reshaped(to: data.features.shape)
        }
        return with(
            try engine { try NeuralNetworks.Dataset(features: features, targets: data.targets, mask: data.mask) })
    }
}

/// One example: its features and label.
final class ExampleObject: NativeObject, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "Example" }
    let features: Tensor
    let target: Tensor
    init(features: Tensor, target: Tensor) {
        self.features = features
        self.target = target
    }
    var typeName: String { "Example" }
    var label: Value {
        let scalars = target.scalars
        if scalars.count == 1 {
            let value = Double(scalars[0])
            return value.rounded() == value ? .int(Int(value)) : .double(value)
        }
        return TensorObject.array(of: target)
    }
    var description: String {
        "Example(features: \(TensorError.format(shape: features.shape)), label: \(label.debugDescription))"
    }
}

/// The parts of a split: `train`, `validation` and `test`.
final class SplitObject: NativeObject, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "DataSplit" }
    let train: DatasetObject
    let validation: DatasetObject?
    let test: DatasetObject?
    init(train: DatasetObject, validation: DatasetObject?, test: DatasetObject?) {
        self.train = train
        self.validation = validation
        self.test = test
    }
    var typeName: String { "DataSplit" }
    var parts: [(String, DatasetObject)] {
        [("train", train)] + (validation.map { [("validation", $0)] } ?? []) + (test.map { [("test", $0)] } ?? [])
    }
    var description: String {
        let rowsWidth = max(4, parts.map { String($0.1.data.count).count }.max() ?? 4)
        var lines = ["DataSplit(\(train.name))", "part        " + "rows".leftPadded(rowsWidth) + "  classes  shape"]
        for (name, part) in parts {
            lines.append(
                name.padding(toLength: 10, withPad: " ", startingAt: 0) + "  "
                    + String(part.data.count).leftPadded(rowsWidth) + "  "
                    + (part.classCount.map(String.init) ?? "-").leftPadded(7) + "  "
                    + TensorError.format(shape: part.featureShape))
        }
        return lines.joined(separator: "\n")
    }
}
