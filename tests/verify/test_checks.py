"""Table checks, entity checks, language detection and calibration maths (no library needed)."""

from __future__ import annotations

import numpy as np

from synth.verify.calibration import Calibrator, classification_metrics, expected_calibration_error, fit_logistic
from synth.core.models import TableBlock, TableCell
from synth.core.numbers import extract_numbers
from synth.verify.table_checks import check_tables
from synth.verify.text_checks import check_entities, looks_english

CELLS = [("baseline", "en", 80.0), ("baseline", "sw", 60.0), ("baseline", "Avg", 70.0),
         ("MNLI", "en", 84.0), ("MNLI", "sw", 68.6), ("MNLI", "Avg", 76.3)]
TABLE = TableBlock(label="Table 1", caption="XNLI accuracy", page=3, start=0, end=10, raw="",
                   header=["Intermediate", "en", "sw", "Avg"],
                   cells=[TableCell(row=r, column=[c], value=v, values=[v], text=f"{v:.1f}") for r, c, v in CELLS])


def test_table_cell_and_difference_found():
    nums = extract_numbers("MNLI reaches 68.6 on sw, 8.6 points above the baseline")
    finding = check_tables(nums, [TABLE], {"mnli", "sw"})
    assert "68.6" in finding.found[0].where
    assert "MNLI 68.6 - baseline 60.0" in finding.found[1].where


def test_table_row_average_found():
    nums = extract_numbers("MNLI averages 76.3")
    assert 0 in check_tables(nums, [TABLE], {"mnli"}).found


def test_table_near_miss_is_an_inconsistency():
    nums = extract_numbers("MNLI gains 6.4 points on average")  # table: 76.3 - 70.0 = 6.3
    finding = check_tables(nums, [TABLE], {"mnli", "avg"})
    assert 0 not in finding.found and 0 in finding.near
    assert "76.3 - baseline 70.0" in finding.near[0].where


def test_table_ignored_when_no_row_or_column_is_named():
    nums = extract_numbers("SQuAD gains 6.4 points")
    finding = check_tables(nums, [TABLE], {"squad"})
    assert not finding.found and not finding.near


def test_entity_conflict_names_both_words():
    check = check_entities("MNLI improves XNLI accuracy", "SQuAD improves XNLI accuracy")
    assert check.conflicts == [("MNLI", "SQuAD")]
    assert check.note() == "source says SQuAD, claim says MNLI"


def test_entity_missing_without_rival():
    check = check_entities("MNLI improves XNLI accuracy on Swahili", "MNLI improves XNLI accuracy")
    assert check.missing == ["Swahili"] and not check.conflicts


def test_looks_english():
    assert looks_english("Intermediate training on MNLI improves the average accuracy by 2.2 points.")
    assert not looks_english("Das Zwischentraining auf MNLI verbessert die durchschnittliche Genauigkeit deutlich.")
    assert not looks_english("在MNLI上进行中间任务训练可以提高平均准确率")


def test_fit_logistic_separates_and_calibrates():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 1))
    p = 1 / (1 + np.exp(-2 * x[:, 0]))
    y = (rng.random(400) < p).astype(float)
    w, b = fit_logistic(x, y, l2=0.1)
    assert 1.5 < w[0] < 2.6 and abs(b) < 0.4


def test_calibrator_pooled_with_label_and_constant_fallback():
    rng = np.random.default_rng(1)
    related = rng.random(120)
    labels = ["supported" if i % 2 else "contradicted" for i in range(120)]
    # supported verdicts are right when the passage is related; contradicted ones mostly right anyway
    correct = [(r > 0.5) if lab == "supported" else (rng.random() < 0.9) for r, lab in zip(related, labels)]
    feats = [{"related": float(r)} for r in related]
    cal = Calibrator.fit(feats, labels, correct, l2=0.1)
    assert cal.predict({"related": 0.95}, "supported") > 0.7 > 0.3 > cal.predict({"related": 0.05}, "supported")
    small = Calibrator.fit(feats[:5], ["not_found"] * 5, [True] * 5)
    assert small.predict({}, "not_found") == (5 + 1) / (5 + 2)
    again = Calibrator.from_dict(cal.to_dict())
    assert again.predict({"related": 0.7}, "supported") == cal.predict({"related": 0.7}, "supported")


def test_ece_and_macro_f1():
    assert expected_calibration_error([0.9] * 10, [True] * 9 + [False]) < 1e-9
    assert abs(expected_calibration_error([1.0] * 4, [True, True, False, False]) - 0.5) < 1e-9
    m = classification_metrics(["a", "a", "b", "b"], ["a", "b", "b", "b"], ["a", "b"])
    assert m["accuracy"] == 0.75 and abs(m["macro_f1"] - (2 / 3 + 0.8) / 2) < 1e-9


def _scores_table(column: str) -> TableBlock:
    cells = [("ours", column, 22.0), ("baseline", column, 20.0)]
    return TableBlock(label="Table 2", caption="results", page=4, start=0, end=10, raw="", header=["system", column],
                      cells=[TableCell(row=r, column=[c], value=v, values=[v], text=f"{v:.1f}") for r, c, v in cells])


def test_a_near_miss_counts_only_between_numbers_of_the_same_metric():
    """Metric names come from the claims gazetteer: 'acc' and 'Accuracy', 'F1-score' and 'F1' are one metric each."""
    for claim, column, inconsistency in [("ours reaches 21.9 acc", "Accuracy", True),
                                         ("ours reaches a F1-score of 21.9", "F1", True),
                                         ("ours reaches 21.9 precision on OOV words", "BLEU", False),
                                         ("ours reaches a WER of 21.9", "BLEU", False),
                                         ("ours reaches 21.9 acc", "BLEU", False),
                                         ("ours reaches a chrF3 of 21.9", "chrF", True),
                                         ("ours reaches 21.9", "BLEU", True)]:  # no metric named: a near miss
        finding = check_tables(extract_numbers(claim), [_scores_table(column)], {"ours"})
        assert (0 in finding.near) == inconsistency, (claim, column)
