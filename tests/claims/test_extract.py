"""Extraction on a generated paper and on the real ACL PDF: provenance, selection, quantities, tables, quality."""

from __future__ import annotations

import pytest

from synth.claims.extract import extract_claims, load_pipeline, pipeline_name, section_class
from synth.claims.evaluation import evaluate, totals
from synth.demo.papers import gold_paper_pdf

from .conftest import DATA, NUMBERS, PAPER_ID, add_paper


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline()


def _pages(library, meta):
    return {p.page: p.text for p in library.iter_pages(meta)}


def test_generated_paper_claims_have_exact_provenance(library, nlp):
    meta = library.get(PAPER_ID)
    claims = extract_claims(library, meta, nlp=nlp)
    pages = _pages(library, meta)
    assert claims, "no claims extracted"
    for c in claims:
        s = c.source
        assert (s.paper, s.version) == (PAPER_ID, 1)
        assert pages[s.page][s.start:s.end] == s.quote  # the quote IS the page text
        assert c.text == " ".join(s.quote.split())
        assert 0.5 <= c.score <= 1
    texts = [c.text for c in claims]
    headline = next(c for c in claims if c.text.startswith("Intermediate training on MNLI improves"))
    assert headline.source.section == ["Abstract"]
    assert [(q.text, q.value, q.unit) for q in headline.quantities] == [
        ("73.9", 73.9, "absolute"), ("77.5", 77.5, "absolute"), ("+3.6 points", 3.6, "points")]
    assert headline.entities.tasks == ["MNLI", "XNLI"] and headline.entities.metrics == ["accuracy"]
    assert any(t.startswith("With HellaSwag as the intermediate task") for t in texts)
    # background, method and appendix sentences are not claims
    assert not any("Conneau et al., 2020" in t for t in texts)
    assert not any(t.startswith("We use the same learning rate") for t in texts)
    assert not any("AdamW" in t for t in texts)
    assert [c.id for c in claims] == [f"{PAPER_ID}-c{i:02d}" for i in range(1, len(claims) + 1)]


def test_min_score_filters_candidates(library, nlp):
    meta = library.get(PAPER_ID)
    loose = extract_claims(library, meta, min_score=0.2, nlp=nlp)
    strict = extract_claims(library, meta, min_score=0.9, nlp=nlp)
    assert len(strict) < len(extract_claims(library, meta, nlp=nlp)) < len(loose)
    assert all(c.score >= 0.9 for c in strict)


def test_cited_tables_are_linked_and_their_cells_kept_in_the_library(library, nlp):
    meta = library.get(PAPER_ID)
    # drop the parser's cells to show that extraction restores them from the table's raw text
    stripped = [t.model_copy(update={"cells": []}) for t in library.tables(meta)]
    library.save_tables(meta, stripped)
    claims = extract_claims(library, meta, nlp=nlp)
    citing = [c for c in claims if c.tables]
    assert citing and all(c.tables == ["Table 1"] for c in citing)
    table = next(t for t in library.tables(meta) if t.label == "Table 1")
    cells = {(cell.row, cell.column_label): cell.value for cell in table.cells}
    assert cells[("MNLI", "sw")] == NUMBERS["MNLI"]["sw"]
    assert cells[("baseline", "en")] == NUMBERS["baseline"]["en"]
    assert cells[("HellaSwag", "Avg")] == pytest.approx(sum(NUMBERS["HellaSwag"].values()) / 4, abs=0.05)


def test_section_classes():
    assert section_class(["Abstract"]) == "abstract"
    assert section_class(["5 Related Work"]) == "background"
    assert section_class(["4 User Evaluation", "4.2 User Study: Results"]) == "results"
    assert section_class(["References"]) == "skip"
    assert section_class(["A Training Details"]) == "skip" or section_class(["Appendix A"]) == "skip"
    assert section_class(["6 Conclusion"]) == "conclusion"


def test_classify_text_without_a_pipeline():
    from synth.claims.extract import classify_text

    assert classify_text("but neither consistently outperforms English intermediate training").value == "limitation"
    assert classify_text("MNLI outperforms QQP by 2.1 points on XNLI.").value == "comparison"
    assert classify_text("We use a learning rate of 1e-5 and a batch size of 32.").value == "setup"


def test_blank_pipeline_is_the_fallback(nlp):
    assert "claim_cues" in nlp.pipe_names
    assert pipeline_name(nlp) in ("blank",) or pipeline_name(nlp).startswith("en_core_web_sm")


