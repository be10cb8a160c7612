"""Numbers in claim text with units, direction, ± and ranges: '8.7 points', '5.4%', '8 out of 9', '1k-64k'.

Rule-based on purpose: the surface forms in papers are few and regular, and a rule that fails is easy to see
and fix. References ('Table 2', '[12]', '(Smith et al., 2019)'), names with digits ('SQuAD 2.0', 'GPT-2',
'F1') and URLs are masked first so their digits never become quantities.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import Iterator

from synth.claims.entities import entity_spans
from synth.core.models import Quantity
from synth.core.numbers import NUMBER, WORD, parse_number, unit_of

_NUM = NUMBER
_LEFT = r"(?<![\w.@/+\-−])"  # not inside an identifier, version, path or another number
_WORD = WORD
# 'one' is only a number in 'one out of N' (elsewhere it is a pronoun: 'one of the best').
_WORD_OR_ONE = r"(?:" + WORD[3:-1] + r"|one)"
_NUM_OR_WORD = rf"(?:{_NUM}|{_WORD_OR_ONE})"

# '7.7% point(s)' is a difference in percentage points, not a percentage
_UNIT_PERCENT = r"(?:\s?%(?!\s?points?\b)|\s?percent(?:age)?(?!\s+points?)|\s?per\s?cent)"
_UNIT_POINTS = r"(?:\s?(?:%\s?points?\b|percentage[\s-]points?|pp\b|p\.p\.|points?|pts\.?|pt\b)|-points?)"

PATTERNS: list[tuple[str, re.Pattern]] = [
    ("plus_minus", re.compile(
        rf"{_LEFT}(?P<a>{_NUM})(?P<ua>{_UNIT_PERCENT})?\s*(?:(?P<paren>\(\s*±)|±|\+/-|\+-)\s*(?P<b>{_NUM})"
        rf"(?P<ub>{_UNIT_PERCENT}|{_UNIT_POINTS})?(?(paren)\s*\))")),
    ("pm_alone", re.compile(rf"(?:±|\+/-)\s*(?P<a>{_NUM})(?P<ua>{_UNIT_PERCENT}|{_UNIT_POINTS})?")),
    # a score pair written in one place: '86.7/85.9' (MNLI-m/mm), '65.3/66.5'; two decimals or two percentages
    ("pair", re.compile(
        rf"{_LEFT}(?P<a>{_NUM})(?P<ua>%)?/(?P<b>{_NUM})(?P<ub>%)?(?![\w/%]|\.\d)")),
    ("out_of", re.compile(
        rf"(?<![\w.])(?P<a>{_NUM_OR_WORD})\s+(?:out\s+of|of\s+the|of)\s+(?P<b>{_NUM_OR_WORD})(?![\w.]\d)", re.I)),
    ("range", re.compile(
        rf"{_LEFT}(?:(?P<between>between\s+)|(?P<from>from\s+))?(?P<a>{_NUM})(?P<ua>{_UNIT_PERCENT}|{_UNIT_POINTS})?"
        rf"\s*(?(between)and|(?:-|–|—|(?P<to>to)))\s*(?P<b>{_NUM})(?P<ub>{_UNIT_PERCENT}|{_UNIT_POINTS})?(?![\w.]\d|\w)")),
    ("times", re.compile(rf"{_LEFT}(?P<a>{_NUM})\s?(?:x|×|-fold|\s?fold|\s+times)(?!\w)", re.I)),
    ("times_word", re.compile(rf"(?<![\w-])(?:(?P<w>{_WORD})(?:\s+times|-fold)|(?P<twice>twice))(?![\w-])", re.I)),
    ("percent", re.compile(rf"{_LEFT}(?P<a>{_NUM}){_UNIT_PERCENT}(?![\w])")),
    ("points", re.compile(rf"{_LEFT}(?P<a>{_NUM}){_UNIT_POINTS}(?![\w])")),
    ("number", re.compile(rf"{_LEFT}(?P<a>{_NUM})(?![\w%]|\.\d)")),
    ("word", re.compile(rf"(?<![\w-])(?P<w>{_WORD})(?![\w-])", re.I)),
]

# Spans whose digits are references, not measurements.
_MASKS = [
    re.compile(r"\b(?:Tables?|Tab\.|Figures?|Figs?\.|Sections?|Sec\.|§|Eqs?\.|Equations?|Appendix|Algorithm|"
               r"Footnote|Chapter|Line|Lines|Step|Steps)\s*\(?\d+(?:\.\d+)*[a-z]?\)?"
               r"(?:\s*(?:,\s*(?:and|&|or)?|and|&|or|-|–)\s*\(?\d+(?:\.\d+)*[a-z]?\)?)*"),
    re.compile(r"\[\d+(?:\s*[,–-]\s*\d+)*\]"),  # numeric citations [3], [4, 7]
    re.compile(r"\b\d{1,2}/(?:19|20)\d{2}\b"),  # dates: '11/2019'
    re.compile(r"https?://\S+|\barXiv:\s*\S+|\b\d{4}\.\d{4,5}(?:v\d+)?\b"),
    re.compile(r"\bet al\.?,?\s*\(?\d{4}[a-z]?\)?|\(\s*\d{4}[a-z]?\s*\)|\b(?:19|20)\d{2}[a-w]\b"),  # '2019b', not '1250x'
]
_MONTHS = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sep\.|Sept\.|Oct\.|Nov\.|Dec\.)"
_YEAR_BEFORE = re.compile(rf"(?:{_MONTHS}|\bin|\bsince|\buntil|\bas of|\bby|\bof|\bfrom|al\.,?)\s*$")

_UP = re.compile(r"improv|increas|gain|boost|outperform|higher|better|rais|rise|rose|exceed|surpass|beat|"
                 r"\bup\b|advantage|benefit", re.I)
_DOWN = re.compile(r"decreas|drop|reduc|lower|declin|degrad|hurt|worse|\bloss|\bfall|\bfell|\bdown\b|"
                   r"underperform|deteriorat|diminish|harm", re.I)
_CLAUSE_BREAK = re.compile(r"[;:]|,\s+(?:while|whereas|but|and)\b|\bwhile\b|\bwhereas\b|\bbut\b")
_MEASURE_CATEGORIES = ("metrics", "benchmarks", "tasks")
_LONGEST_NAME = 60  # a name longer than this never ends within 60 characters before a number it measures


class _Marks:
    """Characters already claimed (masked references, names with digits, quantities found so far).

    A byte per character: marking and the overlap test cost the span's length, so the whole parse stays linear
    in the length of the text (a list of spans compared with every number was quadratic: issue 16)."""

    def __init__(self, n: int) -> None:
        self.used = bytearray(n)

    def mark(self, start: int, end: int) -> None:
        self.used[start:end] = b"\x01" * (end - start)

    def overlaps(self, start: int, end: int) -> bool:
        return self.used.find(1, start, end) != -1


def _masked(text: str, spans) -> _Marks:
    marks = _Marks(len(text))
    for rx in _MASKS:
        for m in rx.finditer(text):
            marks.mark(m.start(), m.end())
    for span in spans:
        if any(ch.isdigit() for ch in span.text):
            marks.mark(span.start, span.end)
    return marks


def _is_year(text: str, start: int, end: int, value: float) -> bool:
    if not (value.is_integer() and 1950 <= value <= 2039 and re.fullmatch(r"\d{4}", text[start:end])):
        return False
    after = text[end:end + 12]
    if re.match(r"\s*[a-z]+s\b", after) and not re.match(r"\s*(?:and|as|was|is)\b", after):
        return False  # '2000 examples' is a count, not a year
    return True


def _clause_window(text: str, start: int, end: int, before: int = 60, after: int = 40) -> tuple[str, str]:
    """Text just before and after a number, cut at clause boundaries so cues of other clauses don't leak."""
    left = text[max(0, start - before):start]
    breaks = list(_CLAUSE_BREAK.finditer(left))
    if breaks:
        left = left[breaks[-1].end():]
    right = text[end:end + after]
    m = _CLAUSE_BREAK.search(right)
    if m:
        right = right[:m.start()]
    return left, right


