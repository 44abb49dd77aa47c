// Explanation+Rendering: an explanation as HTML (a table with inline bars, the ends and the check, a waterfall) or,
// for images, the input beside its heat map; plain text for terminals.
import Foundation
import RichDisplay

extension Explanation: MIMERepresentable {
    public var mimeBundle: MIMEBundle { MIMEBundle(html: html, plainText: plainText) }

    static func format(_ value: Double, digits: Int = 4) -> String {
        NumberFormat.format(value, significantDigits: digits)
    }

    /// The features shown: all of them up to `limit`, else the `limit − 1` largest |attributions| and one row for
    /// the rest (so the waterfall still adds up).
    func shownRows(limit: Int) -> (indices: [Int], rest: (count: Int, sum: Double)?) {
        let order = ranking
        guard order.count > limit else { return (order, nil) }
        let shown = Array(order.prefix(limit - 1))
        let others = order.dropFirst(limit - 1)
        return (shown, (others.count, others.reduce(0) { $0 + attributions[$1] }))
    }

    var label: String { conditions == nil ? "feature" : "condition" }

    /// `class 1 (versicolor)`, or `class 6` when the class has no name of its own.
    var classLabel: String {
        className == "class \(classIndex)" ? className : "class \(classIndex) (\(className))"
    }

    func name(_ index: Int) -> String {
        if let conditions, index < conditions.count { return conditions[index] }
        return index < featureNames.count ? featureNames[index] : "x\(index)"
    }

    /// The heading: method, class, the two ends, the check.
    var summaryLines: [String] {
        var lines = ["\(method), \(classLabel)"]
        switch check {
        case .surrogateFit:
            lines.append(
                "f(x) = \(Explanation.format(prediction)), surrogate intercept = \(Explanation.format(baseValue))")
        case .completeness:
            lines.append("f(x) = \(Explanation.format(prediction)), f(baseline) = \(Explanation.format(baseValue))")
        case .efficiency:
            lines.append("f(x) = \(Explanation.format(prediction)), E f = \(Explanation.format(baseValue))")
        case .none:
            lines.append("f(x) = \(Explanation.format(prediction))")
        }
        lines.append(check.summary)
        if !isComplete { lines.append("interrupted: the estimate uses the work that finished") }
        return lines
    }

    public var plainText: String {
        var text = summaryLines.joined(separator: "\n")
        if image != nil {
            text += "\nimage attributions: \(attributions.count) values, Σ = \(Explanation.format(total))"
            return text
        }
        let (indices, rest) = shownRows(limit: 12)
        let nameWidth = min(40, max(7, indices.map { name($0).count }.max() ?? 7))
        for index in indices {
            let shownName = name(index).padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            text += "\n  \(shownName)  \(Explanation.format(values[index]).leftPadded(9))"
            text += "  \(Explanation.format(attributions[index]).leftPadded(10))"
        }
        if let rest {
            text += "\n  (\(rest.count) other features: \(Explanation.format(rest.sum)))"
        }
        return text
    }

    /// The waterfall from the base value to f(x) (Shapley and gradient methods), largest contributions on top.
    public var waterfall: WaterfallChart {
        let (indices, rest) = shownRows(limit: 12)
        var steps = indices.map { (name($0) + " = " + Explanation.format(values[$0], digits: 3), attributions[$0]) }
        if let rest { steps.append(("\(rest.count) other features", rest.sum)) }
        let (baseLabel, finalLabel): (String, String)
        switch check {
        case .completeness: (baseLabel, finalLabel) = ("f(baseline)", "Σ + f(baseline)")
        case .surrogateFit: (baseLabel, finalLabel) = ("intercept", "surrogate(x)")
        case .efficiency: (baseLabel, finalLabel) = ("E f", "f(x)")
        case .none: (baseLabel, finalLabel) = ("0", "Σ")
        }
        return WaterfallChart(
            base: baseValue, steps: steps, title: "\(className): contributions", x: "output for class \(className)",
            baseLabel: baseLabel, finalLabel: finalLabel)
    }

    /// For images: the input beside the heat map of the attributions (channels summed).
    public var overlay: AttributionOverlay? {
        guard let image, image.featureCount == values.count else { return nil }
        func plane(_ flat: [Double], mean: Bool) -> [[Double]] {
            (0..<image.height).map { row in
                (0..<image.width).map { column in
                    var sum = 0.0
                    for c in 0..<image.channels { sum += flat[c * image.pixelCount + row * image.width + column] }
                    return mean ? sum / Double(image.channels) : sum
                }
            }
        }
        return AttributionOverlay(
            image: plane(values, mean: true), attributions: plane(attributions, mean: false),
            title: classLabel)
    }

    public var html: String {
        var html =
            "<div class=\"rigor-explanation\" style=\"font-family: Helvetica, Arial, sans-serif; font-size: 13px\">\n"
        html += "<div style=\"margin-bottom: 6px\"><b>\(Markup.escape(summaryLines[0]))</b><br>"
        html += summaryLines.dropFirst().map { Markup.escape($0) }.joined(separator: "<br>")
        html += "</div>\n"
        if let overlay {
            html += overlay.svg
            html += "</div>\n"
            return html
        }
        let (indices, rest) = shownRows(limit: 20)
        let extent = max(1e-300, attributions.map { abs($0) }.max() ?? 0)
        let cell = "padding: 2px 8px; border-bottom: 1px solid #e6e6e6"
        html += "<table class=\"rigor-table\" style=\"border-collapse: collapse\">\n<thead><tr>"
        for (heading, align) in [(label, "left"), ("value", "right"), ("attribution", "right"), ("", "left")] {
            html += "<th style=\"\(cell); text-align: \(align)\">\(heading)</th>"
        }
        html += "</tr></thead>\n<tbody>\n"
        for index in indices {
            let a = attributions[index]
            let barWidth = (abs(a) / extent * 60).rounded()
            let colour = a >= 0 ? "#dd3d2d" : "#4a7bb7"
            // The bar: a centred axis, red to the right for positive, blue to the left for negative.
            let bar =
                "<div style=\"position: relative; width: 120px; height: 12px\">"
                + "<div style=\"position: absolute; left: 60px; top: 0; width: 1px; height: 12px; background: #999\"></div>"
                + "<div style=\"position: absolute; \(a >= 0 ? "left: 61px" : "right: 60px"); top: 1px; width: \(Int(barWidth))px;"
                + " height: 10px; background: \(colour)\"></div></div>"
            html += "<tr><td style=\"\(cell)\">\(Markup.escape(name(index)))</td>"
            html += "<td style=\"\(cell); text-align: right\">\(Explanation.format(values[index]))</td>"
            html += "<td style=\"\(cell); text-align: right; color: \(colour)\">\(Explanation.format(a))</td>"
            html += "<td style=\"\(cell)\">\(bar)</td></tr>\n"
        }
        if let rest {
            html += "<tr><td style=\"\(cell)\">\(rest.count) other features</td><td style=\"\(cell)\"></td>"
            html +=
                "<td style=\"\(cell); text-align: right\">\(Explanation.format(rest.sum))</td><td style=\"\(cell)\"></td></tr>\n"
        }
        html += "</tbody>\n<tfoot><tr><td style=\"\(cell)\"><b>Σ attributions</b></td><td style=\"\(cell)\"></td>"
        html +=
            "<td style=\"\(cell); text-align: right\"><b>\(Explanation.format(total))</b></td><td style=\"\(cell)\"></td></tr></tfoot>\n"
        html += "</table>\n"
        html += waterfall.svg
        html += "</div>\n"
        return html
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
