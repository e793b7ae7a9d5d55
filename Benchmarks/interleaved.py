#!/usr/bin/env python3
"""Benchmarks/interleaved.py: dlc against PyTorch as a median of ratios taken side by side.

    Benchmarks/interleaved.py [--models words,...] [--pairs 9] [--threads 2] [--steps N] [--seconds S]

This machine's speed drifts by up to 1.5x over seconds (other tenants of the host), more than the
differences worth measuring, so one long dlc measurement followed by one long PyTorch one gives a
ratio that depends on when each ran. Here each pair is one short `dlc bench --rounds 1` and one
short `pytorch_bench.py --repeats 1`, run back to back (which goes first alternates), and the
ratio of each pair is taken before the median: a slow minute slows both sides of its pair.

Prints, per model, the median of the pair ratios, their range, and each side's median samples/s.
Environment: PYTHON (default /root/torchvenv/bin/python), DLC (default .build/release/dlc); build
dlc in release first (`swift build -c release --product dlc`).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def dlc_samples(dlc, model, threads, steps):
    command = [dlc, "bench", os.path.join("specs", model + ".yaml"), "--json", "--rounds", "1", "--threads", str(threads)]
    if steps:
        command += ["--steps", str(steps)]
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for line in [out] + out.splitlines()[::-1]:
        try:
            return json.loads(line)["samples_per_second"]
        except (ValueError, KeyError, TypeError):
            continue
    raise RuntimeError("dlc bench printed no samples_per_second for " + model)


def torch_samples(python, model, threads, seconds):
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([python, os.path.join(HERE, "pytorch_bench.py"), "--models", model, "--threads", str(threads),
                        "--repeats", "1", "--seconds", str(seconds), "--no-sgemm", "--quiet", "--json", out.name],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        return json.load(open(out.name))[model]["samples_per_second"]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--models", default="words")
    p.add_argument("--pairs", type=int, default=9)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=None, help="dlc's timed steps per pair (default: about a second)")
    p.add_argument("--seconds", type=float, default=1.0, help="PyTorch's timed seconds per pair (default 1)")
    args = p.parse_args()
    python = os.environ.get("PYTHON", "/root/torchvenv/bin/python")
    dlc = os.environ.get("DLC", os.path.join(ROOT, ".build", "release", "dlc"))
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[name] = str(args.threads)
    print("| model | pairs | dlc samples/s | PyTorch samples/s | ratio (median of pairs) | range |")
    print("|---|---:|---:|---:|---:|---|")
    for model in [m for m in args.models.split(",") if m]:
        ours, theirs, ratios = [], [], []
        for i in range(args.pairs):
            if i % 2 == 0:
                d = dlc_samples(dlc, model, args.threads, args.steps)
                t = torch_samples(python, model, args.threads, args.seconds)
            else:
                t = torch_samples(python, model, args.threads, args.seconds)
                d = dlc_samples(dlc, model, args.threads, args.steps)
            ours.append(d)
            theirs.append(t)
            ratios.append(d / t)
            print("  pair %d: dlc %.0f, PyTorch %.0f, %.2fx" % (i + 1, d, t, d / t), file=sys.stderr)
        print("| %s | %d | %.0f | %.0f | %.2fx | %.2f-%.2fx |" % (
            model, args.pairs, statistics.median(ours), statistics.median(theirs), statistics.median(ratios),
            min(ratios), max(ratios)))
    print("\n%d thread(s) each; load average after: %s" % (args.threads, " ".join(open("/proc/loadavg").read().split()[:3])))


if __name__ == "__main__":
    main()
