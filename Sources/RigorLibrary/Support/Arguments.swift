// Arguments: parameter declarations several families share.
import RigorScript

extension Arg where T == Int {
    /// `seed: Int = 0`: the seed of a random generator, never negative (the body reads it as `UInt64(seed)`).
    static func seed(default value: Int = 0) -> Arg<Int> { Arg("seed", default: value, bound: .atLeast(0)) }
}
