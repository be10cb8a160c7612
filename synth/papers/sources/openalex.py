"""OpenAlex works API (https://developers.openalex.org): search (GET /works?search=…), filters
(`from_publication_date:`, `cites:`, `cited_by:`), cursor paging (`cursor=*`, then meta.next_cursor, at most 100
per page), and single works (GET /works/W…, /works/doi:…).

Terms: since 13 February 2026 OpenAlex needs a free API key beyond a tiny daily allowance; it goes in the
`api_key` parameter (settings.openalex_api_key) and is never cached or logged. `mailto` (settings.mailto) is sent
as well. Reply shapes used: list → {"meta": {"count", "per_page", "next_cursor"}, "results": [work]}; work →
{"id", "doi", "display_name", "publication_year", "publication_date", "ids": {"openalex", "doi", "mag", ...},
"authorships": [{"author": {"display_name"}}], "primary_location": {"landing_page_url", "source":
{"display_name"}}, "locations": [...], "cited_by_count", "abstract_inverted_index"}.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from synth.core.errors import NetworkError
from synth.core.models import Hit, PaperIds
from synth.papers.sources.ids import arxiv_from_url, make_ids, openalex_id
from synth.papers.sources.webapi import CacheMode, JsonApi

if TYPE_CHECKING:
    from synth.core.settings import Settings

SELECT = ("id,doi,display_name,publication_year,publication_date,ids,authorships,primary_location,locations,"
          "cited_by_count,abstract_inverted_index")
PAGE = 100  # the API's largest page


def abstract_text(inverted: dict[str, list[int]] | None) -> str:
    """OpenAlex ships abstracts as an inverted index (word → positions): put the words back in order."""
    if not isinstance(inverted, dict):
        return ""
    placed = sorted((pos, word) for word, positions in inverted.items() for pos in positions or [])
    return " ".join(word for _, word in placed)


def _arxiv_of(work: dict[str, Any]) -> str | None:
    locations = [work.get("primary_location") or {}, *(work.get("locations") or [])]
    for loc in locations:
        for url in (loc or {}).get("landing_page_url"), (loc or {}).get("pdf_url"):
            if found := arxiv_from_url(url):
                return found
    return None


def work_hit(work: dict[str, Any], rank: int | None) -> Hit | None:
    """One OpenAlex work → a Hit (None for an entry without an id)."""
    if not isinstance(work, dict) or not openalex_id(work.get("id")):
        return None
    extra = work.get("ids") or {}
    ids = make_ids(arxiv=_arxiv_of(work), doi=work.get("doi") or extra.get("doi"), openalex=openalex_id(work["id"]),
                   mag=str(extra["mag"]) if extra.get("mag") is not None else None)
    primary = work.get("primary_location") or {}
    venue = ((primary.get("source") or {}).get("display_name")) or None
    return Hit(search="", source="openalex", rank=rank, ids=ids,
               title=" ".join((work.get("display_name") or work.get("title") or "").split()),
               authors=[(a.get("author") or {}).get("display_name", "") for a in work.get("authorships") or []
                        if (a.get("author") or {}).get("display_name")],
               year=work.get("publication_year"), published=work.get("publication_date") or None, venue=venue,
               abstract=abstract_text(work.get("abstract_inverted_index")),
               url=primary.get("landing_page_url") or work.get("id"), cited_by=work.get("cited_by_count"))


def work_path(ids: PaperIds) -> str | None:
    """The singleton path for a paper: /works/W…, else /works/doi:… (arXiv papers by their arXiv DOI)."""
    if ids.openalex:
        return f"/works/{ids.openalex}"
    if ids.doi:
        return f"/works/doi:{ids.doi}"
    if ids.arxiv:
        return f"/works/doi:10.48550/arxiv.{ids.arxiv}"
    return None


class OpenAlex:
    """Client of the works API; `api.requests` / `api.cached` count what it did."""

    name = "openalex"

    def __init__(self, settings: "Settings", cache_mode: CacheMode = "use"):
        key = settings.openalex_api_key.get_secret_value() if settings.openalex_api_key else None
        self.api = JsonApi("openalex", settings.openalex_api, settings, label="OpenAlex", cache_mode=cache_mode,
                           secret_params={"api_key": key} if key else None,
                           contact_params={"mailto": settings.mailto} if settings.mailto else None,
                           key_hint="set SYNTH_OPENALEX_API_KEY (free at openalex.org/settings/api)")

    def search(self, query: str, max_results: int, since: str | None = None) -> tuple[list[Hit], int | None]:
        """Up to `max_results` works by relevance, and meta.count."""
        filters = f"from_publication_date:{since}" if since else None
        return self._list({"search": query, "filter": filters}, max_results)

    def work(self, ids: PaperIds) -> Hit | None:
        """One work (None when OpenAlex does not know it or no id fits)."""
        path = work_path(ids)
        if path is None:
            return None
        reply = self.api.get(path, {"select": SELECT}, not_found_ok=True)
        return None if reply.status == 404 else work_hit(reply.body, None)

    def references(self, ids: PaperIds, limit: int) -> list[Hit]:
        """Works the given work cites (filter cited_by:W…)."""
        return self._neighbours(ids, "cited_by", limit)

    def citations(self, ids: PaperIds, limit: int) -> list[Hit]:
        """Works citing the given work (filter cites:W…)."""
        return self._neighbours(ids, "cites", limit)

    def _neighbours(self, ids: PaperIds, relation: str, limit: int) -> list[Hit]:
        wid = ids.openalex
        if wid is None:
            found = self.work(ids)
            wid = found.ids.openalex if found is not None else None
        if wid is None:
            return []
        return self._list({"filter": f"{relation}:{wid}"}, limit)[0]

    def _list(self, params: dict[str, Any], max_results: int) -> tuple[list[Hit], int | None]:
        hits: list[Hit] = []
        total, cursor = None, "*"
        while len(hits) < max_results and cursor:
            per_page = min(PAGE, max_results - len(hits))
            body = self.api.get("/works", {**params, "select": SELECT, "per_page": per_page, "cursor": cursor}).body
            meta = body.get("meta") if isinstance(body, dict) else None
            results = body.get("results") if isinstance(body, dict) else None
            if not isinstance(meta, dict) or not isinstance(results, list):
                raise NetworkError("OpenAlex: a list reply without `meta` and `results`")
            total = meta.get("count") if isinstance(meta.get("count"), int) else total
            for work in results:
                if (hit := work_hit(work, len(hits) + 1)) is not None:
                    hits.append(hit)
            # a short page is the last one: no need to ask for the empty page that would say so
            cursor = meta.get("next_cursor") if len(results) >= per_page else None
        return hits[:max_results], total
