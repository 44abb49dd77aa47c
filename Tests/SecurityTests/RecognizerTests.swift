import Foundation
import Testing

@testable import Security

/// Every recognizer on positive and negative examples, the checksums' edge cases, scores, context and offsets.
@Suite struct RecognizerTests {
    let analyzer = PIIAnalyzer()

    /// The entities found in `text` as (entity, matched text).
    func found(_ text: String) -> [(PIIEntity, String)] { analyzer.analyze(text).map { ($0.entity, $0.text) } }

    func expectFinds(_ entity: PIIEntity, _ values: [String], in template: String = "value {} here") {
        for value in values {
            let text = template.replacingOccurrences(of: "{}", with: value)
            let findings = found(text)
            #expect(
                findings.count == 1 && findings.first?.0 == entity && findings.first?.1 == value, "\(text): \(findings)"
            )
        }
    }

    func expectNothing(_ texts: [String]) {
        for text in texts { #expect(found(text).isEmpty, "\(text): \(found(text))") }
    }

    @Test("e-mail addresses: found with sub-domains and tags; not without a top-level domain or with doubled dots")
    func email() {
        expectFinds(.emailAddress, ["jane.doe@example.com", "a+news@mail.example.co.uk", "wei_li42@corp-example.cn"])
        expectNothing(["write to jane@localhost", "john..doe@example.com is wrong", "@example.com", "x@y.c0m"])
        // An address is not also a URL.
        #expect(analyzer.analyze("mail jane@example.com").map(\.entity) == [.emailAddress])
    }

    @Test("phone numbers: international, North American and Chinese mobile; not dates, short or 12x numbers")
    func phone() {
        expectFinds(
            .phoneNumber,
            [
                "+44 20 7946 0958", "+1 212-555-0134", "+49 30 90182077", "+86 138 0013 8000", "13800138000",
                "138-0013-8000", "(212) 555-0134", "212-555-0134",
            ])
        expectNothing([
            "12800138000 is a count", "+12 only", "on 2024-05-06", "Order 48213-77", "call 555-1234",
            "version 1.2.3", "ratio 3:2:1",
        ])
    }

    @Test("credit cards need a card prefix and a Luhn check digit")
    func creditCard() throws {
        expectFinds(
            .creditCard,
            [
                "4111 1111 1111 1111", "5500-0000-0000-0004", "378282246310005", "6011111111111117",
                "6212 3456 7890 1232",
            ])
        expectNothing(["ref 4111 1111 1111 1112", "ref 0000 0000 0000 0000", "ref 1234 5678 1234 5670"])
        // A passed checksum scores 1.
        #expect(try #require(analyzer.analyze("card 4111111111111111").first).score == 1)
        #expect(Checksums.luhn("79927398713"))
        #expect(!Checksums.luhn("79927398710"))
        #expect(!Checksums.luhn("0") && !Checksums.luhn("") && !Checksums.luhn("4111a111"))
        #expect(Checksums.luhn("00"))  // all zeros pass Luhn; the recognizer rejects a single repeated digit
    }

    @Test("IBANs need the country's length and mod-97 = 1")
    func iban() {
        expectFinds(.iban, ["DE89 3704 0044 0532 0130 00", "GB82 WEST 1234 5698 7654 32", "NL91ABNA0417164300"])
        expectNothing(["DE89 3704 0044 0532 0130 01", "DE89 3704 0044 0532 0130", "XX89 3704 0044 0532 0130 00"])
        #expect(Checksums.iban("gb82 west 1234 5698 7654 32"))  // case and spaces do not matter to the check
        #expect(!Checksums.iban("GB82WEST12345698765432X"))
        #expect(!Checksums.iban("DE8937040044053201300"))  // one digit short
    }

    @Test("Chinese resident IDs need a province, a real birth date and the MOD 11-2 check character (X too)")
    func chineseResidentID() {
        expectFinds(.chineseResidentID, ["11010519491231002X", "11010519491231002x", "310104198503121235"])
        expectNothing([
            "id 110105194912310021",  // wrong check character
            "id 110105194902301235",  // 30 February
            "id 990105194912310020",  // no province 99
            "id 1101051949123100",  // 16 characters
        ])
        #expect(Checksums.chineseResidentID("44030519900307447X"))
        #expect(!Checksums.chineseResidentID("440305199003074477"))
        let early = Date(timeIntervalSince1970: 0)  // 1970: a birth year of 1985 is in the future
        #expect(!Checksums.chineseResidentID("310104198503121235", today: early))
    }

    @Test("IP addresses: IPv4 octets ≤ 255, IPv6 as inet_pton parses it; not times or version strings")
    func ipAddress() {
        expectFinds(
            .ipAddress,
            [
                "192.168.1.1", "8.8.8.8", "2001:db8::1", "fe80::1ff:fe23:4567:890a",
                "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
            ])
        expectNothing(["256.1.1.1 is not", "build 1.2.3.4.5", "at 12:30:45", "ratio 2001:db8:::1"])
    }

    @Test("URLs with a scheme, www. or a known top-level domain; trailing punctuation is not part of them")
    func url() {
        expectFinds(.url, ["https://example.com/a?b=c", "www.example.org", "portal.acme.io/login", "http://例子.com/x"])
        expectNothing(["saved report_12.txt", "e.g. this", "version 2.0"])
        let finding = analyzer.analyze("Visit https://example.com/docs.").first
        #expect(finding?.text == "https://example.com/docs")
    }

    @Test("dates of birth: a real date with birth context scores above the threshold; other dates do not")
    func dateOfBirth() throws {
        for text in [
            "born on 12 March 1985", "Date of birth: 1985-03-12", "DOB 03/12/1985", "出生日期：1985年3月12日",
            "her birthday is March 12, 1985",
        ] {
            let findings = analyzer.analyze(text)
            #expect(findings.map(\.entity) == [.dateOfBirth], "\(text)")
            #expect((findings.first?.score ?? 0) >= 0.5 && findings.first?.contextWords.isEmpty == false)
        }
        expectNothing(["the meeting is on 2024-05-06", "born on 1985-02-30", "filed 31/02/1999"])
        // Below the threshold, the bare date is a candidate of score 0.3.
        let low = PIIAnalyzer(threshold: 0).analyze("the meeting is on 2024-05-06")
        #expect(low.map(\.score) == [0.3])
    }

    @Test("context words raise a score and are reported")
    func context() throws {
        let bare = try #require(analyzer.analyze("212-555-0134").first)
        let called = try #require(analyzer.analyze("please call 212-555-0134").first)
        #expect(bare.score == 0.5 && bare.contextWords.isEmpty)
        #expect(abs(called.score - 0.85) < 1e-12 && called.contextWords == ["call"])
        let chinese = try #require(analyzer.analyze("手机：13800138000").first)
        #expect(chinese.contextWords == ["手机"])
    }

    @Test("offsets count Unicode scalars, as Python and Presidio do")
    func offsets() throws {
        let text = "手机：13800138000 😀 mail a@example.com"
        let findings = analyzer.analyze(text)
        #expect(findings.map(\.start) == [3, 22])
        let scalars = Array(text.unicodeScalars)
        for finding in findings {
            #expect(String(String.UnicodeScalarView(scalars[finding.start..<finding.end])) == finding.text)
        }
    }

    @Test("the labelled corpus: recall and precision per type, false positives counted")
    func corpus() throws {
        let metrics = try CorpusEvaluation.ours()
        for (entity, m) in metrics.sorted(by: { $0.key < $1.key }) {
            print(
                "corpus \(entity): recall \(m.matchedGold)/\(m.gold), precision \(m.truePositivePredictions)/\(m.predicted)"
            )
            #expect(m.recall >= 0.97, "\(entity): recall \(m.recall) (\(m.matchedGold)/\(m.gold))")
            #expect(m.precision >= 0.97, "\(entity): precision \(m.precision), \(m.falsePositives) false positives")
        }
        #expect(metrics.count == PIIEntity.allCases.count)
    }
}
