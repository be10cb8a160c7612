"""Cross-paper synthesis on three generated papers run through the real pipeline (render → parse → library →
extract): the same measurement grouped across papers, the planted conflict flagged, rounding respected, averages
over different languages kept apart, gaps, relevance to the question; plus the comparison rule on its own."""

from __future__ import annotations

import pytest

from synth.claims.measurements import Measurement, classify_label, clauses
from synth.claims.relevance import lexical_similarities
from synth.claims.synthesis import compare, synthesize
from tests.claims.synthesis_study import build_study


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    from synth.claims.document import load_claims
    from synth.papers.library import Library

    settings = build_study(tmp_path_factory.mktemp("synthesis"))
    cf = load_claims(settings.claims).data
    with Library.open(settings) as lib:
        papers = lib.papers()
        tables = {m.key: lib.tables(m) for m in papers}
    return cf, papers, tables


@pytest.fixture(scope="module")
def synthesis(study):
    cf, papers, tables = study
    return synthesize(cf, papers, tables, use_embeddings=False)


def _group(syn, **dims):
    found = [g for g in syn.groups if all(getattr(g, k) == v for k, v in dims.items())]
    assert len(found) == 1, (dims, [(g.language, g.setting, g.kind) for g in syn.groups])
    return found[0]


def test_same_measurement_is_grouped_across_papers(synthesis):
    g = _group(synthesis, language="de", setting="baseline", kind="value")
    assert (g.task, g.metric, g.condition) == ("XNLI", "accuracy", "zero-shot")
    assert [(v.paper, v.text) for v in g.values] == [("2101.00001", "78.4"), ("2101.00002", "78.42"),
                                                     ("2101.00003", "78.4")]
    assert g.status == "agree" and g.papers == 3
    # the quote is the table row as printed, and where it is
    a = g.values[0]
    assert a.quote.startswith("baseline 78.4") and "Table 1" in a.where and "row “baseline”" in a.where
    assert a.title == "Intermediate-Task Training for Zero-Shot Transfer" and (a.table, a.page) == ("Table 1", 1)


def test_planted_conflict_is_flagged_with_the_numbers(synthesis):
    g = _group(synthesis, language="sw", setting="baseline", kind="value")
    assert g.status == "conflict"
    assert "2101.00001 66.1 vs 2101.00003 70.3: differ by 4.2, beyond rounding (±0.1)" in g.note
    assert "2101.00001 66.1 vs 2101.00002 66.08" not in g.note  # A and B agree within rounding
    assert synthesis.conflicts == [g]
    assert synthesis.groups[0] is g or synthesis.groups[0] == g  # conflicts come first


def test_rounding_and_averages_over_other_languages(synthesis):
    mnli_sw = _group(synthesis, language="sw", setting="MNLI", kind="value")
    assert mnli_sw.status == "agree" and [v.text for v in mnli_sw.values] == ["68.0", "67.97", "68.0"]
    avg = _group(synthesis, language="average of de, sw, ur", setting="MNLI", kind="value")
    assert {v.paper for v in avg.values} == {"2101.00001", "2101.00002"}  # C averages over de, sw, yo
    assert not [g for g in synthesis.groups if g.language == "average of de, sw, yo"]  # C alone: not a group


def test_claims_are_attached_to_the_cells_they_state(synthesis):
    avg = _group(synthesis, language="average of de, sw, ur", setting="MNLI", kind="value")
    a = next(v for v in avg.values if v.paper == "2101.00001")
    assert a.claims and all(c.startswith("2101.00001-c") for c in a.claims)
    assert a.verdicts == ["not yet verified"] * len(a.claims)
    # a count ("3 languages") is never a score
    assert not [g for g in synthesis.groups if any(v.text == "3" for v in g.values)]


def test_gaps_and_question_entities(synthesis):
    gaps = {g.what: g.reason for g in synthesis.gaps}
    # the tables span QQP and Yoruba, but no table names its model: no grid gap is claimed for an unknown model
    assert not any("QQP" in w for w in gaps)
    assert "language English (en)" in gaps  # the question names English; no table or claim measures it
    assert not any("Swahili" in w for w in gaps)  # measured by three papers


def test_gaps_only_for_fully_known_combinations():
    from synth.claims.entities import find_entities
    from synth.claims.synthesis import find_gaps

    def cell(paper, setting, lang, model="XLM-R"):
        return Measurement(paper=paper, task="XNLI", metric="accuracy", model=model, setting=setting, language=lang,
                           value=70.0, text="70.0", origin="table", quote="q", where="w", row=setting, column=[lang])

    known = [cell("a", "MNLI", "sw"), cell("a", "QQP", "sw"), cell("b", "MNLI", "yo")]
    gaps = find_gaps(known, find_entities("Does MNLI help Yoruba?"))
    assert [g.what for g in gaps] == ["XNLI accuracy (XLM-R): QQP on Yoruba (yo)"]
    unknown = [m.model_copy(update={"model": None}) for m in known]
    assert find_gaps(unknown, find_entities("Does MNLI help Yoruba?")) == []
    # an entity a row or column names is measured, even when no dimension was read from it
    assert not find_gaps([cell("a", "base", "sw").model_copy(update={"row": "QQP (Quora)", "setting": None})],
                         find_entities("Does QQP help?"))


