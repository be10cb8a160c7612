"""Tables read cell by cell from real PDFs (dev-split papers of ../shared/corpus; skipped when absent), the cell
grammar, the gold score on the dev split, and `synth library tables`."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from tests.cli_harness import make_cli
from tests.conftest import DATA, SHARED

from synth.papers.parse.table_cells import cell_values, split_marks

CORPUS = SHARED / "corpus"


def test_cell_grammar():
    assert cell_values("86.5/89.4") == [86.5, 89.4]
    assert cell_values("+ 1.1") == [1.1] and cell_values("- 0.8") == [-0.8] and cell_values("−0.8") == [-0.8]
    assert cell_values("300K") == [300000] and cell_values("1 750 000") == [1750000]
    assert cell_values("100 m") == [100_000_000] and cell_values("15.7k") == [15700]
    assert cell_values("5.8 ± 0.3") == [5.8, 0.3] and cell_values("45.3%") == [45.3]
    assert cell_values("12,345") == [12345] and cell_values("1e-8") == [1e-8]
    assert cell_values("5 × 10-4") == [0.0005] and cell_values("3.2×10−6∗") == [3.2e-06]  # a raised exponent
    assert cell_values("1K – 20K") == [1000, 20000] and cell_values("5% - 10%") == [5, 10]  # ranges
    assert cell_values("90.1 / -") == [90.1]
    for empty in ("-", "–", "—", "", "N/A", "Mixed"):
        assert cell_values(empty) == []
    for name in ("R10@1", "S-2007", "BLEU-4", "F1"):  # numbers inside names are not values
        assert cell_values(name) == []
    assert split_marks("94.01†‡") == ("94.01", ["†", "‡"])


@functools.lru_cache(maxsize=None)
def _tables(paper: str, page: int):
    from synth.papers.parse.table_reader import read_pdf_tables

    pdf = CORPUS / paper
    if not pdf.exists():
        pytest.skip("../shared/corpus is not beside this checkout")
    return {t.label: t for t in read_pdf_tables(pdf, [page])}


def _cell(table, row, *column):
    (cell,) = [c for c in table.cells if c.row == row and c.column == list(column)]
    return cell


def test_spanning_headers_between_vertical_rules_dense_columns_and_dashes():
    table = _tables("D19-1011.pdf", 7)["Table 4"]  # caption above, full width, 12 value columns 2 pt apart
    msn = _cell(table, "MSN", "Douban Corpus", "MAP")  # "Douban Corpus" is centred over 6 columns
    assert (msn.text, msn.values, msn.bold) == ("58.7", [58.7], True)
    assert _cell(table, "TF-IDF (Lowe et al., 2015)", "Ubuntu Corpus", "R10@1").value == 41.0  # subscripts
    dash = _cell(table, "DAM (Zhou et al., 2018c)", "E-commerce Corpus", "R10@5")
    assert (dash.text, dash.value, dash.values) == ("-", None, [])  # kept as an empty cell, nothing shifts
    assert len({c.row for c in table.cells}) == 15


def test_three_level_header_and_header_lines_split_by_a_rule():
    tables = _tables("P18-1161.pdf", 8)
    hits = _cell(tables["Table 5"], "Our + FULL", "SearchQA", "Paragraph Selection", "Hits@5")
    assert hits.value == 75.5
    main = _tables("P18-1161.pdf", 7)["Table 2"]  # a rule between the two header lines, a double rule under
    assert _cell(main, "R3 (Wang et al., 2018a)", "CuratedTREC", "REM").value == 28.4  # superscript in "R³"
    assert _cell(main, "GA (Dhingra et al., 2017a)", "SearchQA", "EM").values == []


def test_outer_labels_centred_in_ruled_blocks_and_counts_with_suffixes():
    table = _tables("P18-1144.pdf", 5)["Table 1"]  # Dataset | Type | Train Dev Test, datasets centred in blocks
    char = [c for c in table.cells if c.row == "Char" and c.column == ["Train"]]
    assert [(c.row_group, c.values) for c in char] == [
        ("OntoNotes", [491900.0]), ("MSRA", [2169900.0]), ("Weibo", [73800.0]), ("resume", [124100.0])]


def test_indented_sub_rows_take_their_parent_as_group():
    table = _tables("P18-1144.pdf", 8)["Table 7"]
    cell = _cell(table, "+char+bichar LSTM", "Overall")
    assert (cell.row_group, cell.value) == ("Word baseline", 52.33)
    assert _cell(table, "Lattice", "Overall").bold


def test_section_rows_group_the_rows_under_them():
    table = _tables("W17-2613.pdf", 6)["Table 2"]  # "En-Fr", "En-Zh", "En-FrZh" centred between rules
    groups = {c.row_group for c in table.cells if c.row == "FULL" and c.column == ["SCWS"]}
    assert groups == {"En-Fr", "En-Zh", "En-FrZh"}


def test_units_printed_apart_and_labels_spanning_columns():
    tables = _tables("P16-1162.pdf", 6)
    assert _cell(tables["Table 1"], "none", "# tokens").values == [100_000_000]  # "100 m"
    syntax = tables["Table 2"]  # the first row's label runs across three columns
    assert _cell(syntax, "syntax-based (Sennrich and Haddow, 2015)", "BLEU", "single").value == 24.4


def test_a_label_printed_around_its_numbers_is_one_row():
    table = _tables("2020.acl-main.54.pdf", 8)["Table 3"]  # "GLAD" above, "(Zhong et al., 2018)" below
    assert _cell(table, "GLAD (Zhong et al., 2018)", "Joint Acc.").value == 35.57


def test_plus_minus_of_a_math_font_mapped_wrong_is_read_as_plus_minus():
    """2020.acl-main.442 p. 8 prints '5.8 ± 1.1' in newtxmath's matha font, which the PDF maps to a breve."""
    table = _tables("2020.acl-main.442.pdf", 8)["Table 4"]
    cell = _cell(table, "#Tests", "Unaided")
    assert cell.text == "5.8 ± 1.1" and cell.values == [5.8, 1.1]


