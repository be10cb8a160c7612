"""CLI commands under `synth replicate` (replicate_run). Keep it thin: parse args, call the library, print."""

from __future__ import annotations

import typer


def register(replicate_app: typer.Typer) -> None:
    """Add this module's commands to `synth replicate`."""
