import Foundation
import RichDisplay
import RigorScript
import RunLog
import Security
import Testing

@testable import RigorLibrary

/// `fit(…, adversarial:)` and `attackResult.grid(count:)` as a notebook uses them: the run log records the settings,
/// the same seed gives the same run, and the grid shows what the attack result holds.
@Suite("Adversarial builtins: fit(adversarial:) and AttackResult.grid", .serialized)
struct AdversarialBuiltinTests {
    static let setup = """
        let digits = Dataset.digits()
        let data = Dataset(features: digits.features / 16, labels: Tensor(digits.labels))
            .split(train: 0.7, test: 0.3, stratified: true, seed: 1)
        let model = Sequential([Dense(64, 32, activation: .relu), Dense(32, 10)], seed: 0)
        model.fit(data.train, epochs: 4, optimizer: .adam(learningRate: 1e-2), seed: 0, progress: false);
        """

    @Test("fit(adversarial:) records its settings and robust accuracy in the run log, and repeats from its seed")
    func runLogAndSeed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rigor-adv-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let host = RunLogTestHost(path: directory + "/runs.sqlite")
        let registry = BuiltinRegistry()
        RigorLibrary.register(in: registry)
        let s = Session(host: host, registry: registry)
        let fit = """
            Sequential([Dense(64, 16, activation: .relu), Dense(16, 10)], seed: 3)
                .fit(data.train, validation: data.test, epochs: 2, optimizer: .adam(learningRate: 1e-2),
                     adversarial: .pgd(epsilon: 0.1, steps: 3), adversarialRatio: 0.25, seed: 9, progress: false)
            """
        _ = run(s, Self.setup)
        _ = run(s, "let a = " + fit + "\nlet b = " + fit)
        #expect(
            run(s, "a.validationRobustAccuracy == b.validationRobustAccuracy && a.trainLoss == b.trainLoss") == "true")
        #expect(run(s, "a.validationRobustAccuracy.count") == "2")
        #expect(
            run(s, "let all = runs(kind: .fit)\nlet r = all[all.count - 1]\nr.parameters[\"adversarial\"]")
                == "PGD (L∞, ε = 0.1, 3 steps of 0.0833333, random start)")
        #expect(run(s, "r.parameters[\"adversarialRatio\"]") == "0.25")
        #expect(run(s, "r.parameters[\"adversarialValidRange\"]") == "0...1")
        #expect(run(s, "r.metric(\"val_robust_accuracy\") == a.validationRobustAccuracy") == "true")
    }

    @Test(
        "grid: one column per row with its labels and predictions, wrong ones marked, the scale stated; save writes it")
    func grid() throws {
        let s = librarySession()
        _ = run(s, Self.setup + "\nlet result = attack(model, data.test, method: .pgd(epsilon: 0.1, steps: 10))")
        let outcome = s.execute("result.grid(count: 8)")
        guard case .object(let object as AttackGridObject)? = outcome.value else {
            Issue.record("grid did not return an AttackGrid: \(String(describing: outcome.error.map { s.render($0) }))")
            return
        }
        guard case .object(let attackObject as AttackResultObject)? = s.execute("result").value else {
            Issue.record("no attack result")
            return
        }
        let attack = attackObject.result
        let grid = object.grid
        #expect(grid.columns.count == 8)
        #expect((grid.height, grid.width, grid.channels) == (8, 8, 1))
        #expect(grid.perturbationScale == 0.1)
        for (row, column) in grid.columns.enumerated() {
            #expect(column.label == String(attack.labels[row]))
            #expect(column.adversarialPrediction == String(attack.adversarialPredictions[row]))
            #expect(column.adversarialCorrect == (attack.adversarialPredictions[row] == attack.labels[row]))
            #expect(column.original == attack.inputs[(row * 64)..<((row + 1) * 64)].map(Double.init))
        }
        let wrong =
            (0..<8).filter { attack.cleanPredictions[$0] != attack.labels[$0] }.count
            + (0..<8).filter { attack.adversarialPredictions[$0] != attack.labels[$0] }.count
        #expect(wrong > 0)
        let svg = grid.svg
        #expect(svg.components(separatedBy: " ✗</text>").count - 1 == wrong)
        #expect(svg.components(separatedBy: ">label ").count - 1 == 8)
        #expect(svg.contains("red +0.1 (= ε); shown 10× stronger than the pixel range"))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("grid-\(UUID()).svg").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = run(s, "save(result.grid(count: 8), to: \"\(path)\")")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == svg)
        // An image shape that does not fit the rows is refused at `imageShape`.
        let message = s.execute("result.grid(imageShape: [4, 4])").error.map { s.render($0) } ?? ""
        #expect(message.contains("imageShape [4, 4] does not describe rows of 64 values"))
    }
}
