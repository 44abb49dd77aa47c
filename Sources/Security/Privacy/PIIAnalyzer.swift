// PIIAnalyzer: runs the recognizers over a text, validates, applies context, and keeps the best of overlapping
// findings.
import Foundation

/// Finds personal data in text: every recognizer's candidates, validated (a checksum confirms or drops a candidate),
/// raised by context words nearby, kept above `threshold`, and of overlapping findings the highest-scoring (then the
/// longest).
///
/// ```swift
/// let findings = PIIAnalyzer().analyze("Mail jane.doe@example.com or call +44 20 7946 0958")
/// // [emailAddress 5..<25 score 1.0, phoneNumber 34..<50 score 0.7]
/// ```
public struct PIIAnalyzer: Sendable {
    public var recognizers: [PIIRecognizer]
    /// Findings scoring below it are dropped.
    public var threshold: Double
    /// What a context word adds to a score (Presidio's `LemmaContextAwareEnhancer` adds 0.35).
    public var contextBoost: Double
    /// How many words before a candidate (and half as many after) context words are looked for.
    public var contextWindow: Int

    public init(
        recognizers: [PIIRecognizer] = PIIRecognizer.standard, entities: Set<PIIEntity>? = nil,
        threshold: Double = 0.5, contextBoost: Double = 0.35, contextWindow: Int = 5
    ) {
        self.recognizers = entities.map { set in recognizers.filter { set.contains($0.entity) } } ?? recognizers
        self.threshold = threshold
        self.contextBoost = contextBoost
        self.contextWindow = contextWindow
    }

    /// The personal data in `text`, in order of position.
    public func analyze(_ text: String) -> [PIIFinding] {
        guard !text.isEmpty else { return [] }
        let ns = text as NSString
        let whole = NSRange(location: 0, length: ns.length)
        let offsets = ScalarOffsets(text)
        let lowered = text.lowercased()
        var candidates: [PIIFinding] = []
        for recognizer in recognizers {
            for pattern in recognizer.patterns {
                for match in pattern.expression.matches(in: text, range: whole) {
                    var range = match.range
                    var matched = ns.substring(with: range)
                    if recognizer.entity == .url {
                        // A sentence's closing punctuation is not part of the address.
                        while let last = matched.last, ".,;:!?)]}'\"".contains(last) {
                            matched.removeLast()
                            range.length -= (String(last) as NSString).length
                        }
                    }
                    var score = pattern.score
                    switch recognizer.validate(matched) {
                    case .invalid: continue
                    case .valid: score = 1
                    case .unknown: break
                    }
                    let found = contextWords(
                        recognizer.contextWords, in: lowered, around: range, text: ns, offsets: offsets)
                    if !found.isEmpty { score = min(1, max(score + contextBoost, 0.4)) }
                    guard score >= threshold else { continue }
                    candidates.append(
                        PIIFinding(
                            entity: recognizer.entity, start: offsets.scalarOffset(utf16: range.location),
                            end: offsets.scalarOffset(utf16: range.location + range.length), text: matched,
                            score: score, recognizer: "\(recognizer.name)/\(pattern.name)", contextWords: found))
                }
            }
        }
        // Best first: higher score, then longer; a finding overlapping a kept one is dropped.
        candidates.sort { ($0.score, $0.end - $0.start, -$0.start) > ($1.score, $1.end - $1.start, -$1.start) }
        var kept: [PIIFinding] = []
        for candidate in candidates
        where !kept.contains(where: { $0.start < candidate.end && candidate.start < $0.end }) {
            kept.append(candidate)
        }
        return kept.sorted { ($0.start, $0.end) < ($1.start, $1.end) }
    }

    /// The context words of a recognizer that occur in the `contextWindow` words before the match or the half as many
    /// after it.
    func contextWords(
        _ words: [String], in lowered: String, around range: NSRange, text: NSString, offsets: ScalarOffsets
    ) -> [String] {
        guard !words.isEmpty else { return [] }
        let before = text.substring(to: range.location).lowercased()
        let after = text.substring(from: range.location + range.length).lowercased()
        let beforeWords = Self.words(before).suffix(contextWindow)
        let afterWords = Self.words(after).prefix(max(1, contextWindow / 2))
        let nearby = Set(beforeWords).union(afterWords)
        let nearbyText = (beforeWords + afterWords).joined(separator: " ")
        // Characters just around the match, for CJK words, which are not separated by spaces.
        let cjkWindow = String(before.suffix(12)) + String(after.prefix(6))
        return words.filter { word in
            if word.unicodeScalars.contains(where: { $0.value >= 0x3000 }) { return cjkWindow.contains(word) }
            if word.contains(" ") { return nearbyText.contains(word) }
            return nearby.contains(word)
        }
    }

    static func words(_ text: String) -> [String] {
        text.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }).map {
            String($0).trimmingCharacters(in: CharacterSet(charactersIn: ".-"))
        }.filter { !$0.isEmpty }
    }
}

/// UTF-16 offsets (NSRegularExpression's) → Unicode scalar offsets (Python's, Presidio's).
struct ScalarOffsets {
    private let scalarAtUTF16: [Int]

    init(_ text: String) {
        var table: [Int] = []
        table.reserveCapacity(text.utf16.count + 1)
        for (index, scalar) in text.unicodeScalars.enumerated() {
            for _ in 0..<UTF16.width(scalar) { table.append(index) }
        }
        table.append(text.unicodeScalars.count)
        scalarAtUTF16 = table
    }

    func scalarOffset(utf16 offset: Int) -> Int { scalarAtUTF16[min(max(offset, 0), scalarAtUTF16.count - 1)] }
}
