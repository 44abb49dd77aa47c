// Deployment: `quantize`, `prune`, `model.sparsity()`, `model.export(_:)`, `compareModels` and `serve`: a notebook's
// model compressed (Deployment's int8 and pruning), exported to ONNX, measured side by side, and served over HTTP by
// the same ModelServer as `rigor serve`.
import Deployment
import Foundation
import ModelServer
import NeuralNetworks
import RichDisplay
import RigorScript
import TensorCore

extension RigorLibrary {
    /// `mode: .dynamic` or `.static(percentile:)`.
    static let quantizationModes = Choices<QuantizationMode>(
        "QuantizationMode", noun: "quantization mode",
        [
            Choices.Choice(
                "dynamic",
                doc: "Each layer quantizes its input with the input's own range at every call (torch's dynamic "
                    + "quantization); no calibration data."
            ) { .dynamic },
            Choices.Choice(
                "static", Arg<Double?>("percentile", default: nil, bound: .within(50.0...100.0)),
                doc: "Input ranges fixed on the `calibration` sample: its minimum and maximum, or its `percentile`-th "
                    + "and (100 − `percentile`)-th percentiles (e.g. 99.99 clips outliers)."
            ) { percentile in .calibrated(percentile: percentile) },
        ])

    /// `method: .magnitude` …: the pruning methods.
    static let pruningMethods = Choices<PruningMethod>(
        "PruningMethod", noun: "pruning method",
        [
            Choices.Choice("magnitude", doc: "Each weight tensor loses the fraction `amount` with the smallest |w|.") {
                .magnitude
            },
            Choices.Choice(
                "global",
                doc: "The smallest fraction `amount` of all weights together (layers with many small "
                    + "weights lose more)."
            ) { .global },
            Choices.Choice(
                "channel",
                doc: "Whole Conv2D filters (and their bias), the fraction `amount` with the smallest L1 norm."
            ) { .channel },
            Choices.Choice("twoFour", doc: "2 of every 4 consecutive input weights (the 2:4 pattern); no `amount`.") {
                .twoFour
            },
        ])

    static func registerDeployment(in registry: BuiltinRegistry) {
        registry.beginFamily("Deployment")
        registry.register(quantizationModes)
        registry.register(pruningMethods)
        registerQuantization(in: registry)
        registerPruning(in: registry)
        registerExport(in: registry)
        registerComparison(in: registry)
        registerServing(in: registry)
    }

    // MARK: quantization

