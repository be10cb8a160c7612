"""The number grammar shared by extraction (synth.claims.quantities) and verification (synth.verify.number_checks):
how a number is written (sign, thousands separators, decimals, exponent, k/M/B scale, spelled-out words), what
it is worth (`parse_number`), its unit (`unit_of`), and which numbers in a text are measurements
(`extract_numbers`). Both stages read numbers through this module, so what extraction records is what
verification checks."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

# "one" is not here: "one of the tasks" is a pronoun. It counts only in "one out of N" (synth.claims.quantities).
WORD_NUMBERS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000, "dozen": 12,
}
SCALE = {"k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9}

# How digits are written. DIGITS: '1,024', '85.3', '.5'; EXPONENT: '3e-5'; SCALE_SUFFIX: '64k', '1.5 M'.
DIGITS = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?|\.\d+"
EXPONENT = r"[eE][-−+]?\d+"
SCALE_SUFFIX = r"\s?[kKMB](?![A-Za-z])"
NUMBER = rf"[-−+]?(?:{DIGITS})(?:{EXPONENT}|{SCALE_SUFFIX})?"
WORD = r"(?:" + "|".join(sorted(WORD_NUMBERS, key=len, reverse=True)) + r")"

# Numbers right after these words are references to parts of the paper, not measurements.
REFERENCE_WORDS = {"table", "tab", "figure", "fig", "section", "sec", "appendix", "eq", "equation", "line",
                   "lines", "step", "steps", "layer", "layers", "chapter", "algorithm", "§", "version", "v"}


def parse_number(text: str) -> float:
    """The value of a number as written: '1,024' → 1024, '64k' → 64000, '3e-5' → 3e-05, '−2.1' → -2.1,
    'nine' → 9, 'sixty' → 60, 'one' → 1. Raises ValueError for anything else."""
    t = text.strip().replace("−", "-").replace(",", "").replace(" ", "")
    sign = -1.0 if t.startswith("-") else 1.0
    t = t.lstrip("+-")
    word = t.lower()
    if word in WORD_NUMBERS or word == "one":
        return sign * float(WORD_NUMBERS.get(word, 1))
    scale = 1.0
    if t and t[-1] in SCALE:
        scale, t = SCALE[t[-1]], t[:-1]
    return float(round(sign * float(t) * scale, 10))


def within_rounding(a: float, b: float, decimals: int) -> bool:
    """True when `a` written with `decimals` decimals can be `b` rounded (half a unit of the last digit)."""
    return abs(a - b) <= 0.5 * 10 ** (-decimals) + 1e-9


def unit_of(*suffixes: str | None) -> str:
    """The unit a number's suffix names: '%', 'points', 'x' or 'absolute' (no suffix)."""
    raw = " ".join(s for s in suffixes if s).lower().replace(".", "").strip()
    if not raw:
        return "absolute"
    if "point" in raw or raw.replace(" ", "") in {"pt", "pts", "pp"}:
        return "points"
    if raw in {"x", "×", "times", "fold", "-fold"}:
        return "x"
    return "%"  # '%', 'percent', 'per cent', 'percentage'


_NUM = re.compile(
    rf"(?<![\w.])(?P<sign>[-−+](?=[\d.]))?(?P<num>(?:{DIGITS})(?:{EXPONENT})?)(?P<scale>{SCALE_SUFFIX})?"
    r"(?:\s*(?P<unit>%\s?points?\b|%|percent(?:age)?\b(?!\s*points?)|per\s?cent\b|percentage\s+points?\b|points?\b|pts?\b"
    r"|pp\b|p\.p\.|x\b|×))?"
)
_WORD = re.compile(rf"\b({WORD})\b(?:\s*(?P<unit>%|percent\b|points?\b|times\b))?", re.IGNORECASE)
_TOKEN = re.compile(r"[a-z]+")
_RANKED = re.compile(r"(?:^|[^\w])(?:top|bottom|first|last)-$", re.IGNORECASE)  # 'top-50 paragraphs', 'top-1 accuracy'
_DATE = re.compile(r"(?<!\d)(?:19|20)\d\d-[01]\d-[0-3]\d(?!\d)")  # '2016-12-21'


