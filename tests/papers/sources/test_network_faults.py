"""Servers that misbehave in ways the mirror does not: trickling bytes, endless bodies, garbage instead of an Atom
feed, and a full disk under the partial download. Each is a real socket server on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from synth.core.errors import NetworkError, StorageError
from synth.core.models import PaperRef
from synth.papers.sources.arxiv import ArxivClient, not_an_atom_feed
from synth.papers.sources.http import download, get


@contextmanager
def raw_server(handler):
    """A TCP server on 127.0.0.1 calling handler(conn) per connection in a thread; yields its base URL."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    stop = threading.Event()

    def serve():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except (socket.timeout, OSError):
                continue
            threading.Thread(target=_guarded, args=(handler, conn), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def _guarded(handler, conn):
    try:
        conn.recv(65536)  # the request
        handler(conn)
    except OSError:
        pass
    finally:
        conn.close()


def trickle(delay: float, body: bytes = b"%PDF-1.4 " + b"x" * 1000, in_headers: bool = False):
    """One byte every `delay` seconds, each well within the read timeout: only a total deadline stops it."""
    head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\nContent-Type: application/pdf\r\n\r\n".encode()

    def handler(conn):
        if not in_headers:
            conn.sendall(head)
        for byte in (head if in_headers else b"") + body:
            conn.sendall(bytes([byte]))
            time.sleep(delay)

    return handler


def endless(conn):
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/atom+xml\r\n\r\n<feed>")
    block = b"<entry>" * 8192
    while True:
        conn.sendall(block)


def answer(body: bytes, content_type: str = "text/html"):
    def handler(conn):
        conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\nContent-Type: {content_type}\r\n"
                     "Connection: close\r\n\r\n".encode() + body)

    return handler


@pytest.mark.parametrize("in_headers", [False, True])
def test_a_trickling_server_hits_the_total_deadline(settings, tmp_path, in_headers):
    settings.http_timeout, settings.http_deadline, settings.http_retries = 2.0, 1.0, 1
    with raw_server(trickle(0.2, in_headers=in_headers)) as base:
        with pytest.raises(NetworkError) as err:  # without a deadline: 200+ s, every byte within the timeout
            download(f"{base}/pdf/2005.13013v1", tmp_path / "p.pdf", settings)
    assert "deadline" in str(err.value) and "SYNTH_HTTP_DEADLINE" in str(err.value)
    assert "gave up after 2 attempts" in str(err.value)


def test_an_endless_api_body_is_capped_not_read_into_memory(settings):
    settings.max_api_mb = 0.5
    with raw_server(endless) as base:
        with pytest.raises(NetworkError, match=r"more than 512\.0 KiB, over the cap \(SYNTH_MAX_API_MB\)"):
            get(f"{base}/api/query", settings)
        settings.arxiv_api = f"{base}/api/query"
        with pytest.raises(NetworkError, match="over the cap"):
            ArxivClient(settings).lookup([PaperRef.parse("2005.13013")])


@pytest.mark.parametrize("body, content_type, said", [
    (b"<html><body>Service temporarily unavailable</body></html>", "text/html", "root is <html>"),
    (b"Rate limit exceeded. Try later.", "text/plain", "not XML"),
    (b"", "application/atom+xml", "an empty body"),
])
def test_garbage_from_the_api_says_what_was_received(settings, body, content_type, said):
    with raw_server(answer(body, content_type)) as base:
        settings.arxiv_api = f"{base}/api/query"
        with pytest.raises(NetworkError) as err:
            ArxivClient(settings).lookup([PaperRef.parse("2005.13013")])
    message = str(err.value)
    assert "not an Atom feed" in message and said in message and content_type in message
    assert "has no paper" not in message


def test_garbage_check_accepts_a_real_atom_feed(mirror, settings):
    reply = get(f"{mirror.api_url}?id_list=2005.13013", settings)
    assert reply.status == 200 and not_an_atom_feed(reply.body) is None


def test_a_full_disk_removes_the_partial_file_and_says_so(settings, mirror, tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    part = folder / f"paper.pdf.{os.getpid()}.part"
    part.symlink_to("/dev/full")  # every write fails with ENOSPC, as on a full disk
    with pytest.raises(StorageError, match="no space left on the disk"):
        download(f"{mirror.pdf_url}/2005.13013v1", folder / "paper.pdf", settings)
    assert list(folder.iterdir()) == []


def test_partial_file_of_a_live_process_is_never_shared(settings, mirror, tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    theirs = folder / f"paper.pdf.{os.getppid()}.part"  # a live process (our parent) is writing this one
    theirs.write_bytes(b"%PDF-1.4 their bytes")
    got = download(f"{mirror.pdf_url}/2005.13013v1", folder / "paper.pdf", settings)
    assert not got.resumed
    assert theirs.read_bytes() == b"%PDF-1.4 their bytes"


def test_partial_file_of_a_dead_process_is_resumed(settings, mirror, tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    dead = _dead_pid()
    body = mirror.papers["2005.13013v1"].pdf
    (folder / f"paper.pdf.{dead}.part").write_bytes(body[:1000])
    got = download(f"{mirror.pdf_url}/2005.13013v1", folder / "paper.pdf", settings)
    assert got.resumed and Path(got.path).read_bytes() == body
    assert mirror.seen("pdf")[-1].headers["Range"] == "bytes=1000-"
    assert sorted(p.name for p in folder.iterdir()) == ["paper.pdf"]


def _dead_pid() -> int:
    import subprocess

    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid
