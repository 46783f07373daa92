#!/usr/bin/env python3
"""Times a shell command without hyperfine, for the smoke run: runs PREPARE (if
any) then COMMAND, RUNS times, and writes hyperfine's JSON shape (results[0] with
command, mean, stddev, median, min, max, times) to OUT. Exit codes are ignored,
as with hyperfine -i.

usage: measure.py OUT RUNS PREPARE COMMAND     (PREPARE may be "")
"""

import json
import statistics
import subprocess
import sys
import time


def main():
    out, runs, prepare, command = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    times = []
    for _ in range(runs):
        if prepare:
            subprocess.run(prepare, shell=True, check=True, stdout=subprocess.DEVNULL)
        start = time.perf_counter()
        subprocess.run(command, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    result = {
        "command": command,
        "mean": statistics.mean(times),
        "stddev": statistics.stdev(times) if len(times) > 1 else 0.0,
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
        "times": times,
    }
    with open(out, "w") as f:
        json.dump({"results": [result]}, f)


if __name__ == "__main__":
    main()
