"""The report section that answers the study's question: how does the volume of English intermediate-task
data change zero-shot transfer, for low- versus high-resource languages?

One view per data-volume sweep in the results (synth.replicate.sweeps), analysed by synth.replicate.statistics:
a figure of Δ against intermediate examples per resource group with interval bands and fitted curves, a table
of slopes and their difference, the per-language points, and a conclusion whose strength follows the intervals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from synth.replicate.study.statistics import ScalingAnalysis
    from synth.report.question_seeds import SeedLevelView

REPLICATES = 1000
LEVEL = 0.95
BOOTSTRAP_SEED = 0


@dataclass
class QuestionView:
    """Everything the template shows for one sweep: the hierarchical-bootstrap `analysis`, or, for a sweep run
    under a pre-registered design, the seed-level view (synth.report.question_seeds) instead."""

    experiment: str
    profile: str
    model: str
    intermediate: str
    targets: list[str]
    standing: str  # "evidence" | "pilot" | "pipeline check"
    scope: str  # what the numbers are evidence about, in words
    conclusion: list[str]
    volumes: list[int]
    analysis: ScalingAnalysis | None = None
    seed_level: SeedLevelView | None = None
    figure: object | None = None  # synth.report.context.Figure, set by plan_figures (bootstrap view)
    target_figures: list = field(default_factory=list)  # one per target (seed-level view)
    language_rows: list[dict] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)  # the experiment's reporting.caveats


def _standing(fidelity: str, reporting) -> tuple[str, str]:
    if fidelity == "paper":
        return "evidence", "the paper's recipe (paper fidelity)"
    if getattr(reporting, "kind", "study") == "pilot":
        return "pilot", getattr(reporting, "scope", None) or "the pilot's model and data only"
    return "pipeline check", "nothing beyond the pipeline working end to end"


def _per_decade(value: float) -> str:
    return f"{value:+.2f}"


def conclusion(a: ScalingAnalysis) -> list[str]:
    """Plain-words findings; each claim is only as strong as its interval allows."""
    pct = f"{a.level:.0%}"
    lines = []  # the standing (pilot, pipeline check) is stated above the findings by the template
    for g in a.groups:
        if g.loglinear is None:
            lines.append(f"{g.group.replace('_', ' ')}: {len(g.points)} volume(s) with a Δ; a fitted slope needs "
                         "at least 3.")
            continue
        s = g.loglinear.slope
        where = f"{_per_decade(s.estimate)} points per tenfold more {a.intermediate} examples ({pct} interval " \
                f"[{s.low:+.2f}, {s.high:+.2f}], {len(g.units)} task-language pairs)"
        if s.low > 0:
            verdict = "more intermediate data helps"
        elif s.high < 0:
            verdict = "more intermediate data hurts"
        else:
            verdict = "no detectable effect of volume: the interval includes 0"
        lines.append(f"{g.group.replace('_', ' ')}: {where} — {verdict}.")
        if g.power_law is not None:
            share = g.power_law_share or 0.0
            if g.preferred == "power law" and share >= 0.8:
                shape = (f"the saturating power law fits better (AIC {g.power_law.aic:.1f} vs {g.loglinear.aic:.1f}, "
                         f"in {share:.0%} of bootstrap replicates), levelling off near "
                         f"{g.power_law.asymptote.estimate:+.2f} [{g.power_law.asymptote.low:+.2f}, "
                         f"{g.power_law.asymptote.high:+.2f}]")
            elif not g.power_law.identified:
                shape = (f"the saturating power law is not identified: its exponent runs to the bound "
                         f"(α = {g.power_law.alpha.estimate:.2f}), where it is a straight line in log n, so no "
                         f"levelling-off is visible in these volumes (AIC: power law {g.power_law.aic:.1f}, "
                         f"log-linear {g.loglinear.aic:.1f})")
            else:
                shape = (f"the shape is not determined (AIC: power law {g.power_law.aic:.1f}, log-linear "
                         f"{g.loglinear.aic:.1f}; the power law wins in {share:.0%} of bootstrap replicates)")
            lines.append(f"{g.group.replace('_', ' ')} curve: {shape}.")
    d = a.slope_difference
    if d is not None:
        iv = d.difference
        names = f"{d.low.replace('_', ' ')} minus {d.high.replace('_', ' ')}"
        if iv.excludes_zero:
            direction = "more" if iv.estimate > 0 else "less"
            lines.append(f"Slope difference ({names}): {iv.estimate:+.2f} per tenfold ({pct} interval "
                         f"[{iv.low:+.2f}, {iv.high:+.2f}], bootstrap p = {d.p_value:.3f}): the "
                         f"{d.low.replace('_', ' ')} languages gain {direction} from more data.")
        else:
            bound = max(abs(iv.low), abs(iv.high))
            lines.append(f"Slope difference ({names}): {iv.estimate:+.2f} per tenfold ({pct} interval "
                         f"[{iv.low:+.2f}, {iv.high:+.2f}], p = {d.p_value:.2f}): the data cannot tell whether volume "
                         f"matters differently for the two groups; differences up to {bound:.2f} points per tenfold "
                         "are compatible with these runs.")
    if d is None:
        lines.append("The data cannot answer the question: comparing how low- and high-resource languages respond to "
                     "volume needs both groups fitted over at least 3 volumes.")
    c = a.covariates
    if c is not None:
        moved = "no longer excludes 0" if c.unadjusted.excludes_zero and not c.adjusted.excludes_zero else (
            "still excludes 0" if c.adjusted.excludes_zero else "includes 0 before and after")
        lines.append(f"With sub-word fertility and syntactic distance to English as covariates ({c.units} "
                     f"task-language pairs), the low-resource coefficient goes from {c.unadjusted.estimate:+.2f} "
                     f"[{c.unadjusted.low:+.2f}, {c.unadjusted.high:+.2f}] to {c.adjusted.estimate:+.2f} "
                     f"[{c.adjusted.low:+.2f}, {c.adjusted.high:+.2f}]: it {moved}.")
    return lines


def _language_rows(a: ScalingAnalysis, languages: dict) -> list[dict]:
    rows = []
    for p in sorted(a.languages, key=lambda p: (p.task, p.group, p.language)):
        lang = languages.get(p.language)
        rows.append({"task": p.task, "language": p.language, "name": getattr(lang, "name", "unknown"),
                     "resource_class": getattr(lang, "resource_class", "unknown"), "group": p.group,
                     "deltas": [p.deltas.get(v) for v in a.volumes], "slope": p.slope})
    return rows


def _experiment(name: str):
    """The experiment file of a sweep (None for one that is not here)."""
    from synth.core.errors import SynthError
    from synth.replicate.experiments import load_experiment

    try:
        return load_experiment(name)
    except SynthError:
        return None


def _reporting(experiment: str):
    """The experiment's `reporting:` block (defaults for an experiment file that is not here)."""
    from synth.replicate.experiments import Reporting

    exp = _experiment(experiment)
    return exp.reporting if exp is not None else Reporting()


