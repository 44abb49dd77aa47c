// Data: `Dataset` (bundled and CSV data, reshaping, shuffling, splitting, standardizing) and `DataSplit`.
import Foundation
import NeuralNetworks
import RigorScript
import TensorCore

extension RigorLibrary {
    static func registerData(in registry: BuiltinRegistry) {
        registry.beginFamily("Data")
        let type = registry.type(
            DatasetObject.self,
            doc: "Examples stacked along the first axis: features and class ids (or regression targets).")
        registerDatasetSources(type)
        registerDatasetMembers(type)
        let counts = registry.type(
            ClassCountsObject.self, doc: "How many examples each class of a dataset has (`data.classCounts()`).")
        counts.property("names", doc: "The class names (or ids), in class-id order.") { $0.names }
        counts.property("counts", doc: "The number of examples of each class.") { $0.counts }
        counts.property("fractions", doc: "Each class's share of the examples.") { $0.fractions }
        counts.property("imbalance", doc: "The largest class's count over the smallest's (1 when balanced).") {
            $0.imbalance
        }

        let example = registry.type(ExampleObject.self, doc: "One example of a dataset: `features` and `label`.")
        example.property("features", doc: "The example's features.") { $0.features }
        example.property("label", type: "Int", doc: "The example's class id (or target).") { $0.label }

        let split = registry.type(
            SplitObject.self, doc: "A dataset split into `train`, `validation` and `test` parts.")
        split.initializer(
            Arg<DatasetObject>("train"), Arg<DatasetObject?>("validation", default: nil),
            Arg<DatasetObject?>("test", default: nil),
            doc: "A split from parts made elsewhere (a test set collected separately, rows chosen by hand); every "
                + "part's examples must have the training part's feature shape.",
            example: "let data = DataSplit(train: collected, test: heldOut)"
        ) { _, train, validation, test in
            for (name, part) in [("validation", validation), ("test", test)] {
                guard let part, part.featureShape != train.featureShape else { continue }
                throw BuiltinError(
                    .shape,
                    "the \(name) examples have features \(TensorError.format(shape: part.featureShape)), the training "
                        + "examples \(TensorError.format(shape: train.featureShape))", parameter: name)
            }
            return SplitObject(train: train, validation: validation, test: test)
        }
        split.property("train", doc: "The training part.") { $0.train }
        split.property("validation", doc: "The validation part, if any.") { $0.validation }
        split.property("test", doc: "The test part, if any.") { $0.test }
        split.method(
            "standardized",
            doc: "Every part standardized with the mean and standard deviation of the training part only.",
            example: "let data = Dataset.wine().split(train: 0.8, test: 0.2).standardized()"
        ) { parts, _ in
            let train = parts.train
            return SplitObject(
                train: try train.standardized(fittedOn: train),
                validation: try parts.validation?.standardized(fittedOn: train),
                test: try parts.test?.standardized(fittedOn: train))
        }
        split.method(
            "reshaped", Arg<Shape>(nil, "shape"), doc: "Every part with each example's features in `shape`.",
            example: "split.reshaped([1, 8, 8])"
        ) { parts, _, shape in
            func reshape(_ set: DatasetObject) throws -> DatasetObject { try set.reshaped(shape.extents) }
            return SplitObject(
                train: try reshape(parts.train), validation: try parts.validation.map(reshape),
                test: try parts.test.map(reshape))
        }
    }

