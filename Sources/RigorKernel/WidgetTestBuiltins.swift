import Foundation
import RichDisplay
import RigorLibrary
import RigorScript
import Widgets

// A test hook until `interact` is a builtin (docs/widgets.md, "Status"; that removes this file): the library's
// widget builtins exist, but none runs a closure into an Output widget, latest run only. With
// `RIGOR_WIDGET_TEST_BUILTINS=1` in the kernel's environment, the session gets `widgetGallery { n in … }`, so
// that JupyterLab can be tested against the widget layer over the real protocol (Tests/Python/test_widgets.py)
// and Benchmarks/Widgets can time that round trip.

/// The gallery as a script value: shows its view.
final class GalleryValue: NativeObject, MIMERepresentable {
    let widget: Widget
    init(_ widget: Widget) { self.widget = widget }
    var typeName: String { "WidgetGallery" }
    var description: String { widget.description }
    var mimeBundle: MIMEBundle { widget.viewBundle }
}

final class GalleryCarried<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

extension RigorInterpreter {
    func registerWidgetTestBuiltins() {
        let registry = session.registry
        let widgets = self.widgets
        registry.function(
            "widgetGallery", Arg<Value>(nil, "body"), returns: "WidgetGallery",
            doc:
                "Test hook: every widget kind in a box; `body(n)` runs into its Output when the n slider or Run changes."
        ) {
            context, body -> Value in
            let slider = try widgets.create(
                .floatLogSlider, ["value": 0.001, "min": -4, "max": -1, "description": "rate"])
            let drop = try widgets.create(
                .dropdown, ["_options_labels": ["16", "32", "64"], "index": 0, "description": "width"])
            let check = try widgets.create(.checkbox, ["value": true, "description": "on"])
            let toggle = try widgets.create(.toggleButtons, ["_options_labels": ["a", "b"], "index": 0])
            let button = try widgets.create(.button, ["description": "Run"])
            let text = try widgets.create(.text, ["value": "hi"])
            let label = try widgets.create(.label, ["value": "label"])
            let int = try widgets.create(.intSlider, ["value": 5, "max": 10, "description": "n"])
            let float = try widgets.create(.floatSlider, ["value": 0.5, "max": 1, "step": 0.1])
            let output = try widgets.create(.output)
            let row = try widgets.create(.hBox, ["children": [slider.reference, drop.reference, check.reference]])
            let box = try widgets.create(
                .vBox,
                [
                    "children": [
                        row.reference, toggle.reference, button.reference, text.reference, label.reference,
                        int.reference, float.reference, output.reference,
                    ]
                ])
            let carried = GalleryCarried(body)
            let run: @Sendable () -> Void = { [weak self] in
                guard let self else { return }
                self.scheduleScript(key: box.id, output: output) { context in
                    output.clearOutputs(wait: true)
                    return try context.call(carried.value, [int.value.intValue.map(Value.int) ?? .int(0)])
                }
            }
            int.observe(["value"]) { _ in run() }
            button.onCustomMessage { _ in run() }
            // The first run, as `interact` makes it: inside the cell, into the Output widget.
            let host = self.host
            let previous = host.sink
            host.sink = .output(output)
            defer {
                host.flushOutputStream()
                host.sink = previous
            }
            _ = try context.call(body, .int(int.value.intValue ?? 0))
            return .object(GalleryValue(box))
        }
        session.defineBuiltins()
    }
}
