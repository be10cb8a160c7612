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


def test_a_pasted_document_in_a_claim_cell_is_skipped_with_its_line(tmp_path):
    path = tmp_path / "r.md"
    path.write_text("| Claim | Verified |\n|---|---|\n| " + "word 1.5 " * 100_000 + " | ✓ |\n"
                    "| MNLI improves XNLI by 2.1 points. | ✓ |\n")
    review = import_review(path, library=None)
    assert [c.text for c in review.claims] == ["MNLI improves XNLI by 2.1 points."]
    assert any(w.startswith(f"{path}:3: claim cell of 899,999 characters skipped") for w in review.warnings)


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


# ------------------------------------------------------------------ references to papers held as local PDFs

LOCAL_NUMBERS = {"baseline": {"en": 80.0, "sw": 60.0}, "MNLI": {"en": 84.0, "sw": 67.5}}


@pytest.fixture(scope="module")
def local_library(tmp_path_factory):
    """Three local PDFs: one with arXiv's margin stamp, one named by its arXiv id, one with only a title."""
    from synth.core.settings import Settings
    from synth.demo.papers import stilts_study_spec
    from synth.demo.pdfgen import render_pdf
    from synth.papers.library import Library
    from synth.papers.sources.local import local_meta

    root = tmp_path_factory.mktemp("local-refs")
    settings = Settings(home=root / "library")
    library = Library.open(settings)
    specs = {
        "stamped.pdf": stilts_study_spec(LOCAL_NUMBERS, 2, arxiv_id="2101.00007",
                                         title="Stamped Paper About Intermediate Training"),
        "2101.00008v1.pdf": stilts_study_spec(LOCAL_NUMBERS, 1, title="Paper Named After Its Identifier"),
        "titled.pdf": stilts_study_spec(LOCAL_NUMBERS, 1, title="A Long Enough Title For Matching References"),
    }
    ids = {}
    for name, spec in specs.items():
        pdf = render_pdf(spec, root / name)
        ids[name] = library.add_pdf(pdf, local_meta(pdf, settings)).id
    library.close()
    return Library(root / "library"), ids


def _review(tmp_path, rows: list[tuple[str, str]], refs: list[str]) -> "Path":
    table = "\n".join(f"| {claim} | {source} |" for claim, source in rows)
    listing = "\n".join(f"{i}. {ref}" for i, ref in enumerate(refs, 1))
    path = tmp_path / "review.md"
    path.write_text(f"| Claim | Source |\n|---|---|\n{table}\n\n## References\n\n{listing}\n", encoding="utf-8")
    return path


def test_references_resolve_to_local_pdfs(tmp_path, local_library):
    library, ids = local_library
    assert all(i.startswith("local-") for i in ids.values())
    path = _review(tmp_path, [("MNLI helps.", "[1]"), ("MNLI helps a lot.", "[2]"), ("It helps.", "[3]"),
                              ("Not stored.", "[4]"), ("No paper.", "[5]")],
                   ["A. Author. 2021. Stamped paper. https://arxiv.org/abs/2101.00007v2",
                    "B. Author. 2021. arXiv:2101.00008",
                    "C. Author. 2021. A long enough title for matching\n   references. In Proceedings of X.",
                    "D. Author. 2020. Not in the library. https://arxiv.org/abs/2005.13013",
                    "E. Author. 1999. A book with no identifier at all, never fetched."])
    review = import_review(path, library=library)
    cites = [c.cites for c in review.claims]
    # arXiv stamp on page 1 → the local copy (its own version numbering, so no arXiv version)
    assert cites[0] == [ids["stamped.pdf"]]
    assert cites[1] == [ids["2101.00008v1.pdf"]]      # arXiv id in the file name the user gave
    assert cites[2] == [ids["titled.pdf"]]            # title, case and line break aside
    assert cites[3] == ["2005.13013"]                 # not in the library: kept so `synth fetch` can get it
    assert cites[4] == []
    assert any("reference 5 names no arXiv id nor any paper in the library" in w for w in review.warnings)
    # without a library only arXiv ids resolve, as before
    plain = import_review(path, library=None)
    assert [c.cites for c in plain.claims][:2] == [["2101.00007v2"], ["2101.00008"]]


def test_source_cells_name_library_ids_files_and_titles(tmp_path, local_library):
    library, ids = local_library
    path = _review(tmp_path, [("MNLI helps.", ids["titled.pdf"]), ("MNLI helps.", "see ./papers/2101.00008v1.pdf"),
                              ("MNLI helps.", "Stamped Paper About Intermediate Training (2021)"),
                              ("MNLI helps.", "arXiv:2101.00007")], [])
    review = import_review(path, library=library)
    assert [c.cites for c in review.claims] == [[ids["titled.pdf"]], [ids["2101.00008v1.pdf"]],
                                                 [ids["stamped.pdf"]], [ids["stamped.pdf"]]]


def test_active_library_is_used_by_default(tmp_path, settings, local_library):
    import shutil

    library, ids = local_library
    shutil.copytree(library.root, settings.home)
    path = _review(tmp_path, [("MNLI helps.", "[1]")], ["https://arxiv.org/abs/2101.00007"])
    assert import_review(path).claims[0].cites == [ids["stamped.pdf"]]


