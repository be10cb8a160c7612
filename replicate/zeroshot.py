"""Scoring a model on task rows (English dev during training; every target language at evaluation) and the
evaluation step that writes leaderboard-layout predictions and the results document."""

from __future__ import annotations

from pathlib import Path

from synth.core.errors import ReplicationError

from .evaluate import decode_labels, margin_candidates, predict, retrieve, write_predictions
from .pipeline import Step, step_dir


def _column_values(rows, spec):
    if isinstance(spec, list):
        return [list(v) for v in zip(*(rows[c] for c in spec))]
    values = rows
    for part in spec.split("."):
        values = values[part] if not isinstance(values, list) else [v[part] for v in values]
    return values


def score_rows(model, task, rows, features, labels: list[str], *, language: str | None, batch_size: int,
               pad_id: int) -> tuple[dict[str, float], list]:
    """Metric values (0-100, every metric of the task) and leaderboard predictions for one language."""
    from .featurize import LabelMapper, _feature_names, word_predictions
    from .metrics import compute
    from .data import postprocess_qa

    t = task.type
    if t in ("classification", "multiple_choice"):
        out = predict(model, features, batch_size=batch_size, pad_id=pad_id)
        ids = decode_labels(out["logits"], None)
        refs = features["labels"]
        keep = [i for i, r in enumerate(refs) if r != -100]
        values = {m: compute(m, [ids[i] for i in keep], [refs[i] for i in keep], language) for m in task.metrics}
        return values, [labels[i] if labels else i for i in ids]
    if t == "span_qa":
        out = predict(model, features, batch_size=batch_size, pad_id=pad_id)
        answers = postprocess_qa(rows, features, out["start_logits"], out["end_logits"],
                                 id_column=task.columns["id"], context_column=task.columns["context"])
        ids = [str(i) for i in rows[task.columns["id"]]]
        gold = [list(a["text"]) for a in _column_values(rows, task.columns["answers"])]
        preds = [answers[i] for i in ids]
        values = {m: compute(m, preds, gold, language) for m in task.metrics}
        return values, {i: answers[i] for i in ids}
    if t == "tagging":
        import numpy as np

        out = predict(model, features, batch_size=batch_size, pad_id=pad_id)
        tag_column = task.columns["tags"]
        mapper = LabelMapper(labels, _feature_names(rows, tag_column))
        fill = next((i for i, name in enumerate(labels) if name == "O"), 0)
        preds, gold = [], []
        for logits, word_ids, tags in zip(out["logits"], features["word_ids"], rows[tag_column]):
            token_preds = np.argmax(logits, axis=-1).tolist()
            preds.append([labels[i] for i in word_predictions(word_ids, token_preds, len(tags), fill)])
            gold.append([labels[mapper(tag)] for tag in tags])
        values = {m: compute(m, preds, gold, language) for m in task.metrics}
        return values, preds
    return _score_retrieval(model, task, features, language=language, batch_size=batch_size, pad_id=pad_id)


def _score_retrieval(model, task, features, *, language, batch_size, pad_id):
    from .metrics import bucc_mine, bucc_optimize_threshold, compute

    sides = {}
    for side in ("source", "target"):
        rows = [{"input_ids": ids} for ids in features[f"{side}_input_ids"]]
        sides[side] = predict(model, rows, batch_size=batch_size, pad_id=pad_id)["embeddings"]
    n = len(sides["source"])
    names = features.column_names
    src_ids = features["source_id"] if "source_id" in names else [str(i) for i in range(n)]
    tgt_ids = features["target_id"] if "target_id" in names else [str(i) for i in range(n)]
    metric = task.metrics[0]
    if metric == "bucc_f1":
        candidates = margin_candidates(sides["source"], sides["target"], src_ids, tgt_ids)
        gold = [[s, t] for s, t in zip(src_ids, tgt_ids)]
        threshold = bucc_optimize_threshold(candidates, gold)  # tuned on the evaluated split, as for dev
        pairs = [list(p) for p in bucc_mine(candidates, threshold)]
        return {m: compute(m, pairs, gold, language) for m in task.metrics}, pairs
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


def language_score(values: dict[str, float], task) -> float:
    from .metrics import task_language_score

    return task_language_score(values, task.metrics)


