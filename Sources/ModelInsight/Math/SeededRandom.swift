// SeededRandom: Double-precision draws from the engine's seeded generator (xoshiro256**), so every method is
// reproducible from its seed.
import Foundation
import TensorCore

struct SeededRandom {
    var generator: RandomGenerator

    init(seed: UInt64) { generator = RandomGenerator(seed: seed) }

    /// Uniform in [0, 1) with 53 random bits.
    mutating func uniform() -> Double { Double(generator.next() >> 11) * 0x1p-53 }

    /// Standard normal (Box–Muller in Double).
    mutating func normal() -> Double {
        let u1 = (Double(generator.next() >> 11) + 1) * 0x1p-53
        let u2 = Double(generator.next() >> 11) * 0x1p-53
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Uniform integer in 0..<bound.
    mutating func int(below bound: Int) -> Int { generator.nextInt(below: bound) }

    /// A uniformly random permutation of 0..<count (Fisher–Yates).
    mutating func permutation(_ count: Int) -> [Int] {
        var result = Array(0..<count)
        for i in stride(from: count - 1, to: 0, by: -1) { result.swapAt(i, int(below: i + 1)) }
        return result
    }

    /// `count` distinct values of 0..<n, uniformly (the first `count` steps of a Fisher–Yates shuffle), in `scratch`
    /// (which must hold 0..<n in some order; it stays a permutation).
    mutating func sample(_ count: Int, from scratch: inout [Int]) -> ArraySlice<Int> {
        let n = scratch.count
        for i in 0..<min(count, n) { scratch.swapAt(i, i + int(below: n - i)) }
        return scratch[0..<min(count, n)]
    }

    /// An index drawn with probability proportional to `weights`.
    mutating func choose(weights: [Double], total: Double) -> Int {
        var target = uniform() * total
        for (index, weight) in weights.enumerated() {
            target -= weight
            if target < 0 { return index }
        }
        return weights.count - 1
    }
}
