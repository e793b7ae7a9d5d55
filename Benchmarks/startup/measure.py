#!/usr/bin/env python3
"""Start-up wall time of a few commands, interleaved (one run of each per round, so the machine's
drift touches them alike), after warm-up runs. Prints the median, the quartiles and the minimum
of each in milliseconds. Usage: measure.py [--runs N] 'command one' 'command two' ..."""
import argparse
import os
import shlex
import statistics
import subprocess
import time


def once(argv):
    devnull = os.open(os.devnull, os.O_WRONLY)
    start = time.perf_counter_ns()
    pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=[
        (os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)])
    _, status = os.waitpid(pid, 0)
    elapsed = (time.perf_counter_ns() - start) / 1e6
    os.close(devnull)
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{shlex.join(argv)} exited with {os.waitstatus_to_exitcode(status)}")
    return elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("commands", nargs="+")
    arguments = parser.parse_args()
    commands = [shlex.split(command) for command in arguments.commands]
    for _ in range(arguments.warmup):
        for argv in commands:
            once(argv)
    times = [[] for _ in commands]
    for _ in range(arguments.runs):
        for index, argv in enumerate(commands):
            times[index].append(once(argv))
    print(f"{'command':<50} {'median':>8} {'q1':>7} {'q3':>7} {'min':>7}  (ms, {arguments.runs} runs each, interleaved)")
    for command, samples in zip(arguments.commands, times):
        q1, _, q3 = statistics.quantiles(samples, n=4)
        print(f"{command:<50} {statistics.median(samples):8.2f} {q1:7.2f} {q3:7.2f} {min(samples):7.2f}")


if __name__ == "__main__":
    main()
