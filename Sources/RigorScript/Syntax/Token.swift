/// The kinds of token the lexer produces.
public enum TokenKind: Hashable, Sendable {
    // Literals and names.
    case identifier
    case integer
    case float
    case string  // a string literal, possibly with interpolations (see `Token.stringParts`)
    case dollar  // `$0`, `$1`, …

    // Keywords.
    case kwLet, kwVar, kwFunc, kwReturn, kwIf, kwElse, kwGuard, kwFor, kwIn, kwWhile
    case kwBreak, kwContinue, kwTrue, kwFalse, kwNil

    // Punctuation.
    case leftParen, rightParen, leftBrace, rightBrace, leftBracket, rightBracket
    case comma, colon, semicolon, dot, arrow, question, underscore

    // Operators.
    case plus, minus, star, slash, percent
    case equal, plusEqual, minusEqual, starEqual, slashEqual
    case equalEqual, bangEqual, less, lessEqual, greater, greaterEqual
    case ampAmp, pipePipe, bang, questionQuestion
    case halfOpenRange, closedRange

    case endOfFile
}

/// One piece of a string literal: literal text, or the tokens of an interpolated `\( … )`.
public enum StringPart: Sendable {
    case text(String)
    case interpolation([Token], SourceSpan)
}

/// A token with its exact source span.
///
/// `startsLine` records whether a newline separates it from the previous token: the parser uses
/// it to end statements (Swift's newline rules) instead of newline tokens.
public struct Token: Sendable {
    public var kind: TokenKind
    public var lexeme: String
    public var span: SourceSpan
    public var startsLine: Bool
    /// For `.string` tokens: the literal's pieces, escapes already decoded.
    public var stringParts: [StringPart] = []

    public init(kind: TokenKind, lexeme: String, span: SourceSpan, startsLine: Bool) {
        self.kind = kind
        self.lexeme = lexeme
        self.span = span
        self.startsLine = startsLine
    }

    static let keywords: [String: TokenKind] = [
        "let": .kwLet, "var": .kwVar, "func": .kwFunc, "return": .kwReturn, "if": .kwIf, "else": .kwElse,
        "guard": .kwGuard, "for": .kwFor, "in": .kwIn, "while": .kwWhile, "break": .kwBreak,
        "continue": .kwContinue, "true": .kwTrue, "false": .kwFalse, "nil": .kwNil,
    ]

    /// Whether this token can end an expression (so a newline after it may end a statement).
    var canEndExpression: Bool {
        switch kind {
        case .identifier, .integer, .float, .string, .dollar, .kwTrue, .kwFalse, .kwNil, .rightParen,
            .rightBrace, .rightBracket, .kwBreak, .kwContinue, .kwReturn:
            return true
        default:
            return false
        }
    }
}

extension TokenKind {
    /// How the token reads in a diagnostic: `'}'`, `identifier`, `end of input`.
    var diagnosticName: String {
        switch self {
        case .identifier: return "identifier"
        case .integer: return "integer literal"
        case .float: return "floating-point literal"
        case .string: return "string literal"
        case .endOfFile: return "end of input"
        default: return "'\(spelling)'"
        }
    }

    /// The fixed spelling of a punctuation, operator or keyword token.
    var spelling: String {
        switch self {
        case .kwLet: return "let"
        case .kwVar: return "var"
        case .kwFunc: return "func"
        case .kwReturn: return "return"
        case .kwIf: return "if"
        case .kwElse: return "else"
        case .kwGuard: return "guard"
        case .kwFor: return "for"
        case .kwIn: return "in"
        case .kwWhile: return "while"
        case .kwBreak: return "break"
        case .kwContinue: return "continue"
        case .kwTrue: return "true"
        case .kwFalse: return "false"
        case .kwNil: return "nil"
        case .leftParen: return "("
        case .rightParen: return ")"
        case .leftBrace: return "{"
        case .rightBrace: return "}"
        case .leftBracket: return "["
        case .rightBracket: return "]"
        case .comma: return ","
        case .colon: return ":"
        case .semicolon: return ";"
        case .dot: return "."
        case .arrow: return "->"
        case .question: return "?"
        case .underscore: return "_"
        case .plus: return "+"
        case .minus: return "-"
        case .star: return "*"
        case .slash: return "/"
        case .percent: return "%"
        case .equal: return "="
        case .plusEqual: return "+="
        case .minusEqual: return "-="
        case .starEqual: return "*="
        case .slashEqual: return "/="
        case .equalEqual: return "=="
        case .bangEqual: return "!="
        case .less: return "<"
        case .lessEqual: return "<="
        case .greater: return ">"
        case .greaterEqual: return ">="
        case .ampAmp: return "&&"
        case .pipePipe: return "||"
        case .bang: return "!"
        case .questionQuestion: return "??"
        case .halfOpenRange: return "..<"
        case .closedRange: return "..."
        case .identifier, .integer, .float, .string, .dollar, .endOfFile: return ""
        }
    }
}
