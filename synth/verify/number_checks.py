"""Number comparison between a claim and its evidence: equal, rounded, converted (% vs fraction, points vs
relative %, spelled-out numbers, a difference of two source numbers), or a conflict that names both numbers.
Numbers are read with the grammar of synth.core.numbers, the same one extraction uses."""

from __future__ import annotations

import re

from synth.core.models import NumberCheck
from synth.core.numbers import Num, extract_numbers, within_rounding


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
    elif within_rounding(s.value, c.value, c.decimals) and c.decimals < s.decimals:
        return "rounded", f"{s.text} rounds to {c.text}"
    # percent vs fraction: 54% vs 0.54, 0.54 vs 54.0%
    if c.unit == "%" and s.unit == "absolute" and 0 < abs(s.value) <= 1 and within_rounding(s.value * 100, c.value, c.decimals):
        return "converted", f"fraction {s.text} = {c.text}"
    if s.unit == "%" and c.unit == "absolute" and 0 < abs(c.value) <= 1 \
            and within_rounding(c.value * 100, s.value, max(s.decimals, c.decimals - 2)):
        return "converted", f"{c.text} = {s.text} as a fraction"
    # scores written as fractions (0.686) vs on a 0-100 scale (68.6): both unit-less, the fraction has decimals
    if c.unit == s.unit == "absolute" and c.decimals >= 2 and 0 < abs(c.value) <= 1 < abs(s.value) <= 100 \
            and within_rounding(c.value * 100, s.value, max(s.decimals, c.decimals - 2)):
        return "converted", f"{c.text} = {s.text} on a 0-100 scale"
    if c.unit == s.unit == "absolute" and s.decimals >= 2 and 0 < abs(s.value) <= 1 < abs(c.value) <= 100 \
            and within_rounding(s.value * 100, c.value, c.decimals):
        return "converted", f"{c.text} = fraction {s.text}"
    return None


def _derived_match(c: Num, source: list[Num]) -> tuple[str, str] | None:
    """A claim number equal to a difference (points) or relative change (%) of two source numbers."""
    values = [s for s in source if s.unit in ("absolute", "%", "points") and not s.spelled]
    for i, a in enumerate(values):
        for b in values[i + 1:]:
            diff = abs(b.value - a.value)
            if c.unit in ("points", "absolute", "%") and within_rounding(diff, c.value, c.decimals) and diff > 0:
                if c.unit != "%" or "relative" not in c.context:
                    return "converted", f"{c.text} = difference of {a.text} and {b.text}"
            low = min(abs(a.value), abs(b.value))
            if c.unit == "%" and low > 0 and within_rounding(diff / low * 100, c.value, c.decimals):
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

