"""`synth replicate export`: the results documents of a runs folder copied out, without models, and reportable."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from synth.replicate.pipeline.results import export_results
from tests.cli_harness import make_cli
from tests.conftest import ROOT

PILOT = ROOT / "reports" / "pilot-results"  # what `synth replicate run pilot_v2` wrote (results + examples)
STEPS = len(list(PILOT.iterdir()))


def _runs_with_a_model(tmp_path):
    """A runs folder as a run leaves it: results next to a model and a training step that are not to travel."""
    runs = tmp_path / "runs"
    shutil.copytree(PILOT, runs)
    step = sorted(runs.iterdir())[0]
    (step / "model").mkdir()
    (step / "model" / "model.safetensors").write_bytes(b"\0" * 1024)
    (runs / "train-0123456789abcdef").mkdir()
    (runs / "train-0123456789abcdef" / "DONE").write_text("")
    return runs


def test_export_copies_results_and_examples_only_and_is_idempotent(tmp_path):
    runs = _runs_with_a_model(tmp_path)
    out = tmp_path / "exported"
    first = export_results(runs, out)
    steps = sorted(p.name for p in PILOT.iterdir())
    assert first.written == steps and first.unchanged == [] and first.with_examples == len(steps) == STEPS > 20
    assert sorted(p.name for p in out.iterdir()) == steps
    for step in steps:
        assert sorted(p.name for p in (out / step).iterdir()) == ["examples.json", "results.json"]
        for name in ("results.json", "examples.json"):
            assert (out / step / name).read_bytes() == (PILOT / step / name).read_bytes()
    changed = runs / steps[3] / "results.json"
    doc = json.loads(changed.read_text())
    doc["created"] = "2030-01-01T00:00:00+00:00"  # the step re-ran
    changed.write_text(json.dumps(doc))
    again = export_results(runs, out)
    assert again.written == [steps[3]] and len(again.unchanged) == STEPS - 1
    assert json.loads((out / steps[3] / "results.json").read_text())["created"] == "2030-01-01T00:00:00+00:00"


def test_exported_results_give_the_same_report(settings, tmp_path):
    from synth.report.render import write_report

    settings.claims = ROOT / "claims.yaml"
    settings.runs = PILOT
    committed = write_report(settings, name="pilot", out=tmp_path / "a").path.read_text(encoding="utf-8")
    settings.runs = Path(export_results(_runs_with_a_model(tmp_path), tmp_path / "exported").destination)
    exported = write_report(settings, name="pilot", out=tmp_path / "b").path.read_text(encoding="utf-8")
    section = lambda text: text.split("## The study's question", 1)[1].split("## Limitations", 1)[0]  # noqa: E731
    assert section(exported) == section(committed)


def test_export_command(settings, monkeypatch, tmp_path):
    cli = make_cli(settings, monkeypatch)
    runs = _runs_with_a_model(tmp_path)
    out = tmp_path / "exported"
    run = cli("replicate", "export", str(out), "pilot_v2", "--runs", str(runs))
    assert run.exit_code == 0, run.stderr
    assert f"exported {STEPS} results document(s) to {out} (0 already there, {STEPS} with per-example scores)" in run.stdout
    as_json = json.loads(cli("replicate", "export", str(out), "--runs", str(runs), "--json").stdout)
    assert as_json["written"] == [] and len(as_json["unchanged"]) == STEPS
    other = cli("replicate", "export", str(tmp_path / "none"), "xstilts", "--runs", str(runs))
    assert other.exit_code == 1 and "error: no results documents of experiment 'xstilts' in" in other.stderr
    assert not (tmp_path / "none").exists()
    same = cli("replicate", "export", str(runs), "--runs", str(runs))
    assert same.exit_code == 1 and "is the runs folder itself" in same.stderr
    (runs / sorted(p.name for p in PILOT.iterdir())[-1] / "results.json").write_text("{not json")
    broken = cli("replicate", "export", str(tmp_path / "x"), "--runs", str(runs))
    assert broken.exit_code == 1 and "not a readable results document" in broken.stderr
    assert "Traceback" not in broken.stderr
    assert not (tmp_path / "x").exists()  # nothing half-exported
