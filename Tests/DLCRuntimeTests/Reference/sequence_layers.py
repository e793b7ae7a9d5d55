"""Reference forward and backward values for dlc's sequence layers (lstm, gru, attention), computed with PyTorch.

Run: /root/torchvenv/bin/python Tests/DLCRuntimeTests/Reference/sequence_layers.py
Writes sequence_layers.json beside this file. The Swift tests read it; PyTorch is not needed to run them.
(A venv for it: python3 -m venv /root/torchvenv && /root/torchvenv/bin/pip install torch numpy; any
PyTorch 2.x, CPU is enough.)

Each case is one forward and one backward of a single layer on a padded batch of variable-length
sequences: x [batch, steps, inputs], lengths [batch] (steps t >= length are padding). The loss is
sum(output * upstream), so "gradients" are d loss / d x and d loss / d parameter for the recorded
upstream. Everything is computed in float64 from float32-rounded inputs (x, parameters, upstream are
float32 values), so the reference is exact up to float64 rounding; numbers are stored as plain floats
rounded to 9 significant digits (which round-trips every float32 input exactly).

JSON: {"generated_by": ..., "cases": {NAME: CASE}}, each CASE:
  kind ("lstm" | "gru" | "attention"), bidirectional, return_sequences, causal, heads,
  batch B, steps T, inputs C, units H (for attention units = inputs = the model dim),
  lengths [B], x [B*T*C] (row-major [B, T, C]), parameters {name: [...]}, upstream (as many as output),
  output, gradients {"x": [...], name: [...] for every parameter}.

Conventions (dlc's layouts, flattened row-major; dlc stores matrices [in, out], PyTorch's transposed):
- lstm is nn.LSTM (gate order i, f, g, o: c' = f*c + i*g, h' = o*tanh(c')), gru is nn.GRU (gate order
  r, z, n: n = tanh(x W_in + b_in + r * (h W_hn + b_hn)), h' = (1 - z)*n + z*h; note b_hn sits inside
  the r product), one layer, h0 = c0 = 0. Parameters: `rnn.weight_ih` [C, G*H] = weight_ih_l0.T,
  `rnn.weight_hh` [H, G*H] = weight_hh_l0.T, `rnn.bias_ih` [G*H], `rnn.bias_hh` [G*H] (G = 4 lstm,
  3 gru; the G gate blocks of H columns side by side in PyTorch's gate order); bidirectional adds
  `rnn.weight_ih_reverse`, `rnn.weight_hh_reverse`, `rnn.bias_ih_reverse`, `rnn.bias_hh_reverse`
  (the *_l0_reverse ones, transposed likewise).
- The RNN runs over pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False): each
  sequence sees only its own steps 0..length-1; the reverse direction starts at step length-1 of its
  sequence (not at T-1) from a zero state, so it never sees padding either.
  return_sequences true: output [B, T, H*dirs] = pad_packed_sequence(..., total_length=T): at each
  step the forward direction's H features then the reverse direction's; zeros at padded steps.
  return_sequences false: output [B, H*dirs] = h_n, the forward direction's final hidden (at step
  length-1) then the reverse direction's final hidden (the one it reaches at step 0).
- attention is nn.MultiheadAttention(embed_dim=C, num_heads=heads, batch_first=True), self-attention
  q = k = v = x, need_weights=False. Parameters: `attention.in_proj_weight` [C, 3C] = in_proj_weight.T
  (columns: the q block, then k, then v), `attention.in_proj_bias` [3C], `attention.out_proj_weight`
  [C, C] = out_proj.weight.T, `attention.out_proj_bias` [C]. Head h uses the features
  h*C/heads ..< (h+1)*C/heads of q, k and v; scores are scaled by 1/sqrt(C/heads).
  key_padding_mask = (step >= length) (padded keys are ignored); causal adds attn_mask True above
  the diagonal (query t attends to keys 0...t). output [B, T, C] = attn_output * (step < length):
  padded query steps are defined as zero in dlc (PyTorch itself computes real numbers there).
- Padded steps of x hold random nonzero values; every gradient of x at a padded step is exactly zero.
- Initial values: numpy RandomState(seed of the case), drawn in this order: x uniform(-1, 1) [B, T, C];
  each parameter, in the order listed in the JSON, uniform(-k, k) in dlc's shape, k = 1/sqrt(H) (rnn,
  PyTorch's own init range) or 1/sqrt(C) (attention); upstream uniform(-1, 1); all rounded to float32.

The script checks itself: every case is recomputed by hand (explicit per-sequence step loops over
dlc-layout matrices in torch float64, its own masking and head split; gradients by autograd of that)
and must agree with the nn module to 1e-12; one lstm case is also recomputed in plain numpy, and its
gradients are checked against central finite differences.
"""
import json
import os

import numpy as np
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
D = torch.float64

