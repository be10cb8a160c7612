"""The report's question section on results the real pipeline produced (tiny profile, a small volume sweep)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import DATA

SWEEP = DATA / "question" / "sweep.yaml"


@pytest.fixture(scope="module")
def sweep_runs(tmp_path_factory) -> Path:
    """runs/ of the sweep (2 seeds x 3 volumes + the baseline, Tatoeba), with examples.json beside each result."""
    from synth.core.settings import Settings, set_settings
    from synth.replicate.pipeline.example_scores import add_example_scores
    from synth.replicate.pipeline.executors import execute
    from synth.replicate.pipeline.plan import build_plan
    from synth.replicate.training.tiny_model import build_tiny_model

    root = tmp_path_factory.mktemp("question")
    settings = Settings(home=root / "library", claims=root / "claims.yaml", runs=root / "runs",
                        reports=root / "reports", cache=root / "cache")
    set_settings(settings)
    try:
        build_tiny_model(settings.cache / "models" / "tiny-xlmr")
        report = execute(build_plan(str(SWEEP), "tiny"), settings.runs, settings, progress=False)
        assert report.ok, report.failed
        # every evaluation step wrote its examples.json itself (one seed-free baseline + 2 seeds x 3 volumes);
        # the separate command is for runs made before that, and finds nothing left to do
        assert len(list(settings.runs.glob("eval-*/examples.json"))) == 7
        assert add_example_scores(settings.runs, settings) == []
    finally:
        set_settings(None)
    return settings.runs


@pytest.fixture
def study(settings, sweep_runs, tmp_path):
    shutil.copy(DATA / "report" / "claims.yaml", tmp_path / "claims.yaml")
    settings.claims = tmp_path / "claims.yaml"
    settings.runs = sweep_runs
    settings.reports = tmp_path / "reports"
    return settings


def test_examples_give_back_every_results_document(sweep_runs):
    from synth.replicate.pipeline.example_scores import check_against, read_example_scores
    from synth.replicate.pipeline.results import load_all_results

    docs = load_all_results(sweep_runs)
    assert len(docs) == 7
    for doc in docs:
        parts = read_example_scores(sweep_runs / doc.step_id)
        assert parts.kind == "mean" and set(parts.parts) == set(doc.score)
        check_against(parts, doc.score, tolerance=1e-6)


def test_sweep_grid_pairs_the_seed_free_baseline_with_every_seed(sweep_runs):
    from synth.replicate.pipeline.results import load_all_results
    from synth.replicate.study.sweeps import volume_grids

    grids, notes = volume_grids(load_all_results(sweep_runs), runs=sweep_runs)
    assert notes == [] and len(grids) == 1
    task = grids[0].tasks[0]
    assert (task.target, task.seeds, task.volumes, task.languages) == ("tatoeba_r", [0, 1], [0, 4, 8, 16],
                                                                      ["af", "ar", "az"])
    assert (task.scores[0, 0] == task.scores[1, 0]).all()  # the baseline trains nothing: same for both seeds
    assert task.parts is not None and all(p is not None for p in task.parts)


def test_report_answers_the_question_with_intervals_and_a_figure(study):
    from synth.report.render import write_report

    result = write_report(study, name="q")
    text = result.path.read_text(encoding="utf-8")
    section = text.split("## The study's question", 1)[1].split("## Limitations", 1)[0]
    assert "**Pipeline check, not evidence.** Profile tiny" in section
    assert "over seeds, then languages, then test examples" in section
    for group in ("low resource", "mid resource", "high resource"):
        assert f"| {group} | 1 |" in section  # az (class 1), af (3), ar (5): one language per group
    assert "slope difference: low resource − high resource" in section
    assert "| tatoeba_r | az | Azerbaijani | 1 | low resource |" in section
    figure = [p for p in result.figures if p.name.endswith("-question-sst2.png")]
    assert len(figure) == 1 and figure[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # deterministic: the bootstrap is seeded, so a second rendering gives the same bytes
    assert write_report(study, name="q").path.read_text(encoding="utf-8") == text


def test_conclusion_follows_the_intervals(sweep_runs):
    """The wording comes from the intervals: a slope interval that holds 0 never reads as an effect."""
    from synth.replicate.pipeline.results import load_all_results
    from synth.report.question import build_question

    views, _ = build_question(load_all_results(sweep_runs), runs=sweep_runs, languages={})
    a = views[0].analysis
    for g, line in zip(a.groups, [ln for ln in views[0].conclusion if "points per tenfold" in ln]):
        s = g.loglinear.slope
        expected = "helps" if s.low > 0 else "hurts" if s.high < 0 else "no detectable effect"
        assert expected in line
    d = a.slope_difference.difference
    assert ("cannot tell" in " ".join(views[0].conclusion)) == (not d.excludes_zero)


def test_a_pilot_is_labelled_with_its_scope(study, monkeypatch):
    from synth.replicate.experiments import Reporting
    from synth.report import question
    from synth.report.render import write_report

    scope = "a tiny random encoder and the SST-2 fixture"
    caveat = "ja [1] scores near 0 <b>here</b>"
    monkeypatch.setattr(question, "_reporting", lambda _: Reporting(kind="pilot", scope=scope, caveats=[caveat]))
    text = write_report(study, name="pilot").path.read_text(encoding="utf-8")
    assert "\n> **Caveat.** ja \\[1\\] scores near 0 &lt;b>here&lt;/b>\n" in text  # its own quote, printed literally
    html = write_report(study, name="pilot", fmt="html").path.read_text(encoding="utf-8")
    assert "<strong>Caveat.</strong> ja [1] scores near 0 &lt;b&gt;here&lt;/b&gt;</p>" in html
    assert "**Pilot, not the study.** Model tiny-xlmr@v" in text
    assert f", profile tiny: evidence about {scope} — not about XLM-R Large" in text
    assert json.dumps(scope)[1:-1] in text


def test_committed_pilot_report_is_what_synth_report_makes_of_the_committed_results(settings):
    """reports/pilot.md's question section comes from reports/pilot-results/ by `synth report`, byte for byte."""
    from synth.report.render import write_report
    from tests.conftest import ROOT

    settings.claims = ROOT / "reports" / "pilot-study.yaml"  # the study alone: no claims
    settings.runs = ROOT / "reports" / "pilot-results"
    section = lambda text: text.split("## The study's question", 1)[1].split("## Limitations", 1)[0]  # noqa: E731
    made = write_report(settings, name="pilot").path.read_text(encoding="utf-8")
    committed = (ROOT / "reports" / "pilot.md").read_text(encoding="utf-8")
    assert section(made) == section(committed)
    assert "volumes 50, 150, 500, 1500, 5000" in section(made) and "5 seeds (0, 1, 2, 3, 4)" in section(made)
    assert "Primary estimand (tatoeba_r, slope low resource - high resource)" in section(made)


