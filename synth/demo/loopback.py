"""A loopback arXiv mirror: Atom API (`id_list`, `search_query`) and /pdf/<id>v<N> on 127.0.0.1, with faults.

Used by the tests (to drive the real `arxiv` client and the real download path) and by `synth demo`:

    with ArxivMirror([MirrorPaper("2005.13013", 1, "X-STILTs", ["J. Phang"], "Abstract...", pdf=pdf_bytes)]) as m:
        env = m.env()                       # SYNTH_ARXIV_API / SYNTH_ARXIV_PDF for a subprocess
        m.faults.append(Fault(route="pdf", status=429, retry_after="1"))   # next PDF request: 429, then OK
"""

from __future__ import annotations

import html
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

ATOM_NS = "http://www.w3.org/2005/Atom"
ARXIV_NS = "http://arxiv.org/schemas/atom"
OPENSEARCH_NS = "http://a9.com/-/spec/opensearch/1.1/"


@dataclass
class MirrorPaper:
    """One paper version served by the mirror."""

    id: str
    version: int
    title: str
    authors: list[str] = field(default_factory=lambda: ["A. Author"])
    abstract: str = ""
    pdf: bytes = b""
    published: str = "2020-05-26T17:59:46Z"
    updated: str | None = None
    categories: list[str] = field(default_factory=lambda: ["cs.CL"])

    @property
    def key(self) -> str:
        return f"{self.id}v{self.version}"


@dataclass
class Fault:
    """A misbehaviour injected into the next `times` requests of a route (None = every request)."""

    route: Literal["api", "pdf"] = "pdf"
    times: int | None = 1
    status: int | None = None  # answer with this HTTP status (429, 503, ...)
    retry_after: str | None = None  # Retry-After header sent with `status`
    delay: float = 0.0  # sleep before answering: beyond the client timeout it is a "slow server"
    truncate: int | None = None  # declare the full Content-Length but send only this many body bytes
    stall: float = 0.0  # after sending `truncate` bytes (default half), hang this long before closing
    reset: bool = False  # drop the connection with a TCP reset instead of answering
    location: str | None = None  # answer 302 Found with this Location (e.g. an ftp:// URL)
    lie_206: str | None = None  # answer a Range request with 206 and the asked Content-Range, but send the whole
    # file ("whole") or the right number of bytes taken from the file's start ("shifted")
    match: str | None = None  # only requests whose path contains this
    hits: int = 0


@dataclass
class SeenRequest:
    route: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    at: float


_SUBMITTED = re.compile(r"submittedDate:\[(\d{12}) TO (\d{12})\]")


def _submitted(search_query: str) -> tuple[str, str] | None:
    """The API's date filter, submittedDate:[YYYYMMDDTTTT TO YYYYMMDDTTTT], as ISO bounds."""
    m = _SUBMITTED.search(search_query)
    if m is None:
        return None

    def iso(stamp: str) -> str:
        return f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[8:10]}:{stamp[10:12]}"

    return iso(m[1]), iso(m[2])


def _terms(search_query: str) -> list[str]:
    """Words of an arXiv search_query, without field prefixes, operators, quotes, parentheses or date filter."""
    text = _SUBMITTED.sub(" ", search_query)
    text = re.sub(r"\b(?:ti|au|abs|co|jr|cat|rn|id|all):", " ", text)
    words = re.findall(r"[\w][\w\-]*", text)
    return [w.lower() for w in words if w not in {"AND", "OR", "ANDNOT"}]


