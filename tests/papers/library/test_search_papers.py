"""Paper-level library search (synth.papers.search): newest version per paper, ranked by its best sentences."""

from __future__ import annotations

from synth.papers.library import Library
from synth.core.models import PaperMeta
from synth.papers.search import search_library
from tests.papers.sources.pdfs import paper_pdf, write


def add(lib, tmp_path, paper_id, version, title):
    pdf = write(tmp_path / f"{paper_id}v{version}.pdf", paper_pdf(title, version, 1.0 + version))
    meta = PaperMeta(id=paper_id, version=version, source="arxiv", title=title, sha256="0" * 64, size_bytes=0,
                     fetched_at="2026-01-01T00:00:00+00:00")
    return lib.add_pdf(pdf, meta)


def test_newest_version_per_paper_ranked(settings, tmp_path):
    lib = Library.open(settings)
    assert search_library(lib, "transfer") == []
    add(lib, tmp_path, "2005.13013", 1, "X-STILTs")
    v2 = add(lib, tmp_path, "2005.13013", 2, "X-STILTs")
    other = add(lib, tmp_path, "1811.01088", 1, "STILTs")
    hits = search_library(lib, "intermediate task zero-shot cross-lingual transfer", max_results=5)
    assert {h.meta.key for h in hits} == {v2.key, other.key}
    assert hits[0].score >= hits[1].score > 0
    for h in hits:
        assert any(h.sentence == s.text and h.page == s.page for s in lib.iter_sentences(h.meta))
    assert len(search_library(lib, "intermediate", max_results=1)) == 1
    assert search_library(lib, "quantum chromodynamics") == []
