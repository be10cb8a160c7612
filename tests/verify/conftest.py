"""A library of generated papers, built once per test session:

* 2101.00001 v1 and v2 (v2 revises the MNLI row: average 72.5 -> 73.3, Swahili gain +8.4 -> +9.0);
* 2101.00002 v1 with two-decimal numbers (a Swahili gain of +8.35, for rounded claims);
* 2101.00003 v1 whose abstract says +5.6 points where its own Table 1 gives 72.5 - 67.0 = 5.5.
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from tests.cli_harness import make_cli

V1 = {
    "baseline": {"en": 81.0, "de": 72.0, "sw": 60.0, "ur": 55.0},
    "MNLI": {"en": 84.4, "de": 76.2, "sw": 68.4, "ur": 61.0},
    "SQuAD": {"en": 82.2, "de": 73.0, "sw": 62.2, "ur": 57.0},
}
V2 = {**V1, "MNLI": {"en": 85.0, "de": 77.0, "sw": 69.0, "ur": 62.2}}
TWO_DECIMALS = {
    "baseline": {"en": 81.00, "de": 72.00, "sw": 60.00, "ur": 55.00},
    "MNLI": {"en": 84.40, "de": 76.20, "sw": 68.35, "ur": 61.05},
    "SQuAD": {"en": 82.20, "de": 73.00, "sw": 62.20, "ur": 57.00},
}


def _add(library, spec, pid: str, version: int, folder) -> None:
    from synth.core.models import PaperMeta
    from synth.demo.pdfgen import render_pdf

    pdf = render_pdf(spec, folder / f"{pid}v{version}.pdf")
    library.add_pdf(pdf, PaperMeta(id=pid, version=version, source="arxiv", sha256="", size_bytes=0,
                                   fetched_at=dt.datetime.now(dt.timezone.utc).isoformat()))


@pytest.fixture(scope="session")
def library_dir(tmp_path_factory):
    """The session's library folder (read-only for tests: copy it before changing it)."""
    from synth.papers.library import Library
    from synth.demo.papers import stilts_study_spec

    root = tmp_path_factory.mktemp("verify-library")
    library = Library(root / "library")
    _add(library, stilts_study_spec(V1, 1), "2101.00001", 1, root)
    _add(library, stilts_study_spec(V2, 2), "2101.00001", 2, root)
    _add(library, stilts_study_spec(TWO_DECIMALS, 1, decimals=2), "2101.00002", 1, root)
    inconsistent = stilts_study_spec(V1, 1)
    assert "+5.5 points" in inconsistent.abstract
    inconsistent.abstract = inconsistent.abstract.replace("+5.5 points", "+5.6 points")
    _add(library, inconsistent, "2101.00003", 1, root)
    library.close()
    return root / "library"


@pytest.fixture(scope="session")
def verifier(library_dir):
    """A Verifier over the session library with the shipped weights (synth/verify/verifier.json)."""
    from synth.papers.library import Library
    from synth.verify.claim_verifier import Verifier

    return Verifier(Library(library_dir))


@pytest.fixture
def check(verifier):
    """check(text, cites=['2101.00001'], **claim fields) -> Verification."""
    from synth.core.models import Claim

    def run(text: str, cites: list[str] | None = None, **fields):
        return verifier.verify(Claim(id="t-c01", text=text, cites=["2101.00001"] if cites is None else cites,
                                     **fields))

    return run




@pytest.fixture
def cli(settings, library_dir, monkeypatch):
    """cli(*args) -> Run, with SYNTH_HOME pointing at a copy of the session library."""
    shutil.copytree(library_dir, settings.home)
    return make_cli(settings, monkeypatch)
