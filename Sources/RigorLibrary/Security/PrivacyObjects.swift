// PrivacyObjects: k-anonymity checks, generalised tables and personal-data reports as script values
// (`KAnonymityCheck`, `GeneralizedTable`, `PIIReport`), and the table argument they read.
import Foundation
import RichDisplay
import RigorScript
import Security

/// A table as the privacy builtins read it: named columns of text, in order. Decodes from a `Table`, an array of
/// dictionaries (one per row) or a dictionary of columns; numbers become their text (`34`, `2.5`), `nil` "".
struct TextTable {
    var names: [String]
    var columns: [String: [String]]
    var rowCount: Int { names.first.flatMap { columns[$0]?.count } ?? 0 }

    static let typeText = "Table, [[String: Any]] or [String: [Any]]"

    static func decode(_ value: Value, parameter: String) throws -> TextTable? {
        switch value {
        case .object(let object):
            guard let display = object as? DisplayObject, let table = display.value as? Table else { return nil }
            var columns: [String: [String]] = [:]
            for (index, name) in table.columns.enumerated() {
                columns[name] = table.rows.map { text(of: $0[index]) }
            }
            return TextTable(names: table.columns, columns: columns)
        case .array(let rows):
            var names: [String] = []
            var byRow: [[String: String]] = []
            for (index, row) in rows.enumerated() {
                guard let entries = row.dictionaryEntries else {
                    throw BuiltinError(
                        .type, "row \(index) is of type '\(row.typeName)', not a dictionary of column → value",
                        parameter: parameter)
                }
                var cells: [String: String] = [:]
                for (key, cell) in entries {
                    let name = key.description
                    if !names.contains(name) { names.append(name) }
                    cells[name] = text(of: tableCell(cell))
                }
                byRow.append(cells)
            }
            return TextTable(
                names: names,
                columns: Dictionary(uniqueKeysWithValues: names.map { name in (name, byRow.map { $0[name] ?? "" }) }))
        case .dictionaryBox(let box):
            let entries = box.entries
            var names: [String] = []
            var columns: [String: [String]] = [:]
            for (key, column) in entries {
                guard case .array(let cells) = column else {
                    throw BuiltinError(
                        .type, "column '\(key.description)' is of type '\(column.typeName)', not an array",
                        parameter: parameter)
                }
                names.append(key.description)
                columns[key.description] = cells.map { text(of: tableCell($0)) }
            }
            let counts = Set(columns.values.map(\.count))
            guard counts.count <= 1 else {
                throw BuiltinError(
                    .value, "the columns have different lengths \(counts.sorted())", parameter: parameter)
            }
            return TextTable(names: names, columns: columns)
        default:
            return nil
        }
    }

    static func text(of cell: TableCell) -> String {
        switch cell {
        case .number(let d) where d.isFinite && d == d.rounded() && abs(d) < 1e15: return String(Int(d))
        case .number(let d): return String(d)
        default: return cell.formatted(significantDigits: 17)
        }
    }

    /// The table with `replaced` columns swapped in, as a `Table`.
    func table(title: String) -> Table {
        Table(
            columns: names,
            rows: (0..<rowCount).map { row in names.map { .text(columns[$0]![row]) } }, title: title)
    }
}

