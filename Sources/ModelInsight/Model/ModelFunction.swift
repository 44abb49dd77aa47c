// ModelFunction: what every attribution method explains: a batch of rows [n × d] → outputs [n × k], and, for a
// NeuralNetworks model, the gradient of one output with respect to the rows.
import Foundation
import NeuralNetworks
import TensorCore

/// A model seen as a function of a batch of feature rows, model-agnostic: any Swift closure, or a NeuralNetworks
/// model (then also differentiable, for saliency, gradient × input, integrated gradients and SmoothGrad).
///
/// Rows are flat: a row has `featureCount` values (an 8 × 8 image is 64 values, row-major); `inputShape` says how a
/// model sees one row (`[4]`, `[1, 8, 8]`), and `image` how to draw it and which features are neighbours (the image
/// methods need it).
///
/// ```swift
/// let f = try ModelFunction(model: mlp, inputShape: [4], output: .softmax,
///                           featureNames: iris.featureNames, classNames: iris.classNames)
/// let g = ModelFunction(featureCount: 3, outputCount: 1) { rows in rows.map { [$0[0] * $0[1] + $0[2]] } }
/// ```
public struct ModelFunction {
    /// The shape of one row as the model takes it (`[d]` for tabular data, `[C, H, W]` for images).
    public let inputShape: [Int]
    /// The number of values in a row: the product of `inputShape`.
    public let featureCount: Int
    /// The number of outputs per row (classes; 1 for a regression or a score).
    public let outputCount: Int
    public var featureNames: [String]
    public var classNames: [String]
    /// How rows are images (`nil` for tabular data): what the image methods (occlusion, image LIME) need.
    public var image: ImageLayout?

    /// Evaluates `count` rows given flat (`count × featureCount`), returning `count × outputCount` values.
    let evaluateFlat: ([Double], Int) throws -> [Double]
    /// For a NeuralNetworks model: evaluates `count` rows that `fill` writes straight into the Float32 input tensor
    /// (`count × featureCount` values), returning the `count × outputCount` outputs; no Double rows in between.
    let fillEvaluate: ((Int, (UnsafeMutableBufferPointer<Float>) -> Void) throws -> [Float])?
    /// For differentiable functions: the outputs and d output[classIndex] / d row for `count` flat rows.
    let gradientFlat: (([Double], Int, Int) throws -> (outputs: [Double], gradients: [Double]))?

    /// Whether input gradients are available (a NeuralNetworks model).
    public var isDifferentiable: Bool { gradientFlat != nil }

    /// A function given as a Swift closure over a batch of rows; not differentiable.
    ///
    /// - Parameters:
    ///   - featureCount: values per row.
    ///   - outputCount: values `function` returns per row.
    ///   - function: rows `[n][featureCount]` → outputs `[n][outputCount]`.
    public init(
        featureCount: Int, outputCount: Int, featureNames: [String]? = nil, classNames: [String]? = nil,
        image: ImageLayout? = nil, _ function: @escaping ([[Double]]) throws -> [[Double]]
    ) {
        self.inputShape = [featureCount]
        self.featureCount = featureCount
        self.outputCount = outputCount
        self.featureNames = featureNames ?? ModelFunction.defaultFeatureNames(featureCount)
        self.classNames = classNames ?? ModelFunction.defaultClassNames(outputCount)
        self.image = image
        self.evaluateFlat = { flat, count in
            let rows = (0..<count).map { Array(flat[($0 * featureCount)..<(($0 + 1) * featureCount)]) }
            let outputs = try function(rows)
            guard outputs.count == count else {
                throw InsightError(
                    .modelFailed, "ModelFunction", "the function returned \(outputs.count) rows for \(count) inputs")
            }
            var result: [Double] = []
            result.reserveCapacity(count * outputCount)
            for (index, row) in outputs.enumerated() {
                guard row.count == outputCount else {
                    throw InsightError(
                        .modelFailed, "ModelFunction",
                        "the function returned \(row.count) outputs for row \(index); expected \(outputCount)")
                }
                result += row
            }
            return result
        }
        self.fillEvaluate = nil
        self.gradientFlat = nil
    }

    /// What the explanation explains of a NeuralNetworks model's outputs.
    public enum OutputTransform: String, Sendable, Hashable {
        /// The raw outputs (logits of a classifier, the value of a regression).
        case identity
        /// Class probabilities: softmax over the outputs.
        case softmax
        /// Independent probabilities: sigmoid of each output (binary classifiers with one logit).
        case sigmoid
    }

