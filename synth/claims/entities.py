"""Named things in claim text (tasks, datasets, models, metrics, languages, benchmarks) from a YAML gazetteer."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from synth.core.gazetteer import CATEGORIES, GAZETTEER_PATH, NAME, GazetteerFile, load_gazetteer_file
from synth.core.models import Entities


@dataclass(frozen=True)
class EntitySpan:
    start: int
    end: int
    category: str
    name: str
    text: str


# Word boundaries that also keep "XLM-R" from matching inside "XLM-R-large" and "F1" inside "F1-score".
_LEFT = r"(?<![\w@+-])"
_RIGHT = r"(?![\w@]|-\w)"


class Gazetteer:
    """Compiled gazetteer: one alternation per case mode, longest alias first, plus category patterns."""

    def __init__(self, spec: GazetteerFile):
        self.spec = spec
        self._lookup_cs: dict[str, tuple[str, str]] = {}
        self._lookup_ci: dict[str, tuple[str, str]] = {}
        for category in CATEGORIES:
            for entry in getattr(spec, category):
                for alias in {entry.name, *entry.aliases} if category != "languages" else set(entry.aliases):
                    if entry.ignore_case:
                        self._lookup_ci.setdefault(alias.lower(), (category, entry.name))
                    else:
                        self._lookup_cs.setdefault(alias, (category, entry.name))
        self._re_cs = self._alternation(self._lookup_cs, 0)
        self._re_ci = self._alternation(self._lookup_ci, re.IGNORECASE)
        self._patterns = [(cat, re.compile(p)) for cat, ps in spec.patterns.items() for p in ps]
        self._context = [(rule.category, re.compile(rule.pattern.replace("{NAME}", NAME))) for rule in spec.context]

    @staticmethod
    def _alternation(lookup: dict[str, tuple[str, str]], flags: int) -> re.Pattern | None:
        if not lookup:
            return None
        aliases = sorted(lookup, key=lambda a: (-len(a), a))
        return re.compile(_LEFT + "(?:" + "|".join(re.escape(a) for a in aliases) + ")" + _RIGHT, flags)

    def spans(self, text: str) -> list[EntitySpan]:
        """All non-overlapping entity mentions in `text`, longest match wins, in text order."""
        found: list[EntitySpan] = []
        if self._re_cs is not None:
            for m in self._re_cs.finditer(text):
                category, name = self._lookup_cs[m.group(0)]
                found.append(EntitySpan(m.start(), m.end(), category, name, m.group(0)))
        if self._re_ci is not None:
            for m in self._re_ci.finditer(text):
                category, name = self._lookup_ci[m.group(0).lower()]
                found.append(EntitySpan(m.start(), m.end(), category, name, m.group(0)))
        for category, pattern in self._patterns:
            for m in pattern.finditer(text):
                found.append(EntitySpan(m.start(), m.end(), category, m.group(0), m.group(0)))
        found.sort(key=lambda s: (s.start, -(s.end - s.start)))
        kept: list[EntitySpan] = []
        for span in found:
            if kept and span.start < kept[-1].end:
                continue
            kept.append(span)
        return self._with_context(text, kept)

    def _with_context(self, text: str, kept: list[EntitySpan]) -> list[EntitySpan]:
        """Add names found by their context where no listed name or pattern already covers the text."""
        extra: list[EntitySpan] = []
        for category, pattern in self._context:
            for m in pattern.finditer(text):
                a, b = m.span("name")
                extra.append(EntitySpan(a, b, category, m["name"], m["name"]))
        if not extra:
            return kept
        starts = [s.start for s in kept]
        out = list(kept)
        last_end = -1  # end of the last context name added (they come in text order)
        for span in sorted(extra, key=lambda s: (s.start, -(s.end - s.start))):
            i = bisect_right(starts, span.start)
            if (i and kept[i - 1].end > span.start) or (i < len(kept) and kept[i].start < span.end):
                continue  # a listed name or a pattern covers it: the gazetteer wins
            if span.start < last_end:
                continue
            out.append(span)
            last_end = span.end
        return sorted(out, key=lambda s: s.start)


def language_codes() -> frozenset[str]:
    """The gazetteer's language codes ('de', 'sw', ...)."""
    return frozenset(e.name for e in get_gazetteer().spec.languages)


@lru_cache(maxsize=4)
def get_gazetteer(path: str | None = None) -> Gazetteer:
    """The compiled gazetteer (the packaged one unless `path` is given), cached per path."""
    return Gazetteer(load_gazetteer_file(path or GAZETTEER_PATH))


@lru_cache(maxsize=2048)
def _cached_spans(text: str) -> tuple[EntitySpan, ...]:
    return tuple(get_gazetteer().spans(text))


def entity_spans(text: str) -> list[EntitySpan]:
    """Entity mentions with character offsets (used by the quantity parser to mask names like 'SQuAD 2.0')."""
    return list(_cached_spans(text))


def find_entities(text: str, spans: list[EntitySpan] | None = None) -> Entities:
    """Canonical names of the tasks, datasets, models, metrics, languages and benchmarks in `text`."""
    spans = entity_spans(text) if spans is None else spans
    buckets: dict[str, list[str]] = {c: [] for c in CATEGORIES}
    for span in spans:
        if span.name not in buckets[span.category]:
            buckets[span.category].append(span.name)
    return Entities(**buckets)
