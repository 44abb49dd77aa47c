// Anonymizer: replaces what the analyzer found: redaction, masking, a type tag, or a keyed pseudonym (HMAC-SHA256).
import Crypto
import Foundation

/// What replaces a piece of personal data.
public enum AnonymizationOperator: Sendable, Hashable {
    /// Removes it.
    case redact
    /// Replaces its letters and digits with `character`, keeping the last `keepLast` of them and every separator
    /// (`**** **** **** 1111`).
    case mask(character: Character = "*", keepLast: Int = 4)
    /// Writes its type: `<EMAIL_ADDRESS>`.
    case typeTag
    /// A keyed pseudonym, `<EMAIL_ADDRESS_5f0c6e1a9b2d>`: the first 12 hex digits of HMAC-SHA256(key, type + value),
    /// the value normalised (numbers without their separators, addresses in lower case) so that `4111 1111 1111 1111` and `4111-1111-1111-1111`
    /// get one pseudonym. The same key gives the same pseudonym in every run (joins across tables still work);
    /// another key gives unrelated ones; without the key the value cannot be recovered or tested.
    case pseudonym(key: String)

    public var name: String {
        switch self {
        case .redact: return "redact"
        case .mask: return "mask"
        case .typeTag: return "typeTag"
        case .pseudonym: return "pseudonym"
        }
    }

    /// The replacement for `finding`.
    public func replacement(for finding: PIIFinding) -> String {
        switch self {
        case .redact:
            return ""
        case .mask(let character, let keepLast):
            let maskable = finding.text.filter { $0.isLetter || $0.isNumber }.count
            var seen = 0
            return String(
                finding.text.map { c -> Character in
                    guard c.isLetter || c.isNumber else { return c }
                    seen += 1
                    return seen > maskable - max(0, keepLast) ? c : character
                })
        case .typeTag:
            return "<\(finding.entity.tag)>"
        case .pseudonym(let key):
            return "<\(finding.entity.tag)_\(Self.pseudonym(finding.text, entity: finding.entity, key: key))>"
        }
    }

    /// The 12 hex digits of the keyed pseudonym of `value`.
    public static func pseudonym(_ value: String, entity: PIIEntity, key: String) -> String {
        let normalized: String
        switch entity {
        case .phoneNumber, .creditCard, .iban, .chineseResidentID:
            normalized = value.uppercased().filter { $0.isLetter || $0.isNumber || $0 == "+" }
        case .emailAddress, .ipAddress, .url, .dateOfBirth:
            normalized = value.lowercased()
        }
        let code = HMAC<SHA256>.authenticationCode(
            for: Data("\(entity.tag):\(normalized)".utf8), using: SymmetricKey(data: Data(key.utf8)))
        return code.prefix(6).map { String(format: "%02x", $0) }.joined()
    }
}

/// A text with its personal data replaced, and what was replaced where (types and positions, never the values).
public struct AnonymizedText: Sendable, Hashable {
    public let text: String
    /// What was found, in the original text's positions.
    public let findings: [PIIFinding]
}

/// Finds and replaces personal data in texts and table columns.
///
/// ```swift
/// let anonymizer = Anonymizer(operators: [.creditCard: .mask(), .emailAddress: .pseudonym(key: "k")])
/// anonymizer.anonymize("card 4111 1111 1111 1111").text   // "card **** **** **** 1111"
/// ```
public struct Anonymizer: Sendable {
    public var analyzer: PIIAnalyzer
    /// The operator for each entity; entities without one get `defaultOperator`.
    public var operators: [PIIEntity: AnonymizationOperator]
    public var defaultOperator: AnonymizationOperator

    public init(
        analyzer: PIIAnalyzer = PIIAnalyzer(), operators: [PIIEntity: AnonymizationOperator] = [:],
        defaultOperator: AnonymizationOperator = .typeTag
    ) {
        self.analyzer = analyzer
        self.operators = operators
        self.defaultOperator = defaultOperator
    }

    public func anonymize(_ text: String) -> AnonymizedText {
        let findings = analyzer.analyze(text)
        guard !findings.isEmpty else { return AnonymizedText(text: text, findings: []) }
        let scalars = Array(text.unicodeScalars)
        var result = String.UnicodeScalarView()
        var position = 0
        for finding in findings {
            result.append(contentsOf: scalars[position..<finding.start])
            result.append(
                contentsOf: (operators[finding.entity] ?? defaultOperator).replacement(for: finding).unicodeScalars)
            position = finding.end
        }
        result.append(contentsOf: scalars[position...])
        return AnonymizedText(text: String(result), findings: findings)
    }

    /// Every cell of a text column anonymised, with a scan of what was found (counts by type, no values).
    public func anonymize(column: [String], name: String) -> (values: [String], scan: PIIColumnScan) {
        var values: [String] = []
        values.reserveCapacity(column.count)
        var counts: [PIIEntity: Int] = [:]
        var rows: [PIIEntity: Int] = [:]
        var scoreSums: [PIIEntity: Double] = [:]
        for cell in column {
            let result = anonymize(cell)
            values.append(result.text)
            for finding in result.findings {
                counts[finding.entity, default: 0] += 1
                scoreSums[finding.entity, default: 0] += finding.score
            }
            for entity in Set(result.findings.map(\.entity)) { rows[entity, default: 0] += 1 }
        }
        let entities = counts.keys.sorted().map { entity in
            PIIColumnScan.Entry(
                entity: entity, findings: counts[entity]!, rows: rows[entity] ?? 0,
                meanScore: scoreSums[entity]! / Double(counts[entity]!),
                operatorName: (operators[entity] ?? defaultOperator).name)
        }
        return (values, PIIColumnScan(column: name, rowCount: column.count, entities: entities))
    }
}

/// What a scan found in one column: per entity type, how many findings in how many rows (never the values).
public struct PIIColumnScan: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public let entity: PIIEntity
        public let findings: Int
        public let rows: Int
        public let meanScore: Double
        public let operatorName: String
    }

    public let column: String
    public let rowCount: Int
    public let entities: [Entry]
}
