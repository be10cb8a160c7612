"""CLI commands under `synth replicate`: `tasks ls|show|validate` and `score`. Thin: parse, call, print."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from synth.core.errors import ConfigError, UsageError
from synth.cli import common

tasks_app = typer.Typer(help="Tasks as data: list, show and validate replicate/tasks/**/*.yaml.", no_args_is_help=True)


def register(replicate_app: typer.Typer) -> None:
    """Add this module's commands to `synth replicate`."""
    replicate_app.add_typer(tasks_app, name="tasks")
    replicate_app.command("score")(score)


def _use_json(json_: bool) -> None:
    if json_:
        common.state.json = True


@tasks_app.command("ls")
def ls_command(
    benchmark: Optional[str] = typer.Option(None, "--benchmark", callback=common.lower, help="Only xtreme, xtreme-r or intermediate tasks."),
    all_: bool = typer.Option(False, "--all", help="Include the per-language variants (xnli_de, ...)."),
    json_: bool = typer.Option(False, "--json", help="Machine-readable JSON on stdout."),
) -> None:
    """List the tasks: name, type, benchmark, languages, Hub source, description."""
    from synth.replicate.data.taskconfig import list_tasks, load_task

    _use_json(json_)
    tasks = [load_task(n) for n in list_tasks(include_variants=all_, benchmark=benchmark)]
    if benchmark is not None and not tasks:
        raise UsageError(f"no task belongs to benchmark {benchmark!r}: use xtreme, xtreme-r or intermediate")
    if common.state.json:
        common.emit_json([{"name": t.name, "type": t.type, "benchmark": t.benchmark, "languages": t.languages,
                           "hf": t.hf.model_dump() if t.hf else None, "train_task": t.train_task,
                           "description": t.description} for t in tasks])
        return
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False)
    for column in ("task", "type", "benchmark", "langs", "source", "trained on", "description"):
        table.add_column(column, overflow="fold")
    for t in tasks:
        source = f"{t.hf.id}" + (f":{t.hf.config}" if t.hf.config else "") if t.hf else "local files"
        trained = " -> ".join([*t.train_before, t.train_task]) if t.train_task else ""
        table.add_row(t.name, t.type, t.benchmark, str(len(t.languages)), source, trained, t.description)
    common.out.print(table)


@tasks_app.command("show")
def show_command(
    name: str = typer.Argument(..., help="Task name, e.g. xnli, xnli_de, mnli, anli_plus."),
    json_: bool = typer.Option(False, "--json", help="Machine-readable JSON on stdout."),
) -> None:
    """Show one task's resolved configuration (includes merged) and the file that defines it."""
    from synth.replicate.data.taskconfig import load_task, task_path

    _use_json(json_)
    task = load_task(name)
    data = task.model_dump(mode="json", exclude_none=True)
    if common.state.json:
        common.emit_json({"file": str(task_path(name)), "task": data})
        return
    from ruamel.yaml import YAML

    common.out.print(f"# {task_path(name)}", markup=False)
    yaml = YAML()
    yaml.default_flow_style = None
    yaml.width = 4096
    yaml.dump(data, common.out.file)


@tasks_app.command("validate")
def validate_command(json_: bool = typer.Option(False, "--json", help="Machine-readable JSON on stdout.")) -> None:
    """Validate every task file (schema, references, languages, metrics, per-language files)."""
    from synth.replicate.data.taskconfig import list_tasks
    from synth.replicate.evaluation.validate import validate_all

    _use_json(json_)
    problems = validate_all()
    if common.state.json:
        common.emit_json({"ok": not problems, "problems": problems})
    elif not problems:
        common.out.print(f"ok: {len(list_tasks(include_variants=True))} task files valid")
    for problem in problems if not common.state.json else []:
        common.fail(problem)
    if problems:
        raise ConfigError(f"{len(problems)} problem(s) in the task files")


def score(
    benchmark: str = typer.Option(..., "--benchmark", callback=common.lower, help="xtreme or xtreme-r."),
    predictions: Path = typer.Option(..., "--predictions", help="Folder <task>/test-<lang>.{tsv,json} of predictions."),
    gold: Path = typer.Option(..., "--gold", help="Folder with the gold files in the same layout."),
    json_: bool = typer.Option(False, "--json", help="Machine-readable JSON on stdout."),
) -> None:
    """Score prediction files as google-research/xtreme evaluate.py does: per task, per language, overall (0-100)."""
    from synth.replicate.evaluation.scoring import score_benchmark

    _use_json(json_)
    report = score_benchmark(benchmark, predictions, gold)
    if common.state.json:
        common.emit_json(report)
    else:
        _print_scores(report)
    if any(t["missing_languages"] for t in report["tasks"].values()):
        raise typer.Exit(1)


def _print_scores(report: dict) -> None:
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False, title=f"{report['benchmark']} scores (0-100)")
    for column in ("task", "score", "per language", "missing"):
        table.add_column(column, overflow="fold")
    for name, task in report["tasks"].items():
        per_language = ", ".join(f"{lang} {value:.1f}" for lang, value in task["languages"].items())
        score_text = "-" if task["score"] is None else f"{task['score']:.2f}"
        table.add_row(name, score_text, per_language, ", ".join(task["missing_languages"]))
    common.out.print(table)
    if report["skipped_tasks"]:
        common.warn(f"not scored (folder missing on one side): {', '.join(report['skipped_tasks'])}")
    overall = report["score"]
    common.out.print(f"{report['benchmark']} score: " + ("incomplete (every task needed)" if overall is None
                                                         else f"{overall:.2f}"))
