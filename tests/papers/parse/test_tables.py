"""Numeric tables from text lines: raw blocks always, cells when the grid is regular."""

from __future__ import annotations

from synth.papers.parse import parse_pages
from synth.papers.parse.pdf import RawPage
from synth.papers.parse.tables import is_numeric_row, to_float


def test_numeric_rows():
    assert is_numeric_row("XLM-R 79.2 82.1 75.0")
    assert is_numeric_row("mBERT (ours) 65.4 70.1")
    assert is_numeric_row("Avg 1.5% −2.0 (3.1)")
    assert not is_numeric_row("the gain rose from 70.5 to 73.4 in total")
    assert not is_numeric_row("In 2019 and 2020")
    assert to_float("−2.0") == -2.0 and to_float("(3.1)") == 3.1 and to_float("45.2%") == 45.2


def test_regular_table_with_caption_below():
    text = ("1 Results\nWe report results below.\nModel en de Avg\nBaseline 80.0 70.5 75.3\n"
            "STILTs 82.5 73.0 77.8\nTable 2: Accuracy per language. Higher is better.\nMore body text follows.")
    parsed = parse_pages([RawPage(1, text)])
    (table,) = parsed.tables
    assert (table.label, table.caption) == ("Table 2", "Accuracy per language. Higher is better.")
    assert table.header == ["Model", "en", "de", "Avg"]
    assert table.raw == "Model en de Avg\nBaseline 80.0 70.5 75.3\nSTILTs 82.5 73.0 77.8"
    assert parsed.pages[0].text[table.start:table.end] == table.raw
    cells = {(c.row, c.column_label): c.value for c in table.cells}
    assert cells == {("Baseline", "en"): 80.0, ("Baseline", "de"): 70.5, ("Baseline", "Avg"): 75.3,
                     ("STILTs", "en"): 82.5, ("STILTs", "de"): 73.0, ("STILTs", "Avg"): 77.8}
    captions = [s.text for s in parsed.sentences if s.kind == "caption"]
    assert captions == ["Table 2: Accuracy per language.", "Higher is better."]
    assert "More body text follows." in [s.text for s in parsed.sentences if s.kind == "body"]


def test_irregular_table_keeps_raw_only():
    text = "1 Results\nTable 3: Odd grid.\nA 1.0 2.0 3.0\nB 4.0 5.0\nC 6.0 7.0 8.0 9.0"
    (table,) = parse_pages([RawPage(1, text)]).tables
    assert table.label == "Table 3" and table.cells == []
    assert table.raw == "A 1.0 2.0 3.0\nB 4.0 5.0\nC 6.0 7.0 8.0 9.0"
