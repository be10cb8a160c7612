"""CLI commands under `synth replicate`: `run` (an experiment's step DAG, or its plan with --dry-run) and
`results` (the results documents in the runs folder). Thin: parse args, call the library, print."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from synth.cli import common


def register(replicate_app: typer.Typer) -> None:
    """Add this module's commands to `synth replicate`."""
    replicate_app.command("run")(run)
    replicate_app.command("results")(results)


def run(
    experiment: str = typer.Argument(..., help="Experiment name (xstilts, xstilts_r, scaling) or a YAML file."),
    profile: str = typer.Option("paper", "--profile", "-p", help="tiny | cpu | paper (see replicate/profiles.yaml)."),
    only: Optional[List[str]] = typer.Option(None, "--only", help="Keep evaluations of these targets / "
                                             "intermediates ('baseline') / step ids (repeatable)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the plan: steps, cache status, tokens, H100 GPU-hours."),
    executor: str = typer.Option("local", "--executor", help="local (in-process, sequential) or ray."),
    address: Optional[str] = typer.Option(None, "--address", help="Ray cluster address (default: a local instance)."),
    model: Optional[str] = typer.Option(None, "--model", help="Replace the profile's encoder: a local HF folder "
                                        "(XLM-R architecture) or a hub id."),
    runs: Optional[Path] = typer.Option(None, "--runs", help="Runs folder (default SYNTH_RUNS or ./runs)."),
    json_: bool = typer.Option(False, "--json", help="Machine-readable JSON on stdout."),
) -> None:
    """Run an experiment: content-addressed steps, finished steps reused, killed training resumed."""
    from synth.replicate.executors import execute
    from synth.replicate.pipeline import build_plan, plan_summary
    from synth.core.settings import get_settings

    if json_:
        common.state.json = True
    settings = get_settings()
    runs_dir = runs or settings.runs
    plan = build_plan(experiment, profile, only=only or None, model=model)
    summary = plan_summary(plan, runs_dir)
    if dry_run:
        if common.state.json:
            common.emit_json(summary)
        else:
            _print_plan(summary)
        return
    common.info(f"{summary['experiment']} / {summary['profile']}: {len(summary['steps'])} steps, "
                f"{summary['done']} already done")

    def on_event(event: str, step) -> None:
        common.info(f"{event:>6}  {step.id}  {step.label}")

    report = execute(plan, runs_dir, settings, executor=executor, address=address,
                     progress=not (common.state.quiet or common.state.json), on_event=on_event)
    if common.state.json:
        common.emit_json({"experiment": summary["experiment"], "profile": summary["profile"], **report.as_dict()})
    else:
        common.out.print(f"ran {len(report.ran)}, cached {len(report.cached)}, failed {len(report.failed)}, "
                         f"skipped {len(report.skipped)}  (runs folder: {runs_dir})")
    for step_id, message in report.failed.items():
        common.fail(f"{step_id}: {message}")
    if not report.ok:
        raise typer.Exit(1)


def _print_plan(summary: dict) -> None:
    out = common.out
    out.print(f"# plan: {summary['experiment']} / profile {summary['profile']} ({summary['fidelity']})")
    out.print("| step | what | status | tokens | H100 GPU-h |")
    out.print("|---|---|---|---:|---:|")
    for row in summary["steps"]:
        out.print(f"| {row['id']} | {row['label']} | {row['status']} | {row['tokens']:,} | {row['gpu_hours']:.3f} |")
    c = summary["counts"]
    out.print(f"\nsteps: {c['intermediate']} intermediate, {c['target']} target, {c['eval']} eval; "
              f"{summary['done']} done, {summary['pending']} pending")
    out.print(f"with step reuse: {summary['tokens']:,} tokens, {summary['gpu_hours']:.2f} H100 GPU-hours "
              f"({summary['remaining_gpu_hours']:.2f} remaining)")
    out.print(f"naive (re-run every intermediate/target pair): {summary['naive_tokens']:,} tokens, "
              f"{summary['naive_gpu_hours']:.2f} GPU-hours -> reuse saves {summary['reuse_ratio']:.2f}x")
    t = summary["throughput"]
    out.print(f"throughput: {t['train_tokens_per_s']:,} train / {t['eval_tokens_per_s']:,} eval tokens/s on "
              f"{t['device']} ({t['basis']})")


def results(
    experiment: Optional[str] = typer.Argument(None, help="Only this experiment."),
    runs: Optional[Path] = typer.Option(None, "--runs", help="Runs folder (default SYNTH_RUNS or ./runs)."),
    json_: bool = typer.Option(False, "--json", help="Machine-readable JSON on stdout."),
) -> None:
    """List the results documents: target, intermediate, seed, profile, fidelity, score."""
    from synth.replicate.results import results_table
    from synth.core.settings import get_settings

    if json_:
        common.state.json = True
    rows = results_table(runs or get_settings().runs, experiment)
    if common.state.json:
        common.emit_json(rows)
        return
    if not rows:
        common.info("no results documents yet (run `synth replicate run EXPERIMENT`)")
        return
    common.out.print("| step | experiment | profile | fidelity | target | intermediate | n | seed | score |")
    common.out.print("|---|---|---|---|---|---|---:|---:|---:|")
    for r in rows:
        common.out.print(f"| {r['step_id']} | {r['experiment']} | {r['profile']} | {r['fidelity']} | {r['target']} | "
                         f"{r['intermediate']} | {r['examples'] or 'full'} | {r['seed']} | {r['task_score']:.2f} |")