def _direction(text: str, start: int, end: int, value: float) -> str:
    if value < 0:
        return "decrease"
    left, right = _clause_window(text, start, end)
    # the nearest cue wins: 'drops by 2 points while improving' reads locally
    cues: list[tuple[int, str]] = []
    for rx, label in ((_UP, "increase"), (_DOWN, "decrease")):
        cues += [(len(left) - m.end(), label) for m in rx.finditer(left)]
        cues += [(m.start(), label) for m in rx.finditer(right)]
    return min(cues)[1] if cues else "none"


def _measures(text: str, start: int, end: int, spans, starts: list[int]) -> str | None:
    """The metric/benchmark/task named next to a number: up to 80 characters after it or 60 before, within the
    clause. `spans` are sorted by start (`starts` their starts); only the spans in that window are looked at."""
    candidates = []
    lo = bisect_left(starts, start - 60 - _LONGEST_NAME)
    hi = bisect_right(starts, end + 80)
    for s in spans[lo:hi]:
        if s.category not in _MEASURE_CATEGORIES or (s.start < end and start < s.end):
            continue
        if s.start >= end and s.start - end <= 80 and not _CLAUSE_BREAK.search(text[end:s.start]):
            candidates.append((s.start - end, 0 if s.category == "metrics" else 1, s.name))
        elif s.end <= start and start - s.end <= 60 and not _CLAUSE_BREAK.search(text[s.end:start]):
            candidates.append((start - s.end + 5, 0 if s.category == "metrics" else 1, s.name))
    if not candidates:
        return None
    return min(candidates, key=lambda c: (c[1], c[0]))[2]


