// TrainingObjects: `HistoryObject`, `CallbackObject` and `OptimizerObject`, the training family's script values.
import Foundation
import NeuralNetworks
import RigorScript
import TensorCore

/// The per-epoch record of a `fit`.
final class HistoryObject: NativeObject {
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
final class CallbackObject: NativeObject {
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
final class OptimizerObject: NativeObject {
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

extension Arguments {
    /// `.adam(learningRate: 1e-3)`, `.sgd(learningRate:momentum:)`, `.adamW`, `.rmsProp`, or an optimizer object.
    func optimizer(_ index: Int) throws -> any Optimizer {
        if case .object(let object as OptimizerObject) = self[index] { return object.optimizer }
        let member = try implicitMember(index, expected: "Optimizer")
        func number(_ label: String, _ fallback: Float) throws -> Float {
            guard let value = member.argument(label) else { return fallback }
            guard let number = value.doubleValue else {
                throw BuiltinError(.type, "\(label) must be a number", argument: index)
            }
            return Float(number)
        }
        let known = Set(["learningRate", "momentum", "weightDecay", "nesterov", "beta1", "beta2"])
        for argument in member.arguments ?? [] where !known.contains(argument.label ?? "") {
            throw BuiltinError(
                .value, "unknown optimizer argument '\(argument.label ?? "_")' for .\(member.name)", argument: index)
        }
        switch member.name {
        case "adam":
            return Adam(
                learningRate: try number("learningRate", 1e-3), beta1: try number("beta1", 0.9),
                beta2: try number("beta2", 0.999), weightDecay: try number("weightDecay", 0))
        case "adamW":
            return Adam.adamW(
                learningRate: try number("learningRate", 1e-3), weightDecay: try number("weightDecay", 0.01))
        case "sgd":
            return SGD(
                learningRate: try number("learningRate", 0.01), momentum: try number("momentum", 0),
                nesterov: member.argument("nesterov")?.boolValue ?? false, weightDecay: try number("weightDecay", 0))
        case "rmsProp":
            return RMSProp(
                learningRate: try number("learningRate", 0.01), momentum: try number("momentum", 0),
                weightDecay: try number("weightDecay", 0))
        default:
            throw BuiltinError(
                .value, "unknown optimizer '.\(member.name)'; use .adam, .adamW, .sgd or .rmsProp", argument: index)
        }
    }

    /// `.crossEntropy`, `.crossEntropy(labelSmoothing:)`, `.mse`, `.mae`, `.binaryCrossEntropy`, `.huber(delta:)`.
    func loss(_ index: Int) throws -> Loss {
        let member = try implicitMember(index, expected: "Loss")
        switch member.name {
        case "crossEntropy":
            return .crossEntropy(labelSmoothing: Float(member.argument("labelSmoothing")?.doubleValue ?? 0))
        case "binaryCrossEntropy": return .binaryCrossEntropy()
        case "mse", "meanSquaredError": return .meanSquaredError
        case "mae", "meanAbsoluteError": return .meanAbsoluteError
        case "huber": return .huber(delta: Float(member.argument("delta")?.doubleValue ?? 1))
        default:
            throw BuiltinError(
                .value, "unknown loss '.\(member.name)'; use .crossEntropy, .binaryCrossEntropy, .mse, .mae or .huber",
                argument: index)
        }
    }
}
