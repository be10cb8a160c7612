"""Plan cost: every bundled experiment's step DAG with step reuse vs naively re-running each (intermediate,
target) pair from the base model; tokens and H100 GPU-hours (stated throughput), plus plan-build time; and the
step-priced cost model beside the token-priced one (optimizer steps, optimizer passes, dev evaluations,
checkpoint I/O, evaluation: pipeline/costs.py step_cost).

    .venv/bin/python bench/bench_plan.py [--profile paper] [--data-dir DIR]

CCGbank is local-only: without a data folder holding it, CCG and the multi-task mixture are left out of the xstilts
grids. `--data-dir` defaults to the bundled fixtures (every task present), which stands in for a user's local
CCG files; token counts come from experiments/_costs.yaml either way.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path


def main() -> None:
    from synth.replicate.experiments import list_experiments
    from synth.replicate.pipeline.costs import plan_summary
    from synth.replicate.pipeline.plan import build_plan

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="paper")
    parser.add_argument("--data-dir", default=None, help="local data folder (default: the bundled fixtures)")
    args = parser.parse_args()
    from synth.replicate.data.loading import fixtures_dir

    data_dir = args.data_dir or fixtures_dir()
    print(f"profile: {args.profile}; data folder: {data_dir}\n")
    print("| experiment | steps (inter / target / eval) | tokens with reuse | naive tokens | GPU-h with reuse | "
          "naive GPU-h | naive / reuse | plan build (ms) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    throughput = None
    steps_table: list[str] = []
    with tempfile.TemporaryDirectory() as runs:
        for name in list_experiments():
            started = time.perf_counter()
            plan = build_plan(name, args.profile, data_dir=data_dir)
            built = (time.perf_counter() - started) * 1000
            s = plan_summary(plan, Path(runs))
            c = s["counts"]
            throughput = s["throughput"]
            if name == "xstilts":
                disk = s["disk"]
            print(f"| {name} | {c['intermediate']} / {c['target']} / {c['eval']} | {s['tokens']:,} | "
                  f"{s['naive_tokens']:,} | {s['gpu_hours']:.1f} | {s['naive_gpu_hours']:.1f} | "
                  f"{s['reuse_ratio']:.2f}x | {built:.0f} |")
            steps_table.append(f"| {name} | {s['optimizer_steps']:,} | {s['gpu_hours']:.1f} | "
                               f"{s['gpu_hours_by_steps']:.1f} | " + " | ".join(
                                   f"{v:.1f}" for v in s["gpu_hours_by_steps_parts"].values()) + " |")
            basis = s["step_cost_basis"]
    print(f"\nthroughput used: {throughput['train_tokens_per_s']:,} train / {throughput['eval_tokens_per_s']:,} eval "
          f"tokens/s on {throughput['device']} ({throughput['basis']})")
    print(f"disk (xstilts): {disk['kept_gb']} GB kept, {disk['peak_gb']} GB peak, {disk['unpruned_gb']} GB without "
          "pruning target models")
    print("\n| experiment | optimizer steps | GPU-h priced by tokens | GPU-h priced by steps | compute | optimizer | "
          "dev evals | checkpoint I/O | eval forward | model load |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(steps_table))
    print(f"\nstep-cost basis: {basis}")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
