"""CLI commands under `synth replicate`: `run` (an experiment's step DAG, or its plan with --dry-run) and
`results` (the results documents in the runs folder). Thin: parse args, call the library, print."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from synth.cli import common
from synth.core.errors import UsageError

EXECUTORS = ("local", "ray")


def register(replicate_app: typer.Typer) -> None:
    """Add this module's commands to `synth replicate`."""
    replicate_app.command("run")(run)
    replicate_app.command("preflight")(preflight)
    replicate_app.command("results")(results)
    replicate_app.command("export")(export)


def run(
    experiment: str = typer.Argument(..., help="Experiment name (xstilts, xstilts_r, scaling) or a YAML file."),
    profile: str = typer.Option("paper", "--profile", "-p", callback=common.lower, help="tiny | cpu | paper (see replicate/profiles.yaml)."),
    only: Optional[List[str]] = typer.Option(None, "--only", help="Keep evaluations of these targets / "
                                             "intermediates ('baseline') / step ids (repeatable)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the plan: steps, cache status, tokens, H100 GPU-hours."),
    executor: str = typer.Option("local", "--executor", callback=common.lower, help="local (in-process, sequential) or ray."),
    address: Optional[str] = typer.Option(None, "--address", help="Ray cluster address (default: a local instance)."),
    model: Optional[str] = typer.Option(None, "--model", help="Replace the profile's encoder: a local HF folder "
                                        "(XLM-R architecture) or a hub id."),
    runs: Optional[Path] = typer.Option(None, "--runs", help="Runs folder (default SYNTH_RUNS or ./runs)."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", help="Local task data (the Hub layout as "
                                            "<family>/<split>[.<lang>].jsonl); any profile. Default: the tiny "
                                            "profile's fixtures, else SYNTH_DATA_DIR, else the Hub only."),
    local_only: Optional[bool] = typer.Option(None, "--local-only/--allow-hub", "--offline", help="Never use the "
                                              "Hub: what has no local file is left out and listed (default: the "
                                              "profile's)."),
    max_languages: Optional[int] = typer.Option(None, "--max-languages", min=0, help="Evaluate at most N languages "
                                                "per target (0 = all; default: the profile's)."),
    max_train: Optional[int] = typer.Option(None, "--max-train", min=1, help="Training rows per task (a seeded, "
                                            "stratified subsample; default: the profile's cap)."),
    max_eval: Optional[int] = typer.Option(None, "--max-eval", min=1, help="Evaluation rows per language "
                                           "(default: the profile's cap)."),
    precision: Optional[str] = typer.Option(None, "--precision", callback=common.lower, help="auto | bf16 | fp16 | no: autocast in "
                                            "training and evaluation (default: the profile's; bf16 also speeds up "
                                            "CPUs with bf16 instructions)."),
    keep_models: bool = typer.Option(False, "--keep-models", help="Never delete target models after evaluation."),
    hub_lock: Optional[Path] = typer.Option(None, "--hub-lock", help="Pinned Hub commits (default "
                                            "RUNS/hub.lock.json, written by `synth replicate preflight`)."),
    json_: bool = typer.Option(False, "--json", help="Machine-readable JSON on stdout."),
) -> None:
    """Run an experiment: content-addressed steps, finished steps reused, killed training resumed."""
    from synth.replicate.pipeline.costs import plan_summary
    from synth.replicate.data.sources import HUB_LOCK_NAME
    from synth.replicate.pipeline.executors import execute
    from synth.replicate.pipeline.plan import build_plan
    from synth.core.settings import get_settings

    if json_:
        common.state.json = True
    if executor not in EXECUTORS:
        raise UsageError(f"unknown executor {executor!r}: use {' or '.join(EXECUTORS)}")
    settings = get_settings()
    runs_dir = runs or settings.runs
    plan = build_plan(experiment, profile, only=only or None, model=model, data_dir=data_dir, local_only=local_only,
                      max_languages=max_languages, hub_lock=hub_lock or Path(runs_dir) / HUB_LOCK_NAME,
                      max_train_examples=max_train, max_eval_examples=max_eval, precision=precision)
    summary = plan_summary(plan, runs_dir)
    if dry_run:
        if common.state.json:
            common.emit_json(summary)
        else:
            _print_plan(summary)
        return
    _stop_if_hub_unreachable(summary)
    common.info(f"{summary['experiment']} / {summary['profile']}: {len(summary['steps'])} steps, "
                f"{summary['done']} already done; data: {_data_line(summary)}")
    for line in summary["unavailable"]:
        common.warn(f"left out: {line}")

    def on_event(event: str, step) -> None:
        if event == "wait":
            common.info(f"  wait  {step.id}  another worker holds it; waiting for it to finish")
        else:
            common.info(f"{event:>6}  {step.id}  {step.label}")

    report = execute(plan, runs_dir, settings, executor=executor, address=address,
                     progress=not (common.state.quiet or common.state.json), on_event=on_event,
                     prune=False if keep_models else None)
    if common.state.json:
        common.emit_json({"experiment": summary["experiment"], "profile": summary["profile"], **report.as_dict()})
    else:
        common.out.print(f"ran {len(report.ran)}, cached {len(report.cached)}, failed {len(report.failed)}, "
                         f"skipped {len(report.skipped)}  (runs folder: {runs_dir})")
    for step_id, message in report.failed.items():
        common.fail(f"{step_id}: {message}")
    if not report.ok:
        raise typer.Exit(1)


def _stop_if_hub_unreachable(summary: dict) -> None:
    """Ask once whether the Hub can be reached when pending steps read from it; if not, stop in one line."""
    from synth.core.errors import NetworkError
    from synth.replicate.data.sources import hub_offline, hub_unreachable

    needing = [r for r in summary["steps"] if r["status"] == "pending"
               and any(": hub " in str(s) for s in r["sources"])]
    if not needing:
        return
    if hub_offline():  # the datasets library then reads its own cache, quickly, and says what is missing
        return
    why = hub_unreachable()
    if why:
        raise NetworkError(f"{len(needing)} pending step(s) read task data from the Hugging Face Hub, but {why}; "
                           "use local task data with --data-dir DIR, or --offline to leave out what has no local "
                           "file (HF_HUB_OFFLINE=1: what the Hugging Face cache holds)")


def _data_line(summary: dict) -> str:
    s = summary["sources"]
    folder = summary["data_dir"] or "none"
    return (f"{s['local']} local (from {folder}), {s['hub_pinned']} Hub pinned, {s['hub_unpinned']} Hub unpinned"
            + (" [local only]" if summary["local_only"] else ""))


def _print_plan(summary: dict) -> None:
    out = common.out
    out.print(f"# plan: {summary['experiment']} / profile {summary['profile']} ({summary['fidelity']})", markup=False)
    out.print("| step | what | status | data | tokens | H100 GPU-h |", markup=False)
    out.print("|---|---|---|---|---:|---:|", markup=False)
    for row in summary["steps"]:
        data = "; ".join(row["sources"][:3]) + (f"; +{len(row['sources']) - 3} more" if len(row["sources"]) > 3 else "")
        out.print(f"| {row['id']} | {row['label']} | {row['status']} | {data} | {row['tokens']:,} | "
                  f"{row['gpu_hours']:.3f} |", markup=False)
    out.print(f"\ndata: {_data_line(summary)}", markup=False)
    for line in summary["sources"]["split_fallbacks"]:
        out.print(f"split fallback: {line}", markup=False)
    for line in summary["unavailable"]:
        out.print(f"left out: {line}", markup=False)
    c = summary["counts"]
    out.print(f"\nsteps: {c['intermediate']} intermediate, {c['target']} target, {c['eval']} eval; "
              f"{summary['done']} done, {summary['pending']} pending")
    out.print(f"with step reuse: {summary['tokens']:,} tokens, {summary['gpu_hours']:.2f} H100 GPU-hours "
              f"({summary['remaining_gpu_hours']:.2f} remaining)")
    out.print(f"naive (re-run every intermediate/target pair): {summary['naive_tokens']:,} tokens, "
              f"{summary['naive_gpu_hours']:.2f} GPU-hours -> reuse saves {summary['reuse_ratio']:.2f}x")
    t = summary["throughput"]
    out.print(f"throughput: {t['train_tokens_per_s']:,} train / {t['eval_tokens_per_s']:,} eval tokens/s on "
              f"{t['device']} ({t['basis']})", markup=False)
    if len({a["model"] for a in summary["arms"]}) > 1 or len(summary["arms"]) > 1:
        from synth.replicate.pipeline.costs import model_totals

        out.print("\n| model | arm | steps | tokens | GPU-h |\n|---|---|---:|---:|---:|", markup=False)
        for a in summary["arms"]:
            out.print(f"| {a['model']} | {a['arm']} | {a['steps']} | {a['tokens']:,} | {a['gpu_hours']:.2f} |",
                      markup=False)
        for m in model_totals(summary["arms"]):
            out.print(f"| **{m['model']}** | all arms | {m['steps']} | {m['tokens']:,} | {m['gpu_hours']:.2f} |",
                      markup=False)
        out.print("(GPU-h of a model other than the throughput's are scaled by non-embedding parameter count, 6·N FLOPs per token)", markup=False)
    d = summary["disk"]
    if d["kept_gb"] is None:
        out.print(f"disk: {d['note']}", markup=False)
    else:
        out.print(f"disk: {d['kept_gb']:.1f} GB kept (intermediate models, fp32), peak {d['peak_gb']:.1f} GB while "
                  f"running ({d['parameters'] / 1e6:.0f}M parameters; {d['unpruned_gb']:.1f} GB if no target model "
                  "were pruned)", markup=False)


def preflight(
    experiment: str = typer.Argument(..., help="Experiment name (xstilts, xstilts_r, scaling) or a YAML file."),
    profile: str = typer.Option("paper", "--profile", "-p", callback=common.lower, help="tiny | cpu | paper (see replicate/profiles.yaml)."),
    only: Optional[List[str]] = typer.Option(None, "--only", help="As for `run`: targets, intermediates, step ids."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", help="Local task data (as for `run`)."),
    local_only: Optional[bool] = typer.Option(None, "--local-only/--allow-hub", help="As for `run`."),
    max_languages: Optional[int] = typer.Option(None, "--max-languages", min=0, help="As for `run`."),
    runs: Optional[Path] = typer.Option(None, "--runs", help="Runs folder (default SYNTH_RUNS or ./runs)."),
    hub_lock: Optional[Path] = typer.Option(None, "--hub-lock", help="Lock file to write pinned Hub commits to "
                                            "(default RUNS/hub.lock.json)."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 when any check needs the Hub and could not run."),
    json_: bool = typer.Option(False, "--json", help="Machine-readable JSON on stdout."),
) -> None:
    """Before any GPU time: load a row of every (task, language, split) the plan reads, from the source it chose;
    say what is missing; online, pin each Hub dataset's commit in the lock file the step ids hash."""
    from synth.replicate.data.sources import HUB_LOCK_NAME
    from synth.replicate.pipeline.plan import build_plan
    from synth.replicate.pipeline.preflight import preflight as run_preflight
    from synth.core.settings import get_settings

    if json_:
        common.state.json = True
    runs_dir = runs or get_settings().runs
    lock = hub_lock or Path(runs_dir) / HUB_LOCK_NAME
    plan = build_plan(experiment, profile, only=only or None, data_dir=data_dir, local_only=local_only,
                      max_languages=max_languages, hub_lock=lock)
    report = run_preflight(plan, lock_file=lock)
    if common.state.json:
        common.emit_json(report.model_dump(mode="json"))
    else:
        out = common.out
        out.print(f"# preflight: {report.experiment} / profile {report.profile}"
                  f"{' (offline)' if report.offline else ''}", markup=False)
        for check in report.checks:
            if check.status != "ok":
                out.print(f"{check.status:>9}  {check.task} {check.split}: {check.source}"
                          f"{' - ' + check.message if check.message else ''}", markup=False)
        out.print(f"{report.count('ok')} ok, {report.count('needs-hub')} need the Hub, {report.count('missing')} "
                  f"missing, {report.count('bad')} bad", markup=False)
        if report.pinned:
            out.print(f"pinned {len(report.pinned)} Hub reference(s) in {report.lock_file}", markup=False)
        if report.offline and report.count("needs-hub"):
            common.warn(f"{report.count('needs-hub')} check(s) need the Hub: run preflight online before GPU time")
    if not report.ok or (strict and report.count("needs-hub")):
        raise typer.Exit(1)


def results(
    experiment: Optional[str] = typer.Argument(None, help="Only this experiment."),
    runs: Optional[Path] = typer.Option(None, "--runs", help="Runs folder (default SYNTH_RUNS or ./runs)."),
    json_: bool = typer.Option(False, "--json", help="Machine-readable JSON on stdout."),
) -> None:
    """List the results documents: target, intermediate, seed, profile, fidelity, score."""
    from synth.replicate.pipeline.results import results_table
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
    common.out.print("| step | experiment | profile | fidelity | target | split | intermediate | n | seed | score | notes |",
                     markup=False)
    common.out.print("|---|---|---|---|---|---|---|---:|---:|---:|---|", markup=False)
    for r in rows:
        notes = "; ".join(filter(None, [
            f"{len(r['languages_failed'])} language(s) failed: {', '.join(r['languages_failed'])}"
            if r.get("languages_failed") else "",
            "test instead of dev for " + ", ".join(sorted(r["split_fallbacks"])) if r.get("split_fallbacks") else ""]))
        common.out.print(f"| {r['step_id']} | {r['experiment']} | {r['profile']} | {r['fidelity']} | {r['target']} | "
                         f"{r['split']} | {r['intermediate']} | {r['examples'] or 'full'} | {r['seed']} | "
                         f"{r['task_score']:.2f} | {notes} |", markup=False)


def export(
    destination: Path = typer.Argument(..., help="Folder to copy into (one sub-folder per evaluation step)."),
    experiment: Optional[str] = typer.Argument(None, help="Only this experiment's results."),
    runs: Optional[Path] = typer.Option(None, "--runs", help="Runs folder (default SYNTH_RUNS or ./runs)."),
    json_: bool = typer.Option(False, "--json", help="Machine-readable JSON on stdout."),
) -> None:
    """Copy the results documents (results.json, examples.json) out of a runs folder, without models: the folder
    to commit or share, and to report from with `SYNTH_RUNS=DESTINATION synth report`."""
    from synth.core.settings import get_settings
    from synth.replicate.pipeline.results import export_results

    if json_:
        common.state.json = True
    summary = export_results(runs or get_settings().runs, destination, experiment)
    if common.state.json:
        common.emit_json(summary.model_dump())
        return
    common.out.print(f"exported {len(summary.written)} results document(s) to {destination} ({len(summary.unchanged)} "
                     f"already there, {summary.with_examples} with per-example scores)", markup=False)
