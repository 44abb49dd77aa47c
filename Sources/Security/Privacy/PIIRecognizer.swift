// PIIRecognizer: one kind of personal data as regular expressions with base scores, a validator (a checksum, a real
// date, a parseable address) and the context words that raise the score; the standard set.
import Foundation

/// A recognizer: patterns that propose candidates, a validator that confirms (score 1), rejects or leaves them, and
/// context words that raise a candidate's score when they appear near it.
public struct PIIRecognizer: @unchecked Sendable {
    /// What a validator says about a candidate.
    public enum Validation: Sendable {
        /// A passed check (a checksum): the score becomes 1.
        case valid
        /// Not the entity (a failed checksum, an impossible date): the candidate is dropped.
        case invalid
        /// The check says nothing either way: the pattern's score stands.
        case unknown
    }

    /// One regular expression and the score of what it matches.
    public struct Pattern: @unchecked Sendable {
        public let name: String
        // NSRegularExpression is immutable and documented as safe to use from several threads.
        let expression: NSRegularExpression
        public let score: Double

        public init(_ name: String, _ pattern: String, score: Double, caseInsensitive: Bool = false) {
            self.name = name
            do {
                self.expression = try NSRegularExpression(
                    pattern: pattern, options: caseInsensitive ? [.caseInsensitive] : [])
            } catch {
                preconditionFailure("recognizer pattern \(name) does not compile: \(error)")
            }
            self.score = score
        }
    }

    public let name: String
    public let entity: PIIEntity
    public let patterns: [Pattern]
    /// Words that make the entity likelier when they are near a candidate (lower case; CJK words match as substrings).
    public let contextWords: [String]
    let validate: @Sendable (String) -> Validation

    public init(
        name: String, entity: PIIEntity, patterns: [Pattern], contextWords: [String] = [],
        validate: @escaping @Sendable (String) -> Validation = { _ in .unknown }
    ) {
        self.name = name
        self.entity = entity
        self.patterns = patterns
        self.contextWords = contextWords
        self.validate = validate
    }
}

extension PIIRecognizer {
    /// The standard recognizers: every `PIIEntity`.
    public static let standard: [PIIRecognizer] = [
        email, internationalPhone, northAmericanPhone, chineseMobile, creditCard, iban, chineseResidentID, ipv4, ipv6,
        url, dateOfBirth,
    ]

    public static let email = PIIRecognizer(
        name: "email", entity: .emailAddress,
        patterns: [
            Pattern(
                "address",
                #"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])"#,
                score: 0.5)
        ],
        contextWords: ["email", "e-mail", "mail", "contact", "邮箱", "邮件"],
        validate: { text in
            // A local part without doubled or edge dots, and a top-level domain of letters.
            guard let at = text.lastIndex(of: "@") else { return .invalid }
            let local = text[..<at]
            if local.hasSuffix(".") || local.contains("..") { return .invalid }
            let domain = text[text.index(after: at)...]
            return domain.split(separator: ".").last.map { $0.allSatisfy(\.isLetter) } == true ? .valid : .invalid
        })

    static let phoneContext = [
        "phone", "telephone", "tel", "mobile", "cell", "call", "fax", "contact", "whatsapp", "电话", "手机", "联系",
    ]

