// TensorCoreBench: times TensorCore ops and prints one JSON line per benchmark ({"benchmark", "ours_s", ...}).
// Benchmarks/TensorCore/bench.sh runs it next to the PyTorch/NumPy reference (reference.py) and joins the two.

import TensorCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

/// Seconds per call: calibrate to ~`minimumTime` per trial, then the median of `trials` trials (like reference.py).
func secondsPerCall(minimumTime: Double = 0.1, trials: Int = 7, _ body: () throws -> Void) rethrows -> Double {
    try body()
    var calls = 0
    let start = now()
    while now() - start < minimumTime / 4 {
        try body()
        calls += 1
    }
    calls = max(1, calls * 4)
    var results: [Double] = []
    for _ in 0..<trials {
        let trialStart = now()
        for _ in 0..<calls { try body() }
        results.append((now() - trialStart) / Double(calls))
    }
    results.sort()
    return results[trials / 2]
}

func emit(_ name: String, _ seconds: Double, _ extra: [String: Double] = [:]) {
    var fields = ["\"benchmark\": \"\(name)\"", "\"ours_s\": \(seconds)"]
    for (key, value) in extra.sorted(by: { $0.key < $1.key }) { fields.append("\"\(key)\": \(value)") }
    print("{" + fields.joined(separator: ", ") + "}")
}

