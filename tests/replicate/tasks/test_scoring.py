"""`synth replicate score` over evaluate.py's folder layout, and the tasks CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from synth.replicate.evaluation.scoring import read_tags, score_benchmark
from synth.replicate.data.taskconfig import load_task
from synth.core.errors import UsageError


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _squad(qas: list[tuple[str, str]]) -> str:
    return json.dumps({"data": [{"title": "t", "paragraphs": [{"context": "c", "qas": [
        {"id": i, "question": "q", "answers": [{"text": a, "answer_start": 0}]} for i, a in qas]}]}]})


def _full_xtreme(tmp_path: Path) -> tuple[Path, Path]:
    """Gold and predictions for every XTREME task and language, with known per-task scores."""
    pred, gold = tmp_path / "pred", tmp_path / "gold"
    for lang in load_task("xnli").languages:  # xnli: 3 of 4 right -> 75
        _write(gold / "xnli" / f"test-{lang}.tsv", "entailment\nneutral\ncontradiction\nneutral\n")
        _write(pred / "xnli" / f"test-{lang}.tsv", "entailment\nneutral\ncontradiction\nentailment\n")
    for lang in load_task("pawsx").languages:  # pawsx: 100
        _write(gold / "pawsx" / f"test-{lang}.tsv", "1\n0\n")
        _write(pred / "pawsx" / f"test-{lang}.tsv", "1\n0\n")
    for lang in load_task("udpos").languages:  # the NOUN NOUN run is one chunk; VERB mistagged -> 1 of 2 chunks
        _write(gold / "udpos" / f"test-{lang}.tsv", "NOUN\nNOUN\nVERB\n\n")
        _write(pred / "udpos" / f"test-{lang}.tsv", "NOUN\nNOUN\nADJ\n\n")
    for lang in load_task("panx").languages:  # panx: perfect
        _write(gold / "panx" / f"test-{lang}.tsv", "B-PER\nI-PER\nO\n\nB-LOC\n")
        _write(pred / "panx" / f"test-{lang}.tsv", "B-PER\nI-PER\nO\n\nB-LOC\n")
    for task in ("xquad", "tydiqa"):
        for lang in load_task(task).languages:  # F1 2/3, EM 0 on one question -> (66.67 + 0)/2
            _write(gold / task / f"test-{lang}.json", _squad([("q1", "a cat")]))
            _write(pred / task / f"test-{lang}.json", json.dumps({"q1": "the big cat"}))
    for lang in load_task("mlqa").languages:  # one right, one unanswered -> F1 50, EM 50
        _write(gold / "mlqa" / f"test-{lang}.json", _squad([("q1", "x"), ("q2", "y")]))
        _write(pred / "mlqa" / f"test-{lang}.json", json.dumps({"q1": "x"}))
    for lang in load_task("bucc2018").languages:
        _write(gold / "bucc2018" / f"test-{lang}.tsv", f"{lang}-1\ten-1\n{lang}-2\ten-2\n")
        _write(pred / "bucc2018" / f"test-{lang}.tsv", f"{lang}-1\ten-1\n")  # P 1, R .5 -> 66.67
    for lang in load_task("tatoeba").languages:
        _write(gold / "tatoeba" / f"test-{lang}.tsv", "0\n1\n")
        _write(pred / "tatoeba" / f"test-{lang}.tsv", "0\n0\n")  # 50
    return pred, gold


def test_score_full_xtreme(tmp_path):
    pred, gold = _full_xtreme(tmp_path)
    report = score_benchmark("xtreme", pred, gold)
    tasks = {name: t["score"] for name, t in report["tasks"].items()}
    expected = {"xnli": 75.0, "pawsx": 100.0, "udpos": 50.0, "panx": 100.0, "xquad": 100 / 3,
                "tydiqa": 100 / 3, "mlqa": 50.0, "bucc2018": 200 / 3, "tatoeba": 50.0}
    assert tasks == pytest.approx(expected)
    assert report["score"] == pytest.approx(sum(expected.values()) / 9)
    assert report["tasks"]["xquad"]["metrics"]["de"] == pytest.approx({"f1": 200 / 3, "exact_match": 0.0})


def test_missing_task_folder_means_no_overall_score(tmp_path):
    pred, gold = _full_xtreme(tmp_path)
    for f in (pred / "tatoeba").iterdir():
        f.unlink()
    (pred / "tatoeba").rmdir()
    report = score_benchmark("xtreme", pred, gold)
    assert report["score"] is None and report["skipped_tasks"] == ["tatoeba"]
    assert report["tasks"]["xnli"]["score"] == 75.0


def test_xtreme_r_ranking_tasks(tmp_path):
    pred, gold = tmp_path / "pred", tmp_path / "gold"
    for lang in load_task("mewslix").languages:
        _write(gold / "mewslix" / f"test-{lang}.json", json.dumps({"m1": ["Q1"], "m2": ["Q2"]}))
        _write(pred / "mewslix" / f"test-{lang}.json", json.dumps({"m1": ["Q9", "Q1"], "m2": ["Q2"]}))
    report = score_benchmark("xtreme-r", pred, gold)
    assert report["tasks"]["mewslix"]["score"] == pytest.approx(75.0)  # (1/2 + 1) / 2
    assert report["score"] is None and "xcopa" in report["skipped_tasks"]


def test_wrong_line_count_is_a_usage_error(tmp_path):
    pred, gold = _full_xtreme(tmp_path)
    _write(pred / "xnli" / "test-de.tsv", "entailment\n")
    with pytest.raises(UsageError, match="1 predictions for 4 gold"):
        score_benchmark("xtreme", pred, gold)


def test_read_tags_blank_line_separated(tmp_path):
    _write(tmp_path / "t.tsv", "A\nB\n\nC\n")
    assert read_tags(tmp_path / "t.tsv") == [["A", "B"], ["C"]]


def _cli(args: list[str]):
    from synth.cli import common
    from synth.cli.app import app

    common.state.json = common.state.quiet = False
    return CliRunner().invoke(app, args)


def test_cli_score_json(tmp_path, settings):
    pred, gold = _full_xtreme(tmp_path)
    result = _cli(["replicate", "score", "--benchmark", "xtreme", "--predictions", str(pred), "--gold", str(gold),
                   "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["tasks"]["pawsx"]["score"] == 100.0 and data["score"] is not None


def test_cli_score_human(tmp_path, settings):
    pred, gold = _full_xtreme(tmp_path)
    result = _cli(["replicate", "score", "--benchmark", "xtreme", "--predictions", str(pred), "--gold", str(gold)])
    assert result.exit_code == 0
    assert "xtreme score:" in result.stdout and "pawsx" in result.stdout


def test_cli_tasks_commands(settings):
    listing = _cli(["replicate", "tasks", "ls", "--json"])
    assert listing.exit_code == 0
    names = {t["name"] for t in json.loads(listing.stdout)}
    assert {"xnli", "anli_plus", "ccg"} <= names and "xnli_de" not in names
    shown = _cli(["replicate", "tasks", "show", "xnli_de", "--json"])
    assert json.loads(shown.stdout)["task"]["hf"] == {"id": "facebook/xnli", "config": "de"}
    valid = _cli(["replicate", "tasks", "validate", "--json"])
    assert valid.exit_code == 0 and json.loads(valid.stdout) == {"ok": True, "problems": []}
    missing = _cli(["replicate", "tasks", "show", "nope"])
    assert missing.exit_code != 0


def test_cli_score_missing_language_exits_1(tmp_path, settings):
    pred, gold = _full_xtreme(tmp_path)
    (pred / "pawsx" / "test-ko.tsv").unlink()
    result = _cli(["replicate", "score", "--benchmark", "xtreme", "--predictions", str(pred), "--gold", str(gold),
                   "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["tasks"]["pawsx"]["missing_languages"] == ["ko"] and data["score"] is None
