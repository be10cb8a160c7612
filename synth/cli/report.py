"""CLI commands: report (owned by the report work; keep it thin: parse args, call the library, print)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