def iter_quantity_spans(text: str, spans=None) -> Iterator[tuple[int, int, str, re.Match]]:
    """(start, end, kind, match) for every quantity, in text order, longest reading first."""
    marks = _masked(text, entity_spans(text) if spans is None else spans)
    found = []
    for kind, rx in PATTERNS:
        for m in rx.finditer(text):
            start, end = m.start(), m.end()
            if marks.overlaps(start, end):
                continue
            if kind in ("number", "range") and _is_year(text, m.start("a"), m.end("a"), parse_number(m.group("a"))):
                continue
            if kind == "out_of" and not _is_count_pair(m):
                continue
            if kind == "pair" and not ("." in m["a"] + m["b"] or (m["ua"] and m["ub"])):
                continue  # '1/3', '11/2019': fractions and dates, not score pairs
            if kind == "range" and m["to"] and not _is_count_range(m):
                continue  # 'from 80.1 to 85.3' is a change between two scores, not a range
            marks.mark(start, end)
            found.append((start, end, kind, m))
    yield from sorted(found, key=lambda f: f[0])


def _is_count_range(m: re.Match) -> bool:
    return not (m["ua"] or m["ub"]) and "." not in m["a"] + m["b"]


def _is_count_pair(m: re.Match) -> bool:
    a, b = parse_number(m.group("a")), parse_number(m.group("b"))
    return a <= b and a.is_integer() and b.is_integer()


def parse_quantities(text: str) -> list[Quantity]:
    """Every quantity in `text` with value, unit (%, points, x, absolute), direction, ±, range and 'out of'."""
    spans = entity_spans(text)
    starts = [s.start for s in spans]
    out: list[Quantity] = []
    ends: list[int] = []
    for start, end, kind, m in iter_quantity_spans(text, spans):
        surface = text[start:end]
        fields: dict = {}
        if kind == "pair":  # two quantities, each with its own surface text
            unit = unit_of(m["ua"] or m["ub"])
            for part in ("a", "b"):
                a, b = m.start(part), m.end(part) + (1 if m["u" + part] else 0)
                value = parse_number(m[part])
                out.append(Quantity(text=text[a:b], value=value, unit=unit, direction=_direction(text, a, b, value),
                                    measures=_measures(text, start, end, spans, starts)))
                ends.append(b)
            continue
        if kind == "plus_minus":
            fields = dict(value=parse_number(m["a"]), plus_minus=parse_number(m["b"]), unit=unit_of(m["ua"], m["ub"]))
        elif kind == "pm_alone":  # '(± 0.5)': a spread stated on its own
            fields = dict(value=parse_number(m["a"]), plus_minus=parse_number(m["a"]), unit=unit_of(m["ua"]))
        elif kind == "out_of":
            fields = dict(value=parse_number(m["a"]), out_of=parse_number(m["b"]))
        elif kind == "range":
            low, high = parse_number(m["a"]), parse_number(m["b"])
            if low > high:  # '5-3' is not a range; treat as two separate numbers (rare) → skip the pair
                continue
            fields = dict(value=low, low=low, high=high, unit=unit_of(m["ua"], m["ub"]))
        elif kind == "times":
            fields = dict(value=parse_number(m["a"]), unit="x")
        elif kind == "times_word":
            fields = dict(value=2.0 if m["twice"] else parse_number(m["w"]), unit="x")
        elif kind == "percent":
            fields = dict(value=parse_number(m["a"]), unit="%")
        elif kind == "points":
            fields = dict(value=parse_number(m["a"]), unit="points")
        else:
            fields = dict(value=parse_number(m["a"] if kind == "number" else m["w"]))
        direction = _direction(text, start, end, fields["value"])
        out.append(Quantity(text=surface, direction=direction, measures=_measures(text, start, end, spans, starts),
                            **fields))
        ends.append(end)
    _share_units(text, out, ends)
    return out


_LIST_JOIN = re.compile(r"^\s*(?:,\s*and|,\s*or|and|or)\s*$")


def _share_units(text: str, quantities: list[Quantity], ends: list[int]) -> None:
    """'gaining 4.1 and 3.8 points': a bare number listed right before a number with a unit shares that unit."""
    for i in range(len(quantities) - 2, -1, -1):
        q, nxt = quantities[i], quantities[i + 1]
        if q.unit != "absolute" or nxt.unit not in ("%", "points") or q.low is not None or q.out_of is not None:
            continue
        between = text[ends[i]:text.find(nxt.text, ends[i])]
        if _LIST_JOIN.match(between):
            q.unit = nxt.unit
            if q.direction == "none":
                q.direction = nxt.direction
