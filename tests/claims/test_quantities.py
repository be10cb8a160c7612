"""Quantity parsing, table-driven: surface text, value, unit, direction, ±, ranges, 'out of'."""

from __future__ import annotations

import pytest

from synth.claims.quantities import parse_quantities
from synth.core.numbers import parse_number

CASES = [
    # text, [(surface, value, unit, extra fields)]
    ("improving by 8.7 points on XNLI", [("8.7 points", 8.7, "points", {"direction": "increase", "measures": "XNLI"})]),
    ("a 5.4% gain", [("5.4%", 5.4, "%", {"direction": "increase"})]),
    ("8 out of 9 tasks", [("8 out of 9", 8, "absolute", {"out_of": 9})]),
    ("using nine intermediate tasks", [("nine", 9, "absolute", {})]),
    ("data sizes 1k-64k examples", [("1k-64k", 1000, "absolute", {"low": 1000, "high": 64000})]),
    ("from 1k to 64k examples", [("from 1k to 64k", 1000, "absolute", {"low": 1000, "high": 64000})]),
    ("between 2 and 5 epochs", [("between 2 and 5", 2, "absolute", {"low": 2, "high": 5})]),
    ("5-10% of the data", [("5-10%", 5, "%", {"low": 5, "high": 10})]),
    ("accuracy of 88.2 ± 0.3", [("88.2 ± 0.3", 88.2, "absolute", {"plus_minus": 0.3, "measures": "accuracy"})]),
    ("F1 88.2 (± 0.3)", [("88.2 (± 0.3)", 88.2, "absolute", {"plus_minus": 0.3})]),
    ("within seed variance (± 0.5)", [("± 0.5", 0.5, "absolute", {"plus_minus": 0.5})]),
    ("it is 3x faster", [("3x", 3, "x", {})]),
    ("a 2.5× speed-up", [("2.5×", 2.5, "x", {})]),
    ("created twice as many tests and almost three times as many bugs",
     [("twice", 2, "x", {}), ("three times", 3, "x", {})]),
    ("a 5.4 point improvement over XLM-R Large on XTREME",
     [("5.4 point", 5.4, "points", {"direction": "increase", "measures": "XTREME"})]),
    ("accuracy drops by 2.1 points", [("2.1 points", 2.1, "points", {"direction": "decrease"})]),
    ("a change of +3.6 points", [("+3.6 points", 3.6, "points", {})]),
    ("a change of −2.3", [("−2.3", -2.3, "absolute", {"direction": "decrease"})]),
    ("10,000 sentences", [("10,000", 10000, "absolute", {})]),
    ("a learning rate of 1e-5", [("1e-5", 1e-5, "absolute", {})]),
    ("gaining 4.1 and 3.8 points", [("4.1", 4.1, "points", {}), ("3.8 points", 3.8, "points", {})]),
    ("a gain of 3 percentage points", [("3 percentage points", 3, "points", {})]),
    ("we train on 2000 examples", [("2000", 2000, "absolute", {})]),
    ("from 80.1 to 85.3", [("80.1", 80.1, "absolute", {}), ("85.3", 85.3, "absolute", {})]),
]

NOT_QUANTITIES = [
    "as shown in Table 2 and Figure 3",
    "see Tables 1, 2, and 3",
    "(Phang et al., 2020)",
    "Phang et al. (2020) showed it",
    "in Section 3.2",
    "setting the state of the art as of June 2020",
    "SQuAD 2.0 and GPT-2 with F1",
    "cited in [12] and [3, 4]",
    "see https://arxiv.org/abs/2005.13013v2",
    "one of the best models",
    "a two-stage zero-shot approach",
]


@pytest.mark.parametrize("text,expected", CASES, ids=[c[0] for c in CASES])
def test_parse_quantities(text, expected):
    found = parse_quantities(text)
    assert [(q.text, q.value, q.unit) for q in found] == [(s, pytest.approx(v), u) for s, v, u, _ in expected]
    for q, (_, _, _, extra) in zip(found, expected):
        for name, value in extra.items():
            assert getattr(q, name) == (pytest.approx(value) if isinstance(value, float) else value), name
        assert q.text in text  # surface text is exact


@pytest.mark.parametrize("text", NOT_QUANTITIES)
def test_references_names_and_years_are_not_quantities(text):
    assert parse_quantities(text) == []


@pytest.mark.parametrize("raw,value", [("1,024", 1024), ("64k", 64000), ("1.5M", 1.5e6), ("−2.1", -2.1),
                                       ("nine", 9), ("+3.6", 3.6), ("1e-5", 1e-5)])
def test_parse_number(raw, value):
    assert parse_number(raw) == pytest.approx(value)


def test_direction_is_local_to_the_clause():
    qs = parse_quantities("MNLI improves XNLI by 3.2 points, while QQP lowers PAWS-X by 1.2 points")
    assert [(q.value, q.direction) for q in qs] == [(3.2, "increase"), (1.2, "decrease")]


def _traced_lines(fn, *args) -> int:
    """Python lines executed inside the quantity parser and the modules it uses (a count, not a timing)."""
    import sys

    watched = ("synth/claims/quantities.py", "synth/claims/entities.py", "synth/core/numbers.py")
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        if not frame.f_code.co_filename.endswith(watched):
            return None
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        fn(*args)
    finally:
        sys.settrace(None)
    return count


def test_work_grows_linearly_with_sentence_length():
    """Issue 16: every number used to be compared with every masked span and entity (an 86 KB sentence took
    2.7 s). Eight times the text must cost about eight times the work, not sixty-four."""
    unit = ("On XNLI the model reaches 85.3% accuracy (Conneau et al., 2020), 2.1 points above mBERT on "
            "SQuAD 2.0 and 1250x faster, see Table 3; ")
    small, large = unit * 40, unit * 320
    assert len(parse_quantities(large)) == 8 * len(parse_quantities(small))
    ratio = _traced_lines(parse_quantities, large) / _traced_lines(parse_quantities, small)
    assert 6 < ratio < 10, ratio


@pytest.mark.parametrize("text, expected", [
    ("BERT-large reaches 86.7/85.9 on MNLI-m/mm.", [("86.7", 86.7, "absolute"), ("85.9", 85.9, "absolute")]),
    ("F0.5 of 65.3/66.5 on BEA-2019", [("65.3", 65.3, "absolute"), ("66.5", 66.5, "absolute")]),
    ("recall 40%/35% on OOVs", [("40%", 40.0, "%"), ("35%", 35.0, "%")]),
    ("It is 1250x faster and 3x smaller.", [("1250x", 1250.0, "x"), ("3x", 3.0, "x")]),
    ("an improvement of 7.7% point on CoNLL-2014", [("7.7% point", 7.7, "points")]),
    ("From 11/2019, one in 1/3 of runs", [("1", 1.0, "absolute")]),  # a date is masked; a fraction stays as printed
    ("as in Smith (2019b) and 2020a", []),
])
def test_pairs_multipliers_points_and_dates(text, expected):
    assert [(q.text, q.value, q.unit) for q in parse_quantities(text)] == expected


def test_pair_parts_measure_what_the_sentence_names():
    q = parse_quantities("BERT reaches 86.7/85.9 accuracy on MNLI.")
    assert [(x.text, x.measures) for x in q] == [("86.7", "accuracy"), ("85.9", "accuracy")]
