import Foundation
import RichDisplay
import RigorLibrary
import RigorScript
import RunLog
import Testing

/// The rich form of a cell's value.
private func bundle(_ session: Session, _ code: String) throws -> MIMEBundle {
    let outcome = session.execute(code)
    if let error = outcome.error { Issue.record("\(session.render(error))") }
    guard case .object(let object)? = outcome.value, let rich = object as? any MIMERepresentable else {
        throw ScriptValueMissing()
    }
    return rich.mimeBundle
}

private struct ScriptValueMissing: Error {}

private func numbers(_ text: String?) throws -> [Double] {
    try JSONDecoder().decode([Double].self, from: Data((text ?? "").utf8))
}

private func matrix(_ text: String?) throws -> [[Double]] {
    try JSONDecoder().decode([[Double]].self, from: Data((text ?? "").utf8))
}

private func temporaryDirectory() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("rigor-audit-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Seven patients, checked by hand (the engine's table in AnonymizerTests): every (age, zip) pair is unique; Datafly
/// raises age to decades (7 distinct values against zip's 6), then zip to four digits: classes of 4 and 3.
private let patients = """
    let patients = ["age": [34, 36, 35, 52, 58, 51, 33],
                    "zip": ["10115", "10117", "10119", "20095", "20097", "20099", "10115"],
                    "diagnosis": ["flu", "asthma", "flu", "diabetes", "flu", "asthma", "gout"]]
    """

/// Two features in 0…1, two classes split by x + y > 1; 48 training rows on a grid, a test set of 12 rows of which
/// rows 3 and 7 copy training rows 5 and 20 exactly (row 7 with the other label) and row 10 is training row 30
/// moved by 0.004 in one feature (RMS 0.004/√2 ≈ 0.0028).
private func auditSetup() -> String {
    var train: [[Double]] = []
    for i in 0..<8 {
        for j in 0..<6 { train.append([0.05 + 0.12 * Double(i), 0.04 + 0.17 * Double(j)]) }
    }
    let label = { (row: [Double]) in row[0] + row[1] > 1 ? 1 : 0 }
    // Midpoints between grid points (RMS ≥ 0.07 from every training row), mixed labels.
    var test: [[Double]] = []
    for k in 0..<12 {
        let x: Double = 0.11 + 0.12 * Double((5 * k) % 7)
        let y: Double = 0.125 + 0.17 * Double(k % 5)
        test.append([x, y])
    }
    var testLabels = test.map(label)
    test[3] = train[5]
    testLabels[3] = label(train[5])
    test[7] = train[20]
    testLabels[7] = 1 - label(train[20])
    test[10] = [train[30][0] + 0.004, train[30][1]]
    testLabels[10] = label(train[30])
    func literal(_ rows: [[Double]]) -> String {
        "[" + rows.map { "[" + $0.map { String($0) }.joined(separator: ", ") + "]" }.joined(separator: ", ") + "]"
    }
    return """
        let train = Dataset(features: Tensor(\(literal(train))), labels: Tensor(\(train.map(label))))
        let test = Dataset(features: Tensor(\(literal(test))), labels: Tensor(\(testLabels)))
        let data = DataSplit(train: train, test: test)
        let model = Sequential([Dense(2, 16, activation: .relu), Dense(16, 2)], seed: 3)
        model.fit(data.train, epochs: 60, batchSize: 8, optimizer: .adam(learningRate: 0.05), seed: 7, progress: false);
        """
}

@Suite("Security builtins: k-anonymity, the personal-data report, audit")
struct SecurityAuditBuiltinTests {
    @Test("kAnonymity and generalize on a hand-checked table, as a dictionary of columns, rows or a Table")
    func kAnonymity() throws {
        let s = librarySession()
        _ = run(s, patients)
        #expect(run(s, "let raw = kAnonymity(patients, quasiIdentifiers: [\"age\", \"zip\"], k: 2)\nraw.k") == "1")
        #expect(run(s, "raw.classCount") == "7")
        #expect(run(s, "raw.isAnonymous") == "false")
        #expect(run(s, "raw.violatingRows") == "[0, 1, 2, 3, 4, 5, 6]")
        // ZIP alone: 10115 is shared by rows 0 and 6; the other five are alone.
        #expect(run(s, "kAnonymity(patients, quasiIdentifiers: [\"zip\"], k: 2).violatingRows") == "[1, 2, 3, 4, 5]")
        let shown = try bundle(s, "kAnonymity(patients, quasiIdentifiers: [\"zip\"], k: 2)")
        let html = try #require(shown.data["text/html"])
        #expect(html.contains("k = 1 (6 classes)") && html.contains("5 of 7 rows are in 5 classes smaller than 2"))
        #expect(html.contains("20097"))

        _ = run(
            s,
            "let g = generalize(patients, quasiIdentifiers: [\"age\": .numeric(widths: [10, 20]), \"zip\": .prefix], "
                + "k: 3, maxSuppression: 0)")
        #expect(run(s, "g.levels") == "[\"age\": 1, \"zip\": 1]")
        #expect(
            run(s, "g.column(\"age\")")
                == "[\"30–39\", \"30–39\", \"30–39\", \"50–59\", \"50–59\", \"50–59\", \"30–39\"]")
        #expect(
            run(s, "g.column(\"zip\")")
                == "[\"1011*\", \"1011*\", \"1011*\", \"2009*\", \"2009*\", \"2009*\", \"1011*\"]")
        #expect(
            run(s, "g.column(\"diagnosis\")")
                == "[\"flu\", \"asthma\", \"flu\", \"diabetes\", \"flu\", \"asthma\", \"gout\"]")
        #expect(run(s, "g.k") == "3")
        #expect(run(s, "g.isAnonymous") == "true")
        #expect(run(s, "g.suppressedRows") == "[]")
        #expect(run(s, "kAnonymity(g.table, quasiIdentifiers: [\"age\", \"zip\"], k: 3).isAnonymous") == "true")
        // save writes the generalised table.
        let directory = temporaryDirectory()
        _ = run(s, "save(g, to: \"\(directory)/g.csv\")")
        let csv = try String(contentsOfFile: directory + "/g.csv", encoding: .utf8).replacingOccurrences(
            of: "\r\n", with: "\n")
        #expect(csv.hasPrefix("age,zip,diagnosis\n30–39,1011*,flu\n"))

        // An outlier is suppressed within the budget (1 of 8 rows ≤ 15 %).
        _ = run(
            s,
            "let rows = [[\"age\": 34, \"zip\": \"10115\"], [\"age\": 36, \"zip\": \"10117\"], "
                + "[\"age\": 35, \"zip\": \"10119\"], [\"age\": 52, \"zip\": \"20095\"], [\"age\": 58, \"zip\": \"20097\"], "
                + "[\"age\": 51, \"zip\": \"20099\"], [\"age\": 33, \"zip\": \"10115\"], [\"age\": 90, \"zip\": \"99999\"]]"
        )
        _ = run(
            s,
            "let h = generalize(Table(rows), quasiIdentifiers: [\"age\": .numeric(widths: [10]), \"zip\": .prefix], "
                + "k: 3, maxSuppression: 0.15)")
        #expect(run(s, "h.suppressedRows") == "[7]")
        #expect(run(s, "h.column(\"age\")[7]") == "*")
        #expect(run(s, "h.k") == "3")
        let summary = try #require(try bundle(s, "h").data["text/html"])
        #expect(summary.contains("1 of 8 rows suppressed (rows 7)"))
        // Dates: month, year, decade.
        #expect(
            run(
                s,
                "generalize([\"born\": [\"1985-03-12\", \"1987-11-30\", \"1984-01-02\", \"1989-07-07\"]], "
                    + "quasiIdentifiers: [\"born\": .date], k: 4).column(\"born\")")
                == "[\"1980s\", \"1980s\", \"1980s\", \"1980s\"]")
    }

    @Test("piiReport: what was found where, the desensitized values, and no raw value in the HTML")
    func piiReport() throws {
        let s = librarySession()
        _ = run(
            s,
            """
            let customers = ["notes": ["Jane, jane.doe@example.com, card 4111 1111 1111 1111", "no data", "call +44 20 7946 0958"],
                             "ids": ["11010519491231002X", "", "none"]]
            let report = piiReport(customers, operator: .mask(keepLast: 4))
            """)
        #expect(run(s, "report.totalFindings") == "4")
        #expect(run(s, "report.columns") == "[\"notes\", \"ids\"]")
        #expect(run(s, "report.findings(\"notes\")") == "[\"emailAddress\": 1, \"phoneNumber\": 1, \"creditCard\": 1]")
        #expect(run(s, "(report.values[\"notes\"] ?? [])[0]") == "Jane, ****.***@******e.com, card **** **** **** 1111")
        #expect(run(s, "piiReport(\"mail a@example.org\").values") == "mail <EMAIL_ADDRESS>")
        let html = try #require(try bundle(s, "report").data["text/html"])
        for raw in ["jane.doe", "example.com", "4111 1111", "7946", "11010519491231002X", "+44"] {
            #expect(!html.contains(raw), "\(raw) appears in the report")
        }
        #expect(html.contains("CREDIT_CARD") && html.contains("row 0 [33, 52)") && html.contains("mask"))
        let directory = temporaryDirectory()
        _ = run(s, "save(report, to: \"\(directory)/pii.html\")")
        let page = try String(contentsOfFile: directory + "/pii.html", encoding: .utf8)
        #expect(page.hasPrefix("<!DOCTYPE html>") && page.contains("Personal-data scan") && !page.contains("jane.doe"))
    }

    @Test("audit: every section's numbers against an independent computation, ranked findings, no raw PII")
    func audit() throws {
        let directory = temporaryDirectory()
        let host = RunLogTestHost(path: directory + "/runs.sqlite")
        let registry = BuiltinRegistry()
        RigorLibrary.register(in: registry)
        let s = Session(host: host, registry: registry)
        _ = run(s, auditSetup())
        _ = run(
            s,
            """
            let a = audit(model, data, epsilons: [0.05, 0.2], steps: 5, bins: 5, texts: ["notes": ["fine", "write to jane.doe@example.com", "ok"], "city": ["Paris", "Lyon", "Nice"]])
            """)
        // Data: the planted duplicates, and the personal data in one column.
        #expect(run(s, "a.exactDuplicates") == "[3, 7]")
        #expect(run(s, "a.nearDuplicates") == "[10]")
        #expect(run(s, "a.piiFindings") == "1")
        // Performance: precision and recall from the predictions, counted here.
        let predicted = try numbers(run(s, "model.predictClasses(data.test.features)")).map(Int.init)
        let labels = try numbers(run(s, "data.test.labels")).map(Int.init)
        for c in 0..<2 {
            let tp = zip(predicted, labels).filter { $0 == c && $1 == c }.count
            let predictedC = predicted.filter { $0 == c }.count
            let actualC = labels.filter { $0 == c }.count
            let precision = try numbers(run(s, "a.report.precision"))[c]
            let recall = try numbers(run(s, "a.report.recall"))[c]
            #expect(abs(precision - (predictedC == 0 ? 0 : Double(tp) / Double(predictedC))) < 1e-12)
            #expect(abs(recall - Double(tp) / Double(actualC)) < 1e-12)
        }
        let accuracy = Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(labels.count)
        #expect(try numbers("[" + (run(s, "a.accuracy") ?? "") + "]")[0] == accuracy)
        // Calibration: ECE over 5 equal bins of top-label confidence, by hand.
        let probabilities = try matrix(run(s, "model.predict(data.test.features).softmax().toArray()"))
        var count = [Double](repeating: 0, count: 5)
        var confidence = [Double](repeating: 0, count: 5)
        var correct = [Double](repeating: 0, count: 5)
        for (row, label) in zip(probabilities, labels) {
            let top = row.max()!
            let bin = min(Int(top * 5), 4)
            count[bin] += 1
            confidence[bin] += top
            if row.firstIndex(of: top)! == label { correct[bin] += 1 }
        }
        var ece = 0.0
        for b in 0..<5 where count[b] > 0 {
            let gap: Double = abs(correct[b] / count[b] - confidence[b] / count[b])
            ece += count[b] / Double(labels.count) * gap
        }
        let reported = try numbers("[" + (run(s, "a.expectedCalibrationError") ?? "") + "]")[0]
        #expect(abs(reported - ece) < 1e-5, "ECE \(reported) against \(ece) by hand")
        // Robustness: the same numbers as attacking the test split directly.
        for (index, epsilon) in ["0.05", "0.2"].enumerated() {
            #expect(
                run(
                    s,
                    "a.robustness.pgd[\(index)] == attack(model, data.test, method: .pgd(epsilon: \(epsilon), steps: 5)).adversarialAccuracy"
                )
                    == "true")
            #expect(
                run(
                    s,
                    "a.robustness.fgsm[\(index)] == attack(model, data.test, method: .fgsm(epsilon: \(epsilon))).adversarialAccuracy"
                )
                    == "true")
        }
        // Findings: most severe first; the personal data and the duplicates (2 of 12) are high.
        let severities = try JSONDecoder().decode([String].self, from: Data((run(s, "a.severities") ?? "").utf8))
        #expect(
            severities
                == severities.sorted {
                    ["high": 0, "medium": 1, "low": 2][$0]! < ["high": 0, "medium": 1, "low": 2][$1]!
                })
        let findings = try JSONDecoder().decode([String].self, from: Data((run(s, "a.findings") ?? "").utf8))
        #expect(findings.contains("high: 1 piece of personal data in notes"))
        #expect(findings.contains("high: 2 test rows (16.7 %) duplicated in the training data"))
        #expect(findings.contains { $0.hasPrefix("medium: 1 duplicate pair with different labels") })
        #expect(findings.contains { $0.hasPrefix("low: only 12 test rows") })
        #expect(!findings.contains { $0.contains("no seed recorded") })

        // The report: every section, the fit's seed and fingerprints, and no raw personal data.
        let html = try #require(try bundle(s, "a").data["text/html"])
        for section in [
            "Findings", "1. Data", "Class balance per split", "Personal data", "Train/test overlap",
            "2. Performance per class", "Confusion matrix", "3. Calibration", "4. Robustness", "5. Reproducibility",
            "Thresholds",
        ] {
            #expect(html.contains(section), "missing section \(section)")
        }
        #expect(html.contains("<svg"))
        #expect(html.contains(">fit seed</td>") || html.contains("fit seed"))
        #expect(!html.contains("jane.doe") && !html.contains("example.com"))
        let fingerprint = try #require(run(s, "runs(kind: .audit)[0].data[\"test\"]"))
        #expect(fingerprint.count == 64 && html.contains(fingerprint))
        _ = run(s, "save(a, to: \"\(directory)/audit.html\")")
        let page = try String(contentsOfFile: directory + "/audit.html", encoding: .utf8)
        #expect(page.contains("Model audit") && page.contains("5. Reproducibility"))

        // The run log holds the audit with its results.
        #expect(run(s, "let r = runs(kind: .audit)[0]\nr.status") == "finished")
        #expect(run(s, "r.seed") == "7")
        #expect(run(s, "r.results[\"accuracy\"] == a.accuracy") == "true")
        #expect(run(s, "r.results[\"exact_duplicates\"]") == "2.0")
        #expect(run(s, "(r.results[\"findings_high\"] ?? 0) >= 2") == "true")
    }

    @Test("an interrupted audit stops, is recorded as interrupted, and the session lives on")
    func interrupt() throws {
        let directory = temporaryDirectory()
        let host = RunLogTestHost(path: directory + "/runs.sqlite")
        let registry = BuiltinRegistry()
        RigorLibrary.register(in: registry)
        let s = Session(host: host, registry: registry)
        _ = run(s, auditSetup())
        _ = run(s, "let many = (0..<50000).map { _ in 0.1 }")
        // Many short attacks: the attack engine looks at the interrupt after each batch (here one batch per attack).
        let error = try InsightBuiltinTests.interrupted(
            s, "audit(model, data, epsilons: many, steps: 5)")
        #expect(error.kind == .interrupted, "\(s.render(error))")
        #expect(run(s, "runs(kind: .audit)[0].status") == "interrupted")
        #expect(run(s, "audit(model, data, epsilons: [0.1], steps: 2).accuracy > 0.5") == "true")
    }
}
