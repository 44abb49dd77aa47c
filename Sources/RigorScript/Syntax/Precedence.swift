/// Precedence: the binary operator table, loosest to tightest, in Swift's order (clox's `rules[]`).
enum Associativity {
    case left, right, none
}

struct OperatorInfo {
    let precedence: Int
    let associativity: Associativity
    /// Swift's name for the group, used in "adjacent operators" diagnostics.
    let group: String
}

enum Precedence {
    static let infix: [TokenKind: OperatorInfo] = {
        var table: [TokenKind: OperatorInfo] = [:]
        func add(_ kinds: [TokenKind], _ precedence: Int, _ associativity: Associativity, _ group: String) {
            for kind in kinds {
                table[kind] = OperatorInfo(precedence: precedence, associativity: associativity, group: group)
            }
        }
        add([.pipePipe], 1, .left, "LogicalDisjunctionPrecedence")
        add([.ampAmp], 2, .left, "LogicalConjunctionPrecedence")
        add([.equalEqual, .bangEqual, .less, .lessEqual, .greater, .greaterEqual], 3, .none, "ComparisonPrecedence")
        add([.questionQuestion], 4, .right, "NilCoalescingPrecedence")
        add([.halfOpenRange, .closedRange], 5, .none, "RangeFormationPrecedence")
        add([.plus, .minus], 6, .left, "AdditionPrecedence")
        add([.star, .slash, .percent], 7, .left, "MultiplicationPrecedence")
        return table
    }()

    /// The operators that can be passed as functions: `reduce(0, +)`.
    static let operatorFunctions: Set<TokenKind> = [
        .plus, .minus, .star, .slash, .percent, .equalEqual, .bangEqual, .less, .lessEqual, .greater, .greaterEqual,
        .ampAmp, .pipePipe,
    ]

    static let assignment: Set<TokenKind> = [.equal, .plusEqual, .minusEqual, .starEqual, .slashEqual]
}
