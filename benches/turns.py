#!/usr/bin/env python3
"""Times a case and its baseline in turns: PREPARE (if any) and COMMAND, then
the baseline's command, one after the other, ROUNDS times (at least five, fewer
than ROUNDS once a minute has gone by). Measured seconds to minutes apart, as
hyperfine measures them, the two can meet a shared machine at different speeds,
and their ratio moves by a quarter from one benchmark to the next; taken in
turns, both see the same machine. Writes both medians and their ratio as JSON to OUT.
Exit codes are ignored, as with hyperfine -i.

usage: turns.py OUT ROUNDS PREPARE BASELINE_COMMAND_FILE -- COMMAND...
       (PREPARE may be ""; the file holds the baseline's command, shell-quoted)
"""

import json
import shlex
import statistics
import subprocess
import sys
import time

MIN_ROUNDS = 5
BUDGET_S = 60.0


def timed(argv):
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    out, rounds, prepare, baseline_file = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    if sys.argv[5] != "--":
        sys.exit("usage: turns.py OUT ROUNDS PREPARE BASELINE_COMMAND_FILE -- COMMAND...")
    command = sys.argv[6:]
    with open(baseline_file) as f:
        baseline = shlex.split(f.read())
    case_times, baseline_times = [], []
    began = time.perf_counter()
    while len(case_times) < rounds:
        if len(case_times) >= MIN_ROUNDS and time.perf_counter() - began > BUDGET_S:
            break
        if prepare:
            subprocess.run(prepare, shell=True, check=True, stdout=subprocess.DEVNULL)
        case_times.append(timed(command))
        baseline_times.append(timed(baseline))
    case_median = statistics.median(case_times)
    baseline_median = statistics.median(baseline_times)
    with open(out, "w") as f:
        json.dump(
            {
                "rounds": len(case_times),
                "median_s": case_median,
                "baseline_median_s": baseline_median,
                "ratio": case_median / baseline_median,
            },
            f,
        )


if __name__ == "__main__":
    main()
