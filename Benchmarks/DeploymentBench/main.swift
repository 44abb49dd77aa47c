// DeploymentBench: float32 against int8 inference latency of the digits MLP and CNN, and the files the Python side
// (Benchmarks/Deployment/compare.py) times in ONNX Runtime and in torch's dynamic int8 quantization.
//
//   DeploymentBench --out DIR [--repetitions R] [--models mlp,cnn]      (or --recommended-core-type)
//
// Trains the reference MLP (20 epochs) and CNN (5 epochs) on the bundled digits split, quantizes each (static,
// min-max calibration on the training rows), and for batch 1 and 32 prints one JSON line:
// {"benchmark", "batch", "ours_float_s", "ours_int8_s", "int8_vs_float", "float_acc", "int8_acc", "float_bytes",
//  "int8_bytes", "float_kernel"} (`float_kernel`: the convolution variant, FloatKernel.selected; RIGOR_FLOAT_KERNEL
//  forces one), and for the CNN "ours_float_layerwise_s" (the float pass with each layer called on its own, so
//  Conv2D → MaxPool2D not fused) and "fused_vs_layerwise". `--models cnn` runs one model only (a quick loop on the CNN lines). It writes DIR/<model>.onnx,
// DIR/<model>.safetensors (PyTorch state_dict names) and DIR/inputs.safetensors (the timed batches, and our float
// outputs for a correctness check).
import Deployment
import Foundation
import NeuralNetworks
import TensorCore

var out = FileManager.default.temporaryDirectory.path
var repetitions = 200
var models = ["mlp", "cnn"]
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--out": out = arguments.popFirst() ?? out
    case "--repetitions": repetitions = Int(arguments.popFirst() ?? "") ?? repetitions
    case "--models": models = (arguments.popFirst() ?? "").split(separator: ",").map(String.init)
    case "--recommended-core-type":
        print(BLASBackend.recommendedCoreType ?? "")
        exit(0)
    default:
        FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8))
        exit(2)
    }
}

func digits(shape: [Int]) throws -> (train: Dataset, test: Dataset) {
    let digits = try BundledDataset.digits()
    let train = try digits.dataset(split: "train")
    let test = try digits.dataset(split: "test")
    let scaler = try StandardScaler(fittingOn: train.features)
    return (
        try Dataset(features: scaler.transform(train.features).reshaped(to: [-1] + shape), targets: train.targets),
        try Dataset(features: scaler.transform(test.features).reshaped(to: [-1] + shape), targets: test.targets)
    )
}

/// The median seconds of `body` over `count` runs after five warm-ups.
func median(_ count: Int, _ body: () throws -> Void) rethrows -> Double {
    for _ in 0..<5 { try body() }
    var times: [Double] = []
    for _ in 0..<count {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return times.sorted()[times.count / 2]
}

func accuracy(_ model: any Layer, _ test: Dataset) throws -> Double {
    let predicted = try model.predictClasses(test.features)
    return Double(zip(predicted, test.labels).count { $0 == $1 }) / Double(test.count)
}

var tensors: [(String, Tensor)] = []
for name in models {
    let shape = name == "mlp" ? [64] : [1, 8, 8]
    let (train, test) = try digits(shape: shape)
    let model =
        name == "mlp"
        ? try Sequential(
            [Dense(64, 128, activation: .relu), Dense(128, 64, activation: .relu), Dense(64, 10)], seed: 0)
        : try Sequential(
            [
                Conv2D(1, 16, kernelSize: 3, padding: 1, activation: .relu), MaxPool2D(2),
                Conv2D(16, 32, kernelSize: 3, padding: 1, activation: .relu), MaxPool2D(2), Flatten(),
                Dense(128, 64, activation: .relu), Dropout(0.2), Dense(64, 10),
            ], seed: 0)
    try model.fit(train, epochs: name == "mlp" ? 20 : 5, batchSize: 32, optimizer: Adam(learningRate: 1e-3), seed: 0)
    let int8 = try QuantizedModel(quantizing: model, activations: .calibrated(train.features, .minMax))
    try ONNXExporter.export(model, inputShape: shape, to: "\(out)/\(name).onnx")
    try Checkpoint.save(model, to: "\(out)/\(name).safetensors")
    let (floatAccuracy, int8Accuracy) = (try accuracy(model, test), try accuracy(int8, test))
    for batch in [1, 32] {
        let input = try test.features.sliced(alongAxis: 0, from: 0, to: batch)
        let output = try noGrad { try model(input) }
        tensors += [("\(name)_b\(batch)_input", input), ("\(name)_b\(batch)_output", output)]
        let count = batch == 1 ? repetitions : Swift.max(repetitions / 4, 10)
        let floatTime = try median(count) { _ = try noGrad { try model(input) } }
        // The same float pass with each layer called on its own: Conv2D and MaxPool2D as two ops, not fused.
        let layerwiseTime = try median(count) {
            _ = try noGrad {
                var x = input
                for layer in model.layers { x = try layer(x) }
                return x
            }
        }
        let int8Time = try median(count) { _ = try noGrad { try int8(input) } }
        var line: [String: Any] = [
            "benchmark": "deploy_\(name)", "batch": batch, "ours_float_s": floatTime, "ours_int8_s": int8Time,
            "int8_vs_float": int8Time / floatTime, "float_acc": floatAccuracy, "int8_acc": int8Accuracy,
            "float_bytes": int8.floatByteCount, "int8_bytes": int8.byteCount,
            "float_kernel": FloatKernel.selected.name,
        ]
        if name == "cnn" {
            line["ours_float_layerwise_s"] = layerwiseTime
            line["fused_vs_layerwise"] = floatTime / layerwiseTime
        }
        let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
try Checkpoint.write(tensors, to: "\(out)/inputs.safetensors")
