import Foundation
import Testing

@testable import RichDisplay

/// Inputs a notebook will eventually send: one point, no finite values, negatives on a log axis,
/// negative bars, one-cell matrices. Each must still give well-formed, sensible SVG.
@Suite struct EdgeCaseTests {
    static var cases: [(String, String)] {
        var single = Plot(title: "one epoch")
        single.line([0.7], label: "train")
        var allNaN = Plot(title: "diverged")
        allNaN.line([.nan, .infinity, .nan], label: "loss")
        var negativeLog = Plot(title: "log with negatives")
        negativeLog.yScale = .logarithmic
        negativeLog.line([-1, 0, 1, 10, 100])
        var negativeBars = Plot(title: "change in accuracy")
        negativeBars.bar([0.02, -0.01, 0.035], categories: ["dropout", "L2", "early stopping"], label: "Δ")
        var oneValue = Plot(title: "constant")
        oneValue.histogram([3, 3, 3])
        var onlyMarks = Plot(title: "marks only")
        onlyMarks.markX(3, label: "here")
        return [
            ("single", single.svg), ("all NaN", allNaN.svg), ("negative log", negativeLog.svg),
            ("negative bars", negativeBars.svg), ("one value", oneValue.svg), ("only marks", onlyMarks.svg),
            ("1×1 heatmap", Heatmap([[4]]).svg), ("empty grid", ImageGrid([]).svg),
        ]
    }

    @Test func edgeCasesRenderWellFormedSVG() {
        for (name, svg) in Self.cases {
            #expect(isWellFormedXML(svg), "\(name)")
            #expect(!svg.contains("nan") && !svg.contains("NaN") && !svg.contains("inf"), "\(name)")
        }
    }

    @Test func aDivergedRunSaysNoData() {
        #expect(Self.cases[1].1.contains(">no data</text>"))
    }
}

@Suite struct LonePointTests {
    @Test func aLonePointIsDrawnAsADot() {
        var chart = Plot()
        chart.line([0.7])
        #expect(chart.svg.contains("<circle"))
        var gapped = Plot()
        gapped.line([1, 2, .nan, 3, .nan, 4, 5])
        #expect(gapped.svg.components(separatedBy: "<circle").count - 1 == 1)
    }
}
