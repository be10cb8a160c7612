"""The literature databases `synth search` asks, behind one small interface: `search(query, max, since)` →
(hits, total) for the ranked sources, `references` / `citations` for citation searches, request counters.

arXiv goes through synth.papers.sources.arxiv.ArxivClient; its answers are cached like the JSON APIs' (by query
and size), so a re-run is reproducible offline too. Every source applies `since` in its query (arXiv
submittedDate, Semantic Scholar publicationDateOrYear, OpenAlex from_publication_date) before it cuts its list at
`max`; `rerank` only re-checks the dates the sources gave.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Protocol

from synth.core.errors import NetworkError, UsageError
from synth.core.models import Hit, PaperIds
from synth.papers.sources import fields as f
from synth.papers.sources.webapi import CacheMode, Reply, ResponseCache, utc_now

if TYPE_CHECKING:
    from synth.core.settings import Settings

SOURCES = ("arxiv", "s2", "openalex", "crossref")
RANKED_SOURCES = ("arxiv", "s2", "openalex")
DEFAULT_SOURCES = ("arxiv", "s2", "openalex")
CITATION_SOURCES = ("s2", "openalex")
SOURCE_NAMES = {"arxiv": "arXiv", "s2": "Semantic Scholar", "openalex": "OpenAlex", "crossref": "Crossref"}
_ALIASES = {"semanticscholar": "s2", "semantic-scholar": "s2", "semantic_scholar": "s2", "oa": "openalex",
            "open-alex": "openalex"}


class Source(Protocol):
    name: str

    def search(self, query: str, max_results: int, since: str | None = None) -> tuple[list[Hit], int | None]: ...


def parse_sources(text: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """'arxiv,s2,openalex' → ('arxiv', 's2', 'openalex'); unknown names → UsageError listing the known ones."""
    parts = text.split(",") if isinstance(text, str) else list(text)
    out: list[str] = []
    for part in parts:
        name = _ALIASES.get(part.strip().lower(), part.strip().lower())
        if not name:
            continue
        if name not in SOURCES:
            raise UsageError(f"unknown source {part.strip()!r}: use some of {', '.join(SOURCES)}")
        if name not in out:
            out.append(name)
    if not out:
        raise UsageError(f"no sources given: use some of {', '.join(SOURCES)}")
    return tuple(out)


def parse_since(text: str | None) -> str | None:
    """--since 2019 / 2019-06 / 2019-06-15 → '2019-01-01' / '2019-06-01' / '2019-06-15'."""
    if text is None or not text.strip():
        return None
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text.strip())
    if not m or not 1 <= int(m[2] or 1) <= 12 or not 1 <= int(m[3] or 1) <= 31:
        raise UsageError(f"--since {text!r}: expected a year or a date (2019, 2019-06, 2019-06-15)")
    return f"{m[1]}-{m[2] or '01'}-{m[3] or '01'}"


def after(hit: Hit, since: str | None) -> bool:
    """Is the hit published on or after `since`? (Undated hits are kept: the filter must not hide them silently.)"""
    if since is None:
        return True
    if hit.published and len(hit.published) >= 4:
        return hit.published[:10] >= since[: len(hit.published[:10])]
    return hit.year is None or hit.year >= int(since[:4])


def rerank(hits: list[Hit], since: str | None) -> list[Hit]:
    """Keep hits on or after `since`, ranks renumbered 1..n in the source's order."""
    kept = [h for h in hits if after(h, since)]
    return [h.model_copy(update={"rank": i}) for i, h in enumerate(kept, 1)]


class ArxivSource:
    """arXiv search through the `arxiv` package, with the response cache keyed by the API query."""

    name = "arxiv"

    def __init__(self, settings: "Settings", cache_mode: CacheMode = "use"):
        self.settings, self.cache_mode = settings, cache_mode
        self.cache = ResponseCache(settings.cache / "api")
        self.requests = 0
        self.cached = 0
        self._client = None

    def search(self, query: str, max_results: int, since: str | None = None) -> tuple[list[Hit], int | None]:
        from synth.papers.sources.arxiv import build_search_query
        from synth.papers.sources.ids import normalise_arxiv

        params = {"search_query": build_search_query(query, since), "max_results": str(max_results),
                  "sortBy": "relevance"}
        reply = None if self.cache_mode == "refresh" else self.cache.get("arxiv", "/query", params)
        if reply is not None:
            self.cached += 1
        elif self.cache_mode == "offline":
            raise NetworkError("arXiv: this query is not in the response cache (offline run)",
                               hint="run the same search once with the network, or drop --offline")
        else:
            if self._client is None:
                from synth.papers.sources.arxiv import ArxivClient

                self._client = ArxivClient(self.settings)
            before = self._client.api_requests
            try:
                records = self._client.search(query, max_results, since)
            finally:
                self.requests += self._client.api_requests - before
            body = [{"id": r.id, "version": r.version, "title": r.title, "authors": r.authors,
                     "abstract": r.abstract, "published": r.published} for r in records]
            reply = Reply(200, body, fetched_at=utc_now())
            self.cache.put("arxiv", "/query", params, reply)
        hits: list[Hit] = []
        for r in f.items(reply.body):  # the cache may have been edited or damaged: read it like an API reply
            r = f.mapping(r)
            paper_id, version = normalise_arxiv(f.opt_text(r.get("id"), 100)), f.count(r.get("version"))
            if paper_id is None or not version:
                continue
            published = f.published(r.get("published"))
            hits.append(Hit(search="", source="arxiv", rank=len(hits) + 1, ids=PaperIds(arxiv=paper_id),
                            title=f.text(r.get("title"), 1000), authors=f.names(r.get("authors")),
                            year=int(published[:4]) if published else None, published=published,
                            abstract=f.text(r.get("abstract")), url=f"https://arxiv.org/abs/{paper_id}v{version}"))
        return hits, None


def make_source(name: str, settings: "Settings", cache_mode: CacheMode = "use"):
    """The client for one source name (arxiv, s2, openalex, crossref)."""
    if name == "arxiv":
        return ArxivSource(settings, cache_mode)
    if name == "s2":
        from synth.papers.sources.semantic_scholar import SemanticScholar

        return SemanticScholar(settings, cache_mode)
    if name == "openalex":
        from synth.papers.sources.openalex import OpenAlex

        return OpenAlex(settings, cache_mode)
    if name == "crossref":
        from synth.papers.sources.crossref import Crossref

        return Crossref(settings, cache_mode)
    raise UsageError(f"unknown source {name!r}")


def counters(client) -> tuple[int, int]:
    """(network requests, cache hits) a client has made so far."""
    api = getattr(client, "api", client)
    return api.requests, api.cached
