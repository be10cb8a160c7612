"""Parsing PDFs that synth.demo.pdfgen draws: two columns, hyphenation, ligatures, a table, headers and footers."""

from __future__ import annotations

import re
import unicodedata

import pypdf

from synth.demo.pdfgen import unicode_font_paths

from .conftest import STILTS_NUMBERS


def _all_text(parsed) -> str:
    return "\n".join(p.text for p in parsed.pages)


def test_offsets_invariant_and_indices(parsed_stilts, parsed_hyphen):
    for parsed in (parsed_stilts, parsed_hyphen):
        pages = {p.page: p for p in parsed.pages}
        for i, s in enumerate(parsed.sentences):
            assert s.idx == i
            assert s.text == pages[s.page].text[s.start:s.end]
            assert s.text == s.text.strip() and s.text


def test_parser_name(parsed_stilts):
    assert re.fullmatch(r"pypdf-\d+\.\d+\.\d+\+synth-\d+\+pdfplumber", parsed_stilts.parser)


def test_sections_and_paths(parsed_stilts):
    got = [(s.number, s.title, s.level, s.kind) for s in parsed_stilts.sections]
    assert got == [
        (None, "Abstract", 1, "front"),
        ("1", "Introduction", 1, "body"),
        ("2", "Method", 1, "body"),
        ("2.1", "Languages and Evaluation", 2, "body"),
        ("3", "Results", 1, "body"),
        ("4", "Conclusion", 1, "body"),
        (None, "References", 1, "references"),
        ("A", "Training Details", 1, "appendix"),
    ]
    sub = next(s for s in parsed_stilts.sections if s.number == "2.1")
    assert sub.path == ["2 Method", "2.1 Languages and Evaluation"]
    page = parsed_stilts.pages[sub.page - 1]
    assert page.text[sub.start:].startswith("2.1 Languages and Evaluation")


def test_headers_footers_removed_and_printed_numbers(parsed_stilts):
    assert len(parsed_stilts.pages) >= 2
    for page in parsed_stilts.pages:
        assert page.printed_number == str(page.page)
        assert "X-STILTs study (version 1)" in page.removed_lines
        assert "X-STILTs study" not in page.text
    for s in parsed_stilts.sentences:
        assert "X-STILTs study (version" not in s.text


def test_numbers_appear_in_abstract_and_results(parsed_stilts):
    avg = {k: round(sum(v.values()) / len(v), 1) for k, v in STILTS_NUMBERS.items()}
    abstract = [s.text for s in parsed_stilts.sentences if s.section == ["Abstract"]]
    assert any(f"from {avg['baseline']:.1f} to {avg['MNLI']:.1f}" in s for s in abstract)
    results = [s for s in parsed_stilts.sentences if s.section == ["3 Results"] and s.kind == "body"]
    assert any(f"the average accuracy is {avg['SQuAD']:.1f}" in s.text for s in results)


def test_table_cells_match_the_spec(parsed_stilts):
    (table,) = parsed_stilts.tables
    assert table.label == "Table 1"
    assert table.caption.startswith("Zero-shot XNLI accuracy (%) per language")
    assert table.header == ["Intermediate", "en", "de", "sw", "ur", "Avg"]
    cells = {(c.row, c.column_label): c.value for c in table.cells}
    for row, values in STILTS_NUMBERS.items():
        for lang, value in values.items():
            assert cells[(row, lang)] == value
    page = parsed_stilts.pages[table.page - 1]
    assert page.text[table.start:table.end] == table.raw
    # table rows are not sentences; the caption is one, with kind "caption"
    assert not any("80.1 71.2" in s.text for s in parsed_stilts.sentences)
    caption = [s for s in parsed_stilts.sentences if s.kind == "caption"]
    assert caption and caption[0].text.startswith("Table 1: Zero-shot XNLI")


def test_references_kept_apart(parsed_stilts):
    refs = [s for s in parsed_stilts.sentences if s.kind == "references"]
    assert refs and all(s.section == ["References"] for s in refs)
    assert refs[0].text.startswith("Alexis Conneau, Kartikay Khandelwal")
    assert refs[0].text.endswith("pages 8440-8451.")
    assert not any(s.kind == "body" and "Kartikay" in s.text for s in parsed_stilts.sentences)
    appendix = [s for s in parsed_stilts.sentences if s.section == ["A Training Details"]]
    assert appendix and appendix[0].kind == "body"


def test_front_matter(parsed_stilts):
    front = [s for s in parsed_stilts.sentences if s.kind == "front"]
    assert any("Ada Example" in s.text for s in front)
    assert all(s.section == [] for s in front)


def test_no_ligatures_left(parsed_hyphen, hyphen_pdf):
    raw = "".join(p.extract_text() for p in pypdf.PdfReader(hyphen_pdf).pages)
    if unicode_font_paths() is not None:
        assert "\ufb01" in raw  # the generator really drew ligature glyphs
    text = _all_text(parsed_hyphen)
    assert not any(ch in text for ch in "\ufb00\ufb01\ufb02\ufb03\ufb04")
    assert "efficient" in text and "fine-grained" in text


