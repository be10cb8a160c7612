"""`synth replicate score` on hostile input (issue 16 item 8): one clean message and exit 2, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from synth.core.errors import UsageError
from synth.replicate.evaluation.scoring import score_benchmark
from tests.cli_harness import make_cli


def _write(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))


GOLD_QA = json.dumps({"data": [{"title": "t", "paragraphs": [{"context": "a cat", "qas": [
    {"id": "q1", "question": "what?", "answers": [{"text": "a cat", "answer_start": 0}]}]}]}]})


def _cli_fails(settings, monkeypatch, pred: Path, gold: Path, message: str) -> None:
    result = make_cli(settings, monkeypatch)("replicate", "score", "--benchmark", "xtreme", "--predictions",
                                             str(pred), "--gold", str(gold))
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert message in result.stderr and "Traceback" not in result.stderr + result.stdout


def test_non_utf8_prediction_file(tmp_path, settings, monkeypatch):
    _write(tmp_path / "gold" / "xnli" / "test-de.tsv", "entailment\n")
    _write(tmp_path / "pred" / "xnli" / "test-de.tsv", b"entailment\xff\xfe\n")
    with pytest.raises(UsageError, match=r"test-de.tsv: not UTF-8 text \(byte 10"):
        score_benchmark("xtreme", tmp_path / "pred", tmp_path / "gold")
    _cli_fails(settings, monkeypatch, tmp_path / "pred", tmp_path / "gold", "not UTF-8 text")


@pytest.mark.parametrize("predictions, message", [
    ("[1, 2, 3]", "expected a JSON object {question id: answer text}, got list"),
    ("null", "expected a JSON object {question id: answer text}, got null"),
    ("7", "expected a JSON object {question id: answer text}, got int"),
    ('{"q1": 5}', "the value of 'q1' is not a string"),
])
def test_qa_predictions_that_are_not_an_id_to_answer_object(tmp_path, settings, monkeypatch, predictions, message):
    _write(tmp_path / "gold" / "xquad" / "test-de.json", GOLD_QA)
    _write(tmp_path / "pred" / "xquad" / "test-de.json", predictions)
    with pytest.raises(UsageError, match=message.replace("{", r"\{").replace("}", r"\}")):
        score_benchmark("xtreme", tmp_path / "pred", tmp_path / "gold")
    _cli_fails(settings, monkeypatch, tmp_path / "pred", tmp_path / "gold", message)


def test_ranking_predictions_of_the_wrong_shape(tmp_path):
    _write(tmp_path / "gold" / "lareqa" / "test-de.json", json.dumps({"q": ["a"]}))
    _write(tmp_path / "pred" / "lareqa" / "test-de.json", json.dumps({"q": "a"}))
    with pytest.raises(UsageError, match="the value of 'q' is not a list of ids"):
        score_benchmark("xtreme-r", tmp_path / "pred", tmp_path / "gold")


def test_gold_without_paragraphs(tmp_path, settings, monkeypatch):
    _write(tmp_path / "gold" / "xquad" / "test-de.json", json.dumps({"data": [{"title": "t", "qas": []}]}))
    _write(tmp_path / "pred" / "xquad" / "test-de.json", json.dumps({"q1": "a cat"}))
    with pytest.raises(UsageError, match="not SQuAD v1.1 JSON \\(missing or malformed 'paragraphs'\\)"):
        score_benchmark("xtreme", tmp_path / "pred", tmp_path / "gold")
    _cli_fails(settings, monkeypatch, tmp_path / "pred", tmp_path / "gold", "missing or malformed 'paragraphs'")


def test_a_folder_named_like_a_prediction_file(tmp_path, settings, monkeypatch):
    _write(tmp_path / "gold" / "xnli" / "test-de.tsv", "entailment\n")
    (tmp_path / "pred" / "xnli" / "test-de.tsv").mkdir(parents=True)
    with pytest.raises(UsageError, match=r"test-de.tsv: not a file \(a folder has this name\)"):
        score_benchmark("xtreme", tmp_path / "pred", tmp_path / "gold")
    _cli_fails(settings, monkeypatch, tmp_path / "pred", tmp_path / "gold", "a folder has this name")


def test_folders_without_any_task_are_an_error_not_an_empty_success(settings, monkeypatch):
    with pytest.raises(UsageError, match="nothing to score: no xtreme task folder exists in both /etc and /etc"):
        score_benchmark("xtreme", "/etc", "/etc")
    _cli_fails(settings, monkeypatch, Path("/etc"), Path("/etc"), "nothing to score")


def test_bucc_lines_without_a_pair_and_precision_recall_reported(tmp_path):
    _write(tmp_path / "gold" / "bucc2018" / "test-de.tsv", "de-1\ten-1\nde-2\ten-2\n")
    _write(tmp_path / "pred" / "bucc2018" / "test-de.tsv", "de-1\ten-1\nde-3\ten-9\n")
    report = score_benchmark("xtreme", tmp_path / "pred", tmp_path / "gold")
    assert report["tasks"]["bucc2018"]["metrics"]["de"] == {"f1": 50.0, "precision": 50.0, "recall": 50.0}
    _write(tmp_path / "pred" / "bucc2018" / "test-de.tsv", "de-1 en-1\n")
    with pytest.raises(UsageError, match=r"test-de.tsv:1: expected '<source id>\\t<target id>'"):
        score_benchmark("xtreme", tmp_path / "pred", tmp_path / "gold")


@pytest.mark.parametrize("args,message", [
    (("replicate", "run", "demo", "--executor", "bogus", "--dry-run"), "unknown executor 'bogus'"),
    (("replicate", "tasks", "ls", "--benchmark", "x"), "no task belongs to benchmark 'x'"),
])
def test_unknown_choices_are_usage_errors(settings, monkeypatch, args, message):
    result = make_cli(settings, monkeypatch)(*args)
    assert result.exit_code == 2 and message in result.stderr, (result.stdout, result.stderr)
