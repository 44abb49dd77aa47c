// SearchDisplay: how a study, a trial record and a cross-validation show in a notebook, and the live view of a
// running `optimize` (a progress line over the trial table, replaced in place through LiveOutput).
import Foundation
import RichDisplay
import RigorScript
import Search

extension StudyObject: MIMERepresentable {
    /// The trial table under the study's one-line summary.
    var mimeBundle: MIMEBundle {
        guard let results = try? results() else { return MIMEBundle(plainText: summary) }
        let summary = Self.summary(of: results, sampler: samplerName)
        let table = results.table
        return MIMEBundle(
            html: "<div class=\"rigor-study\"><p>\(Markup.escape(summary))</p>\(table.html)</div>",
            plainText: summary + "\n" + table.plainText)
    }
}

extension TrialRecordObject: MIMERepresentable {
    /// A two-column table: the trial's number, state, value and duration, then its parameters.
    var mimeBundle: MIMEBundle {
        var rows: [[TableCell]] = [
            [.text("trial"), .integer(record.number)], [.text("state"), .text(record.state.rawValue)],
        ]
        if let value = record.value { rows.append([.text("value"), .number(value)]) }
        for parameter in record.parameters {
            let cell: TableCell =
                switch parameter.value {
                case .double(let x): .number(x)
                case .int(let x): .integer(x)
                case .string(let x): .text(x)
                case .bool(let x): .bool(x)
                }
            rows.append([.text(parameter.name), cell])
        }
        if let duration = record.duration { rows.append([.text("duration (s)"), .number(duration)]) }
        if let message = record.message { rows.append([.text("note"), .text(message)]) }
        let table = Table(columns: ["", "trial \(record.number)"], rows: rows)
        return MIMEBundle(html: table.html, plainText: description)
    }
}

extension CrossValidationObject: MIMERepresentable {
    var mimeBundle: MIMEBundle {
        let table = table
        return MIMEBundle(html: table.html, plainText: description + "\n" + table.plainText)
    }
}

/// What the live view of a running `optimize` shows: a progress bar and line (trials run, best so far, pruned and
/// failed counts, elapsed time), and the trial table (the best trial and the latest ones).
struct StudyProgress {
    let name: String
    let direction: Direction
    let sampler: String
    /// `trials:` of this call, if given.
    let planned: Int?
    let timeout: Double?
    let start: Date
    /// The study's trials as last read (every worker's).
    var trials: [TrialRecord] = []
    /// Trials this call has finished.
    var ran = 0
    var runningTrial: Int?
    /// Why the study stopped early, if it did.
    var stopped: String?

    /// How many trials of the table the live view shows (the best one is kept in view too).
    static let shownRows = 20

    var results: StudyResults { StudyResults(name: name, direction: direction, trials: trials) }

    var line: String {
        let results = results
        var text =
            "study '\(name)': \(ran)" + (planned.map { " of \($0)" } ?? "") + " trial"
            + ((planned ?? ran) == 1 ? "" : "s")
        let pruned = trials.filter { $0.state == .pruned }.count
        let failed = trials.filter { $0.state == .failed }.count
        if pruned > 0 { text += ", \(pruned) pruned" }
        if failed > 0 { text += ", \(failed) failed" }
        if let best = results.best, let value = best.value {
            text += "; best \(format(value, digits: 6)) (trial \(best.number))"
        }
        text += String(format: "; %.1f s", Date().timeIntervalSince(start))
        if let stopped { text += "; stopped: \(stopped)" }
        return text
    }

    /// A finished trial as a terminal line (Optuna's log line).
    func line(for record: TrialRecord) -> String {
        var text = "trial \(record.number) \(record.state.rawValue)"
        if let value = record.value { text += " with value \(format(value, digits: 6))" }
        let parameters = record.parameters.map { "\($0.name) \($0.value)" }.joined(separator: ", ")
        if !parameters.isEmpty { text += " and parameters \(parameters)" }
        if record.state == .failed, let message = record.message { text += ": \(message)" }
        if let best = results.best, let value = best.value {
            text += "; best is trial \(best.number) with value \(format(value, digits: 6))"
        }
        return text
    }

    var mimeBundle: MIMEBundle {
        let shown = trials.filter { $0.state != .waiting }
        let best = results.best
        var rows = Array(shown.suffix(Self.shownRows))
        if let best, !rows.contains(where: { $0.number == best.number }) { rows.insert(best, at: 0) }
        // The rows shown, under the title of the whole study (its counts of complete, pruned and failed trials).
        var table = StudyResults(name: name, direction: direction, trials: rows).table
        table.title = results.table.title
        let finished = stopped == nil && ran == planned
        let bar =
            planned.map { "<progress max=\"\($0)\" value=\"\(ran)\" style=\"width:16em\"></progress> " }
            ?? (finished ? "" : "<progress style=\"width:16em\"></progress> ")
        var status = line
        if let runningTrial, stopped == nil, ran < (planned ?? Int.max) { status += "; running trial \(runningTrial)" }
        let omitted = shown.count - rows.count
        let note =
            omitted > 0
            ? "<p style=\"font-size:smaller\">\(omitted) earlier trial\(omitted == 1 ? "" : "s") not shown; "
                + "study.table has every trial</p>" : ""
        let html =
            "<div class=\"rigor-study-progress\"><div>\(bar)<span>\(Markup.escape(status))</span></div>"
            + table.html + note + "</div>"
        return MIMEBundle(html: html, plainText: status)
    }
}
