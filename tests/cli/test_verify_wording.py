"""`synth verify` words an absent paper as the report does (issue 23, part 3): "not checked", not "error"; the
JSON keeps the stored label."""

from __future__ import annotations

import json

from synth.claims.document import new_claims_file, save_claims
from synth.core.models import Claim


def test_absent_paper_is_not_checked_in_the_table(cli, settings):
    doc = new_claims_file(title="t", path=settings.claims)
    doc.data.claims.append(Claim.model_validate({"id": "m-c01", "origin": "manual", "type": "result",
                                                 "text": "MNLI helps by 2.5 points.", "cites": ["2402.00002v1"]}))
    save_claims(doc, settings.claims)
    run = cli("verify", "--no-write")
    assert run.exit_code == 1  # could not be checked: still a failure to report
    row = next(line for line in run.stdout.splitlines() if "m-c01" in line)
    assert "not checked" in row and "error" not in row and "2402.00002v1 is not in the library" in row
    assert "1 not checked" in run.stderr
    data = json.loads(cli("--json", "verify", "--no-write").stdout)
    assert data["claims"][0]["verification"]["label"] == "error"


def test_verify_table_fits_80_columns(settings, monkeypatch):
    from click.testing import CliRunner

    from tests.cli_harness import _Entry, settings_env

    doc = new_claims_file(title="t", path=settings.claims)
    doc.data.claims.append(Claim.model_validate({
        "id": "2402.00002-c01", "origin": "manual", "type": "result", "cites": ["2402.00002v1"],
        "text": "Intermediate-task training on MNLI improves zero-shot cross-lingual transfer by 2.5 points."}))
    save_claims(doc, settings.claims)
    from synth.cli import common

    monkeypatch.setattr("sys.argv", ["synth"])
    monkeypatch.setattr(common.out, "_width", None)  # width from COLUMNS when printing, as in a fresh process
    result = CliRunner().invoke(_Entry(), ["verify", "--no-write"], env={**settings_env(settings), "COLUMNS": "80"})
    lines = result.stdout.splitlines()
    assert lines and max(len(line) for line in lines) <= 80
    assert any("2402.00002-c01" in line for line in lines)  # the id whole on one line


def test_claims_ls_says_not_checked_too(cli, settings):
    doc = new_claims_file(title="t", path=settings.claims)
    doc.data.claims.append(Claim.model_validate({"id": "m-c01", "origin": "manual", "type": "result",
                                                 "text": "MNLI helps by 2.5 points.", "cites": ["2402.00002v1"]}))
    save_claims(doc, settings.claims)
    assert cli("verify").exit_code == 1  # verdict written: error, the paper is absent
    row = next(line for line in cli("claims", "ls").stdout.splitlines() if "m-c01" in line)
    assert "not checked" in row
