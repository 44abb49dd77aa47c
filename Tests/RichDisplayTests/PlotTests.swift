import Foundation
import Testing

@testable import RichDisplay

#if canImport(FoundationXML)
    import FoundationXML
#endif

func isWellFormedXML(_ text: String) -> Bool {
    XMLParser(data: Data(text.utf8)).parse()
}

@Suite struct PlotTests {
    static let svgs: [(String, String)] = [
        ("loss", Fixtures.lossChart.svg), ("every series", Fixtures.everySeries.svg), ("bars", Fixtures.bars.svg),
        ("histogram", Fixtures.histogram.svg), ("log", Fixtures.logChart.svg), ("heatmap", Fixtures.confusion.svg),
        ("images", Fixtures.digits.svg), ("empty", Plot(title: "nothing yet").svg),
    ]

    @Test func everySVGIsWellFormedXML() {
        for (name, svg) in Self.svgs {
            #expect(isWellFormedXML(svg), "\(name) is not well-formed")
            #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""), "\(name)")
        }
        #expect(isWellFormedXML("<div>" + Fixtures.gridSearch.html + "</div>"))
    }

    @Test func renderingIsDeterministic() {
        #expect(Fixtures.lossChart.svg == Fixtures.lossChart.svg)
        #expect(Fixtures.everySeries.svg == Fixtures.everySeries.svg)
        #expect(Fixtures.confusion.svg == Fixtures.confusion.svg)
        #expect(Fixtures.gridSearch.html == Fixtures.gridSearch.html)
        #expect(Fixtures.lossChart.mimeBundle == Fixtures.lossChart.mimeBundle)
    }

    @Test func differentChartsGetDifferentClipIDs() {
        func clipID(_ svg: String) -> Substring? {
            svg.firstRange(of: "rigor-clip-").map { svg[$0.lowerBound...].prefix(21) }
        }
        #expect(clipID(Fixtures.lossChart.svg) != nil)
        #expect(clipID(Fixtures.lossChart.svg) != clipID(Fixtures.bars.svg))
    }

    @Test func nonFiniteValuesAreSkippedAndBreakTheLine() {
        var chart = Plot()
        chart.line([1, .nan, 3, .infinity, 5])
        let svg = chart.svg
        #expect(!svg.contains("nan") && !svg.contains("inf"))
        let path = svg.split(separator: "\n").first { $0.hasPrefix("<path d=\"M") && $0.contains("stroke-width=\"2\"") }
        #expect(path.map { $0.filter { $0 == "M" }.count } == 3)
    }

    @Test func emptyPlotSaysSo() {
        let chart = Plot(title: "Loss")
        #expect(chart.svg.contains(">no data</text>"))
        #expect(chart.plainText == "Plot \"Loss\"\n  (no data)")
    }

    @Test func bundleCarriesSVGAndPlainText() {
        let bundle = Fixtures.lossChart.mimeBundle
        #expect(bundle.mimeTypes == [MIMEType.svg, MIMEType.plainText])
        #expect(bundle.metadata.isEmpty)
        #expect(
            bundle.plainText == """
                Plot "Loss per epoch" (epoch vs cross-entropy)
                  train: line, 12 points, y 0.29…2.31, last 0.29
                  validation: line, 12 points, y 0.59…2.05, last 0.69
                  mark x = 7 (best)
                """)
    }

    @Test func legendSitsOutsideThePlotArea() {
        let svg = Fixtures.lossChart.svg
        // The x axis ends at the plot's right edge; legend text starts past it.
        let axis = svg.split(separator: "\n").first { $0.hasPrefix("<path d=\"M") && $0.contains("H") }!
        let right = Double(axis.split(separator: "H")[1].prefix { $0 != "\"" })!
        let legendLine = svg.split(separator: "\n").first { $0.contains(">validation</text>") }!
        let x = Double(legendLine.split(separator: "x=\"")[1].prefix { $0 != "\"" })!
        #expect(x > right)
    }

    /// The x tick labels a line chart shows (its axis is trimmed to the data, so outer ticks drop).
    static func xTickLabels(_ svg: String) -> [String] {
        svg.split(separator: "\n").filter { $0.hasPrefix("<text") && $0.contains("text-anchor=\"middle\">") }
            .compactMap { line in line.split(separator: ">").dropFirst().first?.split(separator: "<").first }
            .map(String.init).filter { Double($0.replacingOccurrences(of: "\u{2212}", with: "-")) != nil }
    }

    /// Seen in the browser gallery: 12 epochs had only "5" and "10" under the axis.
    @Test func trimmedEpochAxesKeepAtLeastFourTicks() {
        #expect(Self.xTickLabels(Fixtures.lossChart.svg) == ["2", "4", "6", "8", "10", "12"])
        for epochs in 2...60 {
            let chart = Plot.training(metric: "loss", train: (1...epochs).map { 1 / Double($0) })
            let labels = Self.xTickLabels(chart.svg)
            #expect(labels.count >= min(4, epochs) && labels.count <= 9, "\(epochs) epochs: \(labels)")
            #expect(labels.allSatisfy { Int($0) != nil }, "\(epochs) epochs: \(labels)")
        }
    }
}

@Suite struct PlotSpeedTests {
    /// Live training redraws the chart a few times a second: a long run must stay cheap.
    @Test func aLongRunRendersQuickly() {
        var chart = Plot.training(
            metric: "loss", train: (1...5000).map { 1 / Double($0) }, validation: (1...5000).map { 1.1 / Double($0) })
        chart.markX(4000, label: "best")
        let clock = ContinuousClock()
        let elapsed = clock.measure { _ = chart.svg }
        #expect(elapsed < .seconds(1), "rendering 10,000 points took \(elapsed)")
        #expect(chart.svg.utf8.count < 60_000, "a long run's chart should be decimated to its pixel columns")
    }
}

@Suite struct DecimationTests {
    @Test func keepsEachColumnsExtremesInOrder() {
        let points: [(Double, Double)] = [(0.1, 5), (0.5, 1), (0.9, 9), (0.95, 4), (1.2, 3), (1.4, 3), (1.6, 3)]
        let kept = PlotLayout.decimated(points)
        #expect(kept.map(\.0) == [0.1, 0.5, 0.9, 0.95, 1.2, 1.6])
    }

    @Test func leavesSparseLinesAlone() {
        let points: [(Double, Double)] = [(0, 1), (10, 2), (20, 3)]
        #expect(PlotLayout.decimated(points).count == 3)
    }
}
