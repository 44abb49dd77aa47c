// NeuralNetworksBench: the four engine reference tasks (MLP and CNN on digits, LSTM running sum mod 10, transformer
// sorting 8 tokens) trained with NeuralNetworks; one JSON line per run with the reference scripts' keys.
//
//   NeuralNetworksBench [--data DIR] [--orders DIR] [--seed S] [--epochs E] [--init FILE] [task …]
//   tasks: mlp cnn lstm attention
//
// DIR holds the reference CSVs (shared/bench/reference/data). With --orders, epoch e of task T takes its batch order
// from DIR/T_seedS_epochE.txt (numpy's permutation, written by bench.sh), so batches match the torch reference.
// With --init, the model starts from that checkpoint (safetensors with our parameter names), e.g. PyTorch's initial
// weights for the same seed (Benchmarks/NeuralNetworks/torch_init.py), to compare the engines from one starting point.
import Foundation
import NeuralNetworks
import TensorCore

struct Options {
    var data = "../shared/bench/reference/data"
    var orders: String?
    var seed: UInt64 = 0
    var epochs: Int?
    var initial: String?
    var tasks: [String] = []
}

func parseOptions() -> Options {
    var options = Options()
    var arguments = CommandLine.arguments.dropFirst()
    while let argument = arguments.popFirst() {
        switch argument {
        case "--data": options.data = arguments.popFirst() ?? options.data
        case "--orders": options.orders = arguments.popFirst()
        case "--seed": options.seed = UInt64(arguments.popFirst() ?? "0") ?? 0
        case "--epochs": options.epochs = Int(arguments.popFirst() ?? "")
        case "--init": options.initial = arguments.popFirst()
        case "--recommended-core-type":
            print(BLASBackend.recommendedCoreType ?? "")
            exit(0)
        default: options.tasks.append(argument)
        }
    }
    if options.tasks.isEmpty { options.tasks = ["mlp", "cnn", "lstm", "attention"] }
    return options
}

let options = parseOptions()

/// Integer CSV with a header, as rows.
func readRows(_ name: String) throws -> [[Float]] {
    let table = try CSVTable.read(options.data + "/" + name)
    let columns = try table.columnNames.map { try table.numbers($0) }
    return (0..<table.rowCount).map { row in columns.map { $0[row] } }
}

func order(_ task: String, epoch: Int, count: Int) -> [Int]? {
    guard let folder = options.orders else { return nil }
    let path = "\(folder)/\(task)_seed\(options.seed)_epoch\(epoch).txt"
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
    let values = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
    return values.count == count ? values : nil
}

/// CPU time of the process, in seconds.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
        + Double(usage.ru_stime.tv_usec) / 1e6
}

struct Task {
    let name: String
    let peer: String
    let model: any Layer
    let train: Dataset
    let test: Dataset
    let epochs: Int
    let batchSize: Int
    let learningRate: Float
}

func digits(_ reshape: [Int]) throws -> (Dataset, Dataset) {
    let train = try readRows("digits_train.csv")
    let test = try readRows("digits_test.csv")
    func split(_ rows: [[Float]]) throws -> (Tensor, [Int]) {
        (try Tensor(shape: [rows.count, 64], scalars: rows.flatMap { $0.dropFirst() }), rows.map { Int($0[0]) })
    }
    let (trainX, trainY) = try split(train)
    let (testX, testY) = try split(test)
    let scaler = try StandardScaler(fittingOn: trainX)
    return (
        try Dataset(features: scaler.transform(trainX).reshaped(to: [-1] + reshape), labels: trainY),
        try Dataset(features: scaler.transform(testX).reshaped(to: [-1] + reshape), labels: testY)
    )
}

func sequences(_ file: String, length: Int, targets: ([Float]) -> [Float], skipFirst: Bool) throws -> Dataset {
    let rows = try readRows(file)
    let inputs = rows.map { Array(skipFirst ? $0.dropFirst().prefix(length) : $0.prefix(length)) }
    return try Dataset(
        features: Tensor(shape: [rows.count, length], scalars: inputs.flatMap { $0 }),
        targets: Tensor(shape: [rows.count, length], scalars: rows.indices.flatMap { targets(rows[$0]) }))
}

