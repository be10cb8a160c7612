"""Loopback Semantic Scholar, OpenAlex and Crossref APIs on 127.0.0.1, answering in each API's documented format,
over a small catalogue of papers; with faults, request records and optional API-key checks. Used by the tests
and by `synth demo` (no network anywhere).

Formats and behaviours (from the APIs' current documentation, so that a client that misreads it fails a test):
- Semantic Scholar Graph API v1 (api.semanticscholar.org/api-docs/graph): GET /paper/search → {"total", "offset",
  "next", "data"} (`next` absent on the last page); a hyphenated query term matches nothing ("replace it with
  space to find matches"); limit <= 100 and offset + limit <= 1000, else 400; `publicationDateOrYear=<a>:<b>`.
  GET /paper/{id} (sha, ARXIV:, DOI:, ACL:, CorpusId:) → paper; /paper/{id}/references → {"offset", "next",
  "data": [{"citedPaper"}]}, a reference S2 could not resolve has "paperId": null; /citations → [{"citingPaper"}]
  and takes publicationDateOrYear (references do not); limit <= 1000 there. Only the requested `fields` (+
  paperId) are returned; key header `x-api-key`. Its 429 carries no Retry-After, only {"message": "Too Many
  Requests. ..."} (`s2_rate_limit`: requests allowed without a key before it answers so).
- OpenAlex (developers.openalex.org): GET /works?search=&filter=&per_page=&cursor=&select= → {"meta": {"count",
  "db_response_time_ms", "page", "per_page", "next_cursor"}, "results": [work]}; filters from_publication_date:,
  cites:, cited_by:; GET /works/W… and /works/doi:… (singletons, free); abstracts as `abstract_inverted_index`;
  key `api_key=`. Errors: {"error": short, "message": explanation}; 429 = the daily allowance is spent
  (`openalex_allowance`: list/search requests allowed without a key), 403 = "rate limit exceeded; slow down".
  A wrong key is answered 401 here (the documentation does not say; 401 is what HTTP means by it).
- Crossref REST (api.crossref.org): GET /works/{doi} → {"status": "ok", "message-type": "work", "message"};
  unknown DOIs → 404 "Resource not found." (text/plain).

    with ScholarlyApis(papers) as apis:
        settings = settings.model_copy(update=apis.settings_update())
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class CatalogPaper:
    """One paper the loopback databases know. `s2` / `openalex` None = that database does not have it; Crossref
    knows every paper with a (non-arXiv) DOI. `references` are keys of other catalogue papers."""

    key: str
    title: str
    authors: list[str]
    year: int
    abstract: str = ""
    published: str | None = None
    venue: str | None = None
    arxiv: str | None = None
    doi: str | None = None
    acl: str | None = None
    s2: str | None = ""  # "" = derive an id from the key; None = not in Semantic Scholar
    openalex: str | None = ""  # "" = derive an id from the key; None = not in OpenAlex
    references: list[str] = field(default_factory=list)
    cited_by: int = 0

    def __post_init__(self):
        digest = hashlib.sha1(self.key.encode("utf-8")).hexdigest()
        if self.s2 == "":
            self.s2 = digest
        if self.openalex == "":
            self.openalex = f"W{int(digest[:12], 16) % 10**10:010d}"
        self.published = self.published or f"{self.year}-01-01"


@dataclass
class ApiFault:
    """A misbehaviour for the next `times` requests of a route ('s2', 'openalex', 'crossref')."""

    route: str
    times: int | None = 1
    status: int = 503
    retry_after: str | None = None
    delay: float = 0.0
    match: str | None = None
    location: str | None = None  # with a 3xx status: where to redirect
    body: dict | None = None  # the error body (default: the route's own error format)
    hits: int = 0


@dataclass
class Seen:
    route: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # names lower-cased (HTTP header names are case-insensitive)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _inverted(text: str) -> dict[str, list[int]] | None:
    if not text:
        return None
    index: dict[str, list[int]] = {}
    for i, word in enumerate(text.split()):
        index.setdefault(word, []).append(i)
    return index


class ScholarlyApis:
    """The three APIs behind one loopback HTTP server (prefixes /s2/graph/v1, /openalex, /crossref)."""

    def __init__(self, papers: list[CatalogPaper], *, s2_key: str | None = None, openalex_key: str | None = None,
                 s2_rate_limit: int | None = None, openalex_allowance: int | None = None):
        self.papers = {p.key: p for p in papers}
        self.s2_key, self.openalex_key = s2_key, openalex_key
        self.s2_rate_limit, self.openalex_allowance = s2_rate_limit, openalex_allowance
        self.keyless_s2 = self.keyless_openalex = 0  # requests counted against those limits
        self.faults: list[ApiFault] = []
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------------------------------------ lifecycle

    def start(self) -> "ScholarlyApis":
        apis = self

        class Handler(_Handler):
            pass

        Handler.apis = apis
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True,
                         name="scholarly-apis").start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "ScholarlyApis":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def settings_update(self) -> dict[str, str]:
        """Settings fields that point synth at these servers."""
        return {"s2_api": f"{self.base_url}/s2/graph/v1", "openalex_api": f"{self.base_url}/openalex",
                "crossref_api": f"{self.base_url}/crossref"}

    def env(self) -> dict[str, str]:
        return {f"SYNTH_{k.upper()}": v for k, v in self.settings_update().items()}

    def seen(self, route: str) -> list[Seen]:
        with self._lock:
            return [r for r in self.requests if r.route == route]

    def take_fault(self, route: str, path: str) -> ApiFault | None:
        with self._lock:
            for f in self.faults:
                if f.route == route and (f.match is None or f.match in path) and (f.times is None or f.hits < f.times):
                    f.hits += 1
                    return f
        return None

    # ------------------------------------------------------------------------------------------ catalogue

    def matches(self, query: str, since: str | None, known: str) -> list[CatalogPaper]:
        """Papers the database `known` ('s2'/'openalex') has, containing every query word, published since."""
        terms = _words(query)
        out = []
        for p in self.papers.values():
            if getattr(p, known) is None or (since and p.published < since):
                continue
            hay = _words(f"{p.title} {p.abstract}")
            if terms and all(t in hay for t in terms):
                out.append(p)
        return out

    def find(self, kind: str, value: str) -> CatalogPaper | None:
        value = value.lower()
        for p in self.papers.values():
            if str(getattr(p, kind) or "").lower() == value:
                return p
        return None

    # ------------------------------------------------------------------------------------------ formats

    def s2_paper(self, p: CatalogPaper, fields: set[str]) -> dict:
        ext = {"CorpusId": int(p.s2[:8], 16)}
        if p.arxiv:
            ext["ArXiv"] = p.arxiv
        if p.doi:
            ext["DOI"] = p.doi
        if p.acl:
            ext["ACL"] = p.acl
        full = {"externalIds": ext, "title": p.title, "abstract": p.abstract or None, "year": p.year,
                "publicationDate": p.published, "venue": p.venue or ("arXiv.org" if p.arxiv else ""),
                "authors": [{"authorId": str(1000 + i), "name": a} for i, a in enumerate(p.authors)],
                "citationCount": p.cited_by, "url": f"https://www.semanticscholar.org/paper/{p.s2}"}
        return {"paperId": p.s2, **{k: v for k, v in full.items() if k in fields}}

    def openalex_work(self, p: CatalogPaper, select: set[str] | None) -> dict:
        doi = p.doi or (f"10.48550/arxiv.{p.arxiv}" if p.arxiv else None)
        arxiv_loc = {"is_oa": True, "landing_page_url": f"http://arxiv.org/abs/{p.arxiv}",
                     "pdf_url": f"http://arxiv.org/pdf/{p.arxiv}",
                     "source": {"id": "https://openalex.org/S4306400194", "display_name": "arXiv (Cornell University)",
                                "type": "repository"}} if p.arxiv else None
        venue_loc = {"is_oa": False, "landing_page_url": f"https://doi.org/{p.doi}", "pdf_url": None,
                     "source": {"id": "https://openalex.org/S1", "display_name": p.venue, "type": "conference"}} \
            if p.doi and p.venue else None
        locations = [loc for loc in (venue_loc, arxiv_loc) if loc]
        full = {
            "id": f"https://openalex.org/{p.openalex}", "doi": f"https://doi.org/{doi}" if doi else None,
            "title": p.title, "display_name": p.title, "publication_year": p.year, "publication_date": p.published,
            "ids": {"openalex": f"https://openalex.org/{p.openalex}",
                    **({"doi": f"https://doi.org/{doi}"} if doi else {})},
            "authorships": [{"author_position": "first" if i == 0 else "middle",
                             "author": {"id": f"https://openalex.org/A{i + 1}", "display_name": a, "orcid": None},
                             "institutions": [], "raw_author_name": a} for i, a in enumerate(p.authors)],
            "primary_location": locations[0] if locations else None, "locations": locations,
            "cited_by_count": p.cited_by, "abstract_inverted_index": _inverted(p.abstract),
            "referenced_works": [f"https://openalex.org/{self.papers[k].openalex}" for k in p.references
                                 if k in self.papers and self.papers[k].openalex],
        }
        return {k: v for k, v in full.items() if select is None or k in select}

    def crossref_message(self, p: CatalogPaper) -> dict:
        date = [int(x) for x in p.published.split("-")]
        def split(name: str) -> tuple[str, str]:  # 'Family, Given' or 'Given Family'
            if "," in name:
                family, given = name.split(",", 1)
                return given.strip(), family.strip()
            return " ".join(name.split()[:-1]), name.split()[-1]

        authors = [{"given": split(a)[0], "family": split(a)[1], "sequence": "first" if i == 0 else "additional",
                    "affiliation": []} for i, a in enumerate(p.authors)]
        return {"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": {
            "DOI": p.doi, "title": [p.title], "author": authors, "container-title": [p.venue] if p.venue else [],
            "issued": {"date-parts": [date]}, "published-print": {"date-parts": [date]}, "type":
            "proceedings-article", "URL": f"https://doi.org/{p.doi}", "is-referenced-by-count": p.cited_by}}


def _error_body(route: str, status: int) -> dict | bytes:
    """What each service sends with an error status (its own wording where its documentation gives one)."""
    if route == "s2":
        if status == 429:
            return {"message": "Too Many Requests. Please wait and try again or apply for a key for higher rate "
                               "limits. https://www.semanticscholar.org/product/api#api-key-form"}
        return {"message": "Internal Server Error" if status >= 500 else "fault injected by the loopback API"}
    if route == "openalex":
        if status == 429:
            return {"error": "Rate limit exceeded",
                    "message": "Daily allowance exceeded. Get a free API key at openalex.org/settings/api."}
        if status == 403:
            return {"error": "Forbidden", "message": "Rate limit exceeded; slow down."}
        return {"error": "fault", "message": "fault injected by the loopback API"}
    if route == "crossref" and status == 429:
        return b"Too many requests"
    return {"message": "fault injected by the loopback API"}


class _Handler(BaseHTTPRequestHandler):
    apis: ScholarlyApis
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        split = urlsplit(self.path)
        path, query = unquote(split.path), parse_qs(split.query)
        route = path.split("/")[1] if path.count("/") >= 1 else ""
        with self.apis._lock:
            self.apis.requests.append(Seen(route, path, query, {k.lower(): v for k, v in self.headers.items()}))
        fault = self.apis.take_fault(route, path)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            extra = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            if fault.location is not None:
                extra["Location"] = fault.location
            return self._send(fault.status, fault.body if fault.body is not None else _error_body(route, fault.status),
                              extra)
        arg = {k: v[0] for k, v in query.items()}
        if route == "s2":
            key = self.headers.get("x-api-key")
            if self.apis.s2_key and key != self.apis.s2_key:
                return self._send(403, {"message": "Forbidden"})
            if not key and self.apis.s2_rate_limit is not None:
                with self.apis._lock:
                    self.apis.keyless_s2 += 1
                    over = self.apis.keyless_s2 > self.apis.s2_rate_limit
                if over:
                    return self._send(429, _error_body("s2", 429))
            return self._s2(path[len("/s2/graph/v1"):], arg)
        if route == "openalex":
            key = arg.get("api_key")
            if key is not None and key != self.apis.openalex_key:
                return self._send(401, {"error": "Unauthorized", "message": "Invalid API key."})
            if self.apis.openalex_key and key is None and self.apis.openalex_allowance is None:
                return self._send(401, {"error": "Unauthorized", "message": "An API key is required."})
            singleton = path.startswith("/openalex/works/")
            if key is None and not singleton and self.apis.openalex_allowance is not None:
                with self.apis._lock:
                    self.apis.keyless_openalex += 1
                    over = self.apis.keyless_openalex > self.apis.openalex_allowance
                if over:
                    return self._send(429, _error_body("openalex", 429))
            return self._openalex(path[len("/openalex"):], arg)
        if route == "crossref":
            p = self.apis.find("doi", path[len("/crossref/works/"):]) if path.startswith("/crossref/works/") else None
            if p is None:
                return self._send(404, b"Resource not found.")
            return self._send(200, self.apis.crossref_message(p))
        return self._send(404, {"error": "no such route"})

    # ------------------------------------------------------------------------------------------ Semantic Scholar

    def _s2_resolve(self, ident: str):
        kind, sep, value = ident.partition(":")
        if not sep:
            return self.apis.find("s2", ident)
        kinds = {"arxiv": "arxiv", "doi": "doi", "acl": "acl"}
        if kind.lower() == "corpusid":
            return next((p for p in self.apis.papers.values() if p.s2 and str(int(p.s2[:8], 16)) == value), None)
        found = self.apis.find(kinds[kind.lower()], value) if kind.lower() in kinds else None
        return found if found is not None and found.s2 is not None else None

    def _s2(self, path: str, arg: dict) -> None:
        fields = set((arg.get("fields") or "title").split(","))
        offset, limit = int(arg.get("offset", 0)), int(arg.get("limit", 100))
        search = path == "/paper/search"
        if limit > (100 if search else 1000) or (search and offset + limit > 1000):
            return self._send(400, {"error": "Requested data for this limit and/or offset is not available"})
        since = (arg.get("publicationDateOrYear") or "").split(":")[0] or None
        if search:
            if re.search(r"\w-\w", arg.get("query", "")):
                # as documented: "Hyphenated query terms yield no matches"
                return self._send(200, {"total": 0, "offset": offset, "data": []})
            found = self.apis.matches(arg.get("query", ""), since, "s2")
            terms = _words(arg.get("query", ""))
            # title words weigh more than abstract words: the order differs from OpenAlex's
            found.sort(key=lambda p: (-sum(3 * _words(p.title).count(t) + _words(p.abstract).count(t)
                                           for t in terms), -p.cited_by, p.s2))
            page = found[offset:offset + limit]
            body = {"total": len(found), "offset": offset, "data": [self.apis.s2_paper(p, fields) for p in page]}
            if offset + len(page) < len(found):
                body["next"] = offset + len(page)
            return self._send(200, body)
        m = re.fullmatch(r"/paper/(?P<id>.+?)(?:/(?P<edge>references|citations))?", path)
        paper = self._s2_resolve(m["id"]) if m else None
        if paper is None:
            return self._send(404, {"error": "Paper with id " + (m["id"] if m else path) + " not found"})
        if not m["edge"]:
            return self._send(200, self.apis.s2_paper(paper, fields))
        if m["edge"] == "references":
            # a reference S2 could not resolve to a paper of its own is listed with "paperId": null
            linked = [self.apis.papers.get(k) if self.apis.papers.get(k) and self.apis.papers[k].s2 else k
                      for k in paper.references]
            key = "citedPaper"
        else:  # only citations take the date filter
            linked = [p for p in self.apis.papers.values() if paper.key in p.references and p.s2 is not None
                      and not (since and p.published < since)]
            key = "citingPaper"
        page = linked[offset:offset + limit]
        body = {"offset": offset, "data": [{key: self.apis.s2_paper(p, fields) if isinstance(p, CatalogPaper)
                                            else {"paperId": None, "title": p}} for p in page]}
        if offset + len(page) < len(linked):
            body["next"] = offset + len(page)
        return self._send(200, body)

    # ------------------------------------------------------------------------------------------ OpenAlex

    def _openalex(self, path: str, arg: dict) -> None:
        select = set(arg["select"].split(",")) if arg.get("select") else None
        if path.startswith("/works/"):
            ident = path[len("/works/"):]
            ident = re.sub(r"^https://doi\.org/", "doi:", ident)
            if ident.lower().startswith("doi:"):
                doi = ident[4:].lower()
                m = re.fullmatch(r"10\.48550/arxiv\.(.+)", doi)
                p = self.apis.find("arxiv", m[1]) if m else self.apis.find("doi", doi)
            else:
                p = self.apis.find("openalex", ident)
            if p is None or p.openalex is None:
                return self._send(404, {"error": "404 Not Found", "message": "entity not found"})
            return self._send(200, self.apis.openalex_work(p, select))
        if path != "/works":
            return self._send(404, {"error": "no such route"})
        per_page = int(arg.get("per_page", arg.get("per-page", 25)))
        if not 1 <= per_page <= 100:
            return self._send(400, {"error": "Invalid query parameters error.", "message": "per_page is 1-100"})
        filters = dict(f.split(":", 1) for f in (arg.get("filter") or "").split(",") if ":" in f)
        pool = [p for p in self.apis.papers.values() if p.openalex is not None]
        if "cites" in filters:
            target = self.apis.find("openalex", filters["cites"])
            pool = [p for p in pool if target is not None and target.key in p.references]
        if "cited_by" in filters:
            source = self.apis.find("openalex", filters["cited_by"])
            pool = [self.apis.papers[k] for k in (source.references if source else []) if k in self.apis.papers
                    and self.apis.papers[k].openalex is not None]
        if "from_publication_date" in filters:
            pool = [p for p in pool if p.published >= filters["from_publication_date"]]
        if arg.get("search"):
            wanted = {p.key for p in self.apis.matches(arg["search"], None, "openalex")}
            terms = _words(arg["search"])
            pool = [p for p in pool if p.key in wanted]
            # OpenAlex's relevance mixes text match with citations: the order differs from Semantic Scholar's
            pool.sort(key=lambda p: (-sum(_words(f"{p.title} {p.abstract}").count(t) for t in terms)
                                     * (1 + math.log1p(p.cited_by)), p.openalex))
        cursor = arg.get("cursor")
        start = 0 if cursor in (None, "*") else int(base64.b64decode(cursor).decode())
        page = pool[start:start + per_page]
        nxt = base64.b64encode(str(start + len(page)).encode()).decode() if cursor and page else None
        return self._send(200, {"meta": {"count": len(pool), "db_response_time_ms": 3, "page": None if cursor else 1,
                                         "per_page": per_page, "next_cursor": nxt},
                                "results": [self.apis.openalex_work(p, select) for p in page], "group_by": []})

    def _send(self, status: int, body, headers: dict | None = None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        ctype = "text/plain" if isinstance(body, bytes) else "application/json"
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.close_connection = True
            self.wfile.write(data)
        except OSError:
            pass
