import Foundation
import TensorCore
import Testing

@testable import NeuralNetworks

func temporaryPath(_ name: String) -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
        "nn-tests-\(ProcessInfo.processInfo.processIdentifier)")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder.appendingPathComponent(name).path
}

@Suite struct CSVTableTests {
    @Test func typesHeaderQuotesAndMissingValues() throws {
        let table = try CSVTable.parse(
            "name,age,score\n\"Smith, J\",42,1.5\nDoe,NA,\"2\"\n\"Say \"\"hi\"\"\",7,\n", source: "people.csv")
        #expect(table.columnNames == ["name", "age", "score"])
        #expect(table.rowCount == 3)
        #expect(try table.texts("name") == ["Smith, J", "Doe", "Say \"hi\""])
        let ages = try table.numbers("age")
        #expect(ages[0] == 42 && ages[1].isNaN && ages[2] == 7)
        #expect(try table.tensor(fillMissing: 0).scalars == [42, 1.5, 0, 2, 7, 0])
        #expect(throws: DataFileError.self) { try table.tensor() }
        let forced = try CSVTable.parse("id,code\n1,7\n2,8\n", columnTypes: ["code": .text])
        #expect(try forced.texts("code") == ["7", "8"])
        let headless = try CSVTable.parse("1,2\n3,4\n", hasHeader: false)
        #expect(headless.columnNames == ["column1", "column2"])
    }

    @Test func malformedFilesNameFileLineAndColumn() throws {
        func error(_ text: String, types: [String: CSVColumnType] = [:]) -> String {
            do {
                _ = try CSVTable.parse(text, source: "data.csv", columnTypes: types)
                return "no error"
            } catch { return "\(error)" }
        }
        #expect(error("a,b\n1,2\n3\n") == "data.csv:3:2: expected 2 fields, found 1")
        #expect(error("a,b\n1,2\n3,4,5\n") == "data.csv:3:3: expected 2 fields, found 3")
        #expect(
            error("a,b\n1,x\n", types: ["b": .number]) == "data.csv:2:3: expected a number in column 'b', found 'x'")
        #expect(error("a,b\n1,\"open\n") == "data.csv:2:3: unterminated quoted field")
        #expect(error("a,b\n1,\"q\"x\n") == "data.csv:2:6: unexpected 'x' after a closing quote")
        #expect(error("") == "data.csv: the file is empty")
        #expect(error("a\n1\n", types: ["z": .text]).hasPrefix("data.csv:1: no column named 'z'"))
        // A file that cannot be opened is not malformed: it is an access error with the operating system's reason.
        #expect(
            throws: FileAccessError(path: "/nonexistent/file.csv", access: .read, reason: "No such file or directory")
        ) {
            try CSVTable.read("/nonexistent/file.csv")
        }
    }
}

@Suite struct ArrayFileTests {
    @Test func readsIDXFiles() throws {
        // A 2×3 unsigned-byte array and a 2-element float array, big-endian as in MNIST.
        let path = temporaryPath("small.idx")
        try Data([0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 250, 5, 6]).write(to: URL(fileURLWithPath: path))
        let tensor = try ArrayFile.readIDX(path)
        #expect(tensor.shape == [2, 3])
        #expect(tensor.scalars == [1, 2, 3, 250, 5, 6])
        let floats = temporaryPath("floats.idx")
        try Data([0, 0, 0x0D, 1, 0, 0, 0, 2, 0x3F, 0x80, 0, 0, 0xC0, 0, 0, 0]).write(to: URL(fileURLWithPath: floats))
        #expect(try ArrayFile.readIDX(floats).scalars == [1, -2])
        try Data([0, 0, 0x08, 1, 0, 0, 0, 5, 1, 2]).write(to: URL(fileURLWithPath: path))
        #expect(throws: DataFileError.self) { try ArrayFile.readIDX(path) }
        try Data([1, 0, 0x08, 1]).write(to: URL(fileURLWithPath: path))
        #expect(throws: DataFileError.self) { try ArrayFile.readIDX(path) }
    }

