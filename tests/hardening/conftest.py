"""Hardening tests: hostile inputs, faults, signals and races. Signal and race cases run the real `synth`
command in subprocesses; the rest drive the CLI in-process through tests.cli_harness."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli_harness import make_cli, settings_env

SYNTH = Path(sys.executable).parent / "synth"


@dataclass
class Proc:
    returncode: int
    stdout: str
    stderr: str


def clean_error(stderr: str) -> bool:
    """True when stderr holds no traceback and every error is one line starting 'error: '."""
    return "Traceback" not in stderr and all(line.startswith(("error: ", "warning: ", " ")) or not line.strip()
                                             or not line.lower().startswith("error") for line in stderr.splitlines())


@pytest.fixture
def cli(settings, monkeypatch):
    return make_cli(settings, monkeypatch)


@pytest.fixture
def env(settings):
    """Environment for a `synth` subprocess pointing at the test settings."""
    return {**os.environ, **settings_env(settings)}


@pytest.fixture
def run_synth(env):
    """run_synth(*args, timeout=60, extra_env=None) → Proc of the real `synth` command."""

    def run(*args: str, timeout: float = 60, extra_env: dict | None = None, cwd: Path | None = None) -> Proc:
        p = subprocess.run([str(SYNTH), *args], env={**env, **(extra_env or {})}, capture_output=True, text=True,
                           timeout=timeout, cwd=cwd)
        return Proc(p.returncode, p.stdout, p.stderr)

    return run