@pytest.fixture
def designed(monkeypatch):
    """The same sweep read as if its experiment file carried a pre-registered design (groups fixed in advance)."""
    from ruamel.yaml import YAML

    from synth.replicate.experiments import Experiment
    from synth.report import question

    data = YAML(typ="safe").load(SWEEP.read_text(encoding="utf-8"))
    data["design"] = {"primary": {"target": "tatoeba_r", "model": "tiny", "low": "low_resource",
                                  "high": "high_resource", "description": "Tatoeba low minus high slope, t over seeds"},
                      "language_groups": {"low_resource": ["az"], "high_resource": ["af", "ar"]},
                      "covariates": ["cc100_log_size"], "compare_curves": False}
    experiment = Experiment.model_validate(data)
    monkeypatch.setattr(question, "_experiment", lambda name: experiment if name == "question_sweep" else None)
    return experiment


def test_a_designed_sweep_is_analysed_seed_by_seed_with_the_primary_estimand_first(sweep_runs, designed):
    from scipy import stats

    from synth.replicate.pipeline.results import load_all_results
    from synth.replicate.study.sweeps import volume_grids
    from synth.report.question import build_question

    views, _ = build_question(load_all_results(sweep_runs), runs=sweep_runs, languages={})
    v = views[0]
    assert v.analysis is None and v.seed_level is not None  # no bootstrap for a designed sweep
    target = v.seed_level.analysis.targets[0]
    primary = next(c for c in target.contrasts if c.primary)
    assert primary.name == designed.design.primary.name and primary.p_holm is None
    # the contrast is formed within each seed from the seeds' own slopes, then t-tested over the seeds
    task = volume_grids(load_all_results(sweep_runs), runs=sweep_runs)[0][0].tasks[0]
    log_n = np.log10([4, 8, 16])
    low = [np.polyfit(log_n, task.scores[s, 1:, 2] - task.scores[s, 0, 2], 1)[0] for s in range(2)]  # az
    high = [np.polyfit(log_n, (task.scores[s, 1:, :2] - task.scores[s, 0, :2]).mean(axis=1), 1)[0] for s in range(2)]
    diffs = np.subtract(low, high)
    assert list(primary.per_seed.values()) == pytest.approx(list(diffs))
    half = stats.t.ppf(0.975, 1) * diffs.std(ddof=1) / np.sqrt(2)
    assert (primary.difference.low, primary.difference.high) == pytest.approx((diffs.mean() - half,
                                                                               diffs.mean() + half))
    assert v.conclusion[0].startswith("Primary estimand (tatoeba_r, slope low resource - high resource): ")
    assert "only 2 seed(s); the design asks for at least 5" in v.conclusion[-1]
    adjusted = v.seed_level.adjusted
    assert adjusted == [] or adjusted[0].p_holm is not None  # 3 languages: too few to adjust (needs 4)


