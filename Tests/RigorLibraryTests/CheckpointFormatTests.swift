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

    /// Whether two printed arrays hold the same numbers in the same places, each within `tolerance` (relative, or
    /// absolute near zero): the inference kernels (im2col + GEMM, the direct convolution's AVX-512, AVX2 or portable
    /// variant, OpenBLAS's per-CPU kernels) add in different orders, so the last printed digits may differ.
    func sameNumbers(_ printed: String?, _ recorded: String, tolerance: Double = 1e-5) -> Bool {
        guard let printed else { return false }
        func numbers(_ text: String) -> [Double] {
            text.split(whereSeparator: { "[], ".contains($0) }).compactMap { Double($0) }
        }
        func shape(_ text: String) -> String { text.filter { "[],".contains($0) } }
        let (a, b) = (numbers(printed), numbers(recorded))
        guard shape(printed) == shape(recorded), a.count == b.count, !a.isEmpty else { return false }
        return zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
    }

    @Test("a convolutional model saved with tab-separated architecture lines (v0) loads and predicts the same")
    func convolutionalV0() throws {
        let s = librarySession()
        let code = """
            let cnn = Model.load("\(fixture("cnn-v0.safetensors"))")
            let cnnInput = Tensor.random([3, 1, 8, 8], seed: 5) * 16.0
            cnn.predict(cnnInput).toArray()
            """
        let predictions = run(s, code)
        #expect(sameNumbers(predictions, try recordedPredictions("cnn-v0.predictions")), "\(predictions ?? "")")
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
        let predictions = run(s, code)
        #expect(sameNumbers(predictions, try recordedPredictions("sequence-v0.predictions")), "\(predictions ?? "")")
        #expect(run(s, "sequence.parameterCount > 0") == "true")
    }

    /// The `__metadata__` of a safetensors file.
    static func metadata(of path: String) throws -> [String: String] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let length = bytes[0..<8].enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        let header = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + length)])) as? [String: Any]
        return header?["__metadata__"] as? [String: String] ?? [:]
    }

    /// Rewrites the `rigor.model` description of the safetensors file at `path` with `edit`, keeping the tensors.
    static func editDescription(of path: String, _ edit: (inout [String: Any]) -> Void) throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let length = bytes[0..<8].enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        var header = try #require(
            try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + length)])) as? [String: Any])
        var metadata = try #require(header["__metadata__"] as? [String: String])
        let text = try #require(metadata["rigor.model"])
        var model = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        edit(&model)
        metadata["rigor.model"] = String(decoding: try JSONSerialization.data(withJSONObject: model), as: UTF8.self)
        header["__metadata__"] = metadata
        var newHeader = [UInt8](try JSONSerialization.data(withJSONObject: header))
        while newHeader.count % 8 != 0 { newHeader.append(0x20) }
        var data = Data()
        withUnsafeBytes(of: UInt64(newHeader.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: newHeader)
        data.append(contentsOf: bytes[(8 + length)...])
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// The layers of a `rigor.model` description being edited.
    static func layers(_ model: [String: Any]) -> [[String: Any]] { model["layers"] as? [[String: Any]] ?? [] }

    @Test("save writes a versioned JSON description with arguments by name; Model.load reads it back")
    func savesVersionedDescription() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rigor-format-\(UUID()).safetensors")
            .path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let s = librarySession()
        let code = """
            let model = Sequential([Conv2D(1, 2, kernel: 3, padding: 1), MaxPool2D(2), Flatten(), Dense(4, activation: .relu), Dropout(0.5), Dense(4, 3)], seed: 9)
            let x = Tensor.random([2, 1, 4, 4], seed: 1)
            let before = model.predict(x).toArray()
            model.save("\(path)")
            Model.load("\(path)").predict(x).toArray() == before
            """
        #expect(run(s, code) == "true")
        let metadata = try Self.metadata(of: path)
        #expect(metadata["rigor.architecture"] == nil)
        let json = try #require(metadata["rigor.model"])
        #expect(
            json.hasPrefix(
                "{\"inputShape\":[1,4,4],\"layers\":[{\"arguments\":{\"activation\":{\"member\":\"identity\"}"))
        #expect(json.contains("{\"arguments\":{\"kernel\":{\"int\":2},\"stride\":null},\"kind\":\"MaxPool2D\"}"))
        // The lazy Dense(4, activation: .relu) is stored with the input size it took from its first input.
        #expect(
            json.contains(
                "{\"arguments\":{\"activation\":{\"member\":\"relu\"},\"inputSize\":{\"int\":8},\"outputSize\":{\"int\":4}},\"kind\":\"Dense\"}"
            ))
        #expect(json.contains("{\"arguments\":{\"rate\":{\"double\":0.5}},\"kind\":\"Dropout\"}"))
        #expect(json.hasSuffix("\"seed\":9,\"version\":1}"))
    }

    @Test("an argument the file does not have takes its default; one this Rigor does not know is an error")
    func argumentsByName() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rigor-format-\(UUID()).safetensors")
            .path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let s = librarySession()
        let code = """
            let model = Sequential([Conv2D(1, 2, kernel: 3), Flatten(), Dense(8, 2)], seed: 3)
            let x = Tensor.random([1, 1, 4, 4], seed: 2)
            model.save("\(path)")
            """
        _ = run(s, code)
        // As if written before Conv2D had `stride`, `padding` and `activation`, in another order of keys.
        try Self.editDescription(of: path) { model in
            var layers = Self.layers(model)
            layers[0]["arguments"] = [
                "kernel": ["int": 3], "outputChannels": ["int": 2], "inputChannels": ["int": 1],
            ]
            model["layers"] = layers
        }
        #expect(run(s, "Model.load(\"\(path)\").predict(x).toArray() == model.predict(x).toArray()") == "true")
        try Self.editDescription(of: path) { model in
            var layers = Self.layers(model)
            layers[0]["arguments"] = [
                "kernel": ["int": 3], "outputChannels": ["int": 2], "inputChannels": ["int": 1], "dilation": ["int": 2],
            ]
            model["layers"] = layers
        }
        let unknown = try #require(s.execute("Model.load(\"\(path)\")").error)
        #expect(unknown.kind == .value)
        #expect(
            unknown.message
                == "\(path): layer 0 (Conv2D) has arguments this Rigor's Conv2D does not take: dilation")
        try Self.editDescription(of: path) { model in model["version"] = 2 }
        let newer = try #require(s.execute("Model.load(\"\(path)\")").error)
        #expect(
            newer.message
                == "loadCheckpoint: the model description is format 2, newer than this Rigor reads (1)")
        try Self.editDescription(of: path) { model in
            model["version"] = 1
            model["layers"] = [["kind": "Dense", "arguments": ["inputSize": ["int": "sixteen"]]]]
        }
        let malformed = try #require(s.execute("Model.load(\"\(path)\")").error)
        #expect(
            malformed.message.hasPrefix("loadCheckpoint: the model description is malformed: "), "\(malformed.message)")
        #expect(malformed.message.hasSuffix("at .layers[0].arguments.inputSize.int"), "\(malformed.message)")
    }
}