    /// A NeuralNetworks model in evaluation mode: outputs through `predict` (no graph), input gradients through
    /// `predictRecordingGraph` (a graph from the input only).
    ///
    /// - Parameters:
    ///   - inputShape: one row's shape as the model takes it (`[4]`, `[1, 8, 8]`); rows are reshaped to
    ///     `[n] + inputShape`.
    ///   - output: explain the raw outputs, or probabilities.
    ///   - image: how rows are images; inferred from an `inputShape` of `[H, W]` or `[C, H, W]`.
    /// - Throws: `InsightError` when the model fails on one row of zeros (the probe that finds `outputCount`).
    public init(
        model: any Layer, inputShape: [Int], output: OutputTransform = .identity, featureNames: [String]? = nil,
        classNames: [String]? = nil, image: ImageLayout? = nil, batchSize: Int = 8192
    ) throws {
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
            throw InsightError(
                .invalidArgument, "ModelFunction", "inputShape must be non-empty and positive, got \(inputShape)")
        }
        let featureCount = inputShape.reduce(1, *)
        let transform = output
        func apply(_ raw: Tensor) throws -> Tensor {
            let outputs = raw.rank == 2 ? raw : try raw.reshaped(to: [raw.shape.first ?? 1, -1])
            switch transform {
            case .identity: return outputs
            case .softmax: return try outputs.softmax(alongAxis: 1)
            case .sigmoid: return outputs.sigmoid()
            }
        }
        func tensor(_ flat: [Double], _ count: Int) throws -> Tensor {
            try Tensor(shape: [count] + inputShape, scalars: flat.map { Float($0) })
        }
        let probe: Tensor
        do {
            probe = try apply(model.predict(tensor(Array(repeating: 0, count: featureCount), 1)))
        } catch {
            throw InsightError(
                .modelFailed, "ModelFunction",
                "the model does not take rows of shape \(inputShape): \(error)")
        }
        let outputCount = probe.scalarCount
        self.inputShape = inputShape
        self.featureCount = featureCount
        self.outputCount = outputCount
        self.featureNames = featureNames ?? ModelFunction.defaultFeatureNames(featureCount)
        self.classNames = classNames ?? ModelFunction.defaultClassNames(outputCount)
        self.image = image ?? ImageLayout(inputShape: inputShape)
        let chunk = max(1, batchSize)
        func run(_ input: Tensor, count: Int) throws -> Tensor {
            try noGrad {
                // One forward pass when the rows fit a batch (predict would copy them into a slice first).
                try apply(
                    count <= chunk
                        ? model.forward(input, context: .evaluation) : model.predict(input, batchSize: chunk))
            }
        }
        self.evaluateFlat = { flat, count in
            try run(tensor(flat, count), count: count).scalars.map { Double($0) }
        }
        self.fillEvaluate = { count, fill in
            var input = try Tensor.zeros([count] + inputShape)
            input.withUnsafeMutableBufferPointer { fill($0) }
            return try run(input, count: count).scalars
        }
        self.gradientFlat = { flat, count, classIndex in
            let input = try tensor(flat, count)
            var outputs: [Double] = []
            let (raw, gradient) = try model.inputGradient(input) { raw in
                let transformed = try apply(raw)
                outputs = transformed.detached().scalars.map { Double($0) }
                return try transformed.sliced(alongAxis: 1, from: classIndex, to: classIndex + 1).sum()
            }
            _ = raw
            return (outputs, gradient.scalars.map { Double($0) })
        }
    }

    static func defaultFeatureNames(_ count: Int) -> [String] { (0..<count).map { "x\($0)" } }
    static func defaultClassNames(_ count: Int) -> [String] { (0..<count).map { "class \($0)" } }

    // MARK: evaluation with checks

    /// The outputs for `rows` (each `featureCount` values): `[n][outputCount]`.
    public func callAsFunction(_ rows: [[Double]]) throws -> [[Double]] {
        for (index, row) in rows.enumerated() { try checkRow(row, name: "row \(index)", operation: "ModelFunction") }
        let flat = try evaluate(rows.flatMap { $0 }, count: rows.count)
        return (0..<rows.count).map { Array(flat[($0 * outputCount)..<(($0 + 1) * outputCount)]) }
    }

    /// Flat evaluation, wrapping a model's own error.
    func evaluate(_ flat: [Double], count: Int) throws -> [Double] {
        guard count > 0 else { return [] }
        do {
            let result = try evaluateFlat(flat, count)
            guard result.count == count * outputCount else {
                throw InsightError(
                    .modelFailed, "ModelFunction",
                    "the model returned \(result.count) values for \(count) rows of \(outputCount) outputs")
            }
            return result
        } catch let error as InsightError {
            throw error
        } catch {
            throw InsightError(.modelFailed, "ModelFunction", "\(error)")
        }
    }

    /// One output column of a flat evaluation.
    func evaluate(_ flat: [Double], count: Int, classIndex: Int) throws -> [Double] {
        let all = try evaluate(flat, count: count)
        return (0..<count).map { all[$0 * outputCount + classIndex] }
    }

    /// Outputs of `classIndex` and gradients for flat rows; throws for a function without gradients.
    func gradients(
        _ flat: [Double], count: Int, classIndex: Int, operation: String
    ) throws -> (
        outputs: [Double], gradients: [Double]
    ) {
        guard let gradientFlat else {
            throw InsightError(
                .notDifferentiable, operation,
                "needs input gradients, and this function has none (it is a Swift closure); build the ModelFunction"
                    + " from a NeuralNetworks model, or use .kernelSHAP, .permutationSHAP or .lime")
        }
        do {
            let (outputs, gradients) = try gradientFlat(flat, count, classIndex)
            return ((0..<count).map { outputs[$0 * outputCount + classIndex] }, gradients)
        } catch let error as InsightError {
            throw error
        } catch {
            throw InsightError(.modelFailed, operation, "\(error)")
        }
    }

    // MARK: argument checks shared by the methods

    func checkRow(_ row: [Double], name: String, operation: String) throws {
        guard row.count == featureCount else {
            throw InsightError(
                .invalidArgument, operation, "\(name) has \(row.count) features; the model takes \(featureCount)")
        }
        if let index = row.firstIndex(where: { !$0.isFinite }) {
            throw InsightError(
                .invalidArgument, operation,
                "\(name) has \(row[index].isNaN ? "NaN" : "an infinite value") at feature '\(featureNames[index])'")
        }
    }

    func checkClass(_ classIndex: Int, operation: String) throws {
        guard (0..<outputCount).contains(classIndex) else {
            throw InsightError(
                .invalidArgument, operation,
                "class index \(classIndex) is out of range: the model has \(outputCount) output"
                    + (outputCount == 1 ? " (index 0)" : "s (0..<\(outputCount))"))
        }
    }

    /// The background as flat rows, checked: at least one row, the feature count, no NaN.
    func checkBackground(_ background: [[Double]], operation: String) throws -> [Double] {
        guard !background.isEmpty else {
            throw InsightError(.invalidArgument, operation, "the background set is empty; pass some training rows")
        }
        for (index, row) in background.enumerated() {
            try checkRow(row, name: "background row \(index)", operation: operation)
        }
        return background.flatMap { $0 }
    }

    func requireImage(operation: String) throws -> ImageLayout {
        guard let image else {
            throw InsightError(
                .invalidArgument, operation,
                "is an image method, and the rows are tabular (input shape \(inputShape)); pass image:"
                    + " ImageLayout(height:width:) to ModelFunction for flattened images, or use a tabular method")
        }
        guard image.featureCount == featureCount else {
            throw InsightError(
                .invalidArgument, operation,
                "the image layout \(image.channels)×\(image.height)×\(image.width) has \(image.featureCount) values;"
                    + " the rows have \(featureCount)")
        }
        return image
    }
}

/// How a flat row is an image: channels × height × width, row-major (PyTorch's `[C, H, W]`).
public struct ImageLayout: Sendable, Hashable {
    public var channels: Int
    public var height: Int
    public var width: Int

    public init(channels: Int = 1, height: Int, width: Int) {
        self.channels = max(1, channels)
        self.height = max(1, height)
        self.width = max(1, width)
    }

    /// `[H, W]` or `[C, H, W]` (`nil` for other ranks).
    init?(inputShape: [Int]) {
        switch inputShape.count {
        case 2: self.init(height: inputShape[0], width: inputShape[1])
        case 3: self.init(channels: inputShape[0], height: inputShape[1], width: inputShape[2])
        default: return nil
        }
    }

    var pixelCount: Int { height * width }
    var featureCount: Int { channels * height * width }
}
