"""`synth verify` end to end: table, --json, --strict, write-back that keeps human edits, review files."""

from __future__ import annotations

import json
from pathlib import Path
from tests.conftest import DATA as TESTS_DATA

DATA = TESTS_DATA / "verify"
CLAIMS_YAML = (DATA / "claims.yaml").read_text(encoding="utf-8")  # three claims, a comment and a hand edit


def test_verify_writes_back_and_keeps_human_edits(cli, settings):
    settings.claims.write_text(CLAIMS_YAML, encoding="utf-8")
    run = cli("verify")
    assert run.exit_code == 0, run.stderr
    assert "2101.00001-c02" in run.stdout and "contradicted" in run.stdout
    assert "source says 73.3, claim says 74.1" in run.stdout
    text = settings.claims.read_text(encoding="utf-8")
    assert "# a note a person wrote: keep it" in text and "# changed by hand from 'result'" in text
    from synth.claims.document import load_claims

    doc = load_claims(settings.claims)
    labels = {c.id: c.verification.label for c in doc.claims}
    assert labels == {"2101.00001-c01": "supported", "2101.00001-c02": "contradicted",
                      "2101.00001-c03": "supported"}
    assert doc.get("2101.00001-c01").type.value == "comparison"  # the human edit survived
    assert doc.get("2101.00001-c03").verification.evidence[0].version == 1


def test_strict_exits_1_when_something_is_contradicted(cli, settings):
    settings.claims.write_text(CLAIMS_YAML, encoding="utf-8")
    assert cli("verify", "--strict", "2101.00001-c01").exit_code == 0
    run = cli("verify", "--strict")
    assert run.exit_code == 1
    assert "--strict" in run.stderr and "2101.00001-c02" in run.stderr


def test_json_output_is_only_json(cli, settings):
    settings.claims.write_text(CLAIMS_YAML, encoding="utf-8")
    run = cli("verify", "--json", "--no-write", "2101.00001-c02")
    data = json.loads(run.stdout)
    assert run.exit_code == 0
    assert data["counts"] == {"contradicted": 1} and data["written"] is None
    v = data["claims"][0]["verification"]
    assert v["label"] == "contradicted" and 0 <= v["confidence"] <= 1
    assert v["numbers"][0]["status"] == "conflict" and v["evidence"][0]["page"] == 1
    assert "verification:" not in settings.claims.read_text(encoding="utf-8")  # --no-write


def test_unknown_claim_id_is_a_usage_error(cli, settings):
    settings.claims.write_text(CLAIMS_YAML, encoding="utf-8")
    run = cli("verify", "2101.00001-c99")
    assert run.exit_code == 2 and "no claim with id" in run.stderr


def test_review_file_end_to_end(cli, settings):
    run = cli("--json", "verify", str(DATA / "review.md"))
    data = json.loads(run.stdout)
    labels = [c["verification"]["label"] for c in data["claims"]]
    assert labels == ["supported", "version_mismatch", "supported", "error"]
    assert data["claims"][2]["verification"]["truncated"] is True
    assert "synth fetch 2005.13013" in data["claims"][3]["verification"]["reason"]
    assert run.exit_code == 1  # one claim could not be checked
    assert not settings.claims.exists()  # a review is verified, not imported


def test_edit_made_while_verifying_is_kept(settings, library_dir, monkeypatch):
    """A person edits claims.yaml during the run: their edit wins, that claim's stale verdict is not written."""
    import shutil

    import synth.verify.runner as verify

    shutil.copytree(library_dir, settings.home)
    settings.claims.write_text(CLAIMS_YAML, encoding="utf-8")
    original = verify.verify_claims

    def verify_then_edit(*args, **kwargs):
        out = original(*args, **kwargs)
        text = settings.claims.read_text(encoding="utf-8")
        settings.claims.write_text(text.replace("is 74.1, 6.3 points", "is 73.3, 6.3 points"), encoding="utf-8")
        return out

    monkeypatch.setattr(verify, "verify_claims", verify_then_edit)
    run = verify.verify_claims_file(settings)
    assert run.skipped_edited == ["2101.00001-c02"]
    from synth.claims.document import load_claims

    doc = load_claims(settings.claims)
    assert "73.3" in doc.get("2101.00001-c02").text and doc.get("2101.00001-c02").verification is None
    assert doc.get("2101.00001-c01").verification.label == "supported"


def test_malformed_source_paper_does_not_stop_the_run(cli, settings):
    settings.claims.write_text(CLAIMS_YAML + "- id: bad-c01\n  text: Anything.\n  source: {paper: '../x'}\n",
                               encoding="utf-8")
    run = cli("verify", "--json")
    assert run.exit_code == 1  # a claim could not be checked
    out = {c["id"]: c["verification"] for c in json.loads(run.stdout)["claims"]}
    assert out["bad-c01"]["label"] == "error" and out["bad-c01"]["confidence"] is None
    assert "source.paper '../x' is not a paper id" in out["bad-c01"]["reason"]
    assert out["2101.00001-c02"]["label"] == "contradicted"  # the others were verified
