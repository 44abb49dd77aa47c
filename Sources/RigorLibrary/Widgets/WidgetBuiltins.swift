import Foundation
// The widget builtins: one initializer per widget kind, `.value` and `.description` read and set from code,
// `onChange { value in … }`, `onClick { … }`, `close()`, `Output.clear()` (docs/widgets.md).
import RichDisplay
import RigorScript
import Widgets

extension RigorLibrary {
    /// Widgets made where no front end is (a script under `rigor run`): they work in the script, nothing shows them.
    static let standaloneWidgets = WidgetManager()

    static func widgetManager(_ context: CallContext) -> WidgetManager {
        (context.host as? WidgetHost)?.widgetManager ?? standaloneWidgets
    }

    static func makeWidget(
        _ context: CallContext, _ typeName: String, _ schema: WidgetSchema, _ state: [String: JSONValue],
        options: [Value] = [], children: [WidgetObject] = []
    ) throws -> Value {
        try newWidget(context, typeName, schema, state, options: options, children: children).scriptValue
    }

    /// A new widget of the session's manager as a script object (`typeName` is its script type).
    static func newWidget(
        _ context: CallContext, _ typeName: String, _ schema: WidgetSchema, _ state: [String: JSONValue],
        options: [Value] = [], children: [WidgetObject] = []
    ) throws -> WidgetObject {
        let widget = try widgetCall { try widgetManager(context).create(schema, state) }
        return WidgetObject(typeName, widget, options: options, children: children)
    }