    /// `Dataset(features:labels:…)`, the bundled datasets and the file readers.
    private static func registerDatasetSources(_ type: TypeBuilder<DatasetObject>) {
        type.initializer(
            Arg<Tensor>("features"), Arg<Tensor>("labels"), Arg<[String]?>("classNames", default: nil),
            Arg<[String]?>("featureNames", default: nil),
            doc: "A dataset from a features tensor `[N, ...]` and labels `[N]` (class ids or targets). "
                + "`classNames` names the class ids 0, 1, … (and fixes how many classes there are, even when a "
                + "class has no example); `featureNames` names the features of flat `[N, F]` data.",
            example: "Dataset(features: Tensor.random([4, 2]), labels: [0, 1, 0, 1], classNames: [\"cat\", \"dog\"])"
        ) { _, features, targets, classNames, featureNames in
            let data = try engine(parameter: "labels") {
                try NeuralNetworks.Dataset(features: features, targets: targets)
            }
            let labels = data.labels
            let isClasses = targets.scalars.allSatisfy { $0.rounded() == $0 && $0 >= 0 }
            if let classNames {
                guard isClasses else {
                    throw BuiltinError(
                        .value, "classNames needs labels that are class ids 0, 1, …", parameter: "labels")
                }
                if let largest = labels.max(), largest >= classNames.count {
                    throw BuiltinError(
                        .value, "label \(largest) has no name: classNames has \(classNames.count) names",
                        parameter: "classNames")
                }
            }
            let width = features.shape.dropFirst().reduce(1, *)
            if let featureNames, featureNames.count != width {
                throw BuiltinError(
                    .value, "\(featureNames.count) feature names for \(width) features per example",
                    parameter: "featureNames")
            }
            return DatasetObject(
                data, name: "custom", classCount: isClasses ? (labels.max() ?? 0) + 1 : nil, classNames: classNames,
                featureNames: featureNames)
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
            type.staticFunction(name, doc: doc, example: "let data = Dataset.\(name)()") { _ in
                let set = try engine { try load() }
                return DatasetObject(
                    try engine { try set.dataset }, name: name, classCount: set.classCount,
                    classNames: set.classNames, featureNames: set.featureNames)
            }
        }
        type.staticFunction(
            "csv", Arg<String>(nil, "path"), Arg<String>("target"),
            doc: "A dataset from a CSV file with a header: the `target` column gives the labels (text labels "
                + "become ids in sorted order), every other column is a numeric feature.",
            example: "Dataset.csv(\"measurements.csv\", target: \"species\")"
        ) { _, path, target in
            let table = try engine(parameter: "path") { try CSVTable.read(path) }
            guard table.columnNames.contains(target) else {
                throw BuiltinError(
                    .value, "no column '\(target)' in \(path); columns: \(table.columnNames.joined(separator: ", "))",
                    parameter: "target")
            }
            let featureNames = table.columnNames.filter { $0 != target }
            let features = try engine(parameter: "path") { try table.tensor(columns: featureNames) }
            let labels: [Int]
            var classes: Int?
            var classNames: [String]?
            if let numbers = try? table.numbers(target) {
                labels = numbers.map { Int($0.rounded()) }
                classes = numbers.allSatisfy { $0.rounded() == $0 && $0 >= 0 } ? (labels.max() ?? 0) + 1 : nil
                if classes == nil {
                    let data = try engine { try NeuralNetworks.Dataset(features: features, targets: Tensor(numbers)) }
                    return DatasetObject(data, name: path, classCount: nil, featureNames: featureNames)
                }
            } else {
                let texts = try engine { try table.texts(target) }.map { $0 ?? "" }
                let encoder = LabelEncoder(fittingOn: texts)
                labels = try engine { try encoder.encode(texts) }
                classes = encoder.classes.count
                classNames = encoder.classes
            }
            let data = try engine { try NeuralNetworks.Dataset(features: features, labels: labels) }
            return DatasetObject(
                data, name: path, classCount: classes, classNames: classNames, featureNames: featureNames)
        }
        for (name, label, doc, read) in [
            ("idx", "images", "MNIST's IDX format", ArrayFile.readIDX),
            ("npy", "features", "NumPy's .npy format", ArrayFile.readNPY),
        ] as [(String, String, String, (String) throws -> Tensor)] {
            type.staticFunction(
                name, Arg<String>(label), Arg<String>("labels"),
                doc: "A dataset from two files in \(doc): the features (first axis = examples) and the class ids.",
                example: "Dataset.\(name)(\(label): \"train-\(label).\(name)\", labels: \"train-labels.\(name)\")"
            ) { _, featuresPath, labelsPath in
                let features = try engine(parameter: label) { try read(featuresPath) }
                let targets = try engine(parameter: "labels") { try read(labelsPath) }
                let data = try engine(parameter: "labels") {
                    try NeuralNetworks.Dataset(features: features, targets: targets.reshaped(to: [-1]))
                }
                return DatasetObject(data, name: name, classCount: (data.labels.max() ?? 0) + 1)
            }
        }
    }

