"""Checks that a volume study's grid can answer its question before any GPU time is spent (experiment `design:`).

What each rule prevents (the pilot's and the first scaling design's failures, issue 22):
- equal optimizer steps in the primary arm, with every volume reachable in those steps (each example seen at
  least once), so data volume is not confounded with compute; "full" is not a volume of that arm;
- no best-checkpoint selection in the intermediate phase (the final weights, the same rule for every arm), so a
  small volume does not also get more dev evaluations to pick from;
- at least `min_seeds` paired seeds and `min_models` model sizes, each with its own learning rate;
- a pre-registered primary estimand that the grid actually produces, language groups fixed as explicit lists;
- at least `min_curve_volumes` volumes when curve shapes are to be compared.
"""

from __future__ import annotations

from ..data.languages import load_languages
from ..data.taskconfig import load_task
from ..experiments import Experiment

__all__ = ["validate_design", "reachable_examples"]


def reachable_examples(experiment: Experiment, task_name: str, task_type: str) -> int | None:
    """Examples one intermediate run of the equal-steps arm sees: fixed_steps × effective batch."""
    if not experiment.fixed_steps:
        return None
    hyper = experiment.hyper_for(task_name, task_type, intermediate=True)
    return experiment.fixed_steps * (hyper.effective_batch or 32)


def validate_design(experiment: Experiment) -> list[str]:
    """Problems that keep the grid from answering its question (empty = the design holds)."""
    d = experiment.design
    if d is None:
        return []
    problems: list[str] = []
    models = experiment.models or [experiment.model]
    if len(experiment.seeds) < d.min_seeds:
        problems.append(f"{len(experiment.seeds)} seeds; the design needs at least {d.min_seeds} paired seeds")
    if len(models) < d.min_models:
        problems.append(f"{len(models)} model size(s); the design needs at least {d.min_models}")
    for model in models:
        if model not in experiment.per_model or experiment.per_model[model].learning_rate is None:
            problems.append(f"model {model}: no learning rate of its own in per_model")
    if not experiment.fixed_steps:
        problems.append("no equal-steps arm: set fixed_steps (the primary arm trains every volume that many steps)")
    volumes = experiment.intermediate_examples
    if "full" in volumes:
        problems.append("'full' is not a volume of an equal-steps sweep (its size differs by task and it is not "
                        "reachable in a fixed number of steps): list sizes")
    sized = [int(v) for v in volumes if v != "full"]
    if d.compare_curves and len(sized) < d.min_curve_volumes:
        problems.append(f"{len(sized)} volumes; curve shapes are compared only with at least {d.min_curve_volumes}")
    for name in experiment.intermediates:
        task = load_task(name)
        reach = reachable_examples(experiment, name, task.type)
        too_big = [v for v in sized if reach is not None and v > reach]
        if too_big:
            problems.append(f"{name}: volume(s) {', '.join(map(str, too_big))} exceed the {reach:,} examples "
                            f"{experiment.fixed_steps} steps can read")
        selection = experiment.hyper_for(name, task.type, intermediate=True).selection
        if selection != "final":
            problems.append(f"{name}: intermediate selection is {selection or 'best_dev (default)'}; the sweep "
                            "keeps the final checkpoint of every arm")
    p = d.primary
    if p.target not in experiment.targets:
        problems.append(f"primary estimand: target {p.target!r} is not in targets")
    if p.model not in models:
        problems.append(f"primary estimand: model {p.model!r} is not in models")
    known = set(load_languages())
    for group in (p.low, p.high):
        if group not in d.language_groups:
            problems.append(f"primary estimand: group {group!r} is not in design.language_groups")
    seen: dict[str, str] = {}
    for group, languages in d.language_groups.items():
        for lang in languages:
            if lang not in known:
                problems.append(f"language group {group}: unknown language {lang!r}")
            if lang in seen:
                problems.append(f"language {lang!r} is in both {seen[lang]} and {group}")
            seen[lang] = group
    if p.target in experiment.targets:
        target_languages = set(load_task(p.target).languages)
        for group in (p.low, p.high):
            covered = target_languages & set(d.language_groups.get(group, []))
            if len(covered) < 3:
                problems.append(f"primary target {p.target}: {len(covered)} {group} language(s); at least 3 are "
                                "needed for a group mean")
    if d.volume_by_size is not None:
        for model in d.volume_by_size:
            if model not in models:
                problems.append(f"volume x size contrast: model {model!r} is not in models")
    return problems
