"""Crossref REST API (https://api.crossref.org, GET /works/{doi}): the publisher's metadata for a DOI — venue,
authors, publication date — used to complete records found elsewhere. Polite use: `mailto` in the query and the
User-Agent (settings.mailto).

Reply shape: {"status": "ok", "message-type": "work", "message": {"DOI", "title": [..], "author": [{"given",
"family"} | {"name"}], "container-title": [..], "issued": {"date-parts": [[Y, M, D]]}, "published-print",
"published-online", "URL", "is-referenced-by-count"}}.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from synth.core.models import Hit
from synth.papers.sources.ids import make_ids
from synth.papers.sources.webapi import CacheMode, JsonApi

if TYPE_CHECKING:
    from synth.core.settings import Settings


def _date(message: dict[str, Any]) -> tuple[int | None, str | None]:
    for key in ("published-print", "published-online", "published", "issued"):
        parts = ((message.get(key) or {}).get("date-parts") or [[None]])[0]
        if parts and isinstance(parts[0], int):
            return parts[0], "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts) if isinstance(p, int))
    return None, None


def _author(a: dict[str, Any]) -> str:
    if a.get("name"):
        return str(a["name"])
    return " ".join(str(a[k]) for k in ("given", "family") if a.get(k))


def message_hit(message: dict[str, Any]) -> Hit | None:
    """The `message` of a /works/{doi} reply → a metadata Hit (rank None: a lookup, not a ranked result)."""
    if not isinstance(message, dict) or not message.get("DOI"):
        return None
    year, published = _date(message)
    titles = message.get("title") or []
    venues = message.get("container-title") or []
    return Hit(search="", source="crossref", rank=None, ids=make_ids(doi=message["DOI"]),
               title=" ".join(str(titles[0]).split()) if titles else "",
               authors=[name for a in message.get("author") or [] if (name := _author(a))], year=year,
               published=published, venue=str(venues[0]) if venues else None, url=message.get("URL"),
               cited_by=message.get("is-referenced-by-count"))


class Crossref:
    """Client of the works-by-DOI endpoint; `api.requests` / `api.cached` count what it did."""

    name = "crossref"

    def __init__(self, settings: "Settings", cache_mode: CacheMode = "use"):
        self.api = JsonApi("crossref", settings.crossref_api, settings, label="Crossref", cache_mode=cache_mode,
                           contact_params={"mailto": settings.mailto} if settings.mailto else None)

    def work(self, doi: str) -> Hit | None:
        """Metadata of one DOI (None when Crossref does not know it, e.g. a DataCite DOI)."""
        reply = self.api.get(f"/works/{doi}", not_found_ok=True)
        if reply.status == 404 or not isinstance(reply.body, dict):
            return None
        return message_hit(reply.body.get("message") or {})
