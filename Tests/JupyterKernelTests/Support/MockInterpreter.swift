import Foundation
import JupyterKernel
import RichDisplay
import Synchronization

/// An interpreter for protocol tests. Each line of a cell is a command:
/// `print T`, `eprint T`, `value T`, `display ID T`, `update ID T`, `clear`, `fail T`,
/// `loop` (spins until interrupted), `input PROMPT` (echoes the answer), `spam N` (N lines),
/// `sleep MICROSECONDS`.
final class MockInterpreter: KernelInterpreter {
    let interruptFlag = InterruptFlag()
    var executed: [String] = []
    /// Whether its comm handlers may run while a cell runs (they only publish).
    let handlesCommsConcurrently: Bool

    init(handlesCommsConcurrently: Bool = false) {
        self.handlesCommsConcurrently = handlesCommsConcurrently
    }

    var kernelInfo: KernelInfo {
        KernelInfo(
            implementation: "mock", implementationVersion: "1.0",
            language: LanguageInfo(
                name: "mock", version: "1", mimetype: "text/x-mock", fileExtension: ".mock", pygmentsLexer: "text",
                codemirrorMode: "null"),
            banner: "Mock kernel", helpLinks: [(text: "Mock", url: "https://example.com")])
    }

    func makeInterruptHandler() -> @Sendable () -> Void {
        let flag = interruptFlag
        return { flag.set() }
    }

    func execute(_ request: ExecuteRequest, context: ExecutionContext) -> Result<MIMEBundle?, ExecutionError> {
        interruptFlag.clear()
        executed.append(request.code)
        var result: MIMEBundle?
        for line in request.code.split(separator: "\n") {
            let words = line.split(separator: " ", maxSplits: 1).map(String.init)
            let argument = words.count > 1 ? words[1] : ""
            switch words.first ?? "" {
            case "print": context.publisher.write(argument + "\n")
            case "eprint": context.publisher.write(argument + "\n", to: .standardError)
            case "value": result = MIMEBundle(data: ["text/plain": argument, "text/html": "<b>\(argument)</b>"])
            case "display", "update":
                let parts = argument.split(separator: " ", maxSplits: 1).map(String.init)
                let bundle = MIMEBundle(plainText: parts.count > 1 ? parts[1] : "")
                if words[0] == "display" {
                    context.publisher.display(bundle, displayID: parts[0])
                } else {
                    context.publisher.updateDisplay(bundle, displayID: parts[0])
                }
            case "clear": context.publisher.clearOutput(wait: true)
            case "sleep": usleep(UInt32(argument) ?? 0)
            case "fail": return .failure(ExecutionError(name: "MockError", value: argument))
            case "spam":
                for index in 0..<(Int(argument) ?? 0) { context.publisher.write("line \(index)\n") }
            case "loop":
                while !interruptFlag.isSet { usleep(100) }
                return .failure(.interrupted)
            case "input":
                do {
                    let answer = try context.readLine(prompt: argument)
                    context.publisher.write("got \(answer)\n")
                } catch {
                    return .failure(error)
                }
            default: break
            }
        }
        return .success(result)
    }

    func evaluate(expression: String) -> Result<MIMEBundle, ExecutionError> {
        expression == "bad"
            ? .failure(ExecutionError(name: "MockError", value: "bad"))
            : .success(MIMEBundle(plainText: expression.uppercased()))
    }

    func complete(code: String, cursorPosition: Int) -> CompletionResult {
        let names = ["print", "eprint", "value"]
        let prefix = String(code.unicodeScalars.prefix(cursorPosition))
        let word = prefix.split(whereSeparator: { $0 == " " || $0 == "\n" }).last.map(String.init) ?? ""
        return CompletionResult(
            matches: names.filter { $0.hasPrefix(word) }, cursorStart: cursorPosition - word.unicodeScalars.count,
            cursorEnd: cursorPosition)
    }

    func inspect(code: String, cursorPosition: Int, detailLevel: Int) -> MIMEBundle? {
        code.hasPrefix("print") ? MIMEBundle(plainText: "print TEXT: writes TEXT to stdout") : nil
    }

    func isComplete(code: String) -> CodeCompleteness {
        if code.hasSuffix("{") { return .incomplete(indent: "    ") }
        if code.hasPrefix("}") { return .invalid }
        return .complete
    }

    func openComm(id: String, targetName: String, data: JSONValue, metadata: JSONValue, publisher: Publisher) -> Bool {
        guard targetName == "echo" else { return false }
        publisher.sendCommMessage(id: id, data: ["opened": data])
        return true
    }

    func receiveCommMessage(id: String, data: JSONValue, publisher: Publisher) {
        publisher.sendCommMessage(id: id, data: ["echo": data])
    }
}

/// The cross-thread interrupt flag of the mock.
final class InterruptFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
    func clear() { value.store(false, ordering: .releasing) }
}
