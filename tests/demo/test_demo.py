"""`synth demo` end to end (tiny profile, offline): replicate → paper → loopback fetch → extract → review → verify
→ report, through the console-script entry point with --json."""

from __future__ import annotations

import json
import re

import pytest

from synth.demo.runner import _change_last_number, _cut_mid_word, earlier_draft, load_study


def test_demo_study_file_is_valid():
    study = load_study()
    assert study.experiment == "demo" and study.target == "xnli"
    from synth.replicate.experiments import load_experiment

    assert study.target in load_experiment(study.experiment).targets


def test_planted_errors_helpers():
    assert _change_last_number("from 37.5 to 38.1, a change of +0.6 points.", 3.0) == \
        "from 37.5 to 38.1, a change of +3.6 points."
    cut = _cut_mid_word("With MNLI as the intermediate task, the average accuracy is 37.5 points.")
    assert cut[-1].isalpha() and not cut.endswith(".")
    v1, best, lang = earlier_draft({"baseline": {"de": 40.0, "sw": 30.0}, "MNLI": {"de": 41.0, "sw": 33.0}}, 2.0)
    assert (best, lang) == ("MNLI", "sw") and v1["MNLI"] == {"de": 41.0, "sw": 35.0}


@pytest.mark.slow
def test_demo_end_to_end(tmp_path, settings, monkeypatch, capsys):
    from synth.cli.app import main

    out = tmp_path / "demo-out"
    monkeypatch.setattr("sys.argv", ["synth", "--json", "demo", "--out", str(out)])
    with pytest.raises(SystemExit) as exc:
        main()
    captured = capsys.readouterr()
    assert (exc.value.code or 0) == 0, captured.err
    summary = json.loads(captured.out)
    report = out / "reports" / "demo-report.md"
    assert summary["report"] == str(report) and report.exists()
    assert summary["steps"]["ran"] + summary["steps"]["cached"] == 14

    # the paper's Table 1 holds the run's own numbers: baseline + both intermediate tasks, per language
    from synth.replicate.pipeline.results import load_all_results

    docs = [d for d in load_all_results(out / "runs") if d.intermediate is None]
    assert summary["numbers"]["baseline"] == {lang: round(v, 2) for lang, v in docs[0].score.items()}
    assert set(summary["numbers"]) == {"baseline", "MNLI", "QQP"}

    # both versions were fetched through the arXiv client from the loopback mirror
    metas = sorted((out / "library" / "papers").glob("9912.00001v*/meta.json"))
    assert [p.parent.name for p in metas] == ["9912.00001v1", "9912.00001v2"]
    meta = json.loads(metas[1].read_text())
    assert meta["source"] == "arxiv" and meta["pdf_url"].startswith("http://127.0.0.1:")

    # the review's planted errors are found
    from synth.claims.document import load_claims

    claims = {c.id: c for c in load_claims(out / "claims.yaml").claims}
    review = [c for c in claims.values() if c.origin.value == "imported"]
    assert len(review) == 5
    labels = [c.verification.label for c in sorted(review, key=lambda c: c.id)]
    assert labels[1] == "contradicted"  # the wrong number
    assert review[2].truncated and labels[2] in ("supported", "partially_supported")  # cut mid-word, still right
    assert labels[3] == "version_mismatch"  # a v1 number, citing v2
    assert labels[0] == "supported"
    demo_claim = claims["demo-c01"].verification
    assert demo_claim.label == "inconclusive"  # tiny run: a pipeline check, never evidence
    assert demo_claim.replication is not None and demo_claim.replication.profiles == ["tiny"]
    assert demo_claim.replication.measured is not None and not demo_claim.replication.evidence
    assert any(c.origin.value == "extracted" for c in claims.values())

    text = report.read_text(encoding="utf-8")
    assert "**Pipeline check, not evidence.**" in text
    row = next(line for line in text.splitlines() if line.startswith("| `demo-c01`"))
    assert f"replication: ⚠️ inconclusive demo: " in row and f"measured {demo_claim.replication.measured:.2f}" in row
    assert "profile tiny: a pipeline check, not evidence" in row
    assert "### Review said / source says: review" in text
    assert "fetched from a loopback mirror" in text and "http://127.0.0.1:" not in text  # no dead links
    for claim in claims.values():
        assert claim.text.replace("|", "\\|") in text
    for ref in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text):
        assert (report.parent / ref).is_file()
    assert "demo-report-figures/verdicts.png" in text

    # the literature half: a search over the loopback arXiv / Semantic Scholar / OpenAlex, screened and fetched;
    # the flow in the summary and the report is the search log's
    from synth.papers.search_log import flow_counts, load_log

    flow = flow_counts(load_log(out / "claims.search.yaml"))
    assert summary["search"]["flow"] == flow.model_dump(mode="json")
    assert (flow.included, flow.excluded, flow.fetched, flow.undecided) == (3, 1, 3, 0)
    assert flow.duplicates > 0 and flow.identified_citations > 0
    assert {p.parent.name for p in (out / "library" / "papers").glob("*/meta.json")} >= {"9912.00002v1",
                                                                                       "9912.00003v1"}
    assert f"| records screened | {flow.records} |" in text and f"| included | {flow.included} |" in text
    # the synthesis flags the planted disagreement (9912.00003's baseline on the first language, +4 points)
    first = next(iter(summary["numbers"]["baseline"]))
    row = next(line for line in text.splitlines() if line.startswith(f"| zero-shot XNLI accuracy, baseline, {first} |"))
    assert "❌ conflict" in row and "9912.00003" in row and re.search(r"differ by (3\.9|4|4\.1), beyond rounding", row)
    # each compared paper with its title: "9912.00001v2 “…”; 9912.00002v1 “…”; 9912.00003v1 “…”."
    assert re.search(r"Papers compared \(one version each\): 9912\.00001v2 “[^”]+”; 9912\.00002v1 “[^”]+”; "
                     r"9912\.00003v1 “[^”]+”\.", text)


def test_demo_refuses_unknown_profile_and_foreign_folders(tmp_path, settings):
    from synth.demo.runner import run_demo
    from synth.core.errors import UsageError

    with pytest.raises(UsageError, match="unknown demo profile 'paper'"):
        run_demo(tmp_path / "new", profile="paper")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "claims.yaml").write_text("schema: 1\n")
    with pytest.raises(UsageError, match="not empty and was not made by `synth demo`"):
        run_demo(tmp_path / "mine")
    assert (tmp_path / "mine" / "claims.yaml").read_text() == "schema: 1\n"  # untouched
