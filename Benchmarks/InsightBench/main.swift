// InsightBench: KernelSHAP and integrated gradients on digits with ModelInsight, timed, next to shap's
// KernelExplainer and captum's IntegratedGradients on the same weights (Benchmarks/Insight/compare.py).
//
//   InsightBench --out DIR [--rows N] [--background B] [--samples S] [--steps T] [--repeats R]
//
// Trains an MLP 64-32-10 (ReLU) on the digits training split (pixels / 16, seed 0, 5 epochs), saves its weights as
// safetensors, the background (the first B training rows), the explained rows (the first N test rows) and their
// labels as JSON, then explains each row's true class: KernelSHAP with S coalitions, and integrated gradients (T
// Gauss–Legendre steps, zero baseline). Prints one JSON line per method with the best time of R runs and writes the
// attributions for compare.py to check agreement.
import Foundation
import ModelInsight
import NeuralNetworks
import TensorCore

var out = ""
var rowCount = 100
var backgroundCount = 20
var samples = 2048
var steps = 50
var repeats = 3
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--out": out = arguments.popFirst() ?? ""
    case "--rows": rowCount = Int(arguments.popFirst() ?? "") ?? rowCount
    case "--background": backgroundCount = Int(arguments.popFirst() ?? "") ?? backgroundCount
    case "--samples": samples = Int(arguments.popFirst() ?? "") ?? samples
    case "--steps": steps = Int(arguments.popFirst() ?? "") ?? steps
    case "--repeats": repeats = Int(arguments.popFirst() ?? "") ?? repeats
    case "--recommended-core-type":
        print(BLASBackend.recommendedCoreType ?? "")
        exit(0)
    default:
        FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8))
        exit(2)
    }
}
guard !out.isEmpty else {
    FileHandle.standardError.write(Data("usage: InsightBench --out DIR [--rows N] ...\n".utf8))
    exit(2)
}

func rows(_ tensor: Tensor) -> [[Double]] {
    let width = tensor.shape[1]
    let scalars = tensor.scalars.map(Double.init)
    return (0..<tensor.shape[0]).map { Array(scalars[($0 * width)..<(($0 + 1) * width)]) }
}

/// Process CPU time in seconds: on a shared machine, wall time mostly measures the other processes.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
        + Double(usage.ru_stime.tv_usec) / 1e6
}

/// The best (wall, CPU) seconds of `repeats` runs.
@MainActor func bestTime(_ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
    var best = (wall: Double.infinity, cpu: Double.infinity)
    for _ in 0..<max(1, repeats) {
        let start = DispatchTime.now().uptimeNanoseconds
        let cpuStart = cpuSeconds()
        try body()
        best.wall = min(best.wall, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        best.cpu = min(best.cpu, cpuSeconds() - cpuStart)
    }
    return best
}

let digits = try BundledDataset.digits()
let rawTrain = try digits.dataset(split: "train")
let rawTest = try digits.dataset(split: "test")
let train = try Dataset(features: rawTrain.features * Float(0.0625), targets: rawTrain.targets)
let test = try Dataset(features: rawTest.features * Float(0.0625), targets: rawTest.targets)
let model = try Sequential([Dense(64, 32, activation: .relu), Dense(32, 10)], seed: 0)
_ = try model.fit(train, epochs: 5, batchSize: 32, loss: .crossEntropy(), optimizer: Adam(learningRate: 1e-2), seed: 0)
try Checkpoint.save(model, to: out + "/model.safetensors")

let background = Array(rows(train.features).prefix(backgroundCount))
let explained = Array(rows(test.features).prefix(rowCount))
let labels = test.labels.prefix(rowCount).map { $0 }
let function = try ModelFunction(model: model, inputShape: [64], image: ImageLayout(height: 8, width: 8))

var shapValues: [[Double]] = []
let shapSeconds = try bestTime {
    shapValues = try zip(explained, labels).map { x, label in
        try Explainer.explain(
            function, x, method: .kernelSHAP(background: background, samples: samples, seed: 0), classIndex: label
        ).attributions
    }
}
var igValues: [[Double]] = []
var igGaps: [Double] = []
let igSeconds = try bestTime {
    igValues = []
    igGaps = []
    for (x, label) in zip(explained, labels) {
        let explanation = try Explainer.explain(
            function, x, method: .integratedGradients(steps: steps), classIndex: label)
        igValues.append(explanation.attributions)
        if case .completeness(let gap, _) = explanation.check { igGaps.append(abs(gap)) }
    }
}

let data: [String: Any] = [
    "background": background, "rows": explained, "labels": labels, "samples": samples, "steps": steps,
    "kernelSHAP": ["seconds": shapSeconds.wall, "cpuSeconds": shapSeconds.cpu, "values": shapValues],
    "integratedGradients": [
        "seconds": igSeconds.wall, "cpuSeconds": igSeconds.cpu, "values": igValues, "maxGap": igGaps.max() ?? 0,
    ],
]
let json = try JSONSerialization.data(withJSONObject: data)
try json.write(to: URL(fileURLWithPath: out + "/ours.json"))
print(
    "{\"ours\": \"kernelSHAP\", \"rows\": \(rowCount), \"samples\": \(samples), \"background\": \(backgroundCount),"
        + " \"ours_s\": \(shapSeconds.wall), \"ours_cpu_s\": \(shapSeconds.cpu)}")
print(
    "{\"ours\": \"integratedGradients\", \"rows\": \(rowCount), \"steps\": \(steps), \"ours_s\": \(igSeconds.wall),"
        + " \"ours_cpu_s\": \(igSeconds.cpu)}")
