"""Scoring a model it is given on task rows: every metric of the task per language, with leaderboard-layout
predictions (English dev during training; every target language in the evaluation step). Evaluation never builds
or loads a model: the pipeline's steps hand one in."""

from __future__ import annotations

from synth.core.errors import ReplicationError

from .predict import decode_labels, mine_bitext, predict, retrieve

__all__ = ["BUCC_NEEDS_IDS", "bucc_threshold", "dev_scorer", "language_score", "score_rows"]


def _column_values(rows, spec):
    if isinstance(spec, list):
        return [list(v) for v in zip(*(rows[c] for c in spec))]
    values = rows
    for part in spec.split("."):
        values = values[part] if not isinstance(values, list) else [v[part] for v in values]
    return values


def score_rows(model, task, rows, features, labels: list[str], *, language: str | None, batch_size: int,
               pad_id: int, precision: str = "auto", bucc_threshold: float | None = None) -> tuple[dict[str, float], list]:
    """Metric values (0-100, every metric of the task) and leaderboard predictions for one language
    (`bucc_threshold`: BUCC's mining threshold from the dev split; None tunes it on these rows)."""
    from ..data.featurize import LabelMapper, _feature_names, word_predictions
    from .metrics import compute
    from ..data.loading import postprocess_qa

    t = task.type
    if t in ("classification", "multiple_choice"):
        out = predict(model, features, batch_size=batch_size, pad_id=pad_id, precision=precision)
        ids = decode_labels(out["logits"], None)
        refs = features["labels"]
        keep = [i for i, r in enumerate(refs) if r != -100]
        values = {m: compute(m, [ids[i] for i in keep], [refs[i] for i in keep], language) for m in task.metrics}
        return values, [labels[i] if labels else i for i in ids]
    if t == "span_qa":
        out = predict(model, features, batch_size=batch_size, pad_id=pad_id, precision=precision)
        answers = postprocess_qa(rows, features, out["start_logits"], out["end_logits"],
                                 id_column=task.columns["id"], context_column=task.columns["context"],
                                 null_answers=task.null_answers)
        ids = [str(i) for i in rows[task.columns["id"]]]
        gold = [list(a["text"]) for a in _column_values(rows, task.columns["answers"])]
        preds = [answers[i] for i in ids]
        values = {m: compute(m, preds, gold, language) for m in task.metrics}
        return values, {i: answers[i] for i in ids}
    if t == "tagging":
        import numpy as np

        out = predict(model, features, batch_size=batch_size, pad_id=pad_id, precision=precision)
        tag_column = task.columns["tags"]
        mapper = LabelMapper(labels, _feature_names(rows, tag_column))
        fill = next((i for i, name in enumerate(labels) if name == "O"), 0)
        windows: dict[int, tuple[list, list]] = {}  # a sentence's windows, in order, concatenated
        for logits, word_ids, sentence in zip(out["logits"], features["word_ids"], features["example_index"]):
            ids, token_preds = windows.setdefault(sentence, ([], []))
            ids.extend(word_ids)
            token_preds.extend(np.argmax(logits, axis=-1).tolist())
        preds, gold = [], []
        for sentence, tags in enumerate(rows[tag_column]):
            word_ids, token_preds = windows.get(sentence, ([], []))
            preds.append([labels[i] for i in word_predictions(word_ids, token_preds, len(tags), fill)])
            gold.append([labels[mapper(tag)] for tag in tags])
        values = {m: compute(m, preds, gold, language) for m in task.metrics}
        return values, preds
    return _score_retrieval(model, task, features, language=language, batch_size=batch_size, pad_id=pad_id,
                            precision=precision, bucc_threshold=bucc_threshold)


BUCC_NEEDS_IDS = ("BUCC mining needs both monolingual sides with sentence ids (source_id/target_id columns, "
                  "as the official download has them); the Hub's bucc18 configs hold the gold pairs only, and "
                  "mining those would be Tatoeba with a margin (near-ceiling F1)")


