// CrossValidation: k-fold and stratified k-fold splits of a NeuralNetworks Dataset, and the mean score over the folds
// as an objective for a study.
import NeuralNetworks

/// Cross-validation over `Dataset`s (indices from `NeuralNetworks.Splitting.kFold`, seeded).
public enum CrossValidation {
    /// `folds` (train, validation) pairs; every example is in exactly one validation part.
    public static func kFold(
        _ dataset: Dataset, folds: Int, seed: UInt64 = 0
    ) throws -> [(
        train: Dataset, validation: Dataset
    )] {
        try Splitting.kFold(count: dataset.count, folds: folds, seed: seed).map {
            (try dataset.subset($0.train), try dataset.subset($0.validation))
        }
    }

    /// Like `kFold`, with each class's share the same in every fold (classification targets of shape `[N]`).
    public static func stratifiedKFold(
        _ dataset: Dataset, folds: Int, seed: UInt64 = 0
    ) throws -> [(
        train: Dataset, validation: Dataset
    )] {
        guard dataset.targets.rank == 1 else {
            throw SearchError(
                .invalidArgument,
                "stratifiedKFold needs class ids of shape [N], got targets of shape \(dataset.targets.shape)")
        }
        return try Splitting.kFold(count: dataset.count, folds: folds, labels: dataset.labels, seed: seed).map {
            (try dataset.subset($0.train), try dataset.subset($0.validation))
        }
    }

    /// `evaluate(train, validation)` on each fold; the mean and every fold's score. Use the mean as a trial's value.
    public static func score(
        _ dataset: Dataset, folds: Int, stratified: Bool = false, seed: UInt64 = 0,
        _ evaluate: (_ train: Dataset, _ validation: Dataset) throws -> Double
    ) throws -> (mean: Double, scores: [Double]) {
        let splits =
            stratified
            ? try stratifiedKFold(dataset, folds: folds, seed: seed) : try kFold(dataset, folds: folds, seed: seed)
        let scores = try splits.map { try evaluate($0.train, $0.validation) }
        return (scores.reduce(0, +) / Double(scores.count), scores)
    }
}
