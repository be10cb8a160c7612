"""What a claim says beyond its words and numbers, compared with its evidence: the direction of a change or a
comparison (improves / hurts, better / worse, more / fewer), negation ('do not fail' vs 'fail'), and which side
of a comparison each thing is on ('A outperforms B' vs 'B outperforms A').

Each check returns a one-line finding naming both sides, or None. They run only on a passage that already
states the claim (see claim_verifier), so a direction word that differs means the claim says the opposite.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Direction words by axis: +1 one way, -1 the other. Words on different axes are never compared ('improves'
# and 'outperforms' may both be right), so a paraphrase that changes the axis is not a flip.
AXES: dict[str, dict[str, int]] = {
    "comparison": {
        **dict.fromkeys("better best outperform outperforms outperformed outperforming superior beat beats "
                        "surpass surpasses surpassed stronger exceed exceeds exceeded".split(), 1),
        **dict.fromkeys("worse worst underperform underperforms underperformed underperforming inferior weaker "
                        "trail trails".split(), -1),
    },
    "amount": {
        **dict.fromkeys("more higher larger greater bigger highest largest greatest most".split(), 1),
        **dict.fromkeys("fewer less lower smaller lowest smallest least fewest".split(), -1),
    },
    "change": {
        **dict.fromkeys("increase increases increased increasing rise rises rose rising grow grows grew growing "
                        "boost boosts boosted improve improves improved improving improvement improvements gain "
                        "gains gained raise raises raised help helps helped recovers recover".split(), 1),
        **dict.fromkeys("decrease decreases decreased decreasing drop drops dropped dropping decline declines "
                        "declined fall falls fell falling reduce reduces reduced reducing reduction degrade "
                        "degrades degraded degrading hurt hurts worsen worsens worsened harm harms harmed shrink "
                        "shrinks shrank".split(), -1),
    },
    "ease": {**dict.fromkeys("easier easy simpler".split(), 1),
             **dict.fromkeys("harder difficult hard".split(), -1)},
    "estimate": {**dict.fromkeys("overestimate overestimates overestimated".split(), 1),
                 **dict.fromkeys("underestimate underestimates underestimated".split(), -1)},
    "accuracy": {**dict.fromkeys("accurate".split(), 1), **dict.fromkeys("inaccurate".split(), -1)},
}
AXIS_OF = {word: (axis, sign) for axis, words in AXES.items() for word, sign in words.items()}
NEGATORS = frozenset("not no never neither nor none cannot without n't".split())
PRONOUN_STARTS = ("it ", "they ", "this ", "these ", "that ", "he ", "she ")
_TOKEN = re.compile(r"[a-z0-9][a-z0-9+\-.→/]*[a-z0-9+]|[a-z0-9]|n't")
_WEAK = frozenset("a an the and or of in on at to for from by with as is are was were be been it its this that "
                  "these those than which who we our they their there both each all also only very much far "
                  "such can could may might will would do does did has have had using use used terms regard "
                  "regards respect".split())


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens ("n't" kept as its own token: it negates)."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    return _TOKEN.findall(text.replace("n't", " n't"))


def negated(toks: list[str], i: int, window: int = 3) -> bool:
    return any(t in NEGATORS for t in toks[max(0, i - window):i])


@dataclass
class DirectionFinding:
    axis: str
    claim_word: str
    source_word: str

    def note(self) -> str:
        return f"source says '{self.source_word}', claim says '{self.claim_word}'"


_MULTIPLIER = re.compile(r"\b(?:twice|thrice|\w+ times) as (?:many|much)\b")
_FRACTION = re.compile(r"\bhalf as (?:many|much)\b")


def _directions(toks: list[str]) -> dict[str, list[tuple[int, str]]]:
    """Per axis, the (sign, word) of each direction word in order; a negated word counts the other way.
    'twice as many' / 'three times as many' count as more, 'half as many' as fewer."""
    out: dict[str, list[tuple[int, str]]] = {}
    joined = " ".join(toks)
    for m in _MULTIPLIER.finditer(joined):
        out.setdefault("amount", []).append((1, m.group(0)))
    for m in _FRACTION.finditer(joined):
        out.setdefault("amount", []).append((-1, m.group(0)))
    for i, t in enumerate(toks):
        hit = AXIS_OF.get(t)
        if hit is None:
            continue
        axis, sign = hit
        if negated(toks, i):
            sign, t = -sign, f"not {t}"
        out.setdefault(axis, []).append((sign, t))
    return out


# 'scores below the baseline', 'above 90%': a position against something named next; not 'as shown below.'
_POSITION = re.compile(r"\b(above|below)\s+(?:the|a|an|that|those|this|their|its|our|any|every|all|chance|\d)\b")


_STANDING = re.compile(r"\b(ahead of|(?:falls?|fell|falling) short of|lags? behind|lagging behind)\b")


def _with_positions(text: str) -> dict[str, list[tuple[int, str]]]:
    """The direction words of `text`, with 'above' / 'below' a thing on the amount axis and 'ahead of', 'falls
    short of', 'lags behind' on the comparison axis."""
    out = _directions(tokens(text))
    lowered = unicodedata.normalize("NFKC", text).lower()
    for m in _POSITION.finditer(lowered):
        out.setdefault("amount", []).append((1 if m.group(1) == "above" else -1, m.group(1)))
    for m in _STANDING.finditer(lowered):
        out.setdefault("comparison", []).append((1 if m.group(1) == "ahead of" else -1, m.group(1)))
    return out


