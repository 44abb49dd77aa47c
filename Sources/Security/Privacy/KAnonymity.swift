// KAnonymity: whether every combination of quasi-identifiers is shared by at least k rows, and a Datafly-style
// generalisation (coarsen the most varied quasi-identifier, suppress the last few outliers) that makes it so.
import Foundation

/// How a quasi-identifier column is coarsened, level by level; the last level is `*` for every row.
public enum Generalization: Sendable, Hashable {
    /// Numbers into bins of the given widths, one level per width (`34` → `30–39` at width 10), then `*`.
    case numeric(widths: [Double])
    /// Trailing characters replaced by `*`, one more per level (`10115` → `1011*` → `101**`), ending at `*`.
    case prefix
    /// ISO dates (`1985-03-12`) → year and month → year → decade (`1980s`) → `*`.
    case date
    /// Kept, or `*`.
    case suppress

    /// The number of coarser levels above the raw values (the last of them is `*`).
    func levelCount(longest: Int) -> Int {
        switch self {
        case .numeric(let widths): return widths.count + 1
        case .prefix: return max(1, longest)
        case .date: return 4
        case .suppress: return 1
        }
    }

    /// `value` at `level` (0 = raw).
    func apply(_ value: String, level: Int, column: String, row: Int) throws -> String {
        guard level > 0 else { return value }
        switch self {
        case .numeric(let widths):
            guard level <= widths.count else { return "*" }
            guard let number = Double(value.trimmingCharacters(in: .whitespaces)) else {
                throw SecurityError(
                    .invalidArgument, "generalize",
                    "column '\(column)' row \(row) is '\(value)', not a number; generalise it with .prefix or .suppress",
                    argument: "quasiIdentifiers")
            }
            let width = widths[level - 1]
            let lower = (number / width).rounded(.down) * width
            if width == width.rounded(), lower == lower.rounded(), number == number.rounded() {
                return width == 1 ? String(Int(lower)) : "\(Int(lower))–\(Int(lower + width - 1))"
            }
            return "[\(Self.format(lower)), \(Self.format(lower + width)))"
        case .prefix:
            let characters = Array(value)
            guard level < characters.count else { return "*" }
            return String(characters.prefix(characters.count - level)) + String(repeating: "*", count: level)
        case .date:
            let parts = value.split(separator: "-")
            guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
                CalendarDate.isValid(year: year, month: month, day: day)
            else {
                throw SecurityError(
                    .invalidArgument, "generalize",
                    "column '\(column)' row \(row) is '\(value)', not an ISO date (YYYY-MM-DD)",
                    argument: "quasiIdentifiers")
            }
            switch level {
            case 1: return String(format: "%04d-%02d", year, month)
            case 2: return String(year)
            case 3: return "\(year / 10 * 10)s"
            default: return "*"
            }
        case .suppress:
            return "*"
        }
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%g", value)
    }
}

/// Whether a table is k-anonymous over its quasi-identifiers.
public struct KAnonymityReport: Sendable, Hashable {
    /// The k asked for.
    public let requiredK: Int
    /// The size of the smallest equivalence class (rows sharing all quasi-identifier values): the table's k.
    public let k: Int
    public let classCount: Int
    /// Rows in classes smaller than `requiredK`.
    public let violatingRows: [Int]

    public var isSatisfied: Bool { violatingRows.isEmpty }
}

/// A table with its quasi-identifiers generalised to k-anonymity.
public struct GeneralizedTable: Sendable {
    /// Every column, the quasi-identifiers generalised (suppressed rows `*`), the others as they were.
    public let columns: [String: [String]]
    /// The level each quasi-identifier reached (0 = raw).
    public let levels: [String: Int]
    /// Rows whose quasi-identifiers were all suppressed.
    public let suppressedRows: [Int]
    /// The check after generalisation, over the rows not suppressed (row numbers of the whole table).
    public let report: KAnonymityReport
}

public enum KAnonymity {
    /// The equivalence classes of `quasiIdentifiers` in `columns` and the rows in classes smaller than `k`.
    ///
    /// - Throws: `SecurityError` for k < 1, no quasi-identifiers, a missing column or columns of unequal length.
    public static func check(
        columns: [String: [String]], quasiIdentifiers: [String], k: Int
    ) throws
        -> KAnonymityReport
    {
        let rowCount = try validate(columns: columns, quasiIdentifiers: quasiIdentifiers, k: k, operation: "kAnonymity")
        var classes: [[String]: [Int]] = [:]
        for row in 0..<rowCount { classes[quasiIdentifiers.map { columns[$0]![row] }, default: []].append(row) }
        let violating = classes.values.filter { $0.count < k }.flatMap { $0 }.sorted()
        return KAnonymityReport(
            requiredK: k, k: classes.values.map(\.count).min() ?? 0, classCount: classes.count,
            violatingRows: violating)
    }

