// Splitting: seeded, optionally stratified train/validation/test splits and k-fold cross-validation indices.
import TensorCore

/// Seeded index splits. Stratified versions keep each class's proportion in every part.
public enum Splitting {
    /// Splits `0..<labels.count` into parts of the given `fractions` (summing to 1), class by class so that each part
    /// keeps the class proportions; each part's indices are shuffled.
    ///
    /// ```swift
    /// let parts = try Splitting.stratifiedSplit(labels: labels, fractions: [0.7, 0.15, 0.15], seed: 0)
    /// ```
    public static func stratifiedSplit(labels: [Int], fractions: [Double], seed: UInt64) throws -> [[Int]] {
        try checkFractions(fractions)
        var generator = RandomGenerator(seed: seed)
        var parts = [[Int]](repeating: [], count: fractions.count)
        let classes = Dictionary(grouping: labels.indices, by: { labels[$0] })
        for label in classes.keys.sorted() {
            let members = shuffled(classes[label]!, using: &generator)
            let sizes = allocate(members.count, fractions: fractions)
            var start = 0
            for (part, size) in sizes.enumerated() {
                parts[part] += members[start..<(start + size)]
                start += size
            }
        }
        return parts.map { shuffled($0, using: &generator) }
    }

    /// Splits `0..<count` at random into parts of the given `fractions`.
    public static func randomSplit(count: Int, fractions: [Double], seed: UInt64) throws -> [[Int]] {
        try checkFractions(fractions)
        var generator = RandomGenerator(seed: seed)
        let order = shuffled(Array(0..<count), using: &generator)
        var start = 0
        return allocate(count, fractions: fractions).map { size in
            defer { start += size }
            return Array(order[start..<(start + size)])
        }
    }

    /// `folds` (train, validation) index pairs; every index is in exactly one validation part. With `labels`, folds are
    /// stratified (each class dealt round-robin over the folds after a seeded shuffle).
    public static func kFold(
        count: Int, folds: Int, labels: [Int]? = nil, seed: UInt64
    ) throws
        -> [(train: [Int], validation: [Int])]
    {
        guard folds >= 2, folds <= count else {
            throw NeuralNetworkError("kFold", "need 2 ≤ folds ≤ \(count), got \(folds)")
        }
        if let labels, labels.count != count {
            throw NeuralNetworkError("kFold", "\(labels.count) labels for \(count) examples")
        }
        // Every fold lists every index once (train or validation), plus the assignment and a shuffled copy.
        try MemoryBudget.check(
            count: MemoryBudget.scalarCount(of: [count, folds + 2]), scalarBytes: MemoryLayout<Int>.stride,
            operation: "kFold", shapes: [])
        var generator = RandomGenerator(seed: seed)
        var assignment = [Int](repeating: 0, count: count)
        if let labels {
            let classes = Dictionary(grouping: 0..<count, by: { labels[$0] })
            var next = 0
            for label in classes.keys.sorted() {
                for index in shuffled(classes[label]!, using: &generator) {
                    assignment[index] = next % folds
                    next += 1
                }
            }
        } else {
            for (position, index) in shuffled(Array(0..<count), using: &generator).enumerated() {
                assignment[index] = position % folds
            }
        }
        return (0..<folds).map { fold in
            (
                train: (0..<count).filter { assignment[$0] != fold },
                validation: (0..<count).filter { assignment[$0] == fold }
            )
        }
    }

    static func checkFractions(_ fractions: [Double]) throws {
        guard !fractions.isEmpty, fractions.allSatisfy({ $0 >= 0 }), abs(fractions.reduce(0, +) - 1) < 1e-6 else {
            throw NeuralNetworkError("split", "fractions must be non-negative and sum to 1, got \(fractions)")
        }
    }

    /// Sizes for `count` items by largest remainder, so they sum to `count`.
    static func allocate(_ count: Int, fractions: [Double]) -> [Int] {
        let exact = fractions.map { $0 * Double(count) }
        var sizes = exact.map { Int($0.rounded(.down)) }
        let order = exact.indices.sorted { (exact[$0] - Double(sizes[$0])) > (exact[$1] - Double(sizes[$1])) }
        var remaining = count - sizes.reduce(0, +)
        for index in order where remaining > 0 {
            sizes[index] += 1
            remaining -= 1
        }
        return sizes
    }

    static func shuffled(_ values: [Int], using generator: inout RandomGenerator) -> [Int] {
        var values = values
        var index = values.count - 1
        while index > 0 {
            values.swapAt(index, generator.nextInt(below: index + 1))
            index -= 1
        }
        return values
    }
}
