import Foundation
import RigorLibrary
import RigorScript
import Testing

@Suite("Callbacks and array files")
struct CallbackAndFileTests {
    @Test("learning-rate schedules and plateau reduction change the recorded learning rate")
    func schedules() {
        let s = librarySession()
        _ = run(s, "let data = Dataset.iris().split(train: 0.8, validation: 0.2, seed: 2).standardized()")
        let code = """
            let model = Sequential([Dense(4, 3)])
            let history = model.fit(data.train, validation: data.validation, epochs: 3,
                                    optimizer: .sgd(learningRate: 0.1, momentum: 0.9),
                                    callbacks: [LearningRateScheduler(.step(every: 1, factor: 0.5))])
            history.learningRate
            """
        #expect(run(s, code) == "[0.10000000149011612, 0.05000000074505806, 0.02500000037252903]")
        #expect(
            run(
                s,
                "model.fit(data.train, validation: data.validation, epochs: 1, callbacks: [ReduceLearningRateOnPlateau(factor: 0.5)]).epochs"
            )
                == "1")
        let bad = s.execute("LearningRateScheduler(.linear)").error
        #expect(bad?.message.hasPrefix("unknown schedule '.linear'") == true)
    }

    /// A float32 little-endian .npy file (version 1.0).
    func writeNPY(_ values: [Float], shape: [Int], to path: String) throws {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93]) + Data("NUMPY".utf8) + Data([1, 0])
        data += Data([UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)]) + Data(header.utf8)
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data += Data($0) } }
        try data.write(to: URL(fileURLWithPath: path))
    }

    @Test("Dataset.npy reads features and labels")
    func npy() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rigor-lib-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let features = folder.appendingPathComponent("x.npy").path
        let labels = folder.appendingPathComponent("y.npy").path
        try writeNPY([1, 2, 3, 4, 5, 6], shape: [3, 2], to: features)
        try writeNPY([0, 1, 2], shape: [3], to: labels)
        let s = librarySession()
        #expect(
            run(s, "let d = Dataset.npy(features: \"\(features)\", labels: \"\(labels)\")\nd.labels") == "[0, 1, 2]")
        #expect(run(s, "d.classCount") == "3")
        let missing = try #require(
            s.execute("Dataset.npy(features: \"/nonexistent.npy\", labels: \"\(labels)\")").error)
        #expect(missing.kind == .io)
    }
}
