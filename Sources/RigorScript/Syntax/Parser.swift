/// Parser: recursive descent over the tokens, one method per grammar rule (see docs/language.md).
///
/// Errors are recorded, not thrown out of the parse: after an error the parser skips to the next
/// statement (panic mode, as in jlox) so one cell reports every syntax error it has.
struct Parser {
    private struct Failure: Error {}

    private var tokens: [Token]
    private var current = 0
    private let source: SourceName
    private(set) var diagnostics: [Diagnostic] = []
    /// How newlines and `{` read at the current position; saved and restored around nesting.
    private struct Nesting {
        /// Inside `( )` and `[ ]` newlines do not end anything.
        var bracketDepth = 0
        /// In `if`/`guard`/`while` conditions and `for` sequences a `{` starts the body, not a closure.
        var allowsTrailingClosure = true

        /// Inside a bracket: one level deeper, trailing closures allowed again.
        var insideBrackets: Nesting { Nesting(bracketDepth: bracketDepth + 1, allowsTrailingClosure: true) }
        /// Inside a `{ }` body: statements again, newlines end them.
        static let insideBraces = Nesting()
    }
    private var nesting = Nesting()
    private var bracketDepth: Int { nesting.bracketDepth }
    private var allowsTrailingClosure: Bool {
        get { nesting.allowsTrailingClosure }
        set { nesting.allowsTrailingClosure = newValue }
    }

    init(tokens: [Token], source: SourceName) {
        self.tokens = tokens
        self.source = source
    }

    /// Lexes and parses a whole cell or script.
    static func parse(_ text: String, source: SourceName) -> (statements: [Stmt], diagnostics: [Diagnostic]) {
        var lexer = Lexer(text, source: source)
        let tokens = lexer.tokenize()
        var parser = Parser(tokens: tokens, source: source)
        let statements = parser.parseCell()
        // A lexical error (an unterminated string, a stray character) usually confuses the parser
        // on the same line and the next: report the cause, not the cascade.
        let troubledLines = Set(lexer.diagnostics.flatMap { [$0.span.start.line, $0.span.start.line + 1] })
        let parserDiagnostics = parser.diagnostics.filter { !troubledLines.contains($0.span.start.line) }
        let all = (lexer.diagnostics + parserDiagnostics).sorted { $0.span.start < $1.span.start }
        return (statements, all)
    }

    // MARK: - Token helpers

    private var peek: Token { tokens[current] }
    private func peek(_ offset: Int) -> Token { tokens[min(current + offset, tokens.count - 1)] }
    private var previous: Token { tokens[max(current - 1, 0)] }
    private var isAtEnd: Bool { peek.kind == .endOfFile }

    @discardableResult
    private mutating func advance() -> Token {
        let token = tokens[current]
        if token.kind != .endOfFile { current += 1 }
        return token
    }

    private func check(_ kind: TokenKind) -> Bool { peek.kind == kind }

    private mutating func match(_ kind: TokenKind) -> Bool {
        guard check(kind) else { return false }
        advance()
        return true
    }

    @discardableResult
    private mutating func expect(_ kind: TokenKind, _ context: String, notes: [Diagnostic.Note] = []) throws -> Token {
        if check(kind) { return advance() }
        throw error("expected '\(kind.spelling)' \(context)", at: peek, notes: notes)
    }

    private mutating func expectIdentifier(_ context: String) throws -> Token {
        if check(.identifier) { return advance() }
        if Token.keywords[peek.lexeme] != nil {
            throw error(
                "keyword '\(peek.lexeme)' cannot be used as an identifier here", at: peek,
                notes: [Diagnostic.Note("choose another name")])
        }
        throw error("expected \(context)", at: peek)
    }

    /// Records a diagnostic and returns the error that unwinds to the statement level.
    private mutating func error(_ message: String, at token: Token, notes: [Diagnostic.Note] = []) -> Failure {
        report(message, at: token.span, notes: notes)
        return Failure()
    }

    private mutating func report(_ message: String, at span: SourceSpan, notes: [Diagnostic.Note] = []) {
        diagnostics.append(Diagnostic(.syntax, message, at: span, notes: notes))
    }

    private func span(from start: SourceSpan) -> SourceSpan { start.through(previous.span) }

    // MARK: - Statements

