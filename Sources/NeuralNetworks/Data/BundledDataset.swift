// BundledDataset: the small real datasets shipped as CSV resources (digits, iris, wine, breast cancer).
import Foundation
import TensorCore

/// A bundled dataset: raw features and class ids, with its citation. Exported once from scikit-learn by
/// `scripts/export-datasets.py` (see there for sources and licences).
public struct BundledDataset: Sendable {
    public let name: String
    /// Raw (unscaled) features `[N, F]`.
    public let features: Tensor
    /// Class ids.
    public let labels: [Int]
    public let featureNames: [String]
    public let classCount: Int
    /// The name of each class id (scikit-learn's `target_names`).
    public let classNames: [String]
    /// Where the data comes from and its licence.
    public let citation: String
    /// For digits: `"train"`/`"test"` per row (the engine reference split); otherwise empty.
    public let splits: [String]

    /// The whole dataset as a `Dataset` (features as stored).
    public var dataset: Dataset { get throws { try Dataset(features: features, labels: labels) } }

    /// The 1797 8×8 handwritten digits (pixels 0…16, 10 classes); rows hold the reference split (1257 train, 540 test).
    public static func digits() throws -> BundledDataset {
        try load(
            "digits", classes: (0..<10).map(String.init),
            citation: "UCI Optical Recognition of Handwritten Digits (E. Alpaydin, C. Kaynak, 1998), CC BY 4.0, "
                + "via scikit-learn load_digits (BSD-3-Clause)")
    }

    /// Fisher's iris: 150 × 4 features, 3 classes.
    public static func iris() throws -> BundledDataset {
        try load(
            "iris", classes: ["setosa", "versicolor", "virginica"],
            citation: "R. A. Fisher (1936), UCI Iris, CC BY 4.0, via scikit-learn load_iris")
    }

    /// Wine: 178 × 13 features, 3 cultivars.
    public static func wine() throws -> BundledDataset {
        try load(
            "wine", classes: ["class_0", "class_1", "class_2"],
            citation: "M. Forina et al., UCI Wine, CC BY 4.0, via scikit-learn load_wine")
    }

    /// Breast Cancer Wisconsin (Diagnostic): 569 × 30 features, 0 = malignant, 1 = benign.
    public static func breastCancer() throws -> BundledDataset {
        try load(
            "breast_cancer", classes: ["malignant", "benign"],
            citation:
                "W. H. Wolberg, W. N. Street, O. L. Mangasarian (1995), UCI Breast Cancer Wisconsin (Diagnostic), "
                + "CC BY 4.0, via scikit-learn load_breast_cancer")
    }

    /// The rows whose split is `split` (digits: `train` or `test`), as a `Dataset`.
    public func dataset(split: String) throws -> Dataset {
        let rows = splits.indices.filter { splits[$0] == split }
        guard !rows.isEmpty else { throw NeuralNetworkError(name, "no rows in split '\(split)'") }
        return try dataset.subset(rows)
    }

    static func load(_ name: String, classes: [String], citation: String) throws -> BundledDataset {
        guard
            let url = Bundle.module.url(forResource: name, withExtension: "csv", subdirectory: "Resources")
                ?? Bundle.module.url(forResource: name, withExtension: "csv")
        else { throw NeuralNetworkError(name, "the bundled file \(name).csv is missing from the resources") }
        let table = try CSVTable.read(url.path)
        let featureNames = table.columnNames.filter { $0 != "label" && $0 != "split" }
        let features = try table.tensor(columns: featureNames)
        let labels = try table.numbers("label").map { Int($0) }
        let splits = table.columnNames.contains("split") ? try table.texts("split").map { $0 ?? "" } : []
        return BundledDataset(
            name: name, features: features, labels: labels, featureNames: featureNames, classCount: classes.count,
            classNames: classes, citation: citation, splits: splits)
    }
}