def test_a_table_printed_as_two_halves_side_by_side():
    """P18-1144 p. 6 (Table 3): 'Parameter Value Parameter Value'; the right half's rows continue the left's."""
    table = _tables("P18-1144.pdf", 6)["Table 3"]
    assert {c.row: c.text for c in table.cells if c.column == ["Value"]} == {
        "char emb size": "50", "lattice emb size": "50", "char dropout": "0.5", "LSTM layer": "1",
        "learning rate lr": "0.015", "bigram emb size": "50", "LSTM hidden": "200", "lattice dropout": "0.5",
        "regularization λ": "1e-8", "lr decay": "0.05"}
    assert len({c.row_index for c in table.cells}) == 10


def test_a_sub_row_label_that_runs_into_the_next_column_stays_whole():
    """P18-1144 p. 7 (Table 4): '+char+bichar LSTM' in the second stub column runs past the column's edge."""
    table = _tables("P18-1144.pdf", 7)["Table 4"]
    cell = next(c for c in table.cells if c.row == "+char+bichar LSTM" and c.column == ["P"])
    assert cell.text == "72.63"


def test_a_footnote_number_raised_after_a_label_is_no_part_of_it():
    """P16-1162 p. 6 (Table 1): 'compound splitting⁴' is the row 'compound splitting'."""
    table = _tables("P16-1162.pdf", 6)["Table 1"]
    assert _cell(table, "compound splitting", "# UNK").text == "643"


def test_dev_gold_accuracy_and_recall():
    """The dev split's hand-read cells (a dev number: the reader was developed on these tables)."""
    from synth.papers.parse.table_gold import score_tables
    from synth.papers.parse.table_reader import read_pdf_tables

    if not CORPUS.exists():
        pytest.skip("../shared/corpus is not beside this checkout")
    right = cells = structured = tables = 0
    for path in sorted((DATA / "tables" / "dev").glob("*.yaml")):
        gold = _gold(path)
        s = score_tables(gold, read_pdf_tables(CORPUS / gold.paper, sorted({t.page for t in gold.tables})))
        right, cells = right + s["right"], cells + s["cells"]
        structured, tables = structured + s["structured"], tables + s["tables"]
    assert cells >= 1000 and right / cells >= 0.93
    assert structured / tables >= 0.95