def test_relevant_claims_share_entities_or_meaning(synthesis):
    assert synthesis.similarity == "TF-IDF cosine over word stems"
    assert {"MNLI", "XNLI", "accuracy", "sw", "yo", "en"} == set(synthesis.question_entities)
    top = synthesis.relevant[0]
    assert set(top.shared) == {"MNLI", "XNLI", "accuracy"} and top.verdict == "not yet verified"
    assert all(r.shared or r.similarity >= 0.1 for r in synthesis.relevant)
    shared = [len(r.shared) for r in synthesis.relevant]
    assert shared == sorted(shared, reverse=True)


def test_one_version_per_paper(study):
    cf, papers, tables = study
    from synth.core.models import PaperMeta

    v2 = papers[0].model_copy(update={"version": 2})
    syn = synthesize(cf, [*papers, v2], {**tables, v2.key: tables[papers[0].key]}, use_embeddings=False)
    assert syn.papers == ["2101.00001v1", "2101.00002v1", "2101.00003v1"]  # the version the claims cite
    assert isinstance(v2, PaperMeta)


def _m(value, text, decimals, pm=None):
    return Measurement(paper="p", value=value, text=text, decimals=decimals, plus_minus=pm, origin="claim",
                       quote="q", where="w", metric="accuracy")


def test_comparison_rule():
    assert compare(_m(54.2, "54.2", 1), _m(54.17, "54.17", 2))[0]
    assert compare(_m(54.2, "54.2", 1), _m(54.3, "54.3", 1))[0]  # 54.24 and 54.25 print as 54.2 and 54.3
    assert not compare(_m(54.2, "54.2", 1), _m(54.4, "54.4", 1))[0]
    assert compare(_m(54.2, "54.2", 1, pm=0.3), _m(54.6, "54.6", 1))[0]  # within the stated ±
    assert compare(_m(0.542, "0.542", 3), _m(54.2, "54.2", 1))[0]  # a fraction against a percentage
    assert compare(_m(0.85, "0.85", 2), _m(85.3, "85.3", 1))[0]  # 0.85 covers 84.5-85.5: its rounding scales too
    assert not compare(_m(0.85, "0.85", 2), _m(86.1, "86.1", 1))[0]
    ok, diff, tol = compare(_m(66.1, "66.1", 1), _m(70.3, "70.3", 1))
    assert not ok and diff == pytest.approx(4.2) and tol == pytest.approx(0.1)


def test_headers_and_clauses():
    assert classify_label("sw") == ("language", "sw")
    assert classify_label("Avg") == ("language", "average")
    assert classify_label("MNLI") == ("task", "MNLI")
    assert classify_label("none") == ("setting", "baseline")
    assert classify_label("our variant") == ("setting", "our variant")
    from synth.claims.quantities import parse_quantities

    text = "On Swahili, MNLI reaches 68.0 compared with 66.1 for the baseline."
    qs = parse_quantities(text)
    assert [c.strip() for c in clauses(text, qs)] == ["MNLI reaches 68.0 compared with",
                                                      "compared with 66.1 for the baseline."]


def test_lexical_similarity_orders_by_shared_words():
    values = lexical_similarities("intermediate task training for Swahili",
                                  ["intermediate task training helps Swahili", "protein folding", "training"])
    assert values[0] > values[2] > values[1] == 0.0


def test_real_tables_metrics_from_headers_and_stated_plus_minus():
    """Real ACL papers (../shared/corpus): a caption naming three metrics gives none of them to every cell; the
    header that names one does; a cell's printed ± is kept."""
    from tests.conftest import SHARED

    bpe, checklist = SHARED / "corpus" / "P16-1162.pdf", SHARED / "corpus" / "2020.acl-main.442.pdf"
    if not (bpe.exists() and checklist.exists()):
        pytest.skip("../shared/corpus is not beside this checkout")
    from synth.claims.measurements import table_measurements
    from synth.core.models import PaperMeta
    from synth.papers.parse import parse_pdf

    meta = PaperMeta(id="local-000000000001", version=1, source="local", sha256="", size_bytes=0, fetched_at="")
    cells = [m for m in table_measurements(meta, parse_pdf(bpe).tables) if m.table == "Table 2"]
    assert cells and "BLEU" in {m.metric for m in cells}
    for m in cells:  # each cell's metric is the one its column header names, never the caption's first
        column = m.where.split("column “", 1)[1]
        assert (m.metric == "BLEU") == column.startswith("BLEU"), (m.metric, column)
    # '5.8 ± 1.1' is one measurement with its stated ±, not two numbers
    from synth.core.models import TableBlock, TableCell

    texts = ["5.8 ± 1.1", "10.2 ± 1.8", "13.5 ± 3.4"]
    block = TableBlock(label="Table 4", caption="User study results.", page=8, start=0, end=0, raw="",
                       cells=[TableCell(row="#Tests", column=[c], text=t, value=float(t.split()[0]),
                                        values=[float(t.split()[0]), float(t.split()[-1])])
                              for c, t in zip(["Unaided", "Cap. only", "Cap.+templ."], texts)])
    tests_row = table_measurements(meta, [block])
    assert [(m.value, m.plus_minus, m.model) for m in tests_row] == [(5.8, 1.1, "#Tests"), (10.2, 1.8, "#Tests"),
                                                                    (13.5, 3.4, "#Tests")]