    private static func registerQuantization(in registry: BuiltinRegistry) {
        let calibration = Arg<Tensor?>("calibration", type: "Tensor or Dataset?", defaultValue: .nil, text: "nil") {
            value, context in
            if case .nil = value { return .some(nil) }
            if case .object(let set as DatasetObject) = value { return .some(set.data.features) }
            return try Tensor.decode(value, context: context).map { .some($0) }
        }
        let mode = Arg<QuantizationMode?>("mode", type: "QuantizationMode?", defaultValue: .nil, text: "nil") {
            value, context in
            if case .nil = value { return .some(nil) }
            return try quantizationModes.decode(value, context: context).map { .some($0) }
        }
        registry.function(
            "quantize", Arg<ModelObject>(nil, "model"), calibration, mode,
            doc: "The model with post-training int8 quantization: every Dense and Conv2D (a BatchNorm right after a "
                + "Conv2D folded in) runs in int8 with int32 accumulation, weights symmetric per output channel, "
                + "LSTMs dynamically; other layers stay float. `.static` calibrates each layer's input range on "
                + "`calibration` (a sample of training inputs; the default when it is given), `.dynamic` uses each "
                + "input's own range. The result is a model (`predict`, `accuracy`, `compareModels`, …) that cannot "
                + "be trained or saved; the original is not changed.",
            example: "let int8 = quantize(model, calibration: data.train)\n"
                + "let int8Clipped = quantize(model, calibration: data.train, mode: .static(percentile: 99.99))\n"
                + "let dynamic = quantize(model, mode: .dynamic)"
        ) { _, object, sample, mode -> ModelObject in
            if let shape = object.inputShape { try object.materialize(shape) }
            if object.model is QuantizedModel {
                throw BuiltinError(.value, "the model is already quantized", parameter: "model")
            }
            let activations: ActivationQuantizationMode
            switch (mode ?? (sample == nil ? .dynamic : .calibrated(percentile: nil)), sample) {
            case (.dynamic, nil):
                activations = .dynamic
            case (.dynamic, .some):
                throw BuiltinError(
                    .value, "dynamic quantization takes no calibration sample",
                    parameter: "calibration", notes: ["drop calibration:, or use mode: .static to calibrate on it"])
            case (.calibrated, nil):
                throw BuiltinError(
                    .value, "static quantization calibrates each layer's input range on a sample of inputs",
                    parameter: "mode", notes: ["pass calibration: data.train, or use mode: .dynamic"])
            case (.calibrated(let percentile), .some(let sample)):
                if let shape = object.inputShape, Array(sample.shape.dropFirst()) != shape {
                    throw BuiltinError(
                        .shape,
                        "the calibration sample has examples of shape \(TensorError.format(shape: Array(sample.shape.dropFirst()))); "
                            + "the model takes \(TensorError.format(shape: shape))", parameter: "calibration")
                }
                try object.materialize(Array(sample.shape.dropFirst()))
                activations = .calibrated(sample, percentile.map { .percentile($0) } ?? .minMax)
            }
            let quantized = try engine(parameter: sample == nil ? "model" : "calibration") {
                try QuantizedModel(quantizing: object.model, activations: activations)
            }
            guard quantized.quantizedLayerCount > 0 else {
                throw BuiltinError(
                    .value, "the model has no Dense, Conv2D or LSTM layer to quantize", parameter: "model")
            }
            let result = ModelObject(
                quantized, layerSpecs: quantized.layers.map { $0.layer.kind }, inputShape: object.inputShape)
            result.frozenReason = "it is quantized to int8 (quantize the float model again after training it)"
            return result
        }
    }

    // MARK: pruning