    /// cell = { statement } EOF
    mutating func parseCell() -> [Stmt] {
        var statements: [Stmt] = []
        while !isAtEnd {
            if check(.rightBrace) {
                report("extraneous '}' at top level", at: advance().span, notes: [Diagnostic.Note("remove this brace")])
                continue
            }
            if let statement = statementWithRecovery() { statements.append(statement) }
        }
        return statements
    }

    private mutating func statementWithRecovery() -> Stmt? {
        let start = current
        do {
            return try statement()
        } catch {
            // Always make progress, even when the error is at the statement's first token.
            if current == start && !isAtEnd && !check(.rightBrace) { advance() }
            synchronize()
            return nil
        }
    }

    /// Panic mode: skip to the start of the next statement at this nesting level.
    private mutating func synchronize() {
        var depth = 0
        let startLine = previous.span.end.line
        if current > 0, peek.startsLine, peek.span.start.line > startLine, !check(.rightBrace) { return }
        while !isAtEnd {
            let token = peek
            if depth == 0 {
                if token.kind == .semicolon {
                    advance()
                    return
                }
                if token.kind == .rightBrace { return }
                if token.startsLine && current > 0 && token.span.start.line > startLine { return }
            }
            switch token.kind {
            case .leftBrace, .leftParen, .leftBracket: depth += 1
            case .rightBrace, .rightParen, .rightBracket: depth = max(depth - 1, 0)
            default: break
            }
            advance()
        }
    }

    /// statement = ( declaration | controlFlow | exprStatement ) [ ";" ]
    private mutating func statement() throws -> Stmt {
        let statement: Stmt
        switch peek.kind {
        case .kwLet, .kwVar: statement = try binding()
        case .kwFunc: statement = try function()
        case .kwIf: statement = try ifStatement()
        case .kwGuard: statement = try guardStatement()
        case .kwFor: statement = try forStatement()
        case .kwWhile: statement = try whileStatement()
        case .kwReturn: statement = try returnStatement()
        case .kwBreak: statement = BreakStmt(span: advance().span)
        case .kwContinue: statement = ContinueStmt(span: advance().span)
        case .underscore where current + 1 < tokens.count && tokens[current + 1].kind == .equal:
            // `_ = f()`: evaluate and discard, as a nameless constant.
            let wildcard = advance()
            advance()
            let value = try expression()
            statement = VariableDecl(
                isConstant: true, name: "", nameSpan: wildcard.span, type: nil, initializer: value,
                span: span(from: wildcard.span))
        case .kwElse:
            throw error(
                "'else' without a matching 'if'", at: peek,
                notes: [Diagnostic.Note("'else' must follow the closing '}' of an 'if'")])
        default: statement = try expressionStatement()
        }
        try endOfStatement(statement)
        return statement
    }

    private mutating func endOfStatement(_ statement: Stmt) throws {
        if match(.semicolon) {
            (statement as? ExpressionStmt)?.hasSemicolon = true
            return
        }
        if isAtEnd || check(.rightBrace) || peek.startsLine { return }
        throw error("consecutive statements on a line must be separated by ';'", at: peek)
    }

    /// binding = ( "let" | "var" ) ( IDENT | "_" ) [ typeAnnotation ] "=" expression
    ///         | ( "let" | "var" ) "(" ( IDENT | "_" ) { "," ( IDENT | "_" ) } ")" "=" expression
    private mutating func binding() throws -> Stmt {
        let keyword = advance()
        let isConstant = keyword.kind == .kwLet
        if check(.leftParen) { return try destructuring(keyword) }
        let name = check(.underscore) ? advance() : try expectIdentifier("a name after '\(keyword.lexeme)'")
        let type = match(.colon) ? try typeAnnotation() : nil
        guard match(.equal) else {
            throw error(
                "'\(keyword.lexeme) \(name.lexeme)' needs an initial value", at: peek,
                notes: [Diagnostic.Note("write '\(keyword.lexeme) \(name.lexeme) = …'")])
        }
        let value = try expression()
        return VariableDecl(
            isConstant: isConstant, name: name.kind == .underscore ? "" : name.lexeme, nameSpan: name.span, type: type,
            initializer: value, span: span(from: keyword.span))
    }

