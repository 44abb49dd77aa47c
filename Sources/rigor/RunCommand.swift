import ArgumentParser
import Foundation
import RigorLibrary
import RigorScript

/// `rigor run FILE.rigor`: runs a script, printing what it prints; diagnostics go to stderr and
/// the exit status is 1.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a Rigor script.")

    @Argument(help: "The script to run (a .rigor file).")
    var file: String

    func run() throws {
        RigorLibrary.prepareEngine()
        let url = URL(fileURLWithPath: file)
        guard let source = try? String(contentsOf: url, encoding: .utf8) else {
            FileHandle.standardError.write(Data("error: cannot read '\(file)'\n".utf8))
            throw ExitCode(1)
        }
        let host = TerminalHost()
        // Scripts get the whole library; training prints one plain-text progress line per epoch.
        let registry = BuiltinRegistry()
        RigorLibrary.register(in: registry) { progress in
            switch progress.phase {
            case .epoch, .stopped: host.write(progress.line + "\n", to: .standardError)
            default: break
            }
        }
        let session = Session(host: host, registry: registry)
        let outcome = session.execute(source, sourceName: SourceName(url.lastPathComponent))
        host.flush()
        if let error = outcome.error {
            let color = isatty(STDERR_FILENO) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            FileHandle.standardError.write(Data((session.render(error, usesColor: color) + "\n").utf8))
            throw ExitCode(1)
        }
    }
}

/// Script output straight to the terminal (buffered; flushed before errors and at exit).
final class TerminalHost: ScriptHost {
    private var buffer = ""

    func write(_ text: String, to stream: OutputStreamKind) {
        switch stream {
        case .standardOutput:
            buffer += text
            if buffer.utf8.count > 1 << 16 { flush() }
        case .standardError:
            flush()
            FileHandle.standardError.write(Data(text.utf8))
        }
    }

    func readLine(prompt: String) -> String? {
        buffer += prompt
        flush()
        return Swift.readLine()
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer.utf8))
        buffer = ""
    }
}
