// `interact(rate: .logUniform(1e-4, 1e-1), width: [16, 32, 64], epochs: 5...40) { rate, width, epochs in … }`:
// one control per labelled argument, inferred from its value as ipywidgets' `interact` infers it, and the closure
// re-run into an Output widget whenever a control changes (docs/widgets.md, "interact").
import Foundation
import RichDisplay
import RigorScript
import Widgets

/// One control of an `interact`: a widget whose value the closure receives, or a fixed value (`.fixed(x)`).
struct InteractControl {
    let label: String
    let object: WidgetObject?
    let fixed: Value

    /// The value the closure receives now.
    var value: Value { object?.value ?? fixed }
}

extension RigorLibrary {
    /// The widget kinds whose value a closure can receive.
    static let valuedWidgetKinds: Set<String> = [
        "IntSlider", "FloatSlider", "FloatLogSlider", "Checkbox", "Text", "Label", "Dropdown", "ToggleButtons",
    ]

    /// ipywidgets' range for a bare number (`_get_min_max_value`): `v` gives `-v…3v`, a negative `3v…-v`, zero `0…1`.
    static func inferredRange<N: Numeric & Comparable>(around value: N) -> (N, N) {
        if value == 0 { return (0, 1) }
        return value > 0 ? (0 - value, 3 * value) : (3 * value, 0 - value)
    }

