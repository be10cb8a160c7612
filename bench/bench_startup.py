"""Start-up time of the `synth` command: `synth --help` vs a bare interpreter vs eager heavy imports.

The CLI imports heavy libraries (arxiv, pypdf, spacy, torch, ...) only inside the commands that need them, so
`synth --help` should cost little more than starting Python. The third row shows what eager imports would cost.

    .venv/bin/python bench/bench_startup.py [--runs 15] [--out docs/benchmarks/fetch.md]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SYNTH = Path(sys.executable).parent / "synth"
TARGET_S = 0.5


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_command(argv: list[str], runs: int) -> tuple[float, float, float, float]:
    """(median, min, max) wall seconds and median CPU seconds (user+sys) of `runs` executions.

    CPU time is reported because wall time on a shared, loaded machine includes waiting for a core.
    One warm-up run first fills the disk cache.
    """
    env = {**os.environ, "COLUMNS": "100"}
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
    times, cpu = [], []
    for _ in range(runs):
        cpu0, start = _child_cpu(), time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
        times.append(time.perf_counter() - start)
        cpu.append(_child_cpu() - cpu0)
    return statistics.median(times), min(times), max(times), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--out", type=Path, default=None, help="also write the markdown to this file")
    args = parser.parse_args()

    rows = [
        ("`python -c pass` (interpreter floor)", [sys.executable, "-c", "pass"]),
        ("`synth --help`", [str(SYNTH), "--help"]),
        ("`synth fetch --help`", [str(SYNTH), "fetch", "--help"]),
        ("eager imports: `python -c 'import arxiv, pypdf, spacy'` (the alternative)",
         [sys.executable, "-c", "import arxiv, pypdf, spacy"]),
    ]
    lines = [
        "| command | median wall s | min wall s | max wall s | median CPU s |",
        "|---|---:|---:|---:|---:|",
    ]
    results = {}
    for label, argv in rows:
        med, lo, hi, cpu = time_command(argv, args.runs)
        results[label] = (med, lo)
        lines.append(f"| {label} | {med:.3f} | {lo:.3f} | {hi:.3f} | {cpu:.3f} |")
    help_s, help_min = results["`synth --help`"]
    floor = results["`python -c pass` (interpreter floor)"][0]
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    lines += [
        "",
        f"`synth --help`: {help_s:.3f} s median over {args.runs} runs, {help_s - floor:.3f} s above the bare "
        f"interpreter (fastest run {help_min:.3f} s); target < {TARGET_S} s (median): "
        f"{'met' if help_s < TARGET_S else 'NOT met'}.",
        f"Peak RSS of the largest measured child (the eager-import row): {peak_kib / 1024:.0f} MiB. "
        f"Load average while measuring (2-core machine shared with other jobs): {os.getloadavg()[0]:.1f}.",
    ]
    table = "\n".join(lines)
    print(table)
    if args.out:
        args.out.write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