    /// Generalises the quasi-identifiers until the table is k-anonymous (Sweeney's Datafly): while more rows violate
    /// than `maxSuppression` (a fraction of the rows) allows, the quasi-identifier with the most distinct values goes
    /// up one level of its hierarchy; then the remaining violating rows are suppressed.
    ///
    /// - Throws: `SecurityError` for bad arguments, a value the hierarchy cannot read (a word in a numeric column),
    ///   or fewer rows than k.
    public static func generalize(
        columns: [String: [String]], quasiIdentifiers: [String: Generalization], k: Int, maxSuppression: Double = 0.05
    ) throws -> GeneralizedTable {
        let names = quasiIdentifiers.keys.sorted()
        let rowCount = try validate(columns: columns, quasiIdentifiers: names, k: k, operation: "generalize")
        guard (0...1).contains(maxSuppression) else {
            throw SecurityError(
                .invalidArgument, "generalize", "maxSuppression must be a fraction in 0...1, got \(maxSuppression)",
                argument: "maxSuppression")
        }
        guard rowCount >= k else {
            throw SecurityError(
                .invalidArgument, "generalize", "the table has \(rowCount) rows, fewer than k = \(k)", argument: "k")
        }
        var levels = Dictionary(uniqueKeysWithValues: names.map { ($0, 0) })
        let longest = Dictionary(
            uniqueKeysWithValues: names.map { name in (name, columns[name]!.map(\.count).max() ?? 1) })
        var generalized = columns
        while true {
            for name in names {
                generalized[name] = try columns[name]!.enumerated().map { row, value in
                    try quasiIdentifiers[name]!.apply(value, level: levels[name]!, column: name, row: row)
                }
            }
            let report = try check(columns: generalized, quasiIdentifiers: names, k: k)
            let raisable = names.filter { levels[$0]! < quasiIdentifiers[$0]!.levelCount(longest: longest[$0]!) }
            if Double(report.violatingRows.count) <= maxSuppression * Double(rowCount) || raisable.isEmpty {
                for name in names {
                    for row in report.violatingRows { generalized[name]![row] = "*" }
                }
                // Suppressed rows are withheld (every quasi-identifier is `*`), so the check runs on the rest.
                let suppressed = Set(report.violatingRows)
                let kept = (0..<rowCount).filter { !suppressed.contains($0) }
                let released = Dictionary(
                    uniqueKeysWithValues: names.map { name in (name, kept.map { generalized[name]![$0] }) })
                let final = try check(columns: released, quasiIdentifiers: names, k: k)
                return GeneralizedTable(
                    columns: generalized, levels: levels, suppressedRows: report.violatingRows,
                    report: KAnonymityReport(
                        requiredK: k, k: final.k, classCount: final.classCount,
                        violatingRows: final.violatingRows.map { kept[$0] }))
            }
            let distinct = raisable.map { name in (name, Set(generalized[name]!).count) }
            let pick = distinct.max { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 > $1.0) }!.0
            levels[pick]! += 1
        }
    }

    static func validate(
        columns: [String: [String]], quasiIdentifiers: [String], k: Int, operation: String
    ) throws
        -> Int
    {
        guard k >= 1 else {
            throw SecurityError(.invalidArgument, operation, "k must be at least 1, got \(k)", argument: "k")
        }
        guard !quasiIdentifiers.isEmpty else {
            throw SecurityError(
                .invalidArgument, operation, "name at least one quasi-identifier column", argument: "quasiIdentifiers")
        }
        for name in quasiIdentifiers where columns[name] == nil {
            throw SecurityError(
                .invalidArgument, operation,
                "no column '\(name)'; the table has \(columns.keys.sorted().map { "'\($0)'" }.joined(separator: ", "))",
                argument: "quasiIdentifiers")
        }
        let counts = Set(columns.values.map(\.count))
        guard counts.count <= 1 else {
            throw SecurityError(
                .invalidArgument, operation, "the columns have different lengths \(counts.sorted())",
                argument: "columns")
        }
        return counts.first ?? 0
    }
}
