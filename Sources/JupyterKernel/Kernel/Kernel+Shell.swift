import Foundation
import RichDisplay

/// The shell channel's handlers. Every request is wrapped in `status: busy` … `status: idle`.
extension Kernel {
    /// Handles one request of the main shell (`subshell` false) or of a subshell (its replies go
    /// through the router; it has no stdin, and a failed cell aborts nothing). The caller holds
    /// `interpreterLock`, except a subshell, which takes it itself where needed.
    func handleShell(
        _ request: Message, shell: any ChannelSocket, stdin: (any ChannelSocket)?, subshell: Bool = false
    ) {
        let parent = request.header.json
        iopub.publish(type: "status", content: ["execution_state": "busy"], parent: parent)
        var abortQueue = false
        switch request.messageType {
        case "execute_request":
            if subshell {
                interpreterLock.withLock { _ = execute(request, shell: shell, stdin: nil, subshell: true) }
            } else {
                abortQueue = execute(request, shell: shell, stdin: stdin, subshell: false)
            }
        case "kernel_info_request":
            reply(to: request, type: "kernel_info_reply", content: kernelInfoContent, on: shell)
        case "complete_request":
            let code = request.content["code"]?.stringValue ?? ""
            let cursor = request.content["cursor_pos"]?.intValue ?? code.unicodeScalars.count
            let result = withAssistant(subshell: subshell) { $0.complete(code: code, cursorPosition: cursor) }
            reply(
                to: request, type: "complete_reply",
                content: [
                    "status": "ok", "matches": .array(result.matches.map(JSONValue.string)),
                    "cursor_start": .int(result.cursorStart), "cursor_end": .int(result.cursorEnd),
                    "metadata": result.metadata,
                ], on: shell)
        case "inspect_request":
            let code = request.content["code"]?.stringValue ?? ""
            let cursor = request.content["cursor_pos"]?.intValue ?? code.unicodeScalars.count
            let level = request.content["detail_level"]?.intValue ?? 0
            var content: [String: JSONValue] = ["status": "ok", "found": false, "data": [:], "metadata": [:]]
            if let bundle = withAssistant(
                subshell: subshell,
                {
                    $0.inspect(code: code, cursorPosition: cursor, detailLevel: level)
                })
            {
                content.merge(bundle.displayContent) { _, new in new }
                content["found"] = true
            }
            reply(to: request, type: "inspect_reply", content: .object(content), on: shell)
        case "is_complete_request":
            let code = request.content["code"]?.stringValue ?? ""
            let content: JSONValue =
                switch withAssistant(subshell: subshell, { $0.isComplete(code: code) }) {
                case .complete: ["status": "complete"]
                case .incomplete(let indent): ["status": "incomplete", "indent": .string(indent)]
                case .invalid: ["status": "invalid"]
                case .unknown: ["status": "unknown"]
                }
            reply(to: request, type: "is_complete_reply", content: content, on: shell)
        case "history_request":
            reply(to: request, type: "history_reply", content: historyReply(request.content), on: shell)
        case "comm_info_request":
            let wanted = request.content["target_name"]?.stringValue
            var open: [String: JSONValue] = [:]
            for (id, target) in comms.targets where wanted == nil || wanted == target {
                open[id] = ["target_name": .string(target)]
            }
            reply(to: request, type: "comm_info_reply", content: ["status": "ok", "comms": .object(open)], on: shell)
        case "comm_open", "comm_msg", "comm_close":
            if subshell && !interpreter.handlesCommsConcurrently {
                interpreterLock.withLock { handleComm(request) }
            } else {
                handleComm(request)
            }
        case "shutdown_request", "interrupt_request":
            // Old clients send these on shell; answer them as control would.
            let restart = request.content["restart"]?.boolValue ?? false
            if request.messageType == "interrupt_request" {
                state.interrupt()
                reply(to: request, type: "interrupt_reply", content: ["status": "ok"], on: shell)
            } else {
                reply(
                    to: request, type: "shutdown_reply", content: ["status": "ok", "restart": .bool(restart)],
                    on: shell)
                state.requestShutdown(restart: restart)
            }
        default:
            logger.log("shell: ignored unknown message type \(request.messageType)")
        }
        iopub.publish(type: "status", content: ["execution_state": "idle"], parent: parent)
        if abortQueue { abortQueuedExecutions(shell: shell) }
    }

    func reply(to request: Message, type: String, content: JSONValue, on socket: any ChannelSocket) {
        send(factory.reply(to: request, type: type, content: content), on: socket)
    }

    // MARK: execute

