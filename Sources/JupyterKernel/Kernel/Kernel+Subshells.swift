import Foundation
import RichDisplay

/// Kernel subshells (protocol 5.5, JEP 91). A subshell is a thread with its own queue; the control
/// channel creates, lists and deletes them, and a shell request whose header has a `subshell_id`
/// is handled on that subshell's thread, in order, while the main shell may be running a cell.
///
/// The interpreter runs one thing at a time (`interpreterLock`), so what a subshell does while a
/// cell runs is decided per request (docs/kernel.md, "Subshells"):
///
/// * at once, without the interpreter: `kernel_info_request`, `comm_info_request`,
///   `history_request`, `interrupt_request`, `shutdown_request`;
/// * `complete_request`, `inspect_request`, `is_complete_request`: with the interpreter (the
///   session's own names) when it is free, else with the interpreter's concurrent assistant
///   (builtins and syntax only);
/// * `comm_open`, `comm_msg`, `comm_close`: at once when the interpreter `handlesCommsConcurrently`,
///   else after the running cell;
/// * `execute_request`: after the running cell (never two cells at once), without stdin.
extension Kernel: @unchecked Sendable {}  // Shared state is behind `interpreterLock` or its own lock.

extension Kernel {
    /// The handler every subshell thread runs on its messages.
    func makeSubshellHandler(router: ShellRouter) -> @Sendable (Message) -> Void {
        let replies = SubshellReplySocket(router: router)
        return { [self] message in handleShell(message, shell: replies, stdin: nil, subshell: true) }
    }

    /// A main-shell message that arrived while the shell thread runs a cell, handled at once on the pump thread
    /// when it is a comm message and the interpreter `handlesCommsConcurrently` (so a widget's state follows the
    /// front end during a long cell); `false` leaves it for the shell thread. Its status is busy … idle, then busy
    /// again with the running request as parent: the kernel is still busy with it, and front ends show the last
    /// status they received.
    func handleCommWhileBusy(_ message: Message) -> Bool {
        guard ["comm_open", "comm_msg", "comm_close"].contains(message.messageType), let router else { return false }
        handleShell(message, shell: SubshellReplySocket(router: router), stdin: nil, subshell: true)
        if let running = runningParent.withLock({ $0 }) {
            iopub.publish(type: "status", content: ["execution_state": "busy"], parent: running)
        }
        return true
    }

    /// Runs `body` with the interpreter when it is free (or on the main shell, which holds it), else
    /// with the concurrent assistant; with neither, with an assistant that knows nothing.
    func withAssistant<T>(subshell: Bool, _ body: (any LanguageAssistant) -> T) -> T {
        guard subshell else { return body(interpreter) }
        if interpreterLock.try() {
            defer { interpreterLock.unlock() }
            return body(interpreter)
        }
        return assistant.use(body)
    }
}

/// The interpreter's concurrent assistant, made on first use and used by one subshell at a time.
final class ConcurrentAssistantSlot: @unchecked Sendable {
    private let interpreter: any KernelInterpreter
    // `made` and `assistant` are read and written with `lock` held, which also serialises uses.
    private let lock = NSLock()
    private var made = false
    private var assistant: (any LanguageAssistant)?

    init(interpreter: any KernelInterpreter) { self.interpreter = interpreter }

    func use<T>(_ body: (any LanguageAssistant) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        if !made {
            made = true
            assistant = interpreter.makeConcurrentAssistant()
        }
        return body(assistant ?? NoAssistant())
    }
}

/// Knows nothing: empty matches, nothing found, `unknown`.
private final class NoAssistant: LanguageAssistant {}
