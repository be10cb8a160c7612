"""Calibrated confidence for verdicts: one small logistic regression per label (numpy, L2, Newton steps)
over the check features, predicting the probability that the label is right; plus ECE and macro-F1."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from synth.core.errors import ConfigError

DEFAULT_PATH = Path(__file__).resolve().parent / "verifier.json"

# Order matters: it is the column order of the weights in verifier.json.
FEATURES = (
    "related", "dense", "align", "coverage", "margin", "truncated", "n_numbers", "frac_numbers_ok", "n_conflict",
    "n_missing", "entity_conflict", "entity_missing", "finding", "unsupported_clause", "table_conflict",
    "table_only", "other_version_support", "claim_tokens", "nli_entail",
)


def feature_vector(features: dict[str, float]) -> np.ndarray:
    """The features in FEATURES order (absent ones are 0)."""
    return np.array([float(features.get(name, 0.0)) for name in FEATURES], dtype=float)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, iters: int = 50) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method (the bias is not penalised)."""
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    w = np.zeros(d + 1)
    penalty = np.full(d + 1, l2)
    penalty[-1] = 0.0
    for _ in range(iters):
        p = _sigmoid(xb @ w)
        grad = xb.T @ (p - y) + penalty * w
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return w[:-1], float(w[-1])


@dataclass
class LabelModel:
    """Probability that a verdict with this label is right: logistic regression, or a smoothed constant rate."""

    weights: list[float] | None = None
    bias: float = 0.0
    mean: list[float] | None = None
    scale: list[float] | None = None
    constant: float | None = None

    def predict(self, x: np.ndarray) -> np.ndarray:
        if self.weights is None:
            return np.full(x.shape[0], self.constant if self.constant is not None else 0.5)
        z = (x - np.array(self.mean)) / np.array(self.scale)
        return _sigmoid(z @ np.array(self.weights) + self.bias)


@dataclass
class Calibrator:
    """One LabelModel per label; labels never seen in training get `default`."""

    models: dict[str, LabelModel] = field(default_factory=dict)
    default: float = 0.5

    @classmethod
    def fit(cls, features: list[dict[str, float]], labels: list[str], correct: list[bool],
            l2: float = 1.0) -> "Calibrator":
        """Fit on verdicts (features, predicted label, whether it was right)."""
        x_all = np.vstack([feature_vector(f) for f in features]) if features else np.zeros((0, len(FEATURES)))
        y_all = np.array(correct, dtype=float)
        lab = np.array(labels)
        models: dict[str, LabelModel] = {}
        for label in sorted(set(labels)):
            mask = lab == label
            x, y = x_all[mask], y_all[mask]
            positives = float(y.sum())
            rate = (positives + 1.0) / (len(y) + 2.0)  # Laplace: never exactly 0 or 1
            if len(y) < 20 or positives in (0.0, float(len(y))):
                models[label] = LabelModel(constant=rate)
                continue
            mean = x.mean(axis=0)
            scale = x.std(axis=0)
            scale[scale < 1e-9] = 1.0
            w, b = fit_logistic((x - mean) / scale, y, l2=l2)
            models[label] = LabelModel(weights=w.tolist(), bias=b, mean=mean.tolist(), scale=scale.tolist())
        overall = (float(y_all.sum()) + 1.0) / (len(y_all) + 2.0) if len(y_all) else 0.5
        return cls(models=models, default=overall)

    def predict(self, features: dict[str, float], label: str) -> float:
        """Calibrated probability that `label` is right for these features."""
        model = self.models.get(label)
        if model is None:
            return self.default
        return float(model.predict(feature_vector(features)[None, :])[0])

    def to_dict(self) -> dict:
        return {
            "features": list(FEATURES),
            "default": self.default,
            "models": {k: {kk: vv for kk, vv in vars(m).items() if vv is not None} for k, m in self.models.items()},
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Calibrator":
        if list(data.get("features", [])) != list(FEATURES):
            raise ConfigError("verifier weights were fitted on other features; re-run bench/fit_verifier.py")
        return cls(models={k: LabelModel(**v) for k, v in data["models"].items()}, default=data["default"])


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
    path = Path(path or DEFAULT_PATH)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path} is missing; run bench/fit_verifier.py to create it") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
