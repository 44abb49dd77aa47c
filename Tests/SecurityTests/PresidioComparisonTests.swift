import Foundation
import Testing

@testable import Security

/// Our recognizers against Presidio 2.2's pattern-only analyzer (its predefined recognizers that need no spaCy model)
/// on the committed synthetic corpus, on the types both cover: recall and precision at least Presidio's.
/// `NN_TEST_PYTHON` names a Python with presidio-analyzer 2.2 (`make venv-security`); without it the test fails;
/// `NN_SKIP_PRESIDIO=1` opts out, and the runner then reports it as skipped.
@Suite(
    .disabled(
        if: ProcessInfo.processInfo.environment["NN_SKIP_PRESIDIO"] == "1",
        "NN_SKIP_PRESIDIO=1: the Presidio comparison is opted out"))
struct PresidioComparisonTests {
    static let python = ProcessInfo.processInfo.environment["NN_TEST_PYTHON"] ?? "python3"

    @Test("recall and precision at least Presidio's on e-mail, phone, card, IBAN, IP and URL")
    func atLeastPresidio() throws {
        let script = try #require(Bundle.module.url(forResource: "Fixtures/presidio_reference", withExtension: "py"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [Self.python, script.path, try CorpusEvaluation.corpusURL.path]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let problem = String(data: errData, encoding: .utf8) ?? ""
            Issue.record(
                Comment(
                    rawValue:
                        "\(Self.python) could not run Presidio (\(problem.suffix(300))): run `make venv-security`,"
                        + " set NN_TEST_PYTHON, or set NN_SKIP_PRESIDIO=1"))
            return
        }
        let reference = try #require(try JSONSerialization.jsonObject(with: outData) as? [String: Any])
        #expect((reference["version"] as? String)?.hasPrefix("2.2") == true)
        let types = try #require(reference["types"] as? [String: [String: Int]])
        let ours = try CorpusEvaluation.ours()
        #expect(Set(types.keys) == ["EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS", "URL"])
        for (type, counts) in types.sorted(by: { $0.key < $1.key }) {
            let theirs = CorpusEvaluation.Metrics(
                gold: counts["gold"] ?? 0, matchedGold: counts["matched_gold"] ?? 0,
                predicted: counts["predicted"] ?? 0,
                truePositivePredictions: counts["true_positive_predictions"] ?? 0)
            let mine = try #require(ours[type])
            #expect(mine.gold == theirs.gold, "\(type): both read the same corpus")
            #expect(mine.recall >= theirs.recall, "\(type): recall ours \(mine.recall), Presidio \(theirs.recall)")
            #expect(
                mine.precision >= theirs.precision,
                "\(type): precision ours \(mine.precision), Presidio \(theirs.precision)")
        }
    }
}