/// Whether a table is k-anonymous over its quasi-identifiers, and the equivalence classes that break it.
final class KAnonymityObject: NativeObject, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "KAnonymityCheck" }
    let report: KAnonymityReport
    let quasiIdentifiers: [String]
    /// The classes smaller than k: their quasi-identifier values and rows, smallest first.
    let violatingClasses: [(values: [String], rows: [Int])]
    let rowCount: Int

    init(_ report: KAnonymityReport, quasiIdentifiers: [String], table: TextTable) {
        self.report = report
        self.quasiIdentifiers = quasiIdentifiers
        rowCount = table.rowCount
        var classes: [[String]: [Int]] = [:]
        for row in report.violatingRows {
            classes[quasiIdentifiers.map { table.columns[$0]![row] }, default: []].append(row)
        }
        violatingClasses = classes.map { (values: $0.key, rows: $0.value) }.sorted {
            ($0.rows.count, $0.rows[0]) < ($1.rows.count, $1.rows[0])
        }
    }

    var typeName: String { Self.scriptTypeName }

    var summary: String {
        let over = quasiIdentifiers.joined(separator: ", ")
        let verdict =
            report.isSatisfied
            ? "is \(report.requiredK)-anonymous"
            : "is not \(report.requiredK)-anonymous: \(report.violatingRows.count) of \(rowCount) rows are in "
                + "\(violatingClasses.count) class\(violatingClasses.count == 1 ? "" : "es") smaller than "
                + "\(report.requiredK)"
        return "k-anonymity over \(over): k = \(report.k) (\(report.classCount) classes); the table \(verdict)"
    }

    /// The equivalence classes smaller than k.
    var table: Table {
        Table(
            columns: quasiIdentifiers + ["rows", "row numbers"],
            rows: violatingClasses.map { entry in
                entry.values.map { TableCell.text($0) } + [
                    .integer(entry.rows.count), .text(entry.rows.map(String.init).joined(separator: ", ")),
                ]
            }, title: "Classes smaller than k = \(report.requiredK)")
    }

    var description: String { report.isSatisfied ? summary : summary + "\n" + table.plainText }
}

/// A table generalised to k-anonymity: the new table and what was generalised and suppressed.
final class GeneralizedTableObject: NativeObject, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "GeneralizedTable" }
    let result: GeneralizedTable
    let hierarchies: [String: Generalization]
    let names: [String]
    let original: TextTable

    init(_ result: GeneralizedTable, hierarchies: [String: Generalization], original: TextTable) {
        self.result = result
        self.hierarchies = hierarchies
        names = original.names
        self.original = original
    }

    var typeName: String { Self.scriptTypeName }

    /// The generalised table (every column; the quasi-identifiers coarsened, suppressed rows `*`).
    var table: Table {
        Table(
            columns: names,
            rows: (0..<original.rowCount).map { row in names.map { .text(result.columns[$0]![row]) } },
            title: "Generalised to k = \(result.report.k) (required \(result.report.requiredK))")
    }

    /// Per quasi-identifier: its hierarchy, the level reached, the distinct values before and after.
    var summaryTable: Table {
        Table(
            columns: ["quasi-identifier", "hierarchy", "level", "distinct before", "distinct after"],
            rows: hierarchies.keys.sorted().map { name in
                [
                    .text(name), .text(Self.describe(hierarchies[name]!)), .integer(result.levels[name] ?? 0),
                    .integer(Set(original.columns[name]!).count), .integer(Set(result.columns[name]!).count),
                ]
            }, title: "What was generalised")
    }

    var summary: String {
        let suppressed = result.suppressedRows.count
        return "k = \(result.report.k) over \(result.report.classCount) classes after generalising; "
            + "\(suppressed) of \(original.rowCount) row\(original.rowCount == 1 ? "" : "s") suppressed"
            + (suppressed > 0 ? " (rows \(result.suppressedRows.map(String.init).joined(separator: ", ")))" : "")
    }

    static func describe(_ generalization: Generalization) -> String {
        switch generalization {
        case .numeric(let widths):
            return "numeric ranges " + widths.map { AuditRules.number($0) }.joined(separator: ", ") + ", *"
        case .prefix: return "prefix masking"
        case .date: return "date: month, year, decade, *"
        case .suppress: return "suppression"
        }
    }

    var description: String { summary + "\n" + summaryTable.plainText + "\n" + table.plainText }
}

/// What `piiReport` found where, and the desensitized values.
final class PIIReportObject: NativeObject, ArgumentType, ScriptValueConvertible {
    static var scriptTypeName: String { "PIIReport" }
    let report: PIIReport
    /// The desensitized input, in the shape it was given (a string, an array, a dictionary of columns).
    let values: Value

    init(_ report: PIIReport, values: Value) {
        self.report = report
        self.values = values
    }

    var typeName: String { Self.scriptTypeName }
    var description: String { report.plainText }
}
