"""The real ACL paper from ../shared/corpus through the local-PDF path and the FTS index (skips when absent)."""

from __future__ import annotations

from synth.papers.library import Library
from synth.papers.sources.local import local_meta


def test_real_paper_is_stored_and_searchable(settings, corpus_pdf):
    lib = Library.open(settings)
    meta = lib.add_pdf(corpus_pdf, local_meta(corpus_pdf, settings))
    assert meta.key.startswith("local-") and meta.n_pages == 11
    assert meta.title.startswith("Beyond Accuracy: Behavioral Testing of NLP Models with CheckList")
    (hit, *_) = lib.search("held-out accuracy primary approach evaluate generalization", limit=3)
    assert hit.page == 1 and hit.section == ["Abstract"]
    assert hit.text.startswith("Although measuring held-out accuracy has been the primary approach")
    page1 = next(lib.iter_pages(meta))
    assert page1.text[hit.start:hit.end] == hit.text
    # the same bytes again: same id, nothing new
    assert lib.add_pdf(corpus_pdf, local_meta(corpus_pdf, settings)) == meta
    assert [m.key for m in lib.papers()] == [meta.key]