_SUPERLATIVES = frozenset("best worst most least highest lowest largest smallest greatest fewest".split())
_DIRECTION_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")


def first_comparison(text: str) -> tuple[int, int, str, int] | None:
    """Where the first comparison of two things is said in `text` (a comparative on the comparison or amount axis:
    'outperforms', 'lower', 'falls short of', 'ahead of'): (start, end, axis, sign); None for none, a superlative
    first ('the best'), or a negated one ('not better than' is no 'worse than')."""
    lowered = unicodedata.normalize("NFKC", text).lower()
    found = [(m.start(), m.end(), "comparison", 1 if m.group(1) == "ahead of" else -1)
             for m in _STANDING.finditer(lowered)]
    for m in _DIRECTION_WORD.finditer(lowered):
        axis, sign = AXIS_OF.get(m.group(0), ("", 0))
        if axis in ("comparison", "amount"):
            found.append((m.start(), m.end(), axis, 0 if m.group(0) in _SUPERLATIVES else sign))
    if not found:
        return None
    start, end, axis, sign = min(found)
    before = tokens(lowered[:start])
    if sign == 0 or negated(before + ["x"], len(before)):
        return None
    return start, end, axis, sign


def check_direction(claim: str, source: str) -> DirectionFinding | None:
    """A direction word of the claim whose axis the source also uses, pointing the other way, and no word of the
    source on that axis agreeing with it."""
    c_dirs, s_dirs = _with_positions(claim), _with_positions(source)
    for axis, said in c_dirs.items():
        there = s_dirs.get(axis)
        if not there:
            continue
        for sign, word in said:
            if all(s != sign for s, _ in there):
                return DirectionFinding(axis, word, there[0][1])
    return None


_SKIP_AFTER_NEGATOR = frozenset("be is are was were been being do does did have has had a an the any always "
                                "necessarily all only so very much really simply just".split())


def _negated_words(toks: list[str]) -> set[str]:
    """The word each negator applies to: the first content word after it ('do not consider' → consider)."""
    out = set()
    for i, t in enumerate(toks):
        if t in NEGATORS:
            nxt = next((w for w in toks[i + 1:i + 5] if w not in _SKIP_AFTER_NEGATOR), None)
            if nxt is not None:
                out.add(nxt)
    return out


def check_negation(claim: str, source: str) -> str | None:
    """A content word both texts use, negated in exactly one of them ('do not fail' vs 'fail'). Run only on a
    close restatement: a paraphrase may negate differently ('does not depend' ~ 'with the exception of')."""
    c_toks, s_toks = tokens(claim), tokens(source)
    c_neg, s_neg = _negated_words(c_toks), _negated_words(s_toks)
    shared = {t for t in set(c_toks) & set(s_toks) if len(t) > 3 and t not in _WEAK and t not in NEGATORS}
    for t in sorted(shared, key=c_toks.index):
        if (t in c_neg) != (t in s_neg):
            return (f"source says '{'not ' if t in s_neg else ''}{t}', claim says '{'not ' if t in c_neg else ''}"
                    f"{t}'")
    return None


def _content(toks: list[str]) -> set[str]:
    return {t for t in toks if t not in _WEAK and t not in NEGATORS and t not in AXIS_OF and len(t) > 1
            and not re.fullmatch(r"[\d.]+", t)}


