// EvaluationDisplay: reports as HTML tables; confusion matrices, ROC curves and reliability diagrams as SVG charts.
import NeuralNetworks
import RichDisplay
import RigorScript
import TensorCore

extension ReportObject: MIMERepresentable {
    var mimeBundle: MIMEBundle {
        func row(_ name: String, _ s: ClassScores) -> [String] {
            [
                name, format(s.precision, digits: 3), format(s.recall, digits: 3), format(s.f1, digits: 3),
                String(s.support),
            ]
        }
        var rows = report.perClass.enumerated().map { row(classNames[$0.offset], $0.element) }
        rows.append(["accuracy", "", "", format(report.accuracy, digits: 3), String(report.macro.support)])
        rows.append(row("macro avg", report.macro))
        rows.append(row("weighted avg", report.weighted))
        return bundle(
            description,
            html: htmlTable(
                title: "Classification report", headers: ["class", "precision", "recall", "f1", "support"], rows: rows))
    }
}

extension ConfusionMatrixObject: MIMERepresentable {
    /// A heatmap with counts, actual classes down, predicted across (an SVG chart).
    var mimeBundle: MIMEBundle {
        let heatmap = Heatmap(
            counts.map { $0.map(Double.init) }, labels: classNames,
            title: "Confusion matrix", x: "predicted", y: "actual")
        return MIMEBundle(svg: heatmap.svg, plainText: description)
    }
}

extension ROCObject: MIMERepresentable {
    /// The curve with the chance diagonal; the AUC in the legend (an SVG chart).
    var mimeBundle: MIMEBundle {
        var chart = Plot(
            title: "ROC curve, \(positiveName) vs rest", x: "false positive rate", y: "true positive rate")
        chart.line(
            x: curve.falsePositiveRates, y: curve.truePositiveRates, label: "AUC \(format(curve.area, digits: 3))")
        chart.line(x: [0, 1], y: [0, 1], label: "chance", style: .dotted)
        return MIMEBundle(svg: chart.svg, plainText: description)
    }
}

extension CalibrationObject: MIMERepresentable {
    /// The reliability diagram: each non-empty bin's mean prediction against the observed rate, the diagonal of
    /// perfect calibration, ECE and Brier score in the title (an SVG chart); the bins as text.
    var mimeBundle: MIMEBundle {
        let filled = calibration.bins.filter { $0.count > 0 }
        let total = filled.reduce(0) { $0 + $1.count }
        var chart = Plot(
            title: "Reliability: ECE \(format(calibration.expectedCalibrationError, digits: 3)), "
                + "Brier \(format(brierScore, digits: 3))",
            x: "mean predicted \(probabilityName)", y: outcomeName)
        chart.line(x: [0, 1], y: [0, 1], label: "perfectly calibrated", style: .dotted)
        chart.line(
            x: filled.map(\.meanConfidence), y: filled.map(\.accuracy),
            label: "model, \(total) examples",
            marker: .circle)
        return MIMEBundle(svg: chart.svg, plainText: description)
    }
}
