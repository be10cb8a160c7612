"""Scoring a model on task rows (English dev during training; every target language at evaluation) and the
evaluation step that writes leaderboard-layout predictions and the results document."""

from __future__ import annotations

import json
from pathlib import Path

from synth.core.errors import ReplicationError, SynthError
from synth.core.files import write_json

from .evaluate import decode_labels, mine_bitext, predict, retrieve, write_predictions
from .results import write_results
from .step_config import Step, step_dir

# Part of every evaluation step's id: bump it when this code changes what an evaluation produces.
# 2: typed config, per-language data sources and split fallbacks, per-language failure isolation.
VERSION = 2


def _column_values(rows, spec):
    if isinstance(spec, list):
        return [list(v) for v in zip(*(rows[c] for c in spec))]
    values = rows
    for part in spec.split("."):
        values = values[part] if not isinstance(values, list) else [v[part] for v in values]
    return values


def score_rows(model, task, rows, features, labels: list[str], *, language: str | None, batch_size: int,
               pad_id: int, precision: str = "auto") -> tuple[dict[str, float], list]:
    """Metric values (0-100, every metric of the task) and leaderboard predictions for one language."""
    from .featurize import LabelMapper, _feature_names, word_predictions
    from .metrics import compute
    from .data import postprocess_qa

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
                            precision=precision)


BUCC_NEEDS_IDS = ("BUCC mining needs both monolingual sides with sentence ids (source_id/target_id columns, "
                  "as the official download has them); the Hub's bucc18 configs hold the gold pairs only, and "
                  "mining those would be Tatoeba with a margin (near-ceiling F1)")


def _score_retrieval(model, task, features, *, language, batch_size, pad_id, precision="auto"):
    from .metrics import bucc_mine, bucc_optimize_threshold, compute

    names = features.column_names
    if task.metrics[0] == "bucc_f1":
        if "source_id" not in names or "target_id" not in names:
            raise ReplicationError(BUCC_NEEDS_IDS)
        return _score_bucc(model, task, features, language=language, batch_size=batch_size, pad_id=pad_id,
                           precision=precision)
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


def _score_bucc(model, task, features, *, language, batch_size, pad_id, precision="auto"):
    """Mine pairs from the two monolingual sides (rows with an empty id have no sentence on that side), pick
    the threshold that maximises F1 against the gold pairs (rows with both ids), report P / R / F1."""
    from .metrics import bucc_mine, bucc_optimize_threshold, bucc_prf

    sides, ids = {}, {}
    for side in ("source", "target"):
        keep = [i for i, v in enumerate(features[f"{side}_id"]) if v not in (None, "")]
        ids[side] = [features[f"{side}_id"][i] for i in keep]
        rows = [{"input_ids": features[f"{side}_input_ids"][i]} for i in keep]
        sides[side] = predict(model, rows, batch_size=batch_size, pad_id=pad_id, precision=precision)["embeddings"] if rows else []
    gold = [[s, t] for s, t in zip(features["source_id"], features["target_id"]) if s and t]
    if not gold:
        raise ReplicationError("no gold pairs (rows with both a source_id and a target_id)")
    candidates = mine_bitext(sides["source"], sides["target"], ids["source"], ids["target"])
    # tuned on the evaluated split; XTREME applies the dev threshold to test (the task's not_as_published says so)
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
    from .data import featurize

    features = featurize(task, dev_rows, tokenizer, max_length=max_length, labels=labels)

    def score(model) -> float:
        values, _ = score_rows(model, task, dev_rows, features, labels, language="en", batch_size=batch_size,
                               pad_id=pad_id, precision=precision)
        return language_score(values, task)

    return score


