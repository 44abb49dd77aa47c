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

    public var description: String {
        var lines = ["epoch  " + metricNames.joined(separator: "  ")]
        for logs in epochs {
            lines.append(
                String(logs.epoch + 1).padding(toLength: 7, withPad: " ", startingAt: 0)
                    + logs.values.map {
                        Self.format($0.value).padding(toLength: $0.name.count, withPad: " ", startingAt: 0)
                    }
                    .joined(separator: "  "))
        }
        if let stopReason { lines.append(stopReason) }
        return lines.joined(separator: "\n")
    }

    static func format(_ value: Double) -> String {
        let rounded = (value * 10_000).rounded() / 10_000
        return String(rounded)
    }
}
