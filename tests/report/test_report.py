"""synth report: golden file of a fixed small study, completeness, determinism, figures, bad input."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from synth.core.errors import ClaimsError, ConfigError
from synth.core.models import ClaimsFile
from synth.report.render import md_cell, write_report
from tests.conftest import DATA as TESTS_DATA, ROOT

DATA = TESTS_DATA / "report"
GOLDEN = DATA / "expected" / "report.md"
NAME = "report"


def _claims(path: Path) -> ClaimsFile:
    from synth.claims.document import load_claims

    return load_claims(path).data


@pytest.fixture
def study(tmp_path, settings):
    """The fixed study copied into tmp: claims file, a two-version library (meta only), results documents."""
    for part in ("claims.yaml", "library", "runs"):
        src = DATA / part
        (shutil.copytree if src.is_dir() else shutil.copy)(src, tmp_path / part)
    settings.claims = tmp_path / "claims.yaml"
    settings.home = tmp_path / "library"
    settings.runs = tmp_path / "runs"
    settings.reports = tmp_path / "reports"
    return settings


def _table_rows(text: str) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        if line.startswith("|") and not re.fullmatch(r"\|(?:-+\|)+", line):
            cells = re.split(r"(?<!\\)\|", line)[1:-1]
            rows.append([c.strip() for c in cells])
    return rows


def test_fixture_replication_is_what_verify_writes(study):
    """The fixture's replication verdict is the real producer's output on the fixture's runs, not a hand shape."""
    from synth.core.models import Verification
    from synth.verify.replication import judge_claim
    from synth.verify.runner import with_replication

    claim = next(c for c in _claims(study.claims).claims if c.id == "manual-c01")
    produced = with_replication(Verification(label="error", reason="no source"),
                                claim.model_copy(update={"verification": None}), judge_claim(claim, study.runs))
    assert produced == claim.verification


def test_golden_markdown(study):
    result = write_report(study, name=NAME)
    text = result.path.read_text(encoding="utf-8")
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8"), "rendered report differs from tests/data/report/expected/report.md"
    assert result.path == study.reports / "report.md"
    assert result.counts == {"supported": 2, "contradicted": 1, "version_mismatch": 1, "not_found": 1,
                             "inconclusive": 1, "not_checked": 1, "not yet verified": 1}


def test_every_claim_exactly_once_and_in_full(study):
    text = write_report(study, name=NAME).path.read_text(encoding="utf-8")
    rows = _table_rows(text)
    claims = _claims(study.claims).claims
    assert len(claims) == 8
    for claim in claims:
        full = md_cell(claim.text) + (" *(truncated as written)*" if claim.truncated else "")
        # exactly one claims-table row carries the claim, with its full text (the review table has no text)
        assert [r[1] for r in rows if r[0] == f"`{claim.id}`" and r[1] == full] == [full], claim.id
        assert sum(1 for r in rows if r[0] == f"`{claim.id}`" and r[1].startswith(md_cell(claim.text)[:20])) == 1
    # the claim with '|' and a newline is escaped, never cut
    assert "The baseline reaches 61.0 \\| 58.3 accuracy on English \\|<br>German." in text


def test_no_none_undefined_or_empty_cells(study):
    text = write_report(study, name=NAME).path.read_text(encoding="utf-8")
    assert not re.search(r"\bNone\b|undefined|\bnan\b", text)
    rows = _table_rows(text)
    assert len(rows) > 20
    for row in rows:
        assert all(cell for cell in row), row


def test_sections_separate_verified_from_the_rest(study):
    text = write_report(study, name=NAME).path.read_text(encoding="utf-8")
    verified = text.index("### Verified claims (2)")
    problems = text.index("### Contradicted, version-mismatched and not-found claims (3)")
    unverified = text.index("### Not yet verified (1)")
    assert verified < problems < unverified
    assert text.index("`2401.00001-c01`") in range(verified, problems)
    assert text.index("`review-c01`") in range(problems, unverified)
    assert "### Inconclusive or unchecked claims (2)" in text
    assert "| `2402.00002-c01` | Sentence retrieval gains are largest for languages unseen in pretraining. | ⏸️ not checked | 1.00 | " \
           "2402.00002v1 is not in the library (run: synth fetch 2402.00002v1) | not checked |" in text
    assert "### Review said / source says: review" in text
    assert "disagrees: the review says verified, synth says contradicted" in text
    assert "**Pipeline check, not evidence.**" in text
    assert "never evidence for or against the paper's claims" in text  # limitations, from what happened
    assert "2402.00002v1" in text.split("## Limitations")[1]  # a listed source that was never fetched
    assert "https://arxiv.org/abs/2401.00001v2" in text


