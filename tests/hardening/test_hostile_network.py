"""Hostile servers against the download and API paths: redirects to ftp://, a lying 206 on resume, headers
trickled a byte at a time, Retry-After of hours, unreachable hosts. Each is a loopback server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import os
import subprocess
import threading

import pytest

from synth.core.errors import NetworkError
from synth.demo.loopback import Fault
from synth.demo.scholarly import ApiFault, ScholarlyApis
from synth.papers.sources import http as http_source
from synth.papers.sources.http import download
from synth.papers.sources.transport import UnreachableError, get, user_agent
from synth.papers.sources.openalex import OpenAlex
from synth.papers.sources.semantic_scholar import SemanticScholar
from tests.papers.search.conftest import QUERY, apis, scholarly_catalogue  # noqa: F401 (fixture)
from tests.papers.sources.fixtures import mirror  # noqa: F401 (fixture)
from tests.papers.sources.test_network_faults import raw_server, trickle


@pytest.fixture
def sleeps(monkeypatch):
    """The test thread's sleeps (time.sleep is process-wide: a server thread left by an earlier test still sleeps
    for real and is not counted)."""
    recorded = []
    real_sleep, caller = http_source.time.sleep, threading.get_ident()

    def sleep(seconds):
        if threading.get_ident() == caller:
            recorded.append(seconds)
        else:
            real_sleep(seconds)

    monkeypatch.setattr(http_source.time, "sleep", sleep)
    return recorded


def _dead_pid() -> int:
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


# ------------------------------------------------------------------------------------------ redirects


@pytest.mark.parametrize("target", ["ftp://127.0.0.1:1/pub/paper.pdf", "file:///etc/passwd", "data:,%25PDF-1.4"])
def test_a_redirect_off_http_is_refused_for_pdfs(settings, mirror, tmp_path, sleeps, target):
    mirror.faults.append(Fault(route="pdf", location=target))
    with pytest.raises(NetworkError) as err:
        download(f"{mirror.pdf_url}/2005.13013v2", tmp_path / "p.pdf", settings)
    assert "refused a redirect (HTTP 302)" in str(err.value) and "only http and https are followed" in str(err.value)
    assert sleeps == [] and list(tmp_path.iterdir()) == []


def test_a_redirect_off_http_is_refused_for_api_requests(settings, mirror):
    mirror.faults.append(Fault(route="api", location="ftp://127.0.0.1:1/feed.xml"))
    with pytest.raises(NetworkError, match="refused a redirect"):
        get(f"{mirror.api_url}?id_list=2005.13013", settings)


def test_an_http_redirect_is_still_followed(settings, mirror, tmp_path):
    mirror.faults.append(Fault(route="pdf", location=f"{mirror.pdf_url}/2005.13013v2?moved=1"))
    got = download(f"{mirror.pdf_url}/2005.13013v2", tmp_path / "p.pdf", settings)
    assert got.sha256 == hashlib.sha256(mirror.papers["2005.13013v2"].pdf).hexdigest()


def test_json_apis_refuse_ftp_redirects_without_leaking_the_key(settings, apis):
    settings.openalex_api_key = "oa-secret"
    apis.openalex_key = "oa-secret"
    apis.faults.append(ApiFault(route="openalex", status=302, location="ftp://127.0.0.1:1/works"))
    with pytest.raises(NetworkError) as err:
        OpenAlex(settings).search(QUERY, 5)
    assert "refused a redirect" in str(err.value) and "oa-secret" not in str(err.value)


# ------------------------------------------------------------------------------------------ a lying 206


@pytest.mark.parametrize("lie", ["whole", "shifted"])
def test_a_lying_206_on_resume_restarts_from_zero(settings, mirror, tmp_path, lie):
    """The server says it continues our partial file but sends other bytes: the stored PDF must still be the
    served file, byte for byte (before: a corrupt PDF recorded as fetched)."""
    folder = tmp_path / "downloads"
    folder.mkdir()
    body = mirror.papers["2005.13013v1"].pdf
    (folder / f"paper.pdf.{_dead_pid()}.part").write_bytes(body[:1000])
    mirror.faults.append(Fault(route="pdf", lie_206=lie))
    got = download(f"{mirror.pdf_url}/2005.13013v1", folder / "paper.pdf", settings)
    assert (folder / "paper.pdf").read_bytes() == body
    assert got.sha256 == hashlib.sha256(body).hexdigest()
    assert "Range" not in mirror.seen("pdf")[-1].headers  # the last request started from zero
    assert sorted(p.name for p in folder.iterdir()) == ["paper.pdf"]


def test_an_honest_resume_is_kept(settings, mirror, tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    body = mirror.papers["2005.13013v1"].pdf
    (folder / f"paper.pdf.{_dead_pid()}.part").write_bytes(body[:1000])
    got = download(f"{mirror.pdf_url}/2005.13013v1", folder / "paper.pdf", settings)
    assert got.resumed and len(mirror.seen("pdf")) == 1 and (folder / "paper.pdf").read_bytes() == body


def test_a_206_without_content_range_is_not_trusted(settings, tmp_path):
    body = b"%PDF-1.4\n" + b"x" * 500 + b"\nstartxref\n0\n%%EOF\n"
    answers = []

    def handler(conn):
        request = len(answers)
        answers.append(request)
        if request == 0:
            conn.sendall(f"HTTP/1.1 206 Partial Content\r\nContent-Length: {len(body)}\r\nConnection: close\r\n"
                         "\r\n".encode() + body)
        else:
            conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                         + body)

    folder = tmp_path / "d"
    folder.mkdir()
    (folder / f"p.pdf.{_dead_pid()}.part").write_bytes(body[:100])
    with raw_server(handler) as base:
        download(f"{base}/p.pdf", folder / "p.pdf", settings)
    assert (folder / "p.pdf").read_bytes() == body and len(answers) == 2


# ------------------------------------------------------------------------------------------ trickled headers


@pytest.mark.parametrize("client", ["s2", "openalex"])
def test_trickled_headers_from_a_json_api_hit_the_deadline(settings, client):
    """Every byte arrives within the read timeout; only a total deadline on the socket stops it (before: the
    JSON APIs used plain urlopen, so only the read timeout applied, reset by every byte)."""
    settings.http_timeout, settings.http_deadline, settings.http_retries = 2.0, 0.6, 0
    settings.search_delay = 0
    with raw_server(trickle(0.1, body=b'{"data": []}', in_headers=True)) as base:
        settings.s2_api = settings.openalex_api = base
        make = SemanticScholar if client == "s2" else OpenAlex
        with pytest.raises(NetworkError) as err:
            make(settings).search("transfer", 5)
    assert "deadline" in str(err.value)


# ------------------------------------------------------------------------------------------ unreachable


def test_an_unreachable_host_fails_at_once(settings, sleeps):
    settings.http_retries = 4
    settings.search_delay = 0  # the politeness delay after an earlier test's request is not a retry
    with pytest.raises(UnreachableError, match=r"cannot reach 127.0.0.1:9 \(connection refused\)"):
        get("http://127.0.0.1:9/api/query", settings)
    settings.s2_api = "http://127.0.0.1:9/graph/v1"
    with pytest.raises(UnreachableError, match=r"cannot reach Semantic Scholar \(127.0.0.1:9\)"):
        SemanticScholar(settings).search("transfer", 5)
    assert sleeps == []


def test_an_unresolvable_host_is_unreachable(settings, sleeps, tmp_path):
    """No DNS (a name under .invalid never resolves, RFC 6761): no network, not worth a retry. The partial file
    of the download stays for a later resume."""
    part = tmp_path / f"p.pdf.{os.getpid()}.part"
    part.write_bytes(b"%PDF-1.4 partial")
    with pytest.raises(UnreachableError, match="does not resolve"):
        download("http://no-such-host.invalid/p.pdf", tmp_path / "p.pdf", settings)
    assert part.exists() and sleeps == []


def test_mailto_is_never_invented(settings, apis):
    SemanticScholar(settings).search(QUERY, 5)
    agent = apis.seen("s2")[-1].headers["user-agent"]
    assert "mailto" not in agent and "@" not in agent
    settings.mailto = "me@example.org"
    assert user_agent(settings).endswith("; mailto:me@example.org)")


_ = ScholarlyApis, scholarly_catalogue