# ------------------------------------------------------------------------------- hostile reviews (issue 23)

def _write_review(tmp_path, text: str, name: str = "rev.md"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


ROWS = ("| Intermediate training on MNLI improves XNLI accuracy by 2.5 points. | ✓ |\n"
        "| Gains are largest for Swahili, at 4.1 points. | ✓ |\n")
HEADER = "| Claim | Verified |\n|---|---|\n"


def _import(tmp_path, path):
    claims = tmp_path / "claims.yaml"
    doc = load_claims(claims, missing_ok=True)
    stats = doc.add_imported(import_review(path, library=None), path.name)
    save_claims(doc, claims)
    return stats, load_claims(claims)


def test_duplicated_row_is_imported_as_its_own_claim(tmp_path):
    dup = "| Gains are largest for Swahili, at 4.1 points. | ✓ |\n"
    path = _write_review(tmp_path, "# Review\n\n" + HEADER + ROWS + dup)
    review = import_review(path, library=None)
    assert len(review.claims) == 3
    assert any("same claim as line" in w for w in review.warnings)
    stats, doc = _import(tmp_path, path)
    assert len(stats.added) == 3 and [c.id for c in doc.claims] == ["rev-c01", "rev-c02", "rev-c03"]
    stats, doc = _import(tmp_path, path)  # re-import: every row finds its own claim again
    assert stats.added == [] and sorted(stats.unchanged) == ["rev-c01", "rev-c02", "rev-c03"]
    assert len(doc.claims) == 3


def test_row_inserted_before_reimport_is_added_not_dropped(tmp_path):
    path = _write_review(tmp_path, HEADER + ROWS)
    _import(tmp_path, path)
    new_row = "| Intermediate training on QQP hurts Urdu by 1.2 points. | ✗ |\n"
    path.write_text(HEADER + new_row + ROWS, encoding="utf-8")
    stats, doc = _import(tmp_path, path)
    assert stats.added == ["rev-c03"] and sorted(stats.unchanged) == ["rev-c01", "rev-c02"]
    by_id = {c.id: c.text for c in doc.claims}
    assert by_id["rev-c03"].startswith("Intermediate training on QQP")  # ids are never renumbered
    assert by_id["rev-c01"].startswith("Intermediate training on MNLI")


def test_tables_in_code_fences_and_comments_are_not_imported(tmp_path):
    decoy = "| Claim | Verified |\n|---|---|\n| A decoy example claim that is only an example here. | ✓ |\n"
    text = ("# Review\n\n```markdown\n" + decoy + "```\n\n~~~\n" + decoy + "~~~\n\n<!--\n" + decoy + "-->\n\n"
            + HEADER + ROWS)
    review = import_review(_write_review(tmp_path, text), library=None)
    assert [c.text[:12] for c in review.claims] == ["Intermediate", "Gains are la"]


def test_only_table_inside_a_code_block_is_refused_with_the_reason(tmp_path):
    path = _write_review(tmp_path, "```\n" + HEADER + ROWS + "```\n")
    with pytest.raises(ClaimsError, match="inside a code block or an HTML comment"):
        import_review(path, library=None)


def test_results_table_before_the_claims_table_is_left_out(tmp_path):
    results = "| Model | XNLI | Result |\n|---|---|---|\n| XLM-R | 79.2 | 80.1 |\n| mBERT | 65.4 | 66.3 |\n\n"
    review = import_review(_write_review(tmp_path, "# Review\n\n" + results + HEADER + ROWS), library=None)
    assert len(review.claims) == 2 and review.claims[0].text.startswith("Intermediate training on MNLI")
    assert any("not claims: left out" in w for w in review.warnings)


def test_results_column_of_sentences_is_a_claims_table(tmp_path):
    text = "| Results | Source |\n|---|---|\n| MNLI helps low-resource languages the most. | 2005.13013 |\n"
    review = import_review(_write_review(tmp_path, text), library=None)
    assert [c.cites for c in review.claims] == [["2005.13013"]]


def test_two_claims_tables_are_both_imported_in_full(tmp_path):
    second = ("| Finding | Status |\n|---|---|\n| QQP hurts Urdu by 1.2 points. | ✗ |\n"
              "| PAWS-X gains are small, under 1 point. | ~ |\n")
    text = "## Part 1\n\n" + HEADER + ROWS + "\n## Part 2\n\n" + second
    review = import_review(_write_review(tmp_path, text), library=None)
    assert len(review.claims) == 4
    assert [c.reported_verification.verdict for c in review.claims] == ["verified", "verified", "unverified",
                                                                         "partial"]
    assert any("2 claims tables" in w for w in review.warnings)


def test_two_tables_without_a_blank_line_between(tmp_path):
    second = "| Finding | Status |\n|---|---|\n| QQP hurts Urdu by 1.2 points. | ✗ |\n"
    review = import_review(_write_review(tmp_path, HEADER + ROWS + second), library=None)
    assert [c.text[:12] for c in review.claims] == ["Intermediate", "Gains are la", "QQP hurts Ur"]
    assert [c.reported_verification.verdict for c in review.claims] == ["verified", "verified", "unverified"]
