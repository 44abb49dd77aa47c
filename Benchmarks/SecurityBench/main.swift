// SecurityBench: FGSM and PGD on digits with the Security target, timed, next to ART 1.20 on the same weights and
// rows (Benchmarks/Security/bench.sh runs Tests/SecurityTests/Fixtures/art_reference.py on what this writes).
//
//   SecurityBench --out DIR [--rows N] [--repeats R]
//
// Trains the MLP 64-32-10 (ReLU) on the digits training split (pixels / 16, seed 0, 8 epochs, Adam 0.01), as the
// tests' fixture does; saves its weights and the first N test rows as safetensors and the attack list as JSON; runs
// each attack R times and prints one JSON line per attack with the best wall and CPU time and the adversarial
// accuracy.
import Foundation
import NeuralNetworks
import Security
import TensorCore

var out = ""
var rowCount = 540
var repeats = 3
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--out": out = arguments.popFirst() ?? ""
    case "--rows": rowCount = Int(arguments.popFirst() ?? "") ?? rowCount
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
    FileHandle.standardError.write(Data("usage: SecurityBench --out DIR [--rows N] [--repeats R]\n".utf8))
    exit(2)
}

/// Process CPU time in seconds: on a shared machine, wall time mostly measures the other processes.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
        + Double(usage.ru_stime.tv_usec) / 1e6
}

let digits = try BundledDataset.digits()
let rawTrain = try digits.dataset(split: "train")
let rawTest = try digits.dataset(split: "test")
let train = try Dataset(features: rawTrain.features / 16, labels: rawTrain.labels)
let model = try Sequential([Dense(64, 32, activation: .relu), Dense(32, 10)], seed: 0)
_ = try model.fit(train, epochs: 8, batchSize: 32, optimizer: Adam(learningRate: 0.01), seed: 0)
let count = min(rowCount, rawTest.count)
let inputs = Array((rawTest.features / 16).scalars.prefix(count * 64))
let labels = Array(rawTest.labels.prefix(count))
try Checkpoint.save(model, to: out + "/model.safetensors")
try Checkpoint.write(
    [
        ("inputs", Tensor(shape: [count, 64], scalars: inputs)),
        ("labels", Tensor(shape: [count], scalars: labels.map(Float.init))),
    ], to: out + "/data.safetensors")

let attacks: [(name: String, attack: Attack, spec: [String: Any])] = [
    ("fgsm-linf-0.1", Attack(.fgsm(epsilon: 0.1)), ["method": "fgsm", "norm": "inf", "eps": 0.1]),
    (
        "pgd-linf-0.1-20", Attack(.pgd(epsilon: 0.1, stepSize: 0.01, steps: 20)),
        ["method": "pgd", "norm": "inf", "eps": 0.1, "eps_step": 0.01, "max_iter": 20]
    ),
    (
        "pgd-l2-1.0-20", Attack(.pgd(epsilon: 1.0, stepSize: 0.1, steps: 20, norm: .l2)),
        ["method": "pgd", "norm": "2", "eps": 1.0, "eps_step": 0.1, "max_iter": 20]
    ),
    (
        "pgd-linf-0.1-20-random", Attack(.pgd(epsilon: 0.1, stepSize: 0.01, steps: 20, randomStart: true, seed: 1)),
        ["method": "pgd", "norm": "inf", "eps": 0.1, "eps_step": 0.01, "max_iter": 20, "random_start": true]
    ),
]
let specs = attacks.map { entry -> [String: Any] in
    var spec = entry.spec
    spec["name"] = entry.name
    spec["targeted"] = false
    spec["target"] = 0
    return spec
}
try JSONSerialization.data(withJSONObject: specs).write(to: URL(fileURLWithPath: out + "/attacks.json"))

let target = try AttackModel(model: model, inputShape: [64])
for entry in attacks {
    var best = (wall: Double.infinity, cpu: Double.infinity)
    var result: AttackResult?
    for _ in 0..<max(1, repeats) {
        let start = DispatchTime.now().uptimeNanoseconds
        let cpuStart = cpuSeconds()
        result = try entry.attack.run(on: target, inputs: inputs, labels: labels)
        best.wall = min(best.wall, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        best.cpu = min(best.cpu, cpuSeconds() - cpuStart)
    }
    print(
        "{\"attack\": \"\(entry.name)\", \"rows\": \(count), \"ours_s\": \(best.wall), \"ours_cpu_s\": \(best.cpu),"
            + " \"clean_accuracy\": \(result?.cleanAccuracy ?? 0), \"accuracy\": \(result?.adversarialAccuracy ?? 0)}")
}
