/// Lexer: turns source text into tokens, decoding string literals and their interpolations.
///
/// It never stops at an error: a bad character or an unterminated string becomes a diagnostic and
/// scanning goes on, so one cell reports all its problems.
struct Lexer {
    private let scalars: [Unicode.Scalar]
    private let source: SourceName
    private var index = 0
    private var line = 1
    private var column = 1
    private var sawNewline = true
    private(set) var diagnostics: [Diagnostic] = []
    /// Set when the input ends inside a string or block comment (is-complete reports `incomplete`).
    private(set) var endedInsideLiteral = false

    init(_ text: String, source: SourceName) {
        self.scalars = Array(text.unicodeScalars)
        self.source = source
    }

    /// The text of `scalars`, appended one scalar at a time: `String.UnicodeScalarView(_:)` over a slice is the
    /// generic `append(contentsOf:)`, whose first use looks up an associated type by scanning every protocol
    /// conformance in the binary (~0.5 M instructions of every script's start).
    static func text(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var text = ""
        for scalar in scalars { text.unicodeScalars.append(scalar) }
        return text
    }

    /// Lexes the whole input; the last token is always `.endOfFile`.
    mutating func tokenize() -> [Token] {
        var tokens: [Token] = []
        while true {
            let token = nextToken()
            tokens.append(token)
            if token.kind == .endOfFile { return tokens }
        }
    }

    // MARK: - Characters

