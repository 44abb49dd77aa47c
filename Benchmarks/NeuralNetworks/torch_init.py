"""Writes PyTorch's initial weights of a reference task's model (the reference script's model class, after
torch.manual_seed(seed) as in reftorch.train_classifier) as safetensors with NeuralNetworksBench's parameter names,
so that `NeuralNetworksBench --init FILE` trains from exactly torch's starting point.

    python torch_init.py REFERENCE_DIR TASK SEED OUT.safetensors      (TASK: lstm)
"""
import json
import struct
import sys

import numpy as np
import torch


def main():
    reference, task, seed, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    sys.path.insert(0, reference)
    if task != "lstm":
        raise SystemExit("only the lstm task is mapped")
    from train_lstm import make_models
    torch.manual_seed(seed)
    model = make_models()["torch-nn.LSTM"]()
    names = {"emb.": "0.", "rnn.": "1.", "out.": "2."}
    tensors = {}
    for name, value in model.state_dict().items():
        prefix = next(p for p in names if name.startswith(p))
        tensors[names[prefix] + name[len(prefix):]] = value.detach().numpy().astype("<f4")
    header, offset, blobs = {}, 0, []
    for name, array in tensors.items():
        data = np.ascontiguousarray(array).tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(out, "wb") as handle:
        handle.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


if __name__ == "__main__":
    main()
