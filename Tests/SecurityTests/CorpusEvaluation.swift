import Foundation

@testable import Security

/// Recall and precision of our recognizers on the committed synthetic corpus (scripts/generate-pii-corpus.py): a
/// finding is correct when it overlaps a labelled span of its type.
enum CorpusEvaluation {
    struct Metrics {
        var gold = 0
        var matchedGold = 0
        var predicted = 0
        var truePositivePredictions = 0

        var recall: Double { gold == 0 ? 1 : Double(matchedGold) / Double(gold) }
        var precision: Double { predicted == 0 ? 1 : Double(truePositivePredictions) / Double(predicted) }
        var falsePositives: Int { predicted - truePositivePredictions }
    }

    struct Sentence: Decodable {
        struct Span: Decodable {
            let type: String
            let start: Int
            let end: Int
        }
        let text: String
        let entities: [Span]
    }

    static var corpusURL: URL {
        get throws {
            guard let url = Bundle.module.url(forResource: "Fixtures/pii_corpus", withExtension: "jsonl") else {
                throw SecurityError(.invalidArgument, "CorpusEvaluation", "the corpus fixture is missing")
            }
            return url
        }
    }

    static func sentences() throws -> [Sentence] {
        let text = try String(contentsOf: corpusURL, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(Sentence.self, from: Data($0.utf8)) }
    }

    /// Metrics per entity tag.
    static func ours(analyzer: PIIAnalyzer = PIIAnalyzer()) throws -> [String: Metrics] {
        var metrics = Dictionary(uniqueKeysWithValues: PIIEntity.allCases.map { ($0.tag, Metrics()) })
        for sentence in try sentences() {
            let findings = analyzer.analyze(sentence.text)
            for span in sentence.entities {
                metrics[span.type, default: Metrics()].gold += 1
                if findings.contains(where: { $0.entity.tag == span.type && $0.start < span.end && span.start < $0.end }
                ) {
                    metrics[span.type]!.matchedGold += 1
                }
            }
            for finding in findings {
                metrics[finding.entity.tag]!.predicted += 1
                if sentence.entities.contains(where: {
                    $0.type == finding.entity.tag && finding.start < $0.end && $0.start < finding.end
                }) {
                    metrics[finding.entity.tag]!.truePositivePredictions += 1
                } else if ProcessInfo.processInfo.environment["SECURITY_LIST_FALSE_POSITIVES"] == "1" {
                    print("false positive \(finding.entity.tag) '\(finding.text)' in: \(sentence.text)")
                }
            }
        }
        return metrics
    }
}
