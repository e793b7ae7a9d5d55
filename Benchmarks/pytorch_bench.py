#!/usr/bin/env python3
"""PyTorch (CPU) reference benchmarks for dlc's example specs.

Trains the same models as specs/{xor,iris,mnist-mlp,mnist-cnn,mnist-resnet,digits-cnn,
digits-branches}.yaml and the words spec (characters -> embedding, conv1d, lstm; its model and
data are Benchmarks/sequences/words_torch.py's) on the same data, the way a PyTorch user writes a
training loop (model.train(), zero_grad, forward, loss, backward, step over shuffled minibatches
taken from in-memory tensors with a randperm index; no DataLoader), and reports median steps/s
and samples/s over several timed repeats, plus start-up time, peak memory and a raw sgemm
GFLOP/s ceiling (OpenBLAS, the library dlc links, and PyTorch's MKL).

    /root/torchvenv/bin/python Benchmarks/pytorch_bench.py --threads 2 --json out.json

Each model runs in a fresh child process (unless --in-process), so its start-up time (import
torch + loading its data) and its peak RSS are those of a process that does only that model,
like one `dlc bench SPEC` invocation.
"""

import argparse
import json
import os
import subprocess
import sys
import time

PROCESS_START = time.perf_counter()

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DATA = os.path.join(REPO, "specs", "data")
MODELS = ["xor", "iris", "mnist-mlp", "mnist-cnn", "mnist-resnet", "digits-cnn", "digits-branches", "words"]
SGEMM_LIBRARIES = ("system_openblas", "numpy_openblas", "torch_mkl")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=2,
                   help="intra-op threads for PyTorch and BLAS (default 2, this machine's cores)")
    p.add_argument("--models", default=",".join(MODELS),
                   help="comma-separated subset of %s (default all)" % ",".join(MODELS))
    p.add_argument("--json", metavar="OUT", help="write the results as JSON to OUT ('-' for stdout)")
    p.add_argument("--repeats", type=int, default=5, help="timed repeats per model; the median is reported (default 5)")
    p.add_argument("--seconds", type=float, default=2.0,
                   help="target length of one timed repeat for the small models (default 2.0)")
    p.add_argument("--mnist-steps", type=int, default=200,
                   help="steps per timed repeat for the MNIST models (default 200)")
    p.add_argument("--steps", type=int, default=None,
                   help="fixed steps per timed repeat for every model (overrides --seconds/--mnist-steps)")
    p.add_argument("--warmup", type=float, default=0.5, help="seconds of warm-up per model (default 0.5; at least 10 steps)")
    p.add_argument("--no-sgemm", action="store_true", help="skip the sgemm ceiling measurement")
    p.add_argument("--in-process", action="store_true",
                   help="run every model in this process (start-up and peak memory are then not per model)")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    # internal: what a child process does
    p.add_argument("--child-model", help=argparse.SUPPRESS)
    p.add_argument("--child-sgemm", choices=SGEMM_LIBRARIES, help=argparse.SUPPRESS)
    p.add_argument("--child-out", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in args.models if m not in MODELS]
    if unknown:
        p.error("unknown model(s) %s; known: %s" % (", ".join(unknown), ", ".join(MODELS)))
    if args.threads < 1:
        p.error("--threads must be >= 1")
    return args


def set_thread_env(threads):
    # Must happen before numpy / torch are imported: OpenMP, MKL and OpenBLAS read these at load.
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(threads)


def log(args, msg):
    if not args.quiet:
        print(msg, file=sys.stderr, flush=True)


def max_rss_mib():
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def current_rss_mib():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return None


# ---------------------------------------------------------------------------------------------
# Data: the spec's files, split and normalized as the spec says, as float32 numpy arrays.

def read_idx(path):
    import gzip
    import numpy as np
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError("%s: not an unsigned-byte IDX file" % path)
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def split(x, y, held_out_fraction, seed):
    """A seeded shuffle, then the first (1 - fraction) examples train (the size dlc trains on)."""
    import numpy as np
    n = len(x)
    held = int(round(n * held_out_fraction))
    perm = np.random.default_rng(seed).permutation(n)
    train = perm[: n - held]
    return x[train], y[train]


