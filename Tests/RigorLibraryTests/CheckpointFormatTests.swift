import Foundation
import RigorLibrary
import RigorScript
import Testing

/// Checkpoints written by earlier versions of the format keep loading, with the same predictions.
@Suite("Checkpoint format")
struct CheckpointFormatTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/Checkpoints")

    func fixture(_ name: String) -> String { Self.fixtures.appendingPathComponent(name).path }

    func recordedPredictions(_ name: String) throws -> String {
        try String(contentsOfFile: fixture(name), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("a convolutional model saved with tab-separated architecture lines (v0) loads and predicts the same")
    func convolutionalV0() throws {
        let s = librarySession()
        let code = """
            let cnn = Model.load("\(fixture("cnn-v0.safetensors"))")
            let cnnInput = Tensor.random([3, 1, 8, 8], seed: 5) * 16.0
            cnn.predict(cnnInput).toArray()
            """
        #expect(run(s, code) == (try recordedPredictions("cnn-v0.predictions")))
        let summary = run(s, "\"\\(cnn)\"") ?? ""
        #expect(summary.contains("0 Conv2D(1, 4, padding: 1, activation: .relu)  [N, 4, 8, 8]"), "\(summary)")
        #expect(summary.contains("8 Dense(54, 24, activation: .tanh)"), "\(summary)")
    }

    @Test("a sequence model (embeddings, attention, recurrent layers) saved as v0 loads and predicts the same")
    func sequenceV0() throws {
        let s = librarySession()
        let code = """
            let sequence = Model.load("\(fixture("sequence-v0.safetensors"))")
            let tokens = Tensor([[1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1], [0, 7, 0, 7, 0, 7], [9, 9, 8, 8, 7, 7]])
            sequence.predict(tokens).toArray()
            """
        #expect(run(s, code) == (try recordedPredictions("sequence-v0.predictions")))
        #expect(run(s, "sequence.parameterCount > 0") == "true")
    }
}
