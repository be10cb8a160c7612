"""The claims commands through the real entry point: extract, import-report, claims ls/show, --json, errors."""

from __future__ import annotations

from .conftest import DATA, PAPER_ID


def test_extract_then_ls_and_show_json(cli, library, settings):
    run = cli("--json", "extract")
    assert run.exit_code == 0, run.stderr
    report = run.json()
    stats = report["papers"][f"{PAPER_ID}v1"]
    assert stats["added"] == stats["claims"] > 0 and report["pipeline"]
    assert settings.claims.exists()

    listing = cli("--json", "claims", "ls").json()
    assert [c["id"] for c in listing] == stats["added_ids"]
    assert all(c["origin"] == "extracted" and c["source"]["paper"] == PAPER_ID for c in listing)

    shown = cli("--json", "claims", "show", listing[0]["id"])
    assert shown.exit_code == 0 and shown.json()["text"] == listing[0]["text"]

    # re-running is idempotent: nothing added, nothing rewritten
    before = settings.claims.read_text()
    again = cli("--json", "extract", PAPER_ID).json()["papers"][f"{PAPER_ID}v1"]
    assert again["added"] == 0 and again["unchanged"] == stats["claims"]
    assert settings.claims.read_text() == before

    # the study header records the source paper
    assert f"paper: '{PAPER_ID}'" in before and "version: 1" in before


def test_extract_human_output_and_table(cli, library):
    run = cli("extract", "--min-score", "0.6")
    assert run.exit_code == 0 and "added" in run.stderr and run.stdout == ""
    table = cli("claims", "ls", "--type", "comparison")
    assert table.exit_code == 0 and "comparison" in table.stdout and f"{PAPER_ID}-c" in table.stdout
    show = cli("claims", "show", f"{PAPER_ID}-c01")
    assert show.exit_code == 0 and "quote:" in show.stdout and "section:" in show.stdout


def test_extract_unknown_paper_fails_per_item(cli, library):
    run = cli("extract", PAPER_ID, "2999.99999")
    assert run.exit_code == 1
    assert "2999.99999" in run.stderr and "not in the library" in run.stderr
    assert "Traceback" not in run.stderr


def test_extract_refuses_to_overwrite_a_broken_claims_file(cli, library, settings):
    settings.claims.write_text("schema: 1\nclaims:\n  - id: x\n    text: [oops\n")
    run = cli("extract")
    assert run.exit_code == 2
    assert f"{settings.claims}:" in run.stderr and "malformed YAML" in run.stderr
    assert settings.claims.read_text() == "schema: 1\nclaims:\n  - id: x\n    text: [oops\n"


def test_import_report_json_and_ls_filter(cli, settings):
    run = cli("--json", "import-report", str(DATA / "review_stilts.md"))
    assert run.exit_code == 0, run.stderr
    result = run.json()
    assert result["review"] == "review-stilts" and len(result["added"]) == 6
    assert result["truncated"] == ["review-stilts-c03", "review-stilts-c04", "review-stilts-c06"]
    assert result["references"] == ["2101.00001", "2005.13013v2"]
    imported = cli("--json", "claims", "ls", "--origin", "imported", "--paper", "2005.13013").json()
    assert [c["id"] for c in imported] == ["review-stilts-c04", "review-stilts-c06"]
    assert imported[0]["reported_verification"]["verdict"] == "partial"


def test_import_report_without_table_is_a_usage_error(cli, settings):
    run = cli("import-report", str(DATA / "review_no_table.md"))
    assert run.exit_code == 2 and "no claims table found" in run.stderr
    assert not settings.claims.exists()


def test_show_unknown_claim_and_missing_file(cli, settings):
    run = cli("claims", "ls")
    assert run.exit_code == 2 and "no such file" in run.stderr
    cli("import-report", str(DATA / "review_tabs.md"))
    run = cli("claims", "show", "review-tabs-c1")
    assert run.exit_code == 2 and "did you mean review-tabs-c01" in run.stderr


def test_min_score_out_of_range(cli, library):
    run = cli("extract", "--min-score", "3")
    assert run.exit_code == 2 and "--min-score must be between 0 and 1" in run.stderr


def test_claims_check_reports_papers_missing_from_the_library(cli, library, settings):
    cli("extract")
    ok = cli("--json", "claims", "check")
    assert ok.exit_code == 0 and ok.json()["papers"] == [PAPER_ID]
    cli("import-report", str(DATA / "review_stilts.md"))  # cites 2005.13013v2, which is not in the library
    run = cli("claims", "check")
    assert run.exit_code == 2
    assert "points at paper 2005.13013v2, which is not in the library" in run.stderr
    assert f"{settings.claims}:" in run.stderr