def _sides(text: str, pivot: str, before: str = "", k: int = 3) -> tuple[set[str], set[str]] | None:
    """The first `k` content words of the clause before the pivot phrase (its subject) and right after it (its
    object). `before` stands in for a pronoun subject ('It outperforms ...' names it in the sentence before)."""
    norm = unicodedata.normalize("NFKC", text).lower()
    m = re.search(rf"(?<![a-z]){re.escape(pivot)}(?![a-z])", norm)
    if m is None:
        return None
    # the subject starts after the last clause break ('we note that users with X ... than' → 'users with X')
    left = re.split(r"[,;:]|\b(?:but|while|whereas|although|that)\b", norm[:m.start()])
    clause = left[-1] if tokens(left[-1]) else (left[-2] if len(left) > 1 else "")
    right = re.split(r"[,;:]|\b(?:but|while|whereas|although)\b", norm[m.end():])[0]
    c_left, c_right = _ordered(tokens(clause)), _ordered(tokens(right))
    if (not c_left or tokens(clause)[0] in ("it", "they", "this", "these")) and before:
        c_left = _ordered(tokens(before))
    shared = set(c_left) & set(c_right)  # words on both sides say nothing about the order
    return ({w for w in c_left if w not in shared}.intersection([w for w in c_left if w not in shared][:k]),
            {w for w in c_right if w not in shared}.intersection([w for w in c_right if w not in shared][:k]))


def _ordered(toks: list[str]) -> list[str]:
    content = _content(toks)
    return list(dict.fromkeys(t for t in toks if t in content))


def _pivot_of(text: str) -> str | None:
    toks = " " + " ".join(tokens(text)) + " "
    for pivot in ("rather than", "instead of"):
        if f" {pivot} " in toks:
            return pivot
    if " than " in toks:
        return "than"
    for word in ("outperforms", "outperform", "outperformed", "beats", "beat", "surpasses", "surpass"):
        if f" {word} " in toks:
            return word
    return None


def check_sides(claim: str, source: str, before: str = "") -> str | None:
    """The two sides of a comparison swapped: the claim's left side is the source's right side and vice versa."""
    pivot = _pivot_of(claim)
    if pivot is None:
        return None
    families = {"outperforms", "outperform", "outperformed"}
    s_pivot = pivot if f" {pivot} " in " " + " ".join(tokens(source)) + " " else None
    if s_pivot is None and pivot in families:
        s_pivot = next((p for p in families if f" {p} " in " " + " ".join(tokens(source)) + " "), None)
    if s_pivot is None:
        return None
    c_sides, s_sides = _sides(claim, pivot), _sides(source, s_pivot, before)
    if c_sides is None or s_sides is None:
        return None
    (cl, cr), (sl, sr) = c_sides, s_sides
    straight = len(cl & sl) + len(cr & sr)
    swapped = len(cl & sr) + len(cr & sl)
    if swapped >= 2 and swapped > straight and cl & sr:
        left = ", ".join(sorted(cl & sr)[:3])
        return f"sides of the comparison swapped: the source puts {left} after '{s_pivot}', the claim before it"
    return None


def check_but_not(claim: str, source: str) -> str | None:
    """'in A, but not in B' against 'in B, but not in A': the two things on either side of 'but not' swapped."""
    def around(text: str) -> tuple[str, str] | None:
        norm = unicodedata.normalize("NFKC", text).lower()
        m = re.search(r"(?<![a-z])but not(?![a-z])", norm)
        if m is None:
            return None
        before, after = _ordered(tokens(norm[:m.start()])), _ordered(tokens(norm[m.end():]))
        return (before[-1], after[0]) if before and after else None

    c, s = around(claim), around(source)
    if c and s and c[0] != c[1] and c == (s[1], s[0]):
        return f"source says '{s[0]}, but not {s[1]}', claim says '{c[0]}, but not {c[1]}'"
    return None


_LATTER = re.compile(r"\bthe (former|latter)\b(?P<rest>[^.;]{0,60})")
_ITEM = re.compile(r"\d+(?:\.\d+)?|[A-Z][\w\-]*\d[\w\-]*|[A-Z]{2,}[\w\-]*")


def check_former_latter(claim: str, source: str) -> str | None:
    """'once with X, once with Y – the latter produced better models' against a claim that X beats Y: the
    source's winner, read through 'the former' / 'the latter', is the claim's loser."""
    m = _LATTER.search(source)
    if m is None or " than " not in f" {claim} ":
        return None
    said = _directions(tokens(m["rest"]))
    if not said:
        return None
    sign = next(iter(said.values()))[0][0]
    items = list(dict.fromkeys(_ITEM.findall(source[:m.start()])))
    if len(items) < 2:
        return None
    first, second = items[-2], items[-1]
    winner, loser = (second, first) if (m[1] == "latter") == (sign > 0) else (first, second)
    left, _, right = claim.partition(" than ")
    c_dirs = _directions(tokens(left))
    if not c_dirs:
        return None
    c_sign = next(iter(c_dirs.values()))[0][0]
    c_winner = left if c_sign > 0 else right
    c_loser = right if c_sign > 0 else left
    if loser in c_winner and winner in c_loser and winner not in c_winner:
        return f"source says {winner} ({m.group(0).strip()[:40]}), claim says {loser}"
    return None
