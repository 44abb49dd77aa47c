// ModelServer: the HTTP service of `rigor serve`: predict, health, metadata and Prometheus metrics on Hummingbird.
import Foundation
import Hummingbird
import NIOCore
import NeuralNetworks
import TensorCore

/// Serves one model over HTTP/1.1 (Hummingbird 2):
///
/// * `POST /v1/predict` — `{"inputs": [sample, …]}` → `{"predictions": [{"class", "label", "probabilities"}], …}`;
///   malformed JSON 400, a body over the limit 413, too many samples 413, wrong shapes or types 422, an unsupported
///   content type 415, no free model copy and a full queue 503 (with `Retry-After`);
/// * `GET /health` — `{"status": "ok"}` once the model is loaded;
/// * `GET /metadata` — format, input shape, classes, version, SHA-256 fingerprint, layers, limits;
/// * `GET /metrics` — Prometheus text (``ServerMetrics``).
///
/// Shutdown is graceful: on SIGTERM or SIGINT (or cancellation of ``run(handlingSignals:onStarted:)``) the server
/// stops accepting connections and finishes the requests in flight.
public final class ModelServer: Sendable {
    public let model: ServedModel
    public let configuration: ServerConfiguration
    let pool: ReplicaPool
    let metrics: ServerMetrics
    /// The `/health` and `/metadata` bodies: fixed once the model is loaded, so encoded once.
    let healthBody: Data
    let metadataBody: Data
    /// Writes the predict answers (the labels and the model's JSON encoded once).
    let writer: PredictionWriter
    /// The version `/metadata` reports for the server itself.
    public static let serverVersion = "1.0"

    public init(model: ServedModel, configuration: ServerConfiguration = ServerConfiguration()) throws {
        guard configuration.concurrency > 0, configuration.queueLimit >= 0, configuration.maximumBatch > 0,
            configuration.maximumBodyBytes > 0
        else { throw NeuralNetworkError("serve", "concurrency, batch and body limits must be positive") }
        self.model = model
        self.configuration = configuration
        pool = ReplicaPool(
            try (0..<configuration.concurrency).map { _ in Replica(try model.makeReplica()) },
            queueLimit: configuration.queueLimit)
        metrics = ServerMetrics(summary: model.featureSummary)
        healthBody = Self.json(["status": "ok", "fingerprint": model.fingerprint])
        metadataBody = Self.metadataResponse(model: model, configuration: configuration)
        writer = PredictionWriter(model: model)
    }

