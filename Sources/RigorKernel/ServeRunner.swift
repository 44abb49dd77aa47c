import Foundation
import ModelServer

/// What `rigor serve MODEL --port P` calls: a saved model behind the HTTP prediction service (`ModelServer`;
/// docs/deployment.md). It lives here, beside `ScriptRunner`, so that the executable imports only `RigorKernel`,
/// `JupyterKernel` and the argument parser.
public enum ServeRunner {
    /// Loads `path` (.safetensors saved by Rigor, or .onnx exported by Rigor) and serves it until SIGINT/SIGTERM.
    ///
    /// The process does nothing else, so by default (`onEventLoops`) its tasks run on the server's `threads` event
    /// loops (nil: one per core; ``ModelServer/installEventLoopExecutor(threads:)``): call it from the main thread
    /// before any task has run. Without `onEventLoops` (`--executor default`) the loops only read and write, and the
    /// handlers run on Swift's cooperative pool, each request crossing threads twice (the scheduling before the
    /// switch, kept to compare the two under load; docs/deployment.md).
    public static func serve(
        path: String, inputShape: [Int]?, host: String, port: Int, maximumBodyBytes: Int, maximumBatch: Int,
        concurrency: Int, queueLimit: Int, threads: Int? = nil, onEventLoops: Bool = true
    ) throws {
        if !onEventLoops {
            if let threads { ModelServer.setEventLoopCount(threads) }
        } else if !ModelServer.installEventLoopExecutor(threads: threads) {
            FileHandle.standardError.write(
                Data("rigor serve: could not run on the event loops; using Swift's default executor\n".utf8))
        }
        let configuration = ServerConfiguration(
            host: host, port: port, maximumBodyBytes: maximumBodyBytes, maximumBatch: maximumBatch,
            concurrency: concurrency, queueLimit: queueLimit)
        try ModelServer.serve(path: path, inputShape: inputShape, configuration: configuration)
    }
}