def test_a_designed_sweep_renders_its_estimand_contrasts_and_one_figure_per_target(study, designed):
    from synth.report.render import write_report

    result = write_report(study, name="q")
    section = result.path.read_text(encoding="utf-8").split("## The study's question", 1)[1]
    assert "**Pre-registered primary estimand** (experiment file, `design.primary`): Tatoeba low minus high" in section
    assert "t-intervals over the seeds" in section and "hierarchical bootstrap" not in section.split("## Limit")[0]
    assert "| tatoeba_r: slope low_resource - high_resource (primary) |" in section
    assert "primary: not adjusted" in section
    assert "| low resource | az |" in section and "| high resource | af ar |" in section
    assert "| tatoeba_r | az | unknown | low resource |" not in section  # names come from the languages table
    figures = [p for p in result.figures if p.name.endswith("-question-sst2.png")]
    assert len(figures) == 1 and "tatoeba-r" in figures[0].name
    html = write_report(study, name="q", fmt="html").path.read_text(encoding="utf-8")
    assert "<strong>Pre-registered primary estimand</strong>" in html


def test_a_claims_file_without_claims_reports_the_study_alone(study, tmp_path):
    """The pilot's own report checks no claims: with results in the runs folder an empty claims list is the
    study itself; without results it is still an input error."""
    from synth.core.errors import ClaimsError
    from synth.report.render import write_report

    (tmp_path / "study.yaml").write_text("schema: 1\nstudy:\n  question: Does volume help?\n  title: A study\n"
                                         "claims: []\n", encoding="utf-8")
    study.claims = tmp_path / "study.yaml"
    text = write_report(study, name="s").path.read_text(encoding="utf-8")
    assert text.startswith("# A study\n") and "This report checks no claims: it is the study itself" in text
    assert "## The study's question" in text and "This report covers" not in text
    study.runs = tmp_path / "no-runs"
    with pytest.raises(ClaimsError, match="has no claims: nothing to report"):
        write_report(study, name="s")
