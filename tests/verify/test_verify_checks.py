"""One test per check kind: hand-made claims against generated papers (v1 + v2) in a real library."""

from __future__ import annotations

import pytest

MNLI_V2 = "With MNLI as the intermediate task, the average accuracy is 73.3, 6.3 points above the baseline (67.0)."
MNLI_V1 = "With MNLI as the intermediate task, the average accuracy is 72.5, 5.5 points above the baseline (67.0)."


def _page_text(verifier, evidence) -> str:
    meta = verifier.library.get(f"{evidence.paper}v{evidence.version}")
    return next(p.text for p in verifier.library.iter_pages(meta) if p.page == evidence.page)


def test_verbatim_claim_is_supported_with_exact_provenance(check, verifier):
    v = check(MNLI_V2)
    assert v.label == "supported" and 0.5 < v.confidence <= 1
    ev = v.evidence[0]
    assert (ev.paper, ev.version, ev.section) == ("2101.00001", 2, ["3 Results"])
    assert ev.quote == MNLI_V2
    assert _page_text(verifier, ev)[ev.start:ev.end] == MNLI_V2
    assert [n.status for n in v.numbers] == ["equal", "equal", "equal"]


def test_wrong_number_is_contradicted_naming_both_numbers(check):
    v = check(MNLI_V2.replace("73.3", "74.1"))
    assert v.label == "contradicted"
    assert "source says 73.3, claim says 74.1" in v.reason
    assert [n.status for n in v.numbers].count("conflict") == 1


def test_wrong_entity_is_contradicted_naming_both_words(check):
    v = check(MNLI_V2.replace("MNLI", "QQP"))
    assert v.label == "contradicted"
    assert "source says MNLI, claim says QQP" in v.reason


def test_entity_swap_onto_another_statement_still_contradicts(check):
    v = check(MNLI_V2.replace("MNLI", "SQuAD"))  # SQuAD's own sentence gives 68.6 and 1.6
    assert v.label == "contradicted"
    # either against MNLI's sentence (the same words) or SQuAD's own (other numbers): both sides are named
    assert "source says MNLI, claim says SQuAD" in v.reason or "source says 68.6, claim says 73.3" in v.reason


def test_version_mismatch_reports_both_quotes(check):
    v = check(MNLI_V1)  # v1 numbers, checked against the latest version (v2)
    assert v.label == "version_mismatch"
    assert v.evidence[0].version == 2 and v.evidence[0].quote == MNLI_V2
    assert v.other_versions[0].version == 1 and v.other_versions[0].quote == MNLI_V1
    assert "2101.00001v1" in v.reason and "source says 73.3, claim says 72.5" in v.reason


def test_explicit_version_is_checked(check):
    assert check(MNLI_V1, cites=["2101.00001v1"]).label == "supported"
    v = check(MNLI_V2, cites=["2101.00001v1"])
    assert v.label == "version_mismatch" and v.evidence[0].version == 1 and v.other_versions[0].version == 2


def test_truncated_claim_is_supported_and_marked(check):
    v = check("On Swahili, MNLI reaches 69.0 compared with 60.0 for the baseline, the larg", truncated=True)
    assert v.label == "supported" and v.truncated
    assert v.evidence[0].quote.endswith("the largest per-language gain in our study.")


def test_truncated_mid_number_is_not_a_conflict(check):
    v = check("With MNLI as the intermediate task, the average accuracy is 73.3, 6.3 points above the baseline (6…")
    assert v.label == "supported" and v.truncated


def test_claim_spanning_two_sentences(check):
    v = check("Without intermediate training the average is 67.0. " + MNLI_V2)
    assert v.label == "supported"
    assert v.evidence[0].quote == "Without intermediate training the average is 67.0. " + MNLI_V2


def test_rounded_number_is_supported(check):
    v = check("The largest gain is on Swahili, with +8.4 points.", cites=["2101.00002"])
    assert v.label == "supported"
    assert v.numbers[0].status == "rounded" and v.numbers[0].source == "+8.35 points"


