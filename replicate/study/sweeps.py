"""Results documents → data-volume sweeps (synth.replicate.study.statistics.VolumeGrid), one per run group and
intermediate task that has a baseline and at least two volumes.

A run group is (experiment, profile, fidelity, model): the `models:` axis of an experiment gives one group
per model. A baseline is paired with the intermediate runs of the same seed; a baseline evaluated without any
trained step (a retrieval target read straight from the base encoder) has nothing random in it and serves
every seed. A "full" volume is placed on the curve at the training-set size when that size is known.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .statistics import TaskGrid, VolumeGrid

if TYPE_CHECKING:
    from ..pipeline.results import ResultsDocument


def _trained_ancestors(doc: ResultsDocument) -> bool:
    return bool((doc.config or {}).get("ancestors"))


def volume_grids(docs: list[ResultsDocument], *, runs: Path | None = None,
                 full_size: Callable[[ResultsDocument], int | None] = lambda doc: None
                 ) -> tuple[list[VolumeGrid], list[str]]:
    """Every sweep in `docs`, sorted, and notes on what was left out. Per-example parts are read from
    runs/<step>/examples.json when `runs` is given and every arm of a language has them."""
    notes: list[str] = []
    groups: dict[tuple, list[ResultsDocument]] = {}
    for d in docs:
        groups.setdefault((d.experiment, d.profile, d.fidelity, d.model), []).append(d)
    grids = []
    for (experiment, profile, fidelity, model), ds in sorted(groups.items()):
        for inter in sorted({d.intermediate for d in ds if d.intermediate}):
            arms = [d for d in ds if d.intermediate == inter]
            sizes = {}
            for d in arms:
                n = d.intermediate_examples if d.intermediate_examples is not None else full_size(d)
                if n is not None:
                    sizes[d.step_id] = n
            ran = {}  # (target, seed) -> volumes that finished
            for d in arms:
                if d.step_id in sizes:
                    ran.setdefault((d.target, d.seed), set()).add(sizes[d.step_id])
            volumes = _balanced_volumes(ran)
            if len(volumes) < 2:
                continue
            if len(sizes) < len(arms):
                notes.append(f"{experiment}/{inter}: the full-data runs are left off the curve (training-set "
                             "size unknown)")
            dropped = sorted(set().union(*ran.values()) - set(volumes))
            if dropped:
                notes.append(f"{experiment}/{inter}: volume(s) {', '.join(map(str, dropped))} left out (not "
                             "finished for the seeds the other volumes have)")
            tasks = []
            for target in sorted({d.target for d in arms}):
                target_arms = [d for d in arms if d.target == target and d.step_id in sizes
                               and sizes[d.step_id] in volumes]
                complete = {s for (t, s), vs in ran.items() if t == target and set(volumes) <= vs}
                partial = sorted({s for (t, s) in ran if t == target} - complete)
                if partial:  # a seed is a paired unit: one without every volume would unbalance the curves
                    notes.append(f"{experiment}/{inter}: {target} seed(s) {', '.join(map(str, partial))} left out "
                                 "(not every volume has finished)")
                task = _task_grid(target, [d for d in target_arms if d.seed in complete],
                                  [d for d in ds if d.intermediate is None and d.target == target], sizes, volumes,
                                  runs)
                if task is None:
                    notes.append(f"{experiment}/{inter}: {target} has no baseline run, so no paired Δ")
                else:
                    tasks.append(task)
            if tasks:
                grids.append(VolumeGrid(experiment, profile, fidelity, model, inter, tasks))
    return grids, sorted(set(notes))


def _balanced_volumes(ran: dict[tuple[str, int], set[int]]) -> list[int]:
    """The volumes of a balanced grid, for a partly finished sweep: among every volume, the volumes every seed
    has and each seed's own volumes, the set that allows fitted curves (3 volumes or more) and keeps the most
    (seed, volume) cells."""
    if not ran:
        return []
    candidates = [set().union(*ran.values()), set.intersection(*ran.values()), *ran.values()]

    def cells(volumes: set[int]) -> int:
        return len(volumes) * sum(1 for vs in ran.values() if volumes <= vs)

    best = max(candidates, key=lambda vs: (len(vs) >= 3, cells(vs) if len(vs) >= 2 else -1, len(vs), sorted(vs)))
    return sorted(best)


def _task_grid(target: str, arms: list[ResultsDocument], baselines: list[ResultsDocument], sizes: dict[str, int],
               volumes: list[int], runs: Path | None) -> TaskGrid | None:
    seeds = sorted({d.seed for d in arms})
    by_seed = {d.seed: d for d in baselines}
    seedless = [d for d in baselines if not _trained_ancestors(d)]
    base = {s: by_seed.get(s) or (seedless[0] if seedless else None) for s in seeds}
    seeds = [s for s in seeds if base[s] is not None]
    if not seeds:
        return None
    languages = sorted({lang for d in [*arms, *baselines] for lang in d.score})
    all_volumes = [0, *volumes]
    scores = np.full((len(seeds), len(all_volumes), len(languages)), np.nan)
    cells: dict[tuple[int, int], ResultsDocument] = {}
    for si, s in enumerate(seeds):
        cells[(si, 0)] = base[s]
        for d in arms:
            if d.seed == s:
                cells[(si, all_volumes.index(sizes[d.step_id]))] = d
    for (si, vi), d in cells.items():
        for li, lang in enumerate(languages):
            scores[si, vi, li] = d.score.get(lang, np.nan)
    parts, kind = _parts(cells, seeds, all_volumes, languages, runs)
    return TaskGrid(target=target, languages=languages, seeds=seeds, volumes=all_volumes, scores=scores,
                    parts=parts, kind=kind)


def _parts(cells, seeds, volumes, languages, runs: Path | None):
    """Per-language (S, V, N, k) parts when every cell has examples.json with the same examples, else None."""
    from ..pipeline.example_scores import read_example_scores

    if runs is None or len(cells) < len(seeds) * len(volumes):
        return None, None
    docs = {key: read_example_scores(Path(runs) / d.step_id) for key, d in cells.items()}
    if any(doc is None for doc in docs.values()) or len({doc.kind for doc in docs.values()}) != 1:
        return None, None
    kind = next(iter(docs.values())).kind
    unpacked = {key: doc.arrays() for key, doc in docs.items()}
    out: list[np.ndarray | None] = []
    for lang in languages:
        arrays = {key: found.get(lang) for key, found in unpacked.items()}
        shapes = {a.shape if a is not None else None for a in arrays.values()}
        if None in shapes or len(shapes) != 1:
            out.append(None)
            continue
        stacked = np.stack([np.stack([arrays[(si, vi)] for vi in range(len(volumes))]) for si in range(len(seeds))])
        out.append(stacked)
    return out, kind
