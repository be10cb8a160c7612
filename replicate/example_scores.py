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
from synth.core.files import write_json

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
    """(correct, predicted, gold) seqeval-0.0.12 chunks per sentence (synth.replicate.metrics_tagging)."""
    from .metrics_tagging import get_entities

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


def read_example_scores(folder: Path) -> ExampleScores | None:
    """examples.json of a step folder, or None when the step has none."""
    path = Path(folder) / FILE_NAME
    if not path.exists():
        return None
    try:
        return ExampleScores.model_validate(json.loads(path.read_text(encoding="utf-8")))
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
    path = Path(folder) / FILE_NAME
    write_json(path, doc.model_dump(mode="json", by_alias=True))
    return path