def normalize(x, how):
    import numpy as np
    x = x.astype(np.float32)
    if how == "standard":
        mean = x.mean(axis=0)
        std = x.std(axis=0)
        std[std == 0] = 1.0
        return ((x - mean) / std).astype(np.float32)
    if how == "minmax":
        lo = x.min(axis=0)
        scale = x.max(axis=0) - lo
        scale[scale == 0] = 1.0
        return ((x - lo) / scale).astype(np.float32)
    return x


def load_data(name):
    """(features [N, ...] float32, targets) for the model's training split, as numpy arrays."""
    import numpy as np
    if name == "xor":
        x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
        y = np.array([[0], [1], [1], [0]], dtype=np.float32)  # mse on one sigmoid unit
        return x, y
    if name == "iris":
        table = np.loadtxt(os.path.join(DATA, "iris.csv"), delimiter=",", skiprows=1, dtype=np.float64)
        x, y = split(table[:, :4], table[:, 4].astype(np.int64), 0.2, 42)
        return normalize(x, "standard"), y
    if name in ("mnist-mlp", "mnist-cnn", "mnist-resnet"):
        images = read_idx(os.path.join(DATA, "mnist", "train-images-idx3-ubyte.gz"))
        labels = read_idx(os.path.join(DATA, "mnist", "train-labels-idx1-ubyte.gz")).astype(np.int64)
        x, y = split(images.reshape(len(images), -1), labels, 0.1, 0)
        return normalize(x, "minmax"), y
    if name in ("digits-cnn", "digits-branches"):
        images = read_idx(os.path.join(DATA, "digits-images.idx3-ubyte"))
        labels = read_idx(os.path.join(DATA, "digits-labels.idx1-ubyte")).astype(np.int64)
        x, y = split(images.reshape(len(images), -1), labels, 0.2, 7)
        return normalize(x, "minmax"), y
    if name == "words":
        # int64 token ids [N, 16], 0-padded: words_torch's tokens and vocabulary of its 80 % training
        # split (validation 0.1 and test 0.1 held out, stratified like dlc, seed 5).
        data, _, _ = words_data()
        return data["train"]
    raise KeyError(name)


def words_module():
    sys.path.insert(0, os.path.join(HERE, "sequences"))
    import words_torch
    return words_torch


_WORDS = []


def words_data():
    """words_torch.load of specs/data/words.csv (splits, vocabulary, classes), read once."""
    if not _WORDS:
        _WORDS.append(words_module().load(os.path.join(DATA, "words.csv")))
    return _WORDS[0]


# ---------------------------------------------------------------------------------------------
# Models, losses and optimizers equal to the specs. Softmax outputs + cross_entropy in a spec are
# logits + nn.CrossEntropyLoss here (what a PyTorch user writes; same math, fused). The graph
# models (residual blocks, branches) are nn.Module subclasses with a forward(), as in torchvision.

def mnist_resnet():
    """specs/mnist-resnet.yaml: a ResNet-style BasicBlock network. A spec `residual` is a block whose
    forward adds its input (or, when the shapes differ, a bias-free strided 1x1 convolution of it,
    the spec's `projection: auto`, without batch norm) to the main path; the spec's relu after each
    residual is the block's last ReLU. `padding: same` with stride 2 on 14x14 is padding=1 (7x7 out)."""
    import torch
    from torch import nn

    class BasicBlock(nn.Module):
        def __init__(self, in_channels, channels, stride=1):
            super().__init__()
            self.conv1 = nn.Conv2d(in_channels, channels, 3, stride=stride, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(channels)
            self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(channels)
            self.shortcut = nn.Identity()
            if stride != 1 or in_channels != channels:
                self.shortcut = nn.Conv2d(in_channels, channels, 1, stride=stride, bias=False)

        def forward(self, x):
            y = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
            return torch.relu(y + self.shortcut(x))

    blocks = 2  # the spec's hyperparameters.blocks
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        *[BasicBlock(16, 16) for _ in range(blocks)],
        BasicBlock(16, 32, stride=2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10))


