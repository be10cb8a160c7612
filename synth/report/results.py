"""Replication results documents (runs/<step-id>/results.json) → the report's replication tables.

Grouping: one table set per (experiment, profile, fidelity, model). Within a group a *config* is an
(intermediate task, intermediate examples) pair; the baseline is the config without intermediate task.
Seeds are averaged (mean, sample sd, n); languages are averaged unweighted ("mean over languages").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from synth.core.errors import SynthError

if TYPE_CHECKING:
    from synth.replicate.pipeline.results import ResultsDocument as ResultsDoc

BASELINE = "baseline"


@dataclass
class LoadedResults:
    docs: list[ResultsDoc] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def load_results(runs: Path) -> LoadedResults:
    """Read every runs/*/results.json (synth.replicate.results schema), sorted; unreadable ones become `problems`."""
    from synth.replicate.pipeline.results import read_results

    loaded = LoadedResults()
    if not runs.is_dir():
        return loaded
    for path in sorted(runs.glob("*/results.json")):
        try:
            loaded.docs.append(read_results(path))
        except SynthError as exc:
            first = str(exc).strip().splitlines()[0]
            loaded.problems.append(f"{path.parent.name}/results.json could not be read ({first.split(': ', 1)[-1]}).")
    loaded.docs.sort(key=lambda d: (d.experiment, d.profile, d.target, d.intermediate or "",
                                    d.intermediate_examples or 0, d.seed, d.step_id))
    return loaded


@dataclass
class Stat:
    mean: float
    sd: float | None
    n: int


def stat(values: list[float]) -> Stat:
    n = len(values)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else None
    return Stat(mean, sd, n)


def config_label(intermediate: str | None, examples: int | None) -> str:
    if intermediate is None:
        return BASELINE
    return intermediate if examples is None else f"{intermediate} ({examples:,} ex.)"


def _config_key(doc: ResultsDoc) -> tuple:
    # baseline first, then by task name, then by data volume ("full" = None last)
    return (doc.intermediate is not None, doc.intermediate or "", doc.intermediate_examples is None,
            doc.intermediate_examples or 0)


@dataclass
class TargetTables:
    """Everything the report shows for one target task of one group."""

    target: str
    metric: str
    configs: list[str]  # config labels present for this target, baseline first
    task: dict[str, Stat]  # config -> task score over seeds
    languages: list[str]
    per_language: dict[str, dict[str, Stat]]  # lang -> config -> stat over seeds
    classes: list[str]
    per_class: dict[str, dict[str, float]]  # class -> config -> mean over languages in class
    class_sizes: dict[str, int]
    per_group: dict[str, dict[str, float]]  # resource group -> config -> mean over its languages
    group_sizes: dict[str, int]
    best: str | None  # best non-baseline config by task score
    scaling: dict[str, dict[int, dict[str, float]]]  # intermediate -> examples -> class -> delta/score
    figures: list = field(default_factory=list)  # filled by synth.report.render (report_context.Figure)


@dataclass
class ResultsGroup:
    experiment: str
    profile: str
    fidelity: str
    model: str
    steps: int
    seeds: list[int]
    targets: list[TargetTables]
    fraction: bool  # scores on a 0..1 scale (3 decimals) rather than 0..100 (1 decimal)
    git: list[str]

    @property
    def is_evidence(self) -> bool:
        return self.fidelity == "paper"


def resource_class_of(code: str, languages: dict) -> str:
    lang = languages.get(code)
    return str(getattr(lang, "resource_class", "unknown")) if lang is not None else "unknown"


def _means(per_language: dict[str, dict[str, Stat]], members: list[str], order: list[str]) -> dict[str, float]:
    out = {}
    for c in order:
        vals = [per_language[lang][c].mean for lang in members if c in per_language[lang]]
        if vals:
            out[c] = sum(vals) / len(vals)
    return out


@dataclass
class LanguageGrouping:
    """An experiment's `reporting:` block resolved: per-class rows or not, and the named groups' members."""

    by_class: bool = True
    groups: dict[str, set[str]] = field(default_factory=dict)


