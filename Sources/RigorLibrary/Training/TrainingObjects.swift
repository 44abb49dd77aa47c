// TrainingObjects: `HistoryObject`, `CallbackObject` and `OptimizerObject`, the training family's script values.
import Foundation
import NeuralNetworks
import RigorScript
import TensorCore

/// The per-epoch record of a `fit`.
final class HistoryObject: NativeObject, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "History" }
    let history: NeuralNetworks.History
    init(_ history: NeuralNetworks.History) { self.history = history }
    var typeName: String { "History" }
    var description: String { "History(\(history.epochs.count) epochs)\n" + history.description }

    /// The best epoch (from 1): the one whose weights `EarlyStopping` put back (its `minDelta` decides what counts
    /// as better), else the one with the lowest validation loss; nil without validation.
    var bestEpoch: Int? { history.bestEpoch.map { $0 + 1 } }

    /// The validation loss of `bestEpoch`.
    var bestValidationLoss: Double? {
        let losses = history["val_loss"]
        return bestEpoch.flatMap { losses.indices.contains($0 - 1) ? losses[$0 - 1] : nil }
    }
}

/// A training callback (`EarlyStopping(patience: 3)`).
final class CallbackObject: NativeObject, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "Callback" }
    let callback: any Callback
    let spec: String
    let typeName: String
    init(_ callback: any Callback, spec: String, typeName: String = "EarlyStopping") {
        self.callback = callback
        self.spec = spec
        self.typeName = typeName
    }
    var description: String { spec }
}

/// An optimizer over a model's parameters (`Adam(model.parameters, learningRate: 1e-3)`).
final class OptimizerObject: NativeObject, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "Optimizer" }
    let optimizer: any Optimizer
    let parameters: [Parameter]
    init(_ optimizer: any Optimizer, parameters: [Parameter]) {
        self.optimizer = optimizer
        self.parameters = parameters
    }
    var typeName: String { "Optimizer" }
    var description: String {
        "\(type(of: optimizer))(learning rate \(optimizer.learningRate), \(parameters.count) tensors)"
    }
}
