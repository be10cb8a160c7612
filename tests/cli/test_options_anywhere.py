"""Options where people type them (issue 23, part 6 and 7): global options after the subcommand, named choices in
any case, listings that fit 80 columns without splitting ids, and no "(pipeline blank)" chatter from extract."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from synth.cli.app import hoist_global_flags

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.parametrize("argv, expected", [
    (["verify", "--claims", "x.yaml"], ["--claims", "x.yaml", "verify"]),
    (["library", "ls", "--library", "L", "--json"], ["--library", "L", "--json", "library", "ls"]),
    (["claims", "ls", "--claims=x.yaml", "--quiet"], ["--claims=x.yaml", "--quiet", "claims", "ls"]),
    (["--claims", "a.yaml", "verify"], ["--claims", "a.yaml", "verify"]),
    (["fetch", "x", "--", "--claims", "y"], ["fetch", "x", "--", "--claims", "y"]),  # after --: data, untouched
])
def test_global_options_are_moved_before_the_command(argv, expected):
    assert hoist_global_flags(argv) == expected


def _review_study(tmp_path: Path) -> Path:
    """A study folder of its own with an imported review (no library needed for listing)."""
    study = tmp_path / "study"
    study.mkdir()
    shutil.copy(DATA / "claims" / "review_stilts.md", study / "review.md")
    return study


def test_claims_and_library_after_the_subcommand(cli, tmp_path):
    study = _review_study(tmp_path)
    claims = study / "claims.yaml"
    run = cli("import-report", str(study / "review.md"), "--claims", str(claims))
    assert run.exit_code == 0, run.stderr
    assert claims.exists()
    listed = cli("claims", "ls", "--claims", str(claims), "--json")
    assert listed.exit_code == 0, listed.stderr
    assert len(json.loads(listed.stdout)) >= 1
    lib = cli("library", "ls", "--library", str(tmp_path / "lib"), "--json")
    assert lib.exit_code == 0 and json.loads(lib.stdout) == []
    quiet = cli("claims", "ls", "--claims=" + str(claims), "--quiet")
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_named_choices_are_case_insensitive(cli, tmp_path):
    study = _review_study(tmp_path)
    claims = study / "claims.yaml"
    assert cli("import-report", str(study / "review.md"), "--claims", str(claims)).exit_code == 0
    upper = cli("--json", "claims", "ls", "--claims", str(claims), "--origin", "IMPORTED")
    assert upper.exit_code == 0, upper.stderr
    assert json.loads(upper.stdout) and all(c["origin"] == "imported" for c in json.loads(upper.stdout))
    report = cli("report", "--claims", str(claims), "--format", "HTML", "--out", str(tmp_path / "out"))
    assert report.exit_code == 0, report.stderr
    assert report.stdout.strip().endswith(".html")


def test_listings_fit_80_columns_without_splitting_ids(settings, monkeypatch, tmp_path):
    from tests.cli_harness import make_cli, settings_env

    study = _review_study(tmp_path)
    claims = study / "claims.yaml"
    cli = make_cli(settings, monkeypatch)
    assert cli("import-report", str(study / "review.md"), "--claims", str(claims)).exit_code == 0
    from click.testing import CliRunner

    from tests.cli_harness import _Entry

    from synth.cli import common

    monkeypatch.setattr(common.out, "_width", None)  # width from COLUMNS when printing, as in a fresh process
    env = {**settings_env(settings), "COLUMNS": "80"}
    result = CliRunner().invoke(_Entry(), ["claims", "ls", "--claims", str(claims)], env=env)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines and max(len(line) for line in lines) <= 80
    ids = [c["id"] for c in json.loads(cli("--json", "claims", "ls", "--claims", str(claims)).stdout)]
    for cid in ids:  # every id whole on one line
        assert any(cid in line for line in lines), cid


def test_library_ls_keeps_id_and_version_apart(cli, settings, tmp_path, monkeypatch):
    from synth.cli import common

    monkeypatch.setattr(common.out, "_width", None)  # restored after the test (_run80 reads COLUMNS)
    from synth.demo.pdfgen import render_pdf
    from synth.demo.papers import stilts_study_spec

    pdf = tmp_path / "paper.pdf"
    render_pdf(stilts_study_spec({"baseline": {"de": 60.0, "sw": 40.0}, "MNLI": {"de": 61.0, "sw": 43.0}},
                                 version=1, target="XNLI", metric="accuracy"), pdf)
    assert cli("fetch", str(pdf)).exit_code == 0
    meta = json.loads(cli("--json", "library", "ls").stdout)[0]
    table = cli("library", "ls").stdout
    assert f"{meta['id']}v{meta['version']}" not in table
    row = next(line for line in table.splitlines() if meta["id"] in line)
    assert f"v{meta['version']}" in row.split(meta["id"], 1)[1]
    narrow = _run80(settings, "library", "ls")
    assert max(len(line) for line in narrow.splitlines()) <= 80 and meta["id"] in narrow
    fetched = _run80(settings, "fetch", str(pdf))
    assert max(len(line) for line in fetched.splitlines()) <= 80 and meta["id"] in fetched


def _run80(settings, *args: str) -> str:
    """stdout of `synth ARGS` in an 80-column terminal."""
    from click.testing import CliRunner

    from synth.cli import common
    from tests.cli_harness import _Entry, settings_env

    common.out._width = None  # width from COLUMNS when printing, as in a fresh process (set once at import)
    result = CliRunner().invoke(_Entry(), list(args), env={**settings_env(settings), "COLUMNS": "80"})
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_extract_does_not_print_the_pipeline_name(cli, tmp_path):
    from synth.demo.pdfgen import render_pdf
    from synth.demo.papers import stilts_study_spec

    pdf = tmp_path / "paper.pdf"
    render_pdf(stilts_study_spec({"baseline": {"de": 60.0, "sw": 40.0}, "MNLI": {"de": 61.0, "sw": 43.0}},
                                 version=1, target="XNLI", metric="accuracy"), pdf)
    assert cli("fetch", str(pdf)).exit_code == 0
    run = cli("extract")
    assert run.exit_code == 0, run.stderr
    assert "claims →" in run.stderr and "pipeline" not in run.stderr