    /// `let (a, _) = pair`: the elements of an array, one name (or `_`) each.
    private mutating func destructuring(_ keyword: Token) throws -> Stmt {
        let open = advance()
        var names: [Token] = []
        repeat {
            names.append(check(.underscore) ? advance() : try expectIdentifier("a name in the pattern"))
        } while match(.comma)
        try expect(.rightParen, "to close the pattern", notes: [Diagnostic.Note("to match this '('", at: open.span)])
        if check(.colon) {
            throw error(
                "a pattern takes no type annotation", at: peek,
                notes: [Diagnostic.Note("annotate each name with its own 'let' instead")])
        }
        guard match(.equal) else {
            throw error(
                "'\(keyword.lexeme) (…)' needs an initial value", at: peek,
                notes: [Diagnostic.Note("write '\(keyword.lexeme) (a, b) = pair'")])
        }
        let value = try expression()
        let isConstant = keyword.kind == .kwLet
        let variables = names.map { token in
            VariableDecl(
                isConstant: isConstant, name: token.kind == .underscore ? "" : token.lexeme, nameSpan: token.span,
                type: nil, initializer: value, span: token.span)
        }
        return DestructuringDecl(
            variables: variables, initializer: value, patternSpan: span(from: open.span), span: span(from: keyword.span)
        )
    }

    /// type = ( IDENT | "[" type "]" | "[" type ":" type "]" | "(" … ")" "->" type ) [ "?" ]
    private mutating func typeAnnotation() throws -> TypeAnnotation {
        var type: TypeAnnotation
        if match(.leftBracket) {
            let element = try typeAnnotation()
            if match(.colon) {
                let value = try typeAnnotation()
                try expect(.rightBracket, "to close the dictionary type")
                type = .dictionary(element, value)
            } else {
                try expect(.rightBracket, "to close the array type")
                type = .array(element)
            }
        } else if check(.leftParen) {
            let start = advance()
            var parameters: [String] = []
            while !check(.rightParen) && !isAtEnd {
                parameters.append(try typeAnnotation().description)
                if !match(.comma) { break }
            }
            try expect(.rightParen, "to close the function type's parameters")
            try expect(.arrow, "in a function type", notes: [Diagnostic.Note("write '(Int) -> Int'")])
            let result = try typeAnnotation()
            type = .function("(\(parameters.joined(separator: ", "))) -> \(result)")
            _ = start
        } else {
            let name = try expectIdentifier("a type name")
            type = .named(name.lexeme)
        }
        if check(.question) && !peek.startsLine {
            advance()
            type = .optional(type)
        }
        return type
    }

    /// function = "func" IDENT "(" [ parameter { "," parameter } [ "," ] ] ")" [ "->" type ] block
    private mutating func function() throws -> Stmt {
        let keyword = advance()
        let name = try expectIdentifier("a function name after 'func'")
        try expect(.leftParen, "after the function name")
        var parameters: [Parameter] = []
        let saved = nesting
        nesting = saved.insideBrackets
        while !check(.rightParen) && !isAtEnd {
            parameters.append(try parameter())
            if !match(.comma) { break }
        }
        nesting = saved
        try expect(.rightParen, "to close the parameter list")
        // A list, not a Set<String>: a function has a few parameters, and growing the standard library's
        // Set<String> the first time scans every protocol conformance in the binary (~0.7 M instructions).
        var seen: [String] = []
        for parameter in parameters where parameter.name != "_" {
            if seen.contains(parameter.name) {
                report("invalid redeclaration of parameter '\(parameter.name)'", at: parameter.nameSpan)
            } else {
                seen.append(parameter.name)
            }
        }
        let returnType = match(.arrow) ? try typeAnnotation() : nil
        let body = try block("in the body of function '\(name.lexeme)'")
        return FunctionDecl(
            name: name.lexeme, nameSpan: name.span, parameters: parameters, returnType: returnType,
            body: body.statements, isClosure: false, span: span(from: keyword.span))
    }

    /// parameter = [ IDENT | "_" ] IDENT [ typeAnnotation ] [ "=" expression ]
    private mutating func parameter() throws -> Parameter {
        var label: String?
        let first = peek
        if match(.underscore) {
            label = nil
        } else {
            label = try labelToken("a parameter name").lexeme
        }
        var nameToken = first
        if check(.identifier) || check(.underscore) {
            nameToken = advance()  // `_ x`, `label x`, or an unused parameter: `_ _`, `label _`
        } else if first.kind == .underscore && !check(.colon) {
            // `_: Int` is an unused, unlabelled parameter, as in Swift.
            throw error("expected a parameter name after '_'", at: peek)
        }
        let type = match(.colon) ? try typeAnnotation() : nil
        let defaultValue = match(.equal) ? try expression() : nil
        return Parameter(
            label: label, name: nameToken.lexeme, nameSpan: nameToken.span, type: type, defaultValue: defaultValue)
    }

