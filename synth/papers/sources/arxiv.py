"""arXiv: identifier parsing (no network), metadata through the `arxiv` package (batched, rate-limited, retried).

Identifier forms accepted by `parse_identifier`: `2005.13013`, `2005.13013v2`, `arXiv:2005.13013`,
`hep-th/9901001(vN)`, `https://arxiv.org/abs/<id>`, `https://arxiv.org/pdf/<id>(.pdf)`, and local PDF paths.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from synth.core.errors import InvalidIdError, NetworkError, NotFoundError, SynthError
from synth.core.models import LOCAL_ID, NEW_ID, OLD_ID, PaperRef
from synth.papers.sources.http import TransientError, backoff_delay, format_size, get, parse_retry_after

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


ATOM_FEED = "{http://www.w3.org/2005/Atom}feed"


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


def build_search_query(text: str) -> str:
    """Free text → arXiv `search_query` (every word required, any field); advanced syntax passes through."""
    text = text.strip()
    if _ADVANCED_QUERY.search(text):
        return text
    words = re.findall(r"[\w][\w\-]*", text)
    if not words:
        raise InvalidIdError(f"empty search query: {text!r}")
    return " AND ".join(f"all:{w}" for w in words)


class ArxivClient:
    """The `arxiv` package's Client pointed at settings.arxiv_api, with timeouts, backoff and Retry-After.

    One instance keeps arXiv's rate limit (settings.arxiv_delay seconds between API calls) across all its calls.
    """

    def __init__(self, settings: "Settings"):
        import arxiv
        import requests

        self.settings = settings
        self._arxiv = arxiv
        self._requests = requests
        # Retries are ours (with backoff and Retry-After); the package's own retry loop has neither.
        self.client = arxiv.Client(page_size=100, delay_seconds=settings.arxiv_delay, num_retries=0)
        # An instance attribute shadows the class attribute: other clients in the process keep the default.
        self.client.query_url_format = settings.arxiv_api.replace("{", "{{").replace("}", "}}") + "?{}"
        self._last_response = None
        client = self

        class _Session(requests.Session):
            """Every API call goes through synth's HTTP helper: total deadline, size cap, what was received."""

            def request(self, method, url, headers=None, **kwargs):
                return client._request(url, headers or {})

        self.client._session = _Session()
        self.api_requests = 0

    def _request(self, url: str, headers: dict):
        """GET `url` (deadline, size cap) and hand it to the `arxiv` package as a requests.Response."""
        reply = get(url, self.settings, headers={k.title(): v for k, v in headers.items()})
        if reply.status == 200:
            problem = not_an_atom_feed(reply.body)
            if problem is not None:
                kind = reply.headers.get("Content-Type") or reply.headers.get("content-type") or "no content type"
                raise NetworkError(f"arXiv API at {self.settings.arxiv_api} sent a reply that is not an Atom feed "
                                   f"({problem}; {format_size(len(reply.body))}, {kind}, starting "
                                   f"{reply.body[:60]!r})")
        response = self._requests.Response()
        response.status_code = reply.status
        response._content = reply.body
        response.headers.update(reply.headers)
        response.url = reply.url
        response.encoding = "utf-8"
        return self._remember(response)

    def _remember(self, response, *args, **kwargs):
        self._last_response = response
        self.api_requests += 1
        return response

    def _wait_turn(self) -> None:
        """Keep arXiv's rate limit across processes too (e.g. `synth fetch` in a shell loop): a stamp file in
        settings.cache holds the time of the last API call made from this machine."""
        if self.settings.arxiv_delay <= 0:
            return
        try:
            since = time.time() - float(self._stamp.read_text(encoding="ascii"))
        except (OSError, ValueError):
            return
        if 0 <= since < self.settings.arxiv_delay:
            time.sleep(self.settings.arxiv_delay - since)

    @property
    def _stamp(self) -> Path:
        return Path(self.settings.cache) / "arxiv-last-request"

    def _touch_stamp(self) -> None:
        if self.settings.arxiv_delay > 0:
            try:
                self._stamp.parent.mkdir(parents=True, exist_ok=True)
                # the time as text, not the file's mtime: mtimes can be coarser than the delay we keep
                self._stamp.write_text(f"{time.time():.6f}", encoding="ascii")
            except OSError:  # a read-only cache folder only loses the cross-process guard
                pass

    def _run(self, search) -> list:
        """All results of one search, retrying transient failures with exponential backoff."""
        arxiv, requests, s = self._arxiv, self._requests, self.settings
        attempt = 0
        while True:
            self._last_response = None
            self._wait_turn()
            try:
                return list(self.client.results(search))
            except arxiv.HTTPError as exc:
                if exc.status != 429 and exc.status < 500:
                    raise NetworkError(f"arXiv API answered HTTP {exc.status} for {exc.url}") from None
                reason = f"HTTP {exc.status}"
            except arxiv.UnexpectedEmptyPageError:
                reason = "unexpected empty page"
            except TransientError as exc:
                reason = exc.reason
            except requests.exceptions.RequestException as exc:
                reason = f"connection error ({type(exc).__name__})"
            finally:
                self._touch_stamp()
            attempt += 1
            if attempt > s.http_retries:
                raise NetworkError(
                    f"arXiv API at {s.arxiv_api} failed: {reason} (gave up after {attempt} attempts)"
                )
            headers = getattr(self._last_response, "headers", None) or {}
            time.sleep(backoff_delay(attempt, parse_retry_after(headers.get("Retry-After")), s))

    def _record(self, result) -> ArxivRecord | None:
        try:
            ref = PaperRef.parse(result.get_short_id())
        except ValueError:  # the real API reports bad ids as an entry under .../api/errors
            return None
        if ref.version is None:
            return None
        return ArxivRecord(
            id=ref.id, version=ref.version, title=" ".join(result.title.split()),
            authors=[a.name for a in result.authors], abstract=" ".join((result.summary or "").split()),
            published=result.published.isoformat() if result.published else None,
            updated=result.updated.isoformat() if result.updated else None,
            categories=list(result.categories),
        )

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
        search = self._arxiv.Search(id_list=ids, max_results=len(ids))
        self.client.page_size = min(100, len(ids))  # ask for no more than we need
        records = [r for r in (self._record(x) for x in self._run(search)) if r is not None]
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

    def search(self, query: str, max_results: int) -> list[ArxivRecord]:
        """arXiv search sorted by relevance; returns the latest version of each hit."""
        if max_results < 1:
            raise InvalidIdError(f"--max must be at least 1 (got {max_results})")
        search = self._arxiv.Search(
            query=build_search_query(query), max_results=max_results,
            sort_by=self._arxiv.SortCriterion.Relevance,
        )
        self.client.page_size = min(100, max_results)
        records = [r for r in (self._record(x) for x in self._run(search)) if r is not None]
        for rec in records:
            rec.latest_version = rec.version
        return records

    def pdf_url(self, ref: PaperRef) -> str:
        """settings.arxiv_pdf + '/<id>v<N>' (old-style ids keep their '/')."""
        return f"{self.settings.arxiv_pdf.rstrip('/')}/{ref.key}"
