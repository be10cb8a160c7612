"""Word-level checks of a claim against its evidence: named entities (a claim about MNLI is not supported by a
sentence about SQuAD) and whether the claim is in English at all (evidence search is English-only)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from synth.verify.evidence import STOPWORDS

# Tokens that look like names: two capitals, or a capital and a digit (MNLI, SQuAD, XLM-R, PAWS-X, mT5).
_NAME = re.compile(r"(?<![\w-])(?=[\w+\-]*[A-Z][\w+\-]*[A-Z0-9])[A-Za-z][\w+\-]*[\w+]")
# Groups whose members can stand in for one another in a wrong claim (MNLI vs SQuAD, XNLI vs PAWS-X).
GROUPS = {"benchmarks": "data", "tasks": "data", "datasets": "data", "models": "models", "metrics": "metrics",
          "languages": "languages"}


@lru_cache(maxsize=16384)
def names_in(text: str) -> dict[str, str]:
    """Named things in `text`: canonical gazetteer names (-> group) plus other name-like tokens (-> 'name').

    Cached (evidence sentences recur across claims): callers must not modify the returned dict.
    """
    from synth.claims.entities import entity_spans

    found: dict[str, str] = {}
    covered: list[tuple[int, int]] = []
    for span in entity_spans(text):
        found[span.name] = GROUPS.get(span.category, span.category)
        _SURFACE.setdefault(span.name, span.text)
        covered.append((span.start, span.end))
    for m in _NAME.finditer(text):
        if any(s <= m.start() < e for s, e in covered):
            continue
        token = m.group(0)
        if token.isupper() and token.lower() in STOPWORDS:
            continue
        found.setdefault(token, "name")
    return found


def _mentions(text: str, token: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(token)}(?![\w-])", text, re.IGNORECASE) is not None


_SURFACE: dict[str, str] = {}  # canonical name -> a surface form seen (languages are canonical ISO codes)


def surface(name: str) -> str:
    """How a person would write a canonical name ('sw' -> 'Swahili')."""
    return _SURFACE.get(name, name)


@dataclass
class EntityCheck:
    missing: list[str] = field(default_factory=list)  # in the claim, not in the evidence
    conflicts: list[tuple[str, str]] = field(default_factory=list)  # (claim name, source name)

    def note(self) -> str | None:
        if self.conflicts:
            return "; ".join(f"source says {surface(s)}, claim says {surface(c)}" for c, s in self.conflicts)
        if self.missing:
            return ", ".join(surface(m) for m in self.missing) + " not mentioned in the source"
        return None


def check_entities(claim_text: str, evidence_text: str) -> EntityCheck:
    """Compare the claim's named things with the evidence's; a replaced name of the same group conflicts."""
    claim = names_in(claim_text)
    source = names_in(evidence_text)
    source_lower = {n.lower() for n in source}
    # gazetteer names compare by canonical name; other name-like tokens may also appear as plain words
    missing = [n for n in claim if n.lower() not in source_lower
               and (claim[n] != "name" or not _mentions(evidence_text, n))]
    extra = [n for n in source if n.lower() not in {c.lower() for c in claim}]
    check = EntityCheck()
    for name in missing:
        group = claim[name]
        rivals = [e for e in extra if source[e] == group]
        if rivals:
            rival = rivals[0]
            extra.remove(rival)
            check.conflicts.append((name, rival))
        else:
            check.missing.append(name)
    return check


def looks_english(text: str) -> bool:
    """False for text mostly in a non-Latin script or (6+ words) without any English function word."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return True
    latin = sum(ch < "\u0250" for ch in letters)
    if latin / len(letters) < 0.6:
        return False
    words = re.findall(r"[a-zà-ÿ]+", text.lower())
    if len(words) < 6:
        return True
    return sum(w in STOPWORDS for w in words) / len(words) >= 0.08