    /// Argument labels and parameter labels may be keywords (`in:`, `for:`), as in Swift.
    private mutating func labelToken(_ context: String) throws -> Token {
        if check(.identifier) || Token.keywords[peek.lexeme] != nil { return advance() }
        throw error("expected \(context)", at: peek)
    }

    /// block = "{" { statement } "}"
    private mutating func block(_ context: String) throws -> BlockStmt {
        let open = try expect(.leftBrace, context)
        let saved = nesting
        nesting = Nesting.insideBraces
        defer { nesting = saved }
        var statements: [Stmt] = []
        while !check(.rightBrace) && !isAtEnd {
            if let statement = statementWithRecovery() { statements.append(statement) }
        }
        guard match(.rightBrace) else {
            throw error(
                "expected '}' \(context)", at: peek,
                notes: [Diagnostic.Note("to match this opening '{'", at: open.span)]
            )
        }
        return BlockStmt(statements: statements, span: span(from: open.span))
    }

    /// ifStatement = "if" conditionList block [ "else" ( ifStatement | block ) ]
    private mutating func ifStatement() throws -> Stmt {
        let keyword = advance()
        let conditions = try conditionList()
        let thenBranch = try block("in the 'if' body")
        var elseBranch: Stmt?
        if match(.kwElse) {
            elseBranch = check(.kwIf) ? try ifStatement() : try block("in the 'else' body")
        }
        return IfStmt(
            conditions: conditions, thenBranch: thenBranch, elseBranch: elseBranch, span: span(from: keyword.span))
    }

    /// guardStatement = "guard" conditionList "else" block
    private mutating func guardStatement() throws -> Stmt {
        let keyword = advance()
        let conditions = try conditionList()
        try expect(
            .kwElse, "after the 'guard' condition", notes: [Diagnostic.Note("write 'guard condition else { … }'")])
        let elseBranch = try block("in the 'guard' body")
        return GuardStmt(conditions: conditions, elseBranch: elseBranch, span: span(from: keyword.span))
    }

    /// conditionList = condition { "," condition }; condition = expression | "let" IDENT [ "=" expression ]
    private mutating func conditionList() throws -> [Condition] {
        let saved = allowsTrailingClosure
        allowsTrailingClosure = false
        defer { allowsTrailingClosure = saved }
        var conditions: [Condition] = []
        repeat {
            if check(.kwLet) || check(.kwVar) {
                let keyword = advance()
                let name = try expectIdentifier("a name after '\(keyword.lexeme)'")
                let value: Expr =
                    match(.equal) ? try expression() : VariableExpr(name: name.lexeme, span: name.span)
                conditions.append(
                    .binding(
                        VariableDecl(
                            isConstant: keyword.kind == .kwLet, name: name.lexeme, nameSpan: name.span, type: nil,
                            initializer: value, span: span(from: keyword.span))))
            } else {
                conditions.append(.expression(try expression()))
            }
        } while match(.comma)
        return conditions
    }

    /// forStatement = "for" ( IDENT | "_" | "(" IDENT { "," IDENT } ")" ) "in" expression block
    private mutating func forStatement() throws -> Stmt {
        let keyword = advance()
        var names: [Token] = []
        var isPattern = false
        if match(.leftParen) {
            isPattern = true
            repeat {
                names.append(check(.underscore) ? advance() : try expectIdentifier("a loop variable"))
            } while match(.comma)
            try expect(.rightParen, "to close the loop pattern")
        } else if check(.underscore) {
            names.append(advance())
        } else {
            names.append(try expectIdentifier("a loop variable after 'for'"))
        }
        try expect(.kwIn, "after the loop variable", notes: [Diagnostic.Note("write 'for item in sequence { … }'")])
        let saved = allowsTrailingClosure
        allowsTrailingClosure = false
        let sequence = try expression()
        allowsTrailingClosure = saved
        let body = try block("in the 'for' body")
        let variables = names.map { token in
            VariableDecl(
                isConstant: true, name: token.kind == .underscore ? "" : token.lexeme, nameSpan: token.span,
                type: nil, initializer: sequence, span: token.span)
        }
        return ForStmt(
            variables: variables, isPattern: isPattern, sequence: sequence, body: body, span: span(from: keyword.span))
    }