def digits_branches():
    """specs/digits-branches.yaml: two convolutions of the input side by side (narrow 3x3, wide 5x5,
    both `same` with bias and relu), concatenated along the channels (narrow first), then pooled."""
    import torch
    from torch import nn

    class Branches(nn.Module):
        def __init__(self):
            super().__init__()
            self.narrow = nn.Conv2d(1, 8, 3, padding=1)
            self.wide = nn.Conv2d(1, 8, 5, padding=2)
            self.pool = nn.MaxPool2d(2)
            self.fc = nn.Linear(16 * 4 * 4, 10)

        def forward(self, x):
            x = torch.cat([torch.relu(self.narrow(x)), torch.relu(self.wide(x))], dim=1)
            return self.fc(torch.flatten(self.pool(x), 1))

    return Branches()


def build(name):
    import torch
    from torch import nn
    if name == "xor":
        model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1), nn.Sigmoid())
        return model, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9), 4, None
    if name == "iris":
        model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 3))
        return model, nn.CrossEntropyLoss(), torch.optim.Adam(model.parameters(), lr=0.01), 16, None
    if name == "mnist-mlp":
        model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                              nn.Linear(256, 10))
        return model, nn.CrossEntropyLoss(), torch.optim.Adam(model.parameters(), lr=1e-3), 128, None
    if name == "mnist-cnn":
        model = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Dropout(0.3), nn.Linear(128, 10))
        return model, nn.CrossEntropyLoss(), torch.optim.Adam(model.parameters(), lr=1e-3), 64, (1, 28, 28)
    if name == "mnist-resnet":
        model = mnist_resnet()
        return model, nn.CrossEntropyLoss(), torch.optim.Adam(model.parameters(), lr=2e-3), 64, (1, 28, 28)
    if name == "digits-cnn":
        model = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(256, 64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, 10))
        return model, nn.CrossEntropyLoss(), torch.optim.RMSprop(model.parameters(), lr=1e-3), 32, (1, 8, 8)
    if name == "digits-branches":
        model = digits_branches()
        return model, nn.CrossEntropyLoss(), torch.optim.Adam(model.parameters(), lr=3e-3), 32, (1, 8, 8)
    if name == "words":
        # embedding 32 (padding_idx 0) -> conv1d 64 k3 same relu -> lstm 64 over the packed words -> h_n -> 4;
        # the vocabulary size is that of the training split (44 characters + padding + unknown).
        words = words_module()
        _, vocab, classes = words_data()
        model = words.words_model(len(vocab) + words.FIRST, len(classes))
        return model, nn.CrossEntropyLoss(), torch.optim.Adam(model.parameters(), lr=3e-3), 64, None
    raise KeyError(name)


class Batches:
    """Shuffled minibatches over pre-built tensors: a fresh randperm each epoch, and only full
    batches (DataLoader's drop_last=True), as `dlc bench` times them: every step is one batch of
    batch_size examples, so samples/s = steps/s * batch_size on both sides."""

    def __init__(self, x, y, batch_size):
        self.x, self.y = x, y
        self.n = x.shape[0]
        self.batch_size = min(batch_size, self.n)
        self.perm, self.pos = None, self.n

    def next(self):
        import torch
        if self.pos + self.batch_size > self.n:
            self.perm, self.pos = torch.randperm(self.n), 0
        idx = self.perm[self.pos: self.pos + self.batch_size]
        self.pos += self.batch_size
        return self.x[idx], self.y[idx]


def train_steps(model, loss_fn, optimizer, batches, steps):
    """`steps` optimizer steps; returns the number of examples they consumed."""
    seen = 0
    for _ in range(steps):
        xb, yb = batches.next()
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        seen += xb.shape[0]
    return seen


def flops_per_step(model, loss_fn, optimizer, batches):
    """Matmul/conv FLOPs of one training step (forward + backward), as torch's FlopCounterMode counts them."""
    try:
        from torch.utils.flop_counter import FlopCounterMode
        counter = FlopCounterMode(display=False)
        with counter:
            train_steps(model, loss_fn, optimizer, batches, 1)
        return int(counter.get_total_flops())
    except Exception:  # an older torch without the counter: report none rather than fail
        return None


