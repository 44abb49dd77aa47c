// PIIEntity: the kinds of personal data the recognizers find, named as Presidio names them where it has them.

/// A kind of personal data.
public enum PIIEntity: String, Sendable, Hashable, CaseIterable, Comparable {
    case emailAddress
    /// International numbers (`+44 20 7946 0958`), North American ones (`(212) 555-0134`) and Chinese mobile numbers
    /// (`138 0013 8000`).
    case phoneNumber
    /// Card numbers of 13–19 digits with a valid Luhn check digit.
    case creditCard
    /// International bank account numbers with a valid ISO 13616 mod-97 check and the country's length.
    case iban
    /// The 18-character resident identity number of the People's Republic of China (GB 11643-1999), with a valid
    /// region, birth date and ISO 7064 MOD 11-2 check character.
    case chineseResidentID
    case ipAddress
    case url
    /// A calendar date that context marks as a birth date (`born`, `DOB`, `出生`); a date without such words scores
    /// below the default threshold.
    case dateOfBirth

    /// The type tag operators write and reports show: Presidio's entity names where it has one (`EMAIL_ADDRESS`,
    /// `IBAN_CODE`), `CN_RESIDENT_ID` and `DATE_OF_BIRTH` otherwise.
    public var tag: String {
        switch self {
        case .emailAddress: return "EMAIL_ADDRESS"
        case .phoneNumber: return "PHONE_NUMBER"
        case .creditCard: return "CREDIT_CARD"
        case .iban: return "IBAN_CODE"
        case .chineseResidentID: return "CN_RESIDENT_ID"
        case .ipAddress: return "IP_ADDRESS"
        case .url: return "URL"
        case .dateOfBirth: return "DATE_OF_BIRTH"
        }
    }

    public static func < (lhs: PIIEntity, rhs: PIIEntity) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One piece of personal data found in a text.
public struct PIIFinding: Sendable, Hashable {
    public let entity: PIIEntity
    /// Where it is, in Unicode scalars from the start of the text (Python's string offsets, as Presidio reports).
    public let start: Int
    public let end: Int
    /// The matched text.
    public let text: String
    /// 0…1: the pattern's base score, raised to 1 by a passed checksum, raised by context words.
    public let score: Double
    /// The recognizer and pattern that matched (`creditCard/luhn`).
    public let recognizer: String
    /// The context words found near it, which raised the score.
    public let contextWords: [String]
}
