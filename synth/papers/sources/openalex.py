"""OpenAlex works API (https://developers.openalex.org): search (GET /works?search=…), filters
(`from_publication_date:`, `cites:`, `cited_by:`), cursor paging (`cursor=*`, then meta.next_cursor, at most 100
per page), and single works (GET /works/W…, /works/doi:…).

Terms, as the current documentation says: since 13 February 2026 the API needs a free key beyond a tiny daily
allowance; the key goes in the `api_key` parameter (settings.openalex_api_key) and is never cached or logged.
Statuses: 429 means the daily allowance is spent (not retried: it comes back tomorrow, or with a key), 403 means
"rate limit exceeded; slow down" (retried with backoff), 401 a key that is refused; an error body holds a short
`error` and the explanation in `message`. `mailto` (settings.mailto, never an invented address) is sent when set.

Reply shapes used: list → {"meta": {"count", "per_page", "next_cursor"}, "results": [work]}; work →
{"id", "doi", "display_name", "publication_year", "publication_date", "ids": {"openalex", "doi", "mag", ...},
"authorships": [{"author": {"display_name"}}], "primary_location": {"landing_page_url", "source":
{"display_name"}}, "locations": [...], "cited_by_count", "abstract_inverted_index"}.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from synth.core.models import Hit, PaperIds
from synth.papers.sources import fields as f
from synth.papers.sources.ids import arxiv_from_url, make_ids, openalex_id
from synth.papers.sources.webapi import ApiRules, CacheMode, JsonApi

if TYPE_CHECKING:
    from synth.core.settings import Settings

SELECT = ("id,doi,display_name,publication_year,publication_date,ids,authorships,primary_location,locations,"
          "cited_by_count,abstract_inverted_index")
PAGE = 100  # the API's largest page
KEY_PAGE = "openalex.org/settings/api"
MAX_ABSTRACT_WORDS = 5000


def _rules(has_key: bool) -> ApiRules:
    def advice(status: int) -> str | None:
        if status == 429 and not has_key:
            return (f"without an API key OpenAlex allows only a few searches a day: set SYNTH_OPENALEX_API_KEY "
                    f"(free at {KEY_PAGE})")
        if status == 429:
            return "the key's daily allowance is renewed at midnight UTC; try again then"
        if status == 403:
            return "wait a little, or raise SYNTH_SEARCH_DELAY"
        if status == 401:
            return f"check SYNTH_OPENALEX_API_KEY (free at {KEY_PAGE})"
        return None

    return ApiRules(later=frozenset({403}), spent=frozenset({429}), advice=advice,
                    meaning={429: "says the daily allowance is spent", 403: "asks to slow down",
                             401: "refused the API key"})


def abstract_text(inverted: Any) -> str:
    """OpenAlex ships abstracts as an inverted index (word → positions): put the words back in order (positions
    that are not whole numbers are skipped; at most MAX_ABSTRACT_WORDS words)."""
    placed = sorted((pos, word) for word, positions in f.mapping(inverted).items() if isinstance(word, str)
                    for pos in f.items(positions) if f.count(pos) is not None and pos < 100_000)
    return " ".join(word for _, word in placed[:MAX_ABSTRACT_WORDS])


def _arxiv_of(work: dict[str, Any]) -> str | None:
    for loc in [work.get("primary_location"), *f.items(work.get("locations"))]:
        loc = f.mapping(loc)
        for url in loc.get("landing_page_url"), loc.get("pdf_url"):
            if isinstance(url, str) and (found := arxiv_from_url(url)):
                return found
    return None


def work_hit(work: Any, rank: int | None) -> Hit | None:
    """One OpenAlex work → a Hit (None for an entry without an id)."""
    work = f.mapping(work)
    wid = openalex_id(work.get("id")) if isinstance(work.get("id"), str) else None
    if wid is None:
        return None
    extra = f.mapping(work.get("ids"))
    ids = make_ids(arxiv=_arxiv_of(work), doi=f.opt_text(work.get("doi"), 300) or f.opt_text(extra.get("doi"), 300),
                   openalex=wid, mag=f.ident(extra.get("mag")))
    primary = f.mapping(work.get("primary_location"))
    return Hit(search="", source="openalex", rank=rank, ids=ids,
               title=f.text(work.get("display_name"), 1000) or f.text(work.get("title"), 1000),
               authors=[name for a in f.items(work.get("authorships"))
                        if (name := f.text(f.mapping(f.mapping(a).get("author")).get("display_name"), 300))],
               year=f.year(work.get("publication_year")), published=f.published(work.get("publication_date")),
               venue=f.opt_text(f.mapping(primary.get("source")).get("display_name"), 300),
               abstract=abstract_text(work.get("abstract_inverted_index")),
               url=f.opt_text(primary.get("landing_page_url"), 500) or f.opt_text(work.get("id"), 500),
               cited_by=f.count(work.get("cited_by_count")))


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
                           rules=_rules(bool(key)), key_hint=f"set SYNTH_OPENALEX_API_KEY (free at {KEY_PAGE})")

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

    def references(self, ids: PaperIds, limit: int, since: str | None = None) -> list[Hit]:
        """Works the given work cites (filter cited_by:W…; from_publication_date when `since`)."""
        return self._neighbours(ids, "cited_by", limit, since)

    def citations(self, ids: PaperIds, limit: int, since: str | None = None) -> list[Hit]:
        """Works citing the given work (filter cites:W…; from_publication_date when `since`)."""
        return self._neighbours(ids, "cites", limit, since)

    def _neighbours(self, ids: PaperIds, relation: str, limit: int, since: str | None) -> list[Hit]:
        wid = ids.openalex
        if wid is None:
            found = self.work(ids)
            wid = found.ids.openalex if found is not None else None
        if wid is None:
            return []
        filters = f"{relation}:{wid}" + (f",from_publication_date:{since}" if since else "")
        return self._list({"filter": filters}, limit)[0]

    def _list(self, params: dict[str, Any], max_results: int) -> tuple[list[Hit], int | None]:
        hits: list[Hit] = []
        total, cursor = None, "*"
        seen: set[str] = set()
        while len(hits) < max_results and cursor:
            seen.add(cursor)
            per_page = min(PAGE, max_results - len(hits))
            body = f.mapping(self.api.get("/works", {**params, "select": SELECT, "per_page": per_page,
                                                     "cursor": cursor}).body)
            meta = f.mapping(body.get("meta"))
            results = f.items(body.get("results"))
            total = f.count(meta.get("count")) if f.count(meta.get("count")) is not None else total
            for work in results:
                if (hit := work_hit(work, len(hits) + 1)) is not None:
                    hits.append(hit)
            # a short page is the last one: no need to ask for the empty page that would say so; a cursor seen
            # before (a server repeating itself) or one that is not text ends the paging too
            nxt = meta.get("next_cursor")
            cursor = nxt if len(results) >= per_page and isinstance(nxt, str) and len(nxt) <= 2000 and nxt not in seen else None
        return hits[:max_results], total
