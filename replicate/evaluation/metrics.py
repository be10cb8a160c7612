"""Registered metrics (0-100 scale) with higher_is_better and aggregation, and XTREME / XTREME-R scores.

Every metric is `compute(name, predictions, references, language=None) -> float`. Parity targets: the
official SQuAD / MLQA scripts, seqeval 0.0.12, and google-research/xtreme (evaluate.py, BUCC threshold
search, LAReQA / Mewsli-X mean average precision at 20).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from synth.core.errors import UsageError

from . import metrics_qa as qa
from .metrics_tagging import span_prf


@dataclass(frozen=True)
class Metric:
    """A metric: `fn(predictions, references, language) -> 0-100`, its direction and how it aggregates."""

    name: str
    fn: Callable[[Sequence[Any], Sequence[Any], str | None], float]
    higher_is_better: bool
    aggregation: str  # how examples combine into one number, by name (e.g. "mean over questions")
    description: str


def _check_lengths(predictions: Sequence, references: Sequence) -> None:
    if len(predictions) != len(references):
        raise UsageError(f"{len(predictions)} predictions for {len(references)} references")
    if not references:
        raise UsageError("no examples to score")


def accuracy(predictions: Sequence, references: Sequence, language: str | None = None) -> float:
    """Percentage of predictions equal to their reference (XNLI, PAWS-X, XCOPA, Tatoeba)."""
    _check_lengths(predictions, references)
    return 100.0 * sum(p == r for p, r in zip(predictions, references)) / len(references)


def token_accuracy(predictions: Sequence[Sequence], references: Sequence[Sequence], language=None) -> float:
    """Percentage of correctly tagged tokens over all sentences (CCG supertagging)."""
    _check_lengths(predictions, references)
    total = correct = 0
    for pred, ref in zip(predictions, references):
        if len(pred) != len(ref):
            raise UsageError(f"sentence with {len(pred)} predicted tags for {len(ref)} tokens")
        total += len(ref)
        correct += sum(p == r for p, r in zip(pred, ref))
    return 100.0 * correct / total if total else 0.0


def binary_f1(predictions: Sequence, references: Sequence, language: str | None = None, positive: Any = 1) -> float:
    """F1 of the positive class (label 1), as GLUE reports for QQP."""
    _check_lengths(predictions, references)
    tp = sum(p == positive and r == positive for p, r in zip(predictions, references))
    n_pred = sum(p == positive for p in predictions)
    n_true = sum(r == positive for r in references)
    if tp == 0:
        return 0.0
    precision, recall = tp / n_pred, tp / n_true
    return 100.0 * 2 * precision * recall / (precision + recall)


def span_f1(predictions: Sequence[Sequence[str]], references: Sequence[Sequence[str]], language=None) -> float:
    """seqeval 0.0.12 micro span F1 over all sentences (NER; UD-POS on raw UPOS tags)."""
    _check_lengths(predictions, references)
    return 100.0 * span_prf(references, predictions)["f1"]


def _qa_mean(score_fn, predictions: Sequence[str], references: Sequence[Sequence[str]], **kwargs) -> float:
    _check_lengths(predictions, references)
    total = 0.0
    for prediction, truths in zip(predictions, references):
        truths = [truths] if isinstance(truths, str) else list(truths)
        total += qa.max_over_truths(score_fn, prediction or "", truths, **kwargs)
    return 100.0 * total / len(references)


def _v2_truths(references: Sequence[Sequence[str]]) -> list[list[str]]:
    # SQuAD 2.0: answers that normalise to nothing are dropped; none left means "no answer" = [""].
    return [[t for t in truths if qa.normalize_squad(t)] or [""] for truths in references]


def _need_language(language: str | None, metric: str) -> str:
    if language is None:
        raise UsageError(f"metric {metric} needs the language (ISO code)")
    return language


def bucc_prf(predictions: Sequence[Sequence[str]], references: Sequence[Sequence[str]]) -> dict[str, float]:
    """Precision, recall and F1 (0-100) of predicted (source_id, target_id) pairs against the gold pairs, as
    sets; the official BUCC scorer prints all three."""
    pred, gold = {tuple(p) for p in predictions}, {tuple(r) for r in references}
    correct = len(pred & gold)
    precision = correct / len(pred) if pred else 0.0
    recall = correct / len(gold) if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if correct else 0.0
    return {"precision": 100.0 * precision, "recall": 100.0 * recall, "f1": 100.0 * f1}


def bucc_f1(predictions: Sequence[Sequence[str]], references: Sequence[Sequence[str]], language=None) -> float:
    """F1 of the predicted (source_id, target_id) pairs against the gold pairs, as sets (evaluate.py)."""
    return bucc_prf(predictions, references)["f1"]


def bucc_optimize_threshold(candidates: Sequence[tuple[str, str, float]], gold: Sequence[Sequence[str]]) -> float:
    """The score threshold that maximises F1 when candidates scoring >= threshold are extracted.

    As in xtreme's utils_retrieve.bucc_optimize: walk candidates by descending score and put the threshold
    midway to the next score after the best prefix; when the best prefix is all candidates (where the
    original indexes past the end) the threshold is the last candidate's score.
    """
    gold_set = {tuple(g) for g in gold}
    items = sorted(candidates, key=lambda c: -c[2])
    best_f1, threshold, n_correct = 0.0, 0.0, 0
    for i, (src, trg, score) in enumerate(items):
        n_correct += (src, trg) in gold_set
        if n_correct == 0:
            continue
        precision, recall = n_correct / (i + 1), n_correct / len(gold_set)
        f1 = 2 * precision * recall / (precision + recall)
        if f1 > best_f1:
            best_f1 = f1
            threshold = (score + items[i + 1][2]) / 2 if i + 1 < len(items) else score
    return threshold


def bucc_mine(candidates: Sequence[tuple[str, str, float]], threshold: float) -> list[tuple[str, str]]:
    """The candidate pairs scoring at or above the threshold (xtreme's bucc_extract)."""
    return [(src, trg) for src, trg, score in candidates if score >= threshold]


def _average_precision_at_k(relevant: Sequence[str], ranked: Sequence[str], k: int) -> float:
    relevant_set = set(relevant)
    if not relevant_set:
        raise UsageError("a query without relevant items cannot be scored")
    hits, score, seen = 0, 0.0, set()
    for i, item in enumerate(list(ranked)[:k]):
        if item in relevant_set and item not in seen:
            hits += 1
            score += hits / (i + 1)
        seen.add(item)
    return score / min(len(relevant_set), k)


def map_at_20(predictions: Sequence[Sequence[str]], references: Sequence[Sequence[str]], language=None) -> float:
    """Mean average precision at 20, each query divided by min(#relevant, 20) (LAReQA)."""
    _check_lengths(predictions, references)
    return 100.0 * sum(_average_precision_at_k(r, p, 20) for p, r in zip(predictions, references)) / len(references)


def mrr_at_20(predictions: Sequence[Sequence[str]], references: Sequence[Sequence[str]], language=None) -> float:
    """Mean reciprocal rank of the first relevant item within the top 20 (Mewsli-X's "mAP@20")."""
    _check_lengths(predictions, references)
    total = 0.0
    for ranked, relevant in zip(predictions, references):
        relevant_set = set(relevant)
        for i, item in enumerate(list(ranked)[:20]):
            if item in relevant_set:
                total += 1.0 / (i + 1)
                break
    return 100.0 * total / len(references)


METRICS: dict[str, Metric] = {m.name: m for m in [
    Metric("accuracy", accuracy, True, "mean over examples", "exact-match accuracy of labels"),
    Metric("token_accuracy", token_accuracy, True, "mean over tokens", "per-token tag accuracy"),
    Metric("binary_f1", binary_f1, True, "corpus F1 of label 1", "F1 of the positive class"),
    Metric("span_f1", span_f1, True, "corpus micro F1 over chunks", "seqeval 0.0.12 span F1"),
    Metric("squad_f1", lambda p, r, lang=None: _qa_mean(qa.squad_f1, p, r), True,
           "mean over questions of the max over gold answers", "SQuAD v1.1 token F1"),
    Metric("squad_em", lambda p, r, lang=None: _qa_mean(qa.squad_em, p, r), True,
           "mean over questions of the max over gold answers", "SQuAD v1.1 exact match"),
    Metric("squad_v2_f1", lambda p, r, lang=None: _qa_mean(qa.squad_v2_f1, p, _v2_truths(r)), True,
           "mean over questions of the max over gold answers", "SQuAD 2.0 F1 (no-answer aware)"),
    Metric("squad_v2_em", lambda p, r, lang=None: _qa_mean(qa.squad_em, p, _v2_truths(r)), True,
           "mean over questions of the max over gold answers", "SQuAD 2.0 exact match"),
    Metric("mlqa_f1", lambda p, r, lang=None: _qa_mean(qa.mlqa_f1, p, r, language=_need_language(lang, "mlqa_f1")),
           True, "mean over questions of the max over gold answers", "MLQA language-aware token F1"),
    Metric("mlqa_em", lambda p, r, lang=None: _qa_mean(qa.mlqa_em, p, r, language=_need_language(lang, "mlqa_em")),
           True, "mean over questions of the max over gold answers", "MLQA language-aware exact match"),
    Metric("bucc_f1", bucc_f1, True, "set F1 over mined pairs", "BUCC 2018 bitext mining F1"),
    Metric("bucc_precision", lambda p, r, lang=None: bucc_prf(p, r)["precision"], True, "set precision over mined pairs",
           "BUCC 2018 bitext mining precision"),
    Metric("bucc_recall", lambda p, r, lang=None: bucc_prf(p, r)["recall"], True, "set recall over mined pairs",
           "BUCC 2018 bitext mining recall"),
    Metric("retrieval_accuracy", accuracy, True, "mean over queries", "top-1 retrieval accuracy (Tatoeba)"),
    Metric("map_at_20", map_at_20, True, "mean over queries", "mAP@20, divisor min(#relevant, 20) (LAReQA)"),
    Metric("mrr_at_20", mrr_at_20, True, "mean over queries", "MRR@20 (Mewsli-X 'mAP@20')"),
]}

# QA tasks report (F1 + EM) / 2 as their task score (XTREME evaluate.py's avg_metric).
QA_METRIC_PAIRS = {("squad_f1", "squad_em"), ("mlqa_f1", "mlqa_em"), ("squad_v2_f1", "squad_v2_em")}


def compute(name: str, predictions: Sequence[Any], references: Sequence[Any], language: str | None = None) -> float:
    """Score predictions with a registered metric; 0-100."""
    if name not in METRICS:
        raise UsageError(f"unknown metric {name!r}", hint=f"known: {', '.join(sorted(METRICS))}")
    return float(METRICS[name].fn(predictions, references, language))


def task_language_score(metric_values: Mapping[str, float], metrics: Sequence[str]) -> float:
    """One language's score for a task: (F1 + EM) / 2 for QA, else the primary (first) metric."""
    if tuple(metrics[:2]) in QA_METRIC_PAIRS:
        return (metric_values[metrics[0]] + metric_values[metrics[1]]) / 2
    return metric_values[metrics[0]]


def mean_over_languages(per_language: Mapping[str, float]) -> float:
    """Unweighted mean over languages (every language counts once, whatever its test-set size)."""
    if not per_language:
        raise UsageError("no languages to average")
    return sum(per_language.values()) / len(per_language)


def benchmark_score(per_task_per_language: Mapping[str, Mapping[str, float]]) -> dict[str, Any]:
    """XTREME / XTREME-R aggregation: task = mean over its languages; benchmark = mean over tasks.

    Input: task -> language -> that language's task score (already (F1+EM)/2 for QA).
    Output: {"tasks": {task: score}, "score": mean over tasks}.
    """
    tasks = {task: mean_over_languages(langs) for task, langs in per_task_per_language.items()}
    if not tasks:
        raise UsageError("no tasks to aggregate")
    return {"tasks": tasks, "score": sum(tasks.values()) / len(tasks)}


def xtreme_score(per_task_per_language: Mapping[str, Mapping[str, float]]) -> float:
    """The single benchmark number: unweighted mean over tasks of unweighted means over languages."""
    return benchmark_score(per_task_per_language)["score"]
