import Foundation
import TensorCore
import Testing

@testable import NeuralNetworks

/// Iris standardized on a stratified 70/30 split.
func irisSplit() throws -> (train: Dataset, test: Dataset) {
    let iris = try BundledDataset.iris()
    let parts = try Splitting.stratifiedSplit(labels: iris.labels, fractions: [0.7, 0.3], seed: 0)
    let raw = try iris.dataset
    let train = try raw.subset(parts[0])
    let test = try raw.subset(parts[1])
    let scaler = try StandardScaler(fittingOn: train.features)
    return (
        try Dataset(features: scaler.transform(train.features), targets: train.targets),
        try Dataset(features: scaler.transform(test.features), targets: test.targets)
    )
}

func irisModel(seed: UInt64 = 0) throws -> Sequential {
    try Sequential([Dense(4, 16, activation: .relu), Dense(16, 3)], seed: seed)
}

@Suite struct TrainingTests {
    @Test func fitLearnsIrisAndRecordsHistory() throws {
        let (train, test) = try irisSplit()
        let model = try irisModel()
        let history = try model.fit(
            train, validation: test, epochs: 30, batchSize: 16, optimizer: Adam(learningRate: 0.01), seed: 1)
        #expect(history.epochs.count == 30)
        #expect(history.metricNames == ["loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"])
        #expect(history["loss"].last! < history["loss"].first!)
        #expect(history["val_accuracy"].last! >= 0.9)
        let evaluation = try model.evaluate(test)
        #expect(evaluation.map(\.name) == ["loss", "accuracy"])
        let predicted = try model.predictClasses(test.features, batchSize: 7)
        #expect(
            abs(try ClassificationMetrics.accuracy(predicted: predicted, actual: test.labels) - evaluation[1].value)
                < 1e-9)
        #expect(history.description.contains("val_accuracy"))
        // Every value is printed whole, to 4 decimals: never cut to the width of a short column name ("loss").
        let lastRow = try #require(history.description.split(separator: "\n").last)
        let lastLoss = try #require(history["loss"].last)
        #expect(lastRow.split(separator: " ").dropFirst().first.map(String.init) == String(format: "%.4f", lastLoss))
    }

    @Test func trainingIsDeterministicForASeed() throws {
        let (train, _) = try irisSplit()
        func run() throws -> [Double] {
            let model = try Sequential([Dense(4, 8, activation: .relu), Dropout(0.3), Dense(8, 3)], seed: 5)
            return try model.fit(train, epochs: 3, batchSize: 10, optimizer: SGD(learningRate: 0.1), seed: 9)["loss"]
        }
        #expect(try run() == run())
    }

    @Test func earlyStoppingRestoresTheBestWeights() throws {
        let (train, test) = try irisSplit()
        let model = try irisModel()
        let stopper = EarlyStopping(monitor: "val_loss", patience: 2, minDelta: 0, restoreBestWeights: true)
        // A huge learning rate makes the validation loss bounce, so patience runs out.
        let history = try model.fit(
            train, validation: test, epochs: 40, batchSize: 8, optimizer: SGD(learningRate: 3), callbacks: [stopper])
        #expect(history.epochs.count < 40)
        #expect(history.stopReason?.hasPrefix("EarlyStopping: val_loss did not improve for 2 epochs") == true)
        let best = stopper.bestEpoch!
        if history.restoredEpoch != nil {
            #expect(history.restoredEpoch == best)
            let restoredLoss = try model.evaluate(test)[0].value
            #expect(abs(restoredLoss - history["val_loss"][best]) < 1e-4)
        }
        #expect(throws: NeuralNetworkError.self) {
            try irisModel().fit(train, epochs: 1, optimizer: SGD(), callbacks: [EarlyStopping(monitor: "nope")])
        }
    }

    @Test func learningRateSchedulerAndProgressCallback() throws {
        let (train, _) = try irisSplit()
        let model = try irisModel()
        var events: [TrainingEvent] = []
        let history = try model.fit(
            train, epochs: 3, batchSize: 35, optimizer: SGD(learningRate: 0.1),
            callbacks: [
                LearningRateScheduler(.step(every: 1, factor: 0.5)),
                ProgressCallback(batchInterval: 2) { events.append($0) },
            ])
        expectClose(history["learning_rate"].map(Float.init), [0.1, 0.05, 0.025])
        #expect(events.first == .began(epochs: 3, batchesPerEpoch: 3))
        let batches = events.compactMap { event -> BatchProgress? in
            if case .batch(let progress) = event { return progress }
            return nil
        }
        #expect(batches.map(\.batch) == [1, 2, 1, 2, 1, 2])
        #expect(events.filter { if case .epoch = $0 { return true } else { return false } }.count == 3)
        if case .ended(let final) = events.last! { #expect(final == history) } else { Issue.record("no end event") }
    }

    @Test func reduceLearningRateOnPlateau() throws {
        let (train, _) = try irisSplit()
        let optimizer = SGD(learningRate: 0.1)
        // A metric that never improves after the first epoch ("accuracy" of a model whose learning rate is 0 would do;
        // here the monitor is the constant learning rate itself, in maximum mode).
        let reducer = ReduceLearningRateOnPlateau(monitor: "learning_rate", factor: 0.5, patience: 2, mode: .maximum)
        let history = try irisModel().fit(train, epochs: 6, batchSize: 50, optimizer: optimizer, callbacks: [reducer])
        expectClose(history["learning_rate"].map(Float.init), [0.1, 0.1, 0.1, 0.05, 0.05, 0.025])
    }

    @Test func cancellationIsCheckedEveryBatch() throws {
        let (train, _) = try irisSplit()
        var calls = 0
        do {
            try irisModel().fit(
                train, epochs: 5, batchSize: 10, optimizer: SGD(),
                shouldCancel: {
                    calls += 1
                    return calls > 13
                })
            Issue.record("fit did not stop")
        } catch let error as TrainingError {
            #expect(error.kind == .cancelled)
            #expect(error.epoch == 1 && error.batch == 2)  // 11 batches per epoch: the 14th check is epoch 2, batch 3
            #expect(error.history.epochs.count == 1)
            #expect(error.description == "fit: interrupted at epoch 2, batch 3 of 11")
        }
    }

    @Test func nonFiniteLossStopsWithAClearMessage() throws {
        var features = try irisSplit().train.features.scalars
        features[5] = .nan
        let (train, _) = try irisSplit()
        let poisoned = try Dataset(
            features: Tensor(shape: train.features.shape, scalars: features), targets: train.targets)
        do {
            try Dense(4, 3).fit(poisoned, epochs: 2, batchSize: 200, optimizer: SGD(), shuffle: false)
            Issue.record("fit did not stop")
        } catch let error as TrainingError {
            #expect(error.kind == .nonFiniteLoss)
            #expect(error.description.hasPrefix("fit: the loss became NaN at epoch 1, batch 1"))
        }
    }

    @Test func binaryClassificationAndRegression() throws {
        let cancer = try BundledDataset.breastCancer()
        let scaler = try StandardScaler(fittingOn: cancer.features)
        let data = try Dataset(features: scaler.transform(cancer.features), labels: cancer.labels)
        let classifier = try Sequential([Dense(30, 1)], seed: 0)
        let history = try classifier.fit(
            data, epochs: 5, batchSize: 32, loss: .binaryCrossEntropy(), optimizer: Adam(learningRate: 0.01))
        #expect(history["accuracy"].last! > 0.9)
        // y = 2x₀ − x₁ + 0.5 learned by a linear layer with MSE.
        var generator = RandomGenerator(seed: 2)
        let x = try Tensor.normal([128, 2], using: &generator)
        let y = try x.matmul(Tensor([[2], [-1]])) + 0.5
        let regression = try Dataset(features: x, targets: y)
        let linear = try Dense(2, 1)
        let fitted = try linear.fit(
            regression, epochs: 60, batchSize: 16, loss: .meanSquaredError, optimizer: Adam(learningRate: 0.05))
        #expect(fitted.metricNames == ["loss", "learning_rate"])
        #expect(fitted["loss"].last! < 1e-3)
        let predictions = try linear.predict(x).scalars.map(Double.init)
        #expect(try RegressionMetrics.r2(predicted: predictions, actual: y.scalars.map(Double.init)) > 0.999)
    }
}

