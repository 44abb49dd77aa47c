import Foundation
import Testing

@testable import Security

/// The operators, keyed pseudonyms, column scans and k-anonymity on hand-checked tables.
@Suite struct AnonymizerTests {
    let text = "Card 4111 1111 1111 1111, mail jane.doe@example.com, 手机 13800138000."

    @Test("redact, mask, type tag")
    func operators() {
        #expect(
            Anonymizer(defaultOperator: .typeTag).anonymize(text).text
                == "Card <CREDIT_CARD>, mail <EMAIL_ADDRESS>, 手机 <PHONE_NUMBER>.")
        #expect(Anonymizer(defaultOperator: .redact).anonymize(text).text == "Card , mail , 手机 .")
        #expect(
            Anonymizer(defaultOperator: .mask()).anonymize(text).text
                == "Card **** **** **** 1111, mail ****.***@******e.com, 手机 *******8000.")
        #expect(
            Anonymizer(operators: [.creditCard: .mask(character: "#", keepLast: 0)], defaultOperator: .typeTag)
                .anonymize(text).text == "Card #### #### #### ####, mail <EMAIL_ADDRESS>, 手机 <PHONE_NUMBER>.")
        // Nothing found, nothing changed.
        #expect(Anonymizer().anonymize("no personal data here").text == "no personal data here")
    }

    @Test("pseudonyms: HMAC-SHA256 known answers, stable for a key, different across keys, one per normalised value")
    func pseudonyms() {
        // Python: hmac.new(b"k1", b"EMAIL_ADDRESS:jane.doe@example.com", hashlib.sha256).hexdigest()[:12]
        #expect(
            AnonymizationOperator.pseudonym("jane.doe@example.com", entity: .emailAddress, key: "k1") == "05b3e5060268")
        #expect(
            AnonymizationOperator.pseudonym("Jane.Doe@Example.com", entity: .emailAddress, key: "k1") == "05b3e5060268")
        #expect(
            AnonymizationOperator.pseudonym("jane.doe@example.com", entity: .emailAddress, key: "k2") == "dd333a590a93")
        #expect(
            AnonymizationOperator.pseudonym("4111-1111-1111-1111", entity: .creditCard, key: "k1") == "130c8f103c0a")
        let first = Anonymizer(defaultOperator: .pseudonym(key: "k1")).anonymize(text).text
        let again = Anonymizer(defaultOperator: .pseudonym(key: "k1")).anonymize(text).text
        let other = Anonymizer(defaultOperator: .pseudonym(key: "k2")).anonymize(text).text
        #expect(first == again)
        #expect(first != other)
        #expect(first.contains("<CREDIT_CARD_130c8f103c0a>") && first.contains("<EMAIL_ADDRESS_05b3e5060268>"))
        // Written with dashes, the same card has the same pseudonym: joins across tables still work.
        let dashed = Anonymizer(defaultOperator: .pseudonym(key: "k1")).anonymize("paid 4111-1111-1111-1111").text
        #expect(dashed == "paid <CREDIT_CARD_130c8f103c0a>")
        // Different values, different pseudonyms.
        let two = Anonymizer(defaultOperator: .pseudonym(key: "k1")).anonymize("a@example.com b@example.com").text
        let parts = two.split(separator: " ")
        #expect(parts.count == 2 && parts[0] != parts[1])
    }

    @Test("a column: every cell anonymised, and a scan of types and counts without the values")
    func column() {
        let cells = ["jane@example.com", "call +44 20 7946 0958 or bob@example.org", "nothing", ""]
        let (values, scan) = Anonymizer().anonymize(column: cells, name: "notes")
        #expect(values == ["<EMAIL_ADDRESS>", "call <PHONE_NUMBER> or <EMAIL_ADDRESS>", "nothing", ""])
        #expect(scan.rowCount == 4)
        #expect(scan.entities.map(\.entity) == [.emailAddress, .phoneNumber])
        #expect(scan.entities.map(\.findings) == [2, 1])
        #expect(scan.entities.map(\.rows) == [2, 1])
        #expect(!"\(scan)".contains("jane"))
    }

    /// Seven patients: age and ZIP are quasi-identifiers, checked by hand below.
    let table: [String: [String]] = [
        "age": ["34", "36", "35", "52", "58", "51", "33"],
        "zip": ["10115", "10117", "10119", "20095", "20097", "20099", "10115"],
        "diagnosis": ["flu", "asthma", "flu", "diabetes", "flu", "asthma", "gout"],
    ]

    @Test("k-anonymity of a hand-checked table, and Datafly generalisation to k = 3")
    func kAnonymity() throws {
        let raw = try KAnonymity.check(columns: table, quasiIdentifiers: ["age", "zip"], k: 2)
        // Every (age, zip) pair is unique: seven classes of one.
        #expect(raw.k == 1 && raw.classCount == 7 && raw.violatingRows == Array(0..<7) && !raw.isSatisfied)
        #expect(try KAnonymity.check(columns: table, quasiIdentifiers: ["zip"], k: 2).violatingRows == [1, 2, 3, 4, 5])

        let generalized = try KAnonymity.generalize(
            columns: table, quasiIdentifiers: ["age": .numeric(widths: [10, 20]), "zip": .prefix], k: 3,
            maxSuppression: 0)
        // Age has more distinct values (7 against 6), so it goes first: 30–39 ×4, 50–59 ×3; ZIP then keeps 4 digits.
        #expect(generalized.levels == ["age": 1, "zip": 1])
        #expect(generalized.columns["age"] == ["30–39", "30–39", "30–39", "50–59", "50–59", "50–59", "30–39"])
        #expect(generalized.columns["zip"] == ["1011*", "1011*", "1011*", "2009*", "2009*", "2009*", "1011*"])
        #expect(generalized.columns["diagnosis"] == table["diagnosis"])
        #expect(generalized.report.k == 3 && generalized.report.classCount == 2 && generalized.report.isSatisfied)
        #expect(generalized.suppressedRows.isEmpty)
    }

    @Test("an outlier is suppressed when the suppression budget allows it")
    func suppression() throws {
        var columns = table
        columns["age"]!.append("90")
        columns["zip"]!.append("99999")
        columns["diagnosis"]!.append("flu")
        let result = try KAnonymity.generalize(
            columns: columns, quasiIdentifiers: ["age": .numeric(widths: [10]), "zip": .prefix], k: 3,
            maxSuppression: 0.15)
        #expect(result.levels == ["age": 1, "zip": 1])
        #expect(result.suppressedRows == [7])
        #expect(result.columns["age"]![7] == "*" && result.columns["zip"]![7] == "*")
        #expect(result.report.isSatisfied && result.report.k == 3)
        // Without the budget, generalisation goes on until the outlier blends in.
        let strict = try KAnonymity.generalize(
            columns: columns, quasiIdentifiers: ["age": .numeric(widths: [10]), "zip": .prefix], k: 3,
            maxSuppression: 0)
        #expect(strict.suppressedRows.isEmpty && strict.report.isSatisfied)
        #expect(strict.levels["age"]! + strict.levels["zip"]! > 2)
    }

    @Test("dates generalise to month, year, decade")
    func dates() throws {
        let columns = ["born": ["1985-03-12", "1987-11-30", "1984-01-02", "1989-07-07"]]
        let result = try KAnonymity.generalize(columns: columns, quasiIdentifiers: ["born": .date], k: 4)
        #expect(result.columns["born"] == ["1980s", "1980s", "1980s", "1980s"])
        #expect(result.levels == ["born": 3])
    }

    @Test("bad tables are refused with the argument named")
    func refusals() {
        func argument(_ body: () throws -> Void) -> String? {
            do {
                try body()
                return nil
            } catch let error as SecurityError {
                return error.argument
            } catch {
                return "?"
            }
        }
        #expect(argument { _ = try KAnonymity.check(columns: table, quasiIdentifiers: ["age"], k: 0) } == "k")
        #expect(argument { _ = try KAnonymity.check(columns: table, quasiIdentifiers: [], k: 2) } == "quasiIdentifiers")
        #expect(
            argument { _ = try KAnonymity.check(columns: table, quasiIdentifiers: ["postcode"], k: 2) }
                == "quasiIdentifiers")
        #expect(
            argument {
                _ = try KAnonymity.generalize(
                    columns: table, quasiIdentifiers: ["diagnosis": .numeric(widths: [5])], k: 2)
            } == "quasiIdentifiers")
        #expect(
            argument { _ = try KAnonymity.generalize(columns: table, quasiIdentifiers: ["zip": .prefix], k: 8) } == "k")
        #expect(
            argument {
                _ = try KAnonymity.check(columns: ["a": ["1"], "b": ["1", "2"]], quasiIdentifiers: ["a"], k: 1)
            }
                == "columns")
    }
}
