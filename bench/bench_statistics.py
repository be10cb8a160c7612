"""The question's statistics on a pilot-sized sweep: synth.replicate.study.statistics (vectorised bootstrap, profiled
power law) vs the obvious loop (one replicate at a time, scipy curve_fit per group and replicate), side by side.

The sweep is synthetic with a known answer (tests/replicate/test_statistics.py's generator, pilot shape:
1 target, 41 languages in three groups, 3 seeds, baseline + 4 volumes, 200 test examples per language).
Usage: python bench/bench_statistics.py [--replicates 300]

`--coverage N` instead simulates N studies whose seeds have their own slopes (tests/replicate/test_seed_level.py's
generator: 5 + 5 languages, baseline + 5 volumes, seed-to-seed slope sd 3 points per tenfold) and prints how often
the 95% intervals cover the true low-resource slope: the seed-level t-interval (synth.replicate.study.seed_level)
and the hierarchical bootstrap (synth.replicate.study.statistics), at 3 and at 5 seeds.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from synth.replicate.study.curve_fits import fit_loglinear
from synth.replicate.study.statistics import TaskGrid, VolumeGrid, analyse

VOLUMES = [0, 50, 150, 500, 1500]


def sweep(rng: np.random.Generator) -> tuple[VolumeGrid, dict[str, set[str]]]:
    languages = [f"x{i:02d}" for i in range(41)]
    groups = {"low_resource": set(languages[:9]), "mid_resource": set(languages[9:25]),
              "high_resource": set(languages[25:])}
    slope = {lang: (2.0 if lang in groups["low_resource"] else 0.5) for lang in languages}
    parts = []
    scores = np.zeros((3, len(VOLUMES), len(languages)))
    for li, lang in enumerate(languages):
        base = rng.uniform(30, 80)
        p = np.zeros((3, len(VOLUMES), 200, 1))
        for s in range(3):
            for v, n in enumerate(VOLUMES):
                q = (base + (slope[lang] * np.log10(n / 50) + 1 if n else 0)) / 100
                p[s, v, :, 0] = rng.random(200) < q
                scores[s, v, li] = 100 * p[s, v, :, 0].mean()
        parts.append(p)
    task = TaskGrid("tatoeba_r", languages, [0, 1, 2], VOLUMES, scores, parts, "mean")
    return VolumeGrid("bench", "cpu", "pipeline-check", "m", "sst2", [task]), groups


def naive(grid: VolumeGrid, groups: dict[str, set[str]], replicates: int, rng: np.random.Generator) -> dict:
    """One replicate at a time: resample seeds, languages, examples; curve_fit the power law per group."""
    from scipy.optimize import curve_fit

    task = grid.tasks[0]
    n = np.asarray(VOLUMES[1:], dtype=float)
    slopes = {g: [] for g in groups}
    for _ in range(replicates):
        seeds = rng.integers(0, 3, size=3)
        for g, members in groups.items():
            idx = [i for i, lang in enumerate(task.languages) if lang in members]
            chosen = rng.choice(idx, size=len(idx))
            curve = np.zeros(len(n))
            for li in chosen:
                parts = task.parts[li]
                w = rng.multinomial(200, np.full(200, 1 / 200))
                acc = 100 * np.einsum("n,svn->sv", w, parts[seeds, :, :, 0]) / 200  # (seeds, volumes)
                curve += (acc[:, 1:] - acc[:, :1]).mean(axis=0)
            curve /= len(chosen)
            slopes[g].append(float(fit_loglinear(n, curve).slope))
            try:
                curve_fit(lambda x, a, b, c: a - b * x ** -c, n, curve, p0=(curve[-1], 1.0, 0.5),
                          bounds=([-np.inf, -np.inf, 0.01], [np.inf, np.inf, 3.0]), maxfev=2000)
            except RuntimeError:
                pass
    return {g: np.percentile(v, [2.5, 97.5]) for g, v in slopes.items()}


def coverage(studies: int, replicates: int) -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from synth.replicate.study.seed_level import analyse_seeds
    from tests.replicate.test_seed_level import GROUPS, _grid, simulate

    for seeds in (3, 5):
        rng = np.random.default_rng(seeds)
        hits = {"seed-level t": 0, "hierarchical bootstrap": 0}
        t0 = time.perf_counter()
        for i in range(studies):
            task, truth = simulate(rng, seeds=seeds)
            grid = _grid(task)
            low = next(g for g in analyse_seeds(grid, GROUPS).targets[0].groups if g.group == "low_resource").slope
            hits["seed-level t"] += low.low <= truth["low_resource"] <= low.high
            boot = analyse(grid, GROUPS, replicates=replicates, seed=i)
            b = next(g for g in boot.groups if g.group == "low_resource").loglinear.slope
            hits["hierarchical bootstrap"] += b.low <= truth["low_resource"] <= b.high
        se = (0.95 * 0.05 / studies) ** 0.5
        for name, h in hits.items():
            print(f"{seeds} seeds, {name}: coverage {h / studies:.3f} (nominal 0.95, simulation SE {se:.3f}; "
                  f"{studies} studies)")
        print(f"  ({time.perf_counter() - t0:.0f} s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--replicates", type=int, default=300)
    parser.add_argument("--coverage", type=int, default=0, help="simulated studies for the coverage comparison")
    args = parser.parse_args()
    if args.coverage:
        coverage(args.coverage, args.replicates)
        return
    grid, groups = sweep(np.random.default_rng(0))
    t0 = time.perf_counter()
    result = analyse(grid, groups, replicates=args.replicates, seed=1)
    vectorised = time.perf_counter() - t0
    t0 = time.perf_counter()
    loop = naive(grid, groups, args.replicates, np.random.default_rng(1))
    looped = time.perf_counter() - t0
    low = next(g for g in result.groups if g.group == "low_resource").loglinear.slope
    print(f"replicates {args.replicates}: synth.replicate.study.statistics {vectorised:.2f} s, "
          f"loop + curve_fit {looped:.2f} s ({looped / vectorised:.1f}x)")
    print(f"low-resource slope (true 2.00): {low.estimate:.2f} [{low.low:.2f}, {low.high:.2f}]; "
          f"loop interval [{loop['low_resource'][0]:.2f}, {loop['low_resource'][1]:.2f}]")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
