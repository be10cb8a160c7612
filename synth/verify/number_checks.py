"""Number comparison between a claim and its evidence: equal, rounded, converted (% vs fraction, points vs
relative %, spelled-out numbers, a difference of two source numbers), or a conflict that names both numbers.
Numbers are read with the grammar of synth.core.numbers, the same one extraction uses."""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.distance import DamerauLevenshtein

from synth.core.models import NumberCheck
from synth.core.numbers import Num, context_words, extract_numbers, within_rounding


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
    if (c.spelled or s.spelled) and (c.decimals or s.decimals or c.unit != s.unit):
        return None  # 'two' questions is not 2.2%: a word is a whole count
    if not _units_compatible(c, s):
        pass  # 0.54 vs 54% is a conversion, checked below; other unit clashes never match
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


_CHANGE_WORDS = frozenset("by gain gains improvement improvements improve improves improved increase increases "
                          "decrease decreases drop drops difference gap higher lower better worse more less above "
                          "below over ahead behind outperforms margin delta change faster slower quicker larger "
                          "smaller bigger longer shorter cheaper".split())


def said_as_change(c: Num, claim_text: str) -> bool:
    """'by 3.7', 'a gain of 3.7', '3.7 points', 'a 5% relative gain': the claim presents it as a change."""
    before = re.findall(r"[a-z]+", claim_text[max(0, c.start - 25):c.start].lower())[-3:]
    # words after it count up to a clause break: '63.2, ahead of every baseline' states the value, not a change
    after = re.findall(r"[a-z]+", re.split(r"[,;:)]", claim_text[c.end:c.end + 25].lower(), maxsplit=1)[0])[:2]
    return c.unit == "points" or bool(set(before + after) & (_CHANGE_WORDS | {"relative"}))


def _derived_match(c: Num, source: list[Num]) -> tuple[str, str] | None:
    """A claim number equal to a difference (points) or relative change (%) of two source numbers (the caller
    asks only for numbers the claim presents as a change: any number is the difference of some two others)."""
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


def _share_match(c: Num, source: list[Num]) -> tuple[str, str] | None:
    """A claimed percentage that is one source count's share of another ('1,202 of 2,678 examples' → 45%): whole
    counts of 10 or more only (any percentage is the ratio of some two small numbers)."""
    counts = [s for s in source if s.unit == "absolute" and not s.decimals and not s.spelled and abs(s.value) >= 10]
    for a in counts:
        for b in counts:
            if a is not b and 0 < abs(a.value) < abs(b.value) and within_rounding(abs(a.value) / abs(b.value) * 100,
                                                                                   c.value, c.decimals):
                return "converted", f"{c.text} = {a.text} of {b.text}"
    return None


_CLAUSE_BREAK = re.compile(r"[,;:()]|\band\b|\bor\b|\bwhile\b|\bwhereas\b|\bbut\b")


def _names_of(text: str, n: Num) -> tuple[tuple[str, ...], str]:
    """What a number is the value of, as written around it, stemmed: the two content words right before it in its
    clause ('learning rate of 0.05' → learning, rate; empty with fewer), and the noun right after a count ('two
    weeks' → week; '' for other numbers)."""
    from synth.verify.evidence import STOPWORDS, stem

    before = _CLAUSE_BREAK.split(text[max(0, n.start - 40):n.start].lower())[-1]
    words = [stem(w) for w in re.findall(r"[a-z][a-z\-]+", before) if w not in STOPWORDS]
    after = re.match(r"\s*([a-z][a-z\-]+)", text[n.end:n.end + 20].lower())
    counted = stem(after.group(1)) if _is_count(n, text) and after and after.group(1) not in STOPWORDS else ""
    return (tuple(words[-2:]) if len(words) >= 2 else ()), counted