    private static func registerPruning(in registry: BuiltinRegistry) {
        registry.function(
            "prune", Arg<ModelObject>(nil, "model"), Arg<Double?>("amount", default: nil, bound: .within(0.0...1.0)),
            Arg(
                "method", choices: pruningMethods, defaultValue: .implicitMember(ImplicitMember(name: "magnitude")),
                text: ".magnitude"),
            doc: "Prunes the model in place by masking weights (Dense, Conv2D, recurrent, attention and embedding "
                + "matrices; biases and norms stay): `amount` is the fraction zeroed (`.magnitude` per tensor, "
                + "`.global` over all weights, `.channel` of each Conv2D's filters), `.twoFour` zeroes 2 of every 4. "
                + "The masks stay through `fit` (the optimizer masks gradients and weights), so prune → fit → prune "
                + "more is iterative pruning. Returns the sparsity per layer.",
            example: "prune(model, amount: 0.5)\nprune(model, amount: 0.8, method: .global)\n"
                + "model.fit(data.train, epochs: 3)   // fine-tune: the pruned weights stay zero"
        ) { _, object, amount, method -> SparsityObject in
            if let shape = object.inputShape { try object.materialize(shape) }
            if let reason = object.frozenReason {
                throw BuiltinError(.value, "this model cannot be pruned: \(reason)", parameter: "model")
            }
            guard !Pruning.prunableParameters(of: object.model).isEmpty else {
                throw BuiltinError(
                    .value, "the model has no weights to prune yet",
                    parameter: "model",
                    notes: [
                        "a Dense(out) learns its input size from the first input: call "
                            + "model.summary(inputShape:) first"
                    ])
            }
            switch (method, amount) {
            case (.twoFour, .some):
                throw BuiltinError(.value, "the 2:4 pattern always prunes half; drop amount:", parameter: "amount")
            case (.twoFour, nil):
                try engine { try Pruning.twoOfFour(object.model) }
            case (_, nil):
                throw BuiltinError(
                    .value, ".\(method.rawValue) pruning needs amount: the fraction of weights to zero (0...1)",
                    parameter: "method")
            case (.channel, .some(let amount)):
                guard amount < 1 else {
                    throw BuiltinError(.value, "channel pruning must keep a filter: amount < 1", parameter: "amount")
                }
                guard leafLayers(object.model).contains(where: { $0 is Conv2D }) else {
                    throw BuiltinError(
                        .value, "channel pruning removes Conv2D filters, and the model has no Conv2D",
                        parameter: "method", notes: ["use .magnitude or .global for Dense layers"])
                }
                try engine { try Pruning.channels(object.model, fraction: amount) }
            case (.magnitude, .some(let amount)):
                try engine { try Pruning.magnitude(object.model, sparsity: amount, scope: .perLayer) }
            case (.global, .some(let amount)):
                try engine { try Pruning.magnitude(object.model, sparsity: amount, scope: .global) }
            }
            return SparsityObject(object.model)
        }
        let model = registry.type(ModelObject.self)
        model.method(
            "sparsity",
            doc: "How many weights of each layer are zero, and whether a pruning mask holds them: a table with the "
                + "total in the footer; `.total` is the fraction of all weights.",
            example: "model.sparsity().total"
        ) { object, _ -> SparsityObject in
            if let shape = object.inputShape { try object.materialize(shape) }
            return SparsityObject(object.model)
        }
        model.method(
            "removePruningMasks",
            doc: "Removes the pruning masks: the zeros stay, but training may change them again.",
            example: "model.removePruningMasks()"
        ) { object, _ in try engine { try Pruning.removeMasks(object.model) } }

        let sparsity = registry.type(
            SparsityObject.self, doc: "The zeros of a model's weights, per layer (`prune`, `model.sparsity()`).")
        sparsity.property("total", doc: "Zeros over all weights (0…1).") { $0.total }
        sparsity.property("zeros", doc: "The number of zero weights.") { $0.zeros }
        sparsity.property("count", doc: "The number of weights.") { $0.count }
        sparsity.property("layers", doc: "The weight tensors' names, in order.") { $0.rows.map(\.name) }
        sparsity.property("perLayer", doc: "Each weight tensor's fraction of zeros, in order.") {
            $0.rows.map(\.sparsity)
        }
    }

    // MARK: export

    private static func registerExport(in registry: BuiltinRegistry) {
        registry.type(ModelObject.self).method(
            "export", Arg<String>(nil, "path"), Arg<Shape?>("inputShape", default: nil),
            Arg<DatasetObject?>("data", default: nil),
            doc: "Writes the model as ONNX (opset 17; `.onnx`) atomically, for ONNX Runtime or `rigor serve`. "
                + "`inputShape` is one example's shape (default: what the model has seen). With `data` (the training "
                + "set) the file also carries its class names and feature summary, so a server reports labels and "
                + "input drift. Returns the file's size in bytes.",
            example: "model.export(\"digits.onnx\", data: data.train)"
        ) { object, _, path, shape, data -> Int in
            let inputShape = shape?.extents ?? data?.featureShape ?? object.inputShape
            guard let inputShape else {
                throw BuiltinError(
                    .value, "the model has not seen an input, so the input shape is unknown", parameter: "inputShape",
                    notes: ["pass inputShape: [1, 8, 8] (one example, without the batch)"])
            }
            if let reason = object.frozenReason {
                throw BuiltinError(
                    .value, "this model cannot be exported: \(reason)", notes: ["export the float model"])
            }
            try object.materialize(inputShape)
            let metadata = try servingMetadata(data, inputShape: inputShape, parameter: "data")
            let bytes = try engine {
                try ONNXExporter.serialize(object.model, inputShape: inputShape, metadata: metadata)
            }
            try engine(parameter: "path") { try FileAccess.writeAtomically(bytes, to: path) }
            object.inputShape = inputShape
            return bytes.count
        }
    }