def test_spelled_out_number_and_paraphrase(check):
    v = check("We evaluate on four languages: English, German, Swahili and Urdu.")
    assert v.label == "supported"
    assert v.numbers[0].status == "equal" and v.numbers[0].source == "4"


def test_fraction_vs_percent_scale(check):
    v = check("With SQuAD as the intermediate task, the average accuracy is 0.686.")
    assert v.label == "supported" and v.numbers[0].status == "converted"


def test_extra_unsupported_part_is_partial(check):
    v = check(MNLI_V2.rstrip(".") + ", and Yoruba reaches 91.0.")
    assert v.label == "partially_supported"
    assert "91.0" in v.reason


def test_number_found_only_in_the_table(check):
    v = check("With MNLI as the intermediate task, the average accuracy is 73.3, and English accuracy reaches 85.0.")
    assert v.label == "supported"
    table = [n for n in v.numbers if n.status == "table"]
    assert table and "Table 1 (MNLI, en)" in table[0].note


def test_table_inconsistency_is_flagged(check):
    claim = ("Intermediate training on MNLI improves the average XNLI accuracy from 67.0 to 72.5, a change of "
             "+5.6 points over the baseline without an intermediate task.")
    v = check(claim, cites=["2101.00003"])
    assert v.label == "supported"  # the claim quotes the paper faithfully ...
    assert v.table_note and "+5.6" in v.table_note and "5.5" in v.table_note  # ... which contradicts itself
    assert any(n.status == "table_conflict" for n in v.numbers)


def test_not_in_paper(check):
    v = check("Freezing the embeddings halves the training time on every language.")
    # on the paper's topic, so nothing rules out a reworded statement: an honest 'inconclusive' that names where
    # to read, no probability; never a verdict for or against the claim
    assert v.label in ("not_found", "inconclusive")
    if v.label == "not_found":  # on the topic: the closest passages, said to be only that
        assert not v.evidence or "closest: p. " in v.reason
    else:
        assert v.confidence is None and v.evidence and "read p. " in v.reason
    v = check("Freezing the embeddings halves the training time on every language, 37.5% faster on Swahili.")
    assert v.label == "not_found" and "none of its numbers (37.5%)" in v.reason


@pytest.mark.parametrize("cites", [["2101.00001"], ["2101.00001v1"]])
def test_never_supported_when_numbers_differ(check, verifier, cites):
    """Every number of every numeric sentence shifted: no verdict may be 'supported'."""
    import re

    meta = verifier.library.get(cites[0])
    sentences = [s.text for s in verifier.library.iter_sentences(meta)
                 if s.kind == "body" and re.search(r"\d+\.\d", s.text)]
    assert len(sentences) >= 5
    for text in sentences:
        for m in re.finditer(r"\d+\.\d", text):
            wrong = text[:m.start()] + str(round(float(m.group(0)) + 1.7, 1)) + text[m.end():]
            v = check(wrong, cites=cites)
            assert v.label != "supported", (wrong, v.reason)


def test_contradicted_verdicts_name_the_conflict(check):
    for text in (MNLI_V2.replace("6.3", "7.3"), MNLI_V2.replace("MNLI", "HellaSwag"),
                 "We evaluate on seven languages: English (en), German (de), Swahili (sw), Urdu (ur)."):
        v = check(text)
        assert v.label == "contradicted" and "source says" in v.reason and "claim says" in v.reason


def test_claim_only_the_table_states(check):
    v = check("Intermediate training on MNLI gives 76.2 accuracy on German.", cites=["2101.00001v1"])
    assert v.label == "supported" and "Table 1" in v.reason and "76.2 (MNLI, de)" in v.reason
    assert v.evidence[0].quote.startswith("MNLI 84.4 76.2") and v.numbers[0].status == "table"


def test_claim_the_table_contradicts(check):
    v = check("Intermediate training on MNLI gives 79.9 accuracy on German.", cites=["2101.00001v1"])
    assert v.label == "contradicted" and "source says 76.2, claim says 79.9" in v.reason
