"""The learned verdict: P(true label | the checks' features, the rules' label), one multinomial logistic regression
(L2, fitted with scipy's L-BFGS) on the dev split's verdicts (bench/fit_verifier.py writes it into verifier.json).

The rules find the evidence and name every disagreement they see (a changed number, a flipped direction, a name the
paper never uses); how much each of those is worth on papers the rules were not written against is what the model
learns. A claim's verdict is the label of least expected cost, where a serious error (a faithful claim called
contradicted or not found, a wrong one called supported) costs `serious_cost` and an ordinary one 1; when every
label costs more than `abstain_cost` the verdict is "inconclusive" (no probability, where to read instead). A
contradiction the rules name stands; a claim the rules found a conflict in, or a number of which the paper does not
give, is never called supported."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import log_softmax, softmax

from synth.core.errors import ConfigError

FEATURES = ("related", "dense", "align", "coverage", "margin", "truncated", "n_numbers", "frac_numbers_ok",
            "n_conflict", "n_missing", "entity_conflict", "entity_missing", "finding", "unsupported_clause",
            "table_only", "table_conflict", "claim_tokens", "novel_words", "absent_names",
            "numbers_nowhere")
RULE_LABELS = ("supported", "partially_supported", "contradicted", "not_found", "inconclusive")
OUTCOMES = ("supported", "partially_supported", "contradicted", "not_found")
# the rules' labels the model may change: a contradiction the rules name (which number, name or direction
# differs) stands as it is
RELABELLED = ("supported", "partially_supported", "not_found", "inconclusive")
SERIOUS = {"supported": ("contradicted", "not_found"), "partially_supported": (), "contradicted": ("supported",),
           "not_found": ("supported",)}


def design(features: list[dict[str, float]], rule_labels: list[str]) -> np.ndarray:
    """One row per verdict: the features in FEATURES order (absent ones 0), then the rules' label one-hot."""
    rows = [[float(f.get(name, 0.0)) for name in FEATURES] + [float(label == r) for r in RULE_LABELS]
            for f, label in zip(features, rule_labels)]
    return np.array(rows, dtype=float).reshape(len(rows), len(FEATURES) + len(RULE_LABELS))


# checks that rule out "supported" whatever the model weighs: a conflict the rules name (a number, a name, a
# direction or comparison) or a number of the claim the passage and its neighbours do not give
BLOCKS_SUPPORTED = ("n_conflict", "entity_conflict", "finding", "n_missing")


def ruled_out(features: dict[str, float]) -> set[str]:
    return {"supported"} if any(features.get(name, 0.0) > 0 for name in BLOCKS_SUPPORTED) else set()


def cost(predicted: str, gold: str, serious_cost: float) -> float:
    if predicted == gold:
        return 0.0
    return serious_cost if predicted in SERIOUS.get(gold, ()) else 1.0


@dataclass
class LabelModel:
    weights: list[list[float]]  # (features + rule labels + bias) x OUTCOMES
    mean: list[float]
    scale: list[float]
    serious_cost: float = 2.0
    abstain_cost: float = 1.0
    l2: float = 3.0

    @classmethod
    def fit(cls, features: list[dict[str, float]], rule_labels: list[str], gold: list[str], *, l2: float = 3.0,
            serious_cost: float = 2.0, abstain_cost: float = 1.0) -> "LabelModel":
        """Fit on verdicts: each one's features, the rules' label and the true label (gold labels outside
        OUTCOMES, e.g. version_mismatch, are left out)."""
        keep = [i for i, g in enumerate(gold) if g in OUTCOMES and rule_labels[i] in RULE_LABELS]
        if len(keep) < 10:
            raise ConfigError(f"the label model needs at least 10 labelled verdicts, got {len(keep)}")
        x = design([features[i] for i in keep], [rule_labels[i] for i in keep])
        y = np.array([OUTCOMES.index(gold[i]) for i in keep])
        mean, scale = x.mean(axis=0), x.std(axis=0)
        scale[scale < 1e-9] = 1.0
        z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
        k, d = len(OUTCOMES), z.shape[1]
        onehot = np.eye(k)[y]

        def loss(flat: np.ndarray) -> tuple[float, np.ndarray]:
            w = flat.reshape(d, k)
            logp = log_softmax(z @ w, axis=1)
            grad = z.T @ (np.exp(logp) - onehot)
            grad[:-1] += l2 * w[:-1]  # the bias row is not penalised
            return float(-(logp * onehot).sum() + 0.5 * l2 * (w[:-1] ** 2).sum()), grad.ravel()

        result = minimize(loss, np.zeros(d * k), jac=True, method="L-BFGS-B")
        return cls(weights=result.x.reshape(d, k).tolist(), mean=mean.tolist(), scale=scale.tolist(),
                   serious_cost=serious_cost, abstain_cost=abstain_cost, l2=l2)

    def probabilities(self, features: dict[str, float], rule_label: str) -> dict[str, float]:
        x = (design([features], [rule_label]) - np.array(self.mean)) / np.array(self.scale)
        p = softmax(np.hstack([x, np.ones((1, 1))]) @ np.array(self.weights), axis=1)[0]
        return {label: float(v) for label, v in zip(OUTCOMES, p)}

    def decide(self, probs: dict[str, float], excluded: set[str] = frozenset()) -> tuple[str, float | None]:
        """The label of least expected cost (among those not `excluded`) and its probability; ("inconclusive",
        None) when every label costs more than abstaining."""
        allowed = [o for o in OUTCOMES if o not in excluded]
        expected = {o: sum(p * cost(o, g, self.serious_cost) for g, p in probs.items()) for o in allowed}
        best = min(allowed, key=lambda o: (expected[o], OUTCOMES.index(o)))
        if expected[best] > self.abstain_cost:
            return "inconclusive", None
        return best, probs[best]

    def verdict(self, features: dict[str, float], rule_label: str) -> tuple[str, float | None]:
        """The label (and its probability) for a verdict the rules labelled `rule_label` (one of RELABELLED)."""
        return self.decide(self.probabilities(features, rule_label), ruled_out(features))

    def to_dict(self) -> dict:
        return {"features": list(FEATURES), "rule_labels": list(RULE_LABELS), "outcomes": list(OUTCOMES),
                "weights": self.weights, "mean": self.mean, "scale": self.scale, "serious_cost": self.serious_cost,
                "abstain_cost": self.abstain_cost, "l2": self.l2}

    @classmethod
    def from_dict(cls, data: dict) -> "LabelModel":
        if (list(data.get("features", [])) != list(FEATURES) or list(data.get("rule_labels", [])) != list(RULE_LABELS)
                or list(data.get("outcomes", [])) != list(OUTCOMES)):
            raise ConfigError("the verifier's label model was fitted on other features; re-run bench/fit_verifier.py")
        try:
            model = cls(weights=data["weights"], mean=data["mean"], scale=data["scale"],
                        serious_cost=float(data["serious_cost"]), abstain_cost=float(data["abstain_cost"]),
                        l2=float(data.get("l2", 3.0)))
            shape = np.array(model.weights, dtype=float).shape
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"the verifier's label model is malformed ({exc})") from None
        width = len(FEATURES) + len(RULE_LABELS)
        if shape != (width + 1, len(OUTCOMES)) or len(model.mean) != width or len(model.scale) != width:
            raise ConfigError(f"the verifier's label model has weights of shape {shape}, expected "
                              f"{(width + 1, len(OUTCOMES))}; re-run bench/fit_verifier.py")
        return model