    /// The control for one labelled argument of `interact`; a value that makes none is an error for that label.
    static func interactControl(
        label: String, value: Value, continuousUpdate: Bool, context: CallContext
    ) throws -> InteractControl {
        func widget(
            _ typeName: String, _ schema: WidgetSchema, _ state: [String: JSONValue], options: [Value] = [],
            continuous: Bool = false
        ) throws -> InteractControl {
            var state = state
            state["description"] = .string(label)
            if continuous && !continuousUpdate { state["continuous_update"] = .bool(false) }
            let object = try newWidget(context, typeName, schema, state, options: options)
            return InteractControl(label: label, object: object, fixed: .nil)
        }
        func intSlider(_ low: Int, _ high: Int, step: Int, value: Int) throws -> InteractControl {
            try widget(
                "IntSlider", .intSlider,
                ["value": .int(value), "min": .int(low), "max": .int(high), "step": .int(step)], continuous: true)
        }
        func floatSlider(_ low: Double, _ high: Double, step: Double?, value: Double) throws -> InteractControl {
            let step = step ?? (high - low) / 100
            return try widget(
                "FloatSlider", .floatSlider,
                [
                    "value": .double(onStep(value, low, high, step)), "min": .double(low), "max": .double(high),
                    "step": .double(step),
                ], continuous: true)
        }
        func dropdown(_ options: [Value], labels: [String]? = nil, value: Value?) throws -> InteractControl {
            var index = 0
            if let value {
                guard let found = options.firstIndex(of: value) else {
                    throw BuiltinError(.value, "\(value.debugDescription) is not one of the options of '\(label)'")
                }
                index = found
            }
            let texts = labels ?? options.map { option in option.stringValue ?? option.debugDescription }
            return try widget(
                "Dropdown", .dropdown,
                ["_options_labels": .array(texts.map(JSONValue.string)), "index": .int(index)], options: options)
        }

        switch value {
        case .object(let object as WidgetObject):
            guard valuedWidgetKinds.contains(object.typeName) else {
                throw BuiltinError(
                    .type, "'\(label)': a \(object.typeName) has no value to pass to the closure",
                    notes: ["use a slider, a checkbox, a text field, a dropdown or toggle buttons"])
            }
            return InteractControl(label: label, object: object, fixed: .nil)
        case .bool(let flag):
            return try widget("Checkbox", .checkbox, ["value": .bool(flag)])
        case .string(let text):
            return try widget("Text", .text, ["value": .string(text)], continuous: true)
        case .int(let number):
            let (low, high) = inferredRange(around: number)
            return try intSlider(low, high, step: 1, value: number)
        case .double(let number):
            guard number.isFinite else {
                throw BuiltinError(.value, "'\(label)': \(number) is not a finite number")
            }
            let (low, high) = inferredRange(around: number)
            return try floatSlider(low, high, step: nil, value: number)
        case .range(let range):
            let high = range.upperBoundExclusive - 1
            guard range.lower < high else {
                throw BuiltinError(
                    .value, "'\(label)': the range \(value.debugDescription) needs at least two values for a slider")
            }
            return try intSlider(range.lower, high, step: 1, value: range.lower + (high - range.lower) / 2)
        case .array(let options):
            guard !options.isEmpty else {
                throw BuiltinError(.value, "'\(label)': a dropdown needs at least one option")
            }
            return try dropdown(options, value: nil)
        case .dictionaryBox(let box):
            let entries = box.entries
            guard !entries.isEmpty else {
                throw BuiltinError(.value, "'\(label)': a dropdown needs at least one option")
            }
            return try dropdown(
                Array(entries.values), labels: entries.keys.map { $0.stringValue ?? $0.debugDescription }, value: nil)
        case .implicitMember:
            guard let space = try parameterSpaces.decode(value, context: context) else {
                throw BuiltinError(.runtime, "interact: '\(label)' is not a space")
            }
            switch space {
            case .uniform(let low, let high, let step, let start):
                try requireRange(low, high, "uniform", label)
                let start = start ?? (low + high) / 2
                try requireWithin(start, low, high, label)
                return try floatSlider(low, high, step: step, value: start)
            case .logUniform(let low, let high, let start):
                try requireRange(low, high, "logUniform", label)
                guard low > 0 else {
                    throw BuiltinError(
                        .value, "logUniform(\(low), \(high)): a logarithmic range needs positive bounds")
                }
                let start = start ?? pow(10, (log10(low) + log10(high)) / 2)
                try requireWithin(start, low, high, label)
                // ipywidgets' step, a tenth of a decade (finer for a range under two decades), and the start on a
                // step: the front end would move it there and send the change back, which would run the closure
                // again for nothing.
                let (exponentLow, exponentHigh) = (log10(low), log10(high))
                let step = min(0.1, (exponentHigh - exponentLow) / 20)
                let exponent = onStep(log10(start), exponentLow, exponentHigh, step)
                return try widget(
                    "FloatLogSlider", .floatLogSlider,
                    [
                        "value": .double(pow(10, exponent)), "base": .double(10), "min": .double(exponentLow),
                        "max": .double(exponentHigh), "step": .double(step),
                    ], continuous: true)
            case .int(let low, let high, let step, let log, let start):
                guard !log else {
                    throw BuiltinError(
                        .value, "'\(label)': there is no logarithmic integer slider",
                        notes: ["use .logUniform(a, b) for a logarithmic slider, or .choice([…]) of the integers"])
                }
                guard low < high else {
                    throw BuiltinError(.value, "int(\(low), \(high)): the range is empty; need low < high")
                }
                let start = start ?? low + (high - low) / 2
                try requireWithin(start, low, high, label)
                // On a step, rounding down as ipywidgets does (`int((value - min) / step)`): 10...60 by 10 starts at 30.
                return try intSlider(low, high, step: step, value: low + (start - low) / step * step)
            case .choice(let options, let start):
                guard !options.isEmpty else {
                    throw BuiltinError(.value, "choice([]): a choice needs at least one value")
                }
                return try dropdown(options, value: start)
            case .fixed(let fixed):
                return InteractControl(label: label, object: nil, fixed: fixed)
            }
        default:
            throw BuiltinError(
                .type, "'\(label)': no control for a value of type '\(value.typeName)'",
                notes: [
                    "use a number, a range (5...40), an array or dictionary of options, a Bool, a String, a widget, "
                        + "or a space (.uniform, .logUniform, .int, .choice, .fixed)"
                ])
        }
    }

    /// `value` moved to the nearest step from `low` (as the front end's slider would), within `low…high`.
    private static func onStep(_ value: Double, _ low: Double, _ high: Double, _ step: Double) -> Double {
        let snapped = min(max(low + ((value - low) / step).rounded() * step, low), high)
        // A value already on a step stays as written (0.25, not 0.25000000000000006).
        return abs(snapped - value) <= 1e-9 * step ? value : snapped
    }

    /// Whether a change is only the front end's rounding of a number (a slider moves by a step at least).
    static func isRounding(_ change: WidgetChange) -> Bool {
        guard case .double(let old) = change.oldValue, case .double(let new) = change.newValue else { return false }
        return abs(old - new) <= 1e-9 * max(abs(old), abs(new))
    }