    /// Runs until a signal (when `handlingSignals`) or cancellation; `onStarted` receives the bound port.
    public func run(
        handlingSignals: Bool = true, onStarted: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        let router = Router(context: ServeRequestContext.self)
        router.get("health") { _, _ in
            self.timed("/health") { (200, self.healthBody) }
        }
        router.get("metadata") { _, _ in self.timed("/metadata") { (200, self.metadataBody) } }
        router.get("metrics") { _, _ in
            var response = Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: self.metrics.render())))
            response.headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return response
        }
        router.post("v1/predict") { request, context in await self.predict(request, loop: context.eventLoop) }
        let port = configuration.port
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: port), serverName: "rigor-serve"),
            onServerRunning: { channel in await onStarted(channel.localAddress?.port ?? port) })
        if handlingSignals { try await app.runService() } else { try await app.run() }
    }

    /// Validates, predicts, and answers; every failure is a JSON error with a 4xx/5xx status. `loop` is the event
    /// loop that owns the request's connection: whether the handler parsed, predicted and answered on it is counted
    /// in `rigor_predict_handler_total{thread}`.
    func predict(_ request: Request, loop: (any EventLoop)? = nil) async -> Response {
        let start = ContinuousClock.now
        let route = "/v1/predict"
        let startedOnLoop = loop?.inEventLoop ?? false
        func answer(_ status: Int, _ body: ByteBuffer, headers: HTTPFields = [:]) -> Response {
            metrics.record(route: route, status: status, duration: ContinuousClock.now - start)
            metrics.recordHandlerThread(onConnectionLoop: startedOnLoop && (loop?.inEventLoop ?? false))
            var response = Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: body))
            response.headers[.contentType] = "application/json"
            return response
        }
        func refuse(_ problem: RequestProblem, headers: HTTPFields = [:]) -> Response {
            metrics.recordError(route: route, reason: problem.reason)
            return answer(
                problem.status, ByteBuffer(bytes: Self.json(["error": problem.message, "reason": problem.reason])),
                headers: headers)
        }
        if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/json") {
            return refuse(
                RequestProblem(status: 415, reason: "content_type", message: "send application/json, not \(type)"))
        }
        let limit = configuration.maximumBodyBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            return refuse(RequestProblem(status: 413, reason: "too_large", message: "the body exceeds \(limit) bytes"))
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            return refuse(RequestProblem(status: 413, reason: "too_large", message: "the body exceeds \(limit) bytes"))
        }
        let batch: PredictionRequest
        do {
            batch = try buffer.withUnsafeReadableBytes { bytes throws(RequestProblem) in
                try PredictionRequest(body: bytes, shape: model.inputShape, maximumBatch: configuration.maximumBatch)
            }
        } catch {
            return refuse(error)
        }
        do {
            let input = try Tensor(shape: [batch.rows] + model.inputShape, scalars: batch.values)
            let output = try await pool.withReplica { replica in try noGrad { try replica.model(input) } }
            metrics.observe(batch.values, rows: batch.rows, width: model.featureCount)
            let rows = try probabilities(output)
            guard let body = predictionBody(rows) else {
                return refuse(
                    RequestProblem(status: 500, reason: "model_error", message: "the model's outputs are not finite"))
            }
            return answer(200, body)
        } catch is ReplicaPool.Busy {
            return refuse(
                RequestProblem(status: 503, reason: "busy", message: "the server is at capacity; retry shortly"),
                headers: [.retryAfter: "1"])
        } catch {
            return refuse(RequestProblem(status: 500, reason: "model_error", message: "\(error)"))
        }
    }

    /// The 200 answer, written straight into a buffer: `{"predictions": [{"class", "label", "probabilities"}, …],
    /// "model": {"fingerprint", "version"}}`, nil when a probability is not finite (JSON has no NaN). `JSONEncoder`
    /// over `Encodable` structs was a tenth of the server's CPU under load; the labels and the model object are
    /// encoded once, at start-up, by ``PredictionWriter``.
    func predictionBody(_ rows: [[Float]]) -> ByteBuffer? {
        writer.body(rows)
    }

    struct Metadata: Encodable {
        struct Executor: Encodable {
            let kind: String
            let threads: Int?
        }
        struct Input: Encodable {
            let name: String
            let shape: [Int?]
            let dtype: String
        }
        struct Limits: Encodable {
            let maximumBodyBytes: Int
            let maximumBatch: Int
            let concurrency: Int
            let queueLimit: Int
        }
        let format: String
        let inputs: [Input]
        let classes: [String]
        let version: String
        let fingerprint: String
        let layers: [String]
        let driftMonitoring: Bool
        let serverVersion: String
        let limits: Limits
        let executor: Executor
    }

    static func metadataResponse(model: ServedModel, configuration: ServerConfiguration) -> Data {
        let metadata = Metadata(
            format: model.format, inputs: [.init(name: "input", shape: [nil] + model.inputShape, dtype: "float32")],
            classes: model.classes, version: model.version, fingerprint: model.fingerprint, layers: model.layers,
            driftMonitoring: model.featureSummary != nil, serverVersion: serverVersion,
            limits: .init(
                maximumBodyBytes: configuration.maximumBodyBytes, maximumBatch: configuration.maximumBatch,
                concurrency: configuration.concurrency, queueLimit: configuration.queueLimit),
            executor: executorDescription())
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(metadata)) ?? Data()
    }

    /// Where this process runs the server's tasks, for `/metadata`: `event_loops` (with their count) once
    /// ``installEventLoopExecutor(threads:)`` succeeded (`rigor serve`), else `default` (Swift's own executors: the
    /// `serve` builtin in a notebook, tests).
    static func executorDescription() -> Metadata.Executor {
        let threads = eventLoopExecutorThreads.load(ordering: .acquiring)
        if threads > 0 {
            return .init(kind: "event_loops", threads: threads)
        }
        return .init(kind: "default", threads: nil)
    }

    /// A GET answer with its metrics.
    func timed(_ route: String, _ body: () -> (Int, Data)) -> Response {
        let start = ContinuousClock.now
        let (status, data) = body()
        metrics.record(route: route, status: status, duration: ContinuousClock.now - start)
        var response = Response(status: .init(code: status), body: .init(byteBuffer: ByteBuffer(bytes: data)))
        response.headers[.contentType] = "application/json"
        return response
    }

    static func json(_ object: [String: String]) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(object)) ?? Data()
    }
}

/// The request context of the server's routes: Hummingbird's basic context plus the event loop that owns the
/// connection, so that a handler can tell whether it runs on it (``ModelServer/predict(_:loop:)``).
struct ServeRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let eventLoop: any EventLoop

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        eventLoop = source.channel.eventLoop
    }
}