def bench_model(name, args, import_seconds):
    import statistics
    import numpy as np
    import torch
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    rss_start = max_rss_mib()
    load_before = list(os.getloadavg())
    t0 = time.perf_counter()
    x_np, y_np = load_data(name)
    model, loss_fn, optimizer, batch_size, image_shape = build(name)
    x = torch.from_numpy(np.ascontiguousarray(x_np))
    if image_shape is not None:
        x = x.reshape((x.shape[0],) + image_shape).contiguous()  # NCHW
    y = torch.from_numpy(np.ascontiguousarray(y_np))
    data_seconds = time.perf_counter() - t0

    model.train()
    batches = Batches(x, y, batch_size)
    parameters = sum(p.numel() for p in model.parameters())
    flops = flops_per_step(model, loss_fn, optimizer, batches)

    # Warm-up: the first steps create oneDNN primitives, optimizer state, thread pools.
    warm_steps, t0 = 0, time.perf_counter()
    while warm_steps < 10 or time.perf_counter() - t0 < args.warmup:
        train_steps(model, loss_fn, optimizer, batches, 1)
        warm_steps += 1
    if args.steps:
        steps = args.steps
    elif name.startswith("mnist"):
        steps = args.mnist_steps
    else:
        # Calibrate after the warm-up: double the steps until they take at least 0.2 s, then take
        # the fastest of three such runs (a stall from another process must not shrink the repeats).
        cal = 5
        while True:
            t0 = time.perf_counter()
            train_steps(model, loss_fn, optimizer, batches, cal)
            elapsed = time.perf_counter() - t0
            if elapsed >= 0.2 or cal >= 1 << 20:
                break
            cal *= 2
        for _ in range(2):
            t0 = time.perf_counter()
            train_steps(model, loss_fn, optimizer, batches, cal)
            elapsed = min(elapsed, time.perf_counter() - t0)
        steps = max(20, int(args.seconds * cal / elapsed) + 1)

    times, seen = [], []
    for r in range(args.repeats):
        t0 = time.perf_counter()
        n = train_steps(model, loss_fn, optimizer, batches, steps)
        times.append(time.perf_counter() - t0)
        seen.append(n)
        log(args, "  %s repeat %d/%d: %d steps in %.3f s (%.1f steps/s)"
            % (name, r + 1, args.repeats, steps, times[-1], steps / times[-1]))
    median = statistics.median(times)
    samples_per_repeat = statistics.median(seen)  # steps * batch_size: full batches only
    result = {
        "steps_per_second": steps / median,
        "samples_per_second": samples_per_repeat / median,
        "batch_size": batch_size,
        "median_seconds": median,
        "steps": steps,
        "repeats": args.repeats,
        "seconds": times,
        "best_steps_per_second": steps / min(times),
        "best_samples_per_second": samples_per_repeat / min(times),
        "min_seconds": min(times),
        "max_seconds": max(times),
        "threads": args.threads,
        "torch_version": torch.__version__,
        "train_examples": int(x.shape[0]),
        "parameters": parameters,
        "flops_per_step": flops,
        "gflops": (flops * steps / median / 1e9) if flops else None,
        "import_torch_seconds": import_seconds,
        "data_load_seconds": data_seconds,
        "load_average_before": load_before,
        "load_average_after": list(os.getloadavg()),
        "max_rss_mib": max_rss_mib(),
        "max_rss_increase_mib": max_rss_mib() - rss_start,
        "rss_after_mib": current_rss_mib(),
    }
    return result


# ---------------------------------------------------------------------------------------------
# sgemm ceiling: C[M,N] = A[M,K] @ B[K,N] in float32, row-major.

SGEMM_SHAPES = [
    # (label, M, K, N)
    ("mnist-mlp dense_0 forward 128x784 @ 784x256", 128, 784, 256),
    ("mnist-mlp dense_0 weight grad 784x128 @ 128x256", 784, 128, 256),
    ("mnist-mlp dense_0 input grad 128x256 @ 256x784", 128, 256, 784),
    ("mnist-mlp dense_1 forward 128x256 @ 256x256", 128, 256, 256),
    ("square 256", 256, 256, 256),
    ("square 1024", 1024, 1024, 1024),
]


def time_gemm(fn, flops, target=0.15, repeats=7):
    import statistics
    fn()
    fn()
    t0, calls = time.perf_counter(), 0
    while calls < 3 or time.perf_counter() - t0 < 0.05:
        fn()
        calls += 1
    per_call = (time.perf_counter() - t0) / calls
    calls = max(3, int(target / per_call))
    rates = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        rates.append(flops * calls / (time.perf_counter() - t0) / 1e9)
    return statistics.median(rates), max(rates)


