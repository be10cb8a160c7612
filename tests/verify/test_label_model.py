"""The learned verdict (synth.verify.label_model): a multinomial logistic regression over the checks' features and
the rules' label, its cost-based decision, its guards, and the weights shipped in verifier.json."""

from __future__ import annotations

import json

import pytest

from synth.core.errors import ConfigError
from synth.verify.calibration import DEFAULT_PATH
from synth.verify.label_model import OUTCOMES, LabelModel, ruled_out


def _rows():
    """Undecided verdicts ('inconclusive') whose best passage is close in meaning are faithful paraphrases; those
    whose best passage is far are claims the paper does not make; named conflicts are contradictions."""
    rows = []
    for i in range(40):
        close = 0.45 + 0.01 * (i % 10)
        rows.append(({"related": close, "dense": 0.85}, "inconclusive", "supported"))
        rows.append(({"related": close - 0.3, "dense": 0.75}, "inconclusive", "not_found"))
        rows.append(({"related": 0.8, "n_conflict": 1.0, "n_numbers": 2.0}, "contradicted", "contradicted"))
        rows.append(({"related": 0.7, "unsupported_clause": 1.0}, "partially_supported", "partially_supported"))
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def test_the_model_learns_what_the_rules_left_undecided():
    model = LabelModel.fit(*_rows())
    close = model.probabilities({"related": 0.5, "dense": 0.85}, "inconclusive")
    assert abs(sum(close.values()) - 1.0) < 1e-9 and set(close) == set(OUTCOMES)
    assert model.decide(close)[0] == "supported" and close["supported"] > 0.8
    far = model.probabilities({"related": 0.2, "dense": 0.75}, "inconclusive")
    assert model.decide(far)[0] == "not_found"
    named = model.probabilities({"related": 0.8, "n_conflict": 1.0, "n_numbers": 2.0}, "contradicted")
    assert model.decide(named)[0] == "contradicted"


def test_guards_and_abstention():
    model = LabelModel.fit(*_rows())
    close = model.probabilities({"related": 0.5, "dense": 0.85}, "inconclusive")
    # a number the paper does not give rules 'supported' out, whatever the model weighs
    assert ruled_out({"n_missing": 1.0}) == {"supported"} and ruled_out({"related": 0.9}) == set()
    label, p = model.decide(close, {"supported"})
    assert label != "supported" and p == close[label]
    # between two labels about equally likely, abstaining is cheaper when it costs less than the expected error
    even = {"supported": 0.5, "partially_supported": 0.0, "contradicted": 0.5, "not_found": 0.0}
    assert LabelModel(**{**model.__dict__, "abstain_cost": 0.5}).decide(even) == ("inconclusive", None)
    assert LabelModel(**{**model.__dict__, "abstain_cost": 1.0, "serious_cost": 2.0}).decide(even)[0] in (
        "supported", "contradicted")


def test_round_trip_and_bad_weights():
    model = LabelModel.fit(*_rows())
    again = LabelModel.from_dict(json.loads(json.dumps(model.to_dict())))
    row = ({"related": 0.5, "dense": 0.85}, "inconclusive")
    assert again.probabilities(*row) == pytest.approx(model.probabilities(*row))
    with pytest.raises(ConfigError, match="other features"):
        LabelModel.from_dict({**model.to_dict(), "features": ["related"]})
    with pytest.raises(ConfigError, match="shape"):
        LabelModel.from_dict({**model.to_dict(), "weights": [[0.0] * len(OUTCOMES)]})
    with pytest.raises(ConfigError, match="malformed"):
        LabelModel.from_dict({k: v for k, v in model.to_dict().items() if k != "mean"})
    with pytest.raises(ConfigError, match="at least 10"):
        LabelModel.fit([{}], ["inconclusive"], ["supported"])


def test_the_shipped_model_was_fitted_on_dev_and_measured_on_test():
    data = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    model = LabelModel.from_dict(data["label_model"])
    prov = data["provenance"]
    assert all("/dev/" in path or "real_claims_" in path for path in prov["data"])
    assert prov["synthetic_rows"] > 0 and prov["held_out_test"]["n"] >= 150
    # it beats the rules on the held-out split (the numbers docs/BENCHMARKS.md gives)
    assert prov["held_out_test"]["accuracy"] > prov["held_out_test_rules"]["accuracy"]
    assert model.serious_cost >= 1.0
