"""Robust file download (stdlib urllib): timeouts, retries with exponential backoff on 429/5xx/connection errors
(honouring Retry-After), a size cap, truncation detection, resume of partial downloads (HTTP Range), sha256,
and an atomic rename into place so a kill never leaves a half file under the final name.
"""

from __future__ import annotations

import email.utils
import hashlib
import http.client
import os
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from synth import __version__
from synth.core.errors import NetworkError, NotFoundError, PDFError

if TYPE_CHECKING:
    from synth.core.settings import Settings

USER_AGENT = f"synth/{__version__} (literature synthesis; mailto:synth@localhost)"
MiB = 1024 * 1024
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Download:
    path: Path
    sha256: str
    size: int
    url: str
    attempts: int
    resumed: bool


class _Retry(Exception):
    """A transient failure: try again after a backoff (or the server's Retry-After)."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP date. None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def backoff_delay(attempt: int, retry_after: float | None, settings: "Settings") -> float:
    """Sleep before retry number `attempt` (1-based): Retry-After if given, else base * 2^(attempt-1); capped."""
    delay = retry_after if retry_after is not None else settings.http_backoff * 2 ** (attempt - 1)
    return min(delay, settings.http_backoff_max)


def download(
    url: str,
    dest: Path,
    settings: "Settings",
    *,
    on_progress: Callable[[int, int | None], None] | None = None,
    expect_pdf: bool = True,
) -> Download:
    """Download `url` to `dest` (via `dest`.part, resumed if present) and return its sha256 and size.

    Raises NetworkError after settings.http_retries retries, NotFoundError on 404, PDFError when the body is
    over settings.max_pdf_mb, empty, or (with expect_pdf) not a PDF.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    cap = int(settings.max_pdf_mb * MiB)
    attempt, resumed = 0, False
    while True:
        try:
            resumed |= _attempt(url, part, cap, settings, on_progress)
            break
        except _Retry as exc:
            attempt += 1
            if attempt > settings.http_retries:
                raise NetworkError(f"download failed: {url}: {exc.reason} (gave up after {attempt} attempts)") from None
            time.sleep(backoff_delay(attempt, exc.retry_after, settings))
        except (PDFError, NotFoundError, NetworkError):
            part.unlink(missing_ok=True)
            raise
    size = part.stat().st_size
    with open(part, "rb") as fh:
        head = fh.read(5)
    if size == 0:
        part.unlink()
        raise PDFError(f"empty download (0 bytes): {url}")
    if expect_pdf and head != b"%PDF-":
        part.unlink()
        raise PDFError(f"not a PDF (the server sent {head!r}...): {url}")
    digest = hashlib.sha256()
    with open(part, "rb") as fh:
        while block := fh.read(MiB):
            digest.update(block)
    os.replace(part, dest)
    return Download(dest, digest.hexdigest(), size, url, attempt + 1, resumed)


def format_size(n: int) -> str:
    """Human-readable byte count: '812 B', '29.5 KiB', '3.0 MiB'."""
    if n < 1024:
        return f"{n} B"
    if n < MiB:
        return f"{n / 1024:.1f} KiB"
    return f"{n / MiB:.1f} MiB"


def too_large(what: str, size: int, settings: "Settings", partial: bool = False) -> PDFError:
    more = "more than " if partial else ""
    return PDFError(f"too large: {what} is {more}{format_size(size)}, over the {settings.max_pdf_mb:g} MiB cap "
                    "(SYNTH_MAX_PDF_MB)")


def _attempt(url: str, part: Path, cap: int, settings: "Settings", on_progress) -> bool:
    """One HTTP request, appending to `part` when the server honours our Range. Returns True if it resumed."""
    have = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": USER_AGENT, "Accept": "application/pdf,*/*"}
    if have:
        headers["Range"] = f"bytes={have}-"
    request = urllib.request.Request(url, headers=headers)
    try:
        response = urllib.request.urlopen(request, timeout=settings.http_timeout)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 416 and have:  # our partial file is stale or complete: start over
            part.unlink(missing_ok=True)
            raise _Retry("HTTP 416 for a stale partial download", 0.0) from None
        if exc.code == 429 or exc.code >= 500:
            raise _Retry(f"HTTP {exc.code}", parse_retry_after(exc.headers.get("Retry-After"))) from None
        if exc.code == 404:
            raise NotFoundError(f"not found (HTTP 404): {url}") from None
        raise NetworkError(f"HTTP {exc.code} for {url}") from None
    except (TimeoutError, socket.timeout):
        raise _Retry(f"timed out after {settings.http_timeout:g} s") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (TimeoutError, socket.timeout)):
            raise _Retry(f"timed out after {settings.http_timeout:g} s") from None
        raise _Retry(f"connection error ({exc.reason})") from None
    except (ConnectionError, http.client.HTTPException, OSError) as exc:
        raise _Retry(f"connection error ({type(exc).__name__})") from None

    with response:
        resuming = have > 0 and response.status == 206
        start = have if resuming else 0
        length = response.headers.get("Content-Length")
        expected = start + int(length) if length and length.isdigit() else None
        if expected is not None and expected > cap:
            raise too_large(url, expected, settings)
        received = start
        try:
            # unbuffered: every received block is on disk at once, so a kill loses nothing already downloaded
            with open(part, "ab" if resuming else "wb", buffering=0) as fh:
                while block := response.read1(_CHUNK):
                    received += len(block)
                    if received > cap:
                        raise too_large(url, cap, settings, partial=True)
                    fh.write(block)
                    if on_progress is not None:
                        on_progress(received, expected)
        except http.client.IncompleteRead as exc:
            raise _Retry(f"truncated body: got {received + len(exc.partial)} of {expected} bytes") from None
        except (TimeoutError, socket.timeout):
            raise _Retry(f"timed out after {settings.http_timeout:g} s while reading (got {received} bytes)") from None
        except (ConnectionError, OSError, http.client.HTTPException) as exc:
            raise _Retry(f"connection error while reading ({type(exc).__name__}, got {received} bytes)") from None
        if expected is not None and received != expected:
            raise _Retry(f"truncated body: got {received} of {expected} bytes")
    return resuming
