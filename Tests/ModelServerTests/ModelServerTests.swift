import Deployment
import Foundation
import NeuralNetworks
import Synchronization
import TensorCore
import Testing

@testable import ModelServer

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The server in-process on an ephemeral loopback port: answers, concurrency, validation, metrics, ONNX.
@Suite(.serialized) struct ModelServerTests {
    /// A small classifier saved as Rigor saves one: architecture, classes and the training feature summary.
    static func savedModel() throws -> (path: String, model: Sequential, training: Tensor) {
        let model = try Sequential([Dense(4, 8, activation: .relu), Dense(8, 3)], seed: 3)
        var generator = RandomGenerator(seed: 4)
        let training = try Tensor.normal([50, 4], using: &generator)
        let architecture = ModelArchitecture(
            layers: [
                LayerDescription(
                    kind: "Dense",
                    arguments: ["inputSize": .int(4), "outputSize": .int(8), "activation": .member("relu")]),
                LayerDescription(kind: "Dense", arguments: ["inputSize": .int(8), "outputSize": .int(3)]),
            ], seed: 3, inputShape: [4])
        var metadata = architecture.metadata
        metadata.merge(try FeatureSummary(features: training).metadata) { $1 }
        metadata["rigor.classes"] = #"["setosa","versicolor","virginica"]"#
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(getpid()).safetensors").path
        try Checkpoint.save(model, to: path, metadata: metadata)
        return (path, model, training)
    }

    /// Runs `body` against a server started on a free port, then stops it.
    static func withServer(
        _ path: String,
        configuration: ServerConfiguration = ServerConfiguration(port: 0, maximumBodyBytes: 4096, maximumBatch: 8),
        _ body: (URL) async throws -> Void
    ) async throws {
        let server = try ModelServer(model: try ServedModel.load(path), configuration: configuration)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let task = Task { try await server.run(handlingSignals: false) { continuation.yield($0) } }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        defer { task.cancel() }
        try await body(URL(string: "http://127.0.0.1:\(port)")!)
        task.cancel()
        _ = await task.result
    }