def _bound_rival(claim_text: str, c: Num, source_text: str, source_nums: list[Num], matched: int,
                 used: set[int]) -> int | None:
    """The source number (index) that the source names exactly as the claim names its number `c`, with another
    value, when the source's number equal to `c` (`matched`) is named otherwise: the claim gave the quantity the
    value of a different one. None when the names do not settle it (no name, or several candidates)."""
    names = _names_of(claim_text, c)
    theirs = _names_of(source_text, source_nums[matched])
    candidates = [j for j, s in enumerate(source_nums) if j not in used and j != matched and _units_compatible(c, s)
                  and not match_pair(c, s) and c.spelled == s.spelled]
    for k in (0, 1):  # the words before, then the counted noun
        if names[k] and theirs[k] != names[k]:
            rivals = [j for j in candidates if _names_of(source_text, source_nums[j])[k] == names[k]]
            if len(rivals) == 1:
                return rivals[0]
    return None


# words that hedge or scale a number rather than name what it measures ('only around 2 million')
_NOT_A_NAME = frozenset("only around about roughly approximately nearly almost over under just some least most "
                        "more less than total overall million thousand billion hundred point percent time".split())


@lru_cache(maxsize=1)
def _not_a_name_stems() -> frozenset[str]:
    from synth.verify.evidence import stem

    return frozenset(stem(w) for w in _NOT_A_NAME)


def quantity_names(text: str, n: Num) -> list[tuple[int, tuple[str, ...] | str]]:
    """The names a number is bound by (see _names_of), those that name a quantity: (0, two words before it) and
    (1, the noun a count counts), without hedges and scales."""
    before, counted = _names_of(text, n)
    hedges = _not_a_name_stems()
    out: list[tuple[int, tuple[str, ...] | str]] = []
    if before and not hedges & set(before):
        out.append((0, before))
    if counted and counted not in hedges:
        out.append((1, counted))
    return out


def quantity_index(sentences: dict[int, str], numbers: dict[int, list[Num]]) -> dict:
    """Every number of a paper's sentences by the names that bind it: name → [(number, sentence index)]."""
    index: dict = {}
    for idx, nums in numbers.items():
        for n in nums:
            for name in quantity_names(sentences[idx], n):
                index.setdefault(name, []).append((n, idx))
    return index


def paper_value(claim_text: str, c: Num, index: dict) -> tuple[Num, int] | None:
    """The paper's one value for the quantity the claim's number names, anywhere in the paper, when it is another
    value ('a beam size of 12' against the claim's 'beam size of 5'): (that number, its sentence index). None
    when the paper gives the claim's value under that name too, or several values, or none."""
    for name in quantity_names(claim_text, c):
        found = [(s, idx) for s, idx in index.get(name, ()) if _units_compatible(c, s)]
        values = {round(s.value, 9) for s, _ in found}
        if len(values) == 1 and not any(match_pair(c, s) for s, _ in found):
            return found[0]
    return None


def _one_keystroke(c: Num, s: Num) -> bool:
    return DamerauLevenshtein.distance(_digits(c.text), _digits(s.text)) <= 1


def _comparable(c: Num, s: Num) -> bool:
    """Numbers of the same kind and size (a mistyped 91.2 for 93.2; not 2,000 GPU hours for a size of 620)."""
    a, b = abs(c.value), abs(s.value)
    if c.spelled != s.spelled or a <= 0 or b <= 0 or (c.decimals > 0) != (s.decimals > 0):
        return False
    # close in size, or one keystroke apart as written (14.4 for 4.4, 45.2 for 54.2)
    return max(a, b) / min(a, b) <= 3 or _one_keystroke(c, s)


def _similarity(c: Num, s: Num) -> float:
    """Shared context words (what the numbers measure), plus a little for the same unit and notation."""
    shared = len(set(c.context) & set(s.context))
    return shared + (0.25 if c.unit == s.unit else 0.0) + (0.25 if c.spelled == s.spelled else 0.0)


def _digits(text: str) -> str:
    return text.replace(",", "").replace(" ", "").lstrip("+-−")


_SPACED_THOUSANDS = re.compile(r"(?<![\d.,])(\d{1,3})(?: (\d{3}))+(?![\d.,]*\d)")


def _join_thousands(text: str) -> str:
    """'50 000' (a space between thousands, as many papers print) → '50000': one number, not 50 and 0."""
    return _SPACED_THOUSANDS.sub(lambda m: m.group(0).replace(" ", ""), text)


