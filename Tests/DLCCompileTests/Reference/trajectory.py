"""Reference trajectories for dlc's training step, computed with PyTorch.

Run: /root/torchvenv/bin/python Tests/DLCCompileTests/Reference/trajectory.py
Writes trajectory.json beside this file. The Swift test TrajectoryTests reads it; PyTorch is not
needed to run the tests.

A 4 -> 5 (tanh) -> 3 network with cross-entropy on logits, trained full-batch on 8 fixed examples
for 30 steps with each optimizer. Weights are stored dlc-style ([in, out]); PyTorch's Linear keeps
[out, in], so they are transposed on the way in and out.
"""
import json
import os

import torch

torch.set_num_threads(1)
torch.manual_seed(0)
features = torch.randn(8, 4)
labels = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
initial = {
    "dense_0.weight": torch.randn(4, 5) * 0.5,
    "dense_0.bias": torch.randn(5) * 0.1,
    "dense_1.weight": torch.randn(5, 3) * 0.5,
    "dense_1.bias": torch.randn(3) * 0.1,
}

OPTIMIZERS = {
    "sgd": ("sgd: {learning_rate: 0.1, momentum: 0.9, nesterov: true, weight_decay: 0.01}",
            lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    "adam": ("adam: {learning_rate: 0.01}", lambda p: torch.optim.Adam(p, lr=0.01)),
    "adamw": ("adamw: {learning_rate: 0.01, weight_decay: 0.05}", lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.05)),
    "rmsprop": ("rmsprop: {learning_rate: 0.005, momentum: 0.5, centered: true}",
                lambda p: torch.optim.RMSprop(p, lr=0.005, momentum=0.5, centered=True)),
}

cases = {}
for name, (spec, make) in OPTIMIZERS.items():
    layer0 = torch.nn.Linear(4, 5)
    layer1 = torch.nn.Linear(5, 3)
    with torch.no_grad():
        layer0.weight.copy_(initial["dense_0.weight"].T)
        layer0.bias.copy_(initial["dense_0.bias"])
        layer1.weight.copy_(initial["dense_1.weight"].T)
        layer1.bias.copy_(initial["dense_1.bias"])
    parameters = [layer0.weight, layer0.bias, layer1.weight, layer1.bias]
    optimizer = make(parameters)
    losses = []
    for _ in range(30):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(layer1(torch.tanh(layer0(features))), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    cases[name] = {
        "optimizer": spec,
        "losses": losses,
        "final": {
            "dense_0.weight": layer0.weight.detach().T.flatten().tolist(),
            "dense_0.bias": layer0.bias.detach().flatten().tolist(),
            "dense_1.weight": layer1.weight.detach().T.flatten().tolist(),
            "dense_1.bias": layer1.bias.detach().flatten().tolist(),
        },
    }

out = {
    "torch_version": torch.__version__,
    "features": features.flatten().tolist(),
    "labels": labels.float().tolist(),
    "initial": {k: v.flatten().tolist() for k, v in initial.items()},
    "cases": cases,
}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "trajectory.json"), "w") as f:
    json.dump(out, f, indent=1)