def _target_tables(docs: list[ResultsDoc], languages: dict, grouping: LanguageGrouping) -> TargetTables:
    docs = sorted(docs, key=lambda d: (_config_key(d), d.seed, d.step_id))
    order: list[str] = []
    by_config: dict[str, list[ResultsDoc]] = {}
    for d in docs:
        label = config_label(d.intermediate, d.intermediate_examples)
        if label not in by_config:
            order.append(label)
            by_config[label] = []
        by_config[label].append(d)
    task = {c: stat([d.task_score for d in ds]) for c, ds in by_config.items()}
    langs = sorted({lang for d in docs for lang in d.score})
    per_language: dict[str, dict[str, Stat]] = {}
    for lang in langs:
        per_language[lang] = {c: stat([d.score[lang] for d in ds if lang in d.score])
                              for c, ds in by_config.items() if any(lang in d.score for d in ds)}
    classes_of = {lang: resource_class_of(lang, languages) for lang in langs} if grouping.by_class else {}
    classes = sorted(set(classes_of.values()), key=lambda c: (not c.isdigit(), c))
    per_class = {cls: _means(per_language, [lg for lg in langs if classes_of[lg] == cls], order) for cls in classes}
    members = {name: [lg for lg in langs if lg in codes] for name, codes in grouping.groups.items()}
    members = {name: m for name, m in members.items() if m}
    # group rows only add something when the target's languages fall into more than one group
    per_group = {name: _means(per_language, m, order) for name, m in members.items()} if len(members) > 1 else {}
    candidates = [c for c in order if c != BASELINE and not math.isnan(task[c].mean)]
    # ties go to the first configuration in table order, so "best" never depends on label spelling
    best = max(candidates, key=lambda c: (task[c].mean, -order.index(c))) if candidates else None
    return TargetTables(
        target=docs[0].target, metric=docs[0].metric, configs=order, task=task, languages=langs,
        per_language=per_language, classes=classes, per_class=per_class,
        class_sizes={cls: sum(1 for v in classes_of.values() if v == cls) for cls in classes},
        per_group=per_group, group_sizes={name: len(members[name]) for name in per_group},
        best=best, scaling=_scaling(docs, per_class, classes),
    )


def _scaling(docs: list[ResultsDoc], per_class: dict, classes: list[str]) -> dict:
    """Per intermediate task with ≥ 2 data volumes: volume -> class -> score minus baseline (or score)."""
    volumes: dict[str, set[int]] = {}
    for d in docs:
        if d.intermediate is not None and d.intermediate_examples is not None:
            volumes.setdefault(d.intermediate, set()).add(d.intermediate_examples)
    out: dict[str, dict[int, dict[str, float]]] = {}
    for task, sizes in sorted(volumes.items()):
        if len(sizes) < 2:
            continue
        out[task] = {}
        for n in sorted(sizes):
            label = config_label(task, n)
            out[task][n] = {}
            for cls in classes:
                if label in per_class[cls]:
                    base = per_class[cls].get(BASELINE)
                    value = per_class[cls][label]
                    out[task][n][cls] = value - base if base is not None else value
    return out


def group_results(docs: list[ResultsDoc], languages: dict,
                  grouping: Callable[[str], LanguageGrouping] = lambda _: LanguageGrouping()) -> list[ResultsGroup]:
    """Results documents → one ResultsGroup per (experiment, profile, fidelity, model), sorted.
    `grouping(experiment)` says which language rows the experiment's `reporting:` block asks for."""
    runs: dict[tuple, list[ResultsDoc]] = {}
    for d in docs:
        runs.setdefault((d.experiment, d.profile, d.fidelity, d.model), []).append(d)
    out = []
    for (experiment, profile, fidelity, model), ds in sorted(runs.items()):
        by_target: dict[str, list[ResultsDoc]] = {}
        for d in ds:
            by_target.setdefault(d.target, []).append(d)
        values = [v for d in ds for v in d.score.values()]
        out.append(ResultsGroup(
            experiment=experiment, profile=profile, fidelity=fidelity, model=model, steps=len(ds),
            seeds=sorted({d.seed for d in ds}),
            targets=[_target_tables(by_target[t], languages, grouping(experiment)) for t in sorted(by_target)],
            fraction=bool(values) and max(abs(v) for v in values) <= 1.0,
            git=sorted({d.git for d in ds if d.git}),
        ))
    return out