class ArxivMirror:
    """An arXiv-compatible HTTP server in a background thread; use as a context manager or start()/stop()."""

    def __init__(self, papers: list[MirrorPaper] | None = None, host: str = "127.0.0.1"):
        self.papers: dict[str, MirrorPaper] = {}
        for p in papers or []:
            self.add(p)
        self.faults: list[Fault] = []
        self.requests: list[SeenRequest] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._host = host
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------------------------------ lifecycle

    @classmethod
    def from_folder(cls, folder: str | Path, **kwargs) -> "ArxivMirror":
        """Serve every `<id>v<N>.pdf` in `folder` ('/' of old-style ids written as '_'); titles from PDF metadata."""
        from synth.papers.sources.local import pdf_title

        papers = []
        for path in sorted(Path(folder).glob("*.pdf")):
            m = re.match(r"^(?P<id>.+)v(?P<v>\d+)$", path.stem)
            if m is None:
                continue
            paper_id = m["id"].replace("_", "/")
            papers.append(MirrorPaper(paper_id, int(m["v"]), pdf_title(path) or path.stem, pdf=path.read_bytes(),
                                      **kwargs))
        return cls(papers)

    def add(self, paper: MirrorPaper) -> None:
        self.papers[paper.key] = paper

    def start(self) -> "ArxivMirror":
        mirror = self

        class Handler(_Handler):
            pass

        Handler.mirror = mirror
        self._server = ThreadingHTTPServer((self._host, 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        # a short poll interval makes stop() quick (shutdown waits for the serve loop's next poll)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="arxiv-mirror", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "ArxivMirror":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "mirror not started"
        return f"http://{self._host}:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/query"

    @property
    def pdf_url(self) -> str:
        return f"{self.base_url}/pdf"

    def env(self) -> dict[str, str]:
        """Environment variables that point synth at this mirror."""
        return {"SYNTH_ARXIV_API": self.api_url, "SYNTH_ARXIV_PDF": self.pdf_url}

    def seen(self, route: str) -> list[SeenRequest]:
        with self._lock:
            return [r for r in self.requests if r.route == route]

    # ------------------------------------------------------------------------------------------ catalogue

    def latest(self, paper_id: str) -> MirrorPaper | None:
        found = [p for p in self.papers.values() if p.id == paper_id]
        return max(found, key=lambda p: p.version) if found else None

    def resolve(self, text: str) -> MirrorPaper | None:
        """`<id>v<N>` → that version; `<id>` → the latest."""
        if text in self.papers:
            return self.papers[text]
        return self.latest(text)

    def search(self, search_query: str) -> list[MirrorPaper]:
        """Latest versions containing every term in title or abstract, submitted (v1) within the query's
        submittedDate range when it has one, most term occurrences first."""
        terms = _terms(search_query)
        window = _submitted(search_query)
        scored = []
        for pid in sorted({p.id for p in self.papers.values()}):
            paper = self.latest(pid)
            first = min((p for p in self.papers.values() if p.id == pid), key=lambda p: p.version)
            if window and not window[0] <= first.published[:16] <= window[1]:
                continue
            haystack = f"{paper.title} {paper.abstract}".lower()
            if terms and all(t in haystack for t in terms):
                scored.append((-sum(haystack.count(t) for t in terms), paper.id, paper))
        return [p for _, _, p in sorted(scored, key=lambda x: x[:2])]

    def feed(self, entries: list[MirrorPaper], query: str, total: int, start: int) -> bytes:
        """An Atom feed shaped like the real API's (arxiv + opensearch namespaces declared)."""
        esc = html.escape
        parts = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<feed xmlns="{ATOM_NS}" xmlns:opensearch="{OPENSEARCH_NS}" xmlns:arxiv="{ARXIV_NS}">',
            f'  <link href="{esc(self.api_url)}?{esc(query)}" rel="self" type="application/atom+xml"/>',
            f'  <title type="html">ArXiv Query: {esc(query)}</title>',
            "  <id>http://arxiv.org/api/loopback</id>",
            f"  <updated>{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}</updated>",
            f"  <opensearch:totalResults>{total}</opensearch:totalResults>",
            f"  <opensearch:startIndex>{start}</opensearch:startIndex>",
            f"  <opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>",
        ]
        for p in entries:
            cats = "".join(f'<category term="{esc(c)}" scheme="{ARXIV_NS}"/>' for c in p.categories)
            authors = "".join(f"<author><name>{esc(a)}</name></author>" for a in p.authors)
            parts.append(
                f"  <entry><id>http://arxiv.org/abs/{p.key}</id><updated>{p.updated or p.published}</updated>"
                f"<published>{p.published}</published><title>{esc(p.title)}</title>"
                f"<summary>{esc(p.abstract)}</summary>{authors}"
                f'<link href="http://arxiv.org/abs/{p.key}" rel="alternate" type="text/html"/>'
                f'<link title="pdf" href="{esc(self.pdf_url)}/{p.key}" rel="related" type="application/pdf"/>'
                f'<arxiv:primary_category term="{esc(p.categories[0] if p.categories else "cs.CL")}" '
                f'scheme="{ARXIV_NS}"/>{cats}</entry>'
            )
        parts.append("</feed>")
        return "\n".join(parts).encode("utf-8")

    def _take_fault(self, route: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.route != route or (fault.match and fault.match not in path):
                    continue
                if fault.times is not None and fault.hits >= fault.times:
                    continue
                fault.hits += 1
                return fault
        return None


class _Handler(BaseHTTPRequestHandler):
    mirror: ArxivMirror
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        split = urlsplit(self.path)
        path = unquote(split.path)
        route = "api" if path.rstrip("/").endswith("/api/query") else "pdf" if path.startswith("/pdf/") else "other"
        with self.mirror._lock:
            self.mirror.requests.append(
                SeenRequest(route, path, parse_qs(split.query), dict(self.headers.items()), time.monotonic())
            )
        fault = self.mirror._take_fault(route, path)
        if fault is not None and fault.delay and not fault.stall:
            if self.mirror._stop.wait(fault.delay):
                return
        if fault is not None and fault.reset:
            # SO_LINGER 0 makes close() send RST: the client sees "connection reset by peer".
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        if fault is not None and fault.location:
            return self._send(302, b"moved\n", "text/plain", {"Location": fault.location})
        if fault is not None and fault.status:
            extra = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            return self._send(fault.status, b"fault injected by the loopback mirror\n", "text/plain", extra)
        if route == "api":
            return self._api(split.query, fault)
        if route == "pdf":
            return self._pdf(path[len("/pdf/"):], fault)
        return self._send(404, b"not found\n", "text/plain")

    def _api(self, query: str, fault: Fault | None) -> None:
        args = parse_qs(query)
        ids = [i for i in ",".join(args.get("id_list", [""])).split(",") if i]
        start = int(args.get("start", ["0"])[0])
        size = int(args.get("max_results", ["10"])[0])
        if ids:
            found = [p for p in (self.mirror.resolve(i) for i in ids) if p is not None]
        else:
            found = self.mirror.search(args.get("search_query", [""])[0])
        page = found[start:start + size]
        body = self.mirror.feed(page, query, len(found), start)
        self._send(200, body, "application/atom+xml; charset=utf-8", fault=fault)

    def _pdf(self, name: str, fault: Fault | None) -> None:
        paper = self.mirror.resolve(re.sub(r"\.pdf$", "", name))
        if paper is None:
            return self._send(404, b"no such paper\n", "text/plain")
        body = paper.pdf
        m = re.match(r"bytes=(\d+)-$", self.headers.get("Range", ""))
        if m and fault is not None and fault.lie_206:
            # the range it was asked for in the header, other bytes in the body
            headers = {"Content-Range": f"bytes {m[1]}-{len(body) - 1}/{len(body)}"}
            sent = body if fault.lie_206 == "whole" else body[:len(body) - int(m[1])]
            return self._send(206, sent, "application/pdf", headers)
        if m and 0 < int(m[1]) < len(body):
            first = int(m[1])
            headers = {"Content-Range": f"bytes {first}-{len(body) - 1}/{len(body)}"}
            return self._send(206, body[first:], "application/pdf", headers, fault=fault)
        self._send(200, body, "application/pdf", {"Accept-Ranges": "bytes"}, fault=fault)

    def _send(self, status: int, body: bytes, ctype: str, headers: dict | None = None, fault: Fault | None = None):
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.close_connection = True
            if fault is not None and (fault.truncate is not None or fault.stall):
                cut = fault.truncate if fault.truncate is not None else len(body) // 2
                self.wfile.write(body[:cut])
                self.wfile.flush()
                if fault.stall:
                    self.mirror._stop.wait(fault.stall)
                return
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass  # the client gave up (timeout) or was killed: nothing to do

    def finish(self) -> None:
        try:
            super().finish()
        except (OSError, ValueError):
            pass
