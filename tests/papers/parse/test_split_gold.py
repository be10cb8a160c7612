"""The parser on the dev/test split of the corpus papers (issue 23): headings, appendix start, whole sentences,
section labels and float text, scored on the gold written from the PDFs' text (tests/data/parse/README.md).
The floors are the issue-23 numbers (docs/BENCHMARKS.md) less a little slack: a change that loses more fails."""

from __future__ import annotations

import pytest

from synth.papers.parse.gold import load_parse_gold, score_parse, total
from tests.conftest import DATA as TESTS_DATA, SHARED

CORPUS = SHARED / "corpus"
FLOORS = {  # headings found, at most invented, appendix right, whole, section right, at most float text leaked
    "dev": dict(headings_found=235, invented=1, appendix_right=12, whole=60, section_right=55, leaked=1),
    "test": dict(headings_found=145, invented=2, appendix_right=7, whole=72, section_right=68, leaked=2),
}


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")
@pytest.mark.parametrize("split", ["dev", "test"])
def test_parse_gold_of_the_split(split):
    from synth.papers.parse import parse_pdf

    gold = load_parse_gold(TESTS_DATA / "parse" / f"parse_gold_{split}.yaml")
    scores = []
    for paper in gold.papers:
        parsed = parse_pdf(CORPUS / paper.paper, tables=False)
        scores.append(score_parse(paper, parsed.sections, parsed.sentences))
    t = total(scores)
    floor = FLOORS[split]
    got = dict(headings_found=t["headings_found"], invented=t["parsed_headings"] - t["parsed_headings_right"],
               appendix_right=t["appendix_right"], whole=t["whole"], section_right=t["section_right"],
               leaked=t["leaked"])
    assert got["headings_found"] >= floor["headings_found"], got
    assert got["invented"] <= floor["invented"], got
    assert got["appendix_right"] >= floor["appendix_right"], got
    assert got["whole"] >= floor["whole"] and got["section_right"] >= floor["section_right"], got
    assert got["leaked"] <= floor["leaked"], got
