// CSVTable: a CSV file read into typed columns (numbers with NaN for missing values, or text).
import Foundation
import TensorCore

/// The type of a CSV column.
public enum CSVColumnType: Sendable, Equatable {
    /// Decimal numbers; missing values become NaN.
    case number
    /// Text; missing values become nil.
    case text
}

/// A column's values.
public enum CSVColumn: Sendable, Equatable {
    case number([Float])
    case text([String?])

    public var type: CSVColumnType {
        switch self {
        case .number: return .number
        case .text: return .text
        }
    }
}

/// A CSV file read into columns: RFC 4180 quoting (`"a, b"`, `""` for a quote), a header row (or `column1`, …),
/// declared or inferred column types (a column is numeric when every present value parses as a number), and missing
/// values (`""`, `NA`, `NaN`, `?` by default). Malformed input throws a `DataFileError` naming file, line and column.
public struct CSVTable: Sendable {
    public let columnNames: [String]
    public let columns: [CSVColumn]
    /// The number of data rows.
    public let rowCount: Int
    let source: String

    /// Reads `path`.
    public static func read(
        _ path: String, hasHeader: Bool = true, delimiter: Character = ",",
        columnTypes: [String: CSVColumnType] = [:], missingValues: Set<String> = ["", "NA", "NaN", "?"]
    ) throws -> CSVTable {
        // Parsed cells take several times the file's bytes (strings, then Float columns).
        try ArrayFile.checkSize(of: path, operation: "readCSV", expansion: 8)
        let data = try FileAccess.contents(of: path)
        guard let text = String(data: data, encoding: .utf8) else {
            throw DataFileError(file: path, "the file is not UTF-8 text")
        }
        return try parse(
            text, source: path, hasHeader: hasHeader, delimiter: delimiter, columnTypes: columnTypes,
            missingValues: missingValues)
    }

    /// Parses CSV `text`; `source` names it in errors.
    public static func parse(
        _ text: String, source: String = "<csv>", hasHeader: Bool = true, delimiter: Character = ",",
        columnTypes: [String: CSVColumnType] = [:], missingValues: Set<String> = ["", "NA", "NaN", "?"]
    ) throws -> CSVTable {
        var records = try records(text, source: source, delimiter: delimiter)
        guard !records.isEmpty else { throw DataFileError(file: source, "the file is empty") }
        let names: [String]
        if hasHeader {
            names = records.removeFirst().fields.map(\.text)
        } else {
            names = (1...records[0].fields.count).map { "column\($0)" }
        }
        for name in columnTypes.keys where !names.contains(name) {
            throw DataFileError(
                file: source, line: 1, "no column named '\(name)' (columns: \(names.joined(separator: ", ")))")
        }
        for record in records where record.fields.count != names.count {
            let column = min(record.fields.count, names.count) + 1
            throw DataFileError(
                file: source, line: record.line, column: column,
                "expected \(names.count) fields, found \(record.fields.count)")
        }
        var columns: [CSVColumn] = []
        for (index, name) in names.enumerated() {
            let cells = records.map { $0.fields[index] }
            let present = cells.filter { !missingValues.contains(CSVTable.trimmed($0.text)) }
            let inferred: CSVColumnType =
                present.allSatisfy { Float(CSVTable.trimmed($0.text)) != nil } ? .number : .text
            switch columnTypes[name] ?? inferred {
            case .number:
                var values: [Float] = []
                values.reserveCapacity(cells.count)
                for (row, cell) in cells.enumerated() {
                    let trimmed = CSVTable.trimmed(cell.text)
                    if missingValues.contains(trimmed) {
                        values.append(.nan)
                    } else if let value = Float(trimmed) {
                        values.append(value)
                    } else {
                        throw DataFileError(
                            file: source, line: records[row].line, column: cell.column,
                            "expected a number in column '\(name)', found '\(cell.text)'")
                    }
                }
                columns.append(.number(values))
            case .text:
                columns.append(
                    .text(
                        cells.map {
                            missingValues.contains(CSVTable.trimmed($0.text)) ? nil : $0.text
                        }
                    ))
            }
        }
        return CSVTable(columnNames: names, columns: columns, rowCount: records.count, source: source)
    }