    /// whileStatement = "while" expression block
    private mutating func whileStatement() throws -> Stmt {
        let keyword = advance()
        let saved = allowsTrailingClosure
        allowsTrailingClosure = false
        let condition = try expression()
        allowsTrailingClosure = saved
        let body = try block("in the 'while' body")
        return WhileStmt(condition: condition, body: body, span: span(from: keyword.span))
    }

    private mutating func returnStatement() throws -> Stmt {
        let keyword = advance()
        if isAtEnd || check(.rightBrace) || check(.semicolon) || peek.startsLine {
            return ReturnStmt(value: nil, span: keyword.span)
        }
        let value = try expression()
        return ReturnStmt(value: value, span: span(from: keyword.span))
    }

    /// exprStatement = expression [ assignOperator expression ]
    private mutating func expressionStatement() throws -> Stmt {
        let target = try expression()
        if Precedence.assignment.contains(peek.kind) && !peek.startsLine {
            let op = advance()
            let value = try expression()
            guard target is VariableExpr || target is SubscriptExpr || target is MemberExpr else {
                report(
                    "cannot assign to this expression", at: target.span,
                    notes: [Diagnostic.Note("assign to a variable, a subscript or a property")])
                throw Failure()
            }
            return AssignmentStmt(target: target, op: op.kind, opSpan: op.span, value: value)
        }
        return ExpressionStmt(expression: target)
    }

    // MARK: - Expressions

    /// expression = ternary
    mutating func expression() throws -> Expr {
        try ternary()
    }

    /// ternary = disjunction [ "?" expression ":" ternary ]
    private mutating func ternary() throws -> Expr {
        let condition = try binary(minimumPrecedence: 1)
        // A `?` can never start a statement, so a line starting with it continues the ternary.
        guard check(.question) else { return condition }
        advance()
        let thenBranch = try expression()
        try expect(.colon, "in the ternary expression", notes: [Diagnostic.Note("write 'condition ? a : b'")])
        let elseBranch = try ternary()
        return TernaryExpr(condition: condition, thenBranch: thenBranch, elseBranch: elseBranch)
    }

    /// disjunction … multiplicative: precedence climbing over the table in Precedence.swift.
    private mutating func binary(minimumPrecedence: Int) throws -> Expr {
        var left = try prefix()
        while let info = Precedence.infix[peek.kind], info.precedence >= minimumPrecedence {
            // A line that starts with a binary operator does not continue the previous line.
            if peek.startsLine && bracketDepth == 0 { break }
            let op = advance()
            let next = info.associativity == .right ? info.precedence : info.precedence + 1
            let right = try binary(minimumPrecedence: next)
            if info.associativity == .none, let following = Precedence.infix[peek.kind],
                following.precedence == info.precedence, !peek.startsLine || bracketDepth > 0
            {
                throw error(
                    "adjacent operators are in non-associative precedence group '\(info.group)'", at: peek,
                    notes: [Diagnostic.Note("add parentheses, or join comparisons with '&&'")])
            }
            left = BinaryExpr(op: op.kind, opSpan: op.span, left: left, right: right)
        }
        return left
    }

    /// prefix = [ "-" | "!" ] postfix
    private mutating func prefix() throws -> Expr {
        if check(.minus) || check(.bang) {
            let op = advance()
            if op.kind == .minus, check(.integer), peek.span.start == op.span.end {
                // Fold `-123` so that Int.min is a valid literal.
                let literal = advance()
                let expression = try postfix(integerLiteral(literal, negative: true))
                return expression
            }
            let operand = try prefix()
            return UnaryExpr(op: op.kind, operand: operand, span: op.span.through(operand.span))
        }
        return try postfix(primary())
    }

