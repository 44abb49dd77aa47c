// Checksums: the check digits that separate an identifier from a number that merely looks like one.
import Foundation

/// The check-digit algorithms of the identifiers the recognizers find.
public enum Checksums {
    /// The Luhn (mod 10) check of a digit string (credit cards): doubling every second digit from the right.
    public static func luhn(_ digits: String) -> Bool {
        let values = digits.compactMap(\.wholeNumberValue)
        guard values.count == digits.count, values.count >= 2 else { return false }
        var sum = 0
        for (index, digit) in values.reversed().enumerated() {
            if index % 2 == 1 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return sum % 10 == 0
    }

    /// Whether a card number's length fits its issuer's prefix: Visa 13, 16 or 19 digits; Mastercard (51–55,
    /// 2221–2720) 16; American Express (34, 37) 15; Diners (30, 36, 38, 39) 14–19; Discover, JCB, UnionPay 16–19.
    public static func cardLengthFits(_ digits: String) -> Bool {
        let count = digits.count
        guard let two = Int(digits.prefix(2)), let four = Int(digits.prefix(4)) else { return false }
        if digits.hasPrefix("4") { return [13, 16, 19].contains(count) }
        if (51...55).contains(two) || (2221...2720).contains(four) { return count == 16 }
        if two == 34 || two == 37 { return count == 15 }
        if [30, 36, 38, 39].contains(two) { return (14...19).contains(count) }
        if four == 6011 || two == 65 || two == 62 || (3528...3589).contains(four) { return (16...19).contains(count) }
        return false
    }

    /// IBAN lengths by country (ISO 13616 registry, SWIFT release 99).
    static let ibanLengths: [String: Int] = [
        "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29, "BY": 28,
        "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18,
        "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22,
        "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20,
        "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15,
        "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19,
        "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
    ]

    /// The ISO 13616 check of an IBAN (spaces allowed): the country's length, then the number with its first four
    /// characters moved to the end and letters as 10…35 is 1 mod 97.
    public static func iban(_ text: String) -> Bool {
        let compact = text.uppercased().filter { $0 != " " }
        guard compact.count >= 15, compact.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            return false
        }
        let country = String(compact.prefix(2))
        guard let length = ibanLengths[country], compact.count == length,
            compact.dropFirst(2).prefix(2).allSatisfy(\.isNumber)
        else { return false }
        let rearranged = compact.dropFirst(4) + compact.prefix(4)
        var remainder = 0
        for character in rearranged {
            guard let value = character.wholeNumberValue ?? letterValue(character) else { return false }
            // Letters are two digits (10…35); fold them in one digit at a time.
            for digit in value >= 10 ? [value / 10, value % 10] : [value] { remainder = (remainder * 10 + digit) % 97 }
        }
        return remainder == 1
    }

    private static func letterValue(_ character: Character) -> Int? {
        guard let ascii = character.asciiValue, (65...90).contains(ascii) else { return nil }
        return Int(ascii) - 55
    }

    /// The GB 11643-1999 check of an 18-character Chinese resident ID: a province code (11–82), a real birth date
    /// (YYYYMMDD from 1900 on, not in the future), and the ISO 7064 MOD 11-2 check character (0–9 or X).
    public static func chineseResidentID(_ text: String, today: Date = Date()) -> Bool {
        let characters = Array(text.uppercased())
        guard characters.count == 18, characters[0..<17].allSatisfy(\.isNumber),
            characters[17].isNumber || characters[17] == "X"
        else { return false }
        let digits = characters[0..<17].compactMap(\.wholeNumberValue)
        guard digits.count == 17, let province = Int(String(characters[0..<2])), (11...82).contains(province)
        else { return false }
        let year = digits[6] * 1000 + digits[7] * 100 + digits[8] * 10 + digits[9]
        let month = digits[10] * 10 + digits[11]
        let day = digits[12] * 10 + digits[13]
        let currentYear = Calendar(identifier: .gregorian).component(.year, from: today)
        guard year >= 1900, year <= currentYear, CalendarDate.isValid(year: year, month: month, day: day) else {
            return false
        }
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(digits, weights).map(*).reduce(0, +)
        let check = Array("10X98765432")[sum % 11]
        return characters[17] == check
    }
}

/// Calendar arithmetic the recognizers need (proleptic Gregorian).
enum CalendarDate {
    static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    static func isValid(year: Int, month: Int, day: Int) -> Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        let lengths = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }
}
