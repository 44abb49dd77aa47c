import RichDisplay

/// An Output widget's outputs, kept in its `outputs` trait as nbformat output dictionaries: the front end renders
/// them from the state (no `msg_id` capture is needed), and the notebook's widget state carries the last ones, so
/// an exported notebook shows what the widget showed.
extension Widget {
    /// Appends text to the outputs (joined to the last output when it is the same stream).
    public func appendStream(_ text: String, name: String = "stdout") {
        manager.modifyOutputs(self) { outputs, ids in
            clearIfPending(&outputs, &ids)
            if let last = outputs.last, last["output_type"] == "stream", last["name"]?.stringValue == name,
                let previous = last["text"]?.stringValue
            {
                outputs[outputs.count - 1] = [
                    "output_type": "stream", "name": .string(name), "text": .string(previous + text),
                ]
            } else {
                outputs.append(["output_type": "stream", "name": .string(name), "text": .string(text)])
                ids.append(nil)
            }
        }
    }

    /// Appends a rich output; with a `displayID`, `updateDisplay` can replace it later.
    public func appendDisplay(_ bundle: MIMEBundle, displayID: String? = nil) {
        manager.modifyOutputs(self) { outputs, ids in
            clearIfPending(&outputs, &ids)
            outputs.append(Self.displayOutput(bundle))
            ids.append(displayID)
        }
    }

    /// Replaces every output shown with `displayID`; `false` when there is none.
    @discardableResult
    public func updateDisplay(_ bundle: MIMEBundle, displayID: String) -> Bool {
        var found = false
        manager.modifyOutputs(self) { outputs, ids in
            for index in ids.indices where ids[index] == displayID {
                outputs[index] = Self.displayOutput(bundle)
                found = true
            }
        }
        return found
    }

    /// Appends an error output (a failed handler's), as Jupyter shows it.
    public func appendError(name: String, value: String, traceback: [String]) {
        manager.modifyOutputs(self) { outputs, ids in
            clearIfPending(&outputs, &ids)
            outputs.append([
                "output_type": "error", "ename": .string(name), "evalue": .string(value),
                "traceback": .array(traceback.map(JSONValue.string)),
            ])
            ids.append(nil)
        }
    }

    /// Clears the outputs now, or (`wait`) when the next output arrives, so a redraw does not flicker.
    public func clearOutputs(wait: Bool = false) {
        if wait {
            manager.withLock { clearPending = true }
            return
        }
        manager.modifyOutputs(self) { outputs, ids in
            outputs.removeAll()
            ids.removeAll()
        }
        manager.withLock { clearPending = false }
    }

    /// Replaces every output at once (one `update`).
    public func replaceOutputs(with bundles: [MIMEBundle]) {
        manager.modifyOutputs(self) { outputs, ids in
            outputs = bundles.map(Self.displayOutput)
            ids = Array(repeating: nil, count: bundles.count)
        }
        manager.withLock { clearPending = false }
    }

    private func clearIfPending(_ outputs: inout [JSONValue], _ ids: inout [String?]) {
        // Called with the manager's lock held (inside modifyOutputs).
        if clearPending {
            outputs.removeAll()
            ids.removeAll()
            clearPending = false
        }
    }

    /// A bundle as an nbformat `display_data` output: JSON types as JSON, the rest as strings.
    static func displayOutput(_ bundle: MIMEBundle) -> JSONValue {
        var data: [String: JSONValue] = [:]
        for (type, text) in bundle.data {
            if type == MIMEType.json || type.hasSuffix("+json"), let parsed = JSONValue(jsonText: text) {
                data[type] = parsed
            } else {
                data[type] = .string(text)
            }
        }
        let metadata = bundle.metadata.mapValues { JSONValue.object($0.mapValues(JSONValue.string)) }
        return ["output_type": "display_data", "data": .object(data), "metadata": .object(metadata)]
    }
}
