"""Semantic Scholar Academic Graph API (https://api.semanticscholar.org/api-docs/graph): relevance search
(GET /paper/search), paper lookup (GET /paper/{id}), references and citations (GET /paper/{id}/references,
/paper/{id}/citations). An API key, when set, goes in the `x-api-key` header.

As the API documentation says, and the client follows:
- relevance search takes plain text: "no special query syntax is supported; hyphenated query terms yield no
  matches (replace it with space to find matches)": hyphens and dashes become spaces (`s2_query`);
- search pages hold at most 100 papers and offset + limit stays within the first 1,000; references and
  citations pages hold up to 1,000;
- `publicationDateOrYear=<start>:` filters search and citations by date server-side (references have no such
  filter: they are filtered here);
- a 429 comes without Retry-After (the gateway's {"message": "Too Many Requests"}): wait and retry (the
  provider's own client waits 30 s), then say how to get a key;
- list entries can be null (references S2 could not resolve), and `next` is absent on the last page.

Reply shapes used here: search → {"total", "offset", "next", "data": [paper]}; references → {"offset", "next",
"data": [{"citedPaper": paper}]}; citations → {"offset", "next", "data": [{"citingPaper": paper}]}; paper →
{"paperId", "externalIds": {"ArXiv", "DOI", "ACL", "MAG", "CorpusId", ...}, "title", "abstract", "year",
"publicationDate", "venue", "authors": [{"authorId", "name"}], "citationCount", "url"}.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from synth.core.errors import InvalidIdError, UsageError
from synth.core.models import Hit, PaperIds
from synth.papers.sources import fields as f
from synth.papers.sources.ids import make_ids
from synth.papers.sources.webapi import ApiRules, CacheMode, JsonApi

if TYPE_CHECKING:
    from synth.core.settings import Settings

FIELDS = "paperId,externalIds,title,abstract,year,publicationDate,venue,authors,citationCount,url"
PAGE = 100  # the largest relevance-search page
EDGE_PAGE = 1000  # the largest references / citations page
SEARCH_WINDOW = 1000  # relevance search serves offset + limit <= 1000 only (use the bulk endpoint beyond)
RATE_WAIT = 30.0  # seconds before retrying a 429 (sent without Retry-After), as the provider's own client does
KEY_FORM = "https://www.semanticscholar.org/product/api#api-key-form"
_DASHES = re.compile(r"[-\u2010-\u2015\u2212]+")


def s2_query(text: str) -> str:
    """A query as relevance search can match it: hyphens and dashes as spaces ('intermediate-task' matches
    nothing, 'intermediate task' matches), whitespace collapsed."""
    return " ".join(_DASHES.sub(" ", text).split())


def _rules(has_key: bool) -> ApiRules:
    def advice(status: int) -> str | None:
        if status == 429 and not has_key:
            return ("without an API key every user shares one request pool: set SYNTH_S2_API_KEY (request one at "
                    f"{KEY_FORM}), or try again in a few minutes")
        if status == 429:
            return "your key allows about 1 request per second: raise SYNTH_SEARCH_DELAY, or try again later"
        if status in (401, 403):
            return "check SYNTH_S2_API_KEY" if has_key else "set SYNTH_S2_API_KEY to your Semantic Scholar API key"
        return None

    return ApiRules(later=frozenset({429}), rate_wait=RATE_WAIT, advice=advice,
                    meaning={429: "is rate-limiting requests", 403: "refused the request"})


def paper_hit(paper: Any, rank: int | None) -> Hit | None:
    """One S2 paper object → a Hit (None for the API's null entries, e.g. references it could not resolve)."""
    paper = f.mapping(paper)
    paper_id = f.opt_text(paper.get("paperId"), 100)
    if paper_id is None:
        return None
    ext = f.mapping(paper.get("externalIds"))
    ids = make_ids(arxiv=f.opt_text(ext.get("ArXiv"), 100), doi=f.opt_text(ext.get("DOI"), 300), s2=paper_id,
                   acl=f.ident(ext.get("ACL")), mag=f.ident(ext.get("MAG")))
    return Hit(search="", source="s2", rank=rank, ids=ids, title=f.text(paper.get("title"), 1000),
               authors=f.names(paper.get("authors"), "name"), year=f.year(paper.get("year")),
               published=f.published(paper.get("publicationDate")), venue=f.opt_text(paper.get("venue"), 300),
               abstract=f.text(paper.get("abstract")), url=f.opt_text(paper.get("url"), 500),
               cited_by=f.count(paper.get("citationCount")))


def s2_paper_id(ids: PaperIds) -> str:
    """The id form the Graph API takes in paths: the paperId, else ARXIV:<id>, DOI:<doi>, ACL:<id>, MAG:<id>."""
    if ids.s2:
        return ids.s2
    for name, prefix in (("arxiv", "ARXIV"), ("doi", "DOI"), ("acl", "ACL"), ("mag", "MAG")):
        if value := getattr(ids, name):
            return f"{prefix}:{value}"
    raise InvalidIdError("Semantic Scholar needs an S2 paperId, arXiv id, DOI, ACL or MAG id for this paper")


def _next_offset(body: dict, offset: int, got: int) -> int | None:
    """Where the next page starts, or None when there is none: `next` absent, not a whole number, or not past
    this page (a server repeating itself must not keep us paging)."""
    nxt = f.count(body.get("next"))
    if nxt is None or nxt <= offset or got == 0:
        return None
    return nxt


class SemanticScholar:
    """Client of the Graph API; `api.requests` / `api.cached` count what it did."""

    name = "s2"

    def __init__(self, settings: "Settings", cache_mode: CacheMode = "use"):
        key = settings.s2_api_key.get_secret_value() if settings.s2_api_key else None
        self.api = JsonApi("s2", settings.s2_api, settings, label="Semantic Scholar", cache_mode=cache_mode,
                           headers={"x-api-key": key} if key else None, rules=_rules(bool(key)),
                           key_hint="set SYNTH_S2_API_KEY to your Semantic Scholar API key")

    def search(self, query: str, max_results: int, since: str | None = None) -> tuple[list[Hit], int | None]:
        """Up to `max_results` papers by relevance (published on or after `since`, filtered by the API), and the
        total the API reports."""
        text = s2_query(query)
        if not text:
            raise UsageError(f"nothing left to search Semantic Scholar for in {query!r}")
        params: dict[str, Any] = {"query": text, "fields": FIELDS}
        if since:
            params["publicationDateOrYear"] = f"{since}:"
        hits: list[Hit] = []
        total, offset = None, 0
        while len(hits) < max_results and offset < SEARCH_WINDOW:
            limit = min(PAGE, max_results - len(hits), SEARCH_WINDOW - offset)
            body = f.mapping(self.api.get("/paper/search", {**params, "offset": offset, "limit": limit}).body)
            total = f.count(body.get("total"))
            page = f.items(body.get("data"))
            for paper in page:
                if (hit := paper_hit(paper, len(hits) + 1)) is not None:
                    hits.append(hit)
            nxt = _next_offset(body, offset, len(page))
            if nxt is None:
                break
            offset = nxt
        return hits[:max_results], total

    def paper(self, ids: PaperIds) -> Hit | None:
        """One paper's metadata (None when S2 does not know it)."""
        reply = self.api.get(f"/paper/{s2_paper_id(ids)}", {"fields": FIELDS}, not_found_ok=True)
        return None if reply.status == 404 else paper_hit(reply.body, None)

    def references(self, ids: PaperIds, limit: int, since: str | None = None) -> list[Hit]:
        """Papers the given paper cites, in the API's order (null entries dropped). The endpoint has no date
        filter: `since` is left to the caller."""
        return self._edges(ids, "references", "citedPaper", limit, None)

    def citations(self, ids: PaperIds, limit: int, since: str | None = None) -> list[Hit]:
        """Papers that cite the given paper (published on or after `since`, filtered by the API)."""
        return self._edges(ids, "citations", "citingPaper", limit, since)

    def _edges(self, ids: PaperIds, what: str, key: str, limit: int, since: str | None) -> list[Hit]:
        path = f"/paper/{s2_paper_id(ids)}/{what}"
        extra = {"publicationDateOrYear": f"{since}:"} if since else {}
        hits: list[Hit] = []
        offset = 0
        while len(hits) < limit:
            reply = self.api.get(path, {"fields": FIELDS, **extra, "offset": offset,
                                        "limit": min(EDGE_PAGE, limit - len(hits))}, not_found_ok=True)
            if reply.status == 404:
                return hits
            body = f.mapping(reply.body)
            page = f.items(body.get("data"))
            for edge in page:
                if (hit := paper_hit(f.mapping(edge).get(key), len(hits) + 1)) is not None:
                    hits.append(hit)
            nxt = _next_offset(body, offset, len(page))
            if nxt is None:
                break
            offset = nxt
        return hits[:limit]
