"""One number grammar: what extraction records (synth.claims.quantities) is what verification reads
(synth.core.numbers.extract_numbers), for every way papers write numbers."""

from __future__ import annotations

import pytest

from synth.claims.quantities import parse_quantities
from synth.core.numbers import extract_numbers, parse_number, unit_of, within_rounding

TEXTS = [
    "We train with a learning rate of 3e-5 for sixty epochs.",
    "Accuracy rises to 85.3% on XNLI, a gain of 2.4 points.",
    "The model was trained on 64k examples and 1,024 dev sentences.",
    "It is ninety times faster and uses 1.5M parameters.",
    "Scores drop by −2.1 points on average.",
]


@pytest.mark.parametrize("text", TEXTS)
def test_extraction_and_verification_read_the_same_values(text):
    recorded = sorted(q.value for q in parse_quantities(text))
    checked = sorted(n.value for n in extract_numbers(text))
    assert recorded == pytest.approx(checked)


@pytest.mark.parametrize("raw,value", [("3e-5", 3e-5), ("1E+3", 1000.0), ("sixty", 60), ("dozen", 12),
                                       ("−2.1", -2.1), ("+3.6", 3.6), ("1,024", 1024), ("64k", 64000),
                                       ("1.5 M", 1.5e6), ("one", 1), (".5", 0.5)])
def test_parse_number(raw, value):
    assert parse_number(raw) == pytest.approx(value)


def test_exponent_keeps_its_value_and_decimals():
    [n] = extract_numbers("a learning rate of 3e-5")
    assert n.value == pytest.approx(3e-5) and n.text == "3e-5" and n.decimals == 0


@pytest.mark.parametrize("suffix,unit", [("%", "%"), ("percent", "%"), ("points", "points"), ("pp", "points"),
                                         ("p.p.", "points"), ("x", "x"), ("×", "x"), ("times", "x"), (None, "absolute")])
def test_unit_of(suffix, unit):
    assert unit_of(suffix) == unit


def test_within_rounding():
    assert within_rounding(85.34, 85.3, 1) and not within_rounding(85.36, 85.3, 1)


def test_counts_with_thousands_separators_are_not_years():
    assert [n.value for n in extract_numbers("We use 2,000 examples from 2019.")] == [2000.0]
    assert [q.value for q in parse_quantities("We use 2,000 examples from 2019.")] == [2000.0]


def test_a_rank_after_top_is_a_number_and_a_date_is_none():
    # P18-1161 p. 5: 'the 2016-12-21 dump of English Wikipedia ... retrieve top-50 paragraphs'
    text = "We use the 2016-12-21 dump of English Wikipedia and retrieve top-50 paragraphs for each question."
    assert [(n.text, n.value) for n in extract_numbers(text)] == [("50", 50.0)]
    assert extract_numbers("GPT-3 and XLM-100") == []  # a name's digits stay part of the name
