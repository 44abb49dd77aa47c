// RigorWarning: what every rigor check says — what was seen and what to do — and how a notebook shows it (a styled
// box with a text/plain twin; on a terminal, the text on stderr). Never an error: the cell goes on.
import Foundation
import RichDisplay
import RigorScript

/// The checks that watch a notebook for practices that bias a result (docs/rigor.md, one section each).
enum RigorCheck: String, CaseIterable, Sendable {
    /// The test split steered a decision: validation of a fit, early stopping, a search objective, a second final
    /// evaluation after more training.
    case testSplit = "test-split"
    /// A scaler fitted on more rows than the training split.
    case preprocessingLeak = "preprocessing-leak"
    /// Rows found in both the training part and an evaluation part of a split.
    case sharedRows = "shared-rows"
    /// A random operation whose `seed:` was not written.
    case unseeded = "unseeded"
    /// A fit whose loss grew a thousandfold.
    case explodingLoss = "exploding-loss"
    /// Validation loss rising for several epochs while the training loss falls.
    case overfitting = "overfitting"

    /// The option's name in scripts: `.testSplit`, `.preprocessingLeak`, …
    var memberName: String {
        switch self {
        case .testSplit: "testSplit"
        case .preprocessingLeak: "preprocessingLeak"
        case .sharedRows: "sharedRows"
        case .unseeded: "unseeded"
        case .explodingLoss: "explodingLoss"
        case .overfitting: "overfitting"
        }
    }
}

/// One warning of one check: a headline, the facts behind it, and what to do.
struct RigorWarning: Equatable, Sendable {
    let check: RigorCheck
    /// What was seen, one sentence.
    let summary: String
    /// The numbers behind it.
    var details: [String] = []
    /// What to do about it.
    let advice: String
    /// What it is about (a builtin, a dataset, a model): a cell shows one warning per check and cause.
    var cause: String = ""

    /// `warning[test-split]: …`, the facts indented, then `what to do: …` (stderr on a terminal, `rigor run`).
    var plainText: String {
        var text = "warning[\(check.rawValue)]: \(summary)\n"
        for line in details { text += "  \(line)\n" }
        return text + "  what to do: \(advice)\n"
    }

    /// The styled box a notebook shows; `class="rigor-warning"` and `data-check` let tools find it.
    var html: String {
        let escape = Markup.escape
        var html =
            "<div class=\"rigor-warning\" data-check=\"\(check.rawValue)\" role=\"alert\" style=\""
            + "border-left: 4px solid #d97706; background: #fffbeb; color: #1f2937; padding: 8px 12px; "
            + "margin: 6px 0; border-radius: 4px; font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; "
            + "font-size: 13px; line-height: 1.45\">"
            + "<div style=\"font-weight: 600; color: #92400e\">&#9888; Rigor warning "
            + "<code style=\"font-weight: 400; color: #b45309\">\(check.rawValue)</code></div>"
            + "<div style=\"margin-top: 2px\">\(escape(summary))</div>"
        if !details.isEmpty {
            html += "<ul style=\"margin: 4px 0 4px 18px; padding: 0\">"
            for line in details { html += "<li>\(escape(line))</li>" }
            html += "</ul>"
        }
        return html + "<div><b>What to do:</b> \(escape(advice))</div></div>"
    }

    var mimeBundle: MIMEBundle {
        MIMEBundle(data: [MIMEType.plainText: plainText, MIMEType.html: html])
    }
}