def build_question(docs: list, *, runs: Path | None, languages: dict) -> tuple[list[QuestionView], list[str]]:
    """One QuestionView per data-volume sweep in `docs` (results documents), and notes on what was left out."""
    from synth.replicate.study.covariates import covariate_pairs
    from synth.replicate.data.languages import group
    from synth.replicate.study.statistics import analyse
    from synth.replicate.study.sweeps import volume_grids

    from synth.report.question_seeds import build_seed_level

    grids, notes = volume_grids(docs, runs=runs, full_size=_full_size)
    views = []
    for grid in grids:
        reporting = _reporting(grid.experiment)
        standing, scope = _standing(grid.fidelity, reporting)
        common = dict(experiment=grid.experiment, profile=grid.profile, model=grid.model,
                      intermediate=grid.intermediate, targets=[t.target for t in grid.tasks], standing=standing,
                      scope=scope, caveats=list(getattr(reporting, "caveats", [])))
        exp = _experiment(grid.experiment)
        if exp is not None and exp.design is not None:
            seeds = build_seed_level(grid, exp.design, languages)
            notes += _planned_vs_used(grid.experiment, grid.intermediate, seeds.volumes, seeds.seeds)
            views.append(QuestionView(**common, conclusion=seeds.conclusion, volumes=seeds.volumes,
                                      seed_level=seeds, language_rows=seeds.language_rows))
            continue
        groups = {name: set(group(name)) for name in reporting.language_groups}
        analysis = analyse(grid, groups, covariates=covariate_pairs(), replicates=REPLICATES, level=LEVEL,
                           seed=BOOTSTRAP_SEED)
        notes += _planned_vs_used(grid.experiment, grid.intermediate, analysis.volumes, analysis.seeds)
        views.append(QuestionView(**common, analysis=analysis, conclusion=conclusion(analysis),
                                  volumes=analysis.volumes, language_rows=_language_rows(analysis, languages)))
    return views, notes


