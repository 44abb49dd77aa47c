import RichDisplay

/// The constants of the Jupyter widget protocol 2.1 (ipywidgets 8, `@jupyter-widgets/base` and `controls` 2.0).
public enum WidgetProtocol {
    /// The comm target of every widget model.
    public static let widgetTarget = "jupyter.widget"
    /// The comm target a front end opens to ask for every model's state at once (`request_states`).
    public static let controlTarget = "jupyter.widget.control"
    /// What a widget's `comm_open` says in its metadata.
    public static let version = "2.1.0"
    /// The control comm's protocol version (major 1).
    public static let controlVersion = "1.0.0"
    /// How one model names another in its state.
    public static let referencePrefix = "IPY_MODEL_"
    /// The MIME type of a widget's view in an output.
    public static let viewMIMEType = "application/vnd.jupyter.widget-view+json"
    /// The MIME type of the notebook-level widget state (`metadata.widgets`).
    public static let stateMIMEType = "application/vnd.jupyter.widget-state+json"
    /// The view bundle's and the notebook state's version.
    public static let versionMajor = 2
    public static let versionMinor = 0
}

/// Where a widget's comm messages go: the kernel's comms (RigorKernel publishes them on iopub with the parent of
/// the request that caused them). Without one (a script under `rigor run`), widgets live in the kernel only.
public protocol WidgetTransport: AnyObject, Sendable {
    func openComm(id: String, targetName: String, data: JSONValue, metadata: JSONValue)
    func sendComm(id: String, data: JSONValue)
    func closeComm(id: String)
}