    /// postfix = primary { "." IDENT | "[" arguments "]" | callSuffix }
    private mutating func postfix(_ start: Expr) throws -> Expr {
        var expression = start
        while true {
            if check(.dot) {
                // A line starting with `.name` continues a method chain.
                advance()
                let name: Token
                if check(.identifier) || Token.keywords[peek.lexeme] != nil {
                    name = advance()
                } else {
                    throw error("expected a member name after '.'", at: peek)
                }
                expression = MemberExpr(object: expression, name: name.lexeme, nameSpan: name.span)
            } else if check(.leftParen) && !peek.startsLine {
                expression = try call(expression)
            } else if check(.leftBracket) && !peek.startsLine {
                let open = advance()
                let arguments = try argumentList(closing: .rightBracket, context: "to close the subscript")
                expression = SubscriptExpr(
                    object: expression, arguments: arguments, span: expression.span.through(previous.span))
                _ = open
            } else if check(.bang) && peek.span.start == previous.span.end {
                // Swift's force unwrap, written right after an expression: say why there is none.
                throw error(
                    "Rigor has no force unwrap '!'", at: peek,
                    notes: [
                        Diagnostic.Note(
                            "values are never optional here: use the value as it is, or handle nil with "
                                + "'if let', 'guard let' or '?? default'")
                    ])
            } else if check(.question) && peek.span.start == previous.span.end && peek(1).kind == .dot
                && peek(1).span.start == peek.span.end
            {
                throw error(
                    "Rigor has no optional chaining '?.'", at: peek,
                    notes: [
                        Diagnostic.Note(
                            "values are never optional here: use the member directly, or handle nil first with "
                                + "'if let', 'guard let' or '?? default'")
                    ])
            } else if check(.leftBrace) && !peek.startsLine && allowsTrailingClosure {
                let closure = try closureExpression()
                expression = CallExpr(
                    callee: expression, arguments: [Argument(label: nil, labelSpan: nil, value: closure)],
                    hasTrailingClosure: true, parenSpan: closure.span, span: expression.span.through(closure.span))
            } else {
                return expression
            }
        }
    }

    /// callSuffix = "(" [ arguments ] ")" [ closure ]
    private mutating func call(_ callee: Expr) throws -> Expr {
        let open = advance()
        var arguments = try argumentList(closing: .rightParen, context: "to close the argument list")
        let parenSpan = open.span.through(previous.span)
        var trailing = false
        if check(.leftBrace) && !peek.startsLine && allowsTrailingClosure {
            arguments.append(Argument(label: nil, labelSpan: nil, value: try closureExpression()))
            trailing = true
        }
        return CallExpr(
            callee: callee, arguments: arguments, hasTrailingClosure: trailing, parenSpan: parenSpan,
            span: callee.span.through(previous.span))
    }

    /// arguments = argument { "," argument } [ "," ]; argument = [ IDENT ":" ] expression
    private mutating func argumentList(closing: TokenKind, context: String) throws -> [Argument] {
        let open = previous
        let saved = nesting
        nesting = saved.insideBrackets
        defer { nesting = saved }
        var arguments: [Argument] = []
        while !check(closing) && !isAtEnd {
            var label: Token?
            if peek(1).kind == .colon && (check(.identifier) || Token.keywords[peek.lexeme] != nil) {
                label = advance()
                advance()
            }
            let value = try expression()
            arguments.append(Argument(label: label?.lexeme, labelSpan: label?.span, value: value))
            if !match(.comma) { break }
        }
        guard match(closing) else {
            if isAtEnd {
                throw error(
                    "expected '\(closing.spelling)' \(context)", at: peek,
                    notes: [Diagnostic.Note("to match this opening '\(open.kind.spelling)'", at: open.span)])
            }
            throw error("expected ',' or '\(closing.spelling)' in the argument list", at: peek)
        }
        return arguments
    }