    static func registerWidgets(in registry: BuiltinRegistry) {
        registry.beginFamily("Widgets")
        registerInteract(in: registry)
        let valued = [
            "IntSlider", "FloatSlider", "FloatLogSlider", "Checkbox", "Text", "Label", "Dropdown", "ToggleButtons",
        ]

        registry.type(named: "IntSlider", of: WidgetObject.self, doc: "A slider of integers (a Jupyter widget).")
            .initializer(
                Arg("value", default: 0), Arg("min", default: 0), Arg("max", default: 100),
                Arg("step", default: 1, bound: .atLeast(1)), Arg("description", default: ""),
                doc: "A slider of integers from `min` to `max`; a value outside is clamped.",
                example: "let epochs = IntSlider(value: 20, min: 5, max: 40, description: \"epochs\")"
            ) { context, value, low, high, step, description in
                try makeWidget(
                    context, "IntSlider", .intSlider,
                    [
                        "value": .int(value), "min": .int(low), "max": .int(high), "step": .int(step),
                        "description": .string(description),
                    ])
            }
        registry.type(named: "FloatSlider", of: WidgetObject.self, doc: "A slider of numbers (a Jupyter widget).")
            .initializer(
                Arg("value", default: 0.0), Arg("min", default: 0.0), Arg("max", default: 100.0),
                Arg("step", default: 0.1), Arg("description", default: ""),
                doc: "A slider of numbers from `min` to `max` in steps of `step`; a value outside is clamped.",
                example:
                    "let dropout = FloatSlider(value: 0.25, min: 0, max: 0.5, step: 0.05, description: \"dropout\")"
            ) { context, value, low, high, step, description in
                try makeWidget(
                    context, "FloatSlider", .floatSlider,
                    [
                        "value": .double(value), "min": .double(low), "max": .double(high), "step": .double(step),
                        "description": .string(description),
                    ])
            }
        registry.type(
            named: "FloatLogSlider", of: WidgetObject.self, doc: "A slider on a logarithmic scale (a Jupyter widget)."
        )
        .initializer(
            Arg("value", default: 1.0), Arg("base", default: 10.0), Arg("min", default: 0.0), Arg("max", default: 4.0),
            Arg("step", default: 0.1), Arg("description", default: ""),
            doc: "A slider from `base^min` to `base^max`, moving `step` in the exponent.",
            example: "let rate = FloatLogSlider(value: 1e-3, min: -4, max: -1, description: \"learning rate\")"
        ) { context, value, base, low, high, step, description in
            try makeWidget(
                context, "FloatLogSlider", .floatLogSlider,
                [
                    "value": .double(value), "base": .double(base), "min": .double(low), "max": .double(high),
                    "step": .double(step), "description": .string(description),
                ])
        }
        registry.type(named: "Checkbox", of: WidgetObject.self, doc: "A checkbox (a Jupyter widget).")
            .initializer(
                Arg("value", default: false), Arg("description", default: ""), doc: "A checkbox.",
                example: "let augment = Checkbox(value: true, description: \"augment\")"
            ) { context, value, description in
                try makeWidget(
                    context, "Checkbox", .checkbox, ["value": .bool(value), "description": .string(description)])
            }
        registry.type(named: "Text", of: WidgetObject.self, doc: "A one-line text field (a Jupyter widget).")
            .initializer(
                Arg("value", default: ""), Arg("placeholder", default: ""), Arg("description", default: ""),
                doc: "A text field.", example: "let name = Text(placeholder: \"run name\")"
            ) { context, value, placeholder, description in
                var state: [String: JSONValue] = ["value": .string(value), "description": .string(description)]
                if !placeholder.isEmpty { state["placeholder"] = .string(placeholder) }
                return try makeWidget(context, "Text", .text, state)
            }
        registry.type(named: "Label", of: WidgetObject.self, doc: "A line of text (a Jupyter widget).")
            .initializer(
                Arg(nil, "value", default: ""), doc: "A label; set its `value` to change the text.",
                example: "let status = Label(\"ready\")"
            ) { context, value in
                try makeWidget(context, "Label", .label, ["value": .string(value)])
            }
        registry.type(named: "Button", of: WidgetObject.self, doc: "A button (a Jupyter widget).")
            .initializer(
                Arg("description", default: ""), doc: "A button; `onClick { … }` runs when it is clicked.",
                example: "let run = Button(description: \"Train\")"
            ) { context, description in
                try makeWidget(context, "Button", .button, ["description": .string(description)])
            }
        for (name, schema) in [("Dropdown", WidgetSchema.dropdown), ("ToggleButtons", WidgetSchema.toggleButtons)] {
            registry.type(named: name, of: WidgetObject.self, doc: "A choice among options (a Jupyter widget).")
                .initializer(
                    Arg<[Value]>("options"), Arg<Value?>("value", default: nil), Arg("description", default: ""),
                    doc:
                        "A choice among `options` (shown as text); `value` is the option chosen, the first by default.",
                    example: "let width = \(name)(options: [16, 32, 64], value: 32, description: \"width\")"
                ) { context, options, value, description in
                    guard !options.isEmpty else { throw BuiltinError(.value, "'options' must not be empty") }
                    var index = 0
                    if let value {
                        guard let found = options.firstIndex(of: value) else {
                            throw BuiltinError(.value, "\(value.debugDescription) is not one of the options")
                        }
                        index = found
                    }
                    let labels = options.map { option -> JSONValue in
                        if case .string(let text) = option { return .string(text) }
                        return .string(option.debugDescription)
                    }
                    return try makeWidget(
                        context, name, schema,
                        ["_options_labels": .array(labels), "index": .int(index), "description": .string(description)],
                        options: options)
                }
        }
        registry.type(named: "Output", of: WidgetObject.self, doc: "An output area (a Jupyter widget).")
            .initializer(doc: "An area that handlers and `interact` write into.", example: "let area = Output()") {
                context in try makeWidget(context, "Output", .output, [:])
            }
        for (name, schema) in [("HBox", WidgetSchema.hBox), ("VBox", WidgetSchema.vBox)] {
            registry.type(
                named: name, of: WidgetObject.self, doc: "Widgets side by side or stacked (a Jupyter widget)."
            )
            .initializer(
                Arg<[WidgetObject]>(nil, "children"),
                doc: "Lays out `children` \(name == "HBox" ? "in a row" : "in a column").",
                example: "\(name)([IntSlider(), Button(description: \"Run\")])"
            ) { context, children in
                try makeWidget(
                    context, name, schema, ["children": .array(children.map(\.widget.reference))],
                    children: children)
            }
        }

        for name in valued {
            let type = registry.type(named: name, of: WidgetObject.self)
            type.property(
                "value", type: "Any", doc: "The widget's value; setting it updates the front end (checked, clamped).",
                get: { $0.value }, set: { object, newValue in try object.setValue(newValue) })
            type.method(
                "onChange", Arg<FunctionValue>(nil, "handler", type: "(Any) -> Void"),
                doc: "Runs `handler(value)` after each change of the value (from the front end or from code), after "
                    + "the running cell.",
                example: "slider.onChange { value in print(\"now \\(value)\") }"
            ) { object, context, handler in
                guard let host = context.host as? WidgetHost else { return }
                let carried = SessionBound(handler.value)
                let owner = SessionBound(object)
                let name = object.options.isEmpty ? "value" : "index"
                object.widget.observe([name]) { [weak host] _ in
                    host?.scheduleWidgetWork(key: nil, output: nil) { context in
                        _ = try context.call(carried.value, owner.value.value)
                    }
                }
            }
        }
        for name in valued + ["Button"] {
            registry.type(named: name, of: WidgetObject.self).property(
                "description", type: "String", doc: "The label next to the widget.",
                get: { $0.widget["description"].stringValue ?? "" },
                set: { object, text in try widgetCall { try object.widget.set("description", .string(text)) } })
        }
        registry.type(named: "Button", of: WidgetObject.self).method(
            "onClick", Arg<FunctionValue>(nil, "handler", type: "() -> Void"),
            doc: "Runs `handler()` after each click, after the running cell.",
            example: "button.onClick { print(\"clicked\") }"
        ) { object, context, handler in
            guard let host = context.host as? WidgetHost else { return }
            let carried = SessionBound(handler.value)
            object.widget.onCustomMessage { [weak host] content in
                guard content["event"] == "click" else { return }
                host?.scheduleWidgetWork(key: nil, output: nil) { context in _ = try context.call(carried.value, []) }
            }
        }
        registry.type(named: "Output", of: WidgetObject.self).method(
            "clear", doc: "Empties the output area.", example: "area.clear()"
        ) { object, _ in object.widget.clearOutputs() }
        for name in valued + ["Button", "Output", "HBox", "VBox"] {
            registry.type(named: name, of: WidgetObject.self).method(
                "close", doc: "Closes the widget: the front end removes its views.", example: "slider.close()"
            ) { object, _ in object.widget.close() }
        }
    }
}
