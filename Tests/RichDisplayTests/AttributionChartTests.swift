import Foundation
import Testing

@testable import RichDisplay

#if canImport(FoundationXML)
    import FoundationXML
#endif

@Suite("Attribution charts: waterfall, bars, beeswarm, image overlay")
struct AttributionChartTests {
    func parses(_ text: String) -> Bool { XMLParser(data: Data(text.utf8)).parse() }

    @Test("the waterfall runs from the base to the final value, bars coloured by sign")
    func waterfall() {
        let chart = WaterfallChart(base: 0.25, steps: [("a", 0.5), ("b <script>", -0.125)], title: "why")
        #expect(chart.final == 0.625)
        let svg = chart.svg
        #expect(parses(svg))
        #expect(svg.contains("E[f(x)] = 0.25"))
        #expect(svg.contains("f(x) = 0.625"))
        #expect(svg.contains("#dd3d2d") && svg.contains("#4a7bb7"))
        #expect(!svg.contains("<script>"))
        #expect(chart.plainText.contains("−0.125  b <script>"))
        #expect(chart.svg == WaterfallChart(base: 0.25, steps: [("a", 0.5), ("b <script>", -0.125)], title: "why").svg)
        #expect(parses(WaterfallChart(base: 1, steps: []).svg))
    }

    @Test("bars, beeswarm and overlay are well-formed, deterministic and escaped")
    func others() {
        let bars = BarList([0.3, 0.1], labels: ["x & y", "z"], title: "importance")
        #expect(parses(bars.svg))
        #expect(bars.svg.contains("x &amp; y"))
        let rows = [
            BeeswarmChart.Row(label: "f1", values: [0.1, 0.1, 0.1, -0.2, .nan], featureValues: [1, 2, 3, 4, 5]),
            BeeswarmChart.Row(label: "<b>", values: [0.3]),
        ]
        let swarm = BeeswarmChart(rows, title: "swarm")
        #expect(parses(swarm.svg))
        #expect(!swarm.svg.contains("<b>"))
        #expect(swarm.svg.components(separatedBy: "<circle").count - 1 == 5)  // the NaN is left out
        #expect(swarm.svg == BeeswarmChart(rows, title: "swarm").svg)
        let overlay = AttributionOverlay(
            image: [[0, 1], [1, 0]], attributions: [[0.5, -1], [0, 0.25]], title: "map")
        #expect(overlay.extent == 1)
        #expect(parses(overlay.svg))
        #expect(overlay.plainText == "AttributionOverlay \"map\": 2×2 image, attributions ±1")
        #expect(overlay.mimeBundle.data[MIMEType.svg] != nil)
    }
}
