import Foundation
import RichDisplay

/// The control thread: shutdown, interrupt, kernel_info and the subshell requests, answered even
/// while a cell runs.
struct ControlLoop {
    let socket: any ChannelSocket
    let codec: WireCodec
    let factory: MessageFactory
    let iopub: IOPubQueue
    let state: KernelState
    let logger: KernelLogger
    let kernelInfo: JSONValue
    let router: ShellRouter
    let subshellHandler: @Sendable (Message) -> Void

    func run() {
        while !state.shutdownRequested {
            let frames: [Data]?
            do {
                frames = try socket.receive(timeout: .milliseconds(100))
            } catch {
                logger.log("control: \(error)")
                continue
            }
            guard let frames else { continue }
            let request: Message
            do {
                request = try codec.decode(frames)
            } catch {
                logger.log("control: dropped a message (\(error))")
                continue
            }
            handle(request)
        }
        // A cell that started just after the shutdown request missed its interrupt: keep
        // interrupting until the shell loop has ended.
        while !state.isShellFinished {
            state.interrupt()
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    private func handle(_ request: Message) {
        iopub.publish(type: "status", content: ["execution_state": "busy"], parent: request.header.json)
        defer { iopub.publish(type: "status", content: ["execution_state": "idle"], parent: request.header.json) }
        switch request.messageType {
        case "shutdown_request":
            let restart = request.content["restart"]?.boolValue ?? false
            reply(to: request, type: "shutdown_reply", content: ["status": "ok", "restart": .bool(restart)])
            state.requestShutdown(restart: restart)
        case "interrupt_request":
            state.interrupt()
            reply(to: request, type: "interrupt_reply", content: ["status": "ok"])
        case "kernel_info_request":
            reply(to: request, type: "kernel_info_reply", content: kernelInfo)
        case "create_subshell_request":
            let id = router.createSubshell(handler: subshellHandler)
            reply(to: request, type: "create_subshell_reply", content: ["status": "ok", "subshell_id": .string(id)])
        case "list_subshell_request":
            let ids = router.subshellIDs.map(JSONValue.string)
            reply(to: request, type: "list_subshell_reply", content: ["status": "ok", "subshell_id": .array(ids)])
        case "delete_subshell_request":
            let id = request.content["subshell_id"]?.stringValue ?? ""
            if router.deleteSubshell(id: id) {
                reply(to: request, type: "delete_subshell_reply", content: ["status": "ok"])
            } else {
                reply(
                    to: request, type: "delete_subshell_reply",
                    content: [
                        "status": "error", "ename": "UnknownSubshellError",
                        "evalue": .string("no subshell with id '\(id)'"),
                        "traceback": [],
                    ])
            }
        default:
            logger.log("control: ignored unsupported \(request.messageType)")
        }
    }

    private func reply(to request: Message, type: String, content: JSONValue) {
        do {
            try socket.send(codec.encode(factory.reply(to: request, type: type, content: content)))
        } catch {
            logger.log("control: cannot send \(type): \(error)")
        }
    }
}
