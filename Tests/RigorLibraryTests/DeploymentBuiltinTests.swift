import Deployment
import Foundation
import NeuralNetworks
import RigorScript
import Testing

@testable import RigorLibrary

/// `quantize`, `prune`, `export`, `compareModels` and `serve` give the engine's numbers: the same model through
/// Deployment directly equals what the builtin returns, and bad input is refused at the argument.
@Suite("Deployment builtins", .serialized)
struct DeploymentBuiltinTests {
    /// A digits MLP trained for a few epochs in a fresh session.
    static func digitsSession() -> Session {
        let session = librarySession()
        _ = run(
            session,
            """
            let data = Dataset.digits().split(train: 0.7, validation: 0.0, test: 0.3, stratified: true, seed: 1)
                .standardized()
            let model = Sequential([Dense(64, 32, activation: .relu), Dense(32, 10)], seed: 2)
            model.fit(data.train, epochs: 4, progress: false);
            """)
        return session
    }

    static func object<T>(_ session: Session, _ code: String, as type: T.Type) -> T? {
        let outcome = session.execute(code)
        if let error = outcome.error { Issue.record("\(session.render(error))") }
        guard case .object(let object as T)? = outcome.value else { return nil }
        return object
    }

    /// The error a cell raises, rendered as the notebook shows it (empty when it succeeds).
    static func error(_ session: Session, _ code: String) -> String {
        guard let error = session.execute(code).error else { return "" }
        return session.render(error)
    }

    static func dataset(_ session: Session, _ code: String) -> NeuralNetworks.Dataset? {
        object(session, code, as: DatasetObject.self)?.data
    }

