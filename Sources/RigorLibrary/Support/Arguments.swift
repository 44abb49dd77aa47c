// Arguments: parameter declarations several families share.
import RigorScript

/// A `seed:` argument and whether it was written: `seed: Int = 0` in the signature, but a call that leaves it out
/// is told which seed it used (the `unseeded` check).
struct Seed: Sendable {
    let value: Int
    let isGiven: Bool
    var generatorSeed: UInt64 { UInt64(value) }
}

extension Arg where T == Seed {
    /// `seed: Int = 0`, remembering whether the call wrote it.
    static func trackedSeed() -> Arg<Seed> {
        Arg<Seed>("seed", type: "Int", defaultValue: .nil, text: "0", bounds: "≥ 0") { value, _ in
            if value.isNil { return Seed(value: 0, isGiven: false) }
            guard case .int(let seed) = value else { return nil }
            guard seed >= 0 else { throw BuiltinError(.value, "'seed' must be at least 0, not \(seed)") }
            return Seed(value: seed, isGiven: true)
        }
    }
}
