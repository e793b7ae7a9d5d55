"""Reference numbers for dlc's convolution, pooling and batch-normalization kernels.

Writes convolution.json next to this file; Tests/DLCRuntimeTests/ConvolutionKernelTests read it.
The Swift tests do not need PyTorch; rerun this only to regenerate the JSON:

    python3 -m venv /root/torchvenv && /root/torchvenv/bin/pip install torch   # any PyTorch 2.x, CPU is enough
    /root/torchvenv/bin/python Tests/DLCRuntimeTests/Reference/convolution.py

Every case runs in float32 on small seeded inputs. PyTorch works in NCHW with OIHW weights; the JSON
holds dlc's layouts: activations NHWC [batch, height, width, channels], convolution weights HWIO
[kernel height, kernel width, in channels, out channels], all flattened row-major. Gradients are of the
scalar loss sum(y * dy) for the recorded dy (so the input gradient of each op is fed dy).

- Convolutions use F.conv2d on an input padded by F.pad, which gives TensorFlow's asymmetric `same`
  padding (padTotal = max((out - 1) * stride + kernel - in, 0), top = padTotal // 2, rest at the
  bottom; likewise left/right). `padding` is [top, bottom, left, right]; `same` says whether it is
  TensorFlow's same padding for the shape (else explicit or valid).
- Max pooling pads with -inf (padding never wins) and records PyTorch's argmax converted to a flat
  index into the NHWC input over the whole batch.
- Average pooling divides by the number of real cells (count_include_pad=False): native
  F.avg_pool2d where the padding is symmetric, else sum-pooling of the zero-padded input divided by
  sum-pooling of a zero-padded tensor of ones (the same thing for asymmetric padding).
- Batch norm: F.batch_norm in training mode (momentum 0.1, eps 1e-5; running_var is updated with the
  unbiased variance) and in eval mode, over NHWC rows = batch * height * width.
"""

import json
import os
import struct

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float32)
HERE = os.path.dirname(os.path.abspath(__file__))


def shortest(v):
    """The float32 `v` as the shortest decimal that reads back as the same float32 (keeps the JSON small)."""
    exact = struct.unpack("f", struct.pack("f", v))[0]
    for digits in range(6, 10):
        text = "%.*g" % (digits, exact)
        if struct.unpack("f", struct.pack("f", float(text)))[0] == exact:
            return float(text)
    return exact


def flat(t):
    return [shortest(v) for v in t.detach().contiguous().reshape(-1).tolist()]


def nhwc(t):
    return flat(t.permute(0, 2, 3, 1))


def hwio(w):
    return flat(w.permute(2, 3, 1, 0))


def same_padding(size, kernel, stride):
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def padding_for(height, width, kernel, stride, same, explicit):
    if explicit is not None:
        return list(explicit)
    if not same:
        return [0, 0, 0, 0]
    top, bottom = same_padding(height, kernel[0], stride[0])
    left, right = same_padding(width, kernel[1], stride[1])
    return [top, bottom, left, right]


def convolution_case(name, seed, batch, height, width, cin, cout, kernel, stride, same, bias=True, explicit=None):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, cin, height, width, generator=g).requires_grad_()
    w = (torch.randn(cout, cin, *kernel, generator=g) * 0.5).requires_grad_()
    b = torch.randn(cout, generator=g).requires_grad_() if bias else None
    pad = padding_for(height, width, kernel, stride, same, explicit)
    y = F.conv2d(F.pad(x, (pad[2], pad[3], pad[0], pad[1])), w, b, stride=stride)
    dy = torch.randn(y.shape, generator=g)
    (y * dy).sum().backward()
    return {
        "name": name, "batch": batch, "height": height, "width": width,
        "in_channels": cin, "out_channels": cout, "kernel": list(kernel), "stride": list(stride),
        "padding": pad, "same": same and explicit is None,
        "x": nhwc(x), "weights": hwio(w), "bias": flat(b) if bias else None,
        "y": nhwc(y), "dy": nhwc(dy), "dx": nhwc(x.grad), "d_weights": hwio(w.grad),
        "d_bias": flat(b.grad) if bias else None,
    }


def pooling_case(name, seed, kind, batch, height, width, channels, window, stride, same):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, channels, height, width, generator=g).requires_grad_()
    pad = padding_for(height, width, window, stride, same, None)
    torch_pad = (pad[2], pad[3], pad[0], pad[1])
    argmax = None
    if kind == "max":
        padded = F.pad(x, torch_pad, value=float("-inf"))
        y, indices = F.max_pool2d(padded, window, stride, return_indices=True)
        # Plane index in the padded input -> flat NHWC index in x.
        padded_width = width + pad[2] + pad[3]
        row = indices // padded_width - pad[0]
        column = indices % padded_width - pad[2]
        n = torch.arange(batch).view(batch, 1, 1, 1)
        c = torch.arange(channels).view(1, channels, 1, 1)
        argmax = [int(v) for v in (((n * height + row) * width + column) * channels + c)
                  .permute(0, 2, 3, 1).reshape(-1).tolist()]
    elif pad[0] == pad[1] and pad[2] == pad[3]:
        y = F.avg_pool2d(x, window, stride, padding=(pad[0], pad[2]), count_include_pad=False)
    else:
        ones = torch.ones_like(x)
        sums = F.avg_pool2d(F.pad(x, torch_pad), window, stride, divisor_override=1)
        cells = F.avg_pool2d(F.pad(ones, torch_pad), window, stride, divisor_override=1)
        y = sums / cells
    dy = torch.randn(y.shape, generator=g)
    (y * dy).sum().backward()
    return {
        "name": name, "kind": kind, "batch": batch, "height": height, "width": width, "channels": channels,
        "window": list(window), "stride": list(stride), "padding": pad, "same": same,
        "x": nhwc(x), "y": nhwc(y), "argmax": argmax, "dy": nhwc(dy), "dx": nhwc(x.grad),
    }