    /// primary = literal | IDENT | "$" DIGITS | implicitMember | "(" expression ")" | array | dictionary | closure
    private mutating func primary() throws -> Expr {
        let token = peek
        switch token.kind {
        case .integer:
            advance()
            return integerLiteral(token, negative: false)
        case .float:
            advance()
            return LiteralExpr(.double(Double(Self.withoutSeparators(token.lexeme)) ?? .nan), span: token.span)
        case .string:
            advance()
            return try stringLiteral(token)
        case .kwTrue:
            advance()
            return LiteralExpr(.bool(true), span: token.span)
        case .kwFalse:
            advance()
            return LiteralExpr(.bool(false), span: token.span)
        case .kwNil:
            advance()
            return LiteralExpr(.nil, span: token.span)
        case .identifier:
            advance()
            return VariableExpr(name: token.lexeme, span: token.span)
        case .dollar:
            advance()
            guard let index = Int(token.lexeme.dropFirst()) else {
                throw error("invalid anonymous closure argument '\(token.lexeme)'", at: token)
            }
            return DollarExpr(index: index, span: token.span)
        case .dot:
            advance()
            let name = try labelToken("a member name after '.'")
            var arguments: [Argument]?
            if check(.leftParen) && !peek.startsLine {
                advance()
                arguments = try argumentList(closing: .rightParen, context: "to close the argument list")
            }
            return ImplicitMemberExpr(name: name.lexeme, arguments: arguments, span: span(from: token.span))
        case .leftParen:
            advance()
            let saved = nesting
            nesting = saved.insideBrackets
            defer { nesting = saved }
            let inner = try expression()
            if check(.comma) {
                throw error(
                    "tuples are not supported", at: peek, notes: [Diagnostic.Note("use an array: [a, b]")])
            }
            guard match(.rightParen) else {
                throw error(
                    "expected ')' to close the parenthesized expression", at: peek,
                    notes: [Diagnostic.Note("to match this opening '('", at: token.span)])
            }
            return inner
        case .leftBracket:
            return try collectionLiteral()
        case .leftBrace:
            return try closureExpression()
        default:
            if Precedence.operatorFunctions.contains(token.kind), peek(1).kind == .comma || peek(1).kind == .rightParen
            {
                advance()
                return OperatorFunctionExpr(op: token.kind, span: token.span)
            }
            if token.kind == .endOfFile {
                throw error("expected expression", at: token)
            }
            if Token.keywords[token.lexeme] != nil {
                throw error("expected expression, found keyword '\(token.lexeme)'", at: token)
            }
            if token.kind == .underscore {
                throw error(
                    "'_' can only appear in a pattern or on the left side of an assignment", at: token,
                    notes: [Diagnostic.Note("'_' discards a value: '_ = f()', 'let (a, _) = pair', 'for _ in 0..<n'")])
            }
            if token.startsLine, Precedence.infix[token.kind] != nil {
                throw error(
                    "expected expression, found \(token.kind.diagnosticName)", at: token,
                    notes: [
                        Diagnostic.Note(
                            "a line that starts with an operator does not continue the line before; end that line with the operator instead"
                        )
                    ])
            }
            throw error("expected expression, found \(token.kind.diagnosticName)", at: token)
        }
    }

    /// A number literal's text without its `_` digit separators. (Foundation's `replacingOccurrences` went through
    /// NSString, and its first call cost two runtime conformance scans, ~1.1 M instructions, on every start.)
    private static func withoutSeparators(_ lexeme: String) -> String {
        lexeme.utf8.contains(UInt8(ascii: "_")) ? String(lexeme.filter { $0 != "_" }) : lexeme
    }

    private mutating func integerLiteral(_ token: Token, negative: Bool) -> Expr {
        let digits = (negative ? "-" : "") + Self.withoutSeparators(token.lexeme)
        guard let value = Int(digits) else {
            report(
                "integer literal '\(digits)' overflows when stored into 'Int'", at: token.span,
                notes: [
                    Diagnostic.Note(
                        "Int holds -9223372036854775808 … 9223372036854775807; write a Double as \(digits).0")
                ])
            return LiteralExpr(.int(0), span: token.span)
        }
        return LiteralExpr(.int(value), span: token.span)
    }

    private mutating func stringLiteral(_ token: Token) throws -> Expr {
        if token.stringParts.count == 1, case .text(let text) = token.stringParts[0] {
            return LiteralExpr(.string(text), span: token.span)
        }
        var parts: [InterpolatedStringExpr.Part] = []
        for part in token.stringParts {
            switch part {
            case .text(let text):
                parts.append(.text(text))
            case .interpolation(let innerTokens, let span):
                var inner = Parser(tokens: innerTokens, source: source)
                if innerTokens.count == 1 {
                    report("empty string interpolation", at: span, notes: [Diagnostic.Note("write '\\(value)'")])
                    continue
                }
                if let expression = try? inner.expression() {
                    if !inner.isAtEnd {
                        inner.report("expected ')' to end the interpolation", at: inner.peek.span)
                    }
                    parts.append(.expression(expression))
                }
                diagnostics.append(contentsOf: inner.diagnostics)
            }
        }
        return InterpolatedStringExpr(parts: parts, span: token.span)
    }