def test_library_tables_command(settings, monkeypatch):
    pdf = CORPUS / "D19-1011.pdf"
    if not pdf.exists():
        pytest.skip("../shared/corpus is not beside this checkout")
    cli = make_cli(settings, monkeypatch)
    assert cli("fetch", str(pdf), "--quiet").exit_code == 0
    (paper,) = json.loads(cli("library", "ls", "--json").stdout)
    listing = json.loads(cli("library", "tables", paper["id"], "--json").stdout)
    assert (listing["paper"], listing["version"]) == (paper["id"], 1)
    table4 = next(t for t in listing["tables"] if t["label"] == "Table 4")
    assert table4["page"] == 7 and table4["caption"].startswith("Experimental results on Ubuntu")
    cell = next(c for c in table4["cells"] if c["row"] == "MSN" and c["column"] == ["Ubuntu Corpus", "R10@1"])
    assert {k: cell[k] for k in ("row_group", "text", "value", "values")} == {
        "row_group": None, "text": "80.0", "value": 80.0, "values": [80.0]}
    text = cli("library", "tables", paper["id"]).stdout
    assert "Table 4 (p. 7): Experimental results on Ubuntu" in text
    assert "[1] Ubuntu Corpus › R10@1" in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_a_table_that_cannot_be_structured_says_why(tmp_path):
    from synth.core.models import TableBlock
    from synth.papers.library.views import TableView, table_lines

    block = TableBlock(label="Table 9", caption="Examples.", page=3, start=0, end=0, raw="x",
                       uncertain=["the rows do not fall into columns (one column of text)"])
    view = TableView(label=block.label, page=block.page, caption=block.caption, cells=[],
                     unstructured="; ".join(block.uncertain))
    assert table_lines(view) == ["Table 9 (p. 3): Examples.",
                                 "  not structured: the rows do not fall into columns (one column of text)"]


@functools.lru_cache(maxsize=None)
def _gold(path: Path):
    """A gold file, loaded and validated once per session (the LaTeX set holds thousands of cells)."""
    from synth.papers.parse.table_gold import load_table_gold

    return load_table_gold(path)


def test_gold_files_load():
    for split in ("dev", "test", "latex"):
        golds = [_gold(p) for p in sorted((DATA / "tables" / split).glob("*.yaml"))]
        assert all(g.split == ("dev" if split == "latex" else split) for g in golds)
        assert sum(len(t.cells) for g in golds for t in g.tables) >= 800
    assert Path(DATA / "corpus" / "split.yaml").exists()


LATEX = DATA / "tables" / "latex"  # LaTeX documents in ML papers' table styles, gold from their sources (dev)


@functools.lru_cache(maxsize=None)
def _latex(doc: str, page: int):
    from synth.papers.parse.table_reader import read_pdf_tables

    return {t.label: t for t in read_pdf_tables(LATEX / f"{doc}.pdf", [page])}


def test_a_narrower_table_under_a_wider_one_keeps_its_own_rules():
    """Table 2 (caption below its body) sits under Table 1 on the same page: its rule chain stops at the wider
    rules of Table 1 instead of reading both as one table."""
    tables = _latex("latex-04", 2)
    second = tables["Table 2"]
    assert not any("Germanic" in c.column for c in second.cells)
    assert _cell(second, "XLM-R", "XQuAD").text == "76.6/60.8"
    # Table 1 (caption above, Table 2 right under it) ends at its bottom rule: none of Table 2's rows
    first = tables["Table 1"]
    assert not first.uncertain and any(
        (c.row, c.row_group, c.column, c.text) == ("mBERT", "Zero-shot", ["Germanic", "de"], "86.9") for c in first.cells)
    assert not {c.row for c in first.cells} & {"+ adapters", "+ prefix", "+ code-switch", "mT5-XL"}


def test_a_header_with_numbers_in_it_ends_at_the_rule_under_it():
    table = _latex("latex-07", 2)["Table 1"]  # columns '125M', '350M', '1.3B' (model sizes), rows of settings
    assert table.uncertain == []
    assert _cell(table, "Verifier learning rate", "125M").values == [1e-4]
    assert {tuple(c.column) for c in table.cells} == {("125M",), ("350M",), ("1.3B",)}


def test_glyphs_tex_sets_apart_are_joined():
    from synth.papers.parse.table_cells import normalise

    assert normalise("Yoru`ba \u0301") == "Yorùbá" and normalise("∆ F1") == "Δ F1"
    assert normalise("a `b") == "a `b"  # a backquote after a space is not an accent
    rows = {c.row for c in _latex("latex-02", 1)["Table 1"].cells}
    assert "Yorùbá" in rows


