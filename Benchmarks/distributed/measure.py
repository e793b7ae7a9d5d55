#!/usr/bin/env python3
"""Data-parallel training on one machine: time per step and the gradients' sum's share.

For each spec, runs `dlc run` as one process (1 and 2 BLAS threads) and as 2 ranks of
`mpirun` (1 thread each), interleaved round by round, and reports medians over the rounds:
train-only samples per second (from the epoch lines), time per global batch, and for the ranks
the share of the training steps' time spent in the gradients' `MPI_Allreduce` (waiting for the
other rank included; from `summary.json`) and the bytes summed per step.

    python3 Benchmarks/distributed/measure.py --rounds 5 --epochs 2 mnist-mlp mnist-cnn
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DLC = os.path.join(ROOT, ".build", "release", "dlc")
EPOCH = re.compile(r"^epoch (\d+)/\d+ .* ([0-9.]+) samples/s$")


def run(spec, epochs, ranks, threads):
    out = tempfile.mkdtemp(prefix="dlc-dp-")
    command = [DLC, "run", os.path.join(ROOT, "specs", spec + ".yaml"), "--out", out, "--epochs", str(epochs),
               "--threads", str(threads)]
    if ranks > 1:
        root = ["--allow-run-as-root"] if os.getuid() == 0 else []
        command = ["mpirun", *root, "--oversubscribe", "-n", str(ranks), *command]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    rates = [float(m.group(2)) for m in map(EPOCH.match, result.stderr.splitlines()) if m]
    with open(os.path.join(out, "summary.json")) as f:
        summary = json.load(f)
    # The first epoch plans and warms up; later epochs are steady.
    return statistics.median(rates[1:] if len(rates) > 1 else rates), summary.get("communication_share")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("specs", nargs="+")
    arguments = parser.parse_args()
    configurations = [("1 process, 1 thread", 1, 1), ("1 process, 2 threads", 1, 2), ("2 ranks, 1 thread each", 2, 1)]
    print("| spec | configuration | samples/s | ms per step | gradients' sum, share of a step |")
    print("|---|---|---:|---:|---:|")
    for spec in arguments.specs:
        with open(os.path.join(ROOT, "specs", spec + ".yaml")) as f:
            batch = int(re.search(r"batch_size: (\d+)", f.read()).group(1))
        samples = {name: [] for name, _, _ in configurations}
        shares = []
        for _ in range(arguments.rounds):
            for name, ranks, threads in configurations:
                rate, share = run(spec, arguments.epochs, ranks, threads)
                samples[name].append(rate)
                if ranks > 1:
                    shares.append(share)
        for name, ranks, _ in configurations:
            rate = statistics.median(samples[name])
            share = f"{100 * statistics.median(shares):.1f} % (min {100 * min(shares):.1f}, max {100 * max(shares):.1f})" if ranks > 1 else "-"
            print(f"| `{spec}` | {name} | {rate:,.0f} | {1000 * batch / rate:.3f} | {share} |", flush=True)


if __name__ == "__main__":
    main()
