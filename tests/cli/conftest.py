"""CLI test helpers: run the real `synth` entry point (error mapping included) in-process, and the mirror."""

from __future__ import annotations


import pytest

from tests.cli_harness import make_cli

from tests.papers.sources.fixtures import mirror  # noqa: F401





@pytest.fixture
def cli(settings, monkeypatch):
    """cli(*args) → Run(exit_code, stdout, stderr), with the environment pointing at the test settings."""
    return make_cli(settings, monkeypatch)