    /// The class names and training feature summary of `data` as model metadata (empty without data).
    static func servingMetadata(_ data: DatasetObject?, inputShape: [Int], parameter: String) throws -> [String: String]
    {
        guard let data else { return [:] }
        guard data.featureShape.reduce(1, *) == inputShape.reduce(1, *) else {
            throw BuiltinError(
                .shape,
                "\(data.name) has examples of shape \(TensorError.format(shape: data.featureShape)); the model takes "
                    + TensorError.format(shape: inputShape), parameter: parameter)
        }
        var metadata = try engine(parameter: parameter) { try FeatureSummary(features: data.data.features).metadata }
        if let names = data.classNames,
            let json = try? JSONEncoder().encode(names), let text = String(data: json, encoding: .utf8)
        {
            metadata["rigor.classes"] = text
        }
        return metadata
    }

    // MARK: comparison

    private static func registerComparison(in registry: BuiltinRegistry) {
        let models = Arg<[(String, ModelObject)]>(nil, "models", type: "[String: Model]") { value, _ in
            guard let entries = value.dictionaryEntries else { return nil }
            guard !entries.isEmpty else { throw BuiltinError(.value, "give at least one model") }
            return try entries.map { entry in
                guard case .string(let name) = entry.key, case .object(let model as ModelObject) = entry.value else {
                    throw BuiltinError(
                        .type,
                        "each entry is a name and a model, like [\"float32\": model, \"int8\": int8]; "
                            + "found \(entry.key.typeName): \(entry.value.typeName)")
                }
                return (name, model)
            }
        }
        registry.function(
            "compareModels", models, Arg<DatasetObject>("on", "test"),
            Arg<[Int]>("batchSizes", default: [1, 32], bound: .nonEmpty),
            Arg("repetitions", default: 20, bound: .within(1...10_000)),
            doc: "Models side by side: stored size (int8 weights count one byte), nonzero weights, accuracy on "
                + "`test` and the median latency of a forward pass at each batch size (one untimed pass first), "
                + "with ratios to the first model. Shows as a table.",
            example: "compareModels([\"float32\": model, \"int8\": int8, \"pruned 50%\": pruned], on: data.test)"
        ) { context, models, test, batchSizes, repetitions -> ModelComparisonObject in
            guard test.classCount != nil else {
                throw BuiltinError(
                    .value, "compareModels measures classification accuracy; \(test.name) has no class labels",
                    parameter: "test")
            }
            if let size = batchSizes.first(where: { $0 < 1 || $0 > test.data.count }) {
                throw BuiltinError(
                    .value, "batch size \(size) is not in 1...\(test.data.count) (the examples of \(test.name))",
                    parameter: "batchSizes")
            }
            let labels = test.data.labels
            var measurements: [ModelMeasurement] = []
            for (name, object) in models {
                try object.materialize(test.featureShape)
                let predicted = try engine(parameter: "models") { try object.model.predictClasses(test.data.features) }
                RigorChecks.checkTestScore(object, on: test, by: "compareModels", in: context)
                let accuracy = Double(zip(predicted, labels).count { $0 == $1 }) / Double(max(labels.count, 1))
                var latencies: [Double] = []
                for size in batchSizes {
                    let batch = try engine { try test.data.features.sliced(alongAxis: 0, from: 0, to: size) }
                    latencies.append(
                        try medianMilliseconds(repetitions, context: context) { _ = try object.model.predict(batch) })
                }
                let (weights, nonzero) = weightCounts(object.model)
                measurements.append(
                    ModelMeasurement(
                        name: name, bytes: byteCount(object.model), weights: weights, nonzeroWeights: nonzero,
                        accuracy: accuracy, latencies: latencies))
            }
            return ModelComparisonObject(measurements, batchSizes: batchSizes, testName: test.name)
        }
        let comparison = registry.type(
            ModelComparisonObject.self, doc: "Models measured side by side (`compareModels`).")
        comparison.property("names", doc: "The models' names, in order.") { $0.measurements.map(\.name) }
        comparison.property("sizes", doc: "Each model's stored size in bytes.") { $0.measurements.map(\.bytes) }
        comparison.property("nonzeroWeights", doc: "Each model's nonzero weights.") {
            $0.measurements.map(\.nonzeroWeights)
        }
        comparison.property("accuracies", doc: "Each model's accuracy on the test set (0…1).") {
            $0.measurements.map(\.accuracy)
        }
        comparison.property("batchSizes", doc: "The batch sizes timed.") { $0.batchSizes }
        comparison.property("latencies", doc: "Each model's median milliseconds per pass, one per batch size.") {
            $0.measurements.map(\.latencies)
        }
    }

