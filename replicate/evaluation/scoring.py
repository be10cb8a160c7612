"""Leaderboard-compatible scoring of prediction folders laid out as google-research/xtreme's evaluate.py reads them.

Layout (predictions and gold alike): <dir>/<task>/test-<lang>.<ext> with
  tsv, one label per line        pawsx, xnli, xcopa, tatoeba (index of the retrieved sentence)
  tsv, tags, blank line between  panx, udpos
  tsv, "<src-id>\\t<trg-id>"      bucc2018 (mined pairs)
  json                           xquad, mlqa, tydiqa (gold: SQuAD v1.1 JSON; predictions: {id: answer})
  json {id: [ranked ids]}        mewslix, lareqa (gold: {id: [relevant ids]})
A task is scored when its folder exists on both sides, over every language of the benchmark's task; the
benchmark score is reported only when every task is complete (as evaluate.py does).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from synth.core.errors import UsageError

from . import metrics
from ..data.benchmarks import benchmark_tasks
from .metrics_tagging import span_prf
from ..data.taskconfig import load_task

QA_TASKS = {"xquad", "mlqa", "tydiqa"}
RANKING_TASKS = {"mewslix", "lareqa"}
TAG_TASKS = {"panx", "udpos"}


@dataclass
class TaskScore:
    """One task: per-language metric values and the task score (mean over languages of the primary score)."""

    task: str
    scoring_name: str
    per_language: dict[str, dict[str, float]] = field(default_factory=dict)
    language_scores: dict[str, float] = field(default_factory=dict)
    score: float | None = None
    missing: list[str] = field(default_factory=list)


def _read_text(path: Path) -> str:
    """A prediction or gold file's text; UsageError for folders, unreadable files and non-UTF-8 bytes."""
    if not path.is_file():
        raise UsageError(f"{path}: not a file" + (" (a folder has this name)" if path.is_dir() else ""))
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason})") from exc
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc.strerror or exc})") from exc


def read_labels(path: Path) -> list[str]:
    """One label per line, stripped (evaluate.py read_label)."""
    return [line.strip() for line in _read_text(path).splitlines()]


def read_tags(path: Path) -> list[list[str]]:
    """Tag sequences separated by blank lines (evaluate.py read_tag)."""
    sentences, current = [], []
    for line in _read_text(path).splitlines():
        line = line.strip()
        if line:
            current.append(line)
        else:
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    return sentences


def read_json(path: Path) -> Any:
    from synth.core.jsonio import JsonError, loads

    try:
        return loads(_read_text(path), what=str(path))
    except JsonError as exc:
        raise UsageError(f"{path}: invalid JSON ({exc.message})") from None


def _json_object(path: Path, what: str, value_check, value_text: str) -> dict:
    data = read_json(path)
    if not isinstance(data, dict):
        raise UsageError(f"{path}: expected a JSON object {what}, got {type(data).__name__ if data is not None else 'null'}")
    bad = next((k for k, v in data.items() if not value_check(v)), None)
    if bad is not None:
        raise UsageError(f"{path}: the value of {bad!r} is not {value_text}")
    return data


def read_qa_gold(path: Path) -> list[tuple[str, list[str]]]:
    """(question id, gold answer texts) from SQuAD v1.1 JSON; UsageError naming what is missing."""
    gold = read_json(path)
    articles = gold["data"] if isinstance(gold, dict) and "data" in gold else gold
    if not isinstance(articles, list):
        raise UsageError(f"{path}: not SQuAD v1.1 JSON (expected {{\"data\": [articles]}})")
    out = []
    try:
        for article in articles:
            for paragraph in article["paragraphs"]:
                for qa in paragraph["qas"]:
                    out.append((str(qa["id"]), [str(a["text"]) for a in qa["answers"]]))
    except (KeyError, TypeError) as exc:
        missing = exc.args[0] if isinstance(exc, KeyError) else str(exc)
        raise UsageError(f"{path}: not SQuAD v1.1 JSON (missing or malformed {missing!r})") from exc
    return out


