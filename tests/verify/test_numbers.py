"""Number comparison: one test per kind of match or mismatch."""

from __future__ import annotations

import pytest

from synth.core.numbers import extract_numbers
from synth.verify.number_checks import compare_numbers


def _one(claim: str, source: str):
    checks = compare_numbers(claim, source)
    assert len(checks) == 1, checks
    return checks[0]


def test_extract_skips_years_references_and_names():
    nums = extract_numbers("XLM-R gains 5.4 points (Conneau et al., 2020), see Table 2 and Section 3.1; mT5, F1, 3rd.")
    assert [(n.text, n.value, n.unit) for n in nums] == [("5.4 points", 5.4, "points")]


def test_extract_units_scales_and_ranges():
    nums = extract_numbers("from 1k-64k examples, 2.5x faster, 12.5 percentage points, 10 percent, 1,000 steps")
    assert [(n.value, n.unit) for n in nums] == [
        (1000.0, "absolute"), (64000.0, "absolute"), (2.5, "x"), (12.5, "points"), (10.0, "%"), (1000.0, "absolute")]


def test_equal():
    c = _one("improves XNLI by 5.4 points", "improves XNLI by 5.4 points")
    assert c.status == "equal" and c.source == "5.4 points"


def test_rounded_equal():
    c = _one("a gain of 8.4 points", "a gain of 8.35 points")
    assert c.status == "rounded" and "8.35" in c.note


def test_rounding_beyond_half_a_digit_conflicts():
    c = _one("a gain of 8.5 points", "a gain of 8.35 points")
    assert c.status == "conflict"


def test_percent_vs_fraction():
    assert _one("accuracy of 54%", "accuracy of 0.54").status == "converted"
    assert _one("accuracy of 0.54", "accuracy of 54.0%").status == "converted"


def test_points_vs_relative_percent():
    c = _one("a 5% relative gain", "accuracy rises from 80.0 to 84.0")
    assert c.status == "converted" and "relative change" in c.note


def test_points_as_difference_of_two_source_numbers():
    c = _one("improves by 4.2 points", "improves from 80.1 to 84.3")
    assert c.status == "converted" and "difference" in c.note


def test_points_vs_percent_same_value():
    assert _one("a 5.4% gain", "a 5.4 point gain").status == "converted"


@pytest.mark.parametrize("claim,source", [("The model is 2x faster than BERT.", "The model is 2% faster than BERT."),
                                          ("a 3 point gain", "a 3x speed-up")])
def test_the_same_value_in_clashing_units_is_not_equal(claim, source):
    assert _one(claim, source).status != "equal"


@pytest.mark.parametrize("claim,source", [("nine intermediate tasks", "9 intermediate tasks"),
                                          ("7 languages", "seven languages")])
def test_spelled_out_numbers(claim, source):
    assert _one(claim, source).status == "equal"


def test_spelled_out_conflict_names_both():
    c = _one("we use seven intermediate tasks", "we use nine intermediate tasks")
    assert c.status == "conflict" and c.note == "source says nine, claim says seven"


def test_conflict_names_both_numbers():
    c = _one("improves XNLI by 5.4 points", "improves XNLI by 6.1 points on 7 tasks")
    assert c.status == "conflict" and c.note == "source says 6.1 points, claim says 5.4 points"


def test_missing_number():
    assert _one("MNLI helps on 15 languages", "MNLI helps on most languages").status == "missing"


def test_signed_number_equals_unsigned():
    assert _one("a change of 2.2 points", "a change of +2.2 points").status == "equal"


def test_sign_counts_only_when_both_are_signed():
    assert _one("1.3 points below the baseline", "a change of -1.3 points").status == "equal"
    assert _one("a change of +1.3 points", "a change of -1.3 points").status == "conflict"


def test_claim_more_precise_than_source_is_not_supported():
    assert _one("a gain of 8.35 points", "a gain of 8.4 points").status == "conflict"


def test_digits_outside_measurements_must_match_too():
    checks = compare_numbers("as shown in Section 5.8 (Conneau et al., 2019)",
                             "as shown in Section 2.1 (Conneau et al., 2020)")
    assert [(c.status, c.source, c.claim) for c in checks] == [("conflict", "2.1", "5.8"), ("conflict", "2020", "2019")]
    assert compare_numbers("as shown in Section 2.1", "as shown in Section 2.1") == []
