import Foundation
import TensorCore
import Testing

@testable import NeuralNetworks

/// Our layers against PyTorch's on the same weights: the test saves a model (PyTorch `state_dict` names), an input and
/// our output as safetensors, and a Python script loads the weights into the equivalent `torch.nn` model and compares.
/// `NN_TEST_PYTHON` names a Python with torch and safetensors (`make test` passes the test venv's, where the Makefile
/// installs the CPU wheel of torch 2.13.0). Without one the tests fail; `NN_SKIP_PYTORCH_PARITY=1` opts out, and the
/// runner then reports them as skipped.
@Suite(
    .serialized,
    .disabled(
        if: ProcessInfo.processInfo.environment["NN_SKIP_PYTORCH_PARITY"] == "1",
        "NN_SKIP_PYTORCH_PARITY=1: the PyTorch comparison is opted out"))
struct PyTorchParityTests {
    static let python = ProcessInfo.processInfo.environment["NN_TEST_PYTHON"] ?? "python3"

    static let script = """
        import sys, torch, torch.nn as nn
        from safetensors.torch import load_file
        kind, weights, tensors = sys.argv[1], load_file(sys.argv[2]), load_file(sys.argv[3])
        x = tensors["input"]
        if kind == "lstm":
            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.e = nn.Embedding(10, 6); self.r = nn.LSTM(6, 5, batch_first=True, bidirectional=True)
                    self.d = nn.Linear(10, 4)
                def forward(self, x): return self.d(self.r(self.e(x.long()))[0])
            model = M()
            names = {"0.": "e.", "1.": "r.", "2.": "d."}
        elif kind == "gru":
            class M(nn.Module):
                def __init__(self):
                    super().__init__(); self.r = nn.GRU(3, 4, batch_first=True)
                def forward(self, x): return self.r(x)[0]
            model = M()
            names = {"0.": "r."}
        elif kind == "transformer":
            model = nn.Sequential(nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True))
            names = {}
        elif kind == "conv":
            model = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU(), nn.AvgPool2d(2),
                                  nn.Flatten(), nn.Linear(12, 2))
            names = {"2.": "5."}
        state = {}
        for key, value in weights.items():
            for ours, theirs in names.items():
                if key.startswith(ours): key = theirs + key[len(ours):]; break
            state[key] = value
        missing = [k for k in model.state_dict() if k not in state and not k.endswith("num_batches_tracked")]
        model.load_state_dict(state, strict=False)
        assert not missing, missing
        model.eval()
        with torch.no_grad():
            y = model(x)
        print("%.3g" % (y - tensors["output"]).abs().max().item())
        """

    func compare(_ kind: String, _ model: any Layer, _ input: Tensor) throws {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = [Self.python, "-c", "import torch, safetensors"]
        let probeErrors = Pipe()
        probe.standardError = probeErrors
        try probe.run()
        probe.waitUntilExit()
        guard probe.terminationStatus == 0 else {
            let problem = String(data: probeErrors.fileHandleForReading.readDataToEndOfFile(), encoding: .utf8) ?? ""
            let lastLine = problem.split(separator: "\n").last.map(String.init) ?? ""
            let message =
                "\(Self.python) lacks torch or safetensors (\(lastLine)): run `make venv-torch`, set NN_TEST_PYTHON to a "
                + "Python that has them, or set NN_SKIP_PYTORCH_PARITY=1 to skip these tests"
            Issue.record(Comment(rawValue: message))
            return
        }
        let weights = temporaryPath("\(kind)-weights.safetensors")
        let tensors = temporaryPath("\(kind)-tensors.safetensors")
        try Checkpoint.save(model, to: weights)
        try Checkpoint.write([("input", input), ("output", try model(input))], to: tensors)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [Self.python, "-c", Self.script, kind, weights, tensors]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        let text = String(data: output.fileHandleForReading.readDataToEndOfFile(), encoding: .utf8) ?? ""
        let problem = String(data: errors.fileHandleForReading.readDataToEndOfFile(), encoding: .utf8) ?? ""
        #expect(process.terminationStatus == 0, "\(problem)")
        let difference = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? .infinity
        #expect(difference < 1e-4, "\(kind): largest difference from PyTorch \(text) \(problem)")
    }

    @Test func bidirectionalLSTMMatchesPyTorch() throws {
        let model = try Sequential(
            [Embedding(10, 6), LSTM(6, 5, returnSequences: true, bidirectional: true), Dense(10, 4)], seed: 1)
        try compare("lstm", model, Tensor([[1, 2, 3, 9], [0, 0, 5, 7], [4, 4, 4, 4]]))
    }

    @Test func gruMatchesPyTorch() throws {
        var generator = RandomGenerator(seed: 2)
        try compare(
            "gru", try Sequential([GRU(3, 4, returnSequences: true)], seed: 3),
            Tensor.normal([2, 5, 3], using: &generator))
    }

    @Test func transformerEncoderLayerMatchesPyTorch() throws {
        var generator = RandomGenerator(seed: 4)
        let model = try Sequential(
            [TransformerEncoderLayer(dimension: 8, headCount: 2, feedForwardSize: 16)], seed: 5)
        try compare("transformer", model, Tensor.normal([2, 3, 8], using: &generator))
    }

    @Test func convolutionBatchNormPoolingMatchPyTorch() throws {
        var generator = RandomGenerator(seed: 6)
        let model = try Sequential(
            [
                Conv2D(2, 3, kernelSize: 3, padding: 1), BatchNorm(3), Activation(.relu), AvgPool2D(2), Flatten(),
                Dense(12, 2),
            ],
            seed: 7)
        // Move the running statistics away from 0 and 1 so evaluation mode is really tested.
        _ = try model.forward(
            Tensor.normal([4, 2, 4, 4], mean: 1, using: &generator), context: LayerContext(isTraining: true))
        try compare("conv", model, Tensor.normal([2, 2, 4, 4], using: &generator))
    }
}
