"""The real ACL paper in ../shared/corpus (skipped when absent): page count, headings, gold sentences."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from tests.conftest import DATA as TESTS_DATA

GOLD = TESTS_DATA / "parse" / "checklist_gold.yaml"


@pytest.fixture(scope="module")
def gold():
    return YAML(typ="safe").load(GOLD.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1)
def _parse(path: Path):
    from synth.papers.parse import parse_pdf

    return parse_pdf(path)


@pytest.fixture
def parsed(corpus_pdf):
    """The parsed real paper (parsed once per session; `corpus_pdf` skips when ../shared is absent)."""
    return _parse(corpus_pdf)


def test_page_count_and_printed_numbers(parsed, gold):
    assert len(parsed.pages) == gold["pages"] == 11
    assert [p.printed_number for p in parsed.pages] == [str(gold["first_printed_page"] + i) for i in range(11)]


def test_section_headings(parsed, gold):
    labels = [" ".join(filter(None, (s.number, s.title))) for s in parsed.sections]
    assert labels == gold["sections"]
    refs = next(s for s in parsed.sections if s.title == "References")
    assert refs.page == 10 and refs.kind == "references"


@pytest.mark.parametrize("index", range(10))
def test_gold_sentence_found_once_on_its_page(parsed, gold, index):
    item = gold["sentences"][index]
    hits = [s for s in parsed.sentences if s.text == item["text"]]
    assert len(hits) == 1, f"{len(hits)} hits for {item['text'][:60]!r}"
    assert hits[0].page == item["page"]
    assert hits[0].section[-1] == item["section"]
    assert hits[0].kind == "body"


def test_offsets_invariant(parsed):
    pages = {p.page: p.text for p in parsed.pages}
    assert len(parsed.sentences) > 200  # figure and table text are not sentences
    for s in parsed.sentences:
        assert s.text == pages[s.page][s.start:s.end]


def test_no_ligatures_and_no_headers_in_body(parsed):
    assert not any(ch in p.text for p in parsed.pages for ch in "\ufb00\ufb01\ufb02\ufb03\ufb04")
    assert "Proceedings of the 58th Annual Meeting" in " ".join(parsed.pages[0].removed_lines)
    for s in parsed.sentences:
        assert "Proceedings of the 58th Annual Meeting" not in s.text
        assert "Association for Computational Linguistics, pages 4902" not in s.text
    # the reference that runs from page 10 onto page 11 ("... Proceedings of the 57th ...") is one entry, kept
    # whole on page 10; its continuation is not mistaken for a running header
    (entry,) = [s for s in parsed.sentences if s.text.startswith("Ian Tenney, Dipanjan Das")]
    assert entry.page == 10 and entry.text.endswith("In Proceedings of the 57th Annual Meeting of the Association "
                                                     "for Computational Linguistics, pages 4593–4601, Florence, "
                                                     "Italy. Association for Computational Linguistics.")


def test_references_are_entries(parsed):
    refs = [s for s in parsed.sentences if s.kind == "references"]
    assert 25 <= len(refs) <= 32  # 30 entries; page breaks cut one
    assert any(s.text.startswith("Boris Beizer. 1995. Black-box Testing") for s in refs)
    assert any(s.text.startswith("Mohit Iyyer, John Wieting") for s in refs)
    assert all(s.section == ["References"] for s in refs)
