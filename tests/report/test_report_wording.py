"""Report wording matches the verdicts (issue 23, part 3): "Verified" counts only supported/replicated claims,
partially supported is its own group, a review's ✓ is not agreement with "partially supported", an absent paper is
"not checked" (not an error), Limitations say what was checked, references carry authors and a year, ids don't
wrap mid-word in HTML, and the study's question comes before the claim tables."""

from __future__ import annotations

from synth.core.models import Claim, ClaimsFile, Origin, PaperMeta, ReportedVerification, Verification
from synth.report.context import build_context
from synth.report.render import render
from synth.report.results import LoadedResults

TEMPLATES = __import__("pathlib").Path(__file__).resolve().parents[2] / "templates"


def _claim(cid: str, label: str | None, reason: str = "ok", *, cites=("2005.13013v2",), review: str | None = None,
           origin: Origin = Origin.extracted) -> Claim:
    data = {"id": cid, "origin": origin, "type": "result", "text": f"Claim {cid} says 1.5 points.", "cites": list(cites)}
    if label is not None:
        data["verification"] = Verification(label=label, reason=reason,
                                            confidence=None if label == "error" else 0.8)
    if review is not None:
        data["origin"] = Origin.imported
        data["reported_verification"] = ReportedVerification(verdict="verified", raw=review)
    return Claim.model_validate(data)


def _context(claims: list[Claim], papers: list[PaperMeta] = ()) -> dict:
    cf = ClaimsFile.model_validate({"study": {"title": "T", "question": "Q?"}, "claims": claims})
    return build_context(cf, papers=list(papers), results=LoadedResults(), languages={},
                         provenance={"synth": "0", "templates": "report.md.j2", "templates_hash": "0",
                                     "claims_file": "claims.yaml", "claims_sha256": "0", "papers": 0,
                                     "papers_hash": "0", "results": 0, "results_hash": "0", "git": [],
                                     "settings": "0"})


def _meta(**kw) -> PaperMeta:
    base = dict(id="2005.13013", version=2, source="arxiv", title="English intermediate-task training",
                sha256="0" * 64, size_bytes=1, fetched_at="2020-01-01T00:00:00+00:00", n_sentences=3)
    return PaperMeta.model_validate({**base, **kw})


def test_verified_counts_only_supported_and_partial_is_its_own_group():
    claims = [_claim("p-c01", "supported"), _claim("p-c02", "partially_supported"),
              _claim("p-c03", "partially_supported"), _claim("p-c04", "replicated")]
    ctx = _context(claims, [_meta()])
    assert [r.id for r in ctx["verified"]] == ["p-c01", "p-c04"]
    assert [r.id for r in ctx["partial"]] == ["p-c02", "p-c03"]


def test_review_tick_is_not_agreement_with_partially_supported():
    claims = [_claim("rev-c01", "partially_supported", review="✓"), _claim("rev-c02", "supported", review="✓")]
    rows = {r.id: r for r in _context(claims, [_meta()])["reviews"][0][1]}
    assert rows["rev-c02"].review.agreement == "agrees"
    assert not rows["rev-c01"].review.agreement.startswith("agrees")
    assert "partly" in rows["rev-c01"].review.agreement


def test_absent_paper_is_not_checked_not_error():
    absent = _claim("p-c01", "error", "2005.13013v2 is not in the library (run: synth fetch 2005.13013v2)")
    broken = _claim("p-c02", "error", "claim is too long (9000 characters, at most 4000)")
    ctx = _context([absent, broken])
    labels = {r.id: r.label for r in ctx["unresolved"]}
    assert labels == {"p-c01": "not_checked", "p-c02": "error"}
    assert dict(ctx["counts"]) == {"not_checked": 1, "error": 1}
    limits = " ".join(ctx["limitations"])
    assert "not checked: the cited paper is not in the library" in limits and "p-c01" in limits


def test_limitations_say_claims_without_source_were_checked_against_the_library():
    searched = _claim("any-c01", "supported", cites=())
    unchecked = _claim("any-c02", "error", "claim cites no source (add source/cites, or use --any-source)", cites=())
    limits = _context([searched, unchecked], [_meta()])["limitations"]
    assert any("checked against the whole library" in line and "any-c01" in line for line in limits)
    assert any("so not checked against a paper" in line and "any-c02" in line and "any-c01" not in line
               for line in limits)
    assert not any("not checkable" in line for line in limits)


def test_references_have_authors_and_year():
    many = _meta(authors=["Jason Phang", "Iacer Calixto", "Phu Mon Htut", "Yada Pruksachatkun"],
                 published="2020-05-26")
    src = _context([_claim("p-c01", "supported")], [many])["sources"][0]
    assert (src.authors, src.year) == ("Jason Phang, Iacer Calixto, Phu Mon Htut et al.", "2020")
    bare = _context([_claim("p-c01", "supported")], [_meta(authors=[], published=None)])["sources"][0]
    assert (bare.authors, bare.year) == ("", "2020")  # the year an arXiv id carries (YYMM)


def _render(ctx: dict, fmt: str, tmp_path) -> str:
    from synth.core.settings import Settings
    from synth.report.synthesis import synthesis_context

    cf = ClaimsFile.model_validate({"study": {"title": "T", "question": "Q?"}, "claims": []})
    settings = Settings(home=tmp_path / "library", claims=tmp_path / "claims.yaml", runs=tmp_path / "runs",
                        reports=tmp_path / "reports", cache=tmp_path / "cache")
    ctx = {**ctx, **synthesis_context(cf, settings, []), "question_sweeps": [], "question_notes": [], "verdict_figure": None,
           "figure_src": lambda f: f.file}
    return render(ctx, templates=TEMPLATES, fmt=fmt)


def test_rendered_wording(tmp_path):
    claims = [_claim("2005.13013-c01", "supported"), _claim("2005.13013-c02", "partially_supported"),
              _claim("2402.00002-c01", "error", "2402.00002v1 is not in the library (run: synth fetch 2402.00002v1)",
                     cites=("2402.00002v1",))]
    ctx = _context(claims, [_meta(authors=[], published=None)])
    md, html = _render(ctx, "md", tmp_path), _render(ctx, "html", tmp_path)
    assert "### Verified claims (1)" in md and "### Partially supported claims (1)" in md
    assert "⏸️ not checked" in md and "💥 error" not in md
    assert "No author names were found in the PDF." in md and "unknown authors" not in md
    assert "*English intermediate-task training* (2020)." in md
    assert 'code class="id"' in html and "word-break: break-all" not in html
