"""Fits of a score change Δ against intermediate-task examples n, vectorised over bootstrap replicates.

Two shapes (the study's question is which one the data support, per resource class):
- log-linear: Δ = a + s·log10(n) (s = change per tenfold more data);
- saturating power law: Δ = Δ∞ − b·n^−α (α > 0): gains that level off at Δ∞.
The power law is linear in (Δ∞, b) for a fixed α, so α is profiled: the residual sum of squares is computed in
closed form on a log grid of α for every replicate at once, and the point estimate is refined with scipy's
bounded scalar minimiser. Models are compared by AIC with Gaussian errors on the curve points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

ALPHA_BOUNDS = (0.01, 3.0)
ALPHA_GRID = np.geomspace(ALPHA_BOUNDS[0], ALPHA_BOUNDS[1], 241)
_RSS_FLOOR = 1e-12  # AIC of an exact fit: log(0) would be -inf


@dataclass
class LogLinear:
    """a + slope·log10(n), per replicate (arrays) or for the point estimate (floats)."""

    intercept: np.ndarray
    slope: np.ndarray
    rss: np.ndarray


@dataclass
class PowerLaw:
    """Δ∞ − b·n^−α, per replicate (arrays) or for the point estimate (floats)."""

    asymptote: np.ndarray
    scale: np.ndarray
    alpha: np.ndarray
    rss: np.ndarray


def fit_loglinear(n: np.ndarray, y: np.ndarray) -> LogLinear:
    """Ordinary least squares of y (..., m) on log10(n) (m,): closed form, any leading replicate axes."""
    x = np.log10(np.asarray(n, dtype=float))
    y = np.asarray(y, dtype=float)
    xc = x - x.mean()
    slope = (y - y.mean(axis=-1, keepdims=True)) @ xc / (xc @ xc)
    intercept = y.mean(axis=-1) - slope * x.mean()
    rss = ((y - (intercept[..., None] + slope[..., None] * x)) ** 2).sum(axis=-1)
    return LogLinear(intercept, slope, rss)


def _power_at(n: np.ndarray, y: np.ndarray, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each alpha (G,): OLS of y (..., m) on z = n^-alpha → (asymptote, scale, rss), each (..., G)."""
    z = n[None, :] ** -alpha[:, None]  # (G, m)
    zc = z - z.mean(axis=1, keepdims=True)
    yc = y - y.mean(axis=-1, keepdims=True)
    var = (zc ** 2).sum(axis=1)  # (G,)
    cov = yc @ zc.T  # (..., G)
    k = cov / var  # y = c + k·z, so b = -k
    asymptote = y.mean(axis=-1, keepdims=True) - k * z.mean(axis=1)
    rss = np.maximum((yc ** 2).sum(axis=-1, keepdims=True) - cov ** 2 / var, 0.0)
    return asymptote, -k, rss


def fit_power_law(n: np.ndarray, y: np.ndarray, *, refine: bool = False) -> PowerLaw:
    """Least squares of Δ∞ − b·n^−α on y (..., m); α on a log grid in ALPHA_BOUNDS, refined when asked."""
    n = np.asarray(n, dtype=float)
    y = np.asarray(y, dtype=float)
    asymptote, scale, rss = _power_at(n, y, ALPHA_GRID)
    best = rss.argmin(axis=-1)
    take = lambda a: np.take_along_axis(a, best[..., None], axis=-1)[..., 0]  # noqa: E731
    fit = PowerLaw(take(asymptote), take(scale), ALPHA_GRID[best], take(rss))
    if refine and y.ndim == 1:
        fit = _refine(n, y, int(best))
    return fit


def _refine(n: np.ndarray, y: np.ndarray, best: int) -> PowerLaw:
    from scipy.optimize import minimize_scalar

    lo = math.log(ALPHA_GRID[max(best - 1, 0)])
    hi = math.log(ALPHA_GRID[min(best + 1, len(ALPHA_GRID) - 1)])

    def rss_at(log_alpha: float) -> float:
        return float(_power_at(n, y, np.array([math.exp(log_alpha)]))[2][0])

    result = minimize_scalar(rss_at, bounds=(lo, hi), method="bounded", options={"xatol": 1e-9})
    alpha = np.array([math.exp(result.x)])
    asymptote, scale, rss = _power_at(n, y, alpha)
    return PowerLaw(asymptote[0], scale[0], alpha[0], rss[0])


def alpha_at_bound(alpha: float) -> bool:
    """The fitted exponent ran to an end of ALPHA_BOUNDS: near 0 the power law is a straight line in log n (b grows
    without limit as α shrinks), near the top a step; either way Δ∞ and b are not identified by the data."""
    lo, hi = ALPHA_BOUNDS
    return alpha <= lo * 1.01 or alpha >= hi * 0.99


def aic(rss: float | np.ndarray, points: int, parameters: int) -> float | np.ndarray:
    """Gaussian AIC on `points` curve points: m·ln(RSS/m) + 2·(parameters + 1 for the error variance)."""
    return points * np.log(np.maximum(rss, _RSS_FLOOR) / points) + 2 * (parameters + 1)


def predict_loglinear(fit_intercept: float, fit_slope: float, n: np.ndarray) -> np.ndarray:
    return fit_intercept + fit_slope * np.log10(np.asarray(n, dtype=float))


def predict_power_law(asymptote: float, scale: float, alpha: float, n: np.ndarray) -> np.ndarray:
    return asymptote - scale * np.asarray(n, dtype=float) ** -alpha
