"""Shared CLI state and output helpers: --json / --quiet / --debug, consoles, progress bars, exit codes."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

from rich.console import Console


@dataclass
class State:
    json: bool = False
    quiet: bool = False
    debug: bool = False


state = State()
out = Console(highlight=False, soft_wrap=True)  # stdout: results
err = Console(stderr=True, highlight=False, soft_wrap=True)  # stderr: messages, progress


def emit_json(obj: Any) -> None:
    """Machine output: JSON on stdout and nothing else there."""
    sys.stdout.write(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n")


def info(message: str) -> None:
    """A human message on stderr, silenced by --quiet and --json."""
    if not (state.quiet or state.json):
        err.print(message)


def warn(message: str) -> None:
    if not state.quiet:
        err.print(f"[yellow]warning:[/yellow] {message}")


def fail(message: str) -> None:
    """One-line error on stderr (never silenced)."""
    err.print(f"[red]error:[/red] {message}", markup=True, highlight=False)


@contextmanager
def progress(description: str, total: int | None = None) -> Iterator:
    """A rich progress bar on stderr; yields `advance(n=1, description=None)`. Silent with --quiet/--json."""
    if state.quiet or state.json or not err.is_terminal:
        yield lambda n=1, description=None: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task(description, total=total)

        def advance(n: int = 1, description: str | None = None) -> None:
            bar.update(task, advance=n, **({"description": description} if description else {}))

        yield advance
