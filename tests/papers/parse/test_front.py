"""Title, authors and year from page 1 (issue 23): the largest bold type at the top is the title, the name lines
under it the authors; the year from the arXiv stamp or the proceedings line."""

from __future__ import annotations

from pathlib import Path

import pytest

from synth.papers.sources.local import first_page_text, read_front, year_on_page

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"
EXPECTED = {  # dev papers (tests/data/corpus/split.yaml)
    "2020.acl-main.442.pdf": ("Beyond Accuracy: Behavioral Testing of NLP Models with CheckList",
                              ["Marco Tulio Ribeiro", "Tongshuang Wu", "Carlos Guestrin", "Sameer Singh"], "2020"),
    "P16-1162.pdf": ("Neural Machine Translation of Rare Words with Subword Units",
                     ["Rico Sennrich", "Barry Haddow", "Alexandra Birch"], "2016"),
    "2023.eacl-main.121.pdf": ("LONGEVAL: Guidelines for Human Evaluation of Faithfulness in Long-form "
                               "Summarization", ["Kalpesh Krishna", "Erin Bransom", "Bailey Kuehl", "Mohit Iyyer",
                                                 "Pradeep Dasigi", "Arman Cohan", "Kyle Lo"], "2023"),
}


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_front_matter_of_real_papers(name):
    title, authors, year = EXPECTED[name]
    front = read_front(CORPUS / name)
    assert (front.title, front.authors) == (title, authors)
    assert year_on_page(first_page_text(CORPUS / name)) == year


def test_front_matter_of_the_preprint_stand_in(tmp_path):
    from synth.demo.preprint import AUTHORS, TITLE, render_preprint

    pdf = render_preprint(tmp_path / "preprint.pdf")
    front = read_front(pdf)
    assert front.title == TITLE and front.authors == AUTHORS
    assert year_on_page(first_page_text(pdf)) == "2020"


def test_a_large_figure_label_is_not_the_title():
    from synth.papers.parse.front import read_front_matter
    from synth.papers.parse.layout import Line

    lines = [Line("positive", 400, 440, 760, 20.0), Line("A Real Title of the Paper", 150, 450, 740, 14.0, bold=True),
             Line("Ada Example and Grace Sample", 200, 400, 715, 12.0),
             Line("Example University", 220, 380, 700, 12.0)] + [
        Line(f"body text line number {i} of the paper", 72, 290, 600 - 12 * i, 10.0) for i in range(30)]
    front = read_front_matter(lines, 842.0)
    assert front.title == "A Real Title of the Paper" and front.authors == ["Ada Example", "Grace Sample"]