# name -> (kind, bidirectional, return_sequences, causal, heads, batch, steps, inputs, units, lengths, seed)
CASES = {
    "lstm_last": ("lstm", False, False, False, 0, 3, 5, 4, 3, [5, 2, 4], 11),
    "lstm_sequences": ("lstm", False, True, False, 0, 3, 6, 4, 3, [6, 1, 3], 12),
    "lstm_bidirectional_last": ("lstm", True, False, False, 0, 3, 5, 4, 3, [3, 5, 1], 13),
    "lstm_bidirectional_sequences": ("lstm", True, True, False, 0, 3, 5, 4, 3, [5, 5, 5], 14),
    "gru_last": ("gru", False, False, False, 0, 3, 6, 3, 4, [2, 6, 4], 21),
    "gru_sequences": ("gru", False, True, False, 0, 3, 5, 3, 4, [4, 1, 5], 22),
    "gru_bidirectional_last": ("gru", True, False, False, 0, 3, 5, 3, 4, [5, 3, 1], 23),
    "gru_bidirectional_sequences": ("gru", True, True, False, 0, 3, 6, 3, 4, [6, 2, 5], 24),
    "attention": ("attention", False, True, False, 2, 3, 5, 4, 4, [5, 2, 4], 31),
    "attention_causal": ("attention", False, True, True, 2, 3, 6, 4, 4, [6, 1, 4], 32),
    "attention_one_head": ("attention", False, True, False, 1, 3, 5, 4, 4, [5, 5, 5], 33),
}


def parameter_shapes(kind, bidirectional, inputs, units):
    """[(dlc name, dlc shape, PyTorch attribute)] in draw order."""
    if kind == "attention":
        c = inputs
        return [("attention.in_proj_weight", (c, 3 * c), "in_proj_weight"),
                ("attention.in_proj_bias", (3 * c,), "in_proj_bias"),
                ("attention.out_proj_weight", (c, c), "out_proj.weight"),
                ("attention.out_proj_bias", (c,), "out_proj.bias")]
    g = 4 if kind == "lstm" else 3
    shapes = []
    for suffix, torch_suffix in [("", "_l0")] + ([("_reverse", "_l0_reverse")] if bidirectional else []):
        shapes += [("rnn.weight_ih" + suffix, (inputs, g * units), "weight_ih" + torch_suffix),
                   ("rnn.weight_hh" + suffix, (units, g * units), "weight_hh" + torch_suffix),
                   ("rnn.bias_ih" + suffix, (g * units,), "bias_ih" + torch_suffix),
                   ("rnn.bias_hh" + suffix, (g * units,), "bias_hh" + torch_suffix)]
    return shapes


def draw(case):
    kind, bidirectional, _, _, _, b, t, c, h, lengths, seed = case
    rng = np.random.RandomState(seed)
    x = rng.uniform(-1, 1, (b, t, c)).astype(np.float32)
    k = 1.0 / np.sqrt(c if kind == "attention" else h)
    params = {name: rng.uniform(-k, k, shape).astype(np.float32)
              for name, shape, _ in parameter_shapes(kind, bidirectional, c, h)}
    return x, params, rng


def output_shape(case):
    kind, bidirectional, return_sequences, _, _, b, t, c, h, _, _ = case
    if kind == "attention":
        return (b, t, c)
    width = h * (2 if bidirectional else 1)
    return (b, t, width) if return_sequences else (b, width)


# ---------------------------------------------------------------------------------------------
# The nn-module computation (the reference).

def module_forward(case, x, p):
    """x [B, T, C] float64 tensor, p {dlc name: float64 tensor in dlc layout} -> output tensor."""
    kind, bidirectional, return_sequences, causal, heads, b, t, c, h, lengths, _ = case
    if kind == "attention":
        m = nn.MultiheadAttention(embed_dim=c, num_heads=heads, batch_first=True, dtype=D)
        assign(m, case, p)
        steps = torch.arange(t)
        key_padding_mask = steps[None, :] >= torch.tensor(lengths)[:, None]
        attn_mask = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1) if causal else None
        out, _ = m(x, x, x, key_padding_mask=key_padding_mask, attn_mask=attn_mask, need_weights=False)
        return out * (~key_padding_mask)[..., None].to(D)
    cls = nn.LSTM if kind == "lstm" else nn.GRU
    m = cls(c, h, batch_first=True, bidirectional=bidirectional, dtype=D)
    assign(m, case, p)
    packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
    out, state = m(packed)
    if return_sequences:
        padded, _ = pad_packed_sequence(out, batch_first=True, total_length=t)
        return padded
    h_n = state[0] if kind == "lstm" else state  # [dirs, B, H], in the original batch order
    return torch.cat(list(h_n), dim=1)


