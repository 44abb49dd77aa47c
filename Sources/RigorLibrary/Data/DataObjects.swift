// DataObjects: `DatasetObject`, `ExampleObject` and `SplitObject`, the data family's script values.
import Foundation
import NeuralNetworks
import RichDisplay
import RigorScript
import RunLog
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
    /// The content hash the run log records (RunLogRecorder.swift), computed on first use.
    var cachedFingerprint: DataFingerprint?
    /// Where the rows come from, which part of a split this is, and the rows a scaler was fitted on (nil: not
    /// standardized, or unknown): what the rigor checks read (Rigor/DataLineage.swift).
    var lineage: DataLineage
    var role: SplitRole?
    var scaledWith: DataLineage?

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
        lineage = DataLineage(count: data.count)
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
        let result = derived(
            try engine { try NeuralNetworks.Dataset(features: features, targets: data.targets, mask: data.mask) })
        result.scaledWith = reference.lineage
        return result
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
    /// The parts as one table (its text and HTML views): rows, classes and feature shape of each.
    var table: Table {
        Table(
            columns: ["part", "rows", "classes", "shape"],
            rows: parts.map { name, part in
                [
                    .text(name), .integer(part.data.count), part.classCount.map { .integer($0) } ?? .text("-"),
                    .text(TensorError.format(shape: part.featureShape)),
                ]
            }, title: "DataSplit(\(train.name))")
    }
    var description: String { table.plainText }
}

/// How many examples each class has (`data.classCounts()`): what to check before trusting an accuracy.
final class ClassCountsObject: NativeObject, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "ClassCounts" }
    let datasetName: String
    /// One name per class id, and its number of examples.
    let names: [String]
    let counts: [Int]

    init(_ data: DatasetObject, classCount: Int) {
        datasetName = data.name
        var counts = [Int](repeating: 0, count: classCount)
        for label in data.data.labels where counts.indices.contains(label) { counts[label] += 1 }
        self.counts = counts
        names = (0..<classCount).map(data.className)
    }

    var typeName: String { Self.scriptTypeName }
    var total: Int { counts.reduce(0, +) }
    /// Each class's share of the examples (0 for an empty dataset).
    var fractions: [Double] { counts.map { total == 0 ? 0 : Double($0) / Double(total) } }
    /// The largest class's count over the smallest's: 1 for balanced data, infinity when a class has no example.
    var imbalance: Double {
        guard let largest = counts.max(), let smallest = counts.min(), largest > 0 else { return 1 }
        return smallest == 0 ? .infinity : Double(largest) / Double(smallest)
    }

    /// The counts as one table (its text and HTML views), the imbalance ratio in the title.
    var table: Table {
        let ratio = imbalance.isFinite ? "\(format(imbalance, digits: 2))×" : "∞ (a class has no example)"
        var table = Table(
            columns: ["class", "examples", "fraction"],
            rows: zip(names, zip(counts, fractions)).map { [.text($0), .integer($1.0), .number($1.1)] },
            title: "\(datasetName): \(total) examples, largest/smallest class \(ratio)")
        table.decimalPlaces = ["fraction": 3]
        table.footer = [.text("total"), .integer(total), .number(total == 0 ? 0 : 1)]
        return table
    }
    var description: String { table.plainText }
}
