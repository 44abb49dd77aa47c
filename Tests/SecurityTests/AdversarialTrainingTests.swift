import Foundation
import NeuralNetworks
import TensorCore
import Testing

@testable import Security

/// Adversarial training through `fit`'s hooks: it raises the PGD accuracy of a digits MLP, is reproducible from its
/// seed, replaces the share of each batch it says within ε and the valid range, and refuses bad settings and data.
@Suite("Adversarial training")
struct AdversarialTrainingTests {
    /// The digits train and test splits with pixels in 0…1.
    static func digits() throws -> (train: Dataset, test: Dataset) {
        let digits = try BundledDataset.digits()
        let train = try digits.dataset(split: "train")
        let test = try digits.dataset(split: "test")
        return (
            try Dataset(features: train.features / 16, labels: train.labels),
            try Dataset(features: test.features / 16, labels: test.labels)
        )
    }

    static func mlp() throws -> Sequential {
        try Sequential([Dense(64, 32, activation: .relu), Dense(32, 10)], seed: 0)
    }

    /// Trains an MLP for `epochs`, adversarially when `training` is given; returns it and its history.
    static func train(
        _ data: (train: Dataset, test: Dataset), epochs: Int, adversarial: AdversarialTraining?
    ) throws -> (Sequential, History) {
        let model = try mlp()
        let hooks = try adversarial?.hooks(
            model: model, inputShape: [64], training: data.train, validation: data.test)
        let history = try model.fit(
            data.train, validation: data.test, epochs: epochs, batchSize: 32, optimizer: Adam(learningRate: 0.01),
            seed: 7, transformBatch: hooks?.transformBatch, epochMetrics: hooks?.epochMetrics ?? nil)
        return (model, history)
    }

    /// PGD L∞ at ε = 0.1, 10 steps of 0.025 (the notebook's attack), accuracy on the test split.
    static func pgdAccuracy(_ model: Sequential, _ test: Dataset) throws -> (clean: Double, robust: Double) {
        let result = try Attack(.pgd(epsilon: 0.1, stepSize: 0.025, steps: 10), validRange: 0...1)
            .run(on: AttackModel(model: model, inputShape: [64]), inputs: test.features.scalars, labels: test.labels)
        return (result.cleanAccuracy, result.adversarialAccuracy)
    }

    @Test("PGD adversarial training raises PGD accuracy at ε = 0.1 on digits, same model, seed and epochs")
    func raisesRobustAccuracy() throws {
        let data = try Self.digits()
        let epochs = 10
        let (standard, _) = try Self.train(data, epochs: epochs, adversarial: nil)
        let training = try AdversarialTraining(
            .pgd(epsilon: 0.1, stepSize: 0.025, steps: 7, randomStart: true), ratio: 0.5, validRange: 0...1, seed: 7,
            robustRows: 1000)
        let (robust, history) = try Self.train(data, epochs: epochs, adversarial: training)
        let before = try Self.pgdAccuracy(standard, data.test)
        let after = try Self.pgdAccuracy(robust, data.test)
        print(
            "adversarial training on digits — standard: clean \(before.clean) PGD \(before.robust); adversarial: clean \(after.clean) PGD \(after.robust)"
        )
        #expect(after.robust >= before.robust + 0.25, "PGD accuracy \(before.robust) → \(after.robust)")
        #expect(after.clean >= 0.85, "clean accuracy of the adversarially trained model: \(after.clean)")
        // The history's robust accuracy is the same attack on the same rows (robustRows covers the 540 test rows).
        let logged = history[AdversarialTraining.robustMetric]
        #expect(logged.count == epochs)
        #expect(abs((logged.last ?? 0) - after.robust) < 1e-9)
        #expect(zip(history["val_accuracy"], logged).allSatisfy { $0 >= $1 })
    }

    @Test("the run is reproducible from its seed; another seed gives other weights")
    func reproducible() throws {
        let data = try Self.digits()
        let small = (train: try data.train.subset(Array(0..<256)), test: try data.test.subset(Array(0..<64)))
        func run(seed: UInt64) throws -> ([[Float]], [Double]) {
            let training = try AdversarialTraining(
                .pgd(epsilon: 0.1, stepSize: 0.05, steps: 3, randomStart: true), ratio: 0.5, seed: seed)
            let (model, history) = try Self.train(small, epochs: 2, adversarial: training)
            return (model.snapshot(), history[AdversarialTraining.robustMetric])
        }
        let first = try run(seed: 3)
        let second = try run(seed: 3)
        let other = try run(seed: 4)
        #expect(first.0 == second.0)
        #expect(first.1 == second.1)
        #expect(first.0 != other.0)
    }