def assign(module, case, p):
    """Replaces the module's parameters by the dlc-layout tensors p (transposed where 2-D), so that
    autograd reaches p itself."""
    kind, bidirectional, _, _, _, _, _, c, h, _, _ = case
    for name, _, attribute in parameter_shapes(kind, bidirectional, c, h):
        owner = module
        *path, leaf = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        value = p[name].T if p[name].dim() == 2 else p[name]
        delattr(owner, leaf)
        setattr(owner, leaf, value)
    if isinstance(module, nn.RNNBase):
        module._flat_weights = [getattr(module, n) for n in module._flat_weights_names]


# ---------------------------------------------------------------------------------------------
# The independent recomputation: dlc layouts used directly, one sequence at a time.

def cell(kind, x_t, h_prev, c_prev, w_ih, w_hh, b_ih, b_hh):
    hidden = h_prev.shape[-1]
    gi = x_t @ w_ih + b_ih
    gh = h_prev @ w_hh + b_hh
    if kind == "lstm":
        z = gi + gh
        i, f, g, o = (z[k * hidden:(k + 1) * hidden] for k in range(4))
        c_new = torch.sigmoid(f) * c_prev + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(c_new), c_new
    r = torch.sigmoid(gi[:hidden] + gh[:hidden])
    z = torch.sigmoid(gi[hidden:2 * hidden] + gh[hidden:2 * hidden])
    n = torch.tanh(gi[2 * hidden:] + r * gh[2 * hidden:])
    return (1 - z) * n + z * h_prev, None


def manual_forward(case, x, p):
    kind, bidirectional, return_sequences, causal, heads, b, t, c, h, lengths, _ = case
    rows = []
    if kind == "attention":
        d = c // heads
        w, bias = p["attention.in_proj_weight"], p["attention.in_proj_bias"]
        for n in range(b):
            length = lengths[n]
            seq = x[n]
            q, k, v = seq @ w[:, :c] + bias[:c], seq @ w[:, c:2 * c] + bias[c:2 * c], seq @ w[:, 2 * c:] + bias[2 * c:]
            out_rows = []
            for i in range(t):
                if i >= length:
                    out_rows.append(torch.zeros(c, dtype=D))
                    continue
                last = i if causal else length - 1
                parts = []
                for head in range(heads):
                    cols = slice(head * d, (head + 1) * d)
                    scores = torch.stack([(q[i, cols] * k[j, cols]).sum() for j in range(last + 1)]) / np.sqrt(d)
                    weights = torch.softmax(scores, dim=0)
                    parts.append((weights[:, None] * v[:last + 1, cols]).sum(dim=0))
                out_rows.append(torch.cat(parts) @ p["attention.out_proj_weight"] + p["attention.out_proj_bias"])
            rows.append(torch.stack(out_rows))
        return torch.stack(rows)
    directions = [""] + (["_reverse"] if bidirectional else [])
    width = h * len(directions)
    for n in range(b):
        length = lengths[n]
        per_step = [[None] * len(directions) for _ in range(t)]
        finals = []
        for di, suffix in enumerate(directions):
            weights = [p[name + suffix] for name in ("rnn.weight_ih", "rnn.weight_hh", "rnn.bias_ih", "rnn.bias_hh")]
            hs, cs = torch.zeros(h, dtype=D), torch.zeros(h, dtype=D)
            order = range(length) if suffix == "" else range(length - 1, -1, -1)
            for s in order:
                hs, cs = cell(kind, x[n, s], hs, cs, *weights)
                per_step[s][di] = hs
            finals.append(hs)
        if return_sequences:
            rows.append(torch.stack([torch.cat(per_step[s]) if s < length else torch.zeros(width, dtype=D)
                                     for s in range(t)]))
        else:
            rows.append(torch.cat(finals))
    return torch.stack(rows)


def numpy_lstm_forward(case, x, p):
    """Plain numpy float64, unidirectional or bidirectional lstm, dlc layouts (a second check of the layout)."""
    _, bidirectional, return_sequences, _, _, b, t, c, h, lengths, _ = case
    sig = lambda v: 1.0 / (1.0 + np.exp(-v))
    directions = [""] + (["_reverse"] if bidirectional else [])
    out = np.zeros(output_shape(case))
    for n in range(b):
        for di, suffix in enumerate(directions):
            w_ih, w_hh = p["rnn.weight_ih" + suffix].astype(np.float64), p["rnn.weight_hh" + suffix].astype(np.float64)
            bias = p["rnn.bias_ih" + suffix].astype(np.float64) + p["rnn.bias_hh" + suffix].astype(np.float64)
            hs, cs = np.zeros(h), np.zeros(h)
            order = range(lengths[n]) if suffix == "" else range(lengths[n] - 1, -1, -1)
            for s in order:
                z = x[n, s].astype(np.float64) @ w_ih + hs @ w_hh + bias
                i, f, g, o = sig(z[:h]), sig(z[h:2 * h]), np.tanh(z[2 * h:3 * h]), sig(z[3 * h:])
                cs = f * cs + i * g
                hs = o * np.tanh(cs)
                if return_sequences:
                    out[n, s, di * h:(di + 1) * h] = hs
            if not return_sequences:
                out[n, di * h:(di + 1) * h] = hs
    return out