    /// `+` and a country code, then 6–14 more digits in groups.
    public static let internationalPhone = PIIRecognizer(
        name: "phone/international", entity: .phoneNumber,
        patterns: [
            Pattern(
                "e164", #"(?<![\w+])\+[1-9]\d{0,2}(?:[ .-]?\(?\d{1,4}\)?){2,6}(?![\w])"#, score: 0.7)
        ],
        contextWords: phoneContext,
        validate: { text in
            let digits = text.filter(\.isNumber).count
            return (8...15).contains(digits) ? .unknown : .invalid
        })

    /// North American numbers written with their area code: `(212) 555-0134`, `212-555-0134`, `212.555.0134`.
    public static let northAmericanPhone = PIIRecognizer(
        name: "phone/north-american", entity: .phoneNumber,
        patterns: [
            Pattern("parenthesised", #"(?<![\w(])\([2-9]\d{2}\) ?[2-9]\d{2}[-. ]\d{4}(?![\w])"#, score: 0.6),
            Pattern("separated", #"(?<![\w.+-])[2-9]\d{2}([-.])[2-9]\d{2}\1\d{4}(?![\w-]|\.\d)"#, score: 0.5),
        ],
        contextWords: phoneContext)

    /// Chinese mobile numbers: 11 digits from 13x to 19x, optionally after +86, optionally grouped 3-4-4.
    public static let chineseMobile = PIIRecognizer(
        name: "phone/chinese-mobile", entity: .phoneNumber,
        patterns: [
            Pattern("mobile", #"(?<![\w+])(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?![\w])"#, score: 0.6)
        ],
        contextWords: phoneContext)

    public static let creditCard = PIIRecognizer(
        name: "creditCard/luhn", entity: .creditCard,
        patterns: [
            // Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay prefixes; 13–19 digits in groups; not the
            // digits after an IBAN's country and check digits (a mistyped IBAN is not a card), nor a stretch of a longer
            // run of digit groups.
            Pattern(
                "card",
                #"(?<![\w-])(?<![A-Z]{2}\d{2} )(?<!\d[ -])(?:4\d{3}|5[1-5]\d{2}|2[2-7]\d{2}|3[47]\d{2}|6(?:011|5\d{2}|2\d{2})|35\d{2}|3[068]\d{2})(?:[ -]?\d){9,15}(?![\w-])(?![ -]\d)"#,
                score: 0.3)
        ],
        contextWords: ["card", "credit", "debit", "visa", "mastercard", "amex", "payment", "cc", "银行卡", "信用卡"],
        validate: { text in
            let digits = text.filter(\.isNumber)
            guard Checksums.cardLengthFits(digits), Set(digits).count > 1 else { return .invalid }
            return Checksums.luhn(digits) ? .valid : .invalid
        })

    public static let iban = PIIRecognizer(
        name: "iban/mod97", entity: .iban,
        patterns: [
            Pattern("grouped", #"(?<![\w])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?![\w])"#, score: 0.3)
        ],
        contextWords: ["iban", "bank", "account", "transfer", "konto", "账户"],
        validate: { Checksums.iban($0) ? .valid : .invalid })

    public static let chineseResidentID = PIIRecognizer(
        name: "cnResidentID/gb11643", entity: .chineseResidentID,
        patterns: [Pattern("eighteen", #"(?<![\w])[1-8]\d{16}[\dXx](?![\w])"#, score: 0.3)],
        contextWords: ["身份证", "id", "identity", "resident", "公民身份号码", "证件"],
        validate: { Checksums.chineseResidentID($0) ? .valid : .invalid })

    public static let ipv4 = PIIRecognizer(
        name: "ip/v4", entity: .ipAddress,
        patterns: [
            Pattern(
                "dotted",
                #"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w]|\.\d)"#,
                score: 0.6)
        ],
        contextWords: ["ip", "address", "host", "server", "client", "login", "地址"])

    public static let ipv6 = PIIRecognizer(
        name: "ip/v6", entity: .ipAddress,
        patterns: [
            Pattern(
                "hex",
                #"(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){1,7}(?::|(?::[0-9A-Fa-f]{1,4}){1,7}|[0-9A-Fa-f]{1,4})(?![\w:])|(?<![\w:])::(?:[0-9A-Fa-f]{1,4}:){0,6}[0-9A-Fa-f]{1,4}(?![\w:])"#,
                score: 0.6)
        ],
        contextWords: ["ip", "ipv6", "address", "host", "server"],
        validate: { text in
            var address = in6_addr()
            // At least two groups of digits, so a time like 12:30 is not an address.
            guard text.filter({ $0 == ":" }).count >= 2, inet_pton(AF_INET6, text, &address) == 1 else {
                return .invalid
            }
            return .valid
        })

    static let topLevelDomains =
        "com|org|net|edu|gov|mil|int|io|ai|co|info|biz|app|dev|me|tv|cn|uk|de|fr|jp|nl|es|it|ru|br|in|au|ca|ch|se|no|fi|dk|pl|be|at|hk|tw|sg|kr"

    public static let url = PIIRecognizer(
        name: "url", entity: .url,
        patterns: [
            Pattern(
                "scheme", #"(?<![\w])(?:https?|ftp)://[^\s<>"'\x{3000}-\x{303F}\x{FF00}-\x{FFEF}]+"#, score: 0.6,
                caseInsensitive: true),
            Pattern(
                "www", #"(?<![\w./@])www\.[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:/[^\s<>"']*)?"#, score: 0.5,
                caseInsensitive: true),
            Pattern(
                "domain",
                #"(?<![\w./@-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:"# + topLevelDomains
                    + #")(?:/[^\s<>"']*)?(?![\w@-])"#, score: 0.5, caseInsensitive: true),
        ],
        contextWords: ["url", "website", "site", "link", "visit", "web", "网址", "链接"])

    static let months =
        "january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"

    /// Dates in the usual written forms; a valid calendar date scores 0.3, and birth context raises it above 0.5.
    public static let dateOfBirth = PIIRecognizer(
        name: "dateOfBirth", entity: .dateOfBirth,
        patterns: [
            Pattern("iso", #"(?<![\w.-])(?:19|20)\d{2}-\d{1,2}-\d{1,2}(?![\w-])"#, score: 0.3),
            Pattern("numeric", #"(?<![\w./-])\d{1,2}([./-])\d{1,2}\1(?:19|20)\d{2}(?![\w]|[./-]\d)"#, score: 0.3),
            Pattern(
                "day-month-year", #"(?<![\w])\d{1,2}(?:st|nd|rd|th)? (?:"# + months + #")\.?,? (?:19|20)\d{2}(?![\w])"#,
                score: 0.3, caseInsensitive: true),
            Pattern(
                "month-day-year", #"(?<![\w])(?:"# + months + #")\.? \d{1,2}(?:st|nd|rd|th)?,? (?:19|20)\d{2}(?![\w])"#,
                score: 0.3, caseInsensitive: true),
            Pattern("chinese", #"(?:19|20)\d{2}年\d{1,2}月\d{1,2}日"#, score: 0.3),
        ],
        contextWords: ["born", "birth", "birthday", "dob", "d.o.b", "date of birth", "geboren", "出生", "生日"],
        validate: { text in DateText.isRealDate(text) ? .unknown : .invalid })
}

/// Reads the dates the date-of-birth patterns match, to reject impossible ones (31 February).
enum DateText {
    static let monthNames: [String: Int] = [
        "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
        "nov": 11, "dec": 12,
    ]

    static func isRealDate(_ text: String) -> Bool {
        let lower = text.lowercased()
        let numbers = lower.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        let month = monthNames.first { lower.contains($0.key) }?.value
        if let month {
            // "12 March 1985", "March 12, 1985": day and year are the numbers.
            guard numbers.count == 2 else { return false }
            return CalendarDate.isValid(year: numbers[1], month: month, day: numbers[0])
        }
        guard numbers.count == 3 else { return false }
        if numbers[0] >= 1900 { return CalendarDate.isValid(year: numbers[0], month: numbers[1], day: numbers[2]) }
        // Day-first or month-first: accept when either reading is a real date.
        return CalendarDate.isValid(year: numbers[2], month: numbers[1], day: numbers[0])
            || CalendarDate.isValid(year: numbers[2], month: numbers[0], day: numbers[1])
    }
}
