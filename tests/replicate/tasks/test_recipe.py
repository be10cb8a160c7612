"""Recipe fidelity against jiant's X-STILTs scripts and the reference QA / tagging processing: QA windows
advance by doc_stride, long sentences continue in further windows, SQuAD v2 no-answer post-processing, and the
experiment files' epochs, lengths and target-phase early stopping."""

from __future__ import annotations

import datasets
import numpy as np

from synth.replicate.data.loading import featurize, postprocess_qa
from synth.replicate.data.featurize import IGNORE_INDEX, word_predictions
from synth.replicate.pipeline.plan import build_plan
from synth.replicate.data.taskconfig import load_task

CONTEXT = " ".join(f"word{i} is here." for i in range(120))


def _context_offsets(window):
    return [o for o in window if o is not None]


def test_qa_windows_advance_by_doc_stride_whatever_the_question_length(tokenizer):
    task = load_task("squad_v1").model_copy(update={"doc_stride": 8})
    rows = datasets.Dataset.from_list([
        {"id": "short", "title": "", "context": CONTEXT, "question": "why?", "answers": {"text": [], "answer_start": []}},
        {"id": "long", "title": "", "context": CONTEXT, "question": "what is the word that comes after the other one?",
         "answers": {"text": [], "answer_start": []}}])
    features = featurize(task, rows, tokenizer, max_length=48)
    for example in ("short", "long"):
        windows = [_context_offsets(o) for o, e in zip(features["offset_mapping"], features["example_id"]) if e == example]
        assert len(windows) > 3
        for before, after in zip(windows, windows[1:]):
            assert after[0] == before[8]  # the next window starts 8 context tokens later
        assert windows[-1][-1][1] == len(CONTEXT.rstrip())  # the context is covered to its end
    assert features["example_id"][0] == "short"  # the examples' order is kept


def test_long_sentences_continue_in_further_windows_and_every_word_is_scored(tokenizer):
    words = [f"Wort{i}" for i in range(90)]
    tags = [i % 17 for i in range(90)]
    rows = datasets.Dataset.from_list([{"tokens": words, "pos_tags": tags}, {"tokens": ["kurz", "."], "pos_tags": [7, 12]}])
    task = load_task("udpos_de")
    features = featurize(task, rows, tokenizer, max_length=24)
    first = [i for i, e in enumerate(features["example_index"]) if e == 0]
    assert len(first) > 3 and all(len(ids) <= 24 for ids in features["input_ids"])
    labelled = [label for i in first for label in features["labels"][i] if label != IGNORE_INDEX]
    assert labelled == tags  # each word labelled once, in order, across the windows
    word_ids = [w for i in first for w in features["word_ids"][i]]
    token_preds = [label if label != IGNORE_INDEX else 0 for i in first for label in features["labels"][i]]
    assert word_predictions(word_ids, token_preds, len(words), fill=-1) == tags  # nothing filled


def test_squad_v2_predicts_no_answer_when_the_null_score_wins(tokenizer):
    task = load_task("squad_v2")
    assert task.null_answers and task.metrics == ["squad_v2_f1", "squad_v2_em"]
    rows = datasets.Dataset.from_list([{"id": "q", "title": "", "context": "The cat sat on the mat.",
                                        "question": "Who sat?", "answers": {"text": [], "answer_start": []}}])
    features = featurize(task, rows, tokenizer, max_length=64)
    n = len(features["input_ids"][0])
    span = next(k for k, o in enumerate(features["offset_mapping"][0]) if o is not None)
    start, end = np.full((1, n), -5.0), np.full((1, n), -5.0)
    start[0, span], end[0, span] = 3.0, 3.0
    start[0, 0], end[0, 0] = 4.0, 4.0  # CLS: no answer scores 8 > 6
    assert postprocess_qa(rows, features, start, end, null_answers=True) == {"q": ""}
    assert postprocess_qa(rows, features, start, end, null_answers=False)["q"] != ""
    start[0, 0] = 1.0  # now the span wins
    assert postprocess_qa(rows, features, start, end, null_answers=True)["q"] != ""


def test_experiment_files_follow_the_jiant_recipe():
    plan = build_plan("xstilts", "paper")
    targets = {s.config.task: s.config.hyper for s in plan.steps.values() if s.kind == "target"}
    assert targets["tydiqa_en"].epochs == 2 and targets["udpos_en"].epochs == 10 and targets["mnli"].epochs == 2
    assert all((h.eval_every, h.patience, h.dev_examples) == (1000, 30, 500) for h in targets.values())
    assert targets["squad_v1"].effective_batch == 16 and targets["mnli"].effective_batch == 4  # XNLI: batch 4 (paper)
    inter = next(s.config.hyper for s in plan.steps.values() if s.kind == "intermediate")
    assert (inter.eval_every, inter.patience, inter.dev_examples) == (5000, 5, 500)  # the first 500 dev rows
    lengths = {s.meta["target"]: s.config.max_length for s in plan.evals() if s.meta["intermediate"] is None}
    assert lengths == {"xnli": 256, "pawsx": 256, "udpos": 256, "panx": 256, "xquad": 384, "mlqa": 384,
                       "tydiqa": 384, "bucc2018": 512, "tatoeba": 512}
    r = build_plan("xstilts_r", "paper", only=["xcopa"])
    phases = {s.config.task: s.config.hyper.epochs for s in r.steps.values() if s.kind == "target"}
    assert phases == {"siqa": 5, "copa": 5}  # SIQA then COPA, 5 epochs each
