// Privacy: `kAnonymity` (a table's k over its quasi-identifiers), `generalize` (Datafly to a k) and `piiReport`
// (desensitize with a report of what was found where), over the Security target.
import Foundation
import RichDisplay
import RigorScript
import Security

extension RigorLibrary {
    static var generalizations: Choices<Generalization> {
        Choices<Generalization>(
            "Generalization", noun: "generalization",
            [
                Choices.Choice(
                    "numeric", Arg<[Double]>("widths"),
                    doc: "Numbers into ranges of each width in turn (`34` → `30–39` at 10), then `*`."
                ) { widths in
                    guard !widths.isEmpty, widths.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                        throw BuiltinError(.value, "widths must be positive numbers, coarsest last, not \(widths)")
                    }
                    return .numeric(widths: widths)
                },
                Choices.Choice("prefix", doc: "One more trailing character masked per level (`10115` → `1011*`).") {
                    .prefix
                },
                Choices.Choice("date", doc: "ISO dates to month, year, decade, then `*`.") { .date },
                Choices.Choice("suppress", doc: "The value, or `*`.") { .suppress },
            ])
    }

    static func registerPrivacy(in registry: BuiltinRegistry) {
        registry.register(generalizations)
        let table = { (name: String) in
            Arg<TextTable>(nil, name, type: TextTable.typeText) { value, _ in
                try TextTable.decode(value, parameter: name)
            }
        }
        registry.function(
            "kAnonymity", table("table"), Arg<[String]>("quasiIdentifiers"), Arg("k", default: 2, bound: .atLeast(2)),
            doc: "Whether every combination of the `quasiIdentifiers` columns' values (an equivalence class) is shared "
                + "by at least `k` rows. Returns a `KAnonymityCheck`: the table's k (its smallest class), the number "
                + "of classes, and the classes smaller than `k` with their rows.",
            example: "kAnonymity(customers, quasiIdentifiers: [\"age\", \"zip\"], k: 3)"
        ) { _, table, names, k -> KAnonymityObject in
            try checkColumns(names, in: table, parameter: "quasiIdentifiers")
            let report = try privacyEngine {
                try KAnonymity.check(columns: table.columns, quasiIdentifiers: names, k: k)
            }
            return KAnonymityObject(report, quasiIdentifiers: names, table: table)
        }
        registry.function(
            "generalize", table("table"),
            Arg<[String: Generalization]>(
                "quasiIdentifiers", type: "[String: Generalization]"
            ) { value, context in
                guard let entries = value.dictionaryEntries else { return nil }
                var result: [String: Generalization] = [:]
                for (key, entry) in entries {
                    guard let generalization = try generalizations.decode(entry, context: context) else {
                        throw BuiltinError(
                            .type,
                            "the hierarchy of '\(key.description)' is '\(entry.typeName)'; use .numeric(widths:), "
                                + ".prefix, .date or .suppress")
                    }
                    result[key.description] = generalization
                }
                return result
            },
            Arg("k", default: 2, bound: .atLeast(2)), Arg("maxSuppression", default: 0.05, bound: .within(0...1)),
            doc: "Makes a table k-anonymous with Sweeney's Datafly: while more rows are in classes smaller than `k` "
                + "than `maxSuppression` (a fraction of the rows) allows, the quasi-identifier with the most distinct "
                + "values is coarsened one level (`.numeric(widths:)` ranges, `.prefix` masking, `.date` month → year "
                + "→ decade, `.suppress`); the rows still violating are then suppressed (`*`). Returns a "
                + "`GeneralizedTable`: `.table`, the levels reached and the suppressed rows (`save` writes the table).",
            example:
                "generalize(customers, quasiIdentifiers: [\"age\": .numeric(widths: [10, 20]), \"zip\": .prefix], k: 3)"
        ) { _, table, hierarchies, k, maxSuppression -> GeneralizedTableObject in
            try checkColumns(hierarchies.keys.sorted(), in: table, parameter: "quasiIdentifiers")
            let result = try privacyEngine {
                try KAnonymity.generalize(
                    columns: table.columns, quasiIdentifiers: hierarchies, k: k, maxSuppression: maxSuppression)
            }
            return GeneralizedTableObject(result, hierarchies: hierarchies, original: table)
        }
        registry.function(
            "piiReport",
            Arg<Value>(nil, "text", type: "String, [String] or [String: [String]]") { value, _ in
                switch value {
                case .string: return value
                case .array(let items):
                    try requireText(items, what: "element", parameter: "text")
                    return value
                case .dictionaryBox(let box):
                    let entries = box.entries
                    for (key, column) in entries {
                        guard case .array(let items) = column else {
                            throw BuiltinError(
                                .type, "column '\(key.description)' is of type '\(column.typeName)', not [String]",
                                parameter: "text")
                        }
                        try requireText(items, what: "column '\(key.description)' element", parameter: "text")
                    }
                    return value
                default: return nil
                }
            },
            Arg(
                "operator", choices: anonymizationOperators,
                defaultValue: .implicitMember(ImplicitMember(name: "typeTag", arguments: [])), text: ".typeTag"),
            Arg<[String]?>("entities", default: nil), Arg<Double>("threshold", default: 0.5, bound: .within(0...1)),
            doc: "Desensitizes like `desensitize` and reports what it found where: per column (a dictionary's keys; "
                + "`text` for a string, `column` for an array), entity type, count, rows, mean confidence, operator "
                + "and example positions (row, span) — never the values. Shows as an HTML report (`save` writes it); "
                + "`.values` is the desensitized input.",
            example: "piiReport([\"notes\": notes], operator: .mask(keepLast: 4))"
        ) { _, text, anonymizationOperator, entities, threshold -> PIIReportObject in
            let anonymizer = Anonymizer(
                analyzer: PIIAnalyzer(entities: try piiEntities(entities), threshold: threshold),
                defaultOperator: anonymizationOperator)
            let strings = { (items: [Value]) in
                items.map { item -> String in if case .string(let s) = item { s } else { "" } }
            }
            switch text {
            case .string(let single):
                let (report, values) = PIIReport.scan(columns: [("text", [single])], anonymizer: anonymizer)
                return PIIReportObject(report, values: .string(values[0][0]))
            case .array(let items):
                let (report, values) = PIIReport.scan(columns: [("column", strings(items))], anonymizer: anonymizer)
                return PIIReportObject(report, values: .array(values[0].map(Value.string)))
            case .dictionaryBox(let box):
                let entries = box.entries
                var columns: [(name: String, values: [String])] = []
                for (key, column) in entries {
                    guard case .array(let items) = column else { continue }
                    columns.append((key.description, strings(items)))
                }
                let (report, values) = PIIReport.scan(columns: columns, anonymizer: anonymizer)
                let result = Value.dictionary(
                    keysAndValues: columns.indices.map { (columns[$0].name, .array(values[$0].map(Value.string))) })
                return PIIReportObject(report, values: result)
            default:
                return PIIReportObject(PIIReport(columns: [], entries: []), values: text)
            }
        }
        registerPrivacyTypes(in: registry)
    }

    static func registerPrivacyTypes(in registry: BuiltinRegistry) {
        let check = registry.type(
            KAnonymityObject.self, doc: "A table's k over its quasi-identifiers and the classes smaller than k.")
        check.property("k", doc: "The size of the smallest equivalence class.") { $0.report.k }
        check.property("requiredK", doc: "The k asked for.") { $0.report.requiredK }
        check.property("isAnonymous", doc: "Whether every class has at least the k asked for.") {
            $0.report.isSatisfied
        }
        check.property("classCount", doc: "The number of equivalence classes.") { $0.report.classCount }
        check.property("violatingRows", doc: "The rows (from 0) in classes smaller than k.") {
            $0.report.violatingRows
        }
        check.property("violatingClasses", doc: "The classes smaller than k as a table.") {
            DisplayObject("Table", $0.table).scriptValue
        }

        let generalized = registry.type(
            GeneralizedTableObject.self, doc: "A table generalised to k-anonymity, and what was generalised.")
        generalized.property("table", doc: "The generalised table (suppressed rows `*`).") {
            DisplayObject("Table", $0.table).scriptValue
        }
        generalized.property("k", doc: "The k reached over the rows not suppressed.") { $0.result.report.k }
        generalized.property("isAnonymous", doc: "Whether the rows not suppressed are k-anonymous.") {
            $0.result.report.isSatisfied
        }
        generalized.property(
            "levels", type: "[String: Int]", doc: "The hierarchy level each quasi-identifier reached (0 = raw)."
        ) { object in
            Value.dictionary(
                keysAndValues: object.result.levels.keys.sorted().map { ($0, .int(object.result.levels[$0]!)) })
        }
        generalized.property("suppressedRows", doc: "The rows (from 0) whose quasi-identifiers were suppressed.") {
            $0.result.suppressedRows
        }
        generalized.method(
            "column", Arg<String>(nil, "name"), doc: "One column of the generalised table.",
            example: "g.column(\"age\")"
        ) { object, _, name -> [String] in
            guard let column = object.result.columns[name] else {
                throw BuiltinError(
                    .value, "no column '\(name)'; the table has \(object.names.joined(separator: ", "))",
                    parameter: "name")
            }
            return column
        }

        let report = registry.type(
            PIIReportObject.self, doc: "What a personal-data scan found where (types, counts, positions; no values).")
        report.property(
            "values", type: "String, [String] or [String: [String]]",
            doc: "The desensitized input, in the shape it was given."
        ) { $0.values }
        report.property("totalFindings", doc: "The number of findings.") { $0.report.totalFindings }
        report.property("columns", doc: "The columns with at least one finding.") { $0.report.columnsWithFindings }
        report.method(
            "findings", Arg<String>(nil, "column"), doc: "The number of findings of each type in a column.",
            example: "report.findings(\"notes\")"
        ) { object, _, column -> Value in
            guard object.report.columns.contains(where: { $0.name == column }) else {
                throw BuiltinError(
                    .value,
                    "no column '\(column)'; the report has \(object.report.columns.map(\.name).joined(separator: ", "))",
                    parameter: "column")
            }
            return Value.dictionary(
                keysAndValues: object.report.entries.filter { $0.column == column }.map {
                    ($0.entity.rawValue, .int($0.findings))
                })
        }
    }

    /// The entity set named by `entities` (nil: all).
    static func piiEntities(_ entities: [String]?) throws -> Set<PIIEntity>? {
        guard let entities else { return nil }
        var selected: Set<PIIEntity> = []
        for name in entities {
            guard let entity = PIIEntity(rawValue: name) else {
                throw BuiltinError(
                    .value, "unknown kind of personal data '\(name)'", parameter: "entities",
                    notes: ["the kinds are " + PIIEntity.allCases.map(\.rawValue).joined(separator: ", ")])
            }
            selected.insert(entity)
        }
        return selected
    }

    /// Refuses a column with a value that is not a string.
    static func requireText(_ items: [Value], what: String, parameter: String) throws {
        guard let index = items.firstIndex(where: { if case .string = $0 { false } else { true } }) else { return }
        throw BuiltinError(
            .type, "personal data is scanned in text; \(what) \(index) is of type \(items[index].typeName)",
            parameter: parameter,
            notes: ["convert a column first: values.map { String($0) } — numbers are not scanned"])
    }

    /// Quasi-identifiers must be columns of the table; the error lists the table's columns.
    static func checkColumns(_ names: [String], in table: TextTable, parameter: String) throws {
        guard !names.isEmpty else {
            throw BuiltinError(.value, "name at least one quasi-identifier column", parameter: parameter)
        }
        for name in names where table.columns[name] == nil {
            let notes = ["the table's columns are " + table.names.map { "'\($0)'" }.joined(separator: ", ")]
            throw BuiltinError(.value, "no column '\(name)' in the table", parameter: parameter, notes: notes)
        }
    }

    /// Runs k-anonymity engine code; its refusals point at the argument they name.
    static func privacyEngine<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SecurityError {
            throw BuiltinError(.value, error.reason, parameter: error.argument ?? "table")
        }
    }
}