def test_a_caption_above_a_ruled_table_with_another_table_under_it():
    """latex-03 p. 2: Table 3's caption is above its ruled body, and Table 4's body (with its caption under it)
    follows in the same column with nothing between the two tables' rules. Table 3 ends at its bottom rule."""
    tables = _latex("latex-03", 2)
    rows = {c.row_label for c in tables["Table 3"].cells} | {c.row_group or "" for c in tables["Table 3"].cells}
    assert {"Sentiment", "Retrieval"} <= rows and not rows & {"Arabic", "All"}
    assert {c.row for c in tables["Table 4"].cells} >= {"Arabic", "Chinese", "All"}
    assert not tables["Table 3"].uncertain


def test_a_one_column_table_under_a_full_width_one_stops_at_its_rules():
    """latex-01 p. 3: Table 3 sits in the left column right under the full-width Table 2, whose rules cross the
    column (its column-group rules do not): Table 3 is read alone."""
    table = _latex("latex-01", 3)["Table 3"]
    assert {c.row for c in table.cells} == {"Full model", "w/o attention", "w/o adapters", "w/o language emb.",
                                             "w/ frozen encoder", "+ code-switching"}
    assert _cell(table, "w/o attention", "NER").text == "76.9"


def test_one_sub_header_under_every_header_is_a_level_of_its_own():
    """latex-02 p. 2: 'F1 / EM' under each of SQuAD 1.1, SQuAD 2.0 and NewsQA is a second level (not a wrapped
    'SQuAD 1.1 F1 / EM'); 2020.tacl-1.36's wrapped headers ('Library / Size') are covered by the dev accuracy."""
    table = _latex("latex-02", 2)["Table 3"]
    assert _cell(table, "BERT-base", "SQuAD 2.0", "F1 / EM").text == "76.3 / 73.7*"


def test_one_rule_under_two_headers_names_neither_ones_columns():
    """latex-06 p. 2: one \\cline{3-6} runs under both 'En→Ne' and 'Ne→En'; each header keeps its own two columns."""
    table = _latex("latex-06", 2)["Table 3"]
    assert _cell(table, "+ BT", "Ne→En", "chrF").text == "42.3"


def test_two_captions_above_their_tables_one_under_the_other():
    """latex-18 p. 2 (one-column page): Table 1's caption, its table, then Table 2's caption above Table 2. The
    content between the two captions is Table 1's, since Table 2's caption heads its own table."""
    tables = _latex("latex-18", 2)
    assert {c.row for c in tables["Table 1"].cells} == {"NarrativeQA", "Qasper", "QuALITY", "GovReport", "QMSum",
                                                        "ContractNLI"}
    assert _cell(tables["Table 1"], "Qasper", "#Test").text == "1,451"
    assert "Ours" in {c.row for c in tables["Table 2"].cells}


def test_a_table_right_under_another_caption_is_that_captions():
    """latex-18 p. 3: Table 4's caption has a ruled table on both sides; the one above sits right under Table 3's
    caption (which has no table of its own above it), so it is Table 3's and Table 4 takes the one below."""
    tables = _latex("latex-18", 3)
    assert "PPLM" in {c.row for c in tables["Table 4"].cells}
    assert "Mixup" in {c.row for c in tables["Table 3"].cells}


def test_a_first_column_of_distinct_names_names_its_rows():
    """latex-01 p. 3: 'XNLI | NLI | 15': distinct dataset names name the rows and the task beside them is data;
    W17-2613 p. 5: 'En-Fr | EU proc.' with 'En-Fr' repeating: only the pair names a row (two label columns). The
    header '# langs.', right-aligned over its numbers, names that column only, not the 'Task' column it reaches
    towards."""
    table = _latex("latex-01", 3)["Table 4"]
    assert (_cell(table, "XNLI", "Task").text, _cell(table, "XNLI", "# langs.").text) == ("NLI", "15")
    if CORPUS.exists():
        pair = _cell(_tables("W17-2613.pdf", 5)["Table 1"], "EU proc.", "Lines (M)")
        assert (pair.row_group, pair.text) == ("En-Fr", "≈ 10")


