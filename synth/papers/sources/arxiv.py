"""arXiv: identifier parsing (no network), and metadata from the arXiv API (batched, rate-limited, retried).

Identifier forms accepted by `parse_identifier`: `2005.13013`, `2005.13013v2`, `arXiv:2005.13013`,
`hep-th/9901001(vN)`, `https://arxiv.org/abs/<id>`, `https://arxiv.org/pdf/<id>(.pdf)`, and local PDF paths.

The API (https://info.arxiv.org/help/api/user-manual.html) is called through synth's own HTTP helper
(synth.papers.sources.http.get: total deadline on the socket, size cap, http(s)-only redirects) and its Atom feed
read with lxml (no entities, no network, libxml2's depth limit). The `arxiv` package's public interface (Client,
Search, results()) has no way to give a request a timeout, a deadline or a size cap, and reaching into its
private session to add them broke with its releases; so it is not used for the API at all.
"""

from __future__ import annotations

import re
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from synth.core.errors import InvalidIdError, NetworkError, NotFoundError, SynthError
from synth.core.models import LOCAL_ID, NEW_ID, OLD_ID, PaperRef
from synth.papers.sources.transport import (
    TransientError, UnreachableError, format_size, get, host_of, parse_retry_after, retry_delay,
)

if TYPE_CHECKING:
    from synth.core.settings import Settings

_URL = re.compile(
    r"^https?://(?:www\.|export\.)?arxiv\.org/(?P<kind>abs|pdf)/(?P<id>.+?)(?:\.pdf)?/?(?:[?#].*)?$", re.IGNORECASE
)
_ADVANCED_QUERY = re.compile(r"\b(?:ti|au|abs|co|jr|cat|rn|id|all):|\b(?:AND|OR|ANDNOT)\b")


@dataclass(frozen=True)
class Item:
    """What one `synth fetch` argument means: an arXiv paper (`ref`), a local PDF (`path`) or a library id."""

    requested: str
    kind: Literal["arxiv", "local", "library"]
    ref: PaperRef | None = None
    path: Path | None = None


def _check_new_style(paper_id: str, text: str) -> None:
    month = int(paper_id[2:4])
    number = paper_id.split(".")[1]
    if not 1 <= month <= 12:
        raise InvalidIdError(f"not an arXiv id: {text!r} (month {paper_id[2:4]} in YYMM.NNNNN is out of range)")
    if len(number) == 5 and paper_id[:4] < "1501":
        raise InvalidIdError(f"not an arXiv id: {text!r} (5-digit numbers start in 2015, 1501.xxxxx)")
    if len(number) == 4 and paper_id[:4] >= "1501":
        raise InvalidIdError(f"not an arXiv id: {text!r} (since 2015, 1501.xxxxx, the number has 5 digits)")


def _parse_bare(text: str, original: str) -> PaperRef | None:
    text = re.sub(r"^arxiv:", "", text, flags=re.IGNORECASE)
    if not text.isascii():
        if re.match(r"^\d{4}\.\d{4,5}(v\d+)?$|^[a-z\-]+(\.[A-Z]{2})?/\d{7}(v\d+)?$", text):
            raise InvalidIdError(f"not an arXiv id: {_shown(original)} (digits must be ASCII 0-9)")
        return None
    m = NEW_ID.match(text)
    if m:
        _check_new_style(m["id"], original)
    if m or OLD_ID.match(text):
        ref = PaperRef.parse(text)
        if ref.version == 0:
            raise InvalidIdError(f"not an arXiv id: {original!r} (versions start at v1)")
        return ref
    return None


MAX_ITEM_CHARS = 4096  # longer than any id, URL or path a file system accepts


def _shown(text: str) -> str:
    """An item for a message: repr, cut to a readable length."""
    return repr(text) if len(text) <= 80 else repr(text[:77]) + f"... ({len(text)} characters)"


