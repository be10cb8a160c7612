"""Every task file checked against the registries it names: schema, task cross-references, languages,
metrics (synth.replicate.evaluation.metrics) and benchmark membership. Lives above data/ because the metric
registry does."""

from __future__ import annotations

from synth.core.errors import ConfigError

from ..data.benchmarks import load_benchmarks
from ..data.languages import load_languages
from ..data.taskconfig import TaskConfig, _index, load_task_file, task_path
from .metrics import METRICS

__all__ = ["validate_all"]


def validate_all() -> list[str]:
    """Problems across every task file (empty = all valid): schema, cross-references, languages, metrics."""
    problems: list[str] = []
    known_languages = set(load_languages())
    tasks: dict[str, TaskConfig] = {}
    for name, path in _index().items():
        try:
            tasks[name] = load_task_file(path)
        except ConfigError as exc:
            problems.append(str(exc))
    for name, task in tasks.items():
        where = f"{task_path(name)}"
        for ref in [task.train_task, *task.train_before, *(task.mixture or [])]:
            if ref is not None and ref not in tasks:
                problems.append(f"{where}: refers to unknown task {ref!r}")
        for lang in task.languages:
            if lang not in known_languages:
                problems.append(f"{where}: unknown language {lang!r}")
            elif task.language is None and task.benchmark != "intermediate":
                variant = f"{task.family_name}_{lang}"
                if variant not in tasks:
                    problems.append(f"{where}: missing per-language file {variant!r} (run the generator)")
        for metric in task.metrics:
            if metric not in METRICS:
                problems.append(f"{where}: unknown metric {metric!r}")
    try:
        for bench, members in load_benchmarks().items():
            for member in members:
                if member not in tasks:
                    problems.append(f"benchmarks.yaml: {bench} names unknown task {member!r}")
    except ConfigError as exc:
        problems.append(str(exc))
    return problems
