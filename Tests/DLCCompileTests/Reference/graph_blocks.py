"""Reference training steps for dlc's graph blocks (residual, layernorm, branches), computed with PyTorch.

Run: /root/torchvenv/bin/python Tests/DLCCompileTests/Reference/graph_blocks.py
Writes graph_blocks.json beside this file. The Swift tests read it; PyTorch is not needed to run them.

Three small classifiers, each trained full-batch for 3 Adam steps (lr 0.01, PyTorch defaults otherwise)
on cross-entropy of logits (F.cross_entropy, mean over the batch):
- "residual": conv/batchnorm/relu stem, an identity residual block, a stride-2 residual block with a
  bias-free 1x1 stride-2 projection shortcut (`residual_15.projection.weight`), global average pooling
  and a dense head.
- "layernorm": dense -> layernorm over the last axis -> relu -> dense.
- "branches": three convolutions reading the input: tanh(a) * sigmoid(b), concatenated over channels
  with c (gated first), global max pooling and a dense head.

Conventions (dlc's, everything float32, one thread):
- The JSON holds dlc's layouts, flattened row-major: features NHWC, dense weights [in, units] (PyTorch
  Linear's transposed), conv2d weights [kernel_h, kernel_w, in_channels, filters] (PyTorch's OIHW
  permuted (2, 3, 1, 0)). The forward pass runs in PyTorch layout (NCHW, OIHW) with functional ops.
- `same` padding is TensorFlow's asymmetric split (padTotal = max((out - 1) * stride + kernel - in, 0),
  top = padTotal // 2, the rest at the bottom; likewise left/right), done with F.pad then F.conv2d.
- batchnorm is F.batch_norm in training mode (momentum 0.1, eps 1e-5, batch statistics over N, H, W;
  running_var updated with the unbiased variance). The running statistics are updated by every
  forward pass, so "final" holds them after the 3 training forwards. Only gamma/beta/weights/biases
  are given to Adam.
- layernorm is F.layer_norm over the last axis, eps 1e-5.
- Initial values come from numpy RandomState(seed): weights uniform(-1, 1) * sqrt(3 / fan_in)
  (fan_in = product of all but the last dlc axis), biases and betas uniform(-0.1, 0.1), gammas
  uniform(0.8, 1.2), running_mean 0, running_var 1; all rounded to float32 before use.
- "logits" and "gradients" are of the first forward/backward (at the initial values); "losses" is
  the loss before each of the 3 updates; "final" is every parameter after them.
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.set_default_dtype(torch.float32)
HERE = os.path.dirname(os.path.abspath(__file__))


def to_torch(array):
    """dlc layout (numpy) -> PyTorch layout (torch.float32): [in, units] -> [units, in], HWIO -> OIHW."""
    t = torch.tensor(array, dtype=torch.float32)
    if t.dim() == 2:
        return t.T.contiguous()
    if t.dim() == 4:
        return t.permute(3, 2, 0, 1).contiguous()
    return t


def to_dlc(t):
    """PyTorch layout -> dlc layout, flattened row-major as Python floats."""
    t = t.detach()
    if t.dim() == 2:
        t = t.T
    elif t.dim() == 4:
        t = t.permute(2, 3, 1, 0)
    return t.contiguous().reshape(-1).tolist()


def same_padding(size, kernel, stride):
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def conv(x, w, b=None, stride=1, same=True):
    """x NCHW, w OIHW; TensorFlow `same` padding (or none)."""
    if same:
        top, bottom = same_padding(x.shape[2], w.shape[2], stride)
        left, right = same_padding(x.shape[3], w.shape[3], stride)
        x = F.pad(x, (left, right, top, bottom))
    return F.conv2d(x, w, b, stride=stride)


def batchnorm(x, p, name):
    return F.batch_norm(x, p[name + ".running_mean"], p[name + ".running_var"], p[name + ".weight"],
                        p[name + ".bias"], training=True, momentum=0.1, eps=1e-5)


def dense(x, p, name):
    return F.linear(x, p[name + ".weight"], p[name + ".bias"])


def residual_forward(x, p):
    h = torch.relu(batchnorm(conv(x, p["conv2d_0.weight"]), p, "batchnorm_1"))
    x_a = h
    h = torch.relu(batchnorm(conv(x_a, p["conv2d_3.weight"]), p, "batchnorm_4"))
    h = batchnorm(conv(h, p["conv2d_6.weight"]), p, "batchnorm_7")
    x_b = torch.relu(h + x_a)  # residual_8, then relu
    h = torch.relu(batchnorm(conv(x_b, p["conv2d_10.weight"], stride=2), p, "batchnorm_11"))
    h = batchnorm(conv(h, p["conv2d_13.weight"]), p, "batchnorm_14")
    shortcut = conv(x_b, p["residual_15.projection.weight"], stride=2, same=False)
    h = torch.relu(h + shortcut)  # residual_15, then relu
    return dense(h.mean(dim=(2, 3)), p, "dense_18")  # global_avgpool -> dense_18


def layernorm_forward(x, p):
    h = dense(x, p, "dense_0")
    h = F.layer_norm(h, (h.shape[-1],), p["layernorm_1.weight"], p["layernorm_1.bias"], eps=1e-5)
    return dense(torch.relu(h), p, "dense_3")


def branches_forward(x, p):
    gated = torch.tanh(conv(x, p["a.weight"], p["a.bias"])) * torch.sigmoid(conv(x, p["b.weight"], p["b.bias"]))
    c = conv(x, p["c.weight"])
    cat = torch.cat([gated, c], dim=1)
    return dense(cat.amax(dim=(2, 3)), p, "dense_6")  # global_maxpool -> dense_6


def bn(name, channels):
    return [(name + ".weight", "gamma", (channels,)), (name + ".bias", "beta", (channels,)),
            (name + ".running_mean", "mean", (channels,)), (name + ".running_var", "var", (channels,))]


# name -> (input_shape, batch, classes, seed, forward, [(parameter, kind, dlc shape)])
CASES = {
    "residual": ([6, 6, 3], 8, 4, 101, residual_forward, [
        ("conv2d_0.weight", "weight", (3, 3, 3, 4)), *bn("batchnorm_1", 4),
        ("conv2d_3.weight", "weight", (3, 3, 4, 4)), *bn("batchnorm_4", 4),
        ("conv2d_6.weight", "weight", (3, 3, 4, 4)), *bn("batchnorm_7", 4),
        ("conv2d_10.weight", "weight", (3, 3, 4, 6)), *bn("batchnorm_11", 6),
        ("conv2d_13.weight", "weight", (3, 3, 6, 6)), *bn("batchnorm_14", 6),
        ("residual_15.projection.weight", "weight", (1, 1, 4, 6)),
        ("dense_18.weight", "weight", (6, 4)), ("dense_18.bias", "bias", (4,))]),
    "layernorm": ([5], 8, 3, 202, layernorm_forward, [
        ("dense_0.weight", "weight", (5, 6)), ("dense_0.bias", "bias", (6,)),
        ("layernorm_1.weight", "gamma", (6,)), ("layernorm_1.bias", "beta", (6,)),
        ("dense_3.weight", "weight", (6, 3)), ("dense_3.bias", "bias", (3,))]),
    "branches": ([6, 6, 2], 8, 4, 303, branches_forward, [
        ("a.weight", "weight", (3, 3, 2, 3)), ("a.bias", "bias", (3,)),
        ("b.weight", "weight", (1, 1, 2, 3)), ("b.bias", "bias", (3,)),
        ("c.weight", "weight", (1, 1, 2, 2)),
        ("dense_6.weight", "weight", (5, 4)), ("dense_6.bias", "bias", (4,))]),
}


def initial_values(rng, spec):
    values = {}
    for name, kind, shape in spec:
        if kind == "weight":
            v = rng.uniform(-1.0, 1.0, shape) * np.sqrt(3.0 / np.prod(shape[:-1]))
        elif kind in ("bias", "beta"):
            v = rng.uniform(-0.1, 0.1, shape)
        elif kind == "gamma":
            v = rng.uniform(0.8, 1.2, shape)
        else:
            v = np.zeros(shape) if kind == "mean" else np.ones(shape)
        values[name] = v.astype(np.float32)
    return values


def check_layouts():
    """Round-trip the layout conversions, and check a dlc-layout conv and dense against numpy."""
    rng = np.random.RandomState(7)
    for shape in [(5,), (5, 6), (3, 2, 4, 5)]:
        a = rng.randn(*shape).astype(np.float32)
        assert np.array_equal(np.array(to_dlc(to_torch(a)), dtype=np.float32), a.reshape(-1)), shape
    x = rng.randn(2, 6, 5, 3).astype(np.float32)  # NHWC
    w = rng.randn(3, 2, 3, 4).astype(np.float32)  # HWIO
    (top, bottom), (left, right) = same_padding(6, 3, 2), same_padding(5, 2, 2)
    xp = np.pad(x.astype(np.float64), ((0, 0), (top, bottom), (left, right), (0, 0)))
    expected = np.zeros((2, 3, 3, 4))
    for i in range(3):
        for j in range(3):
            patch = xp[:, 2 * i:2 * i + 3, 2 * j:2 * j + 2, :]
            expected[:, i, j, :] = np.einsum("nhwc,hwco->no", patch, w.astype(np.float64))
    got = conv(torch.tensor(x).permute(0, 3, 1, 2), to_torch(w), stride=2).permute(0, 2, 3, 1)
    assert np.allclose(got.numpy(), expected, atol=1e-5), "conv layout"
    d = rng.randn(5, 6).astype(np.float32)  # [in, units]
    xd = rng.randn(3, 5).astype(np.float32)
    assert np.allclose(F.linear(torch.tensor(xd), to_torch(d)).numpy(), xd @ d, atol=1e-5), "dense layout"


def run_case(input_shape, batch, classes, seed, forward, spec):
    rng = np.random.RandomState(seed)
    features = rng.randn(batch, *input_shape).astype(np.float32)  # NHWC (or [batch, in])
    labels = rng.permutation(np.arange(batch) % classes)  # every class appears
    initial = initial_values(rng, spec)

    x = torch.tensor(features)
    if x.dim() == 4:
        x = x.permute(0, 3, 1, 2).contiguous()  # NHWC -> NCHW
    y = torch.tensor(labels, dtype=torch.long)
    p = {name: to_torch(v) for name, v in initial.items()}
    trainable = [name for name, kind, _ in spec if kind not in ("mean", "var")]
    for name in trainable:
        p[name].requires_grad_()
    optimizer = torch.optim.Adam([p[name] for name in trainable], lr=0.01)

    losses, logits, gradients = [], None, None
    for step in range(3):
        optimizer.zero_grad()
        out = forward(x, p)
        loss = F.cross_entropy(out, y)
        loss.backward()
        if step == 0:
            logits = out.detach().reshape(-1).tolist()
            gradients = {name: to_dlc(p[name].grad) for name in trainable}
        losses.append(loss.item())
        optimizer.step()

    return {
        "input_shape": input_shape, "batch": batch, "classes": classes,
        "features": features.reshape(-1).astype(np.float64).tolist(),
        "labels": [float(v) for v in labels],
        "initial": {name: v.reshape(-1).astype(np.float64).tolist() for name, v in initial.items()},
        "logits": logits, "gradients": gradients, "losses": losses,
        "final": {name: to_dlc(p[name]) for name, _, _ in spec},
    }


def main():
    check_layouts()
    cases = {name: run_case(*case) for name, case in CASES.items()}
    out = {"generated_by": "Tests/DLCCompileTests/Reference/graph_blocks.py with torch " + torch.__version__,
           "cases": cases}
    path = os.path.join(HERE, "graph_blocks.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    for name, case in cases.items():
        print(name, "losses", case["losses"])
    print("wrote", path)


if __name__ == "__main__":
    main()
