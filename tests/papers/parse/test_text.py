"""Cleaning rules on hand-written page text (no PDF needed): furniture, hyphens, sentences, sections."""

from __future__ import annotations

import pytest

from synth.papers.parse import parse_pages
from synth.papers.parse.pdf import RawPage
from synth.papers.parse.sentences import split_references, split_sentences
from synth.papers.parse.text import Vocabulary, keep_hyphen, normalise


def _sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def test_normalise_ligatures_and_soft_hyphens():
    assert normalise("e\ufb03cient \ufb01ne \ufb02ow o\ufb00 ba\ufb04e") == "efficient fine flow off baffle"
    assert normalise("co\u00adoperate\u00a0now") == "cooperate now"


@pytest.mark.parametrize("before, after, vocab_text, keep", [
    ("eval-", "uated", "", False),                    # typesetting hyphenation
    ("zero-", "shot", "", True),                      # compound-forming first part
    ("cross-", "lingual", "", True),
    ("XLM-", "R", "", True),                          # upper-case continuation
    ("STILTs-", "style", "", True),                   # acronym-like first part
    ("end-to-", "end", "", True),                     # the fragment is already a compound
    ("train-", "validation-test", "", True),          # the continuation is a compound
    ("intermediate-", "task", "intermediate task", True),  # both parts are words of the document
    ("general-", "ization", "general", False),        # word ending, not a word
    ("pre-", "trained", "pretrained", False),         # joined form used elsewhere
    ("pre-", "trained", "pre-trained pretrained", True),  # the hyphenated form used elsewhere wins
    ("multi-", "lingual", "", False),
])
def test_keep_hyphen_rule(before, after, vocab_text, keep):
    vocab = Vocabulary()
    vocab.add(vocab_text)
    assert keep_hyphen(before, after, vocab) is keep


@pytest.mark.parametrize("text, expected", [
    ("Conneau et al. (2020) show this. We agree.", ["Conneau et al. (2020) show this.", "We agree."]),
    ("See Fig. 2 and Tab. 3 for details. Next one.", ["See Fig. 2 and Tab. 3 for details.", "Next one."]),
    ("It reaches 88.2 points, i.e. 3.5 more. Good.", ["It reaches 88.2 points, i.e. 3.5 more.", "Good."]),
    ("We use e.g. XNLI vs. PAWS-X here. Done!", ["We use e.g. XNLI vs. PAWS-X here.", "Done!"]),
    ("This holds (Conneau et al., 2019). Then more.", ["This holds (Conneau et al., 2019).", "Then more."]),
    ("Is it? Yes. “Quoted.” After.", ["Is it?", "Yes.", "“Quoted.”", "After."]),
    ("Samuel R. Bowman wrote it. In Appendix A. We test.", ["Samuel R. Bowman wrote it.", "In Appendix A.",
                                                            "We test."]),
    ("• The first item is here.", ["The first item is here."]),
])
def test_sentence_splitting(text, expected):
    assert _sentences(text) == expected


def test_reference_entries():
    text = ("Boris Beizer. 1995. Black-box Testing: Techniques. John Wiley & Sons, Inc., New York, NY, USA. "
            "Yonatan Belinkov and Yonatan Bisk. 2018. Synthetic and natural noise. In ICLR. "
            "Samuel R. Bowman, Jane Doe, and A. B. Smith. 2019b. Title here. arXiv preprint.")
    entries = [text[a:b] for a, b in split_references(text)]
    assert [e.split(".")[0] for e in entries] == ["Boris Beizer", "Yonatan Belinkov and Yonatan Bisk",
                                                  "Samuel R"]
    assert entries[0].endswith("NY, USA.")


def _page(n: int, body: str) -> RawPage:
    return RawPage(n, f"Journal of Tests, Vol. 3\n{body}\nPage {n + 4}")


def test_headers_footers_page_numbers_and_bullets():
    pages = [
        _page(1, "A Title Line\nAbstract\nWe study things. The results are good.\n1 Introduction\n"
                 "Our main claim is that eval-\nuated systems improve by 2.5 points.\n"
                 "• First bullet item here\n• Second bullet item here"),
        _page(2, "2 Method\nThe method uses zero-\nshot transfer, cf. Sec. 1 for the cross-\nlingual part.\n"
                 "2.1 Data\nWe use the data described above.\nReferences\n"
                 "Ann Author. 2019. A title. In Proc.\nBob Writer and Cy Person. 2020. Other title. In Proc."),
        _page(3, "A Appendix Details\nMore details follow here."),
    ]
    parsed = parse_pages(pages)
    assert [p.printed_number for p in parsed.pages] == ["5", "6", "7"]
    assert all(p.removed_lines == ["Journal of Tests, Vol. 3", f"Page {p.page + 4}"] for p in parsed.pages)
    labels = [(s.number, s.title, s.kind) for s in parsed.sections]
    assert labels == [(None, "Abstract", "front"), ("1", "Introduction", "body"), ("2", "Method", "body"),
                      ("2.1", "Data", "body"), (None, "References", "references"),
                      ("A", "Appendix Details", "appendix")]
    texts = [(s.kind, s.text) for s in parsed.sentences]
    assert ("front", "A Title Line") in texts
    assert ("body", "Our main claim is that evaluated systems improve by 2.5 points.") in texts
    assert ("body", "First bullet item here") in texts and ("body", "Second bullet item here") in texts
    assert ("body", "The method uses zero-shot transfer, cf. Sec. 1 for the cross-lingual part.") in texts
    assert [t for k, t in texts if k == "references"] == ["Ann Author. 2019. A title. In Proc.",
                                                          "Bob Writer and Cy Person. 2020. Other title. In Proc."]
    data = next(s for s in parsed.sentences if s.text.startswith("We use the data"))
    assert data.section == ["2 Method", "2.1 Data"]


