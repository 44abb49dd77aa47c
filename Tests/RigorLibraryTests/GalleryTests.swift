import Foundation
import RichDisplay
import RigorLibrary
import RigorScript
import Testing

/// Writes one HTML page with every library display (model, history chart, confusion heatmap, report, split,
/// tensor) to look at in a browser: `RIGOR_LIBRARY_GALLERY=/tmp/gallery.html swift test --filter gallery`, then
/// `chromium --headless --screenshot=gallery.png --window-size=900,2200 file:///tmp/gallery.html`.
@Test func gallery() throws {
    guard let path = ProcessInfo.processInfo.environment["RIGOR_LIBRARY_GALLERY"] else { return }
    let s = librarySession()
    let code = """
        let data = Dataset.digits().reshaped([1, 8, 8]).split(train: 0.7, validation: 0.15, test: 0.15, seed: 42).standardized()
        let model = Sequential([Flatten(), Dense(64, 32, activation: .relu), Dense(32, 10)])
        let history = model.fit(data.train, validation: data.validation, epochs: 8, seed: 1)
        """
    _ = s.execute(code)
    var html = "<html><body>"
    for name in [
        "model", "history", "confusionMatrix(model, data.test)", "classificationReport(model, data.test)", "data",
        "Tensor([[1, 2], [3, 4]])",
    ] {
        let value = try #require(s.execute(name).value)
        let bundle = value.mimeBundle
        html += "<h3>\(name)</h3>" + (bundle.data[MIMEType.html] ?? bundle.data[MIMEType.svg] ?? "")
    }
    try (html + "</body></html>").write(toFile: path, atomically: true, encoding: .utf8)
}
