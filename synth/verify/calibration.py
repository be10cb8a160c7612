"""Calibrated confidence for verdicts: one L2-regularised logistic regression (scipy L-BFGS) over a few
check features plus the label (one-hot), predicting the probability that the label is right; plus ECE and
macro-F1. Pooled over labels because a labelled set of real claims is small (tens per label)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from synth.core.errors import ConfigError

DEFAULT_PATH = Path(__file__).resolve().parent / "verifier.json"

# Order matters: it is the column order of the weights in verifier.json (the label one-hots follow).
FEATURES = (
    "related", "dense", "margin", "coverage", "n_conflict", "n_missing", "entity_missing", "entity_conflict",
    "finding", "unsupported_clause", "table_only", "truncated", "nli_entail",
)


def feature_vector(features: dict[str, float]) -> np.ndarray:
    """The features in FEATURES order (absent ones are 0)."""
    return np.array([float(features.get(name, 0.0)) for name in FEATURES], dtype=float)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression (scipy's L-BFGS; the bias is not penalised)."""
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    penalty = np.full(d + 1, l2)
    penalty[-1] = 0.0

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = xb @ w
        nll = float(np.sum(np.logaddexp(0.0, z) - y * z)) + 0.5 * float(penalty @ (w * w))
        return nll, xb.T @ (_sigmoid(z) - y) + penalty * w

    w = minimize(loss, np.zeros(d + 1), jac=True, method="L-BFGS-B", options={"gtol": 1e-8}).x
    return w[:-1], float(w[-1])


@dataclass
class Calibrator:
    """P(label is right | features, label): standardised features and label one-hots, one logistic regression.
    Unfitted (no weights), every verdict gets `default`."""

    labels: list[str] = field(default_factory=list)
    weights: list[float] | None = None
    bias: float = 0.0
    mean: list[float] | None = None
    scale: list[float] | None = None
    default: float = 0.5

    def _design(self, rows: list[dict[str, float]], labels: list[str]) -> np.ndarray:
        x = np.vstack([feature_vector(f) for f in rows]) if rows else np.zeros((0, len(FEATURES)))
        x = (x - np.array(self.mean)) / np.array(self.scale)
        onehot = np.array([[float(lab == name) for name in self.labels] for lab in labels]).reshape(len(labels), -1)
        return np.hstack([x, onehot])

    @classmethod
    def fit(cls, features: list[dict[str, float]], labels: list[str], correct: list[bool],
            l2: float = 2.0) -> "Calibrator":
        """Fit on verdicts (features, predicted label, whether it was right)."""
        y = np.array(correct, dtype=float)
        rate = (float(y.sum()) + 1.0) / (len(y) + 2.0) if len(y) else 0.5  # Laplace: never exactly 0 or 1
        if len(y) < 10 or y.min(initial=1.0) == y.max(initial=0.0):
            return cls(default=rate)
        x = np.vstack([feature_vector(f) for f in features])
        mean, scale = x.mean(axis=0), x.std(axis=0)
        scale[scale < 1e-9] = 1.0
        model = cls(labels=sorted(set(labels)), mean=mean.tolist(), scale=scale.tolist(), default=rate)
        w, b = fit_logistic(model._design(features, labels), y, l2=l2)
        model.weights, model.bias = w.tolist(), b
        return model

    def predict(self, features: dict[str, float], label: str) -> float:
        """Calibrated probability that `label` is right for these features."""
        if self.weights is None:
            return self.default
        z = self._design([features], [label]) @ np.array(self.weights) + self.bias
        return float(_sigmoid(z)[0])

    def to_dict(self) -> dict:
        return {"features": list(FEATURES), "labels": self.labels, "weights": self.weights, "bias": self.bias,
                "mean": self.mean, "scale": self.scale, "default": self.default}

    @classmethod
    def from_dict(cls, data: dict) -> "Calibrator":
        if list(data.get("features", [])) != list(FEATURES) or "models" in data:
            raise ConfigError("verifier weights were fitted on other features; re-run bench/fit_verifier.py")
        return cls(labels=list(data.get("labels", [])), weights=data.get("weights"), bias=data.get("bias", 0.0),
                   mean=data.get("mean"), scale=data.get("scale"), default=data.get("default", 0.5))


def expected_calibration_error(probs: list[float], correct: list[bool], bins: int = 10) -> float:
    """ECE: bin by confidence, weighted mean of |accuracy - mean confidence| per bin."""
    p = np.asarray(probs, dtype=float)
    c = np.asarray(correct, dtype=float)
    if len(p) == 0:
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    ids = np.clip(np.digitize(p, edges[1:-1], right=True), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = ids == b
        if mask.any():
            total += mask.sum() / len(p) * abs(c[mask].mean() - p[mask].mean())
    return float(total)


def classification_metrics(gold: list[str], pred: list[str], labels: list[str]) -> dict:
    """Accuracy, macro-F1 over `labels`, and per-label precision/recall/F1/support."""
    per: dict[str, dict[str, float]] = {}
    f1s = []
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, pred))
        fp = sum(g != label and p == label for g, p in zip(gold, pred))
        fn = sum(g == label and p != label for g, p in zip(gold, pred))
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per[label] = {"precision": prec, "recall": rec, "f1": f1, "support": tp + fn}
        f1s.append(f1)
    accuracy = sum(g == p for g, p in zip(gold, pred)) / len(gold) if gold else 0.0
    return {"accuracy": accuracy, "macro_f1": float(np.mean(f1s)) if f1s else 0.0, "per_label": per}


def load_verifier(path: Path | None = None) -> dict:
    """verifier.json: {'calibrator': ..., 'thresholds': ..., 'provenance': ...}. Raises ConfigError."""
    from synth.core.jsonio import read_json

    path = Path(path or DEFAULT_PATH)
    if not path.is_file():
        raise ConfigError(f"{path} is missing; run bench/fit_verifier.py to create it")
    data = read_json(path)  # a JsonError (a ConfigError) names the file and what is wrong
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a JSON object (calibrator, thresholds, provenance)")
    return data