func makeTask(_ name: String, seed: UInt64) throws -> Task {
    switch name {
    case "mlp":
        let (train, test) = try digits([64])
        let model = try Sequential(
            [Dense(64, 128, activation: .relu), Dense(128, 64, activation: .relu), Dense(64, 10)], seed: seed)
        return Task(
            name: "mlp_digits", peer: "torch-eager", model: model, train: train, test: test, epochs: 20, batchSize: 32,
            learningRate: 1e-3)
    case "cnn":
        let (train, test) = try digits([1, 8, 8])
        let model = try Sequential(
            [
                Conv2D(1, 16, kernelSize: 3, padding: 1, activation: .relu), MaxPool2D(2),
                Conv2D(16, 32, kernelSize: 3, padding: 1, activation: .relu), MaxPool2D(2), Flatten(),
                Dense(128, 64, activation: .relu), Dropout(0.2), Dense(64, 10),
            ], seed: seed)
        return Task(
            name: "cnn_digits", peer: "torch-eager", model: model, train: train, test: test, epochs: 15, batchSize: 32,
            learningRate: 1e-3)
    case "lstm":
        func runningSums(_ row: [Float]) -> [Float] {
            var sum = 0
            return row.dropFirst().map { value in
                sum = (sum + Int(value)) % 10
                return Float(sum)
            }
        }
        let train = try sequences("seq_summod_train.csv", length: 20, targets: runningSums, skipFirst: true)
        let test = try sequences("seq_summod_test.csv", length: 20, targets: runningSums, skipFirst: true)
        let model = try Sequential([Embedding(10, 16), LSTM(16, 64, returnSequences: true), Dense(64, 10)], seed: seed)
        return Task(
            name: "lstm_summod", peer: "torch-nn.LSTM", model: model, train: train, test: test, epochs: 5,
            batchSize: 64, learningRate: 3e-3)
    case "attention":
        let sorted: ([Float]) -> [Float] = { Array($0.suffix(8)) }
        let train = try sequences("sort8_train.csv", length: 8, targets: sorted, skipFirst: false)
        let test = try sequences("sort8_test.csv", length: 8, targets: sorted, skipFirst: false)
        let model = try Sequential(
            [
                Embedding(16, 32), PositionalEmbedding(maximumLength: 8, dimension: 32),
                TransformerEncoderLayer(dimension: 32, headCount: 4, feedForwardSize: 64),
                TransformerEncoderLayer(dimension: 32, headCount: 4, feedForwardSize: 64), Dense(32, 16),
            ], seed: seed)
        return Task(
            name: "attention_sort8", peer: "torch-nn.Transformer", model: model, train: train, test: test, epochs: 6,
            batchSize: 64, learningRate: 3e-3)
    default:
        throw NeuralNetworkError("bench", "unknown task '\(name)' (mlp, cnn, lstm, attention)")
    }
}

for name in options.tasks {
    let task = try makeTask(name, seed: options.seed)
    if let initial = options.initial { try Checkpoint.load(task.model, from: initial) }
    let epochs = options.epochs ?? task.epochs
    var epochTimes: [Double] = []
    final class Timer: Callback {
        var start = Date()
        var times: [Double] = []
        func epochWillBegin(_ epoch: Int, state: TrainingState) throws { start = Date() }
        func epochDidEnd(_ logs: EpochLogs, state: TrainingState) throws {
            times.append(Date().timeIntervalSince(start))
        }
    }
    let timer = Timer()
    let cpuStart = cpuSeconds()
    let start = Date()
    let count = task.train.count
    let history = try task.model.fit(
        task.train, epochs: epochs, batchSize: task.batchSize, optimizer: Adam(learningRate: task.learningRate),
        callbacks: [timer], seed: options.seed,
        batchOrder: options.orders == nil
            ? nil : { epoch in order(name, epoch: epoch, count: count) ?? Array(0..<count) })
    let trainSeconds = Date().timeIntervalSince(start)
    let cpu = cpuSeconds() - cpuStart
    epochTimes = timer.times.sorted()
    let output = try task.model.predict(task.test.features)
    let predicted = try output.argmax(alongAxis: -1).indices
    let actual = task.test.labels
    let accuracy = try ClassificationMetrics.accuracy(predicted: predicted, actual: actual)
    let steps = epochs * ((count + task.batchSize - 1) / task.batchSize)
    var line: [String: Any] = [
        "benchmark": task.name, "peer": "rigor", "reference_peer": task.peer, "threads": BLASBackend.threadCount,
        "seed": options.seed, "epochs": epochs, "steps": steps, "train_s": trainSeconds, "cpu_s": cpu,
        "epoch_s_median": epochTimes.isEmpty ? 0 : epochTimes[epochTimes.count / 2],
        "step_ms": 1000 * trainSeconds / Double(max(steps, 1)), "test_acc": accuracy,
        "final_epoch_train_loss": history["loss"].last ?? 0, "n_params": task.model.parameterCount,
        "train_loss_per_epoch": history["loss"],
    ]
    if task.test.targets.rank == 2 {
        let length = task.test.targets.shape[1]
        let rows = actual.count / length
        line["test_last_pos_acc"] =
            Double((0..<rows).filter { predicted[$0 * length + length - 1] == actual[$0 * length + length - 1] }.count)
            / Double(rows)
        line["test_seq_exact"] =
            Double(
                (0..<rows).filter { row in
                    (0..<length).allSatisfy { predicted[row * length + $0] == actual[row * length + $0] }
                }
                .count) / Double(rows)
    }
    let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}