    /// The column named `name`.
    public func column(_ name: String) throws -> CSVColumn {
        guard let index = columnNames.firstIndex(of: name) else {
            throw DataFileError(
                file: source, "no column named '\(name)' (columns: \(columnNames.joined(separator: ", ")))")
        }
        return columns[index]
    }

    /// The numeric column `name` (NaN where missing).
    public func numbers(_ name: String) throws -> [Float] {
        guard case .number(let values) = try column(name) else {
            throw DataFileError(file: source, "column '\(name)' is text, not numbers")
        }
        return values
    }

    /// The text column `name` (numbers as written are not kept; a numeric column is rendered back to text).
    public func texts(_ name: String) throws -> [String?] {
        switch try column(name) {
        case .text(let values): return values
        case .number(let values): return values.map { $0.isNaN ? nil : String($0) }
        }
    }

    /// Numeric columns as a `[rows, columns]` tensor (all numeric columns by default); missing values become
    /// `fillMissing`, or throw when it is nil.
    public func tensor(columns names: [String]? = nil, fillMissing: Float? = nil) throws -> Tensor {
        let names = names ?? zip(columnNames, columns).filter { $0.1.type == .number }.map(\.0)
        let data = try names.map { try numbers($0) }
        var scalars = [Float](repeating: 0, count: rowCount * names.count)
        for (c, values) in data.enumerated() {
            for r in 0..<rowCount {
                var value = values[r]
                if value.isNaN {
                    guard let fillMissing else {
                        throw DataFileError(
                            file: source, line: r + 2, column: (columnNames.firstIndex(of: names[c]) ?? 0) + 1,
                            "missing value in column '\(names[c])' (pass fillMissing:)")
                    }
                    value = fillMissing
                }
                scalars[r * names.count + c] = value
            }
        }
        return try Tensor(shape: [rowCount, names.count], scalars: scalars)
    }

    /// `text` without surrounding spaces and tabs (Foundation's trimming is slow; most cells need none).
    static func trimmed(_ text: String) -> String {
        guard let first = text.first, let last = text.last, first.isWhitespace || last.isWhitespace else { return text }
        return text.trimmingCharacters(in: .whitespaces)
    }

    struct Field {
        var text: String
        var column: Int
    }

    struct Record {
        var line: Int
        var fields: [Field]
    }

    /// Splits text into records of fields, tracking each field's line and column (1-based) for errors.
    static func records(_ text: String, source: String, delimiter: Character) throws -> [Record] {
        var records: [Record] = []
        var fields: [Field] = []
        var field = ""
        var fieldColumn = 1
        var line = 1
        var column = 1
        var recordLine = 1
        var inQuotes = false
        var quoteLine = 0
        var quoteColumn = 0
        var afterQuote = false
        var characters = Array(text)
        if characters.first == "\u{FEFF}" { characters.removeFirst() }
        var index = 0
        func endField() {
            fields.append(Field(text: field, column: fieldColumn))
            field = ""
            afterQuote = false
        }
        while index < characters.count {
            let character = characters[index]
            index += 1
            if inQuotes {
                if character == "\"" {
                    if index < characters.count && characters[index] == "\"" {
                        field.append("\"")
                        index += 1
                        column += 2
                        continue
                    }
                    inQuotes = false
                    afterQuote = true
                } else {
                    field.append(character)
                }
                if character == "\n" || character == "\r\n" {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
                continue
            }
            switch character {
            case "\"" where field.isEmpty && !afterQuote:
                inQuotes = true
                quoteLine = line
                quoteColumn = column
                column += 1
            case delimiter:
                endField()
                column += 1
                fieldColumn = column
            case "\n", "\r\n", "\r":
                endField()
                if !(fields.count == 1 && fields[0].text.isEmpty) {
                    records.append(Record(line: recordLine, fields: fields))
                }
                fields = []
                line += 1
                column = 1
                fieldColumn = 1
                recordLine = line
            default:
                if afterQuote {
                    throw DataFileError(
                        file: source, line: line, column: column, "unexpected '\(character)' after a closing quote")
                }
                field.append(character)
                column += 1
            }
        }
        if inQuotes {
            throw DataFileError(file: source, line: quoteLine, column: quoteColumn, "unterminated quoted field")
        }
        if !field.isEmpty || !fields.isEmpty || afterQuote {
            endField()
            records.append(Record(line: recordLine, fields: fields))
        }
        return records
    }
}