def test_a_table_stretched_across_the_page_keeps_its_label_words_together():
    """latex-08 p. 3: Table 3 is printed wider than its font size (digits 1.4 times their usual width), so the
    space in 'XLM-R base' is wider than a space measured by the font size: measured by the digits it is one."""
    table = _latex("latex-08", 3)["Table 3"]
    assert {"UDPipe 2.0", "XLM-R base", "CharBiaf (ours)"} <= {c.row for c in table.cells}
    assert _cell(table, "UDPipe 2.0", "High-resource", "en").text == "96.3"
    assert all(c.column for c in table.cells)


def test_a_grid_table_with_a_multirow_stub_header_over_a_cline():
    """latex-03 p. 2: Table 5 ('Method' set across two header lines, a \\cline under 'Dev' and 'Test') then
    Table 6 under it after an empty band: Table 5 ends at its own bottom rule."""
    table = _latex("latex-03", 2)["Table 5"]
    assert not table.uncertain
    assert _cell(table, "BM25", "Dev", "R@1").text == "21.4"
    assert _cell(table, "Ours", "Test", "MRR").bold
    assert not {c.row for c in table.cells} & {"Sarcasm", "Label noise"}


def test_a_label_wrapped_inside_its_parenthesis_is_one_row():
    """latex-08 p. 3: 'BiDAF (Seo et al.,' over '2017)' is the row 'BiDAF (Seo et al., 2017)'."""
    table = _latex("latex-08", 3)["Table 6"]
    assert _cell(table, "BiDAF (Seo et al., 2017)", "Dev EM").text == "67.7†"


def test_a_value_set_across_two_columns_does_not_merge_them():
    """Columns come from the x-ranges the body's words cover; one row's value centred across two columns
    ('–' under both) bridges the empty range between them in that row only: the columns stay two."""
    from synth.papers.parse.table_grid import value_columns
    from synth.papers.parse.table_page import Line, TableSettings, Word

    def row(label, *cells):
        words = [Word(label, 10, 40, 0, 8, 8.0)]
        words += [Word(text, x0, x1, 0, 8, 8.0, xscale=1.0) for text, x0, x1 in cells]
        return Line(words)

    body = [row(f"model {k}", ("85.1", 100, 114), ("72.4", 130, 144)) for k in range(5)]
    body.append(row("baseline", ("did not converge", 104, 140)))
    columns = value_columns(body, [], TableSettings())
    assert len(columns) == 3 and columns[1][1] < 120 < columns[2][0]


def test_headers_turned_upright_name_the_columns_under_them():
    """latex-25 p. 2: fifteen language names set with \\rotatebox{90} over narrow columns (turned text reads up
    the page; each glyph used to come out as a word of its own)."""
    table = _latex("latex-25", 2)["Table 1"]
    assert not table.uncertain
    assert (_cell(table, "mBERT", "Arabic").text, _cell(table, "mBERT", "Bulgarian").text) == ("61.0", "69.8")


def test_a_spread_after_its_value_is_one_cell_with_it():
    """latex-22 p. 3: '84.3 (0.2)' (the spread in brackets, a space apart); latex-24 p. 2: '2.1 ±0.1' in a smaller
    font, with labels ('LAS + SpecAug') whose spaces are measured in their own size, not the numbers'."""
    spread = _cell(_latex("latex-22", 3)["Table 4"], "BERT-base", "MNLI-m")
    assert (spread.text, spread.values) == ("84.3 (0.2)", [84.3, 0.2])
    smaller = _cell(_latex("latex-24", 2)["Table 1"], "LAS + SpecAug", "dev", "other")
    assert (smaller.text, smaller.values) == ("6.8 ±0.2", [6.8, 0.2])


def test_sub_headers_repeated_per_block_under_flush_headers():
    """latex-21 p. 1: 'Dev' and 'Test' set flush left over 'EM F1 EM F1' (no cmidrule): each names its block."""
    table = _latex("latex-21", 1)["Table 1"]
    assert _cell(table, "BiDAF-Lite", "Test", "F1").text == "76.1±0.4"
    assert {tuple(c.column) for c in table.cells} == {("Dev", "EM"), ("Dev", "F1"), ("Test", "EM"), ("Test", "F1")}


