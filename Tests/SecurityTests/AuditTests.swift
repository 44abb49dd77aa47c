import Foundation
import Security
import Testing

@Suite("Audit: train/test overlap, findings, personal-data report")
struct AuditTests {
    @Test("planted exact and near duplicates are found, with their training rows and label conflicts")
    func overlap() throws {
        // Four training rows of three features; the test rows copy row 2 exactly, row 0 with a small change, and
        // row 3 exactly but with another label; the last test row is far from everything.
        let train: [Float] = [0, 0, 0, 0.5, 0.5, 0.5, 1, 0, 1, 0.2, 0.4, 0.6]
        let test: [Float] = [1, 0, 1, 0.03, 0, 0, 0.2, 0.4, 0.6, 0.9, 0.9, 0.1]
        let overlap = try DataOverlap.find(
            train: train, trainLabels: [0, 1, 2, 1], test: test, testLabels: [2, 0, 0, 1], featureCount: 3,
            nearDistance: 0.02)
        #expect(overlap.exactDuplicates.map(\.testRow) == [0, 2])
        #expect(overlap.exactDuplicates.map(\.trainRow) == [2, 3])
        #expect(overlap.exactDuplicates.map(\.labelsDiffer) == [false, true])
        // Test row 1 differs from training row 0 by 0.03 in one of three features: RMS 0.03/√3 ≈ 0.01732.
        #expect(overlap.nearDuplicates.map(\.testRow) == [1])
        #expect(overlap.nearDuplicates[0].trainRow == 0)
        #expect(abs(overlap.nearDuplicates[0].distance - 0.03 / 3.0.squareRoot()) < 1e-6)
        // A tighter distance leaves it out; 0 turns the near search off.
        let tight = try DataOverlap.find(
            train: train, trainLabels: [0, 1, 2, 1], test: test, testLabels: [2, 0, 0, 1], featureCount: 3,
            nearDistance: 0.017)
        #expect(tight.nearDuplicates.isEmpty && tight.exactDuplicates.count == 2)
        // -0 equals 0.
        let signed = try DataOverlap.find(
            train: [0, 1], trainLabels: [0], test: [-0.0, 1], testLabels: [0], featureCount: 2, nearDistance: 0)
        #expect(signed.exactDuplicates.count == 1)
        #expect(throws: SecurityError.self) {
            _ = try DataOverlap.find(
                train: train, trainLabels: [0, 1, 2], test: test, testLabels: [2, 0, 0, 1], featureCount: 3,
                nearDistance: 0.02)
        }
    }

    @Test("findings follow the stated thresholds and are ranked high, medium, low")
    func findings() {
        var facts = AuditFacts()
        facts.testRows = 200
        facts.cleanAccuracy = 0.95
        facts.expectedCalibrationError = 0.12
        facts.robustness = [(0, 0.95, 0.95), (0.05, 0.8, 0.7), (0.1, 0.3, 0.03)]
        facts.exactDuplicates = 14
        facts.nearDuplicates = 1
        facts.nearDistance = 0.01
        facts.recallPerClass = [("a", 0.97), ("b", 0.75)]
        facts.classImbalance = [("train", 1.2), ("test", 4)]
        facts.fitSeed = 42
        let found = AuditRules.findings(facts)
        #expect(found.map(\.severity) == [.high, .high, .medium, .medium, .medium, .low])
        // High: duplicates (7 % of the test rows), PGD at the smallest ε below half the clean accuracy (0.1: 3 %).
        #expect(found[0].title == "14 test rows (7.0 %) duplicated in the training data")
        #expect(found[1].title == "PGD accuracy at ε = 0.1 is 3.0 % (clean 95.0 %)")
        #expect(found[2].title.hasPrefix("class imbalance in test: largest / smallest class 4×"))
        #expect(found[3].title == "recall below accuracy − 0.15 for class b (75.0 %)")
        #expect(found[4].title == "expected calibration error 0.12")
        #expect(found[5].title.hasPrefix("1 test row (0.5 %) within 0.01"))
        #expect(found.allSatisfy { !$0.action.isEmpty })

        // Just under each threshold: nothing but the missing seed.
        var calm = AuditFacts()
        calm.testRows = 100
        calm.cleanAccuracy = 1
        calm.expectedCalibrationError = 0.05
        calm.robustness = [(0.1, 0.9, 0.8)]
        calm.classImbalance = [("train", 3)]
        calm.recallPerClass = [("a", 0.9)]
        #expect(AuditRules.findings(calm).map(\.title) == ["no seed recorded for the model's training"])
        // Over them: ECE 0.16 is high, PGD at 0.79 of 1 (< 80 %) medium, 99 test rows low, personal data high.
        calm.expectedCalibrationError = 0.16
        calm.robustness = [(0.1, 0.9, 0.79)]
        calm.testRows = 99
        calm.piiFindings = 3
        calm.piiColumns = ["notes"]
        calm.fitSeed = 1
        let over = AuditRules.findings(calm)
        #expect(over.map(\.section) == ["data", "calibration", "robustness", "data"])
        #expect(over.map(\.severity) == [.high, .high, .medium, .low])
        #expect(over[0].title == "3 pieces of personal data in notes")
    }

    @Test("the personal-data report gives types, counts, confidence and positions, never the values")
    func report() {
        let notes = [
            "mail jane.doe@example.com now", "nothing here", "card 4111 1111 1111 1111 and bob@example.org",
        ]
        let ids = ["11010519491231002X", "none"]
        let (report, values) = PIIReport.scan(
            columns: [("notes", notes), ("ids", ids)],
            anonymizer: Anonymizer(operators: [.creditCard: .mask()], defaultOperator: .typeTag))
        #expect(
            values[0] == ["mail <EMAIL_ADDRESS> now", "nothing here", "card **** **** **** 1111 and <EMAIL_ADDRESS>"])
        #expect(report.totalFindings == 4)
        #expect(report.entries.map(\.entity) == [.emailAddress, .creditCard, .chineseResidentID])
        let email = report.entries[0]
        #expect(email.findings == 2 && email.rows == 2 && email.operatorName == "typeTag")
        #expect(email.examples == [.init(row: 0, start: 5, end: 25), .init(row: 2, start: 29, end: 44)])
        #expect(report.entries[1].operatorName == "mask" && report.entries[1].meanScore == 1)
        #expect(report.columnsWithFindings == ["notes", "ids"])
        let html = report.html
        for raw in ["jane.doe", "example.com", "4111", "bob@", "11010519491231002X", "1231002"] {
            #expect(!html.contains(raw), "\(raw) leaked into the report")
            #expect(!report.plainText.contains(raw))
        }
        #expect(html.contains("EMAIL_ADDRESS") && html.contains("row 2 [29, 44)") && html.contains("CN_RESIDENT_ID"))
        #expect(
            PIIReport.scan(columns: [("x", ["hello"])], anonymizer: Anonymizer()).report.summary
                == "No personal data found in 1 column, 1 value.")
    }
}
