"""Loopback servers for the campaign: the arXiv mirror's catalogue, and raw TCP servers that misbehave in ways an
HTTP library never would (one byte every second, an endless body, garbage, a reset, nothing at all)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable

from synth.demo.loopback import ArxivMirror, Fault, MirrorPaper

HOSTILE_TITLE = "T [/x] <img src=x onerror=alert(1)> [a](javascript:alert(2)) \x1b[31mred\x1b[0m"


def catalogue() -> list[MirrorPaper]:
    from tests.papers.sources.pdfs import paper_pdf

    return [
        MirrorPaper("2005.13013", 1, "English intermediate-task training improves zero-shot transfer too",
                    ["Jason Phang"], "Intermediate-task training.", pdf=paper_pdf("X-STILTs v1", 1, 3.5)),
        MirrorPaper("2005.13013", 2, "English intermediate-task training improves zero-shot transfer too",
                    ["Jason Phang"], "Revised.", pdf=paper_pdf("X-STILTs v2", 2, 4.1)),
        MirrorPaper("1811.01088", 2, "Sentence Encoders on STILTs", ["Jason Phang"], "STILTs.",
                    pdf=paper_pdf("STILTs", 2, 2.0)),
        MirrorPaper("2101.00001", 1, HOSTILE_TITLE, ["<script>alert(3)</script>", "[b](javascript:alert(4))"],
                    "An abstract with <b>tags</b> and [links](javascript:alert(5)).",
                    pdf=paper_pdf("Hostile", 1, 1.0)),
    ]


def mirror_with(*faults: Fault) -> Callable[[], ArxivMirror]:
    """A factory: a fresh mirror of the catalogue with these faults armed (one per case)."""

    def make() -> ArxivMirror:
        m = ArxivMirror(catalogue())
        m.faults.extend(Fault(**vars(f)) for f in faults)
        return m

    return make


class RawServer:
    """A TCP server on 127.0.0.1 whose every connection is handed to `handler(conn)`; usable as both the API
    and the PDF endpoint (env() points synth at it)."""

    def __init__(self, handler: Callable[[socket.socket], None], api: bool = True, pdf: bool = True,
                 mirror: ArxivMirror | None = None, names: tuple[str, ...] = ()):
        self.handler, self.api, self.pdf, self.mirror, self.names = handler, api, pdf, mirror, names
        self._stop = threading.Event()

    def __enter__(self) -> "RawServer":
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(32)
        self._sock.settimeout(0.1)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        if self.mirror is not None:
            self.mirror.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)
        self._sock.close()
        if self.mirror is not None:
            self.mirror.stop()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(5)
            conn.recv(65536)
            self.handler(conn, self._stop)
        except OSError:
            pass
        finally:
            conn.close()

    def env(self) -> dict[str, str]:
        base = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        env = {}
        if self.mirror is not None:
            env.update(self.mirror.env())
        if self.api:
            env["SYNTH_ARXIV_API"] = f"{base}/api/query"
        if self.pdf:
            env["SYNTH_ARXIV_PDF"] = f"{base}/pdf"
        for name in self.names:  # e.g. SYNTH_S2_API: the JSON search APIs
            env[name] = base
        return env


def drip(delay: float = 1.0, in_headers: bool = False):
    body = b"%PDF-1.4\n" + b"x" * 4000

    def handler(conn, stop):
        head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        if not in_headers:
            conn.sendall(head)
        for byte in (head if in_headers else b"") + body:
            if stop.wait(delay):
                return
            conn.sendall(bytes([byte]))

    return handler


def endless(content_type: str = "application/atom+xml"):
    def handler(conn, stop):
        conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n\r\n".encode())
        block = b"<entry>" * 8192
        while not stop.is_set():
            conn.sendall(block)

    return handler


def answer(body: bytes, status: str = "200 OK", content_type: str = "text/html", length: int | None = None):
    def handler(conn, stop):
        n = len(body) if length is None else length
        conn.sendall(f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {n}\r\n"
                     "Connection: close\r\n\r\n".encode() + body)

    return handler


def garbage_bytes(n: int = 3000):
    def handler(conn, stop):
        import random

        conn.sendall(bytes(random.Random(n).randrange(256) for _ in range(n)))

    return handler


def silent(conn, stop):
    stop.wait(60)


def reset(conn, stop):
    import struct

    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def closed_port_env() -> dict[str, str]:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now: connection refused
    return {"SYNTH_ARXIV_API": f"http://127.0.0.1:{port}/api/query", "SYNTH_ARXIV_PDF": f"http://127.0.0.1:{port}/pdf"}


DEEP_JSON = b"[" * 200_000 + b"]" * 200_000


def scholarly_catalogue():
    from synth.demo.scholarly import CatalogPaper

    return [CatalogPaper(f"p{i}", f"Intermediate training for transfer, study {i}", [f"A{i} Author"], 2018 + i % 5,
                         abstract="Intermediate-task training and cross-lingual transfer.", arxiv=f"2001.{i:05d}",
                         references=[f"p{j}" for j in range(i)][:3], cited_by=i) for i in range(1, 13)]


class Scholarly:
    """Loopback Semantic Scholar / OpenAlex / Crossref (synth.demo.scholarly) with faults, as a case server."""

    def __init__(self, faults=(), **options):
        from synth.demo.scholarly import ScholarlyApis

        self.apis = ScholarlyApis(scholarly_catalogue(), **options)
        self.apis.faults.extend(faults)

    def __enter__(self) -> "Scholarly":
        self.apis.start()
        return self

    def __exit__(self, *exc) -> None:
        self.apis.stop()

    def env(self) -> dict[str, str]:
        return {**self.apis.env(), "SYNTH_SEARCH_DELAY": "0"}


def scholarly_with(*faults, **options) -> Callable[[], Scholarly]:
    from dataclasses import replace

    return lambda: Scholarly([replace(f, hits=0) for f in faults], **options)


def slow_start(seconds: float) -> None:
    time.sleep(seconds)