def test_a_value_set_across_columns_is_each_columns_cell():
    """latex-22 p. 2: 'did not converge' across the three Post-LN columns, under a header line of numbered sizes
    ('6L 12L 24L 6L 12L 24L') that is a header, not a row."""
    table = _latex("latex-22", 2)["Table 2"]
    assert [_cell(table, "Xavier", "Post-LN", depth).text for depth in ("6L", "12L", "24L")] == ["did not converge"] * 3
    assert _cell(table, "Xavier", "Pre-LN", "6L").values == [26.1]
    assert "Init." not in {c.row for c in table.cells}


def test_text_turned_by_sixty_degrees_and_turned_group_labels():
    """latex-27 p. 2: Table 3's headers are set with \\rotatebox{60}: read along their own baseline they name the
    columns their boxes are centred on, and their slanting boxes no longer run the rows and the caption beside
    them together (Table 4's caption, 'Table 3'). Table 4's turned '7B' (shorter than its block of four rows)
    groups every row of its block."""
    tables = _latex("latex-27", 2)
    assert _cell(tables["Table 3"], "Llama-2-7B", "Logic. ded.").text == "46"
    assert tables["Table 4"].caption.startswith("Effect of each training stage")
    assert {c.row_group for c in tables["Table 4"].cells if c.row in ("Base", "+ RL + verifier")} == {"7B", "13B", "34B"}


def test_metrics_under_names_are_a_level_and_settings_keep_their_values():
    """latex-33 p. 2: 'MNLI' over 'Acc', 'QQP' over 'F1' are two levels ('Dev' printed over each of 'EM' and 'F1'
    stays one header: latex-08's 'Dev EM'); latex-32 p. 2: 'beam = 4, β = 0.9' is a row label, values and all."""
    assert _cell(_latex("latex-33", 2)["Table 1"], "Full fine-tuning", "MNLI", "Acc").text == "87.6"
    assert _cell(_latex("latex-08", 3)["Table 6"], "BiDAF (Seo et al., 2017)", "Dev EM").text == "67.7†"
    assert _cell(_latex("latex-32", 2)["Table 3"], "beam = 4, β = 0.9", "WER").text == "8.0"


def test_sub_tables_side_by_side_are_read_one_by_one():
    """latex-34 p. 2: Table 2 holds sub-tables (a) and (b) side by side, each with its own rules and header: each
    is read alone ('(b)' rows are named by their steps, not run into '(a)' rows), their sub-captions left out."""
    table = _latex("latex-34", 2)["Table 2"]
    assert (_cell(table, "128k", "Params").text, _cell(table, "100k", "Dev PPL").text) == ("286M", "5.91")
    assert not any("Vocabulary" in " ".join(c.column) for c in table.cells)


def test_quantities_beside_a_repeated_name_are_data():
    """latex-50 p. 1: 'BERT | 16GB | 110M | 84.1 ...' with BERT on several rows: the amounts of data beside the
    name are cells of the 'Data' column, not a second row label."""
    table = _latex("latex-50", 1)["Table 1"]
    assert sorted(c.text for c in table.cells if c.column == ["Data"])[:3] == ["126GB", "160GB", "160GB"]
    assert {c.row for c in table.cells} == {"BERT", "XLNet", "RoBERTa"}


def test_a_spread_printed_under_its_value_is_one_cell_with_it():
    """latex-45 p. 2: each value has its standard deviation on the line under it ('73.2' over '(0.5)') and the
    model's name is centred between the two lines."""
    table = _latex("latex-45", 2)["Table 4"]
    cell = _cell(table, "BiLSTM", "en")
    assert (cell.text, cell.values) == ("73.2 (0.5)", [73.2, 0.5])
    assert _cell(table, "XLM-R + lexicon", "Avg").text == "79.5 (1.1)"


def test_tight_columns_keep_a_label_with_spaces_whole():
    """latex-46 p. 2: columns set 3 pt apart (closer than an em) and 'XLM-R + adapters' as a row label; a share
    in brackets after a count ('4,400 (33.2%)', latex-51) is one cell."""
    assert _cell(_latex("latex-46", 2)["Table 3"], "XLM-R + adapters", "Zero-shot", "de").text == "66.3"
    interval = _cell(_latex("latex-59", 3)["Table 5"], "QAGS", "95% CI")  # split at its comma: one cell
    assert (interval.text, interval.values) == ("[0.19, 0.28]", [0.19, 0.28])
    share = _cell(_latex("latex-51", 1)["Table 1"], "Train", "OFF")
    assert (share.text, share.values) == ("4,400 (33.2%)", [4400, 33.2])


