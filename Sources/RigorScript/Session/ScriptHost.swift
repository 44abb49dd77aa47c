/// The output streams a script writes to.
public enum OutputStreamKind: Sendable {
    case standardOutput
    case standardError
}

/// What the embedding program supplies: where output goes and how input is read (Wren's host
/// bindings). The kernel batches output into Jupyter `stream` messages; `rigor run` writes to the
/// terminal.
public protocol ScriptHost: AnyObject {
    func write(_ text: String, to stream: OutputStreamKind)
    /// Reads one line of input after showing `prompt`; nil when no input is available.
    func readLine(prompt: String) -> String?
}

/// A host that collects output in memory: for tests and for embedding.
public final class BufferedHost: ScriptHost {
    public private(set) var standardOutput = ""
    public private(set) var standardError = ""
    /// Lines `readLine` returns, in order.
    public var input: [String]

    public init(input: [String] = []) { self.input = input }

    public func write(_ text: String, to stream: OutputStreamKind) {
        switch stream {
        case .standardOutput: standardOutput += text
        case .standardError: standardError += text
        }
    }

    public func readLine(prompt: String) -> String? {
        standardOutput += prompt
        return input.isEmpty ? nil : input.removeFirst()
    }

    /// Empties both buffers.
    public func reset() {
        standardOutput = ""
        standardError = ""
    }
}