def parse_identifier(text: str) -> Item:
    """Classify one fetch argument without touching the network. Raises InvalidIdError with a one-line reason."""
    raw = text
    text = text.strip()
    if not text:
        raise InvalidIdError("empty item (expected an arXiv id, an arXiv URL or a PDF path)")
    if len(text) > MAX_ITEM_CHARS or "\x00" in text:
        raise InvalidIdError(f"not an arXiv id, arXiv URL or PDF path: {_shown(raw)}")
    m = _URL.match(text)
    if m:
        ref = _parse_bare(m["id"], raw)
        if ref is None:
            raise InvalidIdError(f"not an arXiv id in URL: {raw!r}")
        return Item(raw, "arxiv", ref=ref)
    if re.match(r"^[a-z][a-z0-9+.-]*://", text, re.IGNORECASE):
        raise InvalidIdError(f"not an arXiv URL: {raw!r} (expected https://arxiv.org/abs/<id> or /pdf/<id>)")
    ref = _parse_bare(text, raw)
    if ref is not None:
        return Item(raw, "arxiv", ref=ref)
    if LOCAL_ID.match(text):
        return Item(raw, "library", ref=PaperRef.parse(text))
    try:
        path = Path(text).expanduser()
    except RuntimeError:  # "~someone" for a user this machine does not know: take the name as written
        path = Path(text)
    try:
        exists = path.exists()
    except OSError:  # a name too long for the file system, ...
        exists = False
    if text.lower().endswith(".pdf") or exists or "/" in text or "\\" in text:
        return Item(raw, "local", path=path)
    raise InvalidIdError(
        f"not an arXiv id, arXiv URL or PDF path: {_shown(raw)} (expected e.g. 2005.13013, 2005.13013v2, "
        "hep-th/9901001)"
    )


ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
ATOM_FEED = f"{ATOM}feed"
PAGE = 100  # results per API request for searches (the API allows up to 2,000; smaller pages fail less)


def not_an_atom_feed(body: bytes) -> str | None:
    """Why `body` is not an Atom feed ('not XML', 'an <html> document'), or None when it is one."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        return f"not XML: {str(exc).splitlines()[0][:80]}" if body.strip() else "an empty body"
    except ValueError as exc:
        return f"not XML: {exc}"
    if root is None:
        return "an empty XML document"
    if root.tag != ATOM_FEED:
        return f"an XML document whose root is <{etree.QName(root).localname}>"
    return None


@dataclass
class ArxivRecord:
    """Metadata of one paper version as the arXiv API reported it."""

    id: str
    version: int
    title: str = ""
    authors: list[str] = field(default_factory=list)
    abstract: str = ""
    published: str | None = None
    updated: str | None = None
    categories: list[str] = field(default_factory=list)
    latest_version: int | None = None

    @property
    def ref(self) -> PaperRef:
        return PaperRef(id=self.id, version=self.version)


def build_search_query(text: str, since: str | None = None) -> str:
    """Free text → arXiv `search_query` (every word required, any field); advanced syntax passes through.
    `since` ('2019-06-01') adds the API's own date filter, submittedDate:[YYYYMMDDTTTT TO YYYYMMDDTTTT]."""
    text = text.strip()
    if _ADVANCED_QUERY.search(text):
        query = text
    else:
        words = re.findall(r"[\w][\w\-]*", text)
        if not words:
            raise InvalidIdError(f"empty search query: {text!r}")
        query = " AND ".join(f"all:{w}" for w in words)
    if since:
        # a fixed upper bound keeps the query (and so the response cache key) the same from day to day
        query = f"({query}) AND submittedDate:[{since.replace('-', '')}0000 TO 209912312359]"
    return query


def _text(node, path: str) -> str:
    found = node.find(path)
    return " ".join((found.text or "").split()) if found is not None else ""


def _when(text: str) -> str | None:
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00")).isoformat() if text.strip() else None
    except ValueError:
        return None


