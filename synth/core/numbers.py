"""Number comparison between a claim and its evidence: equal, rounded, converted (% vs fraction, points vs
relative %, spelled-out numbers, a difference of two source numbers), or a conflict that names both numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from synth.core.models import NumberCheck

WORD_NUMBERS = {
    # "one" is left out on purpose: "one of the tasks" is not the number 1 in a way worth checking.
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "hundred": 100, "dozen": 12,
}
SCALE = {"k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9}
# Numbers right after these words are references to parts of the paper, not measurements.
REFERENCE_WORDS = {"table", "tab", "figure", "fig", "section", "sec", "appendix", "eq", "equation", "line",
                   "lines", "step", "steps", "layer", "layers", "chapter", "algorithm", "§", "version", "v"}

_NUM = re.compile(
    r"(?<![\w.])(?P<sign>[-−+](?=\d))?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?P<scale>[kKMB](?![A-Za-z]))?"
    r"(?:\s*(?P<unit>%|percent(?:age)?\b(?!\s*points?)|per\s?cent\b|percentage\s+points?\b|points?\b|pts?\b"
    r"|pp\b|p\.p\.|x\b|×))?"
)
_WORD = re.compile(r"\b(" + "|".join(WORD_NUMBERS) + r")\b(?:\s*(?P<unit>%|percent\b|points?\b|times\b))?",
                   re.IGNORECASE)
_TOKEN = re.compile(r"[a-z]+")


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

    def show(self) -> str:
        return self.text


def _unit(raw: str | None) -> str:
    if not raw:
        return "absolute"
    raw = raw.lower().replace(" ", "").replace(".", "")
    if "point" in raw or raw in {"pt", "pts", "pp"}:
        return "points"
    if raw in {"x", "×", "times"}:
        return "x"
    return "%"  # "%", "percent", "per cent", "percentage"


# Context words that say nothing about what a number measures.
_WEAK = frozenset("a an the and or of in on at to for from by with as is are was were it its this that than "
                  "over our we".split())


def _context(text: str, start: int, end: int) -> list[str]:
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
    for m in _NUM.finditer(text):
        start, end = m.start(), m.end()
        if end < len(text) and text[end - 1].isdigit() and text[end:end + 2].isalpha():
            continue  # ordinal or a unit-less token glued to letters: "3rd", "5e", "2nd"
        if start >= 2 and text[start - 1] == "-" and text[start - 2].isalpha() and not (
                text[start - 2] in SCALE and start >= 3 and text[start - 3].isdigit()):
            continue  # "GPT-3", "XLM-100" (but "1k-64k" is a range)
        raw = m["num"].replace(",", "")
        value = float(raw) * SCALE.get(m["scale"] or "", 1.0)
        if m["sign"] and m["sign"] in "-−":
            value = -value
        prev = _TOKEN.findall(text[max(0, start - 14):start].lower())
        if (prev and prev[-1] in REFERENCE_WORDS) or text[max(0, start - 2):start].strip() == "§":
            continue
        unit = _unit(m["unit"])
        if unit == "absolute" and not m["scale"] and "." not in raw and 1900 <= value <= 2099:
            continue  # a year
        decimals = len(raw.split(".")[1]) if "." in raw else 0
        found.append(Num(m.group(0).strip(), value, unit, decimals, start, end, False, _context(text, start, end),
                         signed=bool(m["sign"])))
    for m in _WORD.finditer(text):
        value = float(WORD_NUMBERS[m.group(1).lower()])
        found.append(Num(m.group(0).strip(), value, _unit(m["unit"]), 0, m.start(), m.end(), True,
                         _context(text, m.start(), m.end())))
    found.sort(key=lambda n: n.start)
    return found


def _close(a: float, b: float, decimals: int) -> bool:
    """True when `a` written with `decimals` decimals can be `b` rounded (half a unit of the last digit)."""
    return abs(a - b) <= 0.5 * 10 ** (-decimals) + 1e-9


def _units_compatible(c: Num, s: Num) -> bool:
    if c.unit == s.unit or "absolute" in (c.unit, s.unit):
        return True
    return {c.unit, s.unit} == {"%", "points"}


def match_pair(c: Num, s: Num) -> tuple[str, str | None] | None:
    """How claim number `c` matches source number `s`: (status, note) or None when it does not.

    A sign counts only when both numbers carry one ('+1.3' vs '-1.3' differ; '1.3 points below' vs '-1.3' match).
    """
    if not (c.signed and s.signed) and (c.value < 0) != (s.value < 0):
        c = Num(c.text, abs(c.value), c.unit, c.decimals, c.start, c.end, c.spelled, c.context)
        s = Num(s.text, abs(s.value), s.unit, s.decimals, s.start, s.end, s.spelled, s.context)
    if not _units_compatible(c, s):
        # 0.54 vs 54% is a conversion, checked below; other unit clashes never match
        pass
    elif abs(c.value - s.value) < 1e-9:
        note = None
        if c.spelled != s.spelled:
            note = f"'{c.text}' = '{s.text}' (spelled out)"
        if {c.unit, s.unit} == {"%", "points"}:
            return "converted", f"claim says {c.unit}, source says {s.unit}"
        return "equal", note
    elif _close(s.value, c.value, c.decimals) and c.decimals < s.decimals:
        return "rounded", f"{s.text} rounds to {c.text}"
    # percent vs fraction: 54% vs 0.54, 0.54 vs 54.0%
    if c.unit == "%" and s.unit == "absolute" and 0 < abs(s.value) <= 1 and _close(s.value * 100, c.value, c.decimals):
        return "converted", f"fraction {s.text} = {c.text}"
    if s.unit == "%" and c.unit == "absolute" and 0 < abs(c.value) <= 1 \
            and _close(c.value * 100, s.value, max(s.decimals, c.decimals - 2)):
        return "converted", f"{c.text} = {s.text} as a fraction"
    # scores written as fractions (0.686) vs on a 0-100 scale (68.6): both unit-less, the fraction has decimals
    if c.unit == s.unit == "absolute" and c.decimals >= 2 and 0 < abs(c.value) <= 1 < abs(s.value) <= 100 \
            and _close(c.value * 100, s.value, max(s.decimals, c.decimals - 2)):
        return "converted", f"{c.text} = {s.text} on a 0-100 scale"
    if c.unit == s.unit == "absolute" and s.decimals >= 2 and 0 < abs(s.value) <= 1 < abs(c.value) <= 100 \
            and _close(s.value * 100, c.value, c.decimals):
        return "converted", f"{c.text} = fraction {s.text}"
    return None


def _derived_match(c: Num, source: list[Num]) -> tuple[str, str] | None:
    """A claim number equal to a difference (points) or relative change (%) of two source numbers."""
    values = [s for s in source if s.unit in ("absolute", "%", "points") and not s.spelled]
    for i, a in enumerate(values):
        for b in values[i + 1:]:
            diff = abs(b.value - a.value)
            if c.unit in ("points", "absolute", "%") and _close(diff, c.value, c.decimals) and diff > 0:
                if c.unit != "%" or "relative" not in c.context:
                    return "converted", f"{c.text} = difference of {a.text} and {b.text}"
            low = min(abs(a.value), abs(b.value))
            if c.unit == "%" and low > 0 and _close(diff / low * 100, c.value, c.decimals):
                return "converted", f"{c.text} = relative change from {a.text if abs(a.value) == low else b.text} " \
                                    f"to {b.text if abs(a.value) == low else a.text}"
    return None


def _similarity(c: Num, s: Num) -> float:
    """Shared context words (what the numbers measure), plus a little for the same unit and notation."""
    shared = len(set(c.context) & set(s.context))
    return shared + (0.25 if c.unit == s.unit else 0.0) + (0.25 if c.spelled == s.spelled else 0.0)


def compare_numbers(claim_text: str, source_text: str) -> list[NumberCheck]:
    """One NumberCheck per number in the claim, compared with the numbers of the source text."""
    claim_nums = extract_numbers(claim_text)
    source_nums = extract_numbers(source_text)
    checks: list[NumberCheck | None] = [None] * len(claim_nums)
    used: set[int] = set()
    # pass 1: direct matches (equal first, then rounded/converted), each source number used once when possible
    for wanted in ("equal", None):
        for i, c in enumerate(claim_nums):
            if checks[i] is not None:
                continue
            for j, s in enumerate(source_nums):
                if j in used:
                    continue
                hit = match_pair(c, s)
                if hit and (wanted is None or hit[0] == wanted):
                    checks[i] = NumberCheck(claim=c.text, source=s.text, status=hit[0], note=hit[1])
                    used.add(j)
                    break
    # pass 2: derived values (differences, relative changes) inside the source statement
    for i, c in enumerate(claim_nums):
        if checks[i] is None and not c.spelled:
            hit = _derived_match(c, source_nums)
            if hit:
                checks[i] = NumberCheck(claim=c.text, source=None, status=hit[0], note=hit[1])
    # pass 3: what is left conflicts with the unused source number that measures the same thing (shared context
    # words, or the same position in a near-identical statement), is a repeat of a matched number, or is missing
    for i, c in enumerate(claim_nums):
        if checks[i] is not None:
            continue
        rivals = [(j, s) for j, s in enumerate(source_nums) if j not in used and _units_compatible(c, s)
                  and (_similarity(c, s) >= 2.0 or (j == i and len(claim_nums) == len(source_nums)))]
        if rivals:
            j, s = max(rivals, key=lambda js: (_similarity(c, js[1]), js[0] == i))
            used.add(j)
            checks[i] = NumberCheck(claim=c.text, source=s.text, status="conflict",
                                    note=f"source says {s.text}, claim says {c.text}")
            continue
        again = next((s for s in source_nums if match_pair(c, s)), None)
        if again is not None:
            status, note = match_pair(c, again)
            checks[i] = NumberCheck(claim=c.text, source=again.text, status=status, note=note)
        else:
            checks[i] = NumberCheck(claim=c.text, source=None, status="missing", note=f"{c.text} not in the source")
    done = [c for c in checks if c is not None]
    return done + _other_digits(claim_text, source_text, done)


_DIGIT_RUN = re.compile(r"\d+(?:[.,]\d+)*")


def _other_digits(claim_text: str, source_text: str, checks: list[NumberCheck]) -> list[NumberCheck]:
    """Digits that are not measurements (years, 'Section 2.1', 'q1', '804') must still appear in the source:
    a claim that changes them differs from the source, so they count as conflicts (or missing)."""
    accounted = {t for c in checks for t in _DIGIT_RUN.findall(c.claim)}
    source_runs = _DIGIT_RUN.findall(source_text)
    source_left = [t for t in source_runs if t not in {t for c in checks for t in _DIGIT_RUN.findall(c.source or "")}]
    out = []
    for m in _DIGIT_RUN.finditer(claim_text):
        token = m.group(0)
        if token in accounted or token in source_runs:
            continue
        before = claim_text[max(0, m.start() - 12):m.start()].split()
        rival = next((t for t in source_left if before and f"{before[-1]} {t}" in source_text), None)
        rival = rival or (source_left[0] if source_left else None)
        if rival is not None:
            source_left.remove(rival)
            out.append(NumberCheck(claim=token, source=rival, status="conflict",
                                   note=f"source says {rival}, claim says {token}"))
        else:
            out.append(NumberCheck(claim=token, source=None, status="missing", note=f"{token} not in the source"))
    return out


def numbers_summary(checks: list[NumberCheck]) -> dict[str, int]:
    """Counts per status, for features and reasons."""
    out: dict[str, int] = {}
    for c in checks:
        out[c.status] = out.get(c.status, 0) + 1
    return out