def run_eval(step: Step, runs: Path, settings, *, progress: bool = True) -> Path:
    """Evaluate the step's model on every language of the target; write predictions/ and results.json.

    Languages are isolated: one that fails (bad file, missing split, no rows) is recorded with its message
    in results.json and the others are scored; the step then raises (no DONE), and a re-run retries only
    the failed languages (scored ones are kept in languages/<lang>.json)."""
    from .data import featurize, load_refs
    from .model import HeadSpec, build_model, load_checkpoint, load_tokenizer
    from .profiles import load_profile
    from .step_inputs import data_dir as step_data_dir, encoder_source, tokenizer_source
    from .taskconfig import load_task

    c = step.config
    folder = step_dir(runs, step.id)
    task = load_task(c.target)
    source = encoder_source(step, runs, Path(settings.cache))
    if task.type == "retrieval":  # no target training: mean-pooled hidden layer of the (intermediate) encoder
        model = build_model(source, HeadSpec("retrieval", retrieval_layer=c.retrieval_layer))
        labels: list[str] = []
    else:
        model = load_checkpoint(source)
        labels = model.spec.labels
    _to_device(model)
    tokenizer = load_tokenizer(tokenizer_source(source))
    profile = load_profile(c.data.profile)
    data = step_data_dir(step, settings)
    done: dict[str, dict] = {}
    failed: dict[str, str] = {}
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(c.languages), desc=f"eval {task.name}", unit="lang", leave=False)
    for language in c.languages:
        cached = folder / "languages" / f"{language}.json"
        if cached.exists():
            done[language] = json.loads(cached.read_text(encoding="utf-8"))
        else:
            try:
                ref = c.inputs[language]
                lang_task = load_task(ref.task)
                rows = load_refs(lang_task, [ref], data, limit=c.data.max_eval_examples, seed=0)
                if len(rows) == 0:
                    raise ReplicationError(f"no rows in {ref.describe()}")
                if task.metrics[0] == "bucc_f1" and not {"source_id", "target_id"} <= set(rows.column_names):
                    raise ReplicationError(BUCC_NEEDS_IDS)
                features = featurize(lang_task, rows, tokenizer, max_length=c.max_length, labels=labels or None,
                                     cache_dir=Path(settings.cache) / "features")
                values, predictions = score_rows(model, lang_task, rows, features, labels, language=language,
                                                 batch_size=profile.eval_batch_size, pad_id=tokenizer.pad_token_id,
                                                 precision=c.precision)
                write_predictions(folder / "predictions", _scoring_name(task), language, task.type, predictions)
                done[language] = {"values": {k: round(v, 4) for k, v in values.items()},
                                  "score": round(language_score(values, task), 4), "split": ref.split,
                                  "examples": len(rows)}
                write_json(cached, done[language])
            except Exception as exc:  # noqa: BLE001  one bad language must not cost the others
                failed[language] = str(exc) if isinstance(exc, SynthError) else f"{type(exc).__name__}: {exc}"
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    if not done:
        raise ReplicationError(f"step {step.id}: no language of {task.name} could be evaluated: " +
                               "; ".join(f"{k}: {v}" for k, v in failed.items()))
    path = write_results(folder / "results.json", _results_document(step, runs, task, profile, done, failed))
    _write_example_scores(folder, settings)
    if failed:
        raise ReplicationError(f"{task.name}: {len(failed)} of {len(c.languages)} languages failed (the other "
                               f"{len(done)} are scored; a re-run retries these): " +
                               "; ".join(f"{k}: {v}" for k, v in failed.items()))
    return path


def _write_example_scores(folder: Path, settings) -> None:
    """examples.json beside results.json (per-example parts, so the study's intervals can resample test
    examples) for the metrics that have them; checked against the scores just written."""
    from .example_scores import example_scores_for_step, has_parts, write_example_scores
    from .results import read_results
    from .step_config import load_step

    if has_parts(load_step(folder).config.task_type, read_results(folder / "results.json").metric):
        write_example_scores(folder, example_scores_for_step(folder, settings))


def _scoring_name(task) -> str:
    from .benchmarks import load_benchmarks

    return next((spec.scoring_name for bench in load_benchmarks().values() for name, spec in bench.items()
                 if name == task.name), task.family_name)


def _results_document(step: Step, runs: Path, task, profile, done: dict, failed: dict):
    from .metrics import mean_over_languages
    from .results import ResultsDocument, git_commit, library_versions, now_iso
    from .step_config import load_step

    c = step.config
    scores = {lang: entry["score"] for lang, entry in done.items()}
    ancestors = {}
    todo = list(step.parents)
    while todo:
        parent = load_step(step_dir(runs, todo.pop()))
        ancestors[parent.id] = parent.config.model_dump(mode="json")
        todo.extend(parent.parents)
    fallbacks = {lang: f"{c.inputs[lang].split} ({c.inputs[lang].fallback})" for lang in done
                 if c.inputs[lang].fallback}
    return ResultsDocument(
        step_id=step.id, experiment=step.meta["experiment"], profile=profile.name, fidelity=profile.fidelity,
        target=task.name, intermediate=step.meta.get("intermediate"), intermediate_examples=step.meta.get("examples"),
        seed=step.meta.get("seed", 0), paired_seeds=sorted(step.meta.get("seeds") or [step.meta.get("seed", 0)]),
        model=_model_name(step, ancestors), metric=task.primary_metric, split=c.split, split_fallbacks=fallbacks,
        per_language={lang: entry["values"] for lang, entry in done.items()}, score=scores,
        task_score=round(mean_over_languages(scores), 4), failed_languages=failed,
        config={"step": c.model_dump(mode="json"), "ancestors": ancestors}, versions=library_versions(),
        git=git_commit(), created=now_iso(), predictions="predictions",
        not_as_published=task.not_as_published,
    )


def _to_device(model) -> None:
    import torch

    if torch.cuda.is_available():
        model.to("cuda")


def _model_name(step: Step, ancestors: dict) -> str:
    bases = [a.get("base_model") for a in ancestors.values() if a.get("base_model")]
    return bases[0] if bases else (step.config.base_model or "")