def test_every_line_break_hyphen_resolved_as_in_the_source(parsed_hyphen, hyphen_pdf):
    """Each hyphen pypdf shows at a line end is either a real one (kept) or typesetting (joined)."""
    from .conftest import HYPHEN_PARAGRAPH

    source = HYPHEN_PARAGRAPH.lower()
    raw = unicodedata.normalize("NFKC", "\n".join(p.extract_text() for p in pypdf.PdfReader(hyphen_pdf).pages))
    breaks = re.findall(r"([A-Za-z]+)-\n([a-z]+)", raw)
    assert len(breaks) >= 10
    text = _all_text(parsed_hyphen).lower()
    kinds = set()
    for left, right in breaks:
        left, right = left.lower(), right.lower()
        if f"{left}-{right}" in source:
            kinds.add("real")
            assert f"{left}-{right}" in text
        elif f"{left}{right}" in source:
            kinds.add("typeset")
            assert f"{left}{right}" in text
    assert kinds == {"real", "typeset"}  # the fixture exercises both cases
    for word in ("zero-shot", "cross-lingual", "xlm-r", "stilts-style", "well-trained", "representation"):
        assert word in text
    assert not re.search(r"[a-z]- [a-z]", text)  # no hyphen left dangling before a space


def test_two_columns_do_not_glue_sentences(parsed_hyphen):
    pages = {p.page: p.text for p in parsed_hyphen.pages}
    for s in parsed_hyphen.sentences:
        if s.kind != "body":
            continue
        # Every body sentence is a whole sentence of the source, except where a page break cuts one
        # (sentences never span pages: their offsets index one page's text).
        assert s.text.endswith((".", ").")) or s.end == len(pages[s.page])
        assert s.text.count("Zero-shot cross-lingual transfer") <= 1
    starts = [s.text for s in parsed_hyphen.sentences if s.text.startswith("Fig. 2")]
    assert starts and all(s == "Fig. 2 shows the effect." for s in starts)


def test_one_column_layout(tmp_path):
    from synth.papers.parse import parse_pdf
    from synth.demo.pdfgen import render_pdf

    from .conftest import hyphen_spec

    parsed = parse_pdf(render_pdf(hyphen_spec(two_columns=False), tmp_path / "one.pdf"))
    assert [s.title for s in parsed.sections][:3] == ["Abstract", "Introduction", "Experimental Setup"]
    assert parsed.tables and parsed.tables[0].cells
    assert all(p.printed_number == str(16 + p.page) for p in parsed.pages)


def test_long_paper_round_trip(tmp_path):
    """Every heading, table cell and whole sentence of a generated multi-page paper comes back exactly."""
    from synth.papers.parse import parse_pdf
    from synth.demo.pdfgen import render_pdf
    from synth.demo.papers import long_spec

    spec = long_spec(6, seed=3)
    parsed = parse_pdf(render_pdf(spec, tmp_path / "long.pdf"))
    got = [" ".join(filter(None, (s.number, s.title))) for s in parsed.sections]
    assert got == ["Abstract", *[s.heading for s in spec.sections], "References"]

    source = set()
    for paragraph in [spec.abstract, *(p for s in spec.sections for p in s.paragraphs)]:
        source.update(re.split(r"(?<=[.?]) (?=[A-Z])", paragraph))
    pages = {p.page: p.text for p in parsed.pages}
    body = [s for s in parsed.sentences if s.kind == "body"]
    assert len(body) > 100
    # only a sentence cut by a page break may differ from the source
    assert [s.text for s in body if s.text not in source and s.start != 0 and s.end != len(pages[s.page])] == []

    expected = {t.label: t for s in spec.sections for t in s.tables}
    assert [t.label for t in parsed.tables] == list(expected)
    for table in parsed.tables:
        rows = expected[table.label].rows
        assert {(c.row, c.column_label): c.value for c in table.cells} == {
            (row[0], col): value for row in rows for col, value in zip(expected[table.label].header[1:], row[1:])}


def test_arxiv_stamp_on_page_one_is_furniture(tmp_path):
    from synth.papers.parse import parse_pdf
    from synth.demo.pdfgen import render_pdf
    from synth.demo.papers import stilts_study_spec

    spec = stilts_study_spec(STILTS_NUMBERS, version=2, arxiv_id="2005.13013")
    parsed = parse_pdf(render_pdf(spec, tmp_path / "v2.pdf"))
    assert "arXiv:2005.13013v2 [cs.CL] 6 Jul 2020" in parsed.pages[0].removed_lines
    assert not any("arXiv:2005.13013" in s.text for s in parsed.sentences)
    assert parsed.pages[0].text.startswith("Does English Intermediate-Task Training")
