"""The real ACL paper from ../shared/corpus (skipped when absent): verbatim sentences with numbers are supported,
the same sentences with one number changed are contradicted, cut-off ones are supported and marked truncated."""

from __future__ import annotations

import random
import re

import pytest

from synth.core.models import Claim, PaperMeta
from tests.conftest import CORPUS_PDF


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    if not CORPUS_PDF.exists():
        pytest.skip("../shared/corpus is not beside this checkout")
    from synth.papers.library import Library
    from synth.verify.claim_verifier import Verifier

    library = Library(tmp_path_factory.mktemp("real") / "library")
    meta = library.add_pdf(CORPUS_PDF, PaperMeta(id="2005.04118", version=1, source="arxiv", sha256="",
                                                 size_bytes=0, fetched_at="2026-01-01T00:00:00Z"))
    sentences = [s.text for s in library.iter_sentences(meta) if s.kind == "body"
                 and re.search(r"\d+(?:\.\d+)?%|\d+\.\d", s.text) and 50 < len(s.text) < 400]
    return Verifier(library), sentences


def _verify(verifier, text, **fields):
    return verifier.verify(Claim(id="real-c01", text=text, cites=["2005.04118"], **fields))


def test_real_paper_claims(real):
    verifier, sentences = real
    assert len(sentences) >= 10  # body sentences only: the parser keeps table text out of them
    rng = random.Random(0)
    for text in sentences:
        assert _verify(verifier, text).label == "supported", text
        m = rng.choice(list(re.finditer(r"\d+(?:\.\d+)?", text)))
        decimals = len(m.group(0).split(".")[1]) if "." in m.group(0) else 0
        wrong = text[:m.start()] + f"{float(m.group(0)) * 1.37 + 3:.{decimals}f}" + text[m.end():]
        v = _verify(verifier, wrong)
        assert v.label == "contradicted" and "source says" in v.reason, (wrong, v.reason)
        cut = _verify(verifier, text[:int(len(text) * 0.6)], truncated=True)
        assert cut.label == "supported" and cut.truncated, text