def test_replication_tables_have_the_numbers(study):
    text = write_report(study, name=NAME).path.read_text(encoding="utf-8")
    # xnli baseline: seed 1 mean (61.2+57.1+40.2+43.3)/4 = 50.45, seed 2 = 50.75 -> 50.6 ± 0.2 (sample sd)
    assert "| baseline | 50.6 ± 0.2 (n=2) | reference |" in text
    # mnli 4k: 50.45 + (1.0+1.8+4.1+3.0)/4 = 52.925; minus the baseline mean 50.6 -> +2.3
    assert "| mnli (4,000 ex.) (best) | 52.9 | +2.3 |" in text
    assert "| sw | Swahili | 2 | 40.4 ± 0.2 (n=2) | 41.8 | 44.3 | 41.3 |" in text
    # per resource class: class 5 = mean of en and de
    assert "| 5 | 2 | 59.3 | 59.7 | 60.5 | 59.0 |" in text
    assert "| 4,000 | +3.9 | +2.8 | +1.2 |" in text  # scaling: change over the baseline per class
    assert "| **low resource** | 1 | 40.4 | 41.8 | 44.3 | 41.3 |" in text  # languages.yaml groups


def test_figures_exist_are_referenced_and_deterministic(study):
    first = write_report(study, name=NAME)
    text = first.path.read_text(encoding="utf-8")
    refs = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert sorted(refs) == sorted(str(p.relative_to(study.reports)) for p in first.figures)
    assert {Path(r).name for r in refs} == {"verdicts.png", "demo-tiny-xnli-languages.png",
                                            "demo-tiny-pawsx-languages.png", "demo-tiny-xnli-scaling-mnli.png"}
    blobs = {p: p.read_bytes() for p in first.figures}
    for blob in blobs.values():
        assert blob.startswith(b"\x89PNG") and len(blob) > 5000
    second = write_report(study, name=NAME)
    assert second.path.read_bytes() == first.path.read_bytes()
    assert {p: p.read_bytes() for p in second.figures} == blobs


def test_stale_figures_are_removed(study):
    write_report(study, name=NAME)
    shutil.rmtree(study.runs)
    result = write_report(study, name=NAME)
    assert sorted(p.name for p in (study.reports / "report-figures").glob("*.png")) == ["verdicts.png"]
    assert [p.name for p in result.figures] == ["verdicts.png"]


def test_html_is_self_contained_and_from_the_same_context(study):
    result = write_report(study, fmt="html", name=NAME)
    page = result.path.read_text(encoding="utf-8")
    assert result.path.name == "report.html"
    assert page.count("data:image/png;base64,") == 4
    assert not re.search(r'(?:src|href)="(?!data:|#|https://arxiv\.org/)', page)
    assert "Continued &lt;b&gt;masked&lt;/b&gt; language modelling beats every intermediate task." in page
    assert 'class="badge contradicted"' in page
    assert write_report(study, fmt="html", name=NAME).path.read_bytes() == result.path.read_bytes()


def test_default_name_comes_from_the_study_title(study):
    result = write_report(study)
    assert result.path.name == "intermediate-task-volume-and-low-resource-transfer-fixture.md"


# ------------------------------------------------------------------------------------------ bad input


def test_empty_claims_file_is_an_input_error(study):
    study.claims.write_text("", encoding="utf-8")
    with pytest.raises(ClaimsError, match="claims file is empty") as err:
        write_report(study)
    assert err.value.exit_code == 2
    study.claims.write_text("schema: 1\nclaims: []\n", encoding="utf-8")
    study.runs = study.runs.parent / "no-runs"  # with results it would be the study alone (test_question)
    with pytest.raises(ClaimsError, match="has no claims"):
        write_report(study)


def test_missing_claims_file(study):
    study.claims.unlink()
    with pytest.raises(ClaimsError, match="claims file not found"):
        write_report(study)


def test_claims_without_verification_are_not_yet_verified(study):
    from synth.core.files import write_text
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(study.claims.read_text(encoding="utf-8"))
    for claim in data["claims"]:
        claim.pop("verification", None)
    import io

    buf = io.StringIO()
    YAML().dump(data, buf)
    write_text(study.claims, buf.getvalue())
    result = write_report(study, name=NAME)
    text = result.path.read_text(encoding="utf-8")
    assert result.counts == {"not yet verified": 8}
    assert "### Not yet verified (8)" in text and "No claim is verified (supported by its source or replicated)." in text
    assert "No claim is contradicted" in text
    assert "8 of 8 claims not yet verified" in text
    assert "| `review-c01` | ✓ Verified (confidence 0.27) | ⏳ not yet verified | – |" in text