def system_openblas(threads):
    """The OpenBLAS that dlc links (libopenblas.so.0 via pkg-config openblas), through ctypes."""
    import ctypes
    import ctypes.util
    for name in ("libopenblas.so.0", ctypes.util.find_library("openblas")):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        lib.cblas_sgemm.restype = None
        lib.cblas_sgemm.argtypes = [ctypes.c_int] * 6 + [ctypes.c_float, ctypes.c_void_p, ctypes.c_int,
                                                          ctypes.c_void_p, ctypes.c_int, ctypes.c_float,
                                                          ctypes.c_void_p, ctypes.c_int]
        if hasattr(lib, "openblas_set_num_threads"):
            lib.openblas_set_num_threads(threads)
        config = corename = None
        if hasattr(lib, "openblas_get_config"):
            lib.openblas_get_config.restype = ctypes.c_char_p
            config = lib.openblas_get_config().decode()
        if hasattr(lib, "openblas_get_corename"):
            lib.openblas_get_corename.restype = ctypes.c_char_p
            corename = lib.openblas_get_corename().decode()
        path = name
        try:
            with open("/proc/self/maps") as maps:
                for line in maps:
                    if "openblas" in line and "scipy" not in line:
                        path = line.split()[-1]
                        break
        except OSError:
            pass
        return lib, {"library": path, "config": config, "corename": corename,
                     "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE")}
    return None, None


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


AVX512_CORES = {"skylakex", "cooperlake", "sapphirerapids"}
AVX2_CORES = AVX512_CORES | {"haswell", "zen"}


def suggested_coretype(corename):
    """A better OPENBLAS_CORETYPE when OpenBLAS did not recognize this CPU (e.g. 0.3.21 on a newer
    Xeon says `Prescott`, i.e. SSE3 kernels), else None."""
    if not corename:
        return None
    flags, core = cpu_flags(), corename.lower()
    if "avx512f" in flags and "avx512bw" in flags and core not in AVX512_CORES:
        return "SkylakeX"
    if "avx2" in flags and "fma" in flags and core not in AVX2_CORES:
        return "Haswell"
    return None


def numpy_openblas_corename():
    import ctypes
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "scipy_openblas" in line}
        for path in paths:
            lib = ctypes.CDLL(path)
            for symbol in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename", "openblas_get_corename"):
                if hasattr(lib, symbol):
                    fn = getattr(lib, symbol)
                    fn.restype = ctypes.c_char_p
                    return fn().decode()
    except (OSError, IndexError):
        pass
    return None


