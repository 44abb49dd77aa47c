import NeuralNetworks
import TensorCore
import Testing

@testable import Deployment

/// Magnitude (per layer, global), channel and 2:4 pruning; masks that survive training; the sparsity table.
@Suite struct PruningTests {
    func model() throws -> Sequential {
        try Sequential(
            [
                Conv2D(1, 6, kernelSize: 3, padding: 1, activation: .relu), MaxPool2D(2), Flatten(),
                Dense(6 * 4 * 4, 16, activation: .relu), Dense(16, 3),
            ], seed: 7)
    }

    @Test func magnitudePerLayerRemovesTheSmallestFractionOfEachWeight() throws {
        let model = try model()
        let before = Pruning.prunableParameters(of: model).map { $0.parameter.value.scalars }
        try Pruning.magnitude(model, sparsity: 0.5)
        for ((name, parameter), original) in zip(Pruning.prunableParameters(of: model), before) {
            let values = parameter.value.scalars
            #expect(values.count { $0 == 0 } == values.count / 2, "\(name)")
            // Every survivor is at least as large as every pruned weight was.
            let largestPruned = zip(values, original).filter { $0.0 == 0 }.map { abs($0.1) }.max() ?? 0
            let smallestKept = zip(values, original).filter { $0.0 != 0 }.map { abs($0.1) }.min() ?? 0
            #expect(largestPruned <= smallestKept, "\(name)")
            #expect(values.enumerated().allSatisfy { $0.element == 0 || $0.element == original[$0.offset] })
        }
        // Biases are not pruned.
        #expect(model.namedParameters.filter { $0.name.hasSuffix("bias") }.allSatisfy { $0.parameter.mask == nil })
    }

    @Test func globalMagnitudeRemovesTheSmallestAcrossLayers() throws {
        let model = try model()
        let all = Pruning.prunableParameters(of: model).flatMap { $0.parameter.value.scalars.map(abs) }.sorted()
        try Pruning.magnitude(model, sparsity: 0.7, scope: .global)
        let rows = Pruning.sparsity(of: model)
        let zeros = rows.reduce(0) { $0 + $1.zeros }
        #expect(zeros == Int(0.7 * Double(all.count)))
        let threshold = all[zeros - 1]
        for (_, parameter) in Pruning.prunableParameters(of: model) {
            #expect(parameter.value.scalars.allSatisfy { $0 == 0 || abs($0) >= threshold })
        }
        // Layers differ: the sparsity is global, not the same in each.
        #expect(Set(rows.map { Int($0.sparsity * 100) }).count > 1)
    }

    @Test func channelPruningZeroesWholeFiltersWithTheSmallestNorms() throws {
        let model = try model()
        let conv = model.layers[0] as! Conv2D
        let weight = conv.weight.value.scalars
        let norms = (0..<6).map { c in weight[(c * 9)..<((c + 1) * 9)].reduce(Float(0)) { $0 + abs($1) } }
        let expected = Set(norms.indices.sorted { norms[$0] < norms[$1] }.prefix(3))
        try Pruning.channels(model, fraction: 0.5)
        let pruned = conv.weight.value.scalars
        for channel in 0..<6 {
            let filter = pruned[(channel * 9)..<((channel + 1) * 9)]
            #expect(filter.allSatisfy { $0 == 0 } == expected.contains(channel), "channel \(channel)")
            #expect((conv.bias!.value.scalars[channel] == 0) == expected.contains(channel))
        }
        // The pruned channels of the output are zero (ReLU of a zero bias).
        var generator = RandomGenerator(seed: 1)
        let output = try conv(Tensor.normal([2, 1, 8, 8], using: &generator))
        for channel in expected {
            #expect(try output.sliced(alongAxis: 1, from: channel, to: channel + 1).abs().max().item() == 0)
        }
    }

    @Test func twoOfFourKeepsTheTwoLargestOfEveryFour() throws {
        let dense = try Dense(8, 3, seed: 2)
        let original = dense.weight.value.scalars
        try Pruning.twoOfFour(dense)
        let pruned = dense.weight.value.scalars
        for group in stride(from: 0, to: 24, by: 4) {
            let kept = (group..<(group + 4)).filter { pruned[$0] != 0 }
            #expect(kept.count == 2)
            let order = (group..<(group + 4)).sorted { abs(original[$0]) > abs(original[$1]) }
            #expect(Set(kept) == Set(order.prefix(2)))
        }
    }

    @Test func masksSurviveTrainingAndIterativePruning() throws {
        let (train, _) = try DigitsFixture.data(shape: [1, 8, 8])
        let small = try train.subset(Array(0..<256))
        let model = try model()
        let classes = try Sequential([model, Dense(3, 10)], seed: 1)
        try Pruning.magnitude(classes, sparsity: 0.5, scope: .global)
        let zerosBefore = Pruning.prunableParameters(of: classes).map { pair in
            pair.parameter.value.scalars.indices.filter { pair.parameter.value.scalars[$0] == 0 }
        }
        let before = Pruning.prunableParameters(of: classes).map { $0.parameter.value.scalars }
        // AdamW's decoupled decay and momentum would move every weight without the mask.
        try classes.fit(
            small, epochs: 2, batchSize: 32, optimizer: Adam.adamW(learningRate: 1e-2, weightDecay: 0.1), seed: 0)
        for ((name, parameter), (zeros, original)) in zip(
            Pruning.prunableParameters(of: classes), zip(zerosBefore, before))
        {
            let values = parameter.value.scalars
            #expect(zeros.allSatisfy { values[$0] == 0 }, "\(name) revived a pruned weight")
            #expect(values != original, "\(name) did not train")
        }
        // A second round prunes further and keeps the first round's zeros.
        try Pruning.magnitude(classes, sparsity: 0.75, scope: .global)
        try classes.fit(small, epochs: 1, batchSize: 32, optimizer: SGD(learningRate: 0.1, momentum: 0.9), seed: 0)
        let rows = Pruning.sparsity(of: classes)
        let total = rows.reduce(0) { $0 + $1.count }
        #expect(rows.reduce(0) { $0 + $1.zeros } >= Int(0.75 * Double(total)))
        for ((_, parameter), zeros) in zip(Pruning.prunableParameters(of: classes), zerosBefore) {
            #expect(zeros.allSatisfy { parameter.value.scalars[$0] == 0 })
        }
        let table = Pruning.sparsityTable(classes)
        #expect(table.rows.count == rows.count)
        #expect(table.plainText.contains("0.0.weight"))
        try Pruning.removeMasks(classes)
        #expect(Pruning.sparsity(of: classes).allSatisfy { !$0.masked })
    }

    @Test func invalidFractionsAreErrors() throws {
        let model = try model()
        #expect(throws: NeuralNetworkError.self) { try Pruning.magnitude(model, sparsity: 1.5) }
        #expect(throws: NeuralNetworkError.self) { try Pruning.channels(model, fraction: 1) }
        let parameter = (model.layers[3] as! Dense).weight
        #expect(throws: NeuralNetworkError.self) { try parameter.setMask(Tensor.zeros([2])) }
    }
}
