"""CLI commands: `synth replicate ...` (tasks and scoring in replicate_tasks.py, runs in replicate_run.py)."""

from __future__ import annotations

import typer

replicate_app = typer.Typer(help="Replication: tasks, scoring, and running experiments.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add `synth replicate` and its sub-commands to the root app."""
    from synth.cli import replicate_run, replicate_tasks

    replicate_tasks.register(replicate_app)
    replicate_run.register(replicate_app)
    app.add_typer(replicate_app, name="replicate")