    /// arrayLiteral = "[" [ expression { "," expression } [ "," ] ] "]";
    /// dictionaryLiteral = "[" ( ":" | entry { "," entry } [ "," ] ) "]"
    private mutating func collectionLiteral() throws -> Expr {
        let open = advance()
        let saved = nesting
        nesting = saved.insideBrackets
        defer { nesting = saved }
        if match(.colon) {
            try expect(.rightBracket, "in the empty dictionary literal '[:]'")
            return DictionaryLiteralExpr(entries: [], span: span(from: open.span))
        }
        var elements: [Expr] = []
        var entries: [(key: Expr, value: Expr)] = []
        var isDictionary = false
        while !check(.rightBracket) && !isAtEnd {
            let first = try expression()
            if elements.isEmpty && entries.isEmpty && check(.colon) { isDictionary = true }
            if isDictionary {
                try expect(.colon, "between the key and the value of a dictionary entry")
                entries.append((first, try expression()))
            } else {
                elements.append(first)
            }
            if !match(.comma) { break }
        }
        guard match(.rightBracket) else {
            throw error(
                "expected ']' to close the \(isDictionary ? "dictionary" : "array") literal", at: peek,
                notes: [Diagnostic.Note("to match this opening '['", at: open.span)])
        }
        if isDictionary { return DictionaryLiteralExpr(entries: entries, span: span(from: open.span)) }
        return ArrayLiteralExpr(elements: elements, span: span(from: open.span))
    }

    /// closure = "{" [ closureParameters "in" ] { statement } "}"
    private mutating func closureExpression() throws -> Expr {
        let open = advance()
        let signature = closureSignature()
        let saved = nesting
        nesting = Nesting.insideBraces
        defer { nesting = saved }
        var statements: [Stmt] = []
        while !check(.rightBrace) && !isAtEnd {
            if let statement = statementWithRecovery() { statements.append(statement) }
        }
        guard match(.rightBrace) else {
            throw error(
                "expected '}' at the end of the closure", at: peek,
                notes: [Diagnostic.Note("to match this opening '{'", at: open.span)])
        }
        let span = span(from: open.span)
        let function = FunctionDecl(
            name: "", nameSpan: open.span, parameters: signature?.parameters ?? [],
            returnType: signature?.returnType, body: statements, isClosure: true, span: span)
        return ClosureExpr(function: function, span: span)
    }

    /// closureParameters = IDENT { "," IDENT } | "(" [ param { "," param } ] ")" [ "->" type ], followed by
    /// "in"; param = IDENT [ ":" type ]. A typed parameter converts its argument as a function's does
    /// (`{ (x: Double) in x / 4 }` divides reals), and a return type converts the result. Returns nil, consuming
    /// nothing and reporting nothing, when the closure has no parameter list.
    private mutating func closureSignature() -> (parameters: [Parameter], returnType: TypeAnnotation?)? {
        let start = current
        let reported = diagnostics.count
        func noSignature(_ parser: inout Parser) -> (parameters: [Parameter], returnType: TypeAnnotation?)? {
            parser.current = start
            parser.diagnostics.removeSubrange(reported...)
            return nil
        }
        let parenthesized = match(.leftParen)
        var parameters: [Parameter] = []
        while check(.identifier) || check(.underscore) {
            let name = advance()
            var type: TypeAnnotation?
            if match(.colon) {
                guard let annotation = try? typeAnnotation() else { return noSignature(&self) }
                type = annotation
            }
            parameters.append(
                Parameter(
                    label: nil, name: name.kind == .underscore ? "_" : name.lexeme, nameSpan: name.span, type: type,
                    defaultValue: nil))
            if !match(.comma) { break }
        }
        var returnType: TypeAnnotation?
        if parenthesized {
            guard match(.rightParen) else { return noSignature(&self) }
            if match(.arrow) {
                guard let annotation = try? typeAnnotation() else { return noSignature(&self) }
                returnType = annotation
            }
        }
        guard check(.kwIn), parenthesized || !parameters.isEmpty else { return noSignature(&self) }
        advance()
        return (parameters, returnType)
    }
}
