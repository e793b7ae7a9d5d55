#!/usr/bin/env python3
"""On paper: how data-parallel dlc would scale past one machine, from what was measured here.

Inputs, per model (measured on this machine with `measure.py`): the time of one training step of
the spec's batch on one machine (2 cores, one process of 2 threads) and the bytes one step sums
(every gradient as float32, and 64 bytes of the step's scalars). "Strong": the spec's batch split
over N machines; "weak": N times the batch, the spec's batch on each machine. The allreduce is a ring (Open MPI's choice
for large messages): each machine sends and receives 2 (N - 1) / N of the bytes, in 2 (N - 1)
messages of a latency each (20 us assumed for TCP at 10 Gbit/s, 5 us for RDMA at 100). No overlap of the sum with the backward pass is assumed (dlc sums after it).

    python3 Benchmarks/distributed/model.py
"""

MODELS = {
    # name: (batch, seconds per step on one machine, parameters)
    "MNIST MLP": (128, 1.014e-3, 269_322),
    "MNIST CNN": (64, 8.084e-3, 421_642),
}
NETWORKS = {
    # name: (bytes per second, seconds of latency per message)
    "10 Gbit/s": (1.25e9, 20e-6),
    "100 Gbit/s": (12.5e9, 5e-6),
}


def allreduce(bytes_, machines, bandwidth, latency):
    if machines == 1:
        return 0.0
    return 2 * (machines - 1) / machines * bytes_ / bandwidth + 2 * (machines - 1) * latency


def main():
    print("| model | network | machines | sum per step | strong: step, speedup | weak: step, efficiency | batch per machine where the sum equals compute |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for model, (batch, step, parameters) in MODELS.items():
        bytes_ = 4 * parameters + 64
        per_example = step / batch
        for network, (bandwidth, latency) in NETWORKS.items():
            for machines in (8, 64):
                communication = allreduce(bytes_, machines, bandwidth, latency)
                strong = step / machines + communication
                weak = step + communication
                crossover = communication / per_example
                print(f"| {model} | {network} | {machines} | {communication * 1e3:.2f} ms | "
                      f"{strong * 1e3:.2f} ms, {step / strong:.1f}x | {weak * 1e3:.2f} ms, {100 * step / weak:.0f} % | "
                      f"{crossover:,.0f} |")


if __name__ == "__main__":
    main()