    /// A dataset's properties, its transformations and `data[i]`.
    private static func registerDatasetMembers(_ type: TypeBuilder<DatasetObject>) {
        type.property("count", doc: "The number of examples.") { $0.data.count }
        type.property("features", doc: "All features, `[N, ...]`.") { $0.data.features }
        type.property("labels", doc: "The class ids.") { $0.data.labels }
        type.property("featureShape", doc: "The shape of one example's features.") { $0.featureShape }
        type.property("classCount", doc: "The number of classes (nil for regression).") { $0.classCount }
        type.property(
            "classNames", doc: "The name of each class id (bundled datasets, text labels of a CSV, or given), or nil."
        ) { $0.classNames }
        type.property(
            "featureNames", doc: "The name of each feature (bundled datasets, CSV columns, or given), or nil."
        ) { $0.featureNames }
        type.method(
            "classCounts",
            doc: "How many examples each class has, their fractions and the largest/smallest ratio, as a table: check "
                + "it before trusting an accuracy (on 90/10 data, always answering the majority class scores 0.9).",
            example: "data.train.classCounts()\ndata.train.classCounts().imbalance   // 1.0 when balanced"
        ) { set, _ in
            guard let classCount = set.classCount else {
                throw BuiltinError(
                    .value, "classCounts needs class labels; \(set.name) has regression targets",
                    notes: ["for a regression target, look at its distribution: Plot().histogram(data.labels)"])
            }
            return ClassCountsObject(set, classCount: classCount)
        }
        type.method(
            "reshaped", Arg<Shape>(nil, "shape"),
            doc: "The same examples with each example's features in `shape` (e.g. `[1, 8, 8]` for 1-channel images).",
            example: "Dataset.digits().reshaped([1, 8, 8])"
        ) { set, _, shape in try set.reshaped(shape.extents) }
        type.method(
            "shuffled", Arg<Seed>.trackedSeed(), doc: "The examples in a seeded random order.",
            example: "Dataset.iris().shuffled(seed: 1)"
        ) { set, context, seed in
            RigorChecks.checkSeed(seed, of: "shuffled", in: context)
            let order = set.data.shuffledOrder(seed: seed.generatorSeed, epoch: 0)
            return set.derived(try engine { try set.data.subset(order) }, rows: order)
        }
        type.method(
            "augmented", Arg("copies", default: 1, bound: .atLeast(0)), Arg<Float>("horizontalFlip", default: 0),
            Arg("maximumShift", default: 0), Arg<Float>("rotation", default: 0), Arg<Float>("noise", default: 0),
            Arg<Seed>.trackedSeed(),
            doc: "The examples plus `copies` randomly augmented copies of each image (features `[C, H, W]`): "
                + "horizontal flips with probability `horizontalFlip`, shifts up to `maximumShift` pixels, rotations "
                + "up to `rotation` degrees, Gaussian `noise`. Augment the training part only.",
            example: "let train = data.train.augmented(copies: 2, maximumShift: 1, rotation: 10, seed: 1)"
        ) { set, context, copies, horizontalFlip, maximumShift, rotation, noise, seed in
            RigorChecks.checkSeed(seed, of: "augmented", in: context)
            let augmentation = ImageAugmentation(
                horizontalFlipProbability: horizontalFlip, maximumShift: maximumShift,
                maximumRotationDegrees: rotation, noiseStandardDeviation: noise)
            var generator = RandomGenerator(seed: seed.generatorSeed)
            // The copies, then their concatenation: check the whole before building any.
            try engine(parameter: "copies") {
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
            // Every copy is a copy of the same source rows: a split after augmenting is told (shared-rows check).
            let rows = Array(repeating: Array(0..<set.data.count), count: copies + 1).flatMap { $0 }
            return set.derived(
                try engine { try NeuralNetworks.Dataset(features: all, targets: targets) }, rows: rows)
        }
        type.method(
            "standardized", Arg<DatasetObject?>("using", "reference", default: nil),
            doc: "Each feature shifted and scaled to mean 0, standard deviation 1 (a constant feature is only "
                + "shifted), with the mean and standard deviation of this dataset, or of `reference` when given: "
                + "standardize a separate test file with its training data's statistics, so the test part is not "
                + "looked at. On a split, the split's `standardized()` does this for every part.",
            example: "let test = Dataset.csv(\"test.csv\", target: \"label\").standardized(using: train)"
        ) { set, _, reference in try set.standardized(fittedOn: reference ?? set) }
        type.method(
            "split", Arg<Double>("train"), Arg("validation", default: 0.0), Arg("test", default: 0.0),
            Arg("stratified", default: true), Arg<Seed>.trackedSeed(),
            doc: "Splits the examples into `train`, `validation` and `test` parts by fraction (stratified by class "
                + "when the labels are classes), reproducibly from `seed`.",
            example: "let data = Dataset.digits().split(train: 0.7, validation: 0.15, test: 0.15, seed: 42)"
        ) { set, context, train, validation, test, stratified, seed in
            let fractions = [train, validation, test]
            guard fractions.allSatisfy({ $0 >= 0 }),
                abs(fractions.reduce(0, +) - 1) < 1e-6 || fractions.reduce(0, +) < 1
            else {
                throw BuiltinError(.value, "split fractions must be non-negative and sum to at most 1")
            }
            RigorChecks.checkSeed(seed, of: "split", in: context)
            let parts = try engine {
                stratified && set.classCount != nil
                    ? try Splitting.stratifiedSplit(
                        labels: set.data.labels, fractions: fractions, seed: seed.generatorSeed)
                    : try Splitting.randomSplit(count: set.data.count, fractions: fractions, seed: seed.generatorSeed)
            }
            let subsets = try parts.map { indices in
                try engine { try set.derived(set.data.subset(indices), rows: indices) }
            }
            for (subset, role) in zip(subsets, [SplitRole.train, .validation, .test]) { subset.role = role }
            let split = SplitObject(
                train: subsets[0], validation: validation > 0 ? subsets[1] : nil, test: test > 0 ? subsets[2] : nil)
            RigorChecks.checkSharedRows(split, in: context)
            return split
        }
        type.subscriptGetter { set, indices, _ in
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
    }
}

extension DatasetObject {
    /// The same examples with each example's features in `shape` (a shape that does not fit blames `shape`).
    func reshaped(_ shape: [Int]) throws -> DatasetObject {
        let features = try engine(parameter: "shape") { try data.features.reshaped(to: [data.count] + shape) }
        return derived(try engine { try NeuralNetworks.Dataset(features: features, targets: data.targets) })
    }
}