if CommandLine.arguments.dropFirst().first == "--configured-core" {
    // Prints the kernel family OpenBLAS runs once configured (it chooses again when it fell back to generic ones).
    print(BLASBackend.coreName)
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "--recommended-core-type" {
    print(BLASBackend.recommendedCoreType ?? "")
    exit(0)
}
let selected = Set(CommandLine.arguments.dropFirst())
print(
    "{\"blas_core\": \"\(BLASBackend.coreName)\", \"blas_threads\": \(BLASBackend.threadCount), "
        + "\"blas_config\": \"\(BLASBackend.configuration)\"}")
func wanted(_ name: String) -> Bool { selected.isEmpty || selected.contains(where: { name.hasPrefix($0) }) }

var generator = RandomGenerator(seed: 0)

// GEMM throughput: C = A · B, square, through Tensor.matmul (allocation included, like numpy's a @ b).
for n in [64, 256, 1024, 2048] where wanted("sgemm") {
    let a = try Tensor.uniform([n, n], lower: -0.5, upper: 0.5, using: &generator)
    let b = try Tensor.uniform([n, n], lower: -0.5, upper: 0.5, using: &generator)
    let seconds = try secondsPerCall(minimumTime: n >= 1024 ? 0.5 : 0.1, trials: 5) { _ = try a.matmul(b) }
    emit("sgemm \(n)", seconds, ["gflops": 2 * Double(n * n * n) / seconds / 1e9])
}

// Per-op overhead: a small elementwise add, no graph.
if wanted("add") {
    let a = try Tensor.normal([32, 128], using: &generator)
    let b = try Tensor.normal([32, 128], using: &generator)
    emit("add 32x128", try secondsPerCall { _ = try a + b })
}

if wanted("matmul") {
    let x = try Tensor.normal([32, 64], using: &generator)
    let w = try Tensor.normal([64, 128], using: &generator)
    emit("matmul 32x64 @ 64x128", try secondsPerCall { _ = try x.matmul(w) })
}

// Autograd: per node of a chain of 100 recorded adds, forward + backward.
if wanted("autograd") {
    let p = try Tensor.zeros([32, 128]).requiringGradient()
    let c = try Tensor.normal([32, 128], using: &generator)
    let seconds = try secondsPerCall {
        var y = p
        for _ in 0..<100 { y = try y + c }
        try y.sum().backward()
        p.clearGradient()
    }
    emit("autograd add per node", seconds / 100)
}

// A dense layer as the network layer will run it: Linear(64 → 128) at batch 32, forward + sum + backward.
if wanted("linear") {
    let x = try Tensor.normal([32, 64], using: &generator)
    let weight = try Tensor.uniform([128, 64], lower: -0.125, upper: 0.125, using: &generator).requiringGradient()
    let bias = try Tensor.uniform([128], lower: -0.125, upper: 0.125, using: &generator).requiringGradient()
    emit(
        "linear 64->128 fwd+bwd b32",
        try secondsPerCall {
            weight.clearGradient()
            bias.clearGradient()
            let y = try Tensor.matmul(x, weight, transposeB: true).addingBias(bias)
            try y.sum().backward()
        })
}

// conv2d forward + backward on the digits CNN's two convolutions (batch 32, 8×8 and 4×4 inputs, 3×3, pad 1).
for (name, input, output, side) in [("conv2d 1->16 8x8", 1, 16, 8), ("conv2d 16->32 4x4", 16, 32, 4)]
where wanted("conv2d") {
    let x = try Tensor.normal([32, input, side, side], using: &generator)
    let weight = try Tensor.normal([output, input, 3, 3], standardDeviation: 0.1, using: &generator)
        .requiringGradient()
    let bias = try Tensor.zeros([output]).requiringGradient()
    emit(
        "\(name) fwd+bwd b32",
        try secondsPerCall {
            weight.clearGradient()
            bias.clearGradient()
            try x.conv2d(weight: weight, bias: bias, padding: (1, 1)).sum().backward()
        })
}

// One MLP 64-128-64-10 training step's forward + backward (batch 32, ReLU, mean cross-entropy).
if wanted("mlp") {
    let x = try Tensor.normal([32, 64], using: &generator)
    let labels = IndexTensor((0..<32).map { $0 % 10 })
    let sizes = [(64, 128), (128, 64), (64, 10)]
    var weights: [Tensor] = []
    var biases: [Tensor] = []
    for (fanIn, fanOut) in sizes {
        let limit = 1 / Float(fanIn).squareRoot()
        weights.append(
            try Tensor.uniform([fanOut, fanIn], lower: -limit, upper: limit, using: &generator).requiringGradient())
        biases.append(try Tensor.uniform([fanOut], lower: -limit, upper: limit, using: &generator).requiringGradient())
    }
    let layers = Array(zip(weights, biases))
    emit(
        "mlp 64-128-64-10 fwd+bwd b32",
        try secondsPerCall {
            for (weight, bias) in layers {
                weight.clearGradient()
                bias.clearGradient()
            }
            var h = x
            for (index, (weight, bias)) in layers.enumerated() {
                let activation: Activation = index == layers.count - 1 ? .identity : .relu
                h = try Tensor.matmul(h, weight, transposeB: true).addingBias(bias, activation: activation)
            }
            try Tensor.softmaxCrossEntropy(logits: h, labels: labels).backward()
        })
}

// An LSTM layer over a 20-step sequence (batch 64, input 16, hidden 64), forward + backward of Σ h_t: TensorCore's
// fused `Tensor.lstm` (the whole layer as one op: one GEMM for the input projection of all steps, one GEMM and one
// fused cell pass per step, a hand-written backward through time). The reference is PyTorch's fused nn.LSTM.
if wanted("lstm") {
    let sequence = try Tensor.normal([64, 20, 16], using: &generator)
    let limit: Float = 1 / 8
    let inputWeight = try Tensor.uniform([256, 16], lower: -limit, upper: limit, using: &generator).requiringGradient()
    let hiddenWeight = try Tensor.uniform([256, 64], lower: -limit, upper: limit, using: &generator)
        .requiringGradient()
    let inputBias = try Tensor.uniform([256], lower: -limit, upper: limit, using: &generator).requiringGradient()
    let hiddenBias = try Tensor.uniform([256], lower: -limit, upper: limit, using: &generator).requiringGradient()
    emit(
        "lstm 20 steps b64 h64 fwd+bwd",
        try secondsPerCall(trials: 5) {
            for parameter in [inputWeight, hiddenWeight, inputBias, hiddenBias] { parameter.clearGradient() }
            let outputs = try Tensor.lstm(
                sequence, inputWeight: inputWeight, hiddenWeight: hiddenWeight, inputBias: inputBias,
                hiddenBias: hiddenBias)
            try outputs.sum().backward()
        })
}
