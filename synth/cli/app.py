"""The `synth` command: global options, command registration, error → exit-code mapping."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from synth import __version__
from synth.core.errors import SynthError
from synth.cli import common

app = typer.Typer(
    name="synth",
    help="Fetch papers, extract their empirical claims, verify them against the source, re-run the experiments.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"synth {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    library: Optional[Path] = typer.Option(None, "--library", envvar="SYNTH_HOME", help="Library folder (default ./library)."),
    claims: Optional[Path] = typer.Option(None, "--claims", envvar="SYNTH_CLAIMS", help="Claims file (default ./claims.yaml)."),
    json_: bool = typer.Option(False, "--json", help="Machine-readable JSON on stdout, nothing else there."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars or chatter."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for expected failures."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """synth: literature synthesis plus replication."""
    from synth.core.settings import Settings, set_settings

    common.state.json, common.state.quiet, common.state.debug = json_, quiet, debug
    overrides = {k: v for k, v in {"home": library, "claims": claims}.items() if v is not None}
    try:
        set_settings(Settings(**overrides))
    except Exception as exc:  # pydantic ValidationError from a bad SYNTH_* variable
        raise SynthError(f"bad settings: {exc}") from exc


def _register() -> None:
    from synth.cli import claims, fetch, library, replicate, report, verify

    for module in (fetch, library, claims, verify, replicate, report):
        module.register(app)


_register()


GLOBAL_FLAGS = frozenset({"--json", "--quiet", "-q", "--debug"})


def hoist_global_flags(argv: list[str]) -> list[str]:
    """Move the value-less global flags to the front, so `synth fetch X --quiet` works like `synth --quiet fetch X`."""
    end = argv.index("--") if "--" in argv else len(argv)
    flags = [a for a in argv[:end] if a in GLOBAL_FLAGS]
    return flags + [a for a in argv[:end] if a not in GLOBAL_FLAGS] + argv[end:]


def main() -> None:
    """Console-script entry point: run the app, map SynthError to a one-line message and exit code."""
    try:
        app(args=hoist_global_flags(sys.argv[1:]), prog_name="synth")
    except SynthError as exc:
        if common.state.debug:
            raise
        common.fail(str(exc))
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        common.fail("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