@dataclass
class Num:
    """A number found in a text, with what is needed to compare it."""

    text: str
    value: float
    unit: str  # "%", "points", "x", "absolute"
    decimals: int
    start: int
    end: int
    spelled: bool = False
    context: list[str] = field(default_factory=list)
    signed: bool = False  # written with an explicit + or - sign


# Context words that say nothing about what a number measures.
_WEAK = frozenset("a an the and or of in on at to for from by with as is are was were it its this that than "
                  "over our we".split())


def context_words(text: str, start: int, end: int) -> list[str]:
    """Up to 4 content words before and 3 after a number (what it measures, e.g. 'average accuracy is')."""
    before = [w for w in _TOKEN.findall(text[max(0, start - 60):start].lower()) if w not in _WEAK and len(w) > 1]
    after = [w for w in _TOKEN.findall(text[end:end + 40].lower()) if w not in _WEAK and len(w) > 1]
    return before[-4:] + after[:3]


def extract_numbers(text: str) -> list[Num]:
    """Numbers in `text` that are measurements (see _extract_numbers); a fresh list, from a cache."""
    return list(_extract_cached(text))


@lru_cache(maxsize=16384)
def _extract_cached(text: str) -> tuple[Num, ...]:
    return tuple(_extract_numbers(text))


def _extract_numbers(text: str) -> list[Num]:
    """Numbers in `text` that are measurements: digits (with %, points, x, k/M scale) and spelled-out words.

    Skipped: years (1900-2099 without unit), references ('Table 2', 'Section 3.1'), digits inside names
    ('XLM-R', 'mT5', 'F1') and ordinals ('3rd').
    """
    found: list[Num] = []
    dates = [m.span() for m in _DATE.finditer(text)] if "-" in text else []
    for m in _NUM.finditer(text):
        start, end = m.start(), m.end()
        if end < len(text) and text[end - 1].isdigit() and text[end:end + 2].isalpha():
            continue  # ordinal or a unit-less token glued to letters: "3rd", "2nd"
        if start >= 2 and text[start - 1] == "-" and text[start - 2].isalpha() and not (
                text[start - 2] in SCALE and start >= 3 and text[start - 3].isdigit()) and not _RANKED.search(
                text[max(0, start - 8):start]):
            continue  # "GPT-3", "XLM-100" (but "1k-64k" is a range, "top-50" a count)
        if any(a <= start < b for a, b in dates):
            continue  # a date ('2016-12-21'): no measurement
        raw = m["num"].replace(",", "")
        value = parse_number((m["sign"] or "") + m["num"] + (m["scale"] or ""))
        if not math.isfinite(value):
            continue  # "1e999" overflows: not a measurement anyone wrote (found by tests/hardening fuzzing)
        prev = _TOKEN.findall(text[max(0, start - 14):start].lower())
        if (prev and prev[-1] in REFERENCE_WORDS) or text[max(0, start - 2):start].strip() == "§":
            continue
        unit = unit_of(m["unit"])
        if unit == "absolute" and not m["scale"] and re.fullmatch(r"\d{4}", m["num"]) and 1900 <= value <= 2099:
            continue  # a year (written as four bare digits: "2,000" is a count)
        mantissa = re.split(r"[eE]", raw)[0]
        decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
        found.append(Num(m.group(0).strip(), value, unit, decimals, start, end, False, context_words(text, start, end),
                         signed=bool(m["sign"])))
    for m in _WORD.finditer(text):
        found.append(Num(m.group(0).strip(), parse_number(m.group(1)), unit_of(m["unit"]), 0, m.start(), m.end(),
                         True, context_words(text, m.start(), m.end())))
    found.sort(key=lambda n: n.start)
    return found