    @Test func readsNPYFiles() throws {
        func npy(_ descr: String, shape: String, payload: [UInt8]) -> Data {
            var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
            while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
            header += "\n"
            var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
            data.append(contentsOf: [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
            data.append(contentsOf: Array(header.utf8))
            data.append(contentsOf: payload)
            return data
        }
        let path = temporaryPath("array.npy")
        // float32 [2, 2] = 1, 2, 3, −0.5 (little-endian).
        let f32: [Float] = [1, 2, 3, -0.5]
        let bytes = f32.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
        try npy("<f4", shape: "(2, 2)", payload: bytes).write(to: URL(fileURLWithPath: path))
        let tensor = try ArrayFile.readNPY(path)
        #expect(tensor.shape == [2, 2] && tensor.scalars == f32)
        // int64 [3] = −1, 0, 7.
        let i64: [Int64] = [-1, 0, 7]
        let intBytes = i64.flatMap { value in withUnsafeBytes(of: value.littleEndian) { Array($0) } }
        try npy("<i8", shape: "(3,)", payload: intBytes).write(to: URL(fileURLWithPath: path))
        #expect(try ArrayFile.readNPY(path).scalars == [-1, 0, 7])
        try npy("<f4", shape: "(4, 4)", payload: bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: DataFileError.self) { try ArrayFile.readNPY(path) }
        try npy("<c8", shape: "(1,)", payload: [0, 0, 0, 0, 0, 0, 0, 0]).write(to: URL(fileURLWithPath: path))
        #expect(throws: DataFileError.self) { try ArrayFile.readNPY(path) }
    }
}

@Suite struct PreprocessingTests {
    @Test func scalersFitOnTrainingOnly() throws {
        let train = try Tensor([[1, 10, 5], [3, 30, 5]])
        let scaler = try StandardScaler(fittingOn: train)
        #expect(scaler.mean == [2, 20, 5])
        #expect(scaler.scale == [1, 10, 1])  // population std; a constant column gets 1
        #expect(try scaler.transform(Tensor([[2, 40, 6]])).scalars == [0, 2, 1])
        #expect(try scaler.inverseTransform(scaler.transform(train)).scalars == train.scalars)
        let minMax = try MinMaxScaler(fittingOn: train, range: -1...1)
        #expect(try minMax.transform(Tensor([[2, 10, 5], [3, 50, 5]])).scalars == [0, -1, -1, 1, 3, -1])
    }

    @Test func labelAndOneHotEncoding() throws {
        let encoder = LabelEncoder(fittingOn: ["cat", "dog", "ant", "dog"])
        #expect(encoder.classes == ["ant", "cat", "dog"])
        #expect(try encoder.encode(["dog", "ant"]) == [2, 0])
        #expect(try encoder.decode([1]) == ["cat"])
        #expect(throws: NeuralNetworkError.self) { try encoder.encode(["eel"]) }
        #expect(try Encoding.oneHot([2, 0], classes: 3).scalars == [0, 0, 1, 1, 0, 0])
    }

    @Test func sequencePaddingAndMasks() throws {
        let (values, mask) = try Encoding.padSequences([[1, 2, 3], [4]])
        #expect(values.shape == [2, 3] && values.scalars == [1, 2, 3, 4, 0, 0])
        #expect(mask.scalars == [1, 1, 1, 1, 0, 0])
        let (pre, preMask) = try Encoding.padSequences([[1, 2, 3], [4]], length: 2, paddingAtStart: true)
        #expect(pre.scalars == [2, 3, 0, 4] && preMask.scalars == [1, 1, 0, 1])
        #expect(try Encoding.causalMask(length: 2).scalars == [0, -1e9, 0, 0])
    }

    @Test func stratifiedSplitsAndKFoldAreSeededAndBalanced() throws {
        let labels = (0..<100).map { $0 < 60 ? 0 : 1 }
        let parts = try Splitting.stratifiedSplit(labels: labels, fractions: [0.7, 0.2, 0.1], seed: 3)
        #expect(parts.map(\.count) == [70, 20, 10])
        #expect(parts[1].filter { labels[$0] == 1 }.count == 8)
        #expect(Set(parts.flatMap { $0 }).count == 100)
        #expect(try Splitting.stratifiedSplit(labels: labels, fractions: [0.7, 0.2, 0.1], seed: 3) == parts)
        #expect(try Splitting.stratifiedSplit(labels: labels, fractions: [0.7, 0.2, 0.1], seed: 4) != parts)
        let folds = try Splitting.kFold(count: 100, folds: 5, labels: labels, seed: 1)
        #expect(folds.count == 5)
        #expect(folds.allSatisfy { $0.validation.count == 20 && $0.train.count == 80 })
        #expect(folds.allSatisfy { fold in fold.validation.filter { labels[$0] == 1 }.count == 8 })
        #expect(Set(folds.flatMap(\.validation)).count == 100)
        #expect(throws: NeuralNetworkError.self) { try Splitting.kFold(count: 3, folds: 5, seed: 0) }
        #expect(throws: NeuralNetworkError.self) { try Splitting.randomSplit(count: 3, fractions: [0.5], seed: 0) }
    }

    @Test func imageAugmentation() throws {
        let image = try Tensor(shape: [1, 1, 2, 3], scalars: [1, 2, 3, 4, 5, 6])
        var generator = RandomGenerator(seed: 0)
        let flipped = try ImageAugmentation(horizontalFlipProbability: 1).apply(to: image, using: &generator)
        #expect(flipped.scalars == [3, 2, 1, 6, 5, 4])
        let upDown = try ImageAugmentation(verticalFlipProbability: 1).apply(to: image, using: &generator)
        #expect(upDown.scalars == [4, 5, 6, 1, 2, 3])
        let square = try Tensor(shape: [1, 1, 3, 3], scalars: (1...9).map(Float.init))
        var rotation = ImageAugmentation()
        rotation.maximumRotationDegrees = 1  // tiny angles round to the identity
        #expect(try rotation.apply(to: square, using: &generator).scalars == square.scalars)
        let shifted = try ImageAugmentation(maximumShift: 1).apply(to: Tensor.ones([4, 1, 5, 5]), using: &generator)
        #expect(shifted.shape == [4, 1, 5, 5])
        let noisy = try ImageAugmentation(noiseStandardDeviation: 0.1).apply(to: square, using: &generator)
        #expect(noisy.scalars != square.scalars)
    }

    @Test func bundledDatasets() throws {
        let digits = try BundledDataset.digits()
        #expect(digits.features.shape == [1797, 64])
        #expect(try digits.dataset(split: "train").count == 1257)
        #expect(try digits.dataset(split: "test").count == 540)
        #expect(digits.labels.prefix(3) == [6, 4, 1] || digits.labels.count == 1797)
        #expect(try BundledDataset.iris().features.shape == [150, 4])
        #expect(try BundledDataset.wine().features.shape == [178, 13])
        let cancer = try BundledDataset.breastCancer()
        #expect(cancer.features.shape == [569, 30] && Set(cancer.labels) == [0, 1])
    }
}
