"""The hand-marked sentence samples (tests/data/parse/sentence_sample.yaml) and what they still say about the
current parser: every sentence marked whole in the `after` sample is still produced, on its page and section."""

from __future__ import annotations

import functools

import pytest

from synth.papers.parse.sample import draw_sample, load_samples
from tests.conftest import DATA as TESTS_DATA, SHARED

SAMPLES = TESTS_DATA / "parse" / "sentence_sample.yaml"
CORPUS = SHARED / "corpus"


@functools.lru_cache(maxsize=2)
def _parse(name: str):
    from synth.papers.parse import parse_pdf

    return parse_pdf(CORPUS / name)


def test_samples_cover_both_papers_before_and_after():
    samples = load_samples(SAMPLES).samples
    got = {(s.paper, s.role) for s in samples}
    assert got == {(p, r) for p in ("2020.acl-main.442.pdf", "P16-1162.pdf") for r in ("before", "after")}
    assert all(len(s.sentences) >= 40 for s in samples)
    for s in samples:  # a sample is the seeded draw of its parser's sentences, in text order
        assert [m.idx for m in s.sentences] == sorted(m.idx for m in s.sentences)


@pytest.mark.parametrize("paper", ["2020.acl-main.442.pdf", "P16-1162.pdf"])
def test_whole_sentences_of_the_after_sample_are_still_produced(paper):
    if not (CORPUS / paper).exists():
        pytest.skip(f"{CORPUS / paper} not present")
    sample = next(s for s in load_samples(SAMPLES).samples if s.paper == paper and s.role == "after")
    parsed = _parse(paper)
    produced = {(s.page, s.text): s for s in parsed.sentences}
    for marked in sample.sentences:
        if not marked.whole:
            continue
        s = produced.get((marked.page, marked.text))
        assert s is not None, f"no longer produced on page {marked.page}: {marked.text[:80]!r}"
        if marked.section_right:
            assert s.section == marked.section and s.kind == marked.kind


@pytest.mark.parametrize("paper", ["2020.acl-main.442.pdf", "P16-1162.pdf"])
def test_same_parser_draws_the_same_sample(paper):
    from synth.papers.parse import PARSER_VERSION

    if not (CORPUS / paper).exists():
        pytest.skip(f"{CORPUS / paper} not present")
    sample = next(s for s in load_samples(SAMPLES).samples if s.paper == paper and s.role == "after")
    if not sample.parser.endswith(f"+{PARSER_VERSION}"):
        pytest.skip("the parser changed since the sample was drawn: draw and mark a new one")
    drawn = draw_sample(_parse(paper).sentences, len(sample.sentences), sample.seed)
    assert [(s.idx, s.text) for s in drawn] == [(m.idx, m.text) for m in sample.sentences]