_SPELLED_SMALL = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())}
_SCALE = {"thousand": "k", "million": "M", "billion": "B"}
_SCALED = re.compile(r"\b(\d+(?:\.\d+)?|" + "|".join(_SPELLED_SMALL) + r"|half a)[ -](thousand|million|billion)\b",
                     re.IGNORECASE)


def _join_scale(text: str) -> str:
    """'380 million' → '380M', 'two thousand' → '2k', 'half a million' → '0.5M': one number with its magnitude,
    as papers print them (380.5M, 18K), not a number and a separate 'million'."""
    def one(m: re.Match) -> str:
        head = m.group(1).lower()
        value = "0.5" if head == "half a" else str(_SPELLED_SMALL[head]) if head in _SPELLED_SMALL else m.group(1)
        return value + _SCALE[m.group(2).lower()]
    return _SCALED.sub(one, text)


# Words that make a claim's number approximate ('about 68%') or a bound ('over 6,000', 'fewer than fifty').
_ABOUT = ("about", "roughly", "around", "approximately", "some", "nearly", "almost", "close to", "circa", "~",
          "approx.", "on the order of", "just over", "just under", "a little over", "a little under", "a hair")
_AT_LEAST = ("over", "more than", "upwards of", "above", "at least", "in excess of", "beyond", "exceeding")
_AT_MOST = ("under", "less than", "fewer than", "below", "at most", "up to", "no more than")
_SCALE_STEP = {"k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9}


# 'averaged over three runs', 'the mean over 5 seeds': 'over' after these is a preposition, not a bound
_AGGREGATED = frozenset("averaged average mean median aggregated computed repeated pooled summed taken".split())


_SCALE_WORDS = frozenset("dozen hundred thousand million billion".split())


def hedge(text: str, c: Num) -> str | None:
    """'about', 'over' or 'under' when the words right before the claim's number make it approximate or a bound;
    'few' for 'a few dozen', 'several hundred' (two to ten of them)."""
    before = " " + " ".join(re.findall(r"[a-z~]+\.?", text[max(0, c.start - 24):c.start].lower())) + " "
    if c.spelled and c.text.lower() in _SCALE_WORDS and before.endswith((" a few ", " several ")):
        return "few"
    for kind, words in (("about", _ABOUT), ("over", _AT_LEAST), ("under", _AT_MOST)):
        if any(before.endswith(f" {w} ") or (w == "~" and before.rstrip().endswith("~")) for w in words):
            words = before.split()
            return None if words[-1] == "over" and len(words) > 1 and words[-2] in _AGGREGATED else kind
    return None


def approximate_match(c: Num, s: Num, how: str | None) -> str | None:
    """A hedged claim number that the source's number fits: within 2 % (or the claim's last written digit) for
    'about', at or above for 'over', at or below for 'under' (never more than half again). A note, or None."""
    if how is None or c.spelled and c.value > 12 and how != "few" or not _units_compatible(c, s) or c.value <= 0 \
            or s.value <= 0:
        return None
    step = _SCALE_STEP.get(c.text.rstrip("%")[-1:], 1.0) * 10 ** (-c.decimals)
    slack = max(0.02 * c.value, step)  # 'about 68%' is 67.5-69, 'about 380M' is 380.5M, 'about 16B' is 16.4B
    zeros = len(c.text.rstrip("%")) - len(c.text.rstrip("%").rstrip("0")) if not (c.spelled or c.decimals) else 0
    if zeros:  # a round number is rounded at its last non-zero digit: 'about 60%' is 55-65 (at most a tenth off)
        slack = max(slack, min(0.5 * 10 ** zeros, 0.1 * c.value))
    if how == "about" and abs(s.value - c.value) <= slack:
        return f"{s.text} is about {c.text}"
    if how == "few" and 2 * c.value <= s.value < 10 * c.value:
        return f"{s.text} is a few {c.text}"
    if how == "over" and c.value <= s.value <= 1.5 * c.value + step:
        return f"{s.text} is over {c.text}"
    if how == "under" and c.value / 1.5 - step <= s.value <= c.value:
        return f"{s.text} is under {c.text}"
    return None


def _counted(text: str, n: Num, k: int = 3) -> list[str]:
    """The content words right after a count ('four convolution layers' → convolution, layers), stemmed."""
    from synth.verify.evidence import STOPWORDS, stem

    words = re.findall(r"[a-z][a-z\-]+", text[n.end:n.end + 40].lower())[:k]
    return [stem(w) for w in words if w not in STOPWORDS and len(w) > 2]


def _is_count(n: Num, text: str = "") -> bool:
    """A small whole number counting things ('four layers'), not the first part of a compound ('two-sentence')."""
    return n.unit == "absolute" and not n.decimals and 0 < n.value <= 20 and float(n.value).is_integer() \
        and not text[n.end:n.end + 1] == "-"


def count_conflict(claim_text: str, c: Num, source_text: str, source_nums: list[Num]) -> Num | None:
    """The source counts the same thing differently: 'four convolution layers' against 'two convolution layers',
    'three runs' against 'five runs' (a small whole number followed by the same word). The source's count."""
    if not _is_count(c, claim_text):
        return None
    things = set(_counted(claim_text, c))
    if not things:
        return None
    for s in source_nums:
        if _is_count(s, source_text) and s.value != c.value and things & set(_counted(source_text, s)):
            return s
    return None


# a run of items: 'French, Spanish, Russian and Chinese', 'token, speaker, segment, and position'
_ENUMERATION = re.compile(r"(?:[^,;:()\[\].]{1,40}, ){1,10}[^,;:()\[\].]{1,40}?,? (?:and|or) [^,;:()\[\].]{1,40}")
_LIST_AFTER_COUNT = re.compile(r"^[^,;.:()]{0,40}?(?::|\(|—| such as | including | namely )")


def _parts(run: str) -> list[str]:
    return [p.strip() for p in re.split(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+", run) if p.strip()]


def _items(parts: list[str]) -> list[str]:
    """The items of an enumeration, each as its content words ('positional embeddings' → 'positional')."""
    from synth.verify.evidence import STOPWORDS, stem

    return [" ".join(stem(w) for w in re.findall(r"[a-z0-9][a-z0-9\-]*", p.lower()) if w not in STOPWORDS)
            for p in parts]


def _same_item(a: str, b: str) -> bool:
    """'token' names the item 'token embed'; 'posit' and 'position' are one stem."""
    aw, bw = set(a.split()), set(b.split())
    return bool(aw & bw) or any(x[:5] == y[:5] and len(x) >= 5 and len(y) >= 5 for x in aw for y in bw)


def list_count_conflict(claim_text: str, c: Num, source_text: str) -> str | None:
    """A count the claim spells out as a list ('three languages: French, Spanish and Chinese', 'four embeddings:
    token, speaker, segment and position') against the source's list of the same items with another length
    ('French, Spanish, Russian and Chinese'): the source's items. The lists must share two items or more, and all
    but one of the shorter list's."""
    if not _is_count(c, claim_text) or not _LIST_AFTER_COUNT.match(claim_text[c.end:]):
        return None
    run = _ENUMERATION.search(claim_text, c.end)
    if run is None or run.start() - c.end > 60:
        return None
    mine = _items(_parts(re.sub(r"^[^:(—]*[:(—]\s*|^.*?\b(?:such as|including|namely)\s+", "", run.group(0))))
    if len(mine) != int(c.value):
        return None  # the claim's own list is not the count's
    for m in _ENUMERATION.finditer(source_text):
        parts = _parts(m.group(0))
        theirs = _items(parts)
        shared = [any(_same_item(a, b) for a in mine) for b in theirs]
        if len(theirs) != len(mine) and sum(shared) >= 2 and sum(shared) >= min(len(mine), len(theirs)) - 1:
            return f"{len(theirs)}: {', '.join(parts[shared.index(True):])}"
    return None


_DENOMINATORS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fifth": 5,
                 "fifths": 5, "tenth": 10, "tenths": 10}
_NUMERATORS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4}
# a share said in words: 'a third of', 'two-fifths (', 'just under half of' (never 'half a point', 'the third row')
_FRACTION = re.compile(r"\b(?:(a|one|two|three|four)[ -])?(" + "|".join(_DENOMINATORS) + r")\b(?=\s+of\b|\s*\()",
                       re.IGNORECASE)


_ONE_TO_NINE = {w: i for i, w in enumerate("one two three four five six seven eight nine".split(), 1)}
# 'one in a thousand', 'nine in ten', '3 out of 10': a share as a count in a round number of cases
_IN_EVERY = re.compile(r"\b(" + "|".join(_ONE_TO_NINE) + r"|[1-9])\s+(?:in|out\s+of)\s+(?:a\s+|every\s+)?"
                       r"(ten|hundred|thousand|10|100|1,000|1000)\b", re.IGNORECASE)
_ROUND = {"ten": 10, "hundred": 100, "thousand": 1000, "10": 10, "100": 100, "1,000": 1000, "1000": 1000}


def fractions(text: str) -> list[Num]:
    """Shares said in words, as percentages: 'a third of' → 33.3%, 'two-fifths' → 40%, 'half of' → 50%, 'nine in
    ten' → 90%, 'one in a thousand' → 0.1%."""
    out = []
    for m in _FRACTION.finditer(text):
        numerator = _NUMERATORS[(m.group(1) or "a").lower()]
        value = round(100 * numerator / _DENOMINATORS[m.group(2).lower()], 1)
        if value < 100:
            out.append(Num(m.group(0), value, "%", 0, m.start(), m.end(), True,
                           context_words(text, m.start(), m.end())))
    for m in _IN_EVERY.finditer(text):
        numerator = _ONE_TO_NINE.get(m.group(1).lower()) or int(m.group(1))
        value = 100 * numerator / _ROUND[m.group(2).lower()]
        if value < 100:
            out.append(Num(m.group(0), value, "%", 0, m.start(), m.end(), True,
                           context_words(text, m.start(), m.end())))
    return sorted(out, key=lambda n: n.start)


def _with_fractions(text: str, nums: list[Num]) -> list[Num]:
    """`nums` plus the text's shares in words, without the spelled numerator of a share ('two' of 'two-fifths')."""
    shares = fractions(text)
    if not shares:
        return nums
    keep = [n for n in nums if not any(f.start <= n.start < f.end for f in shares)]
    return sorted(keep + shares, key=lambda n: n.start)


def _is_fraction(n: Num) -> bool:
    return n.spelled and n.unit == "%" and (re.split(r"[ -]", n.text.lower())[-1] in _DENOMINATORS
                                             or _IN_EVERY.fullmatch(n.text) is not None)


def _side(text: str, c: Num) -> str | None:
    """'over' or 'under' when the words before a share name a side ('just under half'), else its hedge."""
    before = text[max(0, c.start - 12):c.start].lower().split()
    if before and (before[-1] in ("under", "below") or before[-2:] in (["less", "than"], ["fewer", "than"])):
        return "under"
    if before and (before[-1] in ("over", "above") or before[-2:] == ["more", "than"]):
        return "over"
    return hedge(text, c)


def fraction_match(c: Num, source: list[Num], how: str | None) -> tuple[Num | None, str] | None:
    """A share said in words that a source share fits: a percentage, a fraction (0.41) or the ratio of two source
    counts, within 2.5 points ('a third' is 30.8-35.8%; 'about' widens it to 4; 'over'/'under' take the side they
    name). The source number (None for a ratio) and a note, or None."""
    def fits(p: float) -> bool:
        if how == "over":
            return c.value <= p <= c.value + 10
        if how == "under":
            return c.value - 10 <= p <= c.value
        # points, and for a small share a quarter of it ('one in a thousand' is no 2%)
        return abs(p - c.value) <= min(4.0 if how == "about" else 2.5, max(0.25 * c.value, 0.01))

    for s in source:
        if s.unit == "%":
            share = s.value
        elif s.unit == "absolute" and s.decimals and 0 < s.value < 1:  # 0.41
            share = 100 * s.value
        else:
            continue
        if fits(share):
            return s, f"{s.text} is {c.text}"
    counts = [s for s in source if s.unit == "absolute" and not s.spelled and s.value >= 10]
    for a in counts:
        for b in counts:
            if a.value < b.value and fits(100 * a.value / b.value):
                return None, f"{a.text} of {b.text} is {c.text}"
    return None


def cut_number(claim_text: str) -> str | None:
    """The number a cut-off claim ends in ('... achieving 93' → '93', '... only 3.' → '3.'), or None."""
    m = re.search(r"(\d[\d,]*\.?\d*)\s*$", claim_text)
    return m.group(1) if m else None


def compare_numbers(claim_text: str, source_text: str, cut: bool = False, verbatim: bool = False,
                    restates: bool = True) -> list[NumberCheck]:
    """One NumberCheck per number in the claim, compared with the numbers of the source text.

    `cut`: the claim was cut off; a number it ends in may be incomplete, so it matches a source number that
    starts with the same digits (93 → 93.2; 5.4 could be 5.45, never 6.1). Every other number is complete.
    `verbatim`: the claim restates this passage closely, so numbers in the same position measure the same thing.
    `restates`: the passage states the claim (all of it): the one number left unmatched on each side, of the
    same kind and size, is a changed number.
    """
    claim_text, source_text = _join_scale(_join_thousands(claim_text)), _join_scale(_join_thousands(source_text))
    claim_nums = _with_fractions(claim_text, extract_numbers(claim_text))
    source_nums = extract_numbers(source_text)
    checks: list[NumberCheck | None] = [None] * len(claim_nums)
    used: set[int] = set()
    tail = cut_number(claim_text) if cut else None
    if tail and claim_nums and claim_text.rstrip().endswith(claim_nums[-1].text.rstrip("%")):
        last = len(claim_nums) - 1
        prefix = _digits(tail).rstrip(".")
        for j, s in enumerate(source_nums):
            if j not in used and _digits(s.text).startswith(prefix) and _digits(s.text) != prefix:
                checks[last] = NumberCheck(claim=claim_nums[last].text, source=s.text, status="equal",
                                           note=f"cut off: {tail} can be the start of {s.text}")
                used.add(j)
                break
    matched_at: dict[int, int] = {}  # claim number -> the source number pass 1 matched it with
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
                    matched_at[i] = j
                    break
    # pass 1a: an equal number that measures something else, while the source gives the claim's quantity another
    # value ('a learning rate of 0.05' against 'a learning rate of 0.015 and a decay rate of 0.05')
    for i, c in enumerate(claim_nums):
        if i not in matched_at or checks[i].status != "equal":
            continue
        if (j := _bound_rival(claim_text, c, source_text, source_nums, matched_at[i], used)) is not None:
            s = source_nums[j]
            used.add(j)
            checks[i] = NumberCheck(claim=c.text, source=s.text, status="conflict",
                                    note=f"source says {s.text}, claim says {c.text} (the source's {c.text} is "
                                         "another quantity)")
    # pass 1f: shares said in words ('a little over two-fifths') against the source's share
    for i, c in enumerate(claim_nums):
        if checks[i] is None and _is_fraction(c) and (hit := fraction_match(c, source_nums, _side(claim_text, c))):
            s, note = hit
            checks[i] = NumberCheck(claim=c.text, source=s.text if s else None, status="rounded", note=note)
            if s is not None:
                used.add(source_nums.index(s))
    # pass 1b: hedged numbers ('about 68%', 'over 6,000', 'fewer than fifty') that the source's number fits
    for i, c in enumerate(claim_nums):
        if checks[i] is not None or (how := hedge(claim_text, c)) is None:
            continue
        for j, s in enumerate(source_nums):
            if j not in used and (note := approximate_match(c, s, how)) is not None:
                checks[i] = NumberCheck(claim=c.text, source=s.text, status="rounded", note=note)
                used.add(j)
                break
    # pass 1c: a count of the same thing that differs ('four layers' vs 'two layers')
    for i, c in enumerate(claim_nums):
        if checks[i] is None and (s := count_conflict(claim_text, c, source_text, source_nums)) is not None:
            checks[i] = NumberCheck(claim=c.text, source=s.text, status="conflict",
                                    note=f"source says {s.text}, claim says {c.text}")
    # pass 1d: a count spelled out as a list, against the source's list of the same items ('three languages:
    # French, Spanish and Chinese' against 'French, Spanish, Russian and Chinese')
    for i, c in enumerate(claim_nums):
        if (checks[i] is None or checks[i].status in ("equal", "unrepeated")) and (
                listed := list_count_conflict(claim_text, c, source_text)) is not None:
            checks[i] = NumberCheck(claim=c.text, source=listed.split(":")[0], status="conflict",
                                    note=f"the source lists {listed}; the claim counts {c.text}")
    # pass 2: derived values (differences, relative changes) inside the source statement
    for i, c in enumerate(claim_nums):
        if checks[i] is None and c.unit == "%" and (hit := _share_match(c, source_nums)) is not None:
            checks[i] = NumberCheck(claim=c.text, source=None, status=hit[0], note=hit[1])
        if checks[i] is None and not c.spelled and said_as_change(c, claim_text):
            hit = _derived_match(c, source_nums)
            if hit:
                checks[i] = NumberCheck(claim=c.text, source=None, status=hit[0], note=hit[1])
    # pass 3: what is left conflicts with the unused source number that measures the same thing (shared context
    # words, or the same position in a near-identical statement), is a repeat of a matched number, or is missing
    for i, c in enumerate(claim_nums):
        if checks[i] is not None:
            continue
        rivals = [(j, s) for j, s in enumerate(source_nums) if j not in used and _units_compatible(c, s)
                  and (_similarity(c, s) >= 2.0 or (verbatim and restates and j == i
                                                     and len(claim_nums) == len(source_nums)))]
        left = [(j, s) for j, s in enumerate(source_nums) if j not in used and _units_compatible(c, s)
                and not any(match_pair(c2, s) for c2 in claim_nums) and _comparable(c, s)]
        unmatched = [k for k, x in enumerate(checks) if x is None and not claim_nums[k].spelled]
        if not rivals and restates and left and unmatched == [i]:
            # the one number the claim changed in a sentence it otherwise restates (45.2 for 54.2)
            rivals = [min(left, key=lambda js: (not _one_keystroke(c, js[1]), -_similarity(c, js[1]),
                                                abs(js[1].value - c.value)))]
        if rivals:
            # what it measures first; between equals, the number one keystroke away (14.4 for 4.4)
            j, s = max(rivals, key=lambda js: (_similarity(c, js[1]) + _one_keystroke(c, js[1]), js[0] == i))
            used.add(j)
            checks[i] = NumberCheck(claim=c.text, source=s.text, status="conflict",
                                    note=f"source says {s.text}, claim says {c.text}")
            continue
        again = next((s for s in source_nums if match_pair(c, s)), None)
        if again is not None:
            status, note = match_pair(c, again)
            checks[i] = NumberCheck(claim=c.text, source=again.text, status=status, note=note)
        elif (same_place := _in_same_words(claim_text, source_text, c)) is not None:
            checks[i] = NumberCheck(claim=c.text, source=same_place, status="conflict",
                                    note=f"source says {same_place}, claim says {c.text}")
        elif c.spelled and c.value <= 10:  # 'the two questions', 'all three models': a count said in passing
            checks[i] = NumberCheck(claim=c.text, source=None, status="unrepeated",
                                    note=f"{c.text}: a count the source does not repeat here")
        elif _is_fraction(c):  # 'about half of them': a share in words no source number gives or denies
            checks[i] = NumberCheck(claim=c.text, source=None, status="unrepeated",
                                    note=f"{c.text}: a share the source does not repeat here")
        else:
            checks[i] = NumberCheck(claim=c.text, source=None, status="missing", note=f"{c.text} not in the source")
    unsettled = ("missing", "unrepeated", "conflict")
    if any(c.status in unsettled for c in checks) and _COMMA_SPACED.search(source_text):
        # PDF text often sets a space after a thousands comma ('43, 000'): read so, the source may give the claim's
        # number (taken only when it does: never a new conflict)
        joined = compare_numbers(claim_text, _COMMA_SPACED.sub(r"\1,\2", source_text), cut=cut, verbatim=verbatim,
                                 restates=restates)
        checks = [j if c.status in unsettled and j.status in ("equal", "rounded", "converted") else c
                  for c, j in zip(checks, joined)]
    done = [c for c in checks if c is not None]
    return done + _other_digits(claim_text, source_text, done)


_COMMA_SPACED = re.compile(r"(?<![\d.,])(\d{1,3}), (\d{3})(?![\d.,]*\d)")


_DIGIT_RUN = re.compile(r"\d+(?:[.,]\d+)*")


def _in_same_words(claim_text: str, source_text: str, c: Num) -> str | None:
    """Digits the source has right where the claim has its number ('et al. (2019)' for 'et al. (2769)')."""
    before = claim_text[max(0, c.start - 10):c.start]
    if len(before.strip()) < 4:
        return None
    m = re.search(re.escape(before) + r"(\d+(?:[.,]\d+)*)", source_text)
    return m.group(1) if m and m.group(1) != c.text else None
_TOKEN_WITH_DIGIT = re.compile(r"[\w\-+]*\d(?:[\w\-+]|\.(?=\d))*")  # '2.6M' is one token, not '2' and '6M'


def _inside_name(text: str, start: int, end: int) -> bool:
    """Digits with a letter glued on either side ('S2ORC', 'GPT2', 'v3'): part of a name."""
    return (start > 0 and text[start - 1].isalpha()) or (end < len(text) and text[end].isalpha())


def _other_digits(claim_text: str, source_text: str, checks: list[NumberCheck]) -> list[NumberCheck]:
    """Digits that are not measurements (years, 'Section 2.1', 'q1', '804') must still appear in the source:
    a claim that changes them differs from the source, so they count as conflicts (or missing). A name with a
    digit that the source writes the same (or with a footnote mark glued on: 'SST-2' in 'SST-23') is fine."""
    from synth.verify.text_checks import mentions

    for m in mentions(claim_text):  # 'F1' names the metric, whatever the source calls it ('the best result')
        if m.group == "metrics" and m.key == "f1":
            claim_text = claim_text[:m.start] + " " * (m.end - m.start) + claim_text[m.end:]
    source_tokens = _TOKEN_WITH_DIGIT.findall(source_text)
    for token in set(_TOKEN_WITH_DIGIT.findall(claim_text)):
        if re.search(r"[A-Za-z]", token) and any(t.startswith(token) and len(t) <= len(token) + 1
                                                 for t in source_tokens):
            claim_text = claim_text.replace(token, " ")
    accounted = {t for c in checks for t in _DIGIT_RUN.findall(c.claim)}
    source_runs = _DIGIT_RUN.findall(source_text)
    source_left = [t for t in source_runs if t not in {t for c in checks for t in _DIGIT_RUN.findall(c.source or "")}]
    out = []
    for m in _DIGIT_RUN.finditer(claim_text):
        token = m.group(0)
        if token in accounted or token in source_runs:
            continue
        before = claim_text[max(0, m.start() - 12):m.start()].split()
        glued = claim_text[max(0, m.start() - 8):m.start()]  # 'newstest' of 'newstest2012'
        rival = next((t for t in source_left if (before and f"{before[-1]} {t}" in source_text)
                      or (glued.strip() and glued + t in source_text)), None)
        if rival is not None:
            source_left.remove(rival)
            out.append(NumberCheck(claim=token, source=rival, status="conflict",
                                   note=f"source says {rival}, claim says {token}"))
        elif _inside_name(claim_text, m.start(), m.end()):
            continue  # the digits of a name ('S2ORC', 'v3-8'): whether the passage names it is the names' check
        else:
            out.append(NumberCheck(claim=token, source=None, status="missing", note=f"{token} not in the source"))
    return out

