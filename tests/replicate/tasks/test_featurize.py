"""Featurisation per task type with a locally trained tokenizer: shapes, label alignment, QA round trip, cache."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from synth.replicate.data.loading import featurize, fixtures_dir, load_split, postprocess_qa
from synth.replicate.data.featurize import IGNORE_INDEX, word_predictions
from synth.replicate.data.taskconfig import load_task


def test_classification_pairs(tokenizer):
    rows = load_split("xnli", "test", "de", data_dir=fixtures_dir())
    features = featurize("xnli", rows, tokenizer)
    assert features.column_names == ["input_ids", "attention_mask", "labels"]
    assert features["labels"] == rows["label"]
    ids = features[0]["input_ids"]
    assert ids[0] == tokenizer.cls_token_id and ids.count(tokenizer.sep_token_id) >= 2  # a pair
    assert len({len(f) for f in features["input_ids"]}) > 1  # not padded


def test_string_labels_map_to_task_order(tokenizer):
    rows = load_split("commonsenseqa", "validation", data_dir=fixtures_dir())
    features = featurize("commonsenseqa", rows, tokenizer)
    assert features["labels"] == ["ABCDE".index(k) for k in rows["answerKey"]]
    siqa = load_split("siqa", "validation", data_dir=fixtures_dir())
    assert featurize("siqa", siqa, tokenizer)["labels"] == [int(v) - 1 for v in siqa["label"]]


def test_multiple_choice_shape_and_copa_question(tokenizer):
    rows = load_split("hellaswag", "validation", data_dir=fixtures_dir())
    features = featurize("hellaswag", rows, tokenizer)
    assert all(len(choices) == 4 for choices in features["input_ids"])
    copa = load_split("copa", "validation", data_dir=fixtures_dir())
    first = featurize("copa", copa, tokenizer)[0]["input_ids"][0]
    question = load_task("copa").question_templates[copa[0]["question"]]
    assert question.rstrip("?") in tokenizer.decode(first)


def test_tagging_first_subtoken_labels(tokenizer):
    rows = load_split("panx", "test", "de", data_dir=fixtures_dir())
    features = featurize("panx", rows, tokenizer)
    for row, feature in zip(rows, features):
        firsts = [lab for lab, w, prev in zip(feature["labels"], feature["word_ids"], [-2] + feature["word_ids"][:-1])
                  if w >= 0 and w != prev]
        assert firsts == row["ner_tags"]
        others = [lab for lab, w, prev in zip(feature["labels"], feature["word_ids"], [-2] + feature["word_ids"][:-1])
                  if not (w >= 0 and w != prev)]
        assert set(others) <= {IGNORE_INDEX}
    assert word_predictions([-1, 0, 0, 1, -1], [9, 4, 5, 6, 9], n_words=3, fill=0) == [4, 6, 0]


def test_tagging_language_specific_columns(tokenizer):
    rows = load_split("udpos_r", "test", "lt", data_dir=fixtures_dir())  # universal_dependencies schema
    features = featurize("udpos_r", rows, tokenizer, language="lt")
    upos = load_task("udpos").labels
    first = [lab for lab in features[0]["labels"] if lab != IGNORE_INDEX]
    assert first == [upos.index(t) for t in rows[0]["upos"]]


def test_ccg_labels_from_training_split(tokenizer):
    train = load_split("ccg", "train", data_dir=fixtures_dir())
    labels = sorted({t for row in train["tags"] for t in row})
    features = featurize("ccg", load_split("ccg", "validation", data_dir=fixtures_dir()), tokenizer, labels=labels)
    assert max(max(row) for row in features["labels"]) < len(labels)


def test_retrieval_encodes_both_sides(tokenizer):
    rows = load_split("mewslix", "test", "de", data_dir=fixtures_dir())
    features = featurize("mewslix", rows, tokenizer)
    assert {"source_input_ids", "target_input_ids", "source_id", "target_id"} <= set(features.column_names)
    assert features["target_id"] == rows["target_id"]


@pytest.mark.parametrize("lang", ["en", "de", "ar"])
def test_span_qa_oracle_round_trip_on_real_xquad(tokenizer, shared_data, tmp_path, lang):
    (tmp_path / "xquad").mkdir()
    shutil.copy(shared_data / "xquad" / f"xquad.{lang}.first-article-2paras.json", tmp_path / "xquad" / f"xquad.{lang}.json")
    rows = load_split("xquad", "test", lang, data_dir=tmp_path)
    features = featurize("xquad", rows, tokenizer, max_length=192)
    assert len(features) > len(rows)  # long contexts are split into several windows (doc stride)
    starts, ends = [], []
    for feature in features:  # logits that point at the gold span: decoding must give the answer text back
        s = np.full(len(feature["input_ids"]), -10.0)
        e = s.copy()
        s[feature["start_positions"]], e[feature["end_positions"]] = 5.0, 5.0
        starts.append(s)
        ends.append(e)
    answers = postprocess_qa(rows, features, starts, ends)
    assert all(answers[row["id"]] == row["answers"]["text"][0] for row in rows)


def test_span_qa_windows_without_answer_point_at_cls(tokenizer):
    rows = load_split("squad_v2", "validation", data_dir=fixtures_dir())
    features = featurize("squad_v2", rows, tokenizer)
    unanswerable = {r["id"] for r in rows if not r["answers"]["text"]}
    assert unanswerable
    for feature in features:
        if feature["example_id"] in unanswerable:
            assert feature["start_positions"] == feature["end_positions"] == 0


def test_feature_cache_reused_and_keyed_by_task_version(tokenizer, tmp_path):
    rows = load_split("sst2", "validation", data_dir=fixtures_dir())
    first = featurize("sst2", rows, tokenizer, cache_dir=tmp_path)
    files = sorted((tmp_path / "features").glob("*.arrow"))
    assert len(files) == 1 and files[0].name.startswith("sst2-v1-")
    second = featurize("sst2", rows, tokenizer, cache_dir=tmp_path)
    assert second["input_ids"] == first["input_ids"]
    assert sorted((tmp_path / "features").glob("*.arrow")) == files  # reused, not rewritten
    bumped = load_task("sst2").model_copy(update={"version": 2})
    featurize(bumped, rows, tokenizer, cache_dir=tmp_path)
    assert len(list((tmp_path / "features").glob("*.arrow"))) == 2


def test_postprocess_qa_limits_and_empty_answers():
    examples = {"id": ["q1", "q2"], "context": ["abc def ghi", "xyz"]}
    features = {"example_id": ["q1", "q2"],
                "offset_mapping": [[None, (0, 3), (4, 7), (8, 11), None], [None, None, None]]}
    starts = [np.array([0, 5, 1, 0, 0.0]), np.zeros(3)]
    ends = [np.array([0, 0, 1, 6, 0.0]), np.zeros(3)]
    # best span (1, 3) = "abc def ghi" is 3 tokens long: allowed with max_answer_len=3, not with 2
    assert postprocess_qa(examples, features, starts, ends, max_answer_len=3) == {"q1": "abc def ghi", "q2": ""}
    # with at most 2 tokens: (2, 3) scores 1 + 6 = 7 > (1, 2) at 5 + 1 = 6
    assert postprocess_qa(examples, features, starts, ends, max_answer_len=2)["q1"] == "def ghi"
