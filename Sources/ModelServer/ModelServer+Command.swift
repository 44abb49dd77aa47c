// ModelServer+Command: the blocking entry point `rigor serve` calls.
import Foundation
import Synchronization

extension ModelServer {
    /// Loads `path`, serves it until SIGTERM/SIGINT, and returns after a graceful shutdown. Prints the address
    /// once listening; `announce` receives that line (standard output by default).
    ///
    /// It blocks its thread on the server's task, so call it from a thread of your own (`rigor serve` calls it on
    /// the main thread), never from a thread of Swift's cooperative pool, whose few threads the server itself needs;
    /// async code awaits ``run(handlingSignals:onStarted:)`` instead.
    @available(*, noasync, message: "await run(handlingSignals:onStarted:) instead")
    public static func serve(
        path: String, inputShape: [Int]? = nil, configuration: ServerConfiguration,
        announce: @escaping @Sendable (String) -> Void = { print($0) }
    ) throws {
        let model = try ServedModel.load(path, inputShape: inputShape)
        let server = try ModelServer(model: model, configuration: configuration)
        let outcome = Mutex<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                try await server.run(handlingSignals: true) { port in
                    announce(
                        "serving \(model.format) model \(path) (\(model.fingerprint.prefix(12))) on http://\(configuration.host):\(port)"
                    )
                }
            } catch {
                outcome.withLock { $0 = error }
            }
            done.signal()
        }
        done.wait()
        if let error = outcome.withLock({ $0 }) { throw error }
    }
}
