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
    cells = {(cell.row, cell.column): cell.value for cell in table.cells}
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
    scores = evaluate(DATA / "gold_extract.yaml", nlp=nlp, pdf_for=gold_paper_pdf)
    names = {s.name for s in scores}
    assert {"stilts-generated", "volume-generated"} <= names
    t = totals(scores)
    assert t["recall"] >= 0.8, t
    assert t["precision"] >= 0.6, t
    assert t["quantity_recall"] >= 0.8, t
    for s in scores:
        assert s.recall >= 0.8 and s.precision >= 0.6, (s.name, s.recall, s.precision, s.missed)