def test_a_number_in_scientific_notation_is_one_cell():
    """latex-49 p. 2: 'Learning rate  5 × 10-4  1 × 10-3' in a column of whole numbers: the mantissa, the '×' and
    the raised power are one cell and one value."""
    cell = _cell(_latex("latex-49", 2)["Table 4"], "Learning rate", "Base")
    assert cell.values == [0.0005] and cell.text.startswith("5 × 10")


def test_a_sidewaystable_is_read_turned_back_upright():
    """latex-58 p. 3: a sidewaystable (the page's text turned by 90 degrees, caption included) is read as if the
    page were turned; a header of rising sizes ('1K 4K 16K 32K 64K', latex-58 p. 1) names the columns."""
    table = _latex("latex-58", 3)["Table 3"]
    assert _cell(table, "TinyDec-S", "Layers").text == "8" and _cell(table, "OPT-1.3B", "Params").text == "1.3B"
    assert _cell(_latex("latex-58", 1)["Table 2"], "Vanilla", "32K").text == "OOM"
    # turned the other way (\rotatebox{-90}, read top to bottom; source beside the PDF)
    from synth.papers.parse.table_reader import read_pdf_tables

    (turned,) = read_pdf_tables(DATA / "tables" / "turned" / "clockwise.pdf", [1])
    assert (turned.label, _cell(turned, "RoBERTa", "F1").text) == ("Table 1", "82.9")


def test_a_size_after_a_name_under_one_header_is_the_label_and_versioned_names_are_a_header():
    """latex-55 p. 2: 'LLaMA-2 7B' under 'Model' (the size in a column of its own, with no header) is one label;
    latex-53 p. 2: 'SQuAD 2.0 NQ SQuAD 2.0 NQ' is the middle header level, not the first row of numbers."""
    assert _cell(_latex("latex-55", 2)["Table 3"], "LLaMA-2 7B", "Ctx").text == "4K"
    # latex-54 p. 3: labels justified in a p{2.5cm} column ('Multilingual   BERT' over '(cased, 104 langs)')
    assert _cell(_latex("latex-54", 3)["Table 4"], "Multilingual BERT (cased, 104 langs)", "Fixed").text == "27.8"
    assert _cell(_latex("latex-53", 2)["Table 2"], "SpanBERT", "Test", "NQ", "F1").text == "61.5"


def test_two_line_headers_set_around_one_line_headers_are_one_header_each():
    """2020.acl-main.54 p. 6, Table 2: 'Language' over 'Understanding ↑' and 'Response' over 'Appropriateness ↑',
    with 'Success Rate ↑' and 'Turns ↓' centred between the two lines: four columns, one header each."""
    table = _tables("2020.acl-main.54.pdf", 6)["Table 2"]
    assert {tuple(c.column) for c in table.cells if c.row == "1"} >= {
        ("Success Rate ↑",), ("Language Understanding ↑",), ("Response Appropriateness ↑",), ("Turns ↓",)}
    assert _cell(table, "1", "Language Understanding ↑").text == "4.149"
    assert _cell(table, "1", "Turns ↓").text == "19.507"


def test_sentences_wrapped_in_the_cells_of_an_examples_table_are_one_cell():
    """latex-45 p. 3 and latex-48 p. 3: examples numbered '(1)' / '1' whose sentences wrap inside their cells; the
    wrapped lines continue the numbered row's cells (a word broken at the line end is joined)."""
    tweet = _cell(_latex("latex-45", 3)["Table 5"], "(1)", "Tweet").text
    assert tweet == "I can’t believe they cancelled the show after one season, absolutely gutted right now"
    source = _cell(_latex("latex-48", 3)["Table 6"], "1", "Source").text
    assert source == "Die Regierung hat gestern neue Maßnahmen gegen die Wohnungsnot angekündigt."