def _planned_vs_used(experiment: str, intermediate: str, volumes: list[int], seeds: list[int]) -> list[str]:
    """What the experiment file planned against what the analysis used, when the two differ."""
    exp = _experiment(experiment)
    if exp is None:
        return []
    planned = [n for n in exp.intermediate_examples if n != "full"]
    base = intermediate.split("@", 1)[0]  # the equal-steps arm is reported as '<task>@<N>steps'
    if base not in exp.intermediates or (sorted(planned) == volumes and exp.seeds == seeds):
        return []
    if not (set(volumes) <= set(planned) and set(seeds) <= set(exp.seeds)):
        return []  # results of another version of the experiment file: nothing to compare
    return [f"{experiment}/{intermediate}: planned volumes {', '.join(map(str, exp.intermediate_examples))} x seeds "
            f"{', '.join(map(str, exp.seeds))}; this analysis uses volumes {', '.join(map(str, volumes))} x seeds "
            f"{', '.join(map(str, seeds))} (the rest had not finished; re-running the experiment resumes it)"]


def _full_size(doc) -> int | None:
    """Training-set size of a 'full' intermediate run, to place it on the curve: the task's size
    (experiments/_costs.yaml) cut by the profile's size cap recorded in the intermediate step's config."""
    from synth.replicate.pipeline.costs import costs_table

    try:
        size = int(costs_table()["tasks"][doc.intermediate]["train_examples"])
    except (OSError, KeyError, TypeError, ValueError):
        return None
    for ancestor in (doc.config or {}).get("ancestors", {}).values():
        cap = (ancestor.get("data") or {}).get("max_train_examples") if ancestor.get("kind") == "intermediate" else None
        if cap:
            size = min(size, int(cap))
    return size


def question_figures(views: list[QuestionView], prefix: str) -> list:
    """One figure per sweep, attached to its view (drawn by synth.report.question_figure)."""
    import re

    from synth.report.context import Figure

    def slug(text: str) -> str:
        return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")

    figures = []
    for v in views:
        if v.seed_level is not None:
            figures += _seed_level_figures(v, prefix, slug)
            continue
        a = v.analysis
        if not any(g.loglinear for g in a.groups):
            continue  # fewer than 3 volumes: no curve to draw, the tables say it all
        what = {"evidence": "paper fidelity", "pilot": f"pilot: {v.scope}",
                "pipeline check": f"pipeline check, {a.profile} profile"}[v.standing]
        v.figure = Figure(
            file=f"{prefix}/{slug(f'{a.experiment}-{a.profile}-{a.model}')[:48]}-question-{slug(a.intermediate)}.png",
            kind="question",
            caption=(f"Δ (zero-shot score minus the no-intermediate baseline, same seed) against {a.intermediate} "
                     f"examples per resource group, mean over {', '.join(a.targets)}; {a.level:.0%} hierarchical "
                     f"bootstrap band over {', '.join(a.resampled)}; model {a.model} ({what})."),
            data={"analysis": a.model_dump(mode="json"),
                  "title": f"{a.experiment}: Δ vs {a.intermediate} examples ({v.standing}, {a.model})"})
        figures.append(v.figure)
    return figures


def _seed_level_figures(v: QuestionView, prefix: str, slug) -> list:
    """One figure per target of a designed sweep: each group's mean paired Δ per volume with its t-interval
    over seeds, and the seeds' own curves faint."""
    from synth.report.context import Figure

    what = {"evidence": "paper fidelity", "pilot": "pilot", "pipeline check": "pipeline check"}[v.standing]
    out = []
    for t in v.seed_level.analysis.targets:
        fig = Figure(
            file=f"{prefix}/{slug(f'{v.experiment}-{v.profile}-{t.target}')[:48]}-question-{slug(v.intermediate)}.png",
            kind="question_seeds",
            caption=(f"{t.target}: Δ (score after {v.intermediate} training on n examples minus the same seed's "
                     f"score without it) per language group, mean over the group's languages; bars: "
                     f"{v.seed_level.analysis.level:.0%} t-interval over {len(t.seeds)} seeds; model {v.model} "
                     f"({what})."),
            data={"target": t.model_dump(mode="json"), "intermediate": v.intermediate,
                  "level": v.seed_level.analysis.level,
                  "title": f"{v.experiment}: {t.target} Δ vs {v.intermediate} examples ({v.standing}, {v.model})"})
        v.target_figures.append(fig)
        out.append(fig)
    return out