    @Test("a batch: the first round(ratio·n) rows replaced, within ε and the range; the rest and the targets kept")
    func batchReplacement() throws {
        let data = try Self.digits()
        let batch = try data.train.subset(Array(0..<10))
        let model = try AttackModel(model: Self.mlp(), inputShape: [64])
        for (ratio, replaced) in [(0.0, 0), (0.5, 5), (0.26, 3), (1.0, 10)] {
            let training = try AdversarialTraining(
                .pgd(epsilon: 0.1, stepSize: 0.05, steps: 3, randomStart: true), ratio: ratio, seed: 1)
            #expect(training.adversarialCount(of: 10) == replaced)
            let result = try training.adversarialBatch(batch, model: model, epoch: 0, batchIndex: 0)
            #expect(result.targets.scalars == batch.targets.scalars)
            #expect(result.features.shape == batch.features.shape)
            let before = batch.features.scalars
            let after = result.features.scalars
            for row in 0..<10 {
                let slice = (row * 64)..<((row + 1) * 64)
                let deltas = slice.map { abs(after[$0] - before[$0]) }
                if row < replaced {
                    #expect(deltas.max()! > 0, "row \(row) was not perturbed")
                    #expect(deltas.max()! <= 0.1 + 1e-6)
                    #expect(slice.allSatisfy { (0...1).contains(after[$0]) })
                } else {
                    #expect(deltas.max()! == 0, "row \(row) should be clean")
                }
            }
        }
        // Another batch index draws another random start.
        let training = try AdversarialTraining(
            .pgd(epsilon: 0.1, stepSize: 0.05, steps: 1, randomStart: true), ratio: 1, seed: 1)
        let a = try training.adversarialBatch(batch, model: model, epoch: 0, batchIndex: 0)
        let b = try training.adversarialBatch(batch, model: model, epoch: 0, batchIndex: 1)
        let c = try training.adversarialBatch(batch, model: model, epoch: 0, batchIndex: 0)
        #expect(a.features.scalars != b.features.scalars)
        #expect(a.features.scalars == c.features.scalars)
    }

    @Test("the robust subset: every row up to robustRows, else a fixed sorted draw of robustRows")
    func robustSubset() throws {
        let training = try AdversarialTraining(.fgsm(epsilon: 0.1), seed: 5, robustRows: 100)
        #expect(training.robustSubset(count: 80) == Array(0..<80))
        let subset = training.robustSubset(count: 1000)
        #expect(subset.count == 100)
        #expect(Set(subset).count == 100)
        #expect(subset == subset.sorted())
        #expect(subset.allSatisfy { (0..<1000).contains($0) })
        #expect(subset == training.robustSubset(count: 1000))
        #expect(subset != Array(0..<100))
    }

    @Test("refusals: ε < 0, steps < 1, step size 0, a ratio outside 0…1, data outside the range, targets not classes")
    func refusals() throws {
        func argument(_ body: () throws -> Void) -> String? {
            do {
                try body()
                return nil
            } catch let error as SecurityError {
                return error.argument
            } catch {
                return "unexpected \(error)"
            }
        }
        #expect(argument { _ = try AdversarialTraining(.fgsm(epsilon: -0.1)) } == "epsilon")
        #expect(argument { _ = try AdversarialTraining(.pgd(epsilon: 0.1, stepSize: 0.01, steps: 0)) } == "steps")
        #expect(argument { _ = try AdversarialTraining(.pgd(epsilon: 0.1, stepSize: 0, steps: 3)) } == "stepSize")
        #expect(argument { _ = try AdversarialTraining(.fgsm(epsilon: 0.1), ratio: 1.5) } == "ratio")
        #expect(argument { _ = try AdversarialTraining(.fgsm(epsilon: 0.1), ratio: -0.1) } == "ratio")
        #expect(argument { _ = try AdversarialTraining(.fgsm(epsilon: 0.1), ratio: .nan) } == "ratio")
        let training = try AdversarialTraining(.fgsm(epsilon: 0.1))
        let model = try Self.mlp()
        let raw = try Dataset(
            features: Tensor(shape: [2, 64], scalars: Array(repeating: 8, count: 128)), labels: [0, 1])
        #expect(
            argument { _ = try training.hooks(model: model, inputShape: [64], training: raw, validation: nil) }
                == "training")
        let fine = try Dataset(
            features: Tensor(shape: [2, 64], scalars: Array(repeating: 0.5, count: 128)), labels: [0, 1])
        let badLabels = try Dataset(
            features: Tensor(shape: [2, 64], scalars: Array(repeating: 0.5, count: 128)), labels: [0, 12])
        #expect(
            argument { _ = try training.hooks(model: model, inputShape: [64], training: fine, validation: badLabels) }
                == "validation")
        #expect(
            argument { _ = try training.hooks(model: model, inputShape: [64], training: fine, validation: fine) } == nil
        )
    }

    @Test("a model whose loss does not reach its inputs (an embedding of ids) is refused: training would be plain")
    func refusesModelWithoutInputGradients() throws {
        let ids = try Dataset(
            features: Tensor(shape: [4, 3], scalars: [1, 2, 3, 4, 5, 6, 7, 8, 0, 2, 2, 2]), labels: [0, 1, 0, 1])
        let model = try Sequential([Embedding(10, 4, seed: 1), Flatten(), Dense(12, 2, seed: 2)])
        let training = try AdversarialTraining(.fgsm(epsilon: 0.5), validRange: 0...9)
        do {
            _ = try training.hooks(model: model, inputShape: [3], training: ids, validation: nil)
            Issue.record("an embedding model was accepted")
        } catch let error as SecurityError {
            #expect(error.kind == .notDifferentiable)
            #expect(error.argument == "model")
            #expect(error.reason.contains("no gradient with respect to its inputs"))
        }
    }
}