    private var position: SourcePosition { SourcePosition(line: line, column: column) }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        let i = index + offset
        return i < scalars.count ? scalars[i] : nil
    }

    @discardableResult
    private mutating func advance() -> Unicode.Scalar {
        let c = scalars[index]
        index += 1
        if c == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        return c
    }

    private func span(from start: SourcePosition) -> SourceSpan {
        SourceSpan(source: source, start: start, end: position)
    }

    private mutating func error(_ message: String, at span: SourceSpan, notes: [Diagnostic.Note] = []) {
        diagnostics.append(Diagnostic(.syntax, message, at: span, notes: notes))
    }

    // MARK: - Tokens

    private mutating func skipTrivia() {
        while let c = peek() {
            if c == "\n" {
                sawNewline = true
                advance()
            } else if c == " " || c == "\t" || c == "\r" {
                advance()
            } else if c == "/" && peek(1) == "/" {
                while let d = peek(), d != "\n" { advance() }
            } else if c == "/" && peek(1) == "*" {
                skipBlockComment()
            } else {
                return
            }
        }
    }

    /// Block comments nest, as in Swift.
    private mutating func skipBlockComment() {
        let start = position
        advance()
        advance()
        var depth = 1
        while depth > 0 {
            guard let c = peek() else {
                endedInsideLiteral = true
                error(
                    "unterminated '/*' comment", at: SourceSpan(source: source, start: start, end: start),
                    notes: [Diagnostic.Note("block comments nest: every '/*' needs its own '*/'")])
                return
            }
            if c == "/" && peek(1) == "*" {
                advance()
                advance()
                depth += 1
            } else if c == "*" && peek(1) == "/" {
                advance()
                advance()
                depth -= 1
            } else {
                if c == "\n" { sawNewline = true }
                advance()
            }
        }
    }

    private mutating func nextToken() -> Token {
        skipTrivia()
        let startsLine = sawNewline
        sawNewline = false
        let start = position
        let startIndex = index
        func make(_ kind: TokenKind) -> Token {
            Token(
                kind: kind, lexeme: Lexer.text(scalars[startIndex..<index]),
                span: span(from: start), startsLine: startsLine)
        }
        guard let c = peek() else {
            return Token(kind: .endOfFile, lexeme: "", span: span(from: start), startsLine: true)
        }
        if c.isIdentifierStart {
            while let d = peek(), d.isIdentifierContinue { advance() }
            let text = Lexer.text(scalars[startIndex..<index])
            if text == "_" { return make(.underscore) }
            return make(Token.keywords[text] ?? .identifier)
        }
        if c.isDigit { return number(start: start, startIndex: startIndex, startsLine: startsLine) }
        if c == "\"" { return string(start: start, startsLine: startsLine) }
        advance()
        switch c {
        case "(": return make(.leftParen)
        case ")": return make(.rightParen)
        case "{": return make(.leftBrace)
        case "}": return make(.rightBrace)
        case "[": return make(.leftBracket)
        case "]": return make(.rightBracket)
        case ",": return make(.comma)
        case ":": return make(.colon)
        case ";": return make(.semicolon)
        case "?":
            if peek() == "?" {
                advance()
                return make(.questionQuestion)
            }
            return make(.question)
        case ".":
            if peek() == "." && peek(1) == "<" {
                advance()
                advance()
                return make(.halfOpenRange)
            }
            if peek() == "." && peek(1) == "." {
                advance()
                advance()
                return make(.closedRange)
            }
            return make(.dot)
        case "+": return make(match("=") ? .plusEqual : .plus)
        case "-":
            if match(">") { return make(.arrow) }
            return make(match("=") ? .minusEqual : .minus)
        case "*": return make(match("=") ? .starEqual : .star)
        case "/": return make(match("=") ? .slashEqual : .slash)
        case "%": return make(.percent)
        case "=": return make(match("=") ? .equalEqual : .equal)
        case "!": return make(match("=") ? .bangEqual : .bang)
        case "<": return make(match("=") ? .lessEqual : .less)
        case ">": return make(match("=") ? .greaterEqual : .greater)
        case "&":
            if match("&") { return make(.ampAmp) }
        case "|":
            if match("|") { return make(.pipePipe) }
        case "$":
            if let d = peek(), d.isDigit {
                while let d = peek(), d.isDigit { advance() }
                return make(.dollar)
            }
        default:
            break
        }
        let text = String(c)
        var hint: [Diagnostic.Note] = []
        switch c {
        case "&", "|": hint = [Diagnostic.Note("Rigor has no bitwise operators; did you mean '\(text)\(text)'?")]
        case "'": hint = [Diagnostic.Note("strings use double quotes: \"…\"")]
        case "#": hint = [Diagnostic.Note("comments start with '//'")]
        default: break
        }
        error("invalid character '\(text)' in source", at: span(from: start), notes: hint)
        return nextToken()
    }

    private mutating func match(_ expected: Unicode.Scalar) -> Bool {
        guard peek() == expected else { return false }
        advance()
        return true
    }

    private mutating func number(start: SourcePosition, startIndex: Int, startsLine: Bool) -> Token {
        var isFloat = false
        func digits(_ lexer: inout Lexer) {
            while let d = lexer.peek(), d.isDigit || d == "_" { lexer.advance() }
        }
        digits(&self)
        if peek() == ".", let d = peek(1), d.isDigit {
            isFloat = true
            advance()
            digits(&self)
        }
        if let e = peek(), e == "e" || e == "E" {
            let signOffset = (peek(1) == "+" || peek(1) == "-") ? 2 : 1
            if let d = peek(signOffset), d.isDigit {
                isFloat = true
                for _ in 0..<signOffset { advance() }
                digits(&self)
            }
        }
        let text = Lexer.text(scalars[startIndex..<index])
        return Token(kind: isFloat ? .float : .integer, lexeme: text, span: span(from: start), startsLine: startsLine)
    }

    /// A string literal; `\( … )` interpolations are lexed recursively into token lists.
    private mutating func string(start: SourcePosition, startsLine: Bool) -> Token {
        advance()  // opening quote
        var parts: [StringPart] = []
        var text = ""
        while true {
            guard let c = peek(), c != "\n" else {
                if peek() == nil { endedInsideLiteral = true }
                error(
                    "unterminated string literal", at: SourceSpan(source: source, start: start, end: start),
                    notes: [Diagnostic.Note("strings end on the line they start; close it with '\"'")])
                break
            }
            if c == "\"" {
                advance()
                break
            }
            if c == "\\" {
                let escapeStart = position
                advance()
                guard let e = peek(), e != "\n" else { continue }
                advance()
                switch e {
                case "n": text.append("\n")
                case "t": text.append("\t")
                case "r": text.append("\r")
                case "0": text.append("\0")
                case "\"": text.append("\"")
                case "\\": text.append("\\")
                case "'": text.append("'")
                case "(":
                    if !text.isEmpty { parts.append(.text(text)) }
                    text = ""
                    let (tokens, span) = interpolation(start: escapeStart)
                    parts.append(.interpolation(tokens, span))
                default:
                    error(
                        "invalid escape sequence '\\\(e)' in literal", at: span(from: escapeStart),
                        notes: [Diagnostic.Note("escapes are \\n \\t \\r \\0 \\\" \\\\ and \\( … ) for interpolation")])
                }
                continue
            }
            text.unicodeScalars.append(advance())
        }
        if !text.isEmpty || parts.isEmpty { parts.append(.text(text)) }
        var token = Token(
            kind: .string, lexeme: "", span: span(from: start), startsLine: startsLine)
        token.stringParts = parts
        return token
    }

    /// Lexes the tokens of `\( … )` up to the matching `)`, which is consumed.
    private mutating func interpolation(start: SourcePosition) -> ([Token], SourceSpan) {
        var tokens: [Token] = []
        var depth = 0
        let savedNewline = sawNewline
        while true {
            // An interpolation cannot run past the end of its line.
            var lookahead = index
            while lookahead < scalars.count, scalars[lookahead] == " " || scalars[lookahead] == "\t" {
                lookahead += 1
            }
            if lookahead >= scalars.count || scalars[lookahead] == "\n" {
                while index < lookahead { advance() }
                if lookahead >= scalars.count { endedInsideLiteral = true }
                error(
                    "unterminated string interpolation", at: SourceSpan(source: source, start: start, end: start),
                    notes: [Diagnostic.Note("close '\\(' with ')' on the same line")])
                break
            }
            let token = nextToken()
            if token.kind == .leftParen { depth += 1 }
            if token.kind == .rightParen {
                if depth == 0 { break }
                depth -= 1
            }
            tokens.append(token)
        }
        sawNewline = savedNewline
        let eof = Token(kind: .endOfFile, lexeme: "", span: span(from: position), startsLine: false)
        tokens.append(eof)
        return (tokens, span(from: start))
    }
}

extension Unicode.Scalar {
    var isDigit: Bool { ("0"..."9").contains(self) }
    var isIdentifierStart: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self) || self == "_"
            || (value > 0x7F && properties.isXIDStart)
    }
    var isIdentifierContinue: Bool { isIdentifierStart || isDigit || (value > 0x7F && properties.isXIDContinue) }
}
