"""Extractive-QA scores with the official normalisations: SQuAD v1.1, SQuAD v2.0 and MLQA (language-aware).

Ported from the official evaluation scripts (SQuAD v1.1 `evaluate-v1.1.py`, SQuAD 2.0 `evaluate-v2.0.py`,
MLQA `mlqa_evaluation_v1.py`, as vendored by google-research/xtreme). Scores are fractions in [0, 1] per
question; `metrics.py` averages them and scales to 0-100.
"""

from __future__ import annotations

import re
import string
import sys
import unicodedata
from collections import Counter
from functools import lru_cache

from synth.core.errors import UsageError

_ASCII_PUNCT = set(string.punctuation)
_SQUAD_ARTICLES = re.compile(r"\b(a|an|the)\b")

# MLQA: articles per language; Hindi and Chinese have none. The Arabic pattern is the official one
# ('\sال^|ال'): its first branch can never match, so every "ال" anywhere is replaced by a space.
_MLQA_ARTICLES = {
    "en": re.compile(r"\b(a|an|the)\b"),
    "es": re.compile(r"\b(un|una|unos|unas|el|la|los|las)\b"),
    "vi": re.compile(r"\b(của|là|cái|chiếc|những)\b"),
    "de": re.compile(r"\b(ein|eine|einen|einem|eines|einer|der|die|das|den|dem|des)\b"),
    "ar": re.compile("\\sال^|ال"),
    "hi": None,
    "zh": None,
}
MLQA_WHITESPACE_LANGS = frozenset({"en", "es", "hi", "vi", "de", "ar"})
MLQA_MIXED_SEGMENTATION_LANGS = frozenset({"zh"})
_CJK = re.compile("[\u4e00-\u9fa5]")


@lru_cache(maxsize=1)
def unicode_punctuation() -> frozenset[str]:
    """Every code point whose Unicode category starts with 'P', plus ASCII punctuation (as MLQA does)."""
    punct = {chr(i) for i in range(sys.maxunicode) if unicodedata.category(chr(i)).startswith("P")}
    return frozenset(punct | _ASCII_PUNCT)


def normalize_squad(text: str) -> str:
    """SQuAD v1.1 normalisation: lower, drop ASCII punctuation, drop a/an/the, collapse whitespace."""
    text = "".join(ch for ch in text.lower() if ch not in _ASCII_PUNCT)
    return " ".join(_SQUAD_ARTICLES.sub(" ", text).split())


def mixed_segmentation(text: str) -> list[str]:
    """MLQA's Chinese segmentation: each CJK character or punctuation mark alone, other runs by whitespace."""
    punct = unicode_punctuation()
    segments: list[str] = []
    buffer = ""
    for char in text:
        if _CJK.search(char) or char in punct:
            if buffer:
                segments.extend(buffer.split())
                buffer = ""
            segments.append(char)
        else:
            buffer += char
    if buffer:
        segments.extend(buffer.split())
    return segments


def normalize_mlqa(text: str, language: str) -> str:
    """MLQA normalisation: lower, drop Unicode punctuation, drop the language's articles, re-tokenise."""
    if language not in _MLQA_ARTICLES:
        raise UsageError(f"MLQA normalisation has no rules for language {language!r}",
                         hint=f"supported: {', '.join(sorted(_MLQA_ARTICLES))}")
    punct = unicode_punctuation()
    text = "".join(ch for ch in text.lower() if ch not in punct)
    articles = _MLQA_ARTICLES[language]
    if articles is not None:
        text = articles.sub(" ", text)
    tokens = mixed_segmentation(text) if language in MLQA_MIXED_SEGMENTATION_LANGS else text.split()
    return " ".join(t for t in tokens if t.strip())


def _token_f1(prediction_tokens: list[str], truth_tokens: list[str]) -> float:
    common = Counter(prediction_tokens) & Counter(truth_tokens)
    num_same = sum(common.values())
    if num_same == 0:
        return 0.0
    precision = num_same / len(prediction_tokens)
    recall = num_same / len(truth_tokens)
    return 2 * precision * recall / (precision + recall)


def squad_f1(prediction: str, truth: str) -> float:
    """SQuAD v1.1 token F1 (0 when either side normalises to nothing)."""
    return _token_f1(normalize_squad(prediction).split(), normalize_squad(truth).split())


def squad_em(prediction: str, truth: str) -> float:
    return float(normalize_squad(prediction) == normalize_squad(truth))


def squad_v2_f1(prediction: str, truth: str) -> float:
    """SQuAD 2.0 F1: like v1.1, except that an empty gold or prediction scores 1 only if both are empty."""
    pred, gold = normalize_squad(prediction).split(), normalize_squad(truth).split()
    if not pred or not gold:
        return float(pred == gold)
    return _token_f1(pred, gold)


def mlqa_f1(prediction: str, truth: str, language: str) -> float:
    return _token_f1(normalize_mlqa(prediction, language).split(), normalize_mlqa(truth, language).split())


def mlqa_em(prediction: str, truth: str, language: str) -> float:
    return float(normalize_mlqa(prediction, language) == normalize_mlqa(truth, language))


def max_over_truths(score_fn, prediction: str, truths: list[str], **kwargs) -> float:
    """Best score of a prediction against any of the gold answers (0 when there are none)."""
    return max((score_fn(prediction, truth, **kwargs) for truth in truths), default=0.0)
