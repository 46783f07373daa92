#!/usr/bin/env python3
"""Builds the benchmark's table and JSON from the measurements in DIR.

DIR holds, for each case NAME listed in DIR/cases.tsv (name, tool, input, what,
baseline case or "-", items or "-"), NAME.json (hyperfine's JSON), NAME.rss
(peak resident set size in KiB, or absent) and, for a case timed in turns with
its baseline, NAME.turns.json (benches/turns.py). Prints a Markdown table of
medians, ratios to the baseline (cargo-audit on the same input: of the medians,
and in turns) and peak memory, and writes everything as JSON to OUT.

usage: report.py DIR OUT MODE
"""

import json
import os
import pathlib
import subprocess
import sys


def machine():
    """What the run ran on: cores, CPU model, memory, load, and the commit."""
    cpuinfo = pathlib.Path("/proc/cpuinfo").read_text()
    model = next((l.split(":", 1)[1].strip() for l in cpuinfo.splitlines() if l.startswith("model name")), "unknown")
    meminfo = pathlib.Path("/proc/meminfo").read_text().split()
    mem_kib = int(meminfo[meminfo.index("MemTotal:") + 1])
    commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True).stdout.strip()
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "load_average": list(os.getloadavg()),
        "commit": commit + ("-dirty" if dirty else ""),
    }


def main():
    folder, out, mode = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3]
    rows = []
    for line in (folder / "cases.tsv").read_text().splitlines():
        name, tool, input_, what, baseline, items = line.split("\t")
        result = json.loads((folder / f"{name}.json").read_text())["results"][0]
        rss_file = folder / f"{name}.rss"
        rss = int(rss_file.read_text()) if rss_file.exists() else None
        turns_file = folder / f"{name}.turns.json"
        turns = json.loads(turns_file.read_text()) if turns_file.exists() else None
        rows.append(
            {
                "case": name,
                "tool": tool,
                "input": input_,
                "what": what,
                "baseline": None if baseline == "-" else baseline,
                "items": None if items == "-" else int(items),
                "median_s": result["median"],
                "mean_s": result["mean"],
                "stddev_s": result["stddev"],
                "min_s": result["min"],
                "max_s": result["max"],
                "runs": len(result["times"]),
                "max_rss_kib": rss,
                "turns": turns,
            }
        )
    by_name = {r["case"]: r for r in rows}
    for r in rows:
        base = by_name.get(r["baseline"]) if r["baseline"] else None
        r["ratio_to_baseline"] = r["median_s"] / base["median_s"] if base else None
        r["items_per_s"] = r["items"] / r["median_s"] if r["items"] else None

    header = "| case | tool | input | median | ratio to cargo-audit | in turns | throughput | peak RSS |"
    lines = [header, "|---|---|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        ratio = f"{r['ratio_to_baseline']:.3f} (1/{1 / r['ratio_to_baseline']:.1f})" if r["ratio_to_baseline"] else ""
        in_turns = f"{r['turns']['ratio']:.3f} ({r['turns']['rounds']} rounds)" if r["turns"] else ""
        rate = f"{r['items_per_s']:,.0f} {r['what']}/s" if r["items_per_s"] else ""
        rss = f"{r['max_rss_kib'] / 1024:.1f} MiB" if r["max_rss_kib"] else "n/a"
        lines.append(
            f"| {r['case']} | {r['tool']} | {r['input']} | {r['median_s'] * 1000:.1f} ms "
            f"| {ratio} | {in_turns} | {rate} | {rss} |"
        )
    table = "\n".join(lines)
    info = machine()
    print(table)
    print(
        f"\n{info['cores']} cores, {info['cpu']}, {info['memory_gib']} GiB; load average "
        f"{' '.join(f'{x:.2f}' for x in info['load_average'])}; commit {info['commit']}"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"mode": mode, "machine": info, "table": table, "cases": rows}, indent=2) + "\n")
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