    /// Runs one `execute_request`; returns whether the queued executions must be aborted.
    private func execute(
        _ request: Message, shell: any ChannelSocket, stdin: (any ChannelSocket)?, subshell: Bool
    ) -> Bool {
        let content = request.content
        let parent = request.header.json
        guard let code = content["code"]?.stringValue else {
            logger.log("shell: execute_request without code")
            let error = ExecutionError(name: "BadRequest", value: "execute_request without a code string")
            reply(to: request, type: "execute_reply", content: errorReply(error), on: shell)
            return false
        }
        let silent = content["silent"]?.boolValue ?? false
        let storeHistory = silent ? false : (content["store_history"]?.boolValue ?? true)
        // A subshell has no stdin channel of its own: its cells cannot ask for input.
        let allowStdin = stdin != nil && (content["allow_stdin"]?.boolValue ?? true)
        let stopOnError = content["stop_on_error"]?.boolValue ?? true
        if state.shutdownRequested {
            let error = ExecutionError(name: "ExecutionAborted", value: "the kernel is shutting down")
            reply(to: request, type: "execute_reply", content: errorReply(error), on: shell)
            return false
        }
        if storeHistory { executionCount += 1 }
        let count = executionCount
        if !silent {
            iopub.publish(
                type: "execute_input", content: ["code": .string(code), "execution_count": .int(count)], parent: parent)
        }

        state.clearInterrupt()
        let publisher = Publisher(queue: iopub, comms: comms, parent: parent)
        let context = ExecutionContext(publisher: publisher) { [self] (prompt, password) throws(ExecutionError) in
            guard allowStdin else {
                throw ExecutionError(name: "StdinNotAllowed", value: "this front end does not support input")
            }
            guard let stdin else { throw ExecutionError(name: "StdinNotAllowed", value: "a subshell has no stdin") }
            return try readInput(prompt: prompt, password: password, request: request, stdin: stdin)
        }
        let executeRequest = ExecuteRequest(
            code: code, silent: silent, storeHistory: storeHistory, allowStdin: allowStdin,
            stopOnError: stopOnError, executionCount: count)
        // While the cell runs, the router may hand the shell socket to its pump, so subshells answer.
        if !subshell { router?.beginBusy() }
        let outcome = interpreter.execute(executeRequest, context: context)

        var expressions: [String: JSONValue] = [:]
        for (name, expression) in content["user_expressions"]?.objectValue ?? [:] {
            switch interpreter.evaluate(expression: expression.stringValue ?? "") {
            case .success(let bundle):
                var value = bundle.displayContent
                value["status"] = "ok"
                expressions[name] = .object(value)
            case .failure(let error):
                expressions[name] = errorReply(error, executionCount: nil)
            }
        }

        if !subshell { router?.endBusy() }

        var replyContent: JSONValue
        var output: String?
        switch outcome {
        case .success(let bundle):
            if let bundle, !silent {
                var result = bundle.displayContent
                result["execution_count"] = .int(count)
                iopub.publish(type: "execute_result", content: .object(result), parent: parent)
                output = bundle.plainText
            }
            replyContent = [
                "status": "ok", "execution_count": .int(count), "user_expressions": .object(expressions),
                "payload": [],
            ]
        case .failure(let error):
            iopub.publish(
                type: "error",
                content: [
                    "ename": .string(error.name), "evalue": .string(error.value),
                    "traceback": .array(error.traceback.map(JSONValue.string)),
                ], parent: parent)
            replyContent = errorReply(error, executionCount: count)
            if case .object(var members) = replyContent {
                members["user_expressions"] = .object(expressions)
                replyContent = .object(members)
            }
        }
        if storeHistory { history.record(line: count, input: code, output: output) }
        // Outputs reach the front end before the reply that ends the cell.
        iopub.flush()
        // Requests queued behind a failed cell are aborted. A cell can fail before the next
        // request of a "Run All" has even arrived, so the reply waits for a short window (which
        // restarts with each execute request that arrives): whatever comes before the reply was
        // sent before the client saw the error, so it belongs to the same run and is aborted.
        var mustAbort = false
        if case .failure = outcome, stopOnError, !subshell {
            collectQueuedMessages()
            mustAbort = true
        }
        reply(to: request, type: "execute_reply", content: replyContent, on: shell)
        return mustAbort
    }

    func errorReply(_ error: ExecutionError, executionCount: Int? = nil) -> JSONValue {
        var content: [String: JSONValue] = [
            "status": "error", "ename": .string(error.name), "evalue": .string(error.value),
            "traceback": .array(error.traceback.map(JSONValue.string)),
        ]
        content["execution_count"] = .int(executionCount ?? self.executionCount)
        return .object(content)
    }