def _score_retrieval(model, task, features, *, language, batch_size, pad_id, precision="auto", bucc_threshold=None):
    from .metrics import compute

    names = features.column_names
    if task.metrics[0] == "bucc_f1":
        if "source_id" not in names or "target_id" not in names:
            raise ReplicationError(BUCC_NEEDS_IDS)
        return _score_bucc(model, task, features, language=language, batch_size=batch_size, pad_id=pad_id,
                           precision=precision, threshold=bucc_threshold)
    sides = {}
    for side in ("source", "target"):
        rows = [{"input_ids": ids} for ids in features[f"{side}_input_ids"]]
        sides[side] = predict(model, rows, batch_size=batch_size, pad_id=pad_id, precision=precision)["embeddings"]
    n = len(sides["source"])
    tgt_ids = features["target_id"] if "target_id" in names else [str(i) for i in range(n)]
    metric = task.metrics[0]
    if metric in ("map_at_20", "mrr_at_20"):
        import numpy as np

        src = np.asarray(sides["source"]); tgt = np.asarray(sides["target"])
        src = src / np.clip(np.linalg.norm(src, axis=1, keepdims=True), 1e-9, None)
        tgt = tgt / np.clip(np.linalg.norm(tgt, axis=1, keepdims=True), 1e-9, None)
        ranked = [[tgt_ids[j] for j in np.argsort(-row)[:20]] for row in src @ tgt.T]
        gold = [[tgt_ids[i]] for i in range(n)]
        return {m: compute(m, ranked, gold, language) for m in task.metrics}, ranked
    nearest = retrieve(sides["source"], sides["target"])  # Tatoeba: row i's gold target is row i
    return {m: compute(m, nearest, list(range(n)), language) for m in task.metrics}, nearest


def _bucc_candidates(model, features, *, batch_size, pad_id, precision="auto"):
    """(mined candidates with margin scores, gold pairs) of one BUCC split: embed both monolingual sides (rows
    with an empty id have no sentence on that side), mine, and read the gold pairs (rows with both ids)."""
    sides, ids = {}, {}
    for side in ("source", "target"):
        keep = [i for i, v in enumerate(features[f"{side}_id"]) if v not in (None, "")]
        ids[side] = [features[f"{side}_id"][i] for i in keep]
        rows = [{"input_ids": features[f"{side}_input_ids"][i]} for i in keep]
        sides[side] = predict(model, rows, batch_size=batch_size, pad_id=pad_id, precision=precision)["embeddings"] if rows else []
    gold = [[s, t] for s, t in zip(features["source_id"], features["target_id"]) if s and t]
    if not gold:
        raise ReplicationError("no gold pairs (rows with both a source_id and a target_id)")
    return mine_bitext(sides["source"], sides["target"], ids["source"], ids["target"]), gold


def bucc_threshold(model, features, *, batch_size, pad_id, precision="auto") -> float:
    """The mining threshold that maximises F1 on this split (XTREME: chosen on dev, applied to test)."""
    from .metrics import bucc_optimize_threshold

    if "source_id" not in features.column_names or "target_id" not in features.column_names:
        raise ReplicationError(BUCC_NEEDS_IDS)
    candidates, gold = _bucc_candidates(model, features, batch_size=batch_size, pad_id=pad_id, precision=precision)
    return bucc_optimize_threshold(candidates, gold)


def _score_bucc(model, task, features, *, language, batch_size, pad_id, precision="auto", threshold=None):
    """Mine pairs, keep those above the threshold (given: the dev split's; None: the one that maximises F1 on
    this split), report P / R / F1."""
    from .metrics import bucc_mine, bucc_optimize_threshold, bucc_prf

    candidates, gold = _bucc_candidates(model, features, batch_size=batch_size, pad_id=pad_id, precision=precision)
    if threshold is None:
        threshold = bucc_optimize_threshold(candidates, gold)
    pairs = [list(p) for p in bucc_mine(candidates, threshold)]
    prf = bucc_prf(pairs, gold)
    values = {"bucc_f1": prf["f1"], "bucc_precision": prf["precision"], "bucc_recall": prf["recall"]}
    return {m: values[m] for m in dict.fromkeys([*task.metrics, "bucc_precision", "bucc_recall"])}, pairs


def language_score(values: dict[str, float], task) -> float:
    from .metrics import task_language_score

    return task_language_score(values, task.metrics)


def dev_scorer(task, dev_rows, tokenizer, labels, *, max_length: int, pad_id: int, batch_size: int = 64,
               precision: str = "auto"):
    """A callable model -> English dev task score (higher is better), featurising the dev rows once."""
    from ..data.loading import featurize

    features = featurize(task, dev_rows, tokenizer, max_length=max_length, labels=labels)

    def score(model) -> float:
        values, _ = score_rows(model, task, dev_rows, features, labels, language="en", batch_size=batch_size,
                               pad_id=pad_id, precision=precision)
        return language_score(values, task)

    return score
