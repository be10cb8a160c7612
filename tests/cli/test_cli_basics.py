"""Every command has help text, answers --help, and is named in the README (as sqlite-utils does)."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from synth.cli.app import app
from tests.conftest import ROOT


def walk(command, path: tuple[str, ...] = ()):
    yield path, command
    if hasattr(command, "commands"):  # a group (typer vendors click, so no isinstance on click classes)
        for name, sub in sorted(command.commands.items()):
            yield from walk(sub, (*path, name))


ROOT_COMMAND = typer.main.get_command(app)
COMMANDS = [(path, cmd) for path, cmd in walk(ROOT_COMMAND) if path]


def test_there_are_commands():
    names = {path[0] for path, _ in COMMANDS}
    assert {"fetch", "library"} <= names


@pytest.mark.parametrize("path, command", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_command_has_help(path, command):
    assert (command.help or command.short_help or "").strip(), f"synth {' '.join(path)} has no help text"
    for param in command.params:
        if param.param_type_name == "option" and param.name != "help":
            assert (param.help or "").strip(), f"synth {' '.join(path)} {param.opts[0]} has no help text"
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage: " in result.output


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=[" ".join(p) for p, _ in COMMANDS])
def test_command_is_in_readme(path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"synth {' '.join(path)}" in readme, f"README.md never names `synth {' '.join(path)}`"


def test_root_help_and_version():
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for path, _ in COMMANDS:
        if len(path) == 1:
            assert path[0] in result.output
    from synth import __version__

    version = CliRunner().invoke(app, ["--version"])
    assert version.exit_code == 0 and version.output.strip() == f"synth {__version__}"


def test_global_flags_work_after_the_command(tmp_path):
    """`synth library ls --json` (flag after the command) behaves like `synth --json library ls`."""
    import json
    import os
    import subprocess
    import sys

    from synth.cli.app import hoist_global_flags

    assert hoist_global_flags(["fetch", "x", "--quiet", "--", "--json"]) == ["--quiet", "fetch", "x", "--", "--json"]
    env = {**os.environ, "SYNTH_HOME": str(tmp_path / "lib")}
    script = [sys.executable, "-c", "from synth.cli.app import main; main()"]
    done = subprocess.run([*script, "library", "ls", "--json"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
