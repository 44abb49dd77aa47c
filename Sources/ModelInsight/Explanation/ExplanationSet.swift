// ExplanationSet: explanations of many rows with one method, and the global views over them.
import RichDisplay

/// Many rows' explanations: mean |attribution| per feature, a beeswarm, the attributions as a table.
public struct ExplanationSet: Sendable, Hashable {
    public var explanations: [Explanation]
    /// False when the progress handler stopped `explainAll` early.
    public var isComplete: Bool
    /// Rows asked for (explanations holds the ones that finished).
    public var requested: Int

    public init(_ explanations: [Explanation], isComplete: Bool = true, requested: Int? = nil) {
        self.explanations = explanations
        self.isComplete = isComplete
        self.requested = requested ?? explanations.count
    }

    public var featureNames: [String] { explanations.first?.featureNames ?? [] }

    /// Mean |attribution| per feature (the global importance of SHAP's bar plot).
    public var meanAbsoluteAttributions: [Double] {
        let d = featureNames.count
        guard !explanations.isEmpty else { return Array(repeating: 0, count: d) }
        var sums = [Double](repeating: 0, count: d)
        for explanation in explanations {
            for j in 0..<min(d, explanation.attributions.count) { sums[j] += abs(explanation.attributions[j]) }
        }
        return sums.map { $0 / Double(explanations.count) }
    }

    /// Feature indices by decreasing mean |attribution|.
    public var ranking: [Int] {
        let means = meanAbsoluteAttributions
        return means.indices.sorted { means[$0] != means[$1] ? means[$0] > means[$1] : $0 < $1 }
    }

    var methodName: String { explanations.first.map { String($0.method.prefix { $0 != "(" }).trimmed } ?? "" }
    var className: String { explanations.first?.className ?? "" }

    /// The mean |attribution| bar chart, most important first (at most `limit` features).
    public func importanceChart(limit: Int = 20) -> BarList {
        let means = meanAbsoluteAttributions
        let top = Array(ranking.prefix(limit))
        return BarList(
            top.map { means[$0] }, labels: top.map { featureNames[$0] },
            title: "mean |attribution| over \(explanations.count) rows (\(methodName), class \(className))",
            x: "mean |attribution|")
    }

    /// The beeswarm of the `limit` most important features.
    public func beeswarm(limit: Int = 12) -> BeeswarmChart {
        let top = Array(ranking.prefix(limit))
        let rows = top.map { j in
            BeeswarmChart.Row(
                label: featureNames[j], values: explanations.map { $0.attributions[j] },
                featureValues: explanations.map { $0.values[j] })
        }
        return BeeswarmChart(
            rows, title: "attributions of \(explanations.count) rows (\(methodName), class \(className))",
            x: "attribution (impact on the output)")
    }

    /// The attributions as data: one row per explanation (f(x), base, then one column per feature).
    public var table: Table {
        let columns = ["row", "f(x)", "base"] + featureNames
        let rows = explanations.enumerated().map { index, explanation -> [TableCell] in
            [.integer(index), .number(explanation.prediction), .number(explanation.baseValue)]
                + explanation.attributions.map { .number($0) }
        }
        return Table(columns: columns, rows: rows, title: "attributions (\(methodName), class \(className))")
    }
}

extension ExplanationSet: MIMERepresentable {
    public var mimeBundle: MIMEBundle { MIMEBundle(html: html, plainText: plainText) }

    public var plainText: String {
        var text = "\(explanations.count) explanations (\(methodName), class \(className))"
        if !isComplete { text += ", interrupted after \(explanations.count) of \(requested) rows" }
        let means = meanAbsoluteAttributions
        for j in ranking.prefix(10) {
            text += "\n  \(featureNames[j]): mean |attribution| \(Explanation.format(means[j]))"
        }
        return text
    }

    public var html: String {
        var html = "<div class=\"rigor-explanations\">\n"
        if !isComplete {
            html += "<p>Interrupted: \(explanations.count) of \(requested) rows finished.</p>\n"
        }
        html += importanceChart().svg
        html += beeswarm().svg
        html += "</div>\n"
        return html
    }
}

extension String {
    fileprivate var trimmed: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
