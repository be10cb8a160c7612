"""The real download path (urllib) against the loopback mirror: retries, Retry-After, caps, truncation, resume."""

from __future__ import annotations

import hashlib

import pytest

from synth.core.errors import NetworkError, NotFoundError, PDFError
from synth.papers.sources import http as http_source
from synth.papers.sources.http import download, parse_retry_after
from synth.demo.loopback import Fault, MirrorPaper


@pytest.fixture
def sleeps(monkeypatch):
    recorded = []
    monkeypatch.setattr(http_source.time, "sleep", recorded.append)
    return recorded


def url(mirror, key="2005.13013v2"):
    return f"{mirror.pdf_url}/{key}"


def test_download_writes_file_and_hash(settings, mirror, tmp_path):
    dest = tmp_path / "d" / "paper.pdf"
    got = download(url(mirror), dest, settings)
    body = mirror.papers["2005.13013v2"].pdf
    assert dest.read_bytes() == body
    assert got.sha256 == hashlib.sha256(body).hexdigest()
    assert (got.size, got.attempts, got.resumed) == (len(body), 1, False)
    assert not (tmp_path / "d" / "paper.pdf.part").exists()
    assert mirror.seen("pdf")[0].headers["User-Agent"].startswith("synth/")


def test_old_style_id_path(settings, mirror, tmp_path):
    got = download(url(mirror, "hep-th/9901001v1"), tmp_path / "p.pdf", settings)
    assert got.size == len(mirror.papers["hep-th/9901001v1"].pdf)


def test_429_then_200_honours_retry_after(settings, mirror, tmp_path, sleeps):
    settings.http_backoff_max = 30.0
    mirror.faults.append(Fault(route="pdf", status=429, retry_after="5"))
    got = download(url(mirror), tmp_path / "p.pdf", settings)
    assert got.attempts == 2
    assert sleeps == [5.0]


def test_retry_after_within_the_cap_is_obeyed(settings, mirror, tmp_path, sleeps):
    mirror.faults.append(Fault(route="pdf", status=503, retry_after="0.04", times=2))
    download(url(mirror), tmp_path / "p.pdf", settings)
    assert sleeps == [0.04, 0.04]


def test_retry_after_of_hours_is_refused_with_a_message(settings, mirror, tmp_path, sleeps):
    """A server asking for an hour is neither obeyed (a hang) nor retried early (a pointless 503): it is said."""
    mirror.faults.append(Fault(route="pdf", status=503, retry_after="3600", times=2))
    with pytest.raises(NetworkError) as err:
        download(url(mirror), tmp_path / "p.pdf", settings)
    assert "the server asks to wait 1 h before trying again (Retry-After)" in str(err.value)
    assert "(SYNTH_HTTP_BACKOFF_MAX)" in str(err.value) and "try again after" in str(err.value)
    assert sleeps == [] and len(mirror.seen("pdf")) == 1


def test_503_forever(settings, mirror, tmp_path, sleeps):
    settings.http_retries = 2
    mirror.faults.append(Fault(route="pdf", status=503, times=None))
    with pytest.raises(NetworkError) as err:
        download(url(mirror), tmp_path / "p.pdf", settings)
    assert str(err.value) == f"download failed: {url(mirror)}: HTTP 503 (gave up after 3 attempts)"
    assert sleeps == [0.01, 0.02]
    assert not (tmp_path / "p.pdf").exists()


def test_slow_response_times_out(settings, mirror, tmp_path, sleeps):
    settings.http_timeout = 0.3
    settings.http_retries = 1
    mirror.faults.append(Fault(route="pdf", delay=3.0, times=None))
    with pytest.raises(NetworkError, match=r"timed out after 0.3 s \(gave up after 2 attempts\)"):
        download(url(mirror), tmp_path / "p.pdf", settings)


def test_truncated_body_is_resumed_with_range(settings, mirror, tmp_path, sleeps):
    mirror.faults.append(Fault(route="pdf", truncate=1000))
    got = download(url(mirror), tmp_path / "p.pdf", settings)
    assert got.resumed and got.attempts == 2
    assert (tmp_path / "p.pdf").read_bytes() == mirror.papers["2005.13013v2"].pdf
    first, second = mirror.seen("pdf")
    assert "Range" not in first.headers
    assert second.headers["Range"] == "bytes=1000-"


def test_truncated_forever_is_reported(settings, mirror, tmp_path, sleeps):
    settings.http_retries = 1
    mirror.faults.append(Fault(route="pdf", truncate=0, times=None))
    size = len(mirror.papers["2005.13013v2"].pdf)
    with pytest.raises(NetworkError, match=rf"truncated body: got 0 of {size} bytes \(gave up after 2 attempts\)"):
        download(url(mirror), tmp_path / "p.pdf", settings)


def test_connection_reset_is_retried(settings, mirror, tmp_path, sleeps):
    mirror.faults.append(Fault(route="pdf", reset=True))
    assert download(url(mirror), tmp_path / "p.pdf", settings).attempts == 2


def test_404_is_not_found_without_retries(settings, mirror, tmp_path, sleeps):
    with pytest.raises(NotFoundError, match="not found"):
        download(url(mirror, "2101.00001v1"), tmp_path / "p.pdf", settings)
    assert sleeps == [] and len(mirror.seen("pdf")) == 1


def test_huge_file_over_the_cap(settings, mirror, tmp_path, sleeps):
    mirror.add(MirrorPaper("2101.00002", 1, "Huge", pdf=b"%PDF-1.7\n" + b"0" * (3 * 1024 * 1024)))
    settings.max_pdf_mb = 1
    with pytest.raises(PDFError, match=r"too large: .* is 3.0 MiB, over the 1 MiB cap"):
        download(url(mirror, "2101.00002v1"), tmp_path / "p.pdf", settings)
    assert list(tmp_path.iterdir()) == []
    assert sleeps == []


def test_zero_byte_and_non_pdf_bodies(settings, mirror, tmp_path):
    mirror.add(MirrorPaper("2101.00003", 1, "Empty", pdf=b""))
    mirror.add(MirrorPaper("2101.00004", 1, "Html", pdf=b"<html>withdrawn</html>"))
    with pytest.raises(PDFError, match="empty download"):
        download(url(mirror, "2101.00003v1"), tmp_path / "p.pdf", settings)
    with pytest.raises(PDFError, match=r"not a PDF \(the server sent b'<html'"):
        download(url(mirror, "2101.00004v1"), tmp_path / "p.pdf", settings)
    assert list(tmp_path.iterdir()) == []


def test_retry_after_forms():
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past: retry now