def test_real_pdf_quotes_are_exact_and_key_results_found(settings, corpus_pdf, nlp):
    from synth.papers.library import Library

    library = Library.open(settings)
    meta = add_paper(library, corpus_pdf, paper_id="2004.04118")
    claims = extract_claims(library, meta, nlp=nlp)
    pages = _pages(library, meta)
    assert len(claims) >= 20
    for c in claims:
        assert pages[c.source.page][c.source.start:c.source.end] == c.source.quote
        assert c.source.section and c.source.section[0] not in ("References", "Acknowledgments")
    texts = " ".join(c.text for c in claims)
    assert "found almost three times as many bugs" in texts
    assert "The failure rate is near 100% for all commercial models" in texts
    assert not any(c.text.startswith("Belinkov and Glass (2019) note") for c in claims)
    library.close()


def test_labelled_set_meets_the_quality_targets(nlp):
    """Issue 12: key-claim recall and precision ≥ 0.85 on each real paper (CheckList was used to tune the rule
    weights; BPE was not); the generated papers beside them; quantities and their metrics."""
    scores = evaluate(DATA / "gold_extract.yaml", nlp=nlp, pdf_for=gold_paper_pdf)
    names = {s.name for s in scores}
    assert {"stilts-generated", "volume-generated"} <= names
    t = totals(scores)
    assert t["quantity_recall"] >= 0.9 and t["quantity_precision"] >= 0.9, t
    assert t["measures_accuracy"] >= 0.8, t
    for s in scores:
        assert s.recall >= 0.85 and s.precision >= 0.85, (s.name, s.recall, s.precision, s.missed,
                                                          s.false_positives)
        if s.name in ("checklist-acl2020", "bpe-acl2016"):
            assert s.ranking_auc is not None and s.ranking_auc >= 0.85, (s.name, s.ranking_auc)


def _sentence(text, section, kind="body", idx=0):
    from synth.core.models import Sentence

    return Sentence(idx=idx, page=1, start=0, end=len(text), text=text, section=section, kind=kind)


def test_results_rank_above_pointers_setup_and_source_notes(nlp):
    from synth.claims.extract import is_claim, score_sentences
    from synth.core.models import ClaimType

    intro = ["1 Introduction"]
    cands = score_sentences([
        _sentence("BERT advances the state of the art for eleven NLP tasks.", intro, idx=0),
        _sentence("Comprehensive ablation studies can be found in Appendix C.", intro, idx=1),
        _sentence("We present the results in Table 4.", ["4 Results"], idx=2),
        _sentence("We use a learning rate of 2e-5 and a batch size of 32 for all runs.", ["4 Results"], idx=3),
        _sentence("From 11/2019, but obtained similar results from 04/2020.", ["3 Results"], "footnote", 4),
    ], nlp)
    result, appendix, table, setup, note = cands
    assert result.score > 0.5 and is_claim(result)
    assert all(result.score > c.score for c in (appendix, table, setup, note))
    assert not any(is_claim(c) for c in (appendix, table, note))
    assert setup.type == ClaimType.setup and not is_claim(setup, 0.0) and is_claim(setup, 0.0, include_setup=True)


def test_metric_from_the_cited_tables_header_or_caption(library, nlp):
    from synth.claims.tables import measures_from_tables
    from synth.core.models import Quantity

    tables = library.tables(library.get(PAPER_ID))
    q = [Quantity(text=f"{NUMBERS['MNLI']['sw']}", value=NUMBERS["MNLI"]["sw"]),
         Quantity(text="1.0", value=1.0), Quantity(text="70.4", value=70.4, measures="F1")]
    measures_from_tables(q, ["Table 1"], tables)
    assert [x.measures for x in q] == ["accuracy", None, "F1"]  # caption 'XNLI accuracy (%)'; no cell; kept


def test_the_preprint_stand_in_results_section_is_extracted(nlp, tmp_path):
    """Issue 23: the newcomer's preprint (a stand-in with its layout: a lone 'Appendix.' line before 3.2 Results,
    Figure 1 labels in body type) — results filed under 3.2 Results, figure text out of sentences, and the
    held-out extraction recall at least 26 of its 30 key claims."""
    from synth.demo.preprint import render_preprint
    from synth.papers.parse import parse_pdf

    parsed = parse_pdf(render_preprint(tmp_path / "preprint.pdf"))
    assert not [s for s in parsed.sections if s.kind == "appendix" and s.number != "A"]
    results = [s for s in parsed.sentences if s.section[-1:] == ["3.2 Results"]]
    assert len(results) >= 20
    assert not [s.text for s in parsed.sentences if "Zero-shot evaluation" in s.text or "DE ZH SW" in s.text]
    (score,) = evaluate(DATA / "gold_extract.yaml", nlp=nlp,
                        pdf_for=lambda p, work: gold_paper_pdf(p, work) if p.name == "xstilts-preprint" else None)
    assert score.key == 30 and score.key_found >= 26, score.missed
