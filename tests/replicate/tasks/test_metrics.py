"""Metric parity with the official scripts: hand-computed values, including the tricky cases."""

from __future__ import annotations

import pytest

from synth.replicate.evaluation import metrics
from synth.replicate.evaluation.metrics import bucc_mine, bucc_optimize_threshold, compute, xtreme_score
from synth.replicate.evaluation.metrics_qa import mixed_segmentation, normalize_mlqa, normalize_squad
from synth.replicate.evaluation.metrics_tagging import get_entities, span_prf
from synth.core.errors import UsageError


def test_accuracy_and_length_mismatch():
    assert compute("accuracy", ["a", "b", "c", "d"], ["a", "x", "c", "d"]) == 75.0
    with pytest.raises(UsageError, match="3 predictions for 2 references"):
        compute("accuracy", [1, 2, 3], [1, 2])


def test_squad_normalisation_and_scores():
    assert normalize_squad("The  Quick, brown fox!") == "quick brown fox"
    # prediction "the big cat" vs gold "a cat": tokens [big, cat] vs [cat] -> P=1/2, R=1 -> F1=2/3
    assert compute("squad_f1", ["the big cat"], [["a cat"]]) == pytest.approx(100 * 2 / 3)
    assert compute("squad_em", ["The cat."], [["cat"]]) == 100.0
    # max over gold answers; an empty prediction scores 0 in v1.1
    assert compute("squad_f1", ["Paris", ""], [["London", "paris"], ["x"]]) == 50.0


def test_squad_v2_empty_answers():
    # no-answer question: empty prediction is right (1), a non-empty one wrong (0)
    assert compute("squad_v2_f1", ["", "something"], [[], []]) == 50.0
    assert compute("squad_v2_em", [""], [[""]]) == 100.0


def test_mlqa_chinese_mixed_segmentation():
    assert mixed_segmentation("我爱abc def北京") == ["我", "爱", "abc", "def", "北", "京"]
    assert normalize_mlqa("北京，中国。", "zh") == "北 京 中 国"  # Unicode punctuation removed
    # prediction 北京大学 vs gold 北京: chars [北,京,大,学] vs [北,京] -> P=1/2, R=1, F1=2/3
    assert compute("mlqa_f1", ["北京大学"], [["北京"]], language="zh") == pytest.approx(100 * 2 / 3)
    # SQuAD normalisation would see one token each and score 0
    assert compute("squad_f1", ["北京大学"], [["北京"]]) == 0.0


def test_mlqa_arabic_removes_every_al():
    # the official pattern removes "ال" anywhere, not only as a prefix
    assert normalize_mlqa("الكتاب", "ar") == "كتاب"
    assert normalize_mlqa("سالم", "ar") == "س م"
    assert compute("mlqa_em", ["الكتاب"], [["كتاب"]], language="ar") == 100.0


def test_mlqa_language_articles_and_punctuation():
    assert normalize_mlqa("Der Hund — «bellt»", "de") == "hund bellt"
    assert normalize_mlqa("los perros", "es") == "perros"
    assert normalize_mlqa("the dog", "hi") == "the dog"  # no articles removed for Hindi
    with pytest.raises(UsageError, match="needs the language"):
        compute("mlqa_f1", ["a"], [["a"]])
    with pytest.raises(UsageError, match="no rules for language 'fr'"):
        normalize_mlqa("le chien", "fr")


def test_seqeval_i_after_o_starts_a_chunk():
    assert get_entities(["O", "I-PER", "I-PER", "O"]) == [("PER", 1, 2)]
    # a type change ends a chunk and starts another even without B-
    assert get_entities(["B-PER", "I-LOC", "O"]) == [("PER", 0, 0), ("LOC", 1, 1)]
    # nested lists are joined with an "O" between sentences
    assert get_entities([["B-PER"], ["I-PER"]]) == [("PER", 0, 0), ("PER", 2, 2)]


def test_seqeval_raw_upos_semantics():
    # raw UPOS: runs of the same tag merge (first letter acts as the prefix); SCONJ ("S") is a singleton
    assert get_entities(["NOUN", "NOUN", "VERB"]) == [("NOUN", 0, 1), ("VERB", 2, 2)]
    assert get_entities(["SCONJ", "SCONJ"]) == [("SCONJ", 0, 0), ("SCONJ", 1, 1)]
    gold = [["NOUN", "NOUN", "VERB"]]
    pred = [["NOUN", "VERB", "VERB"]]  # 2 of 3 tokens right, but 0 of 2 chunks
    assert span_prf(gold, pred)["f1"] == 0.0
    assert compute("span_f1", [["DET", "NOUN", "VERB"]], [["DET", "NOUN", "VERB"]]) == 100.0


def test_span_f1_partial():
    gold = [["B-PER", "I-PER", "O", "B-LOC"]]
    pred = [["B-PER", "I-PER", "O", "B-ORG"]]  # 1 correct of 2 predicted, 2 gold -> F1 = 0.5
    assert compute("span_f1", pred, gold) == 50.0


def test_bucc_threshold_at_last_candidate():
    candidates = [("s1", "t1", 0.9), ("s2", "t2", 0.8), ("s3", "t3", 0.7)]
    gold = [("s1", "t1"), ("s2", "t2"), ("s3", "t3")]
    # every candidate is gold: best prefix is all of them; no next score -> threshold = last score
    threshold = bucc_optimize_threshold(candidates, gold)
    assert threshold == 0.7
    assert compute("bucc_f1", bucc_mine(candidates, threshold), gold) == 100.0


def test_bucc_threshold_midpoint():
    candidates = [("s1", "t1", 0.9), ("s2", "tx", 0.5), ("s3", "t3", 0.4)]
    gold = [("s1", "t1")]
    assert bucc_optimize_threshold(candidates, gold) == pytest.approx(0.7)
    # set F1: 1 correct of 2 predicted, 1 gold -> P=.5 R=1 F1=2/3
    assert compute("bucc_f1", [("s1", "t1"), ("s2", "tx")], gold) == pytest.approx(100 * 2 / 3)


def test_map_at_20_divides_by_min_relevant_20():
    # relevant {a, b}; ranking a x b -> AP = (1/1 + 2/3) / 2
    assert compute("map_at_20", [["a", "x", "b"]], [["a", "b"]]) == pytest.approx(100 * (1 + 2 / 3) / 2)
    # 25 relevant items, all retrieved in the top 20: divisor is 20, AP = 1
    relevant = [f"r{i}" for i in range(25)]
    assert compute("map_at_20", [relevant], [relevant]) == pytest.approx(100.0)


def test_mrr_at_20():
    ranked = [["x", "gold"], ["gold"], [f"x{i}" for i in range(20)] + ["gold"]]
    assert compute("mrr_at_20", ranked, [["gold"]] * 3) == pytest.approx(100 * (0.5 + 1 + 0) / 3)


def test_xtreme_aggregation_is_unweighted():
    scores = {"xnli": {"en": 80.0, "de": 70.0}, "xquad": {"en": 60.0}}
    assert xtreme_score(scores) == pytest.approx((75.0 + 60.0) / 2)
    assert metrics.task_language_score({"squad_f1": 80.0, "squad_em": 70.0}, ["squad_f1", "squad_em"]) == 75.0
    assert metrics.task_language_score({"accuracy": 50.0}, ["accuracy"]) == 50.0


def test_registry_metadata():
    for metric in metrics.METRICS.values():
        assert metric.higher_is_better is True and metric.aggregation
    with pytest.raises(UsageError, match="unknown metric"):
        compute("bleu", [], [])
