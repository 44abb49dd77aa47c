import ArgumentParser
import Foundation
import JupyterKernel
import RigorKernel

/// `rigor kernel --connection-file F`: serves one Jupyter client (what kernel.json starts).
struct KernelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernel",
        abstract: "Run the Rigor Jupyter kernel (started by Jupyter through kernel.json).")

    @Option(
        name: [.customLong("connection-file"), .customShort("f")],
        help: "The connection file Jupyter wrote.")
    var connectionFile: String

    func run() throws {
        let connection: ConnectionInfo
        do {
            connection = try ConnectionInfo(contentsOf: URL(fileURLWithPath: connectionFile))
        } catch {
            throw ValidationError("cannot read connection file '\(connectionFile)': \(error)")
        }
        let kernel = Kernel(
            interpreter: RigorInterpreter(), transport: try ZeroMQTransport(connection: connection),
            key: connection.key,
            signatureScheme: connection.signatureScheme, history: History.Location.fromEnvironment(),
            stopOnErrorWindow: .milliseconds(
                ProcessInfo.processInfo.environment["RIGOR_STOP_ON_ERROR_WINDOW_MS"].flatMap { Int($0) } ?? 50))
        let interrupter = SignalInterrupter(handle: kernel.interruptHandle)
        _ = try kernel.run()
        withExtendedLifetime(interrupter) {}
        // The client restarts a kernel by starting a new process; either way this one ends.
        Foundation.exit(0)
    }
}
