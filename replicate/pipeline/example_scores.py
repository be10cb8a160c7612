"""Per-example score parts of an evaluation step, so intervals can resample test examples.

Accuracy-like metrics keep one part per example (1 = correct): the score is 100·mean. Span F1 keeps
(correct chunks, predicted chunks, gold chunks) per sentence: corpus F1 = 200·Σcorrect / (Σpredicted + Σgold),
exactly the metric's value, because seqeval chunks never cross a sentence boundary. The parts sit beside
results.json as examples.json; the producer checks that they give back the results document's scores.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from synth.core.errors import ReplicationError
from synth.core.files import write_text

FILE_NAME = "examples.json"
MEAN_METRICS = ("accuracy", "retrieval_accuracy")


class ExampleScores(BaseModel):
    """The schema of examples.json."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_: Literal[1] = Field(1, alias="schema")
    step_id: str
    metric: str
    kind: Literal["mean", "f1"] = Field(description="mean: 100·mean(part); f1: 200·Σc / (Σp + Σg) of (c, p, g)")
    parts: dict[str, list[list[int]]] = Field(description="language -> one row of integer parts per example")

    def arrays(self) -> dict[str, np.ndarray]:
        return {lang: np.asarray(rows, dtype=float).reshape(len(rows), -1) for lang, rows in self.parts.items()}


def score_from_sums(kind: str, sums: np.ndarray) -> np.ndarray:
    """Scores (0-100) from summed parts (..., k): the mean of a 0/1 part needs the example count as k=2nd column."""
    if kind == "mean":
        return 100.0 * sums[..., 0] / np.maximum(sums[..., 1], 1e-12)
    denominator = sums[..., 1] + sums[..., 2]
    return np.where(denominator > 0, 200.0 * sums[..., 0] / np.maximum(denominator, 1e-12), 0.0)


def with_counts(kind: str, parts: np.ndarray) -> np.ndarray:
    """Parts ready for weighted sums: a 'mean' part gets a column of ones (the example count)."""
    return np.concatenate([parts, np.ones_like(parts[:, :1])], axis=1) if kind == "mean" else parts


def sentence_chunk_counts(gold: list[list[str]], predicted: list[list[str]]) -> list[list[int]]:
    """(correct, predicted, gold) seqeval-0.0.12 chunks per sentence (synth.replicate.evaluation.metrics_tagging)."""
    from ..evaluation.metrics_tagging import get_entities

    rows = []
    for g, p in zip(gold, predicted, strict=True):
        true, pred = set(get_entities(list(g))), set(get_entities(list(p)))
        rows.append([len(true & pred), len(pred), len(true)])
    return rows


def parts_for(metric: str, predictions: list, gold: list) -> tuple[str, list[list[int]]]:
    """(kind, parts) of one language from its predictions and gold references."""
    if metric in MEAN_METRICS:
        return "mean", [[int(p == g)] for p, g in zip(predictions, gold, strict=True)]
    if metric == "span_f1":
        return "f1", sentence_chunk_counts(gold, predictions)
    raise ReplicationError(f"per-example parts are not defined for metric {metric!r}",
                           hint=f"supported: {', '.join(MEAN_METRICS)}, span_f1")


def has_parts(task_type: str, metric: str) -> bool:
    """Whether per-example parts are produced for this kind of evaluation (retrieval accuracy, tagging span F1);
    other targets' intervals resample seeds and languages only."""
    return (task_type == "retrieval" and metric in MEAN_METRICS) or metric == "span_f1"


def read_example_scores(folder: Path) -> ExampleScores | None:
    """examples.json of a step folder, or None when the step has none."""
    path = Path(folder) / FILE_NAME
    if not path.exists():
        return None
    from synth.core.jsonio import JsonError, read_json

    try:
        return ExampleScores.model_validate(read_json(path))
    except JsonError as exc:
        raise ReplicationError(f"{path}: not a readable examples document: {exc.message}") from None
    except ValueError as exc:
        raise ReplicationError(f"{path}: not a readable examples document: {exc}") from exc


