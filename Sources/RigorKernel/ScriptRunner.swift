import Foundation
import RigorLibrary
import RigorScript

/// `rigor run FILE.rigor`: runs a script with the whole library, printing what it prints; training
/// prints one plain-text progress line per epoch, and a diagnostic goes to stderr (in colour on a
/// terminal unless NO_COLOR is set). The executable only parses the command line and calls this.
public enum ScriptRunner {
    /// Runs the script at `path`; returns the process's exit status (0, or 1 after an error).
    public static func run(path: String) -> Int32 {
        let url = URL(fileURLWithPath: path)
        guard let source = try? String(contentsOf: url, encoding: .utf8) else {
            FileHandle.standardError.write(Data("error: cannot read '\(path)'\n".utf8))
            return 1
        }
        let host = TerminalHost()
        let registry = BuiltinRegistry()
        RigorLibrary.register(in: registry)
        let session = Session(host: host, registry: registry)
        let outcome = session.execute(source, sourceName: SourceName(url.lastPathComponent))
        host.flush()
        guard let error = outcome.error else { return 0 }
        let color = isatty(STDERR_FILENO) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        FileHandle.standardError.write(Data((session.render(error, usesColor: color) + "\n").utf8))
        return 1
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
