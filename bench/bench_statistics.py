"""The question's statistics on a pilot-sized sweep: synth.replicate.study.statistics (vectorised bootstrap, profiled
power law) vs the obvious loop (one replicate at a time, scipy curve_fit per group and replicate), side by side.

The sweep is synthetic with a known answer (tests/replicate/test_statistics.py's generator, pilot shape:
1 target, 41 languages in three groups, 3 seeds, baseline + 4 volumes, 200 test examples per language).
Usage: python bench/bench_statistics.py [--replicates 300]
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--replicates", type=int, default=300)
    args = parser.parse_args()
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
