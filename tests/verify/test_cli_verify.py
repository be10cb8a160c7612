"""`synth verify` end to end: table, --json, --strict, write-back that keeps human edits, review files."""

from __future__ import annotations

import json

CLAIMS_YAML = """\
schema: 1
study:
  question: Does English intermediate-task training help zero-shot transfer?
claims:
# a note a person wrote: keep it
- id: 2101.00001-c01
  text: With MNLI as the intermediate task, the average accuracy is 73.3, 6.3 points above the baseline (67.0).
  origin: manual
  type: comparison   # changed by hand from 'result'
  source: {paper: '2101.00001'}
- id: 2101.00001-c02
  text: With MNLI as the intermediate task, the average accuracy is 74.1, 6.3 points above the baseline (67.0).
  origin: manual
  source: {paper: '2101.00001'}
- id: 2101.00001-c03
  text: The largest gain is on Swahili, with +8.4 points.
  origin: manual
  source: {paper: '2101.00001', version: 1}
"""

REVIEW_MD = """\
# A review

| # | Claim | Source | Verified | Confidence |
|---|-------|--------|----------|------------|
| 1 | With SQuAD as the intermediate task, the average accuracy is 68.6, 1.6 points above the baseline (67.0). | [1] | ✓ | 0.9 |
| 2 | With MNLI as the intermediate task, the average accuracy is 72.5, 5.5 points above the baseline (67.0). | [1] | ✓ | 0.9 |
| 3 | On Swahili, MNLI reaches 69.0 compared with 60.0 for the baseline, the larg | [1] | ✓ | 0.8 |
| 4 | English intermediate-task training gives a 5.4 point improvement over XLM-R Large on XTREME. | [2] | ✓ | 0.9 |

## References

1. Ada Example. 2021. Does English Intermediate-Task Training Help? https://arxiv.org/abs/2101.00001
2. Jason Phang et al. 2020. English intermediate-task training improves zero-shot transfer too. https://arxiv.org/abs/2005.13013
"""


def test_verify_writes_back_and_keeps_human_edits(cli, settings):
    settings.claims.write_text(CLAIMS_YAML, encoding="utf-8")
    run = cli("verify")
    assert run.exit_code == 0, run.stderr
    assert "2101.00001-c02" in run.stdout and "contradicted" in run.stdout
    assert "source says 73.3, claim says 74.1" in run.stdout
    text = settings.claims.read_text(encoding="utf-8")
    assert "# a note a person wrote: keep it" in text and "# changed by hand from 'result'" in text
    from synth.claims import load_claims

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


def test_review_file_end_to_end(cli, settings, tmp_path):
    review = tmp_path / "review.md"
    review.write_text(REVIEW_MD, encoding="utf-8")
    run = cli("--json", "verify", str(review))
    data = json.loads(run.stdout)
    labels = [c["verification"]["label"] for c in data["claims"]]
    assert labels == ["supported", "version_mismatch", "supported", "error"]
    assert data["claims"][2]["verification"]["truncated"] is True
    assert "synth fetch 2005.13013" in data["claims"][3]["verification"]["reason"]
    assert run.exit_code == 1  # one claim could not be checked
    assert not settings.claims.exists()  # a review is verified, not imported
