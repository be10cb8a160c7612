"""Paper-level search across sources: the library (offline, FTS5 over sentences) and arXiv (online)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from synth.papers.library import Library
from synth.core.models import PaperMeta


@dataclass(frozen=True)
class PaperHit:
    """A paper matching a query, with the best matching sentence as evidence of why."""

    meta: PaperMeta
    score: float
    sentence: str
    page: int


def search_library(library: Library, query: str, max_results: int = 10, per_paper: int = 3) -> list[PaperHit]:
    """Papers ranked by the summed BM25 score of their `per_paper` best sentences (newest version per id)."""
    newest = {}
    for meta in library.papers():
        if meta.id not in newest or meta.version > newest[meta.id].version:
            newest[meta.id] = meta
    if not newest:
        return []
    hits = library.search(query, papers=[m.key for m in newest.values()], limit=max(200, max_results * per_paper * 10))
    best: dict[str, list] = defaultdict(list)
    for h in hits:  # already sorted best first
        if len(best[h.paper_key]) < per_paper:
            best[h.paper_key].append(h)
    by_key = {m.key: m for m in newest.values()}
    ranked = sorted(best.items(), key=lambda kv: (-sum(h.score for h in kv[1]), kv[0]))
    return [PaperHit(by_key[key], sum(h.score for h in top), top[0].text, top[0].page)
            for key, top in ranked[:max_results]]
