import Foundation
import NeuralNetworks
import TensorCore
import Testing

@testable import Security

/// Our FGSM and PGD against ART 1.20's (FastGradientMethod, ProjectedGradientDescent on a PyTorchClassifier with
/// CrossEntropyLoss and clip_values (0, 1)) on the same digits MLP weights and the same 540 test rows: adversarial
/// accuracy within 1 point. `NN_TEST_PYTHON` names a Python with torch, safetensors and
/// adversarial-robustness-toolbox 1.20 (`make venv-security` installs it in the test venv). Without one the test
/// fails; `NN_SKIP_ART_PARITY=1` opts out, and the runner then reports it as skipped.
@Suite(
    .serialized,
    .disabled(
        if: ProcessInfo.processInfo.environment["NN_SKIP_ART_PARITY"] == "1",
        "NN_SKIP_ART_PARITY=1: the ART comparison is opted out"))
struct ARTParityTests {
    static let python = ProcessInfo.processInfo.environment["NN_TEST_PYTHON"] ?? "python3"

    /// The attacks compared: name → (ours, the spec the script reads).
    static var attacks: [(name: String, attack: Attack, spec: [String: Any])] {
        [
            ("fgsm-linf-0.1", Attack(.fgsm(epsilon: 0.1)), ["method": "fgsm", "norm": "inf", "eps": 0.1]),
            ("fgsm-l2-1.0", Attack(.fgsm(epsilon: 1.0, norm: .l2)), ["method": "fgsm", "norm": "2", "eps": 1.0]),
            (
                "pgd-linf-0.1", Attack(.pgd(epsilon: 0.1, stepSize: 0.01, steps: 20)),
                ["method": "pgd", "norm": "inf", "eps": 0.1, "eps_step": 0.01, "max_iter": 20]
            ),
            (
                "pgd-l2-1.0", Attack(.pgd(epsilon: 1.0, stepSize: 0.1, steps: 20, norm: .l2)),
                ["method": "pgd", "norm": "2", "eps": 1.0, "eps_step": 0.1, "max_iter": 20]
            ),
            (
                "pgd-linf-0.1-targeted-3",
                Attack(.pgd(epsilon: 0.1, stepSize: 0.01, steps: 20), goal: .targeted(class: 3)),
                [
                    "method": "pgd", "norm": "inf", "eps": 0.1, "eps_step": 0.01, "max_iter": 20, "targeted": true,
                    "target": 3,
                ]
            ),
        ]
    }

    @Test("FGSM and PGD (L∞, L2, targeted) match ART 1.20's adversarial accuracy within 1 point on the same weights")
    func matchesART() throws {
        let probe = try runPython(["-c", "import torch, safetensors, art; assert art.__version__.startswith('1.20')"])
        guard probe.status == 0 else {
            let lastLine = probe.errors.split(separator: "\n").last.map(String.init) ?? ""
            Issue.record(
                Comment(
                    rawValue: "\(Self.python) lacks torch, safetensors or ART 1.20 (\(lastLine)): run `make"
                        + " venv-security`, set NN_TEST_PYTHON to a Python that has them, or set NN_SKIP_ART_PARITY=1"))
            return
        }
        let (model, test) = try DigitsFixture.trained()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "security-art-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let count = test.labels.count
        try Checkpoint.save(model, to: folder.appendingPathComponent("model.safetensors").path)
        try Checkpoint.write(
            [
                ("inputs", Tensor(shape: [count, 64], scalars: test.inputs)),
                ("labels", Tensor(shape: [count], scalars: test.labels.map(Float.init))),
            ], to: folder.appendingPathComponent("data.safetensors").path)
        let specs = Self.attacks.map { entry -> [String: Any] in
            var spec = entry.spec
            spec["name"] = entry.name
            spec["targeted"] = spec["targeted"] ?? false
            spec["target"] = spec["target"] ?? 0
            return spec
        }
        try JSONSerialization.data(withJSONObject: specs).write(to: folder.appendingPathComponent("attacks.json"))
        let script = try #require(Bundle.module.url(forResource: "Fixtures/art_reference", withExtension: "py"))
        let run = try runPython([script.path, folder.path])
        #expect(run.status == 0, "\(run.errors)")
        let reference = try #require(
            try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: [String: Any]])
        let target = try AttackModel(model: model, inputShape: [64])
        for entry in Self.attacks {
            let ours = try entry.attack.run(on: target, inputs: test.inputs, labels: test.labels)
            let theirs = try #require(reference[entry.name]?["accuracy"] as? Double)
            print("ART parity \(entry.name): ours \(ours.adversarialAccuracy), ART \(theirs)")
            #expect(
                abs(ours.adversarialAccuracy - theirs) <= 0.01,
                "\(entry.name): ours \(ours.adversarialAccuracy), ART \(theirs)")
            if let theirSuccess = reference[entry.name]?["success_rate"] as? Double {
                #expect(abs(ours.successRate - theirSuccess) <= 0.01, "\(entry.name): success \(ours.successRate)")
            }
            // The comparison means something: the attack did bite, and ART stayed in range as ours does.
            #expect(ours.adversarialAccuracy < ours.cleanAccuracy - 0.1, "\(entry.name)")
            #expect(reference[entry.name]?["in_range"] as? Bool == true)
        }
    }

    func runPython(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [Self.python] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(data: outData, encoding: .utf8) ?? "",
            String(data: errData, encoding: .utf8) ?? ""
        )
    }
}
