import Foundation
import RichDisplay

/// The rules between traits that ipywidgets' validators enforce, applied after a change's values each passed their
/// trait: a slider's value is clamped into `min...max` (and `min > max` is refused), a log slider's into
/// `base^min...base^max`, a selection's `index` must name one of its options.
enum WidgetRules {
    /// Adjusts `state` (the whole proposed state) after the traits in `changed` were set, or refuses the change.
    static func apply(
        _ schema: WidgetSchema, to state: inout [String: JSONValue], changed: Set<String>
    ) throws(WidgetError) {
        switch schema.modelName {
        case "IntSliderModel", "FloatSliderModel":
            try checkBounds(state, changed: changed)
            guard let low = state["min"]?.doubleValue, let high = state["max"]?.doubleValue,
                let value = state["value"]?.doubleValue
            else { return }
            let clamped = min(max(value, low), high)
            if clamped != value {
                state["value"] = schema.modelName == "IntSliderModel" ? .int(Int(clamped)) : .double(clamped)
            }
        case "FloatLogSliderModel":
            try checkBounds(state, changed: changed)
            guard let low = state["min"]?.doubleValue, let high = state["max"]?.doubleValue,
                let base = state["base"]?.doubleValue, let value = state["value"]?.doubleValue
            else { return }
            let clamped = min(max(value, pow(base, low)), pow(base, high))
            if clamped != value { state["value"] = .double(clamped) }
        case "DropdownModel", "ToggleButtonsModel":
            let count = state["_options_labels"]?.arrayValue?.count ?? 0
            if let index = state["index"], let position = index.intValue, !(0..<count).contains(position) {
                throw WidgetError("Invalid selection: index out of bounds")
            }
        default:
            break
        }
    }

    private static func checkBounds(_ state: [String: JSONValue], changed: Set<String>) throws(WidgetError) {
        guard let low = state["min"]?.doubleValue, let high = state["max"]?.doubleValue, low > high else { return }
        throw WidgetError(
            changed.contains("max") && !changed.contains("min") ? "setting max < min" : "setting min > max")
    }
}
