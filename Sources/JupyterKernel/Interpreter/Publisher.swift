import Foundation
import RichDisplay

/// How an interpreter sends output: every message gets the current request as parent and is
/// ordered by the kernel. Used on the shell thread only, during one request.
public final class Publisher {
    private let queue: IOPubQueue
    private let comms: CommTable
    /// The header of the request being served.
    let parent: JSONValue

    init(queue: IOPubQueue, comms: CommTable, parent: JSONValue) {
        self.queue = queue
        self.comms = comms
        self.parent = parent
    }

    /// The two output streams.
    public enum Stream: String, Sendable {
        case standardOutput = "stdout"
        case standardError = "stderr"
    }

    /// Writes text to stdout or stderr; consecutive writes are batched into few messages.
    public func write(_ text: String, to stream: Stream = .standardOutput) {
        queue.appendStream(name: stream.rawValue, text: text, parent: parent)
    }

    /// Shows a rich value (`display_data`); with a `displayID` it can be updated later.
    public func display(_ bundle: MIMEBundle, displayID: String? = nil) {
        var content = bundle.displayContent
        if let displayID { content["transient"] = ["display_id": .string(displayID)] }
        queue.publish(type: "display_data", content: .object(content), parent: parent)
    }

    /// Replaces every output shown with `displayID` (`update_display_data`).
    public func updateDisplay(_ bundle: MIMEBundle, displayID: String) {
        var content = bundle.displayContent
        content["transient"] = ["display_id": .string(displayID)]
        queue.publish(type: "update_display_data", content: .object(content), parent: parent)
    }

    /// Clears the cell's output, now or (`wait`) when the next output arrives.
    public func clearOutput(wait: Bool = false) {
        queue.publish(type: "clear_output", content: ["wait": .bool(wait)], parent: parent)
    }

    /// Publishes `status` (`busy` or `idle`) with this publisher's request as parent: for work the interpreter
    /// does after that request was answered (a widget handler it queued for its session), so front ends see the
    /// kernel busy while it runs.
    public func status(busy: Bool) {
        queue.publish(type: "status", content: ["execution_state": busy ? "busy" : "idle"], parent: parent)
    }

    /// Opens a comm from the kernel side. `metadata` is the message's metadata (as ipykernel's `Comm.open`
    /// sends it: the widget manager reads the protocol `version` there).
    public func openComm(id: String, targetName: String, data: JSONValue, metadata: JSONValue = .emptyObject) {
        comms.open(id: id, targetName: targetName)
        queue.publish(
            type: "comm_open", content: ["comm_id": .string(id), "target_name": .string(targetName), "data": data],
            parent: parent, metadata: metadata)
    }

    /// Sends a message on an open comm.
    public func sendCommMessage(id: String, data: JSONValue) {
        queue.publish(type: "comm_msg", content: ["comm_id": .string(id), "data": data], parent: parent)
    }

    /// Closes a comm from the kernel side.
    public func closeComm(id: String, data: JSONValue = .emptyObject) {
        comms.close(id: id)
        queue.publish(type: "comm_close", content: ["comm_id": .string(id), "data": data], parent: parent)
    }
}

extension MIMEBundle {
    /// `data` and `metadata` as Jupyter wants them: JSON types as JSON, the rest as strings.
    var displayContent: [String: JSONValue] {
        var data: [String: JSONValue] = [:]
        for (type, text) in self.data {
            if type == MIMEType.json || type.hasSuffix("+json"), let parsed = try? JSONValue(parsing: Data(text.utf8)) {
                data[type] = parsed
            } else {
                data[type] = .string(text)
            }
        }
        let metadata = self.metadata.mapValues { JSONValue.object($0.mapValues(JSONValue.string)) }
        return ["data": .object(data), "metadata": .object(metadata)]
    }
}