def parse_feed(body: bytes) -> tuple[list["ArxivRecord"], int | None]:
    """An Atom feed of the arXiv API → its records (entries that are not papers, such as the API's error
    entries, skipped) and opensearch:totalResults."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(body, parser=parser)
    total_text = _text(root, f"{OPENSEARCH}totalResults")
    total = int(total_text) if total_text.isdigit() and len(total_text) < 10 else None
    records = []
    for entry in root.iter(f"{ATOM}entry"):
        m = re.match(r"^https?://(?:www\.|export\.)?arxiv\.org/abs/(.+)$", _text(entry, f"{ATOM}id"))
        try:
            ref = PaperRef.parse(m[1]) if m else None
        except ValueError:
            ref = None
        if ref is None or ref.version is None:
            continue
        records.append(ArxivRecord(
            id=ref.id, version=ref.version, title=_text(entry, f"{ATOM}title"),
            authors=[name for a in entry.iter(f"{ATOM}author") if (name := _text(a, f"{ATOM}name"))],
            abstract=_text(entry, f"{ATOM}summary"), published=_when(_text(entry, f"{ATOM}published")),
            updated=_when(_text(entry, f"{ATOM}updated")),
            categories=[c.get("term") for c in entry.iter(f"{ATOM}category") if c.get("term")]))
    return records, total


class ArxivClient:
    """The arXiv API at settings.arxiv_api, with a total deadline per request, backoff and Retry-After.

    One instance keeps arXiv's rate limit (settings.arxiv_delay seconds between API calls) across all its calls,
    and a stamp file in settings.cache keeps it across processes.
    """

    def __init__(self, settings: "Settings"):
        self.settings = settings
        self.api_requests = 0
        self._last_call: float | None = None

    def _wait_turn(self) -> None:
        """Keep arXiv's rate limit: since this client's last call, and since any process's (the stamp file)."""
        delay = self.settings.arxiv_delay
        if delay <= 0:
            return
        waits = []
        if self._last_call is not None:
            waits.append(delay - (time.monotonic() - self._last_call))
        try:
            since = time.time() - float(self._stamp.read_text(encoding="ascii"))
            if since >= 0:
                waits.append(delay - since)
        except (OSError, ValueError):
            pass
        wait = max(waits, default=0.0)
        if wait > 0:
            time.sleep(min(wait, delay))

    @property
    def _stamp(self) -> Path:
        return Path(self.settings.cache) / "arxiv-last-request"

    def _touch_stamp(self) -> None:
        self._last_call = time.monotonic()
        if self.settings.arxiv_delay > 0:
            try:
                self._stamp.parent.mkdir(parents=True, exist_ok=True)
                # the time as text, not the file's mtime: mtimes can be coarser than the delay we keep
                self._stamp.write_text(f"{time.time():.6f}", encoding="ascii")
            except OSError:  # a read-only cache folder only loses the cross-process guard
                pass

    def _url(self, params: dict[str, str]) -> str:
        return f"{self.settings.arxiv_api}?{urllib.parse.urlencode(params)}"

    def _feed(self, params: dict[str, str], *, expect_entries: bool) -> tuple[list[ArxivRecord], int | None]:
        """One API call (retried on 429/5xx/transient failures and on arXiv's occasional empty page)."""
        s = self.settings
        url = self._url(params)
        attempt = 0
        while True:
            self._wait_turn()
            retry_after = None
            try:
                self.api_requests += 1
                reply = get(url, s, headers={"Accept": "application/atom+xml"})
            except UnreachableError as exc:
                raise UnreachableError(f"the arXiv API ({host_of(s.arxiv_api)})", exc.reason,
                                       hint="check the network, or point SYNTH_ARXIV_API at a mirror") from None
            except TransientError as exc:
                reason = exc.reason
            except NetworkError as exc:  # over the size cap, a refused redirect
                raise NetworkError(f"arXiv API at {s.arxiv_api}: {exc.message}") from None
            else:
                if reply.status == 200:
                    problem = not_an_atom_feed(reply.body)
                    if problem is not None:
                        kind = next((v for k, v in reply.headers.items() if k.lower() == "content-type"),
                                    "no content type")
                        raise NetworkError(f"arXiv API at {s.arxiv_api} sent a reply that is not an Atom feed "
                                           f"({problem}; {format_size(len(reply.body))}, {kind}, starting "
                                           f"{reply.body[:60]!r})")
                    records, total = parse_feed(reply.body)
                    if records or not expect_entries:
                        return records, total
                    reason = "unexpected empty page"
                elif reply.status == 429 or reply.status >= 500:
                    reason = f"HTTP {reply.status}"
                    retry_after = parse_retry_after(
                        next((v for k, v in reply.headers.items() if k.lower() == "retry-after"), None))
                else:
                    raise NetworkError(f"arXiv API answered HTTP {reply.status} for {s.arxiv_api}")
            finally:
                self._touch_stamp()
            attempt += 1
            if attempt > s.http_retries:
                raise NetworkError(f"arXiv API at {s.arxiv_api} failed: {reason} (gave up after {attempt} attempts)")
            time.sleep(retry_delay(attempt, retry_after, s, f"arXiv API at {s.arxiv_api}"))

    def _results(self, params: dict[str, str], max_results: int, page: int) -> list[ArxivRecord]:
        """Up to `max_results` records, `page` per call, until the feed's total is reached or a page adds
        nothing new (a server repeating a page must not keep us paging)."""
        records: list[ArxivRecord] = []
        seen: set[str] = set()
        start = 0
        while len(records) < max_results:
            size = min(page, max_results - len(records))
            batch, total = self._feed({**params, "start": str(start), "max_results": str(size)},
                                      expect_entries=start > 0)
            fresh = [r for r in batch if r.ref.key not in seen]
            seen.update(r.ref.key for r in fresh)
            records += fresh
            start += len(batch)
            if not fresh or len(batch) < size or (total is not None and start >= total):
                break
        return records[:max_results]

    def lookup(self, refs: list[PaperRef]) -> dict[str, ArxivRecord | SynthError]:
        """Metadata for many ids in ONE API request. Keys are str(ref); a missing paper maps to NotFoundError.

        Every bare id is asked for too, so a pinned version also learns which version is the latest.
        """
        if not refs:
            return {}
        ids: list[str] = []
        for ref in refs:
            for text in (str(ref), ref.id):
                if text not in ids:
                    ids.append(text)
        records = self._results({"search_query": "", "id_list": ",".join(ids), "sortBy": "relevance",
                                 "sortOrder": "descending"}, len(ids), page=len(ids))
        latest: dict[str, int] = {}
        by_key: dict[str, ArxivRecord] = {}
        for rec in records:
            latest[rec.id] = max(latest.get(rec.id, 0), rec.version)
            by_key[rec.ref.key] = rec
        out: dict[str, ArxivRecord | SynthError] = {}
        for ref in refs:
            newest = latest.get(ref.id)
            key = f"{ref.id}v{ref.version or newest}"
            if newest is None or key not in by_key:
                why = "" if newest is None else f" (latest is v{newest})"
                out[str(ref)] = NotFoundError(f"arXiv has no paper {ref}{why}")
                continue
            rec = by_key[key]
            rec.latest_version = max(newest, rec.version)
            out[str(ref)] = rec
        return out

    def search(self, query: str, max_results: int, since: str | None = None) -> list[ArxivRecord]:
        """arXiv search sorted by relevance (submitted on or after `since`, filtered by the API); returns the
        latest version of each hit."""
        if max_results < 1:
            raise InvalidIdError(f"--max must be at least 1 (got {max_results})")
        records = self._results({"search_query": build_search_query(query, since), "id_list": "",
                                 "sortBy": "relevance", "sortOrder": "descending"}, max_results, page=PAGE)
        for rec in records:
            rec.latest_version = rec.version
        return records

    def pdf_url(self, ref: PaperRef) -> str:
        """settings.arxiv_pdf + '/<id>v<N>' (old-style ids keep their '/')."""
        return f"{self.settings.arxiv_pdf.rstrip('/')}/{ref.key}"
