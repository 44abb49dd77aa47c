// History: the per-epoch metrics of a training run, and why it stopped.

/// What one epoch measured, in a fixed order (`loss`, `accuracy`, `val_loss`, `val_accuracy`, `learning_rate`).
public struct EpochLogs: Sendable, Equatable {
    /// The epoch, from 0.
    public let epoch: Int
    /// `(name, value)` pairs in a stable order.
    public var values: [(name: String, value: Double)]

    /// The value named `name`, if measured.
    public subscript(_ name: String) -> Double? { values.first { $0.name == name }?.value }

    public static func == (lhs: EpochLogs, rhs: EpochLogs) -> Bool {
        lhs.epoch == rhs.epoch && lhs.values.map(\.name) == rhs.values.map(\.name)
            && lhs.values.map(\.value) == rhs.values.map(\.value)
    }
}

/// The record of a `fit`: one `EpochLogs` per finished epoch.
public struct History: Sendable, Equatable, CustomStringConvertible {
    /// The finished epochs, in order.
    public internal(set) var epochs: [EpochLogs] = []
    /// Why training stopped early (`EarlyStopping` at epoch 7), or nil when it ran every epoch.
    public internal(set) var stopReason: String?
    /// The epoch whose weights the model holds when a callback restored the best ones.
    public internal(set) var restoredEpoch: Int?

    public init() {}

    /// The metric names, in the order of the first epoch.
    public var metricNames: [String] { epochs.first?.values.map(\.name) ?? [] }

    /// The series of one metric over the epochs (`history["val_loss"]`).
    public subscript(_ name: String) -> [Double] { epochs.compactMap { $0[name] } }

    /// The best epoch (from 0): the one whose weights `EarlyStopping` put back, else the lowest validation loss;
    /// nil without validation. The live training chart and the final one both use `bestEpoch(validationLosses:…)`.
    public var bestEpoch: Int? {
        Self.bestEpoch(validationLosses: self["val_loss"], restoredEpoch: restoredEpoch, earlyStopping: nil)
    }

    /// The one best-epoch rule (from 0): the epoch whose weights were restored; while training runs, the epoch an
    /// `EarlyStopping` on `val_loss` would restore (its `minDelta` decides what counts as better); else the lowest
    /// validation loss.
    public static func bestEpoch(
        validationLosses: [Double], restoredEpoch: Int?, earlyStopping: EarlyStopping?
    )
        -> Int?
    {
        if let restoredEpoch { return restoredEpoch }
        if let earlyStopping, earlyStopping.monitor == "val_loss", earlyStopping.restoreBestWeights,
            let best = earlyStopping.bestEpoch
        {
            return best
        }
        return validationLosses.indices.min { validationLosses[$0] < validationLosses[$1] }
    }

    /// A table: one row per epoch, one column per metric, every value to 4 decimals (never cut to the width of its
    /// column's name).
    public var description: String {
        let names = metricNames
        let rows = epochs.map { logs in names.map { logs[$0].map(Self.format) ?? "-" } }
        let epochWidth = max(5, String(epochs.count).count)
        let widths = names.indices.map { column in
            rows.reduce(names[column].count) { max($0, $1[column].count) }
        }
        func line(_ first: String, _ cells: [String], alignRight: Bool) -> String {
            let padded = zip(cells, widths).map { cell, width in
                let fill = String(repeating: " ", count: max(0, width - cell.count))
                return alignRight ? fill + cell : cell + fill
            }
            return ([first.padding(toLength: epochWidth, withPad: " ", startingAt: 0)] + padded)
                .joined(separator: "  ")
        }
        var lines = [line("epoch", names, alignRight: true)]
        for (logs, row) in zip(epochs, rows) { lines.append(line(String(logs.epoch + 1), row, alignRight: true)) }
        if let stopReason { lines.append(stopReason) }
        return lines.joined(separator: "\n")
    }

    static func format(_ value: Double) -> String {
        guard value.isFinite else { return String(value) }
        let text = String(format: "%.4f", value)
        return text == "-0.0000" ? "0.0000" : text
    }
}
