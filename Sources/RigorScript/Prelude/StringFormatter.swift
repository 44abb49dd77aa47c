import Foundation

/// StringFormatter: `String(format:)` with printf-style specifiers, checked against the
/// arguments' types instead of trusting them (a C varargs mismatch would print garbage).
enum StringFormatter {
    /// The largest width or precision a specifier may give.
    static let maximumWidth = 10_000

    static func format(_ format: String, _ arguments: [Value]) throws -> String {
        var output = ""
        var scalars = Array(format.unicodeScalars)[...]
        var next = 0
        while let c = scalars.first {
            scalars = scalars.dropFirst()
            guard c == "%" else {
                output.unicodeScalars.append(c)
                continue
            }
            var spec = "%"
            // flags, width, precision
            while let f = scalars.first, "-+ #0".unicodeScalars.contains(f) {
                spec.unicodeScalars.append(f)
                scalars = scalars.dropFirst()
            }
            while let d = scalars.first, d.isDigit || d == "." {
                spec.unicodeScalars.append(d)
                scalars = scalars.dropFirst()
            }
            // A width or precision is the size of the text made: keep it to what a table needs.
            for number in spec.split(whereSeparator: { !$0.isNumber }) where (Int(number) ?? .max) > maximumWidth {
                throw BuiltinError(
                    .value, "width or precision \(number) in '\(spec)' is above \(maximumWidth)", argument: 0)
            }
            while let l = scalars.first, l == "l" || l == "h" || l == "q" || l == "z" {
                scalars = scalars.dropFirst()
            }
            guard let conversion = scalars.first else {
                throw BuiltinError(.value, "format string ends inside a '%' specifier", argument: 0)
            }
            scalars = scalars.dropFirst()
            if conversion == "%" {
                output += "%"
                continue
            }
            guard next < arguments.count else {
                throw BuiltinError(
                    .value, "format string needs more arguments than the \(arguments.count) given", argument: 0)
            }
            let argument = arguments[next]
            next += 1
            switch conversion {
            case "d", "i", "x", "X", "o", "c":
                guard case .int(let i) = argument else {
                    throw BuiltinError(
                        .type,
                        "'%\(conversion)' needs an Int, but argument \(next) is of type '\(argument.typeName)'",
                        argument: 1, notes: ["use %f, %e or %g for a Double, or convert with Int(x)"])
                }
                output += String(format: spec + "l" + String(conversion), i)
            case "f", "F", "e", "E", "g", "G", "a", "A":
                guard let d = argument.doubleValue else {
                    throw BuiltinError(
                        .type,
                        "'%\(conversion)' needs a number, but argument \(next) is of type '\(argument.typeName)'",
                        argument: 1)
                }
                output += String(format: spec + String(conversion), d)
            case "s", "@":
                let text = argument.description
                let body = spec.dropFirst()
                let leftAlign = body.hasPrefix("-")
                let digits = body.drop { !$0.isNumber && $0 != "." }
                let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
                let width = parts.first.flatMap { Int($0) } ?? 0
                var clipped = text
                if parts.count > 1, let precision = Int(parts[1]) { clipped = String(text.prefix(precision)) }
                let padding = String(repeating: " ", count: max(0, width - clipped.count))
                output += leftAlign ? clipped + padding : padding + clipped
            default:
                throw BuiltinError(
                    .value, "unknown format specifier '%\(conversion)'", argument: 0,
                    notes: ["supported: %d %i %x %o %c %f %e %g %s %@ %%"])
            }
        }
        if next < arguments.count {
            throw BuiltinError(
                .value, "format string uses \(next) of the \(arguments.count) arguments given", argument: 0)
        }
        return output
    }
}