def bench_sgemm(args, library):
    """sgemm GFLOP/s of one library. Each library is measured in a process of its own: two BLAS
    thread pools in one process spin against each other on a 2-core machine and ruin both."""
    import numpy as np
    result = {"threads": args.threads, "library": library, "shapes": {}}
    rng = np.random.default_rng(0)
    operands = []
    for label, m, k, n in SGEMM_SHAPES:
        a = rng.standard_normal((m, k), dtype=np.float32)
        b = rng.standard_normal((k, n), dtype=np.float32)
        operands.append((label, m, k, n, a, b, np.empty((m, n), dtype=np.float32)))

    if library == "numpy_openblas":
        # numpy's own OpenBLAS (the scipy-openblas wheel build). Threads: OPENBLAS_NUM_THREADS, set
        # before import; threadpoolctl, when installed, confirms and enforces it.
        info = {"library": "numpy %s bundled OpenBLAS" % np.__version__}
        try:
            from threadpoolctl import threadpool_info, threadpool_limits
            threadpool_limits(args.threads)
            info["threadpoolctl"] = [
                {k: i.get(k) for k in ("internal_api", "version", "num_threads", "architecture", "filepath")}
                for i in threadpool_info()]
        except ImportError:
            info["threadpoolctl"] = "not installed (threads set with OPENBLAS_NUM_THREADS)"
        try:
            config = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
            info["name"], info["version"] = config.get("name"), config.get("version")
        except Exception:
            pass
        np.matmul(np.ones((2, 2), np.float32), np.ones((2, 2), np.float32))  # the library is loaded
        info["corename"] = numpy_openblas_corename()
        call = lambda m, k, n, a, b, c: (lambda: np.matmul(a, b, out=c))
    elif library == "system_openblas":
        lib, info = system_openblas(args.threads)
        if lib is None:
            result["info"] = "libopenblas.so.0 not found"
            return result
        info["suggested_coretype"] = suggested_coretype(info.get("corename"))
        # CblasRowMajor = 101, CblasNoTrans = 111
        call = lambda m, k, n, a, b, c: (
            lambda: lib.cblas_sgemm(101, 111, 111, m, n, k, 1.0, a.ctypes.data, k, b.ctypes.data, n, 0.0,
                                    c.ctypes.data, n))
    else:
        import torch
        torch.set_num_threads(args.threads)
        info = {"library": "torch %s" % torch.__version__,
                "blas": "MKL" if torch.backends.mkl.is_available() else "?"}

        def call(m, k, n, a, b, c):
            ta, tb, tc = torch.from_numpy(a), torch.from_numpy(b), torch.from_numpy(c)
            return lambda: torch.mm(ta, tb, out=tc)
    result["info"] = info

    for label, m, k, n, a, b, c in operands:
        med, best = time_gemm(call(m, k, n, a, b, c), 2.0 * m * k * n)
        result["shapes"][label] = {"m": m, "k": k, "n": n, "gflops": med, "best_gflops": best}
        log(args, "  sgemm %-16s %-50s %6.1f GFLOP/s (best %.1f)" % (library, label, med, best))
    return result


def merge_sgemm(parts, threads):
    """{library: bench_sgemm result} -> the JSON "sgemm" object: per shape, LIBRARY_gflops and
    LIBRARY_best_gflops for every library, and each library's details."""
    merged = {"threads": threads, "shapes": {}}
    for library, part in parts.items():
        if "error" in part:
            merged[library] = part
            continue
        merged[library] = part.get("info")
        for label, e in part.get("shapes", {}).items():
            entry = merged["shapes"].setdefault(label, {"m": e["m"], "k": e["k"], "n": e["n"]})
            entry[library + "_gflops"], entry[library + "_best_gflops"] = e["gflops"], e["best_gflops"]
    return merged


def run_sgemm(args):
    parts = {}
    for library in SGEMM_LIBRARIES:
        if args.in_process:
            parts[library] = bench_sgemm(args, library)
        else:
            parts[library] = run_child(args, ["--child-sgemm", library])
    sgemm = merge_sgemm(parts, args.threads)
    system = sgemm.get("system_openblas")
    coretype = system.get("suggested_coretype") if isinstance(system, dict) else None
    if coretype and not os.environ.get("OPENBLAS_CORETYPE") and not args.in_process:
        # OpenBLAS picks its kernels when it is loaded: measure again in a process that forces them.
        log(args, "sgemm again with OPENBLAS_CORETYPE=%s (the system OpenBLAS detected `%s`)"
            % (coretype, system.get("corename")))
        again = run_child(args, ["--child-sgemm", "system_openblas"], env={"OPENBLAS_CORETYPE": coretype})
        sgemm["system_openblas_with_coretype"] = {
            "OPENBLAS_CORETYPE": coretype,
            "corename": (again.get("info") or {}).get("corename") if isinstance(again.get("info"), dict) else None,
            "shapes": {label: {"system_openblas_gflops": e["gflops"], "system_openblas_best_gflops": e["best_gflops"]}
                       for label, e in again.get("shapes", {}).items()},
        }
    return sgemm


# ---------------------------------------------------------------------------------------------

def machine_info(threads):
    info = {"threads": threads, "cpus": os.cpu_count(), "python": sys.version.split()[0]}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        info["load_average"] = list(os.getloadavg())
    except OSError:
        pass
    return info


