"""Crossref REST API (https://api.crossref.org, GET /works/{doi}): the publisher's metadata for a DOI — venue,
authors, publication date — used to complete records found elsewhere. Polite use: `mailto` in the query and the
User-Agent (settings.mailto) put requests in the "polite pool"; synth never invents an address, and when Crossref
rate-limits a request that had none, the error asks for SYNTH_MAILTO.

Reply shape: {"status": "ok", "message-type": "work", "message": {"DOI", "title": [..], "author": [{"given",
"family"} | {"name"}], "container-title": [..], "issued": {"date-parts": [[Y, M, D]]}, "published-print",
"published-online", "URL", "is-referenced-by-count"}}.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from synth.core.models import Hit
from synth.papers.sources import fields as f
from synth.papers.sources.ids import make_ids
from synth.papers.sources.webapi import ApiRules, CacheMode, JsonApi

if TYPE_CHECKING:
    from synth.core.settings import Settings


def _date(message: dict[str, Any]) -> tuple[int | None, str | None]:
    for key in ("published-print", "published-online", "published", "issued"):
        rows = f.items(f.mapping(message.get(key)).get("date-parts"))
        numbers: list[int] = []
        for p in f.items(rows[0] if rows else None)[:3]:
            if (n := f.count(p)) is None:
                break
            numbers.append(n)
        if numbers and f.year(numbers[0]) is not None:
            shown = "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(numbers))
            return numbers[0], f.published(shown) or str(numbers[0])
    return None, None


def _author(a: Any) -> str:
    a = f.mapping(a)
    if name := f.text(a.get("name"), 300):
        return name
    return " ".join(part for k in ("given", "family") if (part := f.text(a.get(k), 200)))


def message_hit(message: Any) -> Hit | None:
    """The `message` of a /works/{doi} reply → a metadata Hit (rank None: a lookup, not a ranked result)."""
    message = f.mapping(message)
    doi = f.opt_text(message.get("DOI"), 300)
    if doi is None:
        return None
    year, published = _date(message)
    titles = f.items(message.get("title"))
    venues = f.items(message.get("container-title"))
    return Hit(search="", source="crossref", rank=None, ids=make_ids(doi=doi),
               title=f.text(titles[0], 1000) if titles else "",
               authors=[name for a in f.items(message.get("author")) if (name := _author(a))], year=year,
               published=published, venue=f.opt_text(venues[0], 300) if venues else None,
               url=f.opt_text(message.get("URL"), 500), cited_by=f.count(message.get("is-referenced-by-count")))


def _rules(has_mailto: bool) -> ApiRules:
    def advice(status: int) -> str | None:
        if status == 429 and not has_mailto:
            return ("set SYNTH_MAILTO to your e-mail address: Crossref serves identified (polite-pool) requests "
                    "with higher limits")
        if status == 429:
            return "raise SYNTH_SEARCH_DELAY, or try again later"
        return None

    return ApiRules(later=frozenset({429}), advice=advice, meaning={429: "is rate-limiting requests"})


class Crossref:
    """Client of the works-by-DOI endpoint; `api.requests` / `api.cached` count what it did."""

    name = "crossref"

    def __init__(self, settings: "Settings", cache_mode: CacheMode = "use"):
        self.api = JsonApi("crossref", settings.crossref_api, settings, label="Crossref", cache_mode=cache_mode,
                           contact_params={"mailto": settings.mailto} if settings.mailto else None,
                           rules=_rules(bool(settings.mailto)))

    def work(self, doi: str) -> Hit | None:
        """Metadata of one DOI (None when Crossref does not know it, e.g. a DataCite DOI)."""
        reply = self.api.get(f"/works/{doi}", not_found_ok=True)
        if reply.status == 404:
            return None
        return message_hit(f.mapping(reply.body).get("message"))