    /// The leaf layers of a model, nested containers walked in order.
    static func leafLayers(_ model: any Layer) -> [any Layer] {
        model.children.isEmpty ? [model] : model.children.flatMap { leafLayers($0.layer) }
    }

    /// Bytes a model stores: a quantized model's int8 weights with their scales and its float rest; otherwise four
    /// bytes per parameter and buffer scalar (pruned zeros are stored too).
    static func byteCount(_ model: any Layer) -> Int {
        if let quantized = model as? QuantizedModel { return quantized.byteCount }
        return 4 * model.namedParameters.reduce(0) { $0 + $1.parameter.value.scalarCount }
    }

    /// The weights (matrices a pruning would touch, or their int8 versions) and how many are not zero.
    static func weightCounts(_ model: any Layer) -> (Int, Int) {
        var (total, nonzero) = (0, 0)
        func count(int8 weights: QuantizedWeights) {
            for row in 0..<weights.rows {
                for column in 0..<weights.columns where weights.value(row: row, column: column) != 0 { nonzero += 1 }
            }
            total += weights.rows * weights.columns
        }
        let layers = (model as? QuantizedModel)?.layers.map { $0.layer } ?? [model]
        for layer in layers {
            if let dense = layer as? QuantizedDense {
                count(int8: dense.weights)
            } else if let conv = layer as? QuantizedConv2D {
                count(int8: conv.weights)
            } else {
                for (_, parameter) in Pruning.prunableParameters(of: layer) {
                    total += parameter.value.scalarCount
                    nonzero += parameter.value.withUnsafeBufferPointer { $0.count { $0 != 0 } }
                }
            }
        }
        return (total, nonzero)
    }

