"""One CLI test harness: drive the real `synth.cli.app.main` in-process (error mapping included)."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass

from click.testing import CliRunner


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


class _Entry:
    """Lets CliRunner call `synth.cli.app.main` (SynthError → one-line message + exit code, as for a user)."""

    name = "synth"

    def main(self, args=None, prog_name=None, **extra):
        from synth.cli.app import main

        sys.argv = ["synth", *(args or [])]
        main()


def settings_env(settings) -> dict[str, str]:
    """SYNTH_* variables reproducing the test settings (the CLI builds its own Settings from the environment)."""
    env = {"COLUMNS": "250"}  # wide enough that rich tables do not fold the messages tests look for
    for name, value in settings.model_dump(mode="json").items():
        if value is not None:
            env[f"SYNTH_{name.upper()}"] = str(value)
    return env


def make_cli(settings, monkeypatch):
    """cli(*args) → Run(exit_code, stdout, stderr), with the environment pointing at the test settings."""
    monkeypatch.setattr(sys, "argv", list(sys.argv))

    def run(*args: str) -> Run:
        # the environment is read at call time: fixtures such as the arXiv mirror adjust settings after this
        result = CliRunner().invoke(_Entry(), list(args), env=settings_env(settings), catch_exceptions=False)
        return Run(result.exit_code, result.stdout, result.stderr)

    return run
