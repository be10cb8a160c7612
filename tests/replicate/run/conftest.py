"""Shared fixtures: the tiny offline XLM-R is built once per session and copied into each test's cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.conftest import DATA as TESTS_DATA

DATA = TESTS_DATA / "replicate_run"


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    from synth.replicate.training.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "tiny-xlmr")


@pytest.fixture
def run_settings(settings, tiny_model):
    """Isolated settings whose cache already holds the tiny model (where the `tiny` profile looks for it)."""
    shutil.copytree(tiny_model, Path(settings.cache) / "models" / "tiny-xlmr")
    return settings


@pytest.fixture
def mini_experiment() -> Path:
    return DATA / "mini.yaml"