def run_child(args, extra, env=None):
    """Re-runs this script for one model (or the sgemm part) in a fresh process."""
    import tempfile
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    try:
        cmd = [sys.executable, os.path.abspath(__file__), "--threads", str(args.threads),
               "--repeats", str(args.repeats), "--seconds", str(args.seconds), "--mnist-steps",
               str(args.mnist_steps), "--warmup", str(args.warmup), "--child-out", out] + extra
        if args.steps:
            cmd += ["--steps", str(args.steps)]
        if args.quiet:
            cmd.append("--quiet")
        proc = subprocess.run(cmd, env=dict(os.environ, **(env or {})))
        if proc.returncode != 0:
            return {"error": "child process exited with status %d" % proc.returncode}
        with open(out) as f:
            return json.load(f)
    finally:
        os.unlink(out)


def print_table(results):
    rows = [("model", "batch", "steps/s", "samples/s", "median s", "GFLOP/s", "startup s", "max RSS MiB")]
    for name, r in results.items():
        if name in ("sgemm", "machine"):
            continue
        if "error" in r:
            rows.append((name, "", "error: " + r["error"], "", "", "", "", ""))
            continue
        rows.append((name, str(r["batch_size"]), "%.1f" % r["steps_per_second"], "%.0f" % r["samples_per_second"],
                     "%.3f" % r["median_seconds"], "%.3g" % r["gflops"] if r.get("gflops") else "-",
                     "%.2f" % (r["import_torch_seconds"] + r["data_load_seconds"]), "%.0f" % r["max_rss_mib"]))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for i, row in enumerate(rows):
        print("  ".join(cell.ljust(w) if j == 0 else cell.rjust(w) for j, (cell, w) in enumerate(zip(row, widths))))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    if "sgemm" in results and "shapes" in results["sgemm"]:
        print("\nsgemm GFLOP/s, median (best) of 7, %d threads" % results["sgemm"]["threads"])
        for label, e in results["sgemm"]["shapes"].items():
            cells = ["%s %.0f (%.0f)" % (name, e[key], e[key.replace("_gflops", "_best_gflops")]) for name, key in
                     (("system OpenBLAS (dlc's)", "system_openblas_gflops"), ("numpy OpenBLAS", "numpy_openblas_gflops"),
                      ("torch MKL", "torch_mkl_gflops")) if key in e]
            override = results["sgemm"].get("system_openblas_with_coretype")
            if override and label in override["shapes"] and "system_openblas_gflops" in override["shapes"][label]:
                o = override["shapes"][label]
                cells.append("system OpenBLAS with OPENBLAS_CORETYPE=%s %.0f (%.0f)" % (
                    override["OPENBLAS_CORETYPE"], o["system_openblas_gflops"], o["system_openblas_best_gflops"]))
            print("  %-50s %s" % (label, ", ".join(cells)))
        system = results["sgemm"].get("system_openblas")
        if isinstance(system, dict):
            print("  system OpenBLAS: %s, kernels `%s`%s" % (
                system.get("library"), system.get("corename"),
                "; it did not recognize this CPU: OPENBLAS_CORETYPE=%s picks the right kernels"
                % system["suggested_coretype"] if system.get("suggested_coretype") else ""))


def main(argv):
    args = parse_args(argv)
    set_thread_env(args.threads)

    if args.child_model or args.child_sgemm:
        if args.child_sgemm:
            result = bench_sgemm(args, args.child_sgemm)
        else:
            t0 = time.perf_counter()
            import torch  # noqa: F401  (timed: part of start-up)
            import_seconds = time.perf_counter() - t0
            result = bench_model(args.child_model, args, import_seconds)
        with open(args.child_out, "w") as f:
            json.dump(result, f)
        return 0

    results = {}
    import_seconds = None
    for name in args.models:
        log(args, "%s (%d threads)" % (name, args.threads))
        if args.in_process:
            if import_seconds is None:
                t0 = time.perf_counter()
                import torch  # noqa: F401
                import_seconds = time.perf_counter() - t0
            results[name] = bench_model(name, args, import_seconds)
        else:
            results[name] = run_child(args, ["--child-model", name])
    if not args.no_sgemm:
        log(args, "sgemm (%d threads)" % args.threads)
        results["sgemm"] = run_sgemm(args)
    results["machine"] = machine_info(args.threads)

    print_table(results)
    if args.json:
        text = json.dumps(results, indent=2)
        if args.json == "-":
            print(text)
        else:
            with open(args.json, "w") as f:
                f.write(text + "\n")
    return 1 if any(isinstance(r, dict) and "error" in r for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
