"""Headings need a heading's type and place (issue 23): a body line that reads "Appendix." stays in its paragraph,
a heading set over two bold lines is one heading, and body-size figure labels off the column grid stay out of
sentences."""

from __future__ import annotations

from synth.papers.parse import parse_pages
from synth.papers.parse.pdf import RawPage, Run

BODY = "NimbusRomNo9L-Regu"
BOLD = "NimbusRomNo9L-Medi"
FILLER = "filler words keep this column long enough to"


WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa "
         "quebec romeo sierra tango uniform victor whiskey xray yankee zulu").split()


def _filler(n, start=0):
    """Distinct lines of words (lines repeated on every page would be taken for running headers)."""
    return [" ".join(WORDS[(start + i + k * 7) % len(WORDS)] for k in range(8)) for i in range(n)]


def _page(number, lines, width=595.0, height=842.0):
    runs = tuple(Run(text, x, y, size, font) for x, y, text, size, font in lines)
    return RawPage(number, "\n".join(t for _, _, t, _, _ in lines), runs=runs, width=width, height=height)


def _column(x, top, texts, size=10.9, font=BODY, step=13.5):
    return [(x, top - i * step, t, size, font) for i, t in enumerate(texts)]


def _paper(left, right):
    return parse_pages([_page(1, _column(72, 800, ["1 Introduction"], 12.0, BOLD) + left + right)])


def test_a_line_reading_appendix_inside_a_paragraph_is_not_a_heading():
    left = _column(72, 780, ["Further details of the training runs are in the"] + ["Appendix."] + [FILLER] * 6
                   + ["and the section ends here."])
    right = _column(307, 780, ["2 Results"], 12.0, BOLD) + _column(307, 760, [
        "Intermediate training on MNLI improves the average", "score by four points over the baseline."]
        + [FILLER] * 5)
    parsed = _paper(left, right)
    assert [(s.number, s.title, s.kind) for s in parsed.sections] == [("1", "Introduction", "body"),
                                                                      ("2", "Results", "body")]
    claim = next(s for s in parsed.sentences if s.text.startswith("Intermediate training"))
    assert claim.section == ["2 Results"] and claim.kind == "body"
    assert any(s.text.startswith("Further details of the training runs are in the Appendix. filler")
               for s in parsed.sentences)


def test_an_appendix_heading_in_heading_type_still_counts():
    left = _column(72, 780, ["The section ends here."] + [FILLER] * 6 + ["and it ends."])
    right = _column(307, 780, ["Appendix"], 12.0, BOLD) + _column(307, 760, ["Training details follow here."]
                                                                    + [FILLER] * 5)
    parsed = _paper(left, right)
    assert [(s.title, s.kind) for s in parsed.sections][-1] == ("Appendix", "appendix")


def test_a_heading_over_two_bold_lines_is_one_heading():
    left = _column(72, 780, ["The introduction ends here."] + [FILLER] * 6 + ["and it ends."])
    right = _column(307, 780, ["2 End-to-End Neural Pipeline for", "Goal-Oriented Dialogue System"], 10.9, BOLD,
                    step=13.5) + _column(307, 750, ["We build the pipeline in four steps."] + [FILLER] * 5)
    parsed = _paper(left, right)
    assert [s.title for s in parsed.sections][-1] == "End-to-End Neural Pipeline for Goal-Oriented Dialogue System"
    step = next(s for s in parsed.sentences if s.text.startswith("We build"))
    assert step.section == ["2 End-to-End Neural Pipeline for Goal-Oriented Dialogue System"]


def test_body_size_figure_labels_off_the_column_grid_stay_out_of_sentences():
    left = _column(72, 780, ["We train the encoder with intermediate tasks"] + _filler(6)
                   + ["using target task fine-tuning in English."])
    figure = _column(390, 700, ["Target task", "fine-tuning", "EN MLM"], 10.9)
    right = _column(307, 560, ["Figure 1: The training pipeline."], 9.0) + _column(307, 530, [
        "The results follow in the next section."] + _filler(5, 10))
    first = _column(72, 800, ["1 Introduction"], 12.0, BOLD) + _column(72, 780, _filler(8, 20)) + _column(
        307, 780, _filler(8, 30) + ["and the page ends."])
    parsed = parse_pages([_page(1, first), _page(2, left + figure + right)])
    texts = [s.text for s in parsed.sentences]
    assert not [t for t in texts if "EN MLM" in t or "Target task fine" in t]
    assert any(t.endswith("using target task fine-tuning in English.") for t in texts)


def test_a_raised_digit_after_a_capital_is_a_name_unless_a_note_starts_with_it():
    from synth.papers.parse.layout import lines_from_runs, settle_markers

    line, = lines_from_runs((Run("the result of the DrQA and R", 72, 700, 10.9, BODY), Run("3", 205, 704, 7.0, BODY),
                             Run(" baseline.", 209, 700, 10.9, BODY)))
    settle_markers([line])
    assert line.text == "the result of the DrQA and R3 baseline."


def test_inline_math_pieces_of_a_text_row_stay_in_the_sentence():
    """Arrows over an inline 'h' break a text row into short pieces off the grid: they are the row, not labels."""
    left = _column(72, 780, ["We train the encoder with intermediate tasks"] + _filler(6, 40)) + [
        (72, 685, "(", 10.9, BODY), (76, 692, "→", 10.9, BODY), (78, 685, "h 1,...,", 10.9, BODY),
        (113, 685, "h m). The hidden states", 10.9, BODY), (160, 692, "→", 10.9, BODY),
        (162, 685, "h j and", 10.9, BODY), (200, 692, "←", 10.9, BODY), (202, 685, "h j are", 10.9, BODY)] + _column(
        72, 671, ["concatenated into one vector."] + _filler(5, 50) + ["and the column ends."])
    right = _column(307, 780, _filler(8, 60) + ["and this column ends too."])
    first = _column(72, 800, ["1 Introduction"], 12.0, BOLD) + _column(72, 780, _filler(8, 20)) + _column(
        307, 780, _filler(8, 30) + ["and the page ends."])
    parsed = parse_pages([_page(1, first), _page(2, left + right)])
    assert any("The hidden states" in s.text and "h j and" in s.text and "h j are concatenated" in s.text
               for s in parsed.sentences)


def test_large_plot_labels_are_figure_text_but_a_large_heading_is_not():
    left = _column(72, 780, ["We train the encoder with intermediate tasks"] + _filler(6, 70)
                   + ["and the paragraph ends here."]) + _column(100, 600, ["SQuALITY", "Fraction of units"], 16.0)
    right = _column(307, 780, ["References"], 14.0) + _column(307, 760, [
        "Ada Example. 2020. A paper about intermediate tasks. In Proceedings of ACL."] + _filler(5, 80))
    first = _column(72, 800, ["1 Introduction"], 12.0, BOLD) + _column(72, 780, _filler(8, 20)) + _column(
        307, 780, _filler(8, 30) + ["and the page ends."])
    parsed = parse_pages([_page(1, first), _page(2, left + right)])
    assert not [s.text for s in parsed.sentences if "SQuALITY" in s.text or "Fraction of units" in s.text]
    assert [s.title for s in parsed.sections][-1] == "References"