def test_numbered_lines_that_break_the_sequence_are_not_headings():
    parsed = parse_pages([RawPage(1, "1 Introduction\nWe report that the gain is\n"
                                     "3 Points Higher Than Before\nin all cases.\n2 Method\nText here.")])
    assert [s.label if hasattr(s, "label") else s.title for s in parsed.sections] == ["Introduction", "Method"]


def test_single_page_without_furniture_keeps_everything():
    parsed = parse_pages([RawPage(1, "Abstract\nOne sentence only.")])
    assert parsed.pages[0].removed_lines == [] and parsed.pages[0].printed_number is None
    assert [s.text for s in parsed.sentences] == ["One sentence only."]
    assert parsed.warnings == ["no References heading found"]


def test_roman_numbered_headings_and_arxiv_stamp():
    text = ("arXiv:2005.13013v2 [cs.CL] 27 May 2020\nAbstract\nWe study it.\nI. INTRODUCTION\nFirst part.\n"
            "II. RELATED WORK\nSecond part.\nIII. METHOD\nThird part.")
    parsed = parse_pages([RawPage(1, text)])
    assert [(s.number, s.title) for s in parsed.sections] == [
        (None, "Abstract"), ("I", "INTRODUCTION"), ("II", "RELATED WORK"), ("III", "METHOD")]
    assert parsed.pages[0].removed_lines == ["arXiv:2005.13013v2 [cs.CL] 27 May 2020"]
    assert [s.text for s in parsed.sentences] == ["We study it.", "First part.", "Second part.", "Third part."]


def test_dash_bullets_versus_dash_continuations():
    text = ("1 Introduction\nUsers wrote many more tests than in the other two conditions\n"
            "– although they could use code, few did.\n- First dash item\n- Second dash item")
    sentences = [s.text for s in parse_pages([RawPage(1, text)]).sentences]
    assert sentences == ["Users wrote many more tests than in the other two conditions – although they could use "
                         "code, few did.", "First dash item", "Second dash item"]


def test_footnotes_are_set_apart_and_the_sentence_they_interrupt_is_joined():
    text = ("1 Introduction\nWe release the tool1 and use it in all our experiments\nwith the default settings\n"
            "1See https://example.org for the code and the data we\nused in every run.\n"
            "and for every model we tested.")
    parsed = parse_pages([RawPage(1, text)])
    got = [(s.kind, s.text) for s in parsed.sentences]
    # plain text has no font sizes: the marker glued to "tool1" cannot be told from a digit of the word
    assert got == [("body", "We release the tool1 and use it in all our experiments with the default settings and "
                            "for every model we tested."),
                   ("footnote", "See https://example.org for the code and the data we used in every run.")]


def test_short_line_ending_in_an_abbreviation_does_not_end_the_paragraph():
    text = ("1 Introduction\nThis long first line of the paragraph is here to set the typical length.\n"
            "As shown by Conneau et al.\n(2020), transfer works. This long line again sets a typical length.\n"
            "Short end.\nNew paragraph here.")
    sentences = [s.text for s in parse_pages([RawPage(1, text)]).sentences]
    assert "As shown by Conneau et al. (2020), transfer works." in sentences
    assert sentences[-2:] == ["Short end.", "New paragraph here."]


def test_random_text_never_breaks_the_offset_invariant():
    import random

    rng = random.Random(11)
    tokens = ["the", "model", "et", "al.", "Fig.", "2", "88.2", "e.g.", "(Conneau", "2019).", "zero-", "shot",
              "eval-", "uated", "XLM-", "R", "•", "–", "Table", "3:", "1", "Introduction", "References", "A", "?",
              "!", "“quoted.”", "ﬁne", "12.5%", "Abstract", "2.1", "Results", "vs.", "i.e.", "\u00ad", "...", "-"]
    pages = []
    for n in range(1, 6):
        lines = [" ".join(rng.choice(tokens) for _ in range(rng.randint(1, 12))) for _ in range(rng.randint(1, 40))]
        pages.append(RawPage(n, "\n".join(lines)))
    parsed = parse_pages(pages)
    texts = {p.page: p.text for p in parsed.pages}
    for s in parsed.sentences:
        assert s.text == texts[s.page][s.start:s.end] and s.text.strip() == s.text
    for t in parsed.tables:
        assert texts[t.page][t.start:t.end] == t.raw
    for sec in parsed.sections:
        assert texts[sec.page][sec.start:].startswith(sec.number or sec.title)


def test_run_in_abstract_heading():
    parsed = parse_pages([RawPage(1, "A Title\nAbstract. We propose a method. It works.\n1 Introduction\nText.")])
    assert [s.title for s in parsed.sections] == ["Abstract", "Introduction"]
    assert [s.text for s in parsed.sentences if s.section == ["Abstract"]] == ["We propose a method.", "It works."]