def test_sizes_in_brackets_under_the_names_are_part_of_the_header():
    """latex-68 p. 2: 'IWSLT14 de-en' over '(160K)' (a \\makecell) is one column's name; the line of sizes is not
    the first body row."""
    table = _latex("latex-68", 2)["Table 1"]
    assert _cell(table, "Transformer (Vaswani et al., 2017)", "IWSLT14 de-en (160K)").values == [34.4]
    assert not any(c.row == "" for c in table.cells)


def test_a_stacked_sub_table_with_its_own_header_names_its_columns():
    """latex-63 p. 2: '(b) F1 by entity length' with 'Model 1 2 3 ≥4' under Table 4's '(a)' part
    ('Model PER LOC ORG MISC'): the repeated header renames the columns of the rows under it."""
    table = _latex("latex-63", 2)["Table 4"]
    group = "(b) F1 by entity length in tokens (WNUT-17 test)"
    assert [(c.row_group, c.text) for c in table.cells if c.row == "BiLSTM-CRF" and c.column == ["≥4"]] == [
        (group, "9.75")]
    assert _cell(table, "BiLSTM-CRF", "PER").text == "95.91"
    assert not any(c.row == "Model" for c in table.cells)


def test_a_raised_letter_after_a_label_is_a_mark():
    """latex-64 p. 1: 'Delex$^{a}$' and 'McProj$^{b}$' are the rows 'Delex' and 'McProj'."""
    rows = {c.row for c in _latex("latex-64", 1)["Table 2"].cells}
    assert {"Delex", "McProj", "Translation"} <= rows and not rows & {"Delexa", "McProjb"}


def test_a_dash_centred_in_a_column_of_values_with_spreads():
    """latex-67 p. 3: '-' in rows that report no dev score does not split '79.8 ± 0.4' into two columns."""
    table = _latex("latex-67", 3)["Table 3"]
    assert _cell(table, "BERT-base (our run)", "UUAS", "Dev").text == "79.8 ± 0.4"
    assert _cell(table, "Linear baseline", "UUAS", "Dev").text == "-"
    assert len(table.header) == 5


def test_the_rows_of_an_examples_table_are_not_running_text():
    """latex-64 p. 3: Table 5's rows are glosses set across the column with its word, label and prediction: the
    table reaches its header instead of stopping at the first row that reads as prose."""
    table = _latex("latex-64", 3)["Table 5"]
    assert _cell(table, "(4)", "Sentence (English gloss)").text == "there is a house big on the hill above the river"
    assert _cell(table, "(1)", "Predicted").text == "nmod"


def test_latex_material_accuracy():
    """Dev numbers: latex-01..08 were studied while writing rules; latex-09..16 were written afterwards and
    only the rules that held on them were kept; latex-17..20, measured only for two rounds, were studied next;
    latex-21..28 and latex-29..36 were measured fresh (0.801 and 0.804 with the reader of their day), then
    studied; latex-37..44 (0.943 fresh) were not studied; latex-45..52, 53..56 and 57..60 (0.858, 0.772, 0.833
    fresh) were studied in round 5; latex-61..68 (0.886 fresh) in round 7 (docs/BENCHMARKS.md)."""
    from synth.papers.parse.table_gold import score_tables
    from synth.papers.parse.table_reader import read_pdf_tables

    def accuracy(names):
        right = cells = 0
        for name in names:
            gold = _gold(LATEX / f"{name}.yaml")
            s = score_tables(gold, read_pdf_tables(LATEX / gold.paper, sorted({t.page for t in gold.tables})))
            right, cells = right + s["right"], cells + s["cells"]
        return right / cells

    assert accuracy([f"latex-{i:02d}" for i in range(9, 17)]) >= 0.90
    assert accuracy([f"latex-{i:02d}" for i in range(1, 9)]) >= 0.93
    assert accuracy([f"latex-{i:02d}" for i in range(17, 21)]) >= 0.88
    assert accuracy([f"latex-{i:02d}" for i in range(21, 29)]) >= 0.95
    assert accuracy([f"latex-{i:02d}" for i in range(29, 37)]) >= 0.87
    assert accuracy([f"latex-{i:02d}" for i in range(37, 45)]) >= 0.92  # measured only: next round's validation
    assert accuracy([f"latex-{i:02d}" for i in range(61, 69)]) >= 0.97  # round 7: 0.886 fresh, studied to 0.980