def batch_norm_case(name, seed, batch, height, width, channels, offset):
    g = torch.Generator().manual_seed(seed)
    x = (torch.randn(batch, channels, height, width, generator=g) * 2 + offset).requires_grad_()
    gamma = (torch.rand(channels, generator=g) + 0.5).requires_grad_()
    beta = torch.randn(channels, generator=g).requires_grad_()
    running_mean = torch.randn(channels, generator=g)
    running_var = torch.rand(channels, generator=g) + 0.5
    initial_mean, initial_var = running_mean.clone(), running_var.clone()
    y = F.batch_norm(x, running_mean, running_var, gamma, beta, training=True, momentum=0.1, eps=1e-5)
    dy = torch.randn(y.shape, generator=g)
    (y * dy).sum().backward()
    with torch.no_grad():
        eval_y = F.batch_norm(x, running_mean, running_var, gamma, beta, training=False, eps=1e-5)
    return {
        "name": name, "rows": batch * height * width, "channels": channels, "momentum": 0.1, "epsilon": 1e-5,
        "x": nhwc(x), "gamma": flat(gamma), "beta": flat(beta),
        "running_mean": flat(initial_mean), "running_variance": flat(initial_var),
        "y": nhwc(y), "updated_running_mean": flat(running_mean), "updated_running_variance": flat(running_var),
        "dy": nhwc(dy), "dx": nhwc(x.grad), "d_gamma": flat(gamma.grad), "d_beta": flat(beta.grad),
        "eval_y": nhwc(eval_y),
    }


def main():
    convolutions = [
        convolution_case("same 3x3 stride 1", 1, 2, 5, 5, 3, 4, (3, 3), (1, 1), True),
        convolution_case("same 3x2 stride 2 asymmetric", 2, 2, 7, 7, 3, 2, (3, 2), (2, 2), True),
        convolution_case("same 4x4 stride 1 asymmetric", 3, 1, 6, 5, 2, 3, (4, 4), (1, 1), True),
        convolution_case("valid 2x3 stride 2x1 no bias", 4, 2, 6, 7, 2, 3, (2, 3), (2, 1), False, bias=False),
        convolution_case("same 5x5 stride 1 wide", 5, 1, 5, 6, 9, 3, (5, 5), (1, 1), True),
        convolution_case("same 3x3 stride 2 wide", 6, 1, 6, 7, 10, 4, (3, 3), (2, 2), True),
        convolution_case("pointwise 1x1", 7, 2, 4, 5, 6, 4, (1, 1), (1, 1), False),
        convolution_case("explicit pad 1 stride 2", 8, 2, 7, 7, 3, 4, (3, 3), (2, 2), False,
                         explicit=(1, 1, 1, 1)),
        convolution_case("single channel 3x3 same", 9, 1, 9, 9, 1, 4, (3, 3), (1, 1), True),
    ]
    pools = [
        pooling_case("max 2x2 valid", 11, "max", 1, 6, 6, 10, (2, 2), (2, 2), False),
        pooling_case("max 3x3 stride 2 same symmetric", 12, "max", 2, 7, 7, 3, (3, 3), (2, 2), True),
        pooling_case("max 3x3 stride 2 same asymmetric", 13, "max", 2, 6, 6, 9, (3, 3), (2, 2), True),
        pooling_case("max 2x2 same odd", 14, "max", 1, 5, 5, 4, (2, 2), (2, 2), True),
        pooling_case("average 2x2 valid", 15, "average", 1, 6, 6, 10, (2, 2), (2, 2), False),
        pooling_case("average 3x3 stride 2 same symmetric", 16, "average", 2, 7, 7, 3, (3, 3), (2, 2), True),
        pooling_case("average 3x3 stride 2 same asymmetric", 17, "average", 2, 6, 6, 9, (3, 3), (2, 2), True),
        pooling_case("average 3x3 stride 1 same", 18, "average", 1, 4, 5, 2, (3, 3), (1, 1), True),
    ]
    norms = [
        batch_norm_case("batch norm 5 channels", 21, 4, 3, 3, 5, 0.0),
        batch_norm_case("batch norm 1 channel offset", 22, 8, 5, 5, 1, 10.0),
        batch_norm_case("batch norm 70 channels", 23, 1, 3, 2, 70, -3.0),
    ]
    path = os.path.join(HERE, "convolution.json")
    with open(path, "w") as f:
        json.dump({"convolutions": convolutions, "pools": pools, "batch_norms": norms}, f)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