# ---------------------------------------------------------------------------------------------

def forward_backward(forward, case, x_np, params_np, upstream_np):
    x = torch.tensor(x_np, dtype=D, requires_grad=True)
    p = {name: torch.tensor(v, dtype=D, requires_grad=True) for name, v in params_np.items()}
    out = forward(case, x, p)
    (out * torch.tensor(upstream_np, dtype=D)).sum().backward()
    return out.detach().numpy(), x.grad.numpy(), {name: t.grad.numpy() for name, t in p.items()}


def finite_difference_check(case, x_np, params_np, upstream_np, grad_x, grads):
    """Central differences of sum(module_forward * upstream) at a few coordinates of x and each parameter."""
    up = torch.tensor(upstream_np, dtype=D)

    def loss(x_v, p_v):
        with torch.no_grad():
            return float((module_forward(case, torch.tensor(x_v, dtype=D),
                                         {k: torch.tensor(v, dtype=D) for k, v in p_v.items()}) * up).sum())

    rng = np.random.RandomState(0)
    eps = 1e-6
    x64 = x_np.astype(np.float64)
    p64 = {k: v.astype(np.float64) for k, v in params_np.items()}
    targets = [("x", x64, grad_x)] + [(k, p64[k], grads[k]) for k in p64]
    for name, array, grad in targets:
        for index in [tuple(rng.randint(s) for s in array.shape) for _ in range(4)]:
            saved = array[index]
            array[index] = saved + eps
            plus = loss(x64, p64)
            array[index] = saved - eps
            minus = loss(x64, p64)
            array[index] = saved
            numeric = (plus - minus) / (2 * eps)
            assert abs(numeric - grad[index]) < 1e-7, (name, index, numeric, grad[index])


def rounded(array):
    return [float("%.9g" % v) for v in np.asarray(array, dtype=np.float64).reshape(-1)]


def run_case(name, case):
    kind, bidirectional, return_sequences, causal, heads, b, t, c, h, lengths, seed = case
    assert len(lengths) == b and all(1 <= n <= t for n in lengths)
    x_np, params_np, rng = draw(case)
    upstream_np = rng.uniform(-1, 1, output_shape(case)).astype(np.float32)
    assert np.all(x_np != 0)

    out, grad_x, grads = forward_backward(module_forward, case, x_np, params_np, upstream_np)
    m_out, m_grad_x, m_grads = forward_backward(manual_forward, case, x_np, params_np, upstream_np)
    assert out.shape == output_shape(case), (name, out.shape)
    assert np.allclose(out, m_out, rtol=0, atol=1e-12), (name, "output", np.abs(out - m_out).max())
    assert np.allclose(grad_x, m_grad_x, rtol=0, atol=1e-12), (name, "x", np.abs(grad_x - m_grad_x).max())
    for k in grads:
        assert np.allclose(grads[k], m_grads[k], rtol=0, atol=1e-12), (name, k, np.abs(grads[k] - m_grads[k]).max())
    for n, length in enumerate(lengths):
        assert np.all(grad_x[n, length:] == 0), (name, "gradient at a padded step")
        if kind == "attention" or return_sequences:
            assert np.all(out[n, length:] == 0), (name, "output at a padded step")
    if kind == "lstm":
        assert np.allclose(out, numpy_lstm_forward(case, x_np, params_np), rtol=0, atol=1e-12), (name, "numpy")
    if name in ("lstm_bidirectional_last", "gru_bidirectional_sequences", "attention_causal"):
        finite_difference_check(case, x_np, params_np, upstream_np, grad_x, grads)

    return {
        "kind": kind, "bidirectional": bidirectional, "return_sequences": return_sequences, "causal": causal,
        "heads": heads, "batch": b, "steps": t, "inputs": c, "units": h, "lengths": lengths,
        "x": rounded(x_np),
        "parameters": {k: rounded(v) for k, v in params_np.items()},
        "upstream": rounded(upstream_np),
        "output": rounded(out),
        "gradients": dict([("x", rounded(grad_x))] + [(k, rounded(v)) for k, v in grads.items()]),
    }


def main():
    cases = {name: run_case(name, case) for name, case in CASES.items()}
    out = {"generated_by": "Tests/DLCRuntimeTests/Reference/sequence_layers.py with torch " + torch.__version__,
           "cases": cases}
    path = os.path.join(HERE, "sequence_layers.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    for name, case in cases.items():
        print("%-30s output %3d values, checked" % (name, len(case["output"])))
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
