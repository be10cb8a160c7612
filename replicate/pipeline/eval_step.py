"""The evaluation step: load the step's model, score it on every language of its target (synth.replicate.evaluation),
and write leaderboard-layout predictions, per-language scores and the results document into runs/<step-id>/."""

from __future__ import annotations

from pathlib import Path

from synth.core.errors import ReplicationError, SynthError
from synth.core.files import write_json
from synth.core.jsonio import read_json

from ..evaluation.predict import write_predictions
from ..evaluation.score import BUCC_NEEDS_IDS, bucc_threshold, language_score, score_rows
from .results import write_results
from .step_config import Step, step_dir

# Part of every evaluation step's id: bump it when this code changes what an evaluation produces.
# 2: typed config, per-language data sources and split fallbacks, per-language failure isolation.
VERSION = 2


def run_eval(step: Step, runs: Path, settings, *, progress: bool = True) -> Path:
    """Evaluate the step's model on every language of the target; write predictions/ and results.json.

    Languages are isolated: one that fails (bad file, missing split, no rows) is recorded with its message
    in results.json and the others are scored; the step then raises (no DONE), and a re-run retries only
    the failed languages (scored ones are kept in languages/<lang>.json)."""
    from ..data.loading import featurize, load_refs
    from ..training.model import HeadSpec, build_model, load_checkpoint, load_tokenizer
    from .profiles import load_profile
    from .step_inputs import data_dir as step_data_dir, encoder_source, tokenizer_source
    from ..data.taskconfig import load_task

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
            done[language] = read_json(cached)  # damaged or hostile: one error naming the file
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
                threshold = None
                if language in c.threshold_inputs:  # BUCC: the dev split's threshold, applied to this split
                    dev_ref = c.threshold_inputs[language]
                    dev_rows = load_refs(load_task(dev_ref.task), [dev_ref], data, limit=c.data.max_eval_examples,
                                         seed=0)
                    dev_features = featurize(lang_task, dev_rows, tokenizer, max_length=c.max_length,
                                             cache_dir=Path(settings.cache) / "features")
                    threshold = bucc_threshold(model, dev_features, batch_size=profile.eval_batch_size,
                                               pad_id=tokenizer.pad_token_id, precision=c.precision)
                values, predictions = score_rows(model, lang_task, rows, features, labels, language=language,
                                                 batch_size=profile.eval_batch_size, pad_id=tokenizer.pad_token_id,
                                                 precision=c.precision, bucc_threshold=threshold)
                write_predictions(folder / "predictions", _scoring_name(task), language, task.type, predictions)
                done[language] = {"values": {k: round(v, 4) for k, v in values.items()},
                                  "score": round(language_score(values, task), 4), "split": ref.split,
                                  "examples": len(rows)}
                if threshold is not None:
                    done[language]["threshold_from"] = c.threshold_inputs[language].split
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
    from ..data.benchmarks import load_benchmarks

    return next((spec.scoring_name for bench in load_benchmarks().values() for name, spec in bench.items()
                 if name == task.name), task.family_name)


def _results_document(step: Step, runs: Path, task, profile, done: dict, failed: dict):
    from ..evaluation.metrics import mean_over_languages
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
