// InsightObjects: explanations as script values (`Explanation`, `Explanations`) and what `explain` decodes: the
// model or script function being explained, rows (a Dataset, a Tensor, an Example or numbers) and the method.
import Foundation
import ModelInsight
import NeuralNetworks
import RigorScript
import TensorCore

/// One prediction explained: attributions per feature, the base value, f(x) and the method's check.
final class ExplanationObject: NativeObject, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "Explanation" }
    let explanation: Explanation
    init(_ explanation: Explanation) { self.explanation = explanation }
    var typeName: String { "Explanation" }
    var description: String { explanation.plainText }
}

/// Many rows explained with one method and one class: the global views (mean |attribution|, beeswarm, table).
final class ExplanationSetObject: NativeObject, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "Explanations" }
    let set: ExplanationSet
    init(_ set: ExplanationSet) { self.set = set }
    var typeName: String { "Explanations" }
    var description: String { self.set.plainText }
}

/// What is explained: a model of the session, or a script function of one row (`[Double]`) to a number.
enum ExplainedFunction {
    case model(ModelObject)
    case function(FunctionValue)

    static func argument() -> Arg<ExplainedFunction> {
        Arg(nil, "model", type: "Model or ([Double]) -> Double") { value, context in
            if case .object(let model as ModelObject) = value { return .model(model) }
            return FunctionValue.decode(value, context: context).map { .function($0) }
        }
    }
}

/// Rows for `explain`: the values, the shape of one row, and the dataset they came from (for names).
struct InsightRows {
    var rows: [[Double]]
    var rowShape: [Int]
    var dataset: DatasetObject?

    /// A Dataset (every example), an Example, or a Tensor/array: `[N, ...]` is N rows when `single` is false; one
    /// row of any shape when `single` is true (a leading 1 is dropped).
    static func decode(_ value: Value, context: CallContext, single: Bool) throws -> InsightRows? {
        switch value {
        case .object(let set as DatasetObject):
            return try rows(of: set.data.features, single: single, dataset: set)
        case .object(let example as ExampleObject):
            return try rows(of: example.features, single: true, dataset: nil)
        default:
            guard let tensor = try Tensor.decode(value, context: context) else { return nil }
            return try rows(of: tensor, single: single, dataset: nil)
        }
    }

    static func rows(of tensor: Tensor, single: Bool, dataset: DatasetObject?) throws -> InsightRows {
        let scalars = tensor.scalars.map(Double.init)
        var shape = tensor.shape
        if single {
            if shape.count > 1, shape[0] == 1 { shape.removeFirst() }
            if shape.isEmpty { shape = [1] }
            return InsightRows(rows: [scalars], rowShape: shape, dataset: dataset)
        }
        if shape.count < 2 { shape = [1, scalars.count] }
        let count = shape[0]
        let width = count > 0 ? scalars.count / count : 0
        return InsightRows(
            rows: (0..<count).map { Array(scalars[($0 * width)..<(($0 + 1) * width)]) },
            rowShape: Array(shape.dropFirst()), dataset: dataset)
    }

    static func argument(_ label: String?, _ name: String, single: Bool) -> Arg<InsightRows> {
        Arg(label, name, type: single ? "Tensor or Example" : "Dataset or Tensor") { value, context in
            try decode(value, context: context, single: single)
        }
    }
}

/// A method as `explain(..., method: .shap(background: data.train))` spells it; the call's `seed:` completes it.
enum InsightMethod {
    case shap(background: InsightRows, samples: Int)
    case exactShapley(background: InsightRows)
    case permutationSHAP(background: InsightRows, permutations: Int)
    case lime(training: InsightRows, samples: Int, features: Int, kernelWidth: Double?)
    case limeImage(patch: Int, samples: Int, hideValue: Double?)
    case saliency
    case gradientTimesInput
    case integratedGradients(steps: Int, baseline: InsightRows?)
    case smoothGrad(samples: Int, noiseLevel: Double)
    case occlusion(window: Int, stride: Int, fill: Double)

    /// The rows the method draws from, if any (their dataset names the features).
    var reference: InsightRows? {
        switch self {
        case .shap(let rows, _), .exactShapley(let rows), .permutationSHAP(let rows, _), .lime(let rows, _, _, _):
            return rows
        default: return nil
        }
    }

    /// Whether the method draws random samples (its result then depends on the call's `seed:`).
    var isRandom: Bool {
        switch self {
        case .shap, .permutationSHAP, .lime, .limeImage, .smoothGrad: true
        case .exactShapley, .saliency, .gradientTimesInput, .integratedGradients, .occlusion: false
        }
    }

    /// The engine's method with `seed`.
    func attributionMethod(seed: UInt64) -> AttributionMethod {
        switch self {
        case .shap(let background, let samples):
            return .kernelSHAP(background: background.rows, samples: samples, seed: seed)
        case .exactShapley(let background): return .exactShapley(background: background.rows)
        case .permutationSHAP(let background, let permutations):
            return .permutationSHAP(background: background.rows, permutations: permutations, seed: seed)
        case .lime(let training, let samples, let features, let kernelWidth):
            return .lime(
                training: training.rows,
                options: LIMEOptions(samples: samples, kernelWidth: kernelWidth, featureCount: features, seed: seed))
        case .limeImage(let patch, let samples, let hideValue):
            return .imageLIME(patch: patch, hideValue: hideValue, options: LIMEOptions(samples: samples, seed: seed))
        case .saliency: return .saliency
        case .gradientTimesInput: return .gradientTimesInput
        case .integratedGradients(let steps, let baseline):
            return .integratedGradients(baseline: baseline?.rows.first, steps: steps)
        case .smoothGrad(let samples, let noiseLevel):
            return .smoothGrad(samples: samples, noiseLevel: noiseLevel, seed: seed)
        case .occlusion(let window, let stride, let fill): return .occlusion(window: window, stride: stride, fill: fill)
        }
    }
}

/// `output: .probabilities`: which outputs of a model are explained.
enum ExplainedOutput {
    case probabilities
    case logits
}