def dev_scorer(task, dev_rows, tokenizer, labels, *, max_length: int, pad_id: int, batch_size: int = 64):
    """A callable model -> English dev task score (higher is better), featurising the dev rows once."""
    from .data import featurize

    features = featurize(task, dev_rows, tokenizer, max_length=max_length, labels=labels)

    def score(model) -> float:
        values, _ = score_rows(model, task, dev_rows, features, labels, language="en", batch_size=batch_size,
                               pad_id=pad_id)
        return language_score(values, task)

    return score


def run_eval(step: Step, runs: Path, settings, *, progress: bool = True) -> Path:
    """Evaluate the step's model on every language of the target; write predictions/ and results.json."""
    from .benchmarks import load_benchmarks
    from .data import featurize, load_split
    from .model import HeadSpec, build_model, load_checkpoint, load_tokenizer
    from .metrics import mean_over_languages
    from .profiles import load_profile
    from .results import ResultsDocument, git_commit, library_versions, now_iso, write_results
    from .step_inputs import data_dir as step_data_dir, encoder_source, load_step, tokenizer_source
    from .taskconfig import load_task

    c = step.config
    folder = step_dir(runs, step.id)
    task = load_task(c["target"])
    source = encoder_source(step, runs, Path(settings.cache))
    if task.type == "retrieval":  # no target training: mean-pooled hidden layer of the (intermediate) encoder
        model = build_model(source, HeadSpec("retrieval", retrieval_layer=c["retrieval_layer"]))
        labels: list[str] = []
    else:
        model = load_checkpoint(source)
        labels = model.spec.labels
    _to_device(model)
    tokenizer = load_tokenizer(tokenizer_source(source))
    profile = load_profile(c["data"]["profile"])
    scoring = next((spec.scoring_name for bench in load_benchmarks().values() for name, spec in bench.items()
                    if name == task.name), task.family_name)
    per_language, scores = {}, {}
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(c["languages"]), desc=f"eval {task.name}", unit="lang", leave=False)
    for language in c["languages"]:
        rows = load_split(task, c["split"], language=language, data_dir=step_data_dir(c, settings),
                          limit=c["data"]["max_eval_examples"], seed=0)
        lang_task = task.for_language(language) if task.language is None and len(task.languages) > 1 else task
        features = featurize(lang_task, rows, tokenizer, max_length=c["max_length"],
                             labels=labels or None, cache_dir=Path(settings.cache) / "features")
        values, predictions = score_rows(model, lang_task, rows, features, labels, language=language,
                                         batch_size=profile.eval_batch_size, pad_id=tokenizer.pad_token_id)
        per_language[language] = {k: round(v, 4) for k, v in values.items()}
        scores[language] = round(language_score(values, task), 4)
        write_predictions(folder / "predictions", scoring, language, task.type, predictions)
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    if not scores:
        raise ReplicationError(f"step {step.id}: target {task.name} has no languages to evaluate")
    ancestors = {}
    todo = list(step.parents)
    while todo:
        parent = load_step(step_dir(runs, todo.pop()))
        ancestors[parent.id] = {"kind": parent.kind, **parent.config}
        todo.extend(parent.parents)
    doc = ResultsDocument(
        step_id=step.id, experiment=step.meta["experiment"], profile=profile.name, fidelity=profile.fidelity,
        target=task.name, intermediate=step.meta.get("intermediate"), intermediate_examples=step.meta.get("examples"),
        seed=step.meta.get("seed", 0), model=_model_name(step, ancestors), metric=task.primary_metric,
        per_language=per_language, score=scores, task_score=round(mean_over_languages(scores), 4),
        config={"step": {"kind": step.kind, **c}, "ancestors": ancestors}, versions=library_versions(),
        git=git_commit(), created=now_iso(), predictions="predictions",
    )
    return write_results(folder / "results.json", doc)


def _to_device(model) -> None:
    import torch

    if torch.cuda.is_available():
        model.to("cuda")


def _model_name(step: Step, ancestors: dict) -> str:
    bases = [a.get("base_model") for a in ancestors.values() if a.get("base_model")]
    return bases[0] if bases else step.config.get("base_model", "")