    /// After a failed cell with `stop_on_error`, every execute request already queued is answered
    /// with `{"status": "aborted"}` and not run; other requests are kept and handled afterwards.
    /// Like ipykernel, the reply carries no `execution_count`: JupyterLab then leaves the skipped
    /// cells' prompts empty (`[ ]:`), where a count would make them look as if they had run.
    private func abortQueuedExecutions(shell: any ChannelSocket) {
        let queued = pendingShellMessages
        pendingShellMessages = []
        for message in queued {
            guard message.messageType == "execute_request" else {
                pendingShellMessages.append(message)
                continue
            }
            let parent = message.header.json
            iopub.publish(type: "status", content: ["execution_state": "busy"], parent: parent)
            reply(to: message, type: "execute_reply", content: ["status": "aborted"], on: shell)
            iopub.publish(type: "status", content: ["execution_state": "idle"], parent: parent)
        }
    }

    /// Moves the main shell's messages that arrive within `stopOnErrorWindow` (restarted by each
    /// execute request, at most 20 windows in all) into `pendingShellMessages`.
    private func collectQueuedMessages() {
        guard let router else { return }
        let start = ContinuousClock.now
        let limit = start + stopOnErrorWindow * 20
        var deadline = start + stopOnErrorWindow
        while true {
            let end = min(deadline, limit)
            // Past the window, what is already queued is still collected (timeout zero).
            guard let message = router.nextForMain(timeout: max(end - ContinuousClock.now, .zero)) else { break }
            pendingShellMessages.append(message)
            if message.messageType == "execute_request" { deadline = ContinuousClock.now + stopOnErrorWindow }
        }
    }

    /// Asks the front end for a line over stdin and waits for the answer (or an interrupt).
    private func readInput(
        prompt: String, password: Bool, request: Message, stdin: any ChannelSocket
    )
        throws(ExecutionError) -> String
    {
        iopub.flush()
        // Whatever arrived on stdin while nobody asked is stale: it must not answer this request.
        while let frames = try? stdin.receive(timeout: .zero) {
            if let stale = decode(frames, channel: .stdin) {
                logger.log("stdin: ignored unrequested \(stale.messageType)")
            }
        }
        let inputRequest = factory.reply(
            to: request, type: "input_request", content: ["prompt": .string(prompt), "password": .bool(password)])
        send(inputRequest, on: stdin)
        while true {
            if state.interruptRequested || state.shutdownRequested { throw .interrupted }
            let frames: [Data]?
            do {
                frames = try stdin.receive(timeout: .milliseconds(20))
            } catch {
                throw ExecutionError(name: "StdinError", value: "\(error)")
            }
            guard let frames, let reply = decode(frames, channel: .stdin) else { continue }
            guard reply.messageType == "input_reply",
                reply.parentMessageID == nil || reply.parentMessageID == inputRequest.header.messageID
            else {
                logger.log("stdin: ignored \(reply.messageType) that does not answer the pending input_request")
                continue
            }
            return reply.content["value"]?.stringValue ?? ""
        }
    }

    // MARK: history and comms

    private func historyReply(_ content: JSONValue) -> JSONValue {
        let output = content["output"]?.boolValue ?? false
        let entries: [History.Entry]
        switch content["hist_access_type"]?.stringValue ?? "tail" {
        case "range":
            entries = history.range(
                session: content["session"]?.intValue ?? 0, start: content["start"]?.intValue ?? 1,
                stop: content["stop"]?.intValue)
        case "search":
            entries = history.search(
                pattern: content["pattern"]?.stringValue ?? "*", limit: content["n"]?.intValue,
                unique: content["unique"]?.boolValue ?? false)
        default:
            entries = history.tail(content["n"]?.intValue ?? 10)
        }
        let rows: [JSONValue] = entries.map { entry in
            let input = JSONValue.string(entry.input)
            let cell: JSONValue = output ? [input, entry.output.map(JSONValue.string) ?? .null] : input
            return [.int(entry.session), .int(entry.line), cell]
        }
        return ["status": "ok", "history": .array(rows)]
    }

    private func handleComm(_ request: Message) {
        let content = request.content
        guard let id = content["comm_id"]?.stringValue else {
            logger.log("shell: \(request.messageType) without comm_id")
            return
        }
        let data = content["data"] ?? .emptyObject
        let publisher = Publisher(queue: iopub, comms: comms, parent: request.header.json)
        switch request.messageType {
        case "comm_open":
            let target = content["target_name"]?.stringValue ?? ""
            comms.open(id: id, targetName: target)
            let opened = interpreter.openComm(
                id: id, targetName: target, data: data, metadata: request.metadata, publisher: publisher)
            if !opened {
                // The spec's answer to an unknown target: close the comm at once.
                comms.close(id: id)
                publisher.closeComm(id: id)
            }
        case "comm_msg":
            guard comms.contains(id) else {
                logger.log("shell: comm_msg for unknown comm \(id)")
                return
            }
            interpreter.receiveCommMessage(id: id, data: data, publisher: publisher)
        default:
            guard comms.contains(id) else { return }
            comms.close(id: id)
            interpreter.closeComm(id: id, data: data)
        }
    }
}
