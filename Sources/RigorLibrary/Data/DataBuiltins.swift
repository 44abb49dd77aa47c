// Data: `Dataset` (bundled and CSV data, reshaping, shuffling, splitting, standardizing) and `DataSplit`.
import Foundation
import NeuralNetworks
import RigorScript
import TensorCore

extension RigorLibrary {
    static func registerData(in registry: BuiltinRegistry) {
        registry.beginFamily("Data")
        let type = TypeDescriptor(
            "Dataset", doc: "Examples stacked along the first axis: features and class ids (or regression targets).")
        type.initializer(
            [
                param("features", "features", "Tensor"), param("labels", "labels", "Tensor"),
                param("classNames", "classNames", "[String]?", default: .nil),
                param("featureNames", "featureNames", "[String]?", default: .nil),
            ],
            doc: "A dataset from a features tensor `[N, ...]` and labels `[N]` (class ids or targets). "
                + "`classNames` names the class ids 0, 1, … (and fixes how many classes there are, even when a "
                + "class has no example); `featureNames` names the features of flat `[N, F]` data.",
            example: "Dataset(features: Tensor.random([4, 2]), labels: [0, 1, 0, 1], classNames: [\"cat\", \"dog\"])"
        ) { arguments, _ in
            let features = try arguments.tensor(0)
            let targets = try arguments.tensor(1)
            let data = try engine(argument: 1) { try NeuralNetworks.Dataset(features: features, targets: targets) }
            let labels = data.labels
            let isClasses = targets.scalars.allSatisfy { $0.rounded() == $0 && $0 >= 0 }
            let classNames = try arguments.optionalStrings(2)
            if let classNames {
                guard isClasses else {
                    throw BuiltinError(.value, "classNames needs labels that are class ids 0, 1, …", argument: 1)
                }
                if let largest = labels.max(), largest >= classNames.count {
                    throw BuiltinError(
                        .value, "label \(largest) has no name: classNames has \(classNames.count) names",
                        argument: 2)
                }
            }
            let featureNames = try arguments.optionalStrings(3)
            let width = features.shape.dropFirst().reduce(1, *)
            if let featureNames, featureNames.count != width {
                throw BuiltinError(
                    .value, "\(featureNames.count) feature names for \(width) features per example", argument: 3)
            }
            return .object(
                DatasetObject(
                    data, name: "custom", classCount: isClasses ? (labels.max() ?? 0) + 1 : nil,
                    classNames: classNames, featureNames: featureNames))
        }
        let bundled: [(String, String, () throws -> BundledDataset)] = [
            ("digits", "The 1,797 8×8 scanned digits (pixels 0…16, 64 features, labels 0–9).", BundledDataset.digits),
            ("iris", "Fisher's iris: 150 flowers, 4 features, 3 species.", BundledDataset.iris),
            ("wine", "Wine: 178 wines, 13 chemical features, 3 cultivars.", BundledDataset.wine),
            (
                "breastCancer", "Breast Cancer Wisconsin: 569 tumours, 30 features, 0 = malignant, 1 = benign.",
                BundledDataset.breastCancer
            ),
        ]
        for (name, doc, load) in bundled {
            type.staticFunction(name, returns: "Dataset", doc: doc, example: "let data = Dataset.\(name)()") { _, _ in
                let set = try engine { try load() }
                return .object(
                    DatasetObject(
                        try engine { try set.dataset }, name: name, classCount: set.classCount,
                        classNames: set.classNames, featureNames: set.featureNames))
            }
        }
        type.staticFunction(
            "csv", [param(nil, "path", "String"), param("target", "target", "String")], returns: "Dataset",
            doc: "A dataset from a CSV file with a header: the `target` column gives the labels (text labels "
                + "become ids in sorted order), every other column is a numeric feature.",
            example: "Dataset.csv(\"measurements.csv\", target: \"species\")"
        ) { arguments, _ in
            let path = try arguments.string(0)
            let target = try arguments.string(1)
            let table = try engine(argument: 0) { try CSVTable.read(path) }
            guard table.columnNames.contains(target) else {
                throw BuiltinError(
                    .value, "no column '\(target)' in \(path); columns: \(table.columnNames.joined(separator: ", "))",
                    argument: 1)
            }
            let featureNames = table.columnNames.filter { $0 != target }
            let features = try engine(argument: 0) { try table.tensor(columns: featureNames) }
            let labels: [Int]
            var classes: Int?
            var classNames: [String]?
            if let numbers = try? table.numbers(target) {
                labels = numbers.map { Int($0.rounded()) }
                classes = numbers.allSatisfy { $0.rounded() == $0 && $0 >= 0 } ? (labels.max() ?? 0) + 1 : nil
                if classes == nil {
                    let data = try engine { try NeuralNetworks.Dataset(features: features, targets: Tensor(numbers)) }
                    return .object(DatasetObject(data, name: path, classCount: nil, featureNames: featureNames))
                }
            } else {
                let texts = try engine { try table.texts(target) }.map { $0 ?? "" }
                let encoder = LabelEncoder(fittingOn: texts)
                labels = try engine { try encoder.encode(texts) }
                classes = encoder.classes.count
                classNames = encoder.classes
            }
            let data = try engine { try NeuralNetworks.Dataset(features: features, labels: labels) }
            return .object(
                DatasetObject(
                    data, name: path, classCount: classes, classNames: classNames, featureNames: featureNames))
        }
        for (name, label, doc, read) in [
            ("idx", "images", "MNIST's IDX format", ArrayFile.readIDX),
            ("npy", "features", "NumPy's .npy format", ArrayFile.readNPY),
        ] as [(String, String, String, (String) throws -> Tensor)] {
            type.staticFunction(
                name, [param(label, label, "String"), param("labels", "labels", "String")], returns: "Dataset",
                doc: "A dataset from two files in \(doc): the features (first axis = examples) and the class ids.",
                example: "Dataset.\(name)(\(label): \"train-\(label).\(name)\", labels: \"train-labels.\(name)\")"
            ) { arguments, _ in
                let features = try engine(argument: 0) { try read(try arguments.string(0)) }
                let targets = try engine(argument: 1) { try read(try arguments.string(1)) }
                let data = try engine(argument: 1) {
                    try NeuralNetworks.Dataset(features: features, targets: targets.reshaped(to: [-1]))
                }
                let classes = (data.labels.max() ?? 0) + 1
                return .object(DatasetObject(data, name: name, classCount: classes))
            }
        }
        type.getter("count", type: "Int", doc: "The number of examples.") { .int(try $0.dataset.data.count) }
        type.getter("features", type: "Tensor", doc: "All features, `[N, ...]`.") { wrap(try $0.dataset.data.features) }
        type.getter("labels", type: "[Int]", doc: "The class ids.") {
            .array(try $0.dataset.data.labels.map(Value.int))
        }
        type.getter("featureShape", type: "[Int]", doc: "The shape of one example's features.") {
            .array(try $0.dataset.featureShape.map(Value.int))
        }
        type.getter("classCount", type: "Int?", doc: "The number of classes (nil for regression).") {
            try $0.dataset.classCount.map(Value.int) ?? .nil
        }
        type.getter(
            "classNames", type: "[String]?",
            doc: "The name of each class id (bundled datasets, text labels of a CSV, or given), or nil."
        ) { try $0.dataset.classNames.map { .array($0.map(Value.string)) } ?? .nil }
        type.getter(
            "featureNames", type: "[String]?",
            doc: "The name of each feature (bundled datasets, CSV columns, or given), or nil."
        ) { try $0.dataset.featureNames.map { .array($0.map(Value.string)) } ?? .nil }
        type.define(
            "reshaped", [param(nil, "shape", "[Int]")], returns: "Dataset",
            doc: "The same examples with each example's features in `shape` (e.g. `[1, 8, 8]` for 1-channel images).",
            example: "Dataset.digits().reshaped([1, 8, 8])"
        ) { receiver, arguments, _ in
            let set = try receiver.dataset
            let shape = try arguments.shape(0)
            let features = try engine(argument: 0) { try set.data.features.reshaped(to: [set.data.count] + shape) }
            return .object(
                set.with(try engine { try NeuralNetworks.Dataset(features: features, targets: set.data.targets) }))
        }
        type.define(
            "shuffled", [param("seed", "seed", "Int", default: .int(0))], returns: "Dataset",
            doc: "The examples in a seeded random order.", example: "Dataset.iris().shuffled(seed: 1)"
        ) { receiver, arguments, _ in
            let set = try receiver.dataset
            let order = set.data.shuffledOrder(seed: try arguments.seed(0), epoch: 0)
            return .object(set.with(try engine { try set.data.subset(order) }))
        }
        type.define(
            "augmented",
            [
                param("copies", "copies", "Int", default: .int(1)),
                param("horizontalFlip", "horizontalFlip", "Double", default: .double(0)),
                param("maximumShift", "maximumShift", "Int", default: .int(0)),
                param("rotation", "rotation", "Double", default: .double(0)),
                param("noise", "noise", "Double", default: .double(0)),
                param("seed", "seed", "Int", default: .int(0)),
            ],
            returns: "Dataset",
            doc: "The examples plus `copies` randomly augmented copies of each image (features `[C, H, W]`): "
                + "horizontal flips with probability `horizontalFlip`, shifts up to `maximumShift` pixels, rotations "
                + "up to `rotation` degrees, Gaussian `noise`. Augment the training part only.",
            example: "let train = data.train.augmented(copies: 2, maximumShift: 1, rotation: 10, seed: 1)"
        ) { receiver, arguments, _ in
            let set = try receiver.dataset
            let copies = try arguments.int(0)
            guard copies >= 0 else { throw BuiltinError(.value, "copies must not be negative", argument: 0) }
            let augmentation = ImageAugmentation(
                horizontalFlipProbability: Float(try arguments.double(1)), maximumShift: try arguments.int(2),
                maximumRotationDegrees: Float(try arguments.double(3)),
                noiseStandardDeviation: Float(try arguments.double(4)))
            var generator = RandomGenerator(seed: try arguments.seed(5))
            // The copies, then their concatenation: check the whole before building any.
            try engine(argument: 0) {
                let copyCount =
                    copies >= Int.max / 2
                    ? nil : MemoryBudget.scalarCount(of: [set.data.features.scalarCount, copies + 1, 2])
                try MemoryBudget.check(count: copyCount, operation: "augmented", shapes: [set.data.features.shape])
            }
            var features = [set.data.features]
            for _ in 0..<copies {
                features.append(try engine { try augmentation.apply(to: set.data.features, using: &generator) })
            }
            let all = try engine { try Tensor.concatenate(features, alongAxis: 0) }
            let targets = try engine {
                try Tensor.concatenate(Array(repeating: set.data.targets, count: copies + 1), alongAxis: 0)
            }
            return .object(set.with(try engine { try NeuralNetworks.Dataset(features: all, targets: targets) }))
        }
        type.define(
            "standardized", [param("using", "reference", "Dataset?", default: .nil)], returns: "Dataset",
            doc: "Each feature shifted and scaled to mean 0, standard deviation 1 (a constant feature is only "
                + "shifted), with the mean and standard deviation of this dataset, or of `reference` when given: "
                + "standardize a separate test file with its training data's statistics, so the test part is not "
                + "looked at. On a split, the split's `standardized()` does this for every part.",
            example: "let test = Dataset.csv(\"test.csv\", target: \"label\").standardized(using: train)"
        ) { receiver, arguments, _ in
            let set = try receiver.dataset
            let reference = arguments.isNil(0) ? set : try arguments.dataset(0)
            return .object(try set.standardized(fittedOn: reference))
        }
        type.define(
            "split",
            [
                param("train", "train", "Double"), param("validation", "validation", "Double", default: .double(0)),
                param("test", "test", "Double", default: .double(0)),
                param("stratified", "stratified", "Bool", default: .bool(true)),
                param("seed", "seed", "Int", default: .int(0)),
            ],
            returns: "DataSplit",
            doc: "Splits the examples into `train`, `validation` and `test` parts by fraction (stratified by class "
                + "when the labels are classes), reproducibly from `seed`.",
            example: "let data = Dataset.digits().split(train: 0.7, validation: 0.15, test: 0.15, seed: 42)"
        ) { receiver, arguments, _ in
            let set = try receiver.dataset
            let fractions = [try arguments.double(0), try arguments.double(1), try arguments.double(2)]
            guard fractions.allSatisfy({ $0 >= 0 }),
                abs(fractions.reduce(0, +) - 1) < 1e-6 || fractions.reduce(0, +) < 1
            else {
                throw BuiltinError(.value, "split fractions must be non-negative and sum to at most 1")
            }
            let stratified = try arguments.bool(3) && set.classCount != nil
            let seed = try arguments.seed(4)
            let parts = try engine {
                stratified
                    ? try Splitting.stratifiedSplit(labels: set.data.labels, fractions: fractions, seed: seed)
                    : try Splitting.randomSplit(count: set.data.count, fractions: fractions, seed: seed)
            }
            let subsets = try parts.map { indices in try engine { try set.with(set.data.subset(indices)) } }
            return .object(
                SplitObject(
                    train: subsets[0], validation: fractions[1] > 0 ? subsets[1] : nil,
                    test: fractions[2] > 0 ? subsets[2] : nil))
        }
        type.subscriptGetter = { value, indices, _ in
            let set = try value.dataset
            guard indices.count == 1, var index = indices[0].intValue else {
                throw BuiltinError(.type, "a dataset is indexed by one Int")
            }
            if index < 0 { index += set.data.count }
            guard (0..<set.data.count).contains(index) else {
                throw BuiltinError(.index, "index \(index) is out of range 0..<\(set.data.count)")
            }
            let one = try engine { try set.data.subset([index]) }
            return .object(
                ExampleObject(
                    features: try engine { try one.features.squeezed(axis: 0) },
                    target: try engine { try one.targets.reshaped(to: Array(one.targets.shape.dropFirst())) }))
        }
        registry.register(type)

        let example = TypeDescriptor("Example", doc: "One example of a dataset: `features` and `label`.")
        example.getter("features", type: "Tensor", doc: "The example's features.") {
            wrap(try $0.object(ExampleObject.self).features)
        }
        example.getter("label", type: "Int", doc: "The example's class id (or target).") {
            try $0.object(ExampleObject.self).label
        }
        registry.register(example)

        let split = TypeDescriptor("DataSplit", doc: "A dataset split into `train`, `validation` and `test` parts.")
        split.getter("train", type: "Dataset", doc: "The training part.") {
            .object(try $0.object(SplitObject.self).train)
        }
        split.getter("validation", type: "Dataset?", doc: "The validation part, if any.") {
            try $0.object(SplitObject.self).validation.map { .object($0) } ?? .nil
        }
        split.getter("test", type: "Dataset?", doc: "The test part, if any.") {
            try $0.object(SplitObject.self).test.map { .object($0) } ?? .nil
        }
        split.define(
            "standardized", returns: "DataSplit",
            doc: "Every part standardized with the mean and standard deviation of the training part only.",
            example: "let data = Dataset.wine().split(train: 0.8, test: 0.2).standardized()"
        ) { receiver, _, _ in
            let parts = try receiver.object(SplitObject.self)
            let train = parts.train
            return .object(
                SplitObject(
                    train: try train.standardized(fittedOn: train),
                    validation: try parts.validation?.standardized(fittedOn: train),
                    test: try parts.test?.standardized(fittedOn: train)))
        }
        split.define(
            "reshaped", [param(nil, "shape", "[Int]")], returns: "DataSplit",
            doc: "Every part with each example's features in `shape`.",
            example: "split.reshaped([1, 8, 8])"
        ) { receiver, arguments, _ in
            let parts = try receiver.object(SplitObject.self)
            let shape = try arguments.shape(0)
            func reshape(_ set: DatasetObject) throws -> DatasetObject {
                let features = try engine(argument: 0) { try set.data.features.reshaped(to: [set.data.count] + shape) }
                return set.with(
                    try engine { try NeuralNetworks.Dataset(features: features, targets: set.data.targets) })
            }
            return .object(
                SplitObject(
                    train: try reshape(parts.train), validation: try parts.validation.map(reshape),
                    test: try parts.test.map(reshape)))
        }
        registry.register(split)
    }
}
