"""Test-wide setup: no network, no hub; every test gets its own library, claims file and runs folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

for _var in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE"):
    os.environ[_var] = "1"
os.environ["HF_UPDATE_DOWNLOAD_COUNTS"] = "0"
os.environ["TOKENIZERS_PARALLELISM"] = "false"

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared"
CORPUS_PDF = SHARED / "corpus" / "2020.acl-main.442.pdf"


@pytest.fixture
def settings(tmp_path, monkeypatch):
    """Isolated Settings (library, claims, runs, reports, cache under tmp_path) installed for the test."""
    from synth.core.settings import Settings, set_settings

    for key in list(os.environ):
        if key.startswith("SYNTH_"):
            monkeypatch.delenv(key)
    s = Settings(
        home=tmp_path / "library",
        claims=tmp_path / "claims.yaml",
        runs=tmp_path / "runs",
        reports=tmp_path / "reports",
        cache=tmp_path / "cache",
        arxiv_delay=0.0,
        http_backoff=0.01,
        http_backoff_max=0.05,
        http_timeout=2.0,
    )
    set_settings(s)
    yield s
    set_settings(None)


@pytest.fixture
def corpus_pdf():
    """The real ACL paper from ../shared/corpus; skip cleanly when absent."""
    if not CORPUS_PDF.exists():
        pytest.skip("../shared/corpus is not beside this checkout")
    return CORPUS_PDF
