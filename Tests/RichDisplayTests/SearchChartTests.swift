import Foundation
import Testing

@testable import RichDisplay

/// The two chart kinds hyperparameter search added: parallel coordinates and contour plots.
@Suite struct SearchChartTests {
    static var parallel: ParallelCoordinates {
        var chart = ParallelCoordinates(title: "Parallel <coordinates>", colorLabel: "loss")
        chart.numericAxis("loss", [0.3, 0.5, 0.4, 0.9])
        chart.numericAxis("learning rate", [0.01, 0.001, 0.1, nil], logarithmic: true)
        chart.categoricalAxis("activation", ["relu", "tanh", "relu", "<script>"])
        chart.numericAxis("width", [16, 32, 64, 128])
        chart.colorValues = [0.3, 0.5, 0.4, 0.9]
        chart.emphasized = [0]
        return chart
    }

    static var contour: ContourPlot {
        let xs = (0..<20).map { pow(10, -4 + 3 * Double($0) / 19) }
        let ys = (0..<15).map { Double($0) * 8 + 8 }
        let z = ys.map { y in xs.map { x in pow(log10(x) + 2, 2) + y / 100 } }
        var chart = ContourPlot(
            x: xs, y: ys, z: z, title: "Contour", xLabel: "learning rate", yLabel: "width", colorLabel: "loss")
        chart.xScale = .logarithmic
        chart.points = [(0.01, 40), (0.001, 100), (0.5, 50)]
        chart.emphasizedPoint = 0
        return chart
    }

    @Test func parallelCoordinates() {
        let chart = Self.parallel
        let svg = chart.svg
        #expect(isWellFormedXML(svg))
        #expect(svg == Self.parallel.svg)
        #expect(!svg.contains("<script>") && svg.contains("&lt;script&gt;"))
        // Four rows; the row without a learning rate breaks into two pieces (a point and a segment).
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 4)
        #expect(svg.contains("stroke-width=\"3\""))
        #expect(
            chart.plainText == """
                ParallelCoordinates "Parallel <coordinates>", 4 rows
                  loss: 0.3…0.9
                  learning rate: 0.001…0.1 (log)
                  activation: relu, tanh, <script>
                  width: 16…128
                """)
        #expect(chart.mimeBundle.mimeTypes == ["image/svg+xml", "text/plain"])
    }

    @Test func contourPlot() {
        let chart = Self.contour
        let svg = chart.svg
        #expect(isWellFormedXML(svg))
        #expect(svg == Self.contour.svg)
        #expect(svg.components(separatedBy: "<rect").count - 1 >= 20 * 15)
        #expect(svg.contains("<path d=\"M"))  // iso-lines
        #expect(svg.components(separatedBy: "<circle").count - 1 == 2)  // the point at x = 0.5 is off the grid
        #expect(svg.contains(">1e-3<") || svg.contains(">0.001<"))
        #expect(
            chart.plainText == "ContourPlot \"Contour\" (learning rate vs width), 20×15 grid, z 0.08277…5.2, 3 points")
        #expect(ContourPlot(x: [], y: [], z: []).svg.contains("no data"))
    }

    @Test func writesPNGSourcesWhenAsked() throws {
        guard let directory = ProcessInfo.processInfo.environment["RIGOR_SEARCH_CHARTS"] else { return }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Self.parallel.svg.write(toFile: "\(directory)/fixture-parallel.svg", atomically: true, encoding: .utf8)
        try Self.contour.svg.write(toFile: "\(directory)/fixture-contour.svg", atomically: true, encoding: .utf8)
    }
}
