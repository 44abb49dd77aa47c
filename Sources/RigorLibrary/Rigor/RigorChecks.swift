// RigorChecks: the session's memory for the rigor checks (which are on, what a cell already said, which test scores
// a model has shown) and the one door every warning goes out of: once per check and cause per cell, as a styled box
// in a notebook or text on stderr, and into the run log with the run it belongs to.
import Foundation
import RigorScript

/// What the rigor checks remember for one session.
final class RigorChecks {
    /// Checks turned off with `rigorCheck(.x, enabled: false)`.
    var disabled: Set<RigorCheck> = []
    /// How many search objectives are running: a trial's overfitting is what its objective value measures (and what
    /// a pruner cuts short), so the overfitting check stays quiet inside one.
    var objectivesRunning = 0
    /// Every random operation this session ran, oldest first, one entry per operation, seed and cell (a loop of
    /// calls counts them): the seeds `reproducibility()` lists.
    private(set) var randomOperations: [RandomOperation] = []
    private var randomOperationIndex: [String: Int] = [:]
    /// The execution the last warning was shown in, and what it showed (check and cause).
    private var shownIn = -1
    private var shown: Set<String> = []

    /// The session's checks (kept in the call context, created on first use).
    static func of(_ context: CallContext) -> RigorChecks {
        let key = ObjectIdentifier(RigorChecks.self)
        if let checks = context.libraryState[key] as? RigorChecks { return checks }
        let checks = RigorChecks()
        context.libraryState[key] = checks
        return checks
    }

    /// Notes that `operation` ran with `seed` in the cell `origin` ("In[5]", or "" outside a notebook).
    func noteRandom(_ operation: String, seed: Seed, origin: String) {
        let key = "\(operation)\u{0}\(seed.value)\u{0}\(seed.isGiven)\u{0}\(origin)"
        if let index = randomOperationIndex[key] {
            randomOperations[index].count += 1
        } else {
            randomOperationIndex[key] = randomOperations.count
            randomOperations.append(
                RandomOperation(name: operation, seed: seed.value, isGiven: seed.isGiven, origin: origin))
        }
    }

    /// Whether `check` is on.
    func isEnabled(_ check: RigorCheck) -> Bool { !disabled.contains(check) }

    /// Shows `warning` unless its check is off or the same check and cause already spoke in this cell; records it
    /// with `recording`'s run. Returns whether it was shown.
    @discardableResult
    func warn(_ warning: RigorWarning, in context: CallContext, recording: RunRecording? = nil) -> Bool {
        guard isEnabled(warning.check) else { return false }
        if context.executionIndex != shownIn {
            shownIn = context.executionIndex
            shown = []
        }
        guard shown.insert("\(warning.check.rawValue)\u{0}\(warning.cause)").inserted else { return false }
        if let host = context.host as? RichOutputHost {
            host.display(warning.mimeBundle, id: "rigor-warning-" + UUID().uuidString.lowercased())
        } else {
            context.write(warning.plainText, to: .standardError)
        }
        recording?.warning(warning)
        return true
    }
}

/// A random operation and the seed it used: `split` with seed 42 in In[3], written or defaulted, and how many calls.
struct RandomOperation {
    let name: String
    let seed: Int
    let isGiven: Bool
    let origin: String
    var count = 1

    /// `42 (split In[3])`, `0, not written (Study In[5], 3 calls)`.
    var text: String {
        let place = origin.isEmpty ? name : "\(name) \(origin)"
        return "\(seed)\(isGiven ? "" : ", not written") (\(place)\(count > 1 ? ", \(count) calls" : ""))"
    }
}

extension RigorLibrary {
    static func registerRigor(in registry: BuiltinRegistry) {
        registry.beginFamily("Rigor")
        let checks = Choices<RigorCheck>(
            "RigorCheck", noun: "check",
            RigorCheck.allCases.map { check in
                Choices.Choice(check.memberName, doc: rigorCheckDoc(check)) { check }
            })
        registry.register(checks)
        registry.function(
            "rigorCheck", Arg(nil, "check", choices: checks), Arg<Bool>("enabled"),
            doc: "Turns one rigor check on or off for this session (all are on at the start): the honest way to "
                + "silence a warning you have read and mean to accept, written in the notebook for a reader to see. "
                + "Returns nothing; the checks are described in docs/rigor.md.",
            example: "rigorCheck(.overfitting, enabled: false)   // this study shows overfitting on purpose"
        ) { context, check, enabled in
            let state = RigorChecks.of(context)
            if enabled { state.disabled.remove(check) } else { state.disabled.insert(check) }
        }
    }

    private static func rigorCheckDoc(_ check: RigorCheck) -> String {
        switch check {
        case .testSplit:
            "The test split used by `fit`'s validation, early stopping, a search objective or a second final score."
        case .preprocessingLeak: "A scaler fitted on rows outside the training split."
        case .sharedRows: "Rows in both the training part and the validation or test part of a split."
        case .unseeded: "A random operation called without `seed:`."
        case .explodingLoss: "A fit whose loss grew a thousandfold (the fit stops)."
        case .overfitting: "Validation loss rising for several epochs while the training loss falls."
        }
    }
}
