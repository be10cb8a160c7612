"""Shared CLI state and output helpers: --json / --quiet / --debug, consoles, progress bars, exit codes.

Everything the CLI prints comes from data (paper titles, claim text, file names, error messages), so the consoles
never interpret rich markup or emoji codes in strings, and control characters (terminal escape sequences, bidi
overrides) are shown as visible escapes instead of reaching the terminal. Styling uses `Text` objects only.
"""

from __future__ import annotations

import json
import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

from rich.console import Console
from rich.text import Text


@dataclass
class State:
    json: bool = False
    quiet: bool = False
    debug: bool = False


state = State()

# C0/C1 controls except tab and newline, DEL, bidi embeddings/overrides/isolates, and lone surrogates
# (undecodable file names): each would corrupt or disguise what the terminal shows.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape_char(m: re.Match) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: object) -> str:
    """`text` as a string with control characters made visible (`\\x1b`), fit for a terminal."""
    return _UNSAFE.sub(_escape_char, str(text))


def one_line(text: object) -> str:
    """`safe(text)` on one line (newlines become ' | ')."""
    return " | ".join(part.strip() for part in safe(text).splitlines() if part.strip())


class SafeConsole(Console):
    """A rich Console that prints every string literally: no markup, no emoji codes, control characters escaped.

    Tables and other renderables turn their string cells into text through `render_str`, so this covers them too.
    """

    def render_str(self, text: str, **kwargs: Any) -> Text:
        kwargs["markup"] = False
        kwargs["emoji"] = False
        return super().render_str(safe(text), **kwargs)


out = SafeConsole(highlight=False, soft_wrap=True, markup=False, emoji=False)  # stdout: results
err = SafeConsole(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)  # stderr: messages


def styled(text: object, style: str) -> Text:
    """Data shown in a style (e.g. a verdict in green), still printed literally."""
    return Text(safe(text), style=style)


def table(*columns: str | tuple[str, int | None]):
    """A rich Table for terminal listings that stays readable at 80 columns. A plain name is a short field that
    never wraps (no id is split across lines); (name, width) wraps at word boundaries within at most `width`
    characters; (name, None) is the free text that takes the width left over."""
    from rich.table import Table

    t = Table(show_edge=False, pad_edge=False, header_style="bold")
    for column in columns:
        if isinstance(column, tuple):
            t.add_column(column[0], max_width=column[1], overflow="fold")
        else:
            t.add_column(column, no_wrap=True)
    return t


def lower(value: Any) -> Any:
    """Option callback for named choices (`--format HTML`, `--origin Imported`): matched case-insensitively."""
    if isinstance(value, str):
        return value.strip().lower()
    if isinstance(value, list):
        return [v.strip().lower() if isinstance(v, str) else v for v in value]
    return value


def emit_json(obj: Any) -> None:
    """Machine output: JSON on stdout and nothing else there."""
    text = json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    try:
        text.encode(sys.stdout.encoding or "utf-8")
    except UnicodeEncodeError:  # lone surrogates (undecodable file names) or a non-UTF-8 terminal: \u escapes
        text = json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=True, default=str)
    sys.stdout.write(text + "\n")


def info(message: str) -> None:
    """A human message on stderr, silenced by --quiet and --json."""
    if not (state.quiet or state.json):
        err.print(Text(safe(message)))


def warn(message: str) -> None:
    """A warning on stderr (silenced by --quiet only)."""
    if not state.quiet:
        err.print(Text.assemble(("warning: ", "yellow"), safe(message)))


def fail(message: str) -> None:
    """One-line error on stderr (never silenced)."""
    err.print(Text.assemble(("error: ", "red"), one_line(message) or "failed"), soft_wrap=True)


@contextmanager
def progress(description: str, total: int | None = None) -> Iterator:
    """A rich progress bar on stderr; yields `advance(n=1, description=None)`. Silent with --quiet/--json."""
    if state.quiet or state.json or not err.is_terminal:
        yield lambda n=1, description=None: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task(safe(description), total=total)

        def advance(n: int = 1, description: str | None = None) -> None:
            bar.update(task, advance=n, **({"description": safe(description)} if description else {}))

        yield advance