    /// The median wall time of `body` in milliseconds over `repetitions` passes after one untimed pass; an interrupt
    /// stops between passes.
    static func medianMilliseconds(
        _ repetitions: Int, context: CallContext, _ body: () throws -> Void
    ) throws
        -> Double
    {
        try engine { try noGrad { try body() } }
        var times: [Double] = []
        for _ in 0..<repetitions {
            try context.checkInterrupt()
            let start = DispatchTime.now().uptimeNanoseconds
            try engine { try noGrad { try body() } }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return times.sorted()[times.count / 2]
    }

    // MARK: serving

    private static func registerServing(in registry: BuiltinRegistry) {
        let model = Arg<ServingSource>(nil, "model", type: "Model or String") { value, _ in
            if case .object(let object as ModelObject) = value { return .model(object) }
            return value.stringValue.map(ServingSource.file)
        }
        registry.function(
            "serve", model, Arg("port", default: 0, bound: .within(0...65_535)),
            Arg("host", default: "127.0.0.1", bound: .nonEmpty), Arg<DatasetObject?>("data", default: nil),
            Arg("concurrency", default: 2, bound: .within(1...64)),
            Arg("maxBatch", default: 256, bound: .atLeast(1)),
            Arg("maxBodyBytes", default: 1 << 20, bound: .atLeast(64)),
            doc: "Serves a model over HTTP from this kernel, as `rigor serve` does: `POST /v1/predict`, "
                + "`GET /health`, `GET /metadata`, `GET /metrics` (Prometheus). `model` is a model (saved to a "
                + "temporary checkpoint with its architecture; with `data`, the training set, also its class names "
                + "and feature summary for drift) or a `.safetensors`/`.onnx` file. Port 0 picks a free port. "
                + "Returns a `ModelService` whose `predict`, `get`, `post` and `metrics` call it over HTTP; it "
                + "runs until `stop()`.",
            example: "let service = serve(model, data: data.train)\nservice.predict(data.test.features[0..<3])\n"
                + "service.metrics()[\"rigor_predictions_total\"]\nservice.stop()"
        ) { _, source, port, host, data, concurrency, maxBatch, maxBodyBytes -> ModelServiceObject in
            let configuration = ServerConfiguration(
                host: host, port: port, maximumBodyBytes: maxBodyBytes, maximumBatch: maxBatch,
                concurrency: concurrency, queueLimit: 64)
            switch source {
            case .file(let path):
                if data != nil {
                    throw BuiltinError(
                        .value, "a file carries its own classes and feature summary", parameter: "data",
                        notes: ["pass data: when exporting: model.export(path, data: data.train)"])
                }
                let served = try engine(parameter: "model") { try ServedModel.load(path) }
                return try ModelServiceObject(served, configuration: configuration, temporaryFile: nil)
            case .model(let object):
                if let shape = data?.featureShape, object.inputShape == nil { object.inputShape = shape }
                guard let inputShape = object.inputShape else {
                    throw BuiltinError(
                        .value, "the model has not seen an input, so its input shape is unknown", parameter: "model",
                        notes: ["pass data: data.train, or call model.summary(inputShape:) first"])
                }
                if let reason = object.frozenReason {
                    throw BuiltinError(
                        .value, "this model cannot be served: \(reason)", parameter: "model",
                        notes: ["serve the float model, or its ONNX export"])
                }
                try object.materialize(inputShape)
                var metadata = object.architectureMetadata
                guard !metadata.isEmpty else {
                    throw BuiltinError(
                        .value, "this model cannot be rebuilt from a checkpoint (it nests a model)", parameter: "model",
                        notes: ["export it to ONNX and serve the file: serve(\"model.onnx\")"])
                }
                metadata.merge(try servingMetadata(data, inputShape: inputShape, parameter: "data")) { $1 }
                let path = FileManager.default.temporaryDirectory
                    .appendingPathComponent("rigor-serve-\(getpid())-\(UUID().uuidString.prefix(8)).safetensors").path
                try engine { try Checkpoint.save(object.model, to: path, metadata: metadata) }
                do {
                    let served = try engine(parameter: "model") { try ServedModel.load(path) }
                    return try ModelServiceObject(served, configuration: configuration, temporaryFile: path)
                } catch {
                    try? FileManager.default.removeItem(atPath: path)
                    throw error
                }
            }
        }

        let service = registry.type(
            ModelServiceObject.self, doc: "A model served over HTTP from the kernel (`serve`), with a client.")
        service.property("url", doc: "The service's address, `http://host:port`.") { $0.url }
        service.property("port", doc: "The TCP port it listens on.") { $0.port }
        service.property("isRunning", doc: "Whether it still serves (false after `stop()`).") { $0.isRunning }
        service.property("fingerprint", doc: "SHA-256 of the served file (hex), as `/metadata` reports.") {
            $0.served.fingerprint
        }
        service.method(
            "predict", Arg.features(nil, "inputs"),
            doc: "POSTs `inputs` (a batch `[N, ...]` or a dataset's features) to `/v1/predict` and returns the "
                + "answer: `classes`, `labels` and `probabilities`, one per example (an HTTP error is an IOError "
                + "with the server's message).",
            example: "service.predict(data.test.features[0..<4])[\"labels\"]"
        ) { object, _, inputs -> Value in
            let rows = inputs.shape.first ?? 0
            let width = rows == 0 ? 0 : inputs.scalarCount / rows
            let scalars = inputs.scalars.map(Double.init)
            let body = try JSONSerialization.data(withJSONObject: [
                "inputs": (0..<rows).map { Array(scalars[($0 * width)..<(($0 + 1) * width)]) }
            ])
            let (status, data) = try object.request("v1/predict", method: "POST", body: body)
            let answer = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
            guard status == 200, let predictions = answer?["predictions"] as? [[String: Any]] else {
                let message = answer?["error"] as? String ?? String(decoding: data, as: UTF8.self)
                throw BuiltinError(.io, "POST /v1/predict answered \(status): \(message)", parameter: "inputs")
            }
            return .record([
                ("classes", .array(predictions.map { Value.fromJSON($0["class"] ?? NSNull()) })),
                ("labels", .array(predictions.map { Value.fromJSON($0["label"] ?? NSNull()) })),
                (
                    "probabilities",
                    .array(
                        predictions.map { row in
                            .array(((row["probabilities"] as? [NSNumber]) ?? []).map { .double($0.doubleValue) })
                        })
                ),
            ])
        }
        service.method(
            "get", Arg<String>(nil, "path"),
            doc: "GETs `path` (`/health`, `/metadata`, `/metrics`): its JSON as a value, or its text.",
            example: "service.get(\"/metadata\")[\"inputs\"]"
        ) { object, _, path -> Value in
            let (status, data) = try object.request(path)
            guard status == 200 else {
                throw BuiltinError(.io, "GET \(path) answered \(status)", parameter: "path")
            }
            if let json = try? JSONSerialization.jsonObject(with: data) { return Value.fromJSON(json) }
            return .string(String(decoding: data, as: UTF8.self))
        }
        service.method(
            "post", Arg<String>(nil, "path"), Arg<String>("body"),
            Arg("contentType", default: "application/json", bound: .nonEmpty),
            doc: "POSTs `body` as it is (to see how the server answers bad input): `[\"status\": Int, \"body\": …]` "
                + "with the JSON answer as a value.",
            example: "service.post(\"/v1/predict\", body: \"{\\\"inputs\\\": [[1, 2]]}\")[\"status\"]   // 422"
        ) { object, _, path, body, contentType -> Value in
            let (status, data) = try object.request(
                path, method: "POST", body: Data(body.utf8), contentType: contentType)
            let answer = (try? JSONSerialization.jsonObject(with: data)).map(Value.fromJSON)
            return .record([
                ("status", .int(status)), ("body", answer ?? .string(String(decoding: data, as: UTF8.self))),
            ])
        }
        service.method(
            "metrics", Arg("prefix", default: "rigor_"), Arg("buckets", default: false),
            doc: "The service's Prometheus metrics whose names start with `prefix`, as `[\"name{labels}\": value]` "
                + "(histogram buckets only with `buckets: true`): request counts, errors, latency sums and counts, "
                + "predictions, and input drift against the training data.",
            example: "service.metrics()[\"rigor_input_drift_max_mean_shift\"]"
        ) { object, _, prefix, buckets -> Value in
            var result: [(String, Value)] = []
            // Sorted by name: the server lists its series in hash order, which changes from run to run.
            for (key, value) in try object.metrics(prefix: prefix, buckets: buckets).sorted(by: { $0.0 < $1.0 }) {
                result.append((key, value == value.rounded() && abs(value) < 1e15 ? .int(Int(value)) : .double(value)))
            }
            return .record(result)
        }
        service.method(
            "stop", doc: "Stops the service gracefully (requests in flight finish) and removes its temporary file.",
            example: "service.stop()"
        ) { object, _ in object.stop() }
    }
}

/// What `serve` serves: a model of the session, or a file.
enum ServingSource {
    case model(ModelObject)
    case file(String)
}