def score_language(scoring_name: str, prediction_file: Path, gold_file: Path, language: str) -> dict[str, float]:
    """Metric values (0-100) for one task and language, from one prediction and one gold file."""
    if scoring_name in QA_TASKS:
        gold = read_qa_gold(gold_file)
        predictions = _json_object(prediction_file, "{question id: answer text}", lambda v: isinstance(v, str),
                                   "a string")
        answers = [texts for _, texts in gold]
        preds = [predictions.get(qid, "") for qid, _ in gold]  # official script: unanswered questions score 0
        names = ("mlqa_f1", "mlqa_em") if scoring_name == "mlqa" else ("squad_f1", "squad_em")
        return {"f1": metrics.compute(names[0], preds, answers, language),
                "exact_match": metrics.compute(names[1], preds, answers, language)}
    if scoring_name in RANKING_TASKS:
        ranked_ids = (lambda v: isinstance(v, list) and all(isinstance(x, (str, int)) for x in v))
        gold = _json_object(gold_file, "{id: [relevant ids]}", ranked_ids, "a list of ids")
        predictions = _json_object(prediction_file, "{id: [ranked ids]}", ranked_ids, "a list of ids")
        ids = list(gold)
        ranked = [predictions.get(i, []) for i in ids]
        name = "mrr_at_20" if scoring_name == "mewslix" else "map_at_20"
        return {"map@20" if name == "map_at_20" else "mrr@20": metrics.compute(name, ranked, [gold[i] for i in ids])}
    if scoring_name in TAG_TASKS:
        gold, predictions = read_tags(gold_file), read_tags(prediction_file)
        _same_length(gold, predictions, prediction_file)
        prf = span_prf(gold, predictions)
        return {k: 100.0 * v for k, v in prf.items()}
    if scoring_name == "bucc2018":
        gold, predictions = _pairs(gold_file), _pairs(prediction_file)
        if not gold:
            raise UsageError(f"{gold_file}: no gold pairs")
        prf = metrics.bucc_prf(predictions, gold)
        return {"f1": prf["f1"], "precision": prf["precision"], "recall": prf["recall"]}
    gold, predictions = read_labels(gold_file), read_labels(prediction_file)
    _same_length(gold, predictions, prediction_file)
    return {"accuracy": metrics.compute("accuracy", predictions, gold)}


def _pairs(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for number, line in enumerate(read_labels(path), 1):
        if not line:
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not all(parts):
            raise UsageError(f"{path}:{number}: expected '<source id>\\t<target id>'")
        pairs.append((parts[0], parts[1]))
    return pairs


def _same_length(gold: list, predictions: list, path: Path) -> None:
    if len(gold) != len(predictions):
        raise UsageError(f"{path}: {len(predictions)} predictions for {len(gold)} gold examples")


def _primary(scoring_name: str, values: dict[str, float]) -> float:
    if scoring_name in QA_TASKS:
        return (values["f1"] + values["exact_match"]) / 2
    return values.get("f1", values.get("accuracy", values.get("map@20", values.get("mrr@20"))))


def score_benchmark(benchmark: str, predictions_dir: Path | str, gold_dir: Path | str) -> dict[str, Any]:
    """Score a predictions folder against a gold folder: per task, per language, and overall (0-100)."""
    predictions_dir, gold_dir = Path(predictions_dir), Path(gold_dir)
    for folder in (predictions_dir, gold_dir):
        if not folder.is_dir():
            raise UsageError(f"{folder} is not a folder")
    results: dict[str, TaskScore] = {}
    skipped = []
    for task_name, member in benchmark_tasks(benchmark).items():
        name = member.scoring_name
        if not (predictions_dir / name).is_dir() or not (gold_dir / name).is_dir():
            skipped.append(task_name)
            continue
        task = load_task(task_name)
        entry = TaskScore(task=task_name, scoring_name=name)
        ext = "json" if name in QA_TASKS | RANKING_TASKS else "tsv"
        for lang in task.languages:
            pred_file, gold_file = (d / name / f"test-{lang}.{ext}" for d in (predictions_dir, gold_dir))
            if not pred_file.exists() or not gold_file.exists():
                entry.missing.append(lang)
                continue
            values = score_language(name, pred_file, gold_file, lang)
            entry.per_language[lang] = values
            entry.language_scores[lang] = _primary(name, values)
        if not entry.missing:
            entry.score = metrics.mean_over_languages(entry.language_scores)
        results[task_name] = entry
    if not results:
        expected = ", ".join(sorted({m.scoring_name for m in benchmark_tasks(benchmark).values()}))
        raise UsageError(f"nothing to score: no {benchmark} task folder exists in both {predictions_dir} and {gold_dir}",
                         hint=f"expected <task>/test-<lang>.<tsv|json> with <task> one of {expected}")
    complete = {t: e.language_scores for t, e in results.items() if e.score is not None}
    overall = None
    if not skipped and len(complete) == len(results):
        overall = metrics.benchmark_score(complete)["score"]
    return {
        "benchmark": benchmark,
        "aggregation": "task = unweighted mean over its languages (QA: (F1+EM)/2); benchmark = mean over tasks",
        "score": overall,
        "tasks": {t: {"scoring_name": e.scoring_name, "score": e.score, "languages": e.language_scores,
                      "metrics": e.per_language, "missing_languages": e.missing} for t, e in results.items()},
        "skipped_tasks": skipped,
    }