    @Test("quantize: the same int8 model as QuantizedModel, static (min-max, percentile) and dynamic")
    func quantizeMatchesTheEngine() throws {
        let session = Self.digitsSession()
        let float = try #require(Self.object(session, "model", as: ModelObject.self))
        let train = try #require(Self.dataset(session, "data.train"))
        let test = try #require(Self.dataset(session, "data.test"))
        // Percentile calibration clips the rare extreme pixels of standardized digits, so its outputs may move more.
        let cases: [(String, ActivationQuantizationMode, tolerance: Float)] = [
            ("quantize(model, calibration: data.train)", .calibrated(train.features, .minMax), 0.1),
            (
                "quantize(model, calibration: data.train, mode: .static(percentile: 99.9))",
                .calibrated(train.features, .percentile(99.9)), 0.3
            ),
            ("quantize(model, mode: .dynamic)", .dynamic, 0.1),
            ("quantize(model)", .dynamic, 0.1),
        ]
        for (code, mode, tolerance) in cases {
            let builtin = try #require(Self.object(session, code, as: ModelObject.self))
            let direct = try QuantizedModel(quantizing: float.model, activations: mode)
            let ours = try builtin.model.predict(test.features).scalars
            let expected = try direct.predict(test.features).scalars
            #expect(ours == expected, "\(code)")
            #expect((builtin.model as? QuantizedModel)?.byteCount == direct.byteCount)
            // Real int8: the outputs differ from float, by a few percent of their range at most.
            let floatOutputs = try float.model.predict(test.features).scalars
            let difference = zip(ours, floatOutputs).map { abs($0 - $1) }.max() ?? 0
            let range = (floatOutputs.max() ?? 0) - (floatOutputs.min() ?? 0)
            #expect(difference > 0 && difference < tolerance * range, "\(code): \(difference) of \(range)")
        }
        // Usable everywhere a model is: accuracy within half a point of the float model.
        let accuracies = run(
            session, "[accuracy(model, data.test), accuracy(quantize(model, calibration: data.train), data.test)]")
        let values = try #require(accuracies).dropFirst().dropLast().split(separator: ",").compactMap {
            Double($0.trimmingCharacters(in: .whitespaces))
        }
        #expect(values.count == 2 && values[1] >= values[0] - 0.005, "\(values)")
    }

    @Test("quantize refuses bad input at the argument; an int8 model is not trained, saved or pruned")
    func quantizeErrors() {
        let session = Self.digitsSession()
        #expect(
            Self.error(session, "quantize(model, mode: .static)").contains(
                "error: static quantization calibrates each layer's input range on a sample of inputs"))
        #expect(
            Self.error(session, "quantize(model, calibration: data.train, mode: .dynamic)").contains(
                "error: dynamic quantization takes no calibration sample"))
        #expect(
            Self.error(session, "quantize(model, calibration: data.train, mode: .static(percentile: 40))")
                .contains("'percentile' must be in 50.0...100.0, not 40.0"))
        #expect(Self.error(session, "quantize(model, mode: .dynamc)").contains("did you mean '.dynamic'?"))
        #expect(
            Self.error(session, "quantize(model, calibration: Tensor.zeros([3, 5]))").contains(
                "the calibration sample has examples of shape [5]; the model takes [64]"))
        _ = run(session, "let int8 = quantize(model, calibration: data.train)")
        #expect(
            Self.error(session, "int8.fit(data.train, epochs: 1, progress: false)").contains(
                "this model cannot be trained: it is quantized to int8"))
        #expect(Self.error(session, "int8.save(\"x.safetensors\")").contains("this model cannot be saved"))
        #expect(Self.error(session, "prune(int8, amount: 0.5)").contains("this model cannot be pruned"))
        #expect(Self.error(session, "quantize(int8)").contains("the model is already quantized"))
    }

    @Test("prune: the engine's masks; fine-tuning with fit keeps every pruned weight at zero")
    func pruneKeepsMasksThroughFit() throws {
        let session = Self.digitsSession()
        let model = try #require(Self.object(session, "model", as: ModelObject.self))
        let copy = try Sequential([Dense(64, 32, activation: .relu), Dense(32, 10)], seed: 9)
        try copy.restore(model.model.snapshot())
        let sparsity = try #require(
            Self.object(session, "prune(model, amount: 0.6, method: .global)", as: SparsityObject.self))
        try Pruning.magnitude(copy, sparsity: 0.6, scope: .global)
        #expect(sparsity.rows == Pruning.sparsity(of: copy))
        #expect(sparsity.zeros == Int(0.6 * Double(64 * 32 + 32 * 10)))
        let before = model.model.namedParameters.map { $0.parameter.value.scalars }
        _ = run(
            session,
            "model.fit(data.train, epochs: 2, optimizer: .adamW(learningRate: 1e-2, weightDecay: 0.1), progress: false)"
        )
        let after = model.model.namedParameters.map { $0.parameter.value.scalars }
        var pruned = 0
        var moved = 0
        for (old, new) in zip(before, after) {
            for (a, b) in zip(old, new) {
                if a == 0 { pruned += 1; #expect(b == 0) } else if a != b { moved += 1 }
            }
        }
        #expect(pruned >= sparsity.zeros && moved > 0)
        #expect(run(session, "model.sparsity().zeros") == String(sparsity.zeros))
        // 2:4 on top: every group of four input weights keeps at most two.
        _ = run(session, "prune(model, method: .twoFour)")
        let weight = model.model.namedParameters[0].parameter.value.scalars
        for group in stride(from: 0, to: weight.count, by: 4) {
            #expect(weight[group..<(group + 4)].count { $0 != 0 } <= 2)
        }
        _ = run(session, "model.removePruningMasks()")
        #expect(run(session, "model.sparsity().perLayer.count") == "2")
        #expect(model.model.namedParameters.allSatisfy { $0.parameter.mask == nil })
    }

    @Test("prune refuses bad input at the argument")
    func pruneErrors() {
        let session = Self.digitsSession()
        #expect(Self.error(session, "prune(model, amount: 1.5)").contains("'amount' must be in 0.0...1.0, not 1.5"))
        #expect(Self.error(session, "prune(model)").contains(".magnitude pruning needs amount:"))
        #expect(
            Self.error(session, "prune(model, amount: 0.5, method: .twoFour)").contains(
                "the 2:4 pattern always prunes half; drop amount:"))
        #expect(
            Self.error(session, "prune(model, amount: 0.5, method: .channel)").contains(
                "channel pruning removes Conv2D filters, and the model has no Conv2D"))
        #expect(Self.error(session, "prune(model, amount: 0.5, method: .globl)").contains("did you mean '.global'?"))
    }

    @Test(
        "export: the ONNX file runs in the ONNX evaluator with the model's outputs and carries classes and drift data")
    func exportRoundTrip() throws {
        let session = Self.digitsSession()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rigor-export-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("digits.onnx").path
        let size = run(session, "model.export(\"\(path)\", data: data.train)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(size == String(bytes.count))
        let graph = try ONNXGraphModel(data: bytes)
        let test = try #require(Self.dataset(session, "data.test"))
        let model = try #require(Self.object(session, "model", as: ModelObject.self))
        let ours = try model.model.predict(test.features).scalars
        let onnx = try graph.predict(test.features).scalars
        #expect((zip(ours, onnx).map { abs($0 - $1) }.max() ?? 1) < 1e-4)
        #expect(graph.metadata["rigor.classes"] == #"["0","1","2","3","4","5","6","7","8","9"]"#)
        #expect(try FeatureSummary(metadata: graph.metadata)?.mean.count == 64)
        // Errors: a directory that does not exist, at the path, and nothing written; an unknown input shape.
        #expect(
            Self.error(session, "model.export(\"\(directory.path)/missing/x.onnx\")").contains("error: cannot write"))
        _ = run(session, "let fresh = Sequential([Dense(64, 10)])")
        #expect(
            Self.error(session, "fresh.export(\"\(path)\", inputShape: [3], data: data.train)").contains(
                "has examples of shape [64]; the model takes [3]"))
        #expect(Self.error(session, "quantize(model).export(\"\(path)\")").contains("this model cannot be exported"))
    }

    @Test("compareModels: sizes, nonzero weights and accuracies as the engine counts them")
    func comparison() throws {
        let session = Self.digitsSession()
        _ = run(
            session,
            """
            let int8 = quantize(model, calibration: data.train)
            let pruned = Sequential([Dense(64, 32, activation: .relu), Dense(32, 10)], seed: 2)
            pruned.load(model.weights())
            prune(pruned, amount: 0.5);
            let comparison = compareModels(["float32": model, "int8": int8, "pruned": pruned], on: data.test, repetitions: 3)
            """)
        let comparison = try #require(Self.object(session, "comparison", as: ModelComparisonObject.self))
        let int8 = try #require(Self.object(session, "int8", as: ModelObject.self)?.model as? QuantizedModel)
        let test = try #require(Self.dataset(session, "data.test"))
        #expect(comparison.measurements.map(\.name) == ["float32", "int8", "pruned"])
        let parameters = 64 * 32 + 32 + 32 * 10 + 10
        #expect(comparison.measurements.map(\.bytes) == [4 * parameters, int8.byteCount, 4 * parameters])
        #expect(int8.byteCount < parameters + 4 * 200)
        #expect(comparison.measurements.map(\.weights) == [2368, 2368, 2368])
        #expect(comparison.measurements[2].nonzeroWeights == 2368 - 1184)
        for (name, measurement) in zip(["model", "int8", "pruned"], comparison.measurements) {
            #expect(run(session, "accuracy(\(name), data.test)") == String(measurement.accuracy))
            #expect(measurement.latencies.count == 2 && measurement.latencies.allSatisfy { $0 > 0 })
        }
        #expect(test.count == 539)
        let table = comparison.table
        #expect(table.columns.contains("Δ accuracy (points)") && table.rows.count == 3)
        #expect(
            Self.error(session, "compareModels([\"a\": model], on: data.test, batchSizes: [1000])").contains(
                "batch size 1000 is not in 1...539"))
        #expect(
            Self.error(session, "compareModels([\"a\": 3], on: data.test)").contains(
                "each entry is a name and a model"))
        #expect(Self.error(session, "compareModels([:], on: data.test)").contains("give at least one model"))
    }

    @Test("serve: predictions over HTTP equal the model's, errors are 4xx, metrics count them, stop stops")
    func serveInProcess() throws {
        let session = Self.digitsSession()
        let service = try #require(
            Self.object(session, "let service = serve(model, data: data.train)\nservice", as: ModelServiceObject.self))
        defer { service.stop() }
        #expect(service.port > 0 && service.isRunning)
        _ = run(session, "let answer = service.predict(data.test.features[0..<5])")
        let expected = run(session, "model.predictClasses(data.test.features[0..<5])")
        #expect(run(session, "answer[\"classes\"]") == expected)
        #expect(run(session, "answer[\"labels\"].count") == "5")
        let probabilities = run(session, "model.predict(data.test.features[0..<1]).softmax(axis: 1).toArray()[0]")
        let served = run(session, "answer[\"probabilities\"][0]")
        let parse = { (text: String?) in
            (text ?? "").dropFirst().dropLast().split(separator: ",").compactMap {
                Double($0.trimmingCharacters(in: .whitespaces))
            }
        }
        #expect(parse(probabilities).count == 10)
        #expect(zip(parse(probabilities), parse(served)).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(run(session, "service.get(\"/metadata\")[\"classes\"].count") == "10")
        #expect(run(session, "service.get(\"/health\")[\"status\"]") == "ok")
        #expect(
            run(session, "service.post(\"/v1/predict\", body: \"{\\\"inputs\\\": [[1, 2]]}\")[\"status\"]")
                == "422")
        #expect(run(session, "service.post(\"/v1/predict\", body: \"not json\")[\"status\"]") == "400")
        #expect(Self.error(session, "service.predict(Tensor.zeros([1, 3]))").contains("answered 422"))
        #expect(run(session, "service.metrics()[\"rigor_predictions_total\"]") == "5")
        #expect(
            run(
                session,
                "service.metrics()[\"rigor_request_errors_total{route=\\\"/v1/predict\\\",reason=\\\"wrong_shape\\\"}\"]"
            ) == "2")
        // Serving a file: the exported ONNX model answers with the same classes.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(getpid()).onnx").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = run(session, "model.export(\"\(path)\", data: data.train)\nlet onnx = serve(\"\(path)\")")
        #expect(run(session, "onnx.predict(data.test.features[0..<5])[\"classes\"]") == expected)
        #expect(
            Self.error(session, "serve(\"\(path)\", data: data.train)").contains(
                "a file carries its own classes and feature summary"))
        #expect(Self.error(session, "serve(\"/nonexistent.onnx\")").contains("error: cannot read '/nonexistent.onnx'"))
        #expect(Self.error(session, "serve(model, port: 70000)").contains("'port' must be in 0...65535"))
        _ = run(session, "onnx.stop()\nservice.stop()")
        #expect(run(session, "service.isRunning") == "false")
        #expect(Self.error(session, "service.predict(data.test.features[0..<1])").contains("is stopped"))
    }
}
