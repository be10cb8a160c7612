"""Semantic Scholar Academic Graph API (https://api.semanticscholar.org/api-docs/graph): relevance search
(GET /paper/search), paper lookup (GET /paper/{id}), references and citations (GET /paper/{id}/references,
/paper/{id}/citations). An API key, when set, goes in the `x-api-key` header.

Reply shapes used here (as documented): search → {"total", "offset", "next", "data": [paper]}; references →
{"offset", "next", "data": [{"citedPaper": paper}]}; citations → {"offset", "next", "data": [{"citingPaper": paper}]};
paper → {"paperId", "externalIds": {"ArXiv", "DOI", "ACL", "MAG", "CorpusId", ...}, "title", "abstract", "year",
"publicationDate", "venue", "authors": [{"authorId", "name"}], "citationCount", "url"}.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from synth.core.errors import InvalidIdError, NetworkError
from synth.core.models import Hit, PaperIds
from synth.papers.sources.ids import make_ids
from synth.papers.sources.webapi import CacheMode, JsonApi

if TYPE_CHECKING:
    from synth.core.settings import Settings

FIELDS = "paperId,externalIds,title,abstract,year,publicationDate,venue,authors,citationCount,url"
PAGE = 100  # the API's largest page for search, references and citations
SEARCH_WINDOW = 1000  # relevance search serves offset + limit <= 1000 only (use the bulk endpoint beyond)


def paper_hit(paper: dict[str, Any], rank: int | None) -> Hit | None:
    """One S2 paper object → a Hit (None for the API's null entries, e.g. references it could not resolve)."""
    if not isinstance(paper, dict) or not paper.get("paperId"):
        return None
    ext = paper.get("externalIds") or {}
    ids = make_ids(arxiv=ext.get("ArXiv"), doi=ext.get("DOI"), s2=paper["paperId"], acl=ext.get("ACL"),
                   mag=str(ext["MAG"]) if ext.get("MAG") is not None else None)
    return Hit(search="", source="s2", rank=rank, ids=ids, title=" ".join((paper.get("title") or "").split()),
               authors=[a.get("name", "") for a in paper.get("authors") or [] if a.get("name")],
               year=paper.get("year"), published=paper.get("publicationDate") or None,
               venue=paper.get("venue") or None, abstract=" ".join((paper.get("abstract") or "").split()),
               url=paper.get("url") or None, cited_by=paper.get("citationCount"))


def s2_paper_id(ids: PaperIds) -> str:
    """The id form the Graph API takes in paths: the paperId, else ARXIV:<id>, DOI:<doi>, ACL:<id>, MAG:<id>."""
    if ids.s2:
        return ids.s2
    for name, prefix in (("arxiv", "ARXIV"), ("doi", "DOI"), ("acl", "ACL"), ("mag", "MAG")):
        if value := getattr(ids, name):
            return f"{prefix}:{value}"
    raise InvalidIdError("Semantic Scholar needs an S2 paperId, arXiv id, DOI, ACL or MAG id for this paper")


class SemanticScholar:
    """Client of the Graph API; `api.requests` / `api.cached` count what it did."""

    name = "s2"

    def __init__(self, settings: "Settings", cache_mode: CacheMode = "use"):
        key = settings.s2_api_key.get_secret_value() if settings.s2_api_key else None
        self.api = JsonApi("s2", settings.s2_api, settings, label="Semantic Scholar", cache_mode=cache_mode,
                           headers={"x-api-key": key} if key else None,
                           key_hint="set SYNTH_S2_API_KEY to your Semantic Scholar API key")

    def search(self, query: str, max_results: int, since: str | None = None) -> tuple[list[Hit], int | None]:
        """Up to `max_results` papers by relevance, and the total the API reports."""
        params: dict[str, Any] = {"query": query, "fields": FIELDS}
        if since:
            params["publicationDateOrYear"] = f"{since}:"
        hits: list[Hit] = []
        total, offset = None, 0
        while len(hits) < max_results and offset < SEARCH_WINDOW:
            limit = min(PAGE, max_results - len(hits), SEARCH_WINDOW - offset)
            body = self.api.get("/paper/search", {**params, "offset": offset, "limit": limit}).body
            total = _int(body.get("total")) if isinstance(body, dict) else None
            page = body.get("data") if isinstance(body, dict) else None
            if not isinstance(page, list):
                raise NetworkError("Semantic Scholar: a search reply without a `data` list")
            for paper in page:
                if (hit := paper_hit(paper, len(hits) + 1)) is not None:
                    hits.append(hit)
            nxt = body.get("next")
            if not page or nxt is None:
                break
            offset = int(nxt)
        return hits[:max_results], total

    def paper(self, ids: PaperIds) -> Hit | None:
        """One paper's metadata (None when S2 does not know it)."""
        reply = self.api.get(f"/paper/{s2_paper_id(ids)}", {"fields": FIELDS}, not_found_ok=True)
        return None if reply.status == 404 else paper_hit(reply.body, None)

    def references(self, ids: PaperIds, limit: int) -> list[Hit]:
        """Papers the given paper cites, in the API's order (None entries dropped)."""
        return self._edges(ids, "references", "citedPaper", limit)

    def citations(self, ids: PaperIds, limit: int) -> list[Hit]:
        """Papers that cite the given paper, in the API's order."""
        return self._edges(ids, "citations", "citingPaper", limit)

    def _edges(self, ids: PaperIds, what: str, key: str, limit: int) -> list[Hit]:
        path = f"/paper/{s2_paper_id(ids)}/{what}"
        hits: list[Hit] = []
        offset = 0
        while len(hits) < limit:
            reply = self.api.get(path, {"fields": FIELDS, "offset": offset, "limit": min(PAGE, limit - len(hits))},
                                 not_found_ok=True)
            if reply.status == 404:
                return hits
            page = reply.body.get("data") if isinstance(reply.body, dict) else None
            if not isinstance(page, list):
                raise NetworkError(f"Semantic Scholar: a {what} reply without a `data` list")
            for edge in page:
                if (hit := paper_hit((edge or {}).get(key), len(hits) + 1)) is not None:
                    hits.append(hit)
            nxt = reply.body.get("next")
            if not page or nxt is None:
                break
            offset = int(nxt)
        return hits[:limit]


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, (int, float)) else None
