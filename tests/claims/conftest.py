"""Fixtures for the claims tests: a generated STILTs paper in a library, the real CLI entry point in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_harness import make_cli
from tests.conftest import DATA as TESTS_DATA

DATA = TESTS_DATA / "claims"
PAPER_ID = "2101.00001"
NUMBERS = {
    "baseline": {"en": 88.1, "de": 81.3, "sw": 64.2, "ur": 62.0},
    "MNLI": {"en": 89.0, "de": 83.9, "sw": 70.4, "ur": 66.8},
    "SQuAD": {"en": 88.4, "de": 82.0, "sw": 66.1, "ur": 63.5},
    "HellaSwag": {"en": 87.6, "de": 80.2, "sw": 63.0, "ur": 61.1},
}


@pytest.fixture(scope="session")
def stilts_pdf(tmp_path_factory) -> Path:
    from synth.demo.pdfgen import render_pdf
    from synth.demo.papers import stilts_study_spec

    return render_pdf(stilts_study_spec(NUMBERS, 1), tmp_path_factory.mktemp("pdf") / "stilts.pdf")


def add_paper(library, pdf: Path, paper_id: str = PAPER_ID, version: int = 1):
    from synth.core.models import PaperMeta

    meta = PaperMeta(id=paper_id, version=version, source="arxiv", sha256="", size_bytes=0,
                     fetched_at="2021-01-04T00:00:00Z", title="Does English Intermediate-Task Training Help?")
    return library.add_pdf(pdf, meta)


@pytest.fixture
def library(settings, stilts_pdf):
    """A library (under the test's tmp dir) holding the generated paper as 2101.00001v1."""
    from synth.papers.library import Library

    lib = Library.open(settings)
    add_paper(lib, stilts_pdf)
    yield lib
    lib.close()




@pytest.fixture
def cli(settings, monkeypatch):
    """cli(*args) → Run(exit_code, stdout, stderr) with SYNTH_* pointing at the test settings."""
    return make_cli(settings, monkeypatch)