    private static func requireRange(_ low: Double, _ high: Double, _ name: String, _ label: String) throws {
        guard low.isFinite, high.isFinite else {
            throw BuiltinError(.value, "\(name)(\(low), \(high)): the bounds must be finite numbers")
        }
        guard low < high else {
            throw BuiltinError(.value, "\(name)(\(low), \(high)): the range is empty; need low < high")
        }
    }

    private static func requireWithin<N: Comparable>(_ value: N, _ low: N, _ high: N, _ label: String) throws {
        guard low <= value && value <= high else {
            throw BuiltinError(.value, "'\(label)': the starting value \(value) is outside \(low)...\(high)")
        }
    }

    static func registerInteract(in registry: BuiltinRegistry) {
        registry.function(
            "interact", Arg<[LabelledArgument<Value>]>.labelled("controls"), Arg("manual", default: false),
            Arg("continuousUpdate", default: true), Arg("delay", default: 0.0, bound: .within(0.0...10.0)),
            Arg<FunctionValue>(nil, "body", type: "(Any...) -> Void"),
            doc: """
                Shows one control per labelled argument and runs `body` with their values, in the order written, \
                into an output area below them; each change runs it again, its output replacing the last. A control \
                is inferred from the value as ipywidgets' `interact` does: a range or `.int(a, b)` an integer \
                slider, a number or `.uniform(a, b)` a slider, `.logUniform(a, b)` a logarithmic slider, an array, \
                a dictionary or `.choice([…])` a dropdown, a Bool a checkbox, a String a text field, a widget \
                itself, `.fixed(x)` no control. Only the latest values run: a change while `body` runs interrupts \
                it, and changes that arrive meanwhile make one run. An error in `body` shows in the output area and \
                the controls keep working. `manual: true` adds a Run button and runs only when it is clicked (for \
                expensive bodies); `continuousUpdate: false` makes sliders report only when released; `delay` \
                waits that many seconds after a change before running (debouncing). Outside a notebook `body` \
                runs once.
                """,
            example: """
                interact(rate: .logUniform(1e-4, 1e-1), width: [16, 32, 64], epochs: 5...40) { rate, width, epochs in
                    print("rate \\(rate), width \\(width), epochs \\(epochs)")
                }
                """
        ) { context, labelled, manual, continuousUpdate, delay, body in
            var controls: [InteractControl] = []
            for (label, value) in labelled {
                do {
                    controls.append(
                        try interactControl(
                            label: label, value: value, continuousUpdate: continuousUpdate, context: context))
                } catch var error as BuiltinError where error.argument == nil && error.parameter == nil {
                    error.parameter = label
                    throw error
                }
            }
            let output = try newWidget(context, "Output", .output, [:])
            var children = controls.compactMap(\.object)
            var button: WidgetObject?
            if manual {
                let run = try newWidget(context, "Button", .button, ["description": "Run"])
                children.append(run)
                button = run
            }
            children.append(output)
            let box = try newWidget(
                context, "VBox", .vBox,
                ["children": .array(children.map(\.widget.reference)), "_dom_classes": ["widget-interact"]],
                children: children)
            show(box.mimeBundle, id: UUID().uuidString.lowercased(), update: false, context: context)

            let carried = SessionBound((body: body.value, controls: controls, output: output.widget))
            let run: (CallContext) throws -> Void = { context in
                carried.value.output.clearOutputs(wait: true)
                _ = try context.call(carried.value.body, carried.value.controls.map(\.value))
            }
            guard let host = context.host as? WidgetHost else {
                // No front end (`rigor run`): the body runs once, its output printed.
                if !manual { try run(context) }
                return
            }
            let key = output.widget.id
            let rerun = SessionBound(run)
            let schedule: @Sendable () -> Void = { [weak host] in
                host?.scheduleWidgetWork(key: key, delay: .seconds(delay), output: carried.value.output) { context in
                    try rerun.value(context)
                }
            }
            if let button {
                button.widget.onCustomMessage { content in
                    if content["event"] == "click" { schedule() }
                }
            } else {
                for control in controls {
                    guard let object = control.object else { continue }
                    object.widget.observe([object.options.isEmpty ? "value" : "index"]) { change in
                        if !isRounding(change) { schedule() }
                    }
                }
                try host.runNow(into: output.widget) { try run(context) }
            }
        }
    }

}