    static func request(
        _ base: URL, _ path: String, method: String = "GET", body: Data? = nil, contentType: String = "application/json"
    ) async throws -> (status: Int, body: Data, headers: [AnyHashable: Any]) {
        var request = URLRequest(url: base.appendingPathComponent(path))
        request.httpMethod = method
        request.httpBody = body
        if body != nil { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        return (http.statusCode, data, http.allHeaderFields)
    }

    static func inputs(_ rows: [[Float]]) -> Data {
        try! JSONSerialization.data(withJSONObject: ["inputs": rows.map { $0.map(Double.init) }])
    }

    @Test func healthMetadataAndPredictionsMatchTheModel() async throws {
        let (path, model, _) = try Self.savedModel()
        try await Self.withServer(path) { base in
            let health = try await Self.request(base, "health")
            #expect(health.status == 200)
            let metadata =
                try JSONSerialization.jsonObject(with: try await Self.request(base, "metadata").body) as! [String: Any]
            #expect(metadata["classes"] as? [String] == ["setosa", "versicolor", "virginica"])
            #expect(metadata["format"] as? String == "safetensors")
            #expect((metadata["fingerprint"] as? String)?.count == 64)
            #expect(metadata["driftMonitoring"] as? Bool == true)
            let rows: [[Float]] = [[0.1, -0.2, 0.3, 0.4], [1, 2, 3, 4]]
            let answer = try await Self.request(base, "v1/predict", method: "POST", body: Self.inputs(rows))
            #expect(answer.status == 200)
            let expected = try model(Tensor(rows)).softmax(alongAxis: 1)
            let predictions =
                (try JSONSerialization.jsonObject(with: answer.body) as! [String: Any])["predictions"]
                as! [[String: Any]]
            #expect(predictions.count == 2)
            for (index, prediction) in predictions.enumerated() {
                let probabilities = (prediction["probabilities"] as! [Double]).map(Float.init)
                let row = Array(expected.scalars[(index * 3)..<(index * 3 + 3)])
                #expect(zip(probabilities, row).allSatisfy { abs($0 - $1) < 1e-6 })
                let best = row.indices.max { row[$0] < row[$1] }!
                #expect(prediction["class"] as? Int == best)
                #expect(prediction["label"] as? String == ["setosa", "versicolor", "virginica"][best])
            }
        }
    }

    @Test func concurrentRequestsEachGetTheirOwnAnswer() async throws {
        let (path, model, _) = try Self.savedModel()
        let rows: [[Float]] = (0..<24).map { [Float($0), -Float($0) / 3, 0.5, Float($0 % 5)] }
        let expectations = try rows.map { row in try noGrad { try model(Tensor([row])).softmax(alongAxis: 1).scalars } }
        try await Self.withServer(path) { base in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, row) in rows.enumerated() {
                    let expected = expectations[index]
                    group.addTask {
                        let answer = try await Self.request(
                            base, "v1/predict", method: "POST", body: Self.inputs([row]))
                        #expect(answer.status == 200)
                        let object = try JSONSerialization.jsonObject(with: answer.body) as! [String: Any]
                        let prediction = (object["predictions"] as! [[String: Any]])[0]
                        let probabilities = (prediction["probabilities"] as! [Double]).map(Float.init)
                        #expect(zip(probabilities, expected).allSatisfy { abs($0 - $1) < 1e-6 }, "request \(index)")
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test func badInputIsA4xxAndTheServerLivesOn() async throws {
        let (path, _, _) = try Self.savedModel()
        try await Self.withServer(path) { base in
            let cases: [(String, Data, String, Int)] = [
                ("malformed JSON", Data("{\"inputs\": [[1, 2".utf8), "application/json", 400),
                ("no inputs", Data("{\"rows\": []}".utf8), "application/json", 422),
                ("empty batch", Data("{\"inputs\": []}".utf8), "application/json", 422),
                ("wrong width", Self.inputs([[1, 2, 3]]), "application/json", 422),
                ("ragged nesting", Data("{\"inputs\": [[[1, 2], [3]]]}".utf8), "application/json", 422),
                ("strings", Data("{\"inputs\": [[\"a\", 1, 2, 3]]}".utf8), "application/json", 422),
                ("booleans", Data("{\"inputs\": [[true, 1, 2, 3]]}".utf8), "application/json", 422),
                (
                    "deep nesting", Data(("{\"inputs\": " + String(repeating: "[", count: 2000) + "]}").utf8),
                    "application/json", 422
                ),
                ("too many samples", Self.inputs(Array(repeating: [1, 2, 3, 4], count: 9)), "application/json", 413),
                (
                    "oversized body", Data(("{\"inputs\": [[" + String(repeating: "1.0, ", count: 2000) + "1]]}").utf8),
                    "application/json", 413
                ),
                ("not JSON", Data("1,2,3,4".utf8), "text/csv", 415),
            ]
            for (name, body, type, status) in cases {
                let answer = try await Self.request(base, "v1/predict", method: "POST", body: body, contentType: type)
                #expect(answer.status == status, "\(name): \(String(decoding: answer.body, as: UTF8.self))")
                let object = try? JSONSerialization.jsonObject(with: answer.body) as? [String: Any]
                #expect(object?["error"] is String, "\(name) has a JSON error message")
            }
            #expect(try await Self.request(base, "health").status == 200)
            let good = try await Self.request(base, "v1/predict", method: "POST", body: Self.inputs([[1, 2, 3, 4]]))
            #expect(good.status == 200)
            let metrics = String(decoding: try await Self.request(base, "metrics").body, as: UTF8.self)
            #expect(metrics.contains(#"rigor_request_errors_total{route="/v1/predict",reason="wrong_shape"} 3"#))
            #expect(metrics.contains(#"rigor_requests_total{route="/v1/predict",status="200"} 1"#))
            #expect(metrics.contains("rigor_request_duration_seconds_bucket"))
        }
    }

    @Test func metricsReportDriftAgainstTheTrainingSummary() async throws {
        let (path, _, training) = try Self.savedModel()
        let summary = try FeatureSummary(features: training)
        try await Self.withServer(path) { base in
            // Feature 0 shifted by +3 training standard deviations; the others at their training means.
            let row = (0..<4).map { Float(summary.mean[$0] + ($0 == 0 ? 3 * summary.standardDeviation[0] : 0)) }
            _ = try await Self.request(base, "v1/predict", method: "POST", body: Self.inputs([row, row]))
            let metrics = String(decoding: try await Self.request(base, "metrics").body, as: UTF8.self)
            let lines = metrics.split(separator: "\n")
            func value(_ prefix: String) -> Double? {
                lines.first { $0.hasPrefix(prefix) }.flatMap { Double($0.split(separator: " ").last ?? "") }
            }
            #expect(abs((value(#"rigor_input_drift_mean_shift{feature="0"}"#) ?? 0) - 3) < 1e-3)
            #expect(abs(value(#"rigor_input_drift_mean_shift{feature="1"}"#) ?? 1) < 1e-3)
            #expect(abs((value("rigor_input_drift_max_mean_shift") ?? 0) - 3) < 1e-3)
            #expect(value("rigor_input_drift_samples_total") == 2)
            #expect(value("rigor_predictions_total") == 2)
        }
    }

    @Test func servesAnExportedONNXFileWithTheSameAnswers() async throws {
        let (path, model, training) = try Self.savedModel()
        let onnx = path.replacingOccurrences(of: ".safetensors", with: ".onnx")
        try ONNXExporter.export(
            model, inputShape: [4], to: onnx, metadata: try FeatureSummary(features: training).metadata)
        let served = try ServedModel.load(onnx)
        #expect(served.format == "onnx" && served.inputShape == [4] && served.featureSummary != nil)
        try await Self.withServer(onnx) { base in
            let rows: [[Float]] = [[0.3, 0.1, -2, 1]]
            let answer = try await Self.request(base, "v1/predict", method: "POST", body: Self.inputs(rows))
            #expect(answer.status == 200)
            let prediction =
                ((try JSONSerialization.jsonObject(with: answer.body) as! [String: Any])["predictions"]
                as! [[String: Any]])[0]
            let expected = try model(Tensor(rows)).softmax(alongAxis: 1).scalars
            let probabilities = (prediction["probabilities"] as! [Double]).map(Float.init)
            #expect(zip(probabilities, expected).allSatisfy { abs($0 - $1) < 1e-5 })
        }
    }

    /// In a process that did not install the event-loop executor (this one, like the kernel with its `serve`
    /// builtin), the handlers run on Swift's own executor: `/metadata` says so, and the metric counts them as run off
    /// the connection's event loop. (`rigor serve`'s process is tested in Tests/Python/test_serve.py.)
    @Test func withoutTheEventLoopExecutorHandlersRunOffTheConnectionsLoop() async throws {
        let (path, _, _) = try Self.savedModel()
        try await Self.withServer(path) { base in
            let metadata =
                try JSONSerialization.jsonObject(with: try await Self.request(base, "metadata").body) as! [String: Any]
            #expect(metadata["executor"] as? [String: String] == ["kind": "default"])
            for _ in 0..<3 {
                let answer = try await Self.request(
                    base, "v1/predict", method: "POST", body: Self.inputs([[0.1, 0.2, 0.3, 0.4]]))
                #expect(answer.status == 200)
            }
            let metrics = String(decoding: try await Self.request(base, "metrics").body, as: UTF8.self)
            #expect(metrics.contains(#"rigor_predict_handler_total{thread="other"} 3"#))
            #expect(!metrics.contains(#"thread="connection_loop""#))
        }
    }

    @Test func aFullPoolRefusesInsteadOfQueueingWithoutBound() async throws {
        let pool = ReplicaPool([Replica(try Dense(2, 2))], queueLimit: 1)
        let held = try await pool.acquire()
        // One request may wait for the replica; the next is refused at once.
        let waiting = Task { try await pool.withReplica { _ in 1 } }
        while pool.waitingCount == 0 { try await Task.sleep(for: .milliseconds(2)) }
        await #expect(throws: ReplicaPool.Busy.self) { try await pool.withReplica { _ in } }
        pool.release(held)
        #expect(try await waiting.value == 1)  // the waiter got the replica back
        try await pool.withReplica { _ in }  // and returned it
    }

    /// From synchronous code (this test blocks its thread, a cooperative pool thread): `start` returns with the
    /// bound port, the server answers, `stop` stops it, and a port in use is the bind error.
    @Test func startReturnsOnceBoundAndStopStops() throws {
        let (path, _, _) = try Self.savedModel()
        let server = try ModelServer(
            model: try ServedModel.load(path), configuration: ServerConfiguration(port: 0, maximumBatch: 8))
        let running = try server.start()
        #expect(running.port > 0 && running.isRunning)
        func get(_ port: Int) -> Int? {
            let status = Mutex<Int?>(nil)
            let done = DispatchSemaphore(value: 0)
            URLSession.shared.dataTask(with: URL(string: "http://127.0.0.1:\(port)/health")!) { _, response, _ in
                status.withLock { $0 = (response as? HTTPURLResponse)?.statusCode }
                done.signal()
            }.resume()
            done.wait()
            return status.withLock { $0 }
        }
        #expect(get(running.port) == 200)
        let taken = try ModelServer(
            model: try ServedModel.load(path), configuration: ServerConfiguration(port: running.port))
        #expect(throws: (any Error).self) { try taken.start(timeout: 10) }
        running.stop()
        #expect(!running.isRunning)
        #expect(get(running.port) == nil)
    }

    @Test func theServiceClientGetsStatusAndBodyAndSaysWhyItCannotConnect() throws {
        let (path, _, _) = try Self.savedModel()
        let server = try ModelServer(
            model: try ServedModel.load(path), configuration: ServerConfiguration(port: 0, maximumBatch: 8))
        let running = try server.start()
        let health = try ServiceClient.request(host: "127.0.0.1", port: running.port, method: "GET", path: "/health")
        #expect(health.status == 200)
        #expect(String(decoding: health.body, as: UTF8.self).contains("\"ok\""))
        let refused = try ServiceClient.request(
            host: "127.0.0.1", port: running.port, method: "POST", path: "/v1/predict", body: Data("not json".utf8))
        #expect(refused.status == 400)
        running.stop()
        #expect {
            _ = try ServiceClient.request(
                host: "127.0.0.1", port: running.port, method: "GET", path: "/health", timeout: 5)
        } throws: { error in
            "\(error)".hasPrefix("cannot connect")
        }
    }
}
