/// Table: rows of named cells, shown as HTML and aligned plain text, exported as CSV and JSON.
///
///     var table = Table(rows: [[("model", "MLP"), ("accuracy", 0.9481)],
///                              [("model", "CNN"), ("accuracy", 0.9833)]], title: "Test accuracy")
///     table.highlight("accuracy", best: .highest)
///     table.mimeBundle   // text/html + text/plain
public struct Table: Hashable, Sendable {
    public var title: String
    /// Column names in first-seen order.
    public private(set) var columns: [String]
    /// One cell per column per row; missing keys are `.empty`.
    public private(set) var rows: [[TableCell]]
    /// Digits kept for real numbers.
    public var significantDigits: Int = 4
    /// A closing row (e.g. totals), drawn below a rule and left out of "best" comparisons.
    public var footer: [TableCell]? {
        didSet {
            footer = footer.map {
                Array($0.prefix(columns.count)) + Array(repeating: .empty, count: max(0, columns.count - $0.count))
            }
        }
    }
    /// Columns whose real numbers are shown to a fixed number of decimal places (`["precision": 3]`), as reports
    /// print them; other numbers use `significantDigits`. CSV and JSON keep every digit.
    public var decimalPlaces: [String: Int] = [:]
    /// Columns whose best value is emphasised, and which end is best.
    public private(set) var highlights: [String: Best] = [:]

    public enum Best: Hashable, Sendable {
        case highest, lowest
    }

    /// A table from rows given as ordered key/value pairs (a dictionary in the language keeps
    /// insertion order); columns are the keys in first-seen order across all rows.
    public init(rows: [[(String, TableCell)]], title: String = "") {
        var columns: [String] = []
        var seen: Set<String> = []
        for row in rows {
            for (key, _) in row where !seen.contains(key) {
                seen.insert(key)
                columns.append(key)
            }
        }
        self.columns = columns
        self.rows = rows.map { row in
            var byKey: [String: TableCell] = [:]
            for (key, value) in row where byKey[key] == nil { byKey[key] = value }
            return columns.map { byKey[$0] ?? .empty }
        }
        self.title = title
    }

    /// A table from column names and rows of cells (short rows are padded with `.empty`).
    public init(columns: [String], rows: [[TableCell]], title: String = "") {
        self.columns = columns
        self.rows = rows.map { row in
            Array(row.prefix(columns.count)) + Array(repeating: .empty, count: max(0, columns.count - row.count))
        }
        self.title = title
    }

    /// Emphasises the best value of `column` (all of them when tied).
    public mutating func highlight(_ column: String, best: Best) {
        highlights[column] = best
    }

    /// Whether rows[row][column] is its column's best value.
    func isBest(row: Int, column: Int) -> Bool {
        guard let best = highlights[columns[column]], let value = rows[row][column].numericValue else {
            return false
        }
        let values = rows.compactMap { $0[column].numericValue }
        let target = best == .highest ? values.max() : values.min()
        return value == target
    }

    /// A column is numeric (right-aligned) when every non-empty cell in it is a number.
    func isNumeric(column: Int) -> Bool {
        var sawNumber = false
        for row in rows {
            switch row[column] {
            case .integer, .number: sawNumber = true
            case .empty: continue
            default: return false
            }
        }
        return sawNumber
    }
}
