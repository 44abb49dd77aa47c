import Foundation
import RigorLibrary
import RigorScript

/// `rigor run FILE.rigor`: runs a script with the whole library, printing what it prints; training
/// prints one plain-text progress line per epoch, and a diagnostic goes to stderr (in colour on a
/// terminal unless NO_COLOR is set). The executable only parses the command line and calls this.
public enum ScriptRunner {
    /// Runs the script at `path`; returns the process's exit status (0, or 1 after an error).
    public static func run(path: String) -> Int32 {
        guard let bytes = readFile(path), let source = String(validating: bytes, as: UTF8.self) else {
            FileHandle.standardError.write(Data("error: cannot read '\(path)'\n".utf8))
            return 1
        }
        let host = TerminalHost()
        let registry = BuiltinRegistry()
        RigorLibrary.register(in: registry)
        let session = Session(host: host, registry: registry)
        let fileName = path.split(separator: "/").last.map(String.init) ?? path
        let outcome = session.execute(source, sourceName: SourceName(fileName))
        host.flush()
        guard let error = outcome.error else { return 0 }
        let color = isatty(STDERR_FILENO) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        FileHandle.standardError.write(Data((session.render(error, usesColor: color) + "\n").utf8))
        return 1
    }

    /// The bytes of the file at `path`, or nil if it cannot be read (missing, a directory, not readable). Plain POSIX
    /// reads: `String(contentsOf: URL)` cost ~0.7 M instructions of every start in first-time protocol conformance
    /// lookups (Foundation's URL path handling), for a file of a few lines.
    static func readFile(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        // A scratch buffer that is never zeroed: the file's bytes are appended from it as they are read.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1 << 16) { chunk -> [UInt8]? in
            var bytes: [UInt8] = []
            while true {
                let count = read(descriptor, chunk.baseAddress, chunk.count)
                if count == 0 { return bytes }
                if count < 0 {
                    if errno == EINTR { continue }
                    return nil
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[0..<count]))
            }
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
            writeAll(text, to: STDERR_FILENO)
        }
    }

    func readLine(prompt: String) -> String? {
        buffer += prompt
        flush()
        return Swift.readLine()
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        writeAll(buffer, to: STDOUT_FILENO)
        buffer = ""
    }
}

/// Writes all of `text` to the file descriptor (plain `write`s: `FileHandle.write(Data(text.utf8))` makes its
/// `Data` through a dynamic cast whose first use scans every protocol conformance in the binary, ~0.45 M
/// instructions of every script that prints). Stops at an error other than an interrupted call.
private func writeAll(_ text: String, to descriptor: Int32) {
    var text = text
    text.withUTF8 { bytes in
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, base + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}