def check_against(doc: ExampleScores, scores: dict[str, float], tolerance: float = 0.01) -> None:
    """Raise unless the parts give back every language's score of the results document."""
    for lang, parts in doc.arrays().items():
        value = float(score_from_sums(doc.kind, with_counts(doc.kind, parts).sum(axis=0)))
        if lang not in scores or abs(value - scores[lang]) > tolerance:
            raise ReplicationError(f"step {doc.step_id}: per-example parts of {lang} give {value:.4f}, "
                                   f"the results document says {scores.get(lang)}")


def write_example_scores(folder: Path, doc: ExampleScores) -> Path:
    """examples.json, compact (one line per language): thousands of small integer rows stay small on disk."""
    path = Path(folder) / FILE_NAME
    data = doc.model_dump(mode="json", by_alias=True)
    parts = data.pop("parts")
    head = json.dumps(data, sort_keys=True)[:-1]
    body = ",\n".join(f"  {json.dumps(lang)}: {json.dumps(rows, separators=(',', ':'))}"
                      for lang, rows in sorted(parts.items()))
    write_text(path, f"{head}, \"parts\": {{\n{body}\n}}}}\n")
    return path


def _tsv_predictions(folder: Path, language: str) -> list[str] | None:
    files = sorted(Path(folder).glob(f"predictions/*/test-{language}.tsv"))
    return files[0].read_text(encoding="utf-8").split("\n") if files else None


def example_scores_for_step(folder: Path, settings) -> ExampleScores:
    """Parts of one finished eval step from its leaderboard predictions (and, for tagging, the gold rows it was
    scored on, read back from the step's planned inputs); checked against its results.json."""
    from ..data.loading import load_refs
    from .step_config import load_step
    from .results import read_results
    from .step_inputs import data_dir as step_data_dir
    from ..data.taskconfig import load_task

    step = load_step(Path(folder))
    results = read_results(Path(folder) / "results.json")
    c = step.config
    parts: dict[str, list[list[int]]] = {}
    kind = None
    for language in results.score:
        lines = _tsv_predictions(folder, language)
        if lines is None:
            raise ReplicationError(f"step {step.id}: no predictions for {language}")
        if results.metric in MEAN_METRICS and c.task_type == "retrieval":
            predicted = [int(x) for x in lines if x.strip()]
            kind, parts[language] = parts_for(results.metric, predicted, list(range(len(predicted))))
        elif results.metric == "span_f1":
            sentences = "\n".join(lines).strip("\n").split("\n\n")
            predicted = [s.split("\n") for s in sentences]
            ref = c.inputs[language]
            task = load_task(ref.task)
            rows = load_refs(task, [ref], step_data_dir(step, settings), limit=c.data.max_eval_examples, seed=0)
            names = task.labels or []
            tags = rows.features[task.columns["tags"]].feature
            to_name = (lambda t: tags.int2str(t)) if hasattr(tags, "int2str") else (
                lambda t: names[t] if isinstance(t, int) else str(t))
            gold = [[to_name(t) for t in sentence] for sentence in rows[task.columns["tags"]]]
            kind, parts[language] = parts_for(results.metric, predicted, gold)
        else:
            raise ReplicationError(f"step {step.id}: per-example parts for {results.metric} are not implemented")
    doc = ExampleScores(step_id=step.id, metric=results.metric, kind=kind or "mean", parts=parts)
    check_against(doc, results.score)
    return doc


def add_example_scores(runs: Path, settings) -> list[Path]:
    """examples.json for every finished eval step of `runs` that lacks one (idempotent)."""
    written = []
    from .results import read_results
    from .step_config import load_step

    for results in sorted(Path(runs).glob("eval-*/results.json")):
        folder = results.parent
        if (folder / FILE_NAME).exists() or not (folder / "DONE").exists():
            continue
        if not has_parts(load_step(folder).config.task_type, read_results(results).metric):
            continue
        written.append(write_example_scores(folder, example_scores_for_step(folder, settings)))
    return written


if __name__ == "__main__":  # python -m synth.replicate.pipeline.example_scores RUNS
    import sys

    from synth.core.settings import get_settings

    for path in add_example_scores(Path(sys.argv[1]), get_settings()):
        print(path)