@Suite struct CheckpointTests {
    @Test func roundTripsEveryParameterAndBuffer() throws {
        let model = try Sequential([Dense(3, 4, activation: .relu), BatchNorm(4), Dense(4, 2)], seed: 1)
        _ = try model.forward(Tensor.ones([5, 3]), context: LayerContext(isTraining: true))  // move the running stats
        let path = temporaryPath("roundtrip/model.safetensors")
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        try Checkpoint.save(model, to: path, metadata: ["note": "test \"quoted\""])
        let copy = try Sequential([Dense(3, 4, activation: .relu), BatchNorm(4), Dense(4, 2)], seed: 2)
        try Checkpoint.load(copy, from: path)
        #expect(copy.snapshot() == model.snapshot())
        let (tensors, metadata) = try Checkpoint.read(from: path)
        #expect(Set(tensors.keys) == Set(model.namedParameters.map(\.name)))
        #expect(metadata["note"] == "test \"quoted\"")
        // No temporary file is left behind.
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".tmp") }.isEmpty)
    }

    @Test func mismatchedModelsAreRejected() throws {
        let path = temporaryPath("small.safetensors")
        try Checkpoint.save(try Dense(3, 4), to: path)
        #expect(throws: NeuralNetworkError.self) { try Checkpoint.load(try Dense(3, 5), from: path) }
        #expect(throws: NeuralNetworkError.self) { try Checkpoint.load(try Sequential([Dense(3, 4)]), from: path) }
        try Data("not a checkpoint".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: NeuralNetworkError.self) { try Checkpoint.read(from: path) }
    }

    @Test func unwritableAndUnreadableFilesNameThePathAndTheReason() throws {
        let model = try Dense(3, 4)
        let missing = temporaryPath("no-such-folder/model.safetensors")
        #expect(throws: FileAccessError(path: missing, access: .write, reason: "No such file or directory")) {
            try Checkpoint.save(model, to: missing)
        }
        #expect(throws: FileAccessError(path: "/sys/model.safetensors", access: .write, reason: "Permission denied")) {
            try Checkpoint.save(model, to: "/sys/model.safetensors")
        }
        #expect(throws: FileAccessError(path: missing, access: .read, reason: "No such file or directory")) {
            try Checkpoint.read(from: missing)
        }
        let folder = temporaryPath("")
        #expect(throws: FileAccessError(path: folder, access: .read, reason: "Is a directory")) {
            try CSVTable.read(folder)
        }
        #expect(
            "\(FileAccessError(path: missing, access: .write, reason: "No such file or directory"))"
                == "cannot write '\(missing)': No such file or directory")
        // A save that cannot rename over its target (a folder) leaves the old file as it was and nothing temporary.
        let taken = temporaryPath("taken-\(UUID())")
        try FileManager.default.createDirectory(atPath: taken + "/inside", withIntermediateDirectories: true)
        #expect(throws: FileAccessError(path: taken, access: .write, reason: "Is a directory")) {
            try Checkpoint.save(model, to: taken)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".tmp") }.isEmpty)
    }

    @Test func modelCheckpointSavesTheBestEpoch() throws {
        let (train, test) = try irisSplit()
        let path = temporaryPath("best.safetensors")
        let checkpoint = ModelCheckpoint(path: path, monitor: "val_accuracy")
        let model = try irisModel()
        try model.fit(train, validation: test, epochs: 4, optimizer: Adam(learningRate: 0.01), callbacks: [checkpoint])
        #expect(!checkpoint.savedEpochs.isEmpty)
        #expect(try Checkpoint.read(from: path).metadata["epoch"] == String(checkpoint.savedEpochs.last!))
    }

    /// Reads our file with the Python `safetensors` package (skipped when Python or the package is missing).
    @Test func pythonSafetensorsReadsOurFiles() throws {
        let python = ProcessInfo.processInfo.environment["NN_TEST_PYTHON"] ?? "python3"
        func run(_ arguments: [String]) -> (status: Int32, output: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [python] + arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = Pipe()
            do { try process.run() } catch { return (-1, "") }
            process.waitUntilExit()
            let output = String(data: pipe.fileHandleForReading.readDataToEndOfFile(), encoding: .utf8) ?? ""
            return (process.terminationStatus, output)
        }
        guard run(["-c", "import safetensors.numpy"]).status == 0 else {
            print("skipping: \(python) with the safetensors package is not available (pip install safetensors numpy)")
            return
        }
        let model = try Sequential([Dense(3, 2), LayerNorm(2)], seed: 4)
        let path = temporaryPath("python.safetensors")
        try Checkpoint.save(model, to: path, metadata: ["format": "pt"])
        let script = """
            import sys
            from safetensors.numpy import load_file
            for name, array in sorted(load_file(sys.argv[1]).items()):
                print(name, array.dtype, list(array.shape), ' '.join('%.6f' % v for v in array.ravel()))
            """
        let (status, output) = run(["-c", script, path])
        #expect(status == 0)
        var expected: [String] = []
        for (name, parameter) in model.namedParameters.sorted(by: { $0.name < $1.name }) {
            let values = parameter.value.scalars.map { String(format: "%.6f", $0) }.joined(separator: " ")
            expected.append("\(name) float32 \(parameter.shape) \(values)")
        }
        #expect(output.split(separator: "\n").map(String.init) == expected)
    }
}
