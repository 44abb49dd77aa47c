// PIIReport: what a personal-data scan found where, per column and entity type, with positions but never the values.
import Foundation
import RichDisplay

/// What `Anonymizer` found in one or more text columns: per column and entity type, the number of findings, the rows
/// they are in, the mean confidence, the operator applied and a few example positions (row, span). It holds no
/// matched text, so showing or saving it cannot leak what was masked.
///
/// ```swift
/// let (report, values) = PIIReport.scan(columns: [("notes", notes)], anonymizer: Anonymizer())
/// report.totalFindings; report.html
/// ```
public struct PIIReport: Sendable, Hashable {
    /// Where one finding is: its row (0-based) and its span in Unicode scalars.
    public struct Position: Sendable, Hashable {
        public let row: Int
        public let start: Int
        public let end: Int

        public init(row: Int, start: Int, end: Int) {
            self.row = row
            self.start = start
            self.end = end
        }
    }

    /// One column's findings of one entity type.
    public struct Entry: Sendable, Hashable {
        public let column: String
        public let entity: PIIEntity
        public let findings: Int
        /// Rows holding at least one finding of this type.
        public let rows: Int
        public let meanScore: Double
        public let operatorName: String
        /// The first few positions, in row order.
        public let examples: [Position]
    }

    /// The scanned columns and their row counts, in the order given.
    public let columns: [(name: String, rows: Int)]
    public let entries: [Entry]

    public var totalFindings: Int { entries.reduce(0) { $0 + $1.findings } }

    /// Columns with at least one finding.
    public var columnsWithFindings: [String] {
        columns.map(\.name).filter { name in entries.contains { $0.column == name } }
    }

    /// Anonymises every column with `anonymizer` and reports what was found; `examples` positions are kept per entry.
    public static func scan(
        columns: [(name: String, values: [String])], anonymizer: Anonymizer, examples: Int = 5
    ) -> (report: PIIReport, values: [[String]]) {
        var entries: [Entry] = []
        var anonymized: [[String]] = []
        for (name, values) in columns {
            var found: [PIIEntity: [(row: Int, finding: PIIFinding)]] = [:]
            var column: [String] = []
            column.reserveCapacity(values.count)
            for (row, cell) in values.enumerated() {
                let result = anonymizer.anonymize(cell)
                column.append(result.text)
                for finding in result.findings { found[finding.entity, default: []].append((row, finding)) }
            }
            anonymized.append(column)
            for entity in found.keys.sorted() {
                let list = found[entity]!
                entries.append(
                    Entry(
                        column: name, entity: entity, findings: list.count, rows: Set(list.map(\.row)).count,
                        meanScore: list.reduce(0) { $0 + $1.finding.score } / Double(list.count),
                        operatorName: (anonymizer.operators[entity] ?? anonymizer.defaultOperator).name,
                        examples: list.prefix(max(0, examples)).map {
                            Position(row: $0.row, start: $0.finding.start, end: $0.finding.end)
                        }))
            }
        }
        return (PIIReport(columns: columns.map { ($0.name, $0.values.count) }, entries: entries), anonymized)
    }

    public init(columns: [(name: String, rows: Int)], entries: [Entry]) {
        self.columns = columns
        self.entries = entries
    }

    public static func == (a: PIIReport, b: PIIReport) -> Bool {
        a.entries == b.entries && a.columns.elementsEqual(b.columns, by: { $0.name == $1.name && $0.rows == $1.rows })
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(entries)
        for column in columns {
            hasher.combine(column.name)
            hasher.combine(column.rows)
        }
    }

    /// One line: how much was found in how many columns.
    public var summary: String {
        let rows = columns.reduce(0) { $0 + $1.rows }
        let scanned = "\(columns.count) column\(columns.count == 1 ? "" : "s"), \(rows) value\(rows == 1 ? "" : "s")"
        guard totalFindings > 0 else { return "No personal data found in \(scanned)." }
        let types = Set(entries.map(\.entity)).count
        return "\(totalFindings) finding\(totalFindings == 1 ? "" : "s") of \(types) type\(types == 1 ? "" : "s") "
            + "in \(columnsWithFindings.count) of \(scanned)."
    }

    /// The findings as a table: column, type, count, rows, mean confidence, operator, example positions.
    public var table: Table {
        var table = Table(
            columns: ["column", "type", "findings", "rows", "mean confidence", "operator", "example positions"],
            rows: entries.map { entry in
                [
                    .text(entry.column), .text(entry.entity.tag), .integer(entry.findings), .integer(entry.rows),
                    .number(entry.meanScore), .text(entry.operatorName),
                    .text(entry.examples.map { "row \($0.row) [\($0.start), \($0.end))" }.joined(separator: "; ")),
                ]
            }, title: "Personal data found")
        table.decimalPlaces = ["mean confidence": 2]
        return table
    }

    /// The report as an HTML fragment: a heading, a summary, the table of findings, and the note that no values are
    /// shown.
    public var html: String { html(heading: "Personal-data scan") }

    /// The report under `heading` (none: the fragment goes under a heading of its own, as in an audit).
    public func html(heading: String?) -> String {
        var out = "<div class=\"rigor-pii-report\">"
        if let heading { out += "<h3>\(Markup.escape(heading))</h3>" }
        out += "<p>\(Markup.escape(summary))</p>"
        if !entries.isEmpty { out += table.html }
        let clean = columns.map(\.name).filter { !columnsWithFindings.contains($0) }
        if !clean.isEmpty, !entries.isEmpty {
            out += "<p>Nothing found in: \(clean.map { Markup.escape($0) }.joined(separator: ", ")).</p>"
        }
        out +=
            "<p style=\"color:#666;font-size:90%\">Positions are rows (from 0) and spans in characters "
            + "[start, end); the matched values are not shown.</p></div>"
        return out
    }

    public var plainText: String { entries.isEmpty ? summary : summary + "\n" + table.plainText }
}
