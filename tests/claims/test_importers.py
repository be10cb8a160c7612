"""import-report: markdown/tab claims tables, truncation, reported verdicts, cites; bad reviews."""

from __future__ import annotations

import pytest

from synth.claims.document import load_claims, new_claims_file, save_claims
from synth.core.errors import ClaimsError
from synth.claims.importers import import_review, normalise_verdict, parse_confidence

from .conftest import DATA


def test_pipe_table_review():
    review = import_review(DATA / "review_stilts.md")
    assert review.review_id == "review-stilts"
    assert review.references == ["2101.00001", "2005.13013v2"]
    assert [c.id for c in review.claims] == [f"review-stilts-c0{i}" for i in range(1, 7)]
    c = {c.id[-3:]: c for c in review.claims}
    assert all(x.origin.value == "imported" for x in review.claims)
    # verdicts and confidences as the review wrote them
    assert (c["c01"].reported_verification.verdict, c["c01"].reported_verification.raw,
            c["c01"].reported_verification.confidence) == ("verified", "✓", 0.9)
    assert c["c02"].reported_verification.confidence == 0.9        # 'High'
    assert c["c03"].reported_verification.verdict == "unverified"  # '✗'
    assert c["c03"].reported_verification.confidence == 0.4        # '40%'
    assert c["c04"].reported_verification.verdict == "partial"
    assert c["c06"].reported_verification is None                  # empty cells
    # truncated claims: cut mid-word, or ending in an ellipsis (which is dropped from the text)
    assert [x.id[-3:] for x in review.claims if x.truncated] == ["c03", "c04", "c06"]
    assert c["c03"].text.endswith("0.9 points bel")
    assert c["c04"].text.endswith("on XTREME")
    # the wrong number is kept as written so verify can catch it
    assert [(q.value, q.unit) for q in c["c02"].quantities] == [(8.2, "points")]
    # cites: [n] → references, author-year → reference line, arXiv id in the cell
    assert c["c01"].cites == ["2101.00001"]
    assert c["c04"].cites == ["2005.13013v2"]
    assert c["c05"].cites == ["2101.00001v1"]
    assert c["c06"].cites == ["2005.13013v2"]
    assert review.warnings == []
    assert c["c01"].type.value == "comparison"  # 'improves … over the baseline'


def test_tab_separated_review():
    review = import_review(DATA / "review_tabs.md", review_id="Sheet 1")
    assert review.review_id == "sheet-1"
    assert [c.cites for c in review.claims] == [["2101.00001"]] * 3
    assert [c.reported_verification.verdict for c in review.claims] == ["verified", "unverified", "verified"]
    assert [c.truncated for c in review.claims] == [False, False, True]
    assert [q.value for q in review.claims[1].quantities] == [75.9]


def test_reimport_updates_without_duplicates_and_keeps_edits(tmp_path):
    path = tmp_path / "claims.yaml"
    doc = new_claims_file(path=path)
    stats = doc.add_imported(import_review(DATA / "review_stilts.md"), "review_stilts.md")
    assert len(stats.added) == 6
    save_claims(doc)
    path.write_text(path.read_text().replace("with +8.2 points.", "with +6.2 points."))  # a person fixes c02
    doc = load_claims(path)
    stats = doc.add_imported(import_review(DATA / "review_stilts.md"), "review_stilts.md")
    assert stats.added == [] and stats.skipped_edited == ["review-stilts-c02"]
    assert len(stats.unchanged) == 5
    save_claims(doc)
    doc = load_claims(path)
    assert doc.get("review-stilts-c02").text.endswith("+6.2 points.")
    assert doc.data.study.reviews == ["review_stilts.md"]


def test_review_without_claims_table():
    with pytest.raises(ClaimsError, match=r"review_no_table\.md: no claims table found"):
        import_review(DATA / "review_no_table.md")


def test_review_with_empty_table(tmp_path):
    path = tmp_path / "r.md"
    path.write_text("intro\n\n| Claim | Verified |\n|---|---|\n\nno rows\n")
    with pytest.raises(ClaimsError, match=r"r\.md:3: the claims table has no rows"):
        import_review(path)


def test_non_utf8_review(tmp_path):
    path = tmp_path / "r.md"
    path.write_bytes("| Claim | Verified |\n|---|---|\n| Gains of 3 points".encode() + b"\xff |\n")
    with pytest.raises(ClaimsError, match=r"r\.md:3: not UTF-8"):
        import_review(path)


@pytest.mark.parametrize("raw,verdict", [("✓", "verified"), ("Yes", "verified"), ("**Verified**", "verified"),
                                         ("✗", "unverified"), ("Not verified", "unverified"),
                                         ("partly", "partial"), ("?", "unknown"), ("", None)])
def test_normalise_verdict(raw, verdict):
    assert normalise_verdict(raw) == verdict


@pytest.mark.parametrize("raw,value", [("0.85", 0.85), ("85%", 0.85), ("85", 0.85), ("High", 0.9),
                                       ("low", 0.3), ("n/a", None), ("", None), ("150%", None)])
def test_parse_confidence(raw, value):
    assert parse_confidence(raw) == (pytest.approx(value) if value is not None else None)