def test_missing_results_are_a_limitation(study):
    shutil.rmtree(study.runs)
    text = write_report(study, name=NAME).path.read_text(encoding="utf-8")
    assert "No replication was run: no results documents were found." in text
    assert "No replication results were found" in text
    assert "The claims link to experiment demo, which was not run." in text


def test_unreadable_results_document_is_reported_not_fatal(study):
    broken = study.runs / "eval-broken"
    broken.mkdir()
    (broken / "results.json").write_text('{"schema": 1, "step_id": ', encoding="utf-8")
    text = write_report(study, name=NAME).path.read_text(encoding="utf-8")
    assert "eval-broken/results.json could not be read" in text
    assert "| mnli (4,000 ex.) (best) | 52.9 | +2.3 |" in text


def _broken_templates(tmp_path: Path, line: int, replacement: str) -> Path:
    folder = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", folder)
    path = folder / "report.md.j2"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(line - 1, replacement)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_template_syntax_error_names_template_and_line(study, tmp_path):
    study.templates = _broken_templates(tmp_path, 5, "{% for x in %}")
    with pytest.raises(ConfigError, match=r"template error in report\.md\.j2 line 5: ") as err:
        write_report(study, name=NAME)
    assert err.value.exit_code == 2


def test_template_undefined_name_names_template_and_line(study, tmp_path):
    study.templates = _broken_templates(tmp_path, 5, "{{ no_such_field }}")
    with pytest.raises(ConfigError, match=r"template error in report\.md\.j2 line 5: 'no_such_field' is undefined"):
        write_report(study, name=NAME)


def test_unknown_format(study):
    with pytest.raises(ConfigError, match="unknown report format 'pdf'"):
        write_report(study, fmt="pdf")


def test_md_cell_escapes_pipes_newlines_and_tags():
    assert md_cell("a | b\nc\r\nd") == "a \\| b<br>c<br>d"
    assert md_cell("p < 0.05 and <script>") == "p < 0.05 and &lt;script>"


# ------------------------------------------------------------------------------------------ CLI


def _main(monkeypatch, capsys, args: list[str]) -> tuple[int, str, str]:
    """Run the console-script entry point in-process (exit-code mapping included)."""
    from synth.cli.app import main

    monkeypatch.setattr("sys.argv", ["synth", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    out = capsys.readouterr()
    return exc.value.code or 0, out.out, out.err


def test_cli_report_json_and_usage_error(study, monkeypatch, capsys):
    monkeypatch.setenv("SYNTH_RUNS", str(study.runs))
    monkeypatch.setenv("SYNTH_REPORTS", str(study.reports))
    base = ["--library", str(study.home), "--claims", str(study.claims)]
    code, out, _ = _main(monkeypatch, capsys, [*base, "--json", "report", "--name", NAME])
    assert code == 0
    payload = json.loads(out)
    assert payload["path"] == str(study.reports / "report.md")
    assert payload["claims"] == 8 and len(payload["figures"]) == 4
    code, out, err = _main(monkeypatch, capsys, [*base, "report", "--format", "pdf"])
    assert code == 2 and out == ""
    assert "unknown report format 'pdf'" in err and "Traceback" not in err


def test_experiment_reporting_block_drives_the_language_rows(study):
    """`reporting:` in an experiment file chooses per-class rows and the named groups (it used to be ignored)."""
    from synth.replicate.data.languages import group, load_languages
    from synth.report.render import experiment_grouping
    from synth.report.results import LanguageGrouping, group_results, load_results

    xstilts = experiment_grouping("xstilts")
    assert xstilts.by_class and list(xstilts.groups) == ["low_resource", "mid_resource", "high_resource"]
    assert experiment_grouping("no-such-experiment") == LanguageGrouping(
        groups={name: set(group(name)) for name in ("low_resource", "mid_resource", "high_resource")})
    docs, languages = load_results(study.runs).docs, load_languages()
    def xnli(grouping):
        return next(t for t in group_results(docs, languages, grouping)[0].targets if t.target == "xnli")

    default = xnli(experiment_grouping)
    custom = xnli(lambda _: LanguageGrouping(by_class=False, groups={name: set(group(name)) for name in (
        "low_resource", "high_resource")}))
    assert default.classes and default.per_class
    assert custom.classes == [] and custom.per_class == {}
    assert set(custom.per_group) == {"low_resource", "high_resource"}
    assert custom.per_group["low_resource"] == default.per_group["low_resource"]
