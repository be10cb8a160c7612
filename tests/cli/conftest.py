"""CLI test helpers: run the real `synth` entry point (error mapping included) in-process, and the mirror."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass

import pytest
from click.testing import CliRunner

from tests.sources.fixtures import mirror  # noqa: F401


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


class _Entry:
    """Lets CliRunner drive `synth.cli.app.main` (which maps SynthError to messages and exit codes)."""

    name = "synth"

    def main(self, args=None, prog_name=None, **extra):
        from synth.cli.app import main

        sys.argv = ["synth", *(args or [])]
        main()


def settings_env(settings) -> dict[str, str]:
    """SYNTH_* variables reproducing the test settings (the CLI builds its own Settings from the environment)."""
    env = {"COLUMNS": "250"}  # wide enough that rich tables do not fold the messages the tests look for
    for name, value in settings.model_dump(mode="json").items():
        if value is not None:
            env[f"SYNTH_{name.upper()}"] = str(value)
    return env


@pytest.fixture
def cli(settings, monkeypatch):
    """cli(*args) → Run(exit_code, stdout, stderr), with the environment pointing at the test settings."""
    monkeypatch.setattr(sys, "argv", list(sys.argv))

    def run(*args: str) -> Run:
        result = CliRunner().invoke(_Entry(), list(args), env=settings_env(settings), catch_exceptions=False)
        return Run(result.exit_code, result.stdout, result.stderr)

    return run
