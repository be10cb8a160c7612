"""Layout-aware parsing from text runs (font, size, position), without a PDF: markers, broken font maps,
columns, footnotes, and paragraphs that run over column and page breaks."""

from __future__ import annotations

from synth.papers.parse import parse_pages
from synth.papers.parse.layout import lines_from_runs
from synth.papers.parse.pdf import RawPage, Run

BODY = "NimbusRomNo9L-Regu"
BOLD = "NimbusRomNo9L-Medi"


def run(text, x, y, size=10.9, font=BODY):
    return Run(text, x, y, size, font)


def test_raised_marker_after_a_word_is_taken_out():
    (line,) = lines_from_runs((run("we release the tool", 72, 700), run("1", 160, 704, 7.0),
                               run(" and use it.", 164, 700)))
    assert line.text == "we release the tool and use it." and line.markers == ["1"]


def test_a_note_starts_with_its_raised_marker():
    (line,) = lines_from_runs((run("2", 72, 104, 6.0), run("See the code online.", 76, 100, 9.0)))
    assert line.starts_with_marker and line.text == "See the code online." and line.size == 9.0


def test_broken_tex_math_font_and_icon_glyphs():
    (line,) = lines_from_runs((run("(4.7", 72, 700), run(" ˘", 90, 700, font="TeX-matha10"), run(" 0.5)", 96, 700),
                               run(" \uf1a0", 120, 700, font="FontAwesome")))
    assert line.text == "(4.7 ± 0.5) [icon]"


def _page(number, lines, width=595.0, height=842.0):
    runs = tuple(run(text, x, y, size, font) for x, y, text, size, font in lines)
    return RawPage(number, "\n".join(t for _, _, t, _, _ in lines), runs=runs, width=width, height=height)


def _column(x, top, texts, size=10.9, font=BODY, step=13.5):
    return [(x, top - i * step, t, size, font) for i, t in enumerate(texts)]


def test_two_columns_footnote_and_a_sentence_over_the_page_break():
    left = _column(72, 760, ["1 Introduction"], 12.0, BOLD) + _column(72, 740, [
        "The first column starts the paragraph of this",
        "test and it goes on for a few lines until it",
        "reaches the bottom of the column where the",
    ] + ["filler words keep this column long enough to"] * 6)
    right = _column(307, 760, [
        "text continues in the right column. A second",
        "sentence runs to the end of the page and is",
    ] + ["made of more filler words that keep it going"] * 5 + ["on over the page break into"])
    note = [(72, 100, "2", 6.0, BODY), (76, 96, "A footnote set in small type at the foot.", 9.0, BODY)]
    page2 = _column(72, 760, ["the next page, where it ends. Then a new one.", "It has words."] * 1) + _column(
        72, 733, ["more filler words keep the left column full"] * 4) + _column(307, 760, [
            "and the right column has a line of its own."] * 4)
    parsed = parse_pages([_page(1, left + right + note), _page(2, page2)])
    texts = [(s.page, s.kind, s.text) for s in parsed.sentences]
    first = next(t for t in texts if t[2].startswith("The first column"))
    assert first[0] == 1 and first[2].endswith("reaches the bottom of the column where the " + " ".join(
        ["filler words keep this column long enough to"] * 6) + " text continues in the right column.")
    crossing = next(t for t in texts if t[2].startswith("A second sentence"))
    assert crossing[0] == 1 and crossing[2].endswith("over the page break into the next page, where it ends.")
    assert (1, "footnote", "A footnote set in small type at the foot.") in texts
    assert parsed.pages[1].text.startswith("Then a new one.")
    pages = {p.page: p.text for p in parsed.pages}
    assert all(pages[s.page][s.start:s.end] == s.text for s in parsed.sentences)


def test_numbered_body_line_in_regular_type_is_not_a_heading():
    lines = _column(72, 760, ["1 Introduction"], 12.0, BOLD) + _column(72, 740, [
        "We list what we add to the field of this study.",
        "2 We decompose the task into parts.",
        "That ends the list and the paragraph here too.",
    ] * 3) + _column(72, 600, ["2 Method"], 12.0, BOLD) + _column(72, 580, ["The method text is here."] * 3)
    parsed = parse_pages([_page(1, lines)])
    assert [(s.number, s.title) for s in parsed.sections] == [("1", "Introduction"), ("2", "Method")]
