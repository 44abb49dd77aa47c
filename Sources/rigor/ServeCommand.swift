import ArgumentParser
import Foundation
import RigorKernel

/// `rigor serve MODEL.safetensors|MODEL.onnx --port P`: an HTTP prediction service (`RigorKernel.ServeRunner` over
/// `ModelServer` does the work; docs/deployment.md).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve a saved model over HTTP (predict, health, metadata, metrics).")

    @Argument(help: "The model: a .safetensors file saved by Rigor, or an .onnx file exported by Rigor.")
    var model: String

    @Option(help: "The port to listen on (0 picks a free one).")
    var port: Int = 8080

    @Option(help: "The interface to bind.")
    var host: String = "127.0.0.1"

    @Option(help: "One sample's shape, e.g. 1,8,8, when the file does not record it.")
    var inputShape: String?

    @Option(help: "The largest request body, in bytes.")
    var maxBodyBytes: Int = 1 << 20

    @Option(help: "The most samples per request.")
    var maxBatch: Int = 256

    @Option(help: "Predictions that run at once (each on its own copy of the model).")
    var concurrency: Int = 2

    @Option(help: "Requests that may wait for a free copy before the server answers 503.")
    var queueLimit: Int = 64

    @Option(
        help: ArgumentHelp(
            "Event-loop threads; each reads, predicts and answers its connections' requests (default: one per core).",
            valueName: "n"))
    var threads: Int?

    @Option(
        help: ArgumentHelp(
            "Where the handlers run: event-loops (on the loop that owns the connection) or default (Swift's cooperative pool, two thread hand-offs per request).",
            valueName: "kind"))
    var executor: ServeExecutor = .eventLoops

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, not \(threads)") }
    }

    func run() throws {
        var shape: [Int]?
        if let inputShape {
            let parts = inputShape.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) > 0 }) else {
                throw ValidationError("--input-shape takes positive integers separated by commas, e.g. 1,8,8")
            }
            shape = parts.compactMap { $0 }
        }
        try ServeRunner.serve(
            path: model, inputShape: shape, host: host, port: port, maximumBodyBytes: maxBodyBytes,
            maximumBatch: maxBatch, concurrency: concurrency, queueLimit: queueLimit, threads: threads,
            onEventLoops: executor == .eventLoops)
    }
}

/// `rigor serve --executor`: where the request handlers run.
enum ServeExecutor: String, ExpressibleByArgument, CaseIterable {
    case eventLoops = "event-loops"
    case `default`
}
