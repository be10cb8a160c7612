"""Robust HTTP (stdlib urllib): timeouts plus a total deadline per request, retries with exponential backoff on
429/5xx/connection errors (honouring Retry-After), size caps, truncation detection, resume of partial downloads
(HTTP Range) from per-process `.part` files, sha256, and an atomic rename into place so a kill never leaves a half
file under the final name. A full disk removes the partial file and says so.
"""

from __future__ import annotations

import email.utils
import errno
import hashlib
import http.client
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from synth import __version__
from synth.core.errors import NetworkError, NotFoundError, PDFError, StorageError
from synth.core.files import pid_alive

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


class TransientError(NetworkError):
    """A failure worth retrying (timeout, deadline, reset, truncated body, 429/5xx); `reason` says which."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@dataclass(frozen=True)
class HttpReply:
    """One HTTP response read whole: status, headers, body and the final URL (after redirects)."""

    status: int
    headers: dict[str, str]
    body: bytes
    url: str


class _Watchdog:
    """Enforces a total deadline on one request: when it passes, the connection's socket is shut down, so that
    no blocking read (a server trickling a byte every few seconds, each within the read timeout) outlives it."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def _fire(self) -> None:
        with self._lock:
            self.expired = True
            sock = self._sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sock = sock
            expired = self.expired
        if expired:
            self._fire()

    def __enter__(self) -> "_Watchdog":
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()


def _opener(watchdog: _Watchdog) -> urllib.request.OpenerDirector:
    """A urllib opener (proxies and redirects as usual) whose connections report their socket to `watchdog`."""

    class _HTTP(http.client.HTTPConnection):
        def connect(self) -> None:
            super().connect()
            watchdog.watch(self.sock)

    class _HTTPS(http.client.HTTPSConnection):
        def connect(self) -> None:
            super().connect()
            watchdog.watch(self.sock)

    class _HTTPHandler(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(_HTTP, req)

    class _HTTPSHandler(urllib.request.HTTPSHandler):
        def https_open(self, req):
            return self.do_open(_HTTPS, req, context=getattr(self, "_context", None))

    return urllib.request.build_opener(_HTTPHandler, _HTTPSHandler)


def _open(url: str, headers: dict[str, str], settings: "Settings", watchdog: _Watchdog):
    """Open `url`; HTTPError is returned (it is a response), transient failures raise TransientError."""
    request = urllib.request.Request(url, headers=headers)
    try:
        return _opener(watchdog).open(request, timeout=settings.http_timeout)
    except urllib.error.HTTPError as exc:
        return exc
    except (TimeoutError, socket.timeout):
        raise TransientError(f"timed out after {settings.http_timeout:g} s") from None
    except urllib.error.URLError as exc:
        if watchdog.expired:
            raise TransientError(_deadline_reason(settings, 0)) from None
        if isinstance(exc.reason, (TimeoutError, socket.timeout)):
            raise TransientError(f"timed out after {settings.http_timeout:g} s") from None
        raise TransientError(f"connection error ({exc.reason})") from None
    except (ConnectionError, http.client.HTTPException, OSError) as exc:
        if watchdog.expired:
            raise TransientError(_deadline_reason(settings, 0)) from None
        raise TransientError(f"connection error ({type(exc).__name__})") from None


def _deadline_reason(settings: "Settings", received: int) -> str:
    return (f"no complete reply within the {settings.http_deadline:g} s deadline (SYNTH_HTTP_DEADLINE; "
            f"got {received} bytes)")


def get(url: str, settings: "Settings", *, max_bytes: int | None = None,
        headers: dict[str, str] | None = None) -> HttpReply:
    """One GET of `url`, read whole within settings.http_deadline and at most `max_bytes` (default
    settings.max_api_mb). Non-2xx statuses are returned as replies; transient failures raise TransientError
    (callers choose whether to retry); a body over the cap raises NetworkError."""
    cap = int(settings.max_api_mb * MiB) if max_bytes is None else max_bytes
    sent = {"User-Agent": USER_AGENT, **(headers or {})}
    with _Watchdog(settings.http_deadline) as watchdog:
        response = _open(url, sent, settings, watchdog)
        body = bytearray()
        with response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > cap:
                raise NetworkError(f"reply from {url} is {format_size(int(length))}, over the "
                                   f"{format_size(cap)} cap (SYNTH_MAX_API_MB)")
            try:
                while block := response.read1(_CHUNK) if hasattr(response, "read1") else response.read(_CHUNK):
                    body += block
                    if len(body) > cap:
                        raise NetworkError(f"reply from {url} is more than {format_size(cap)}, over the cap "
                                           "(SYNTH_MAX_API_MB); not read further")
            except http.client.IncompleteRead as exc:
                raise TransientError(f"truncated reply: got {len(body) + len(exc.partial)} of {length} bytes") from None
            except (TimeoutError, socket.timeout):
                raise TransientError(f"timed out after {settings.http_timeout:g} s while reading "
                                     f"(got {len(body)} bytes)") from None
            except (ConnectionError, OSError, http.client.HTTPException) as exc:
                if watchdog.expired:
                    raise TransientError(_deadline_reason(settings, len(body))) from None
                raise TransientError(f"connection error while reading ({type(exc).__name__}, "
                                     f"got {len(body)} bytes)") from None
        if watchdog.expired:
            raise TransientError(_deadline_reason(settings, len(body)))
        if length and length.isdigit() and len(body) != int(length):
            raise TransientError(f"truncated reply: got {len(body)} of {length} bytes")
    status = getattr(response, "status", None) or getattr(response, "code", 0)
    return HttpReply(status, {k: v for k, v in response.headers.items()}, bytes(body),
                     getattr(response, "url", None) or url)


def _claim_part(folder: Path, key: str) -> Path:
    """This process's partial file for `key` (`<key>.<pid>.part`). A partial left by a process that is gone
    (killed, interrupted) is taken over, so the download resumes; two live processes never share one."""
    mine = folder / f"{key}.{os.getpid()}.part"
    if mine.exists():
        return mine
    for other in sorted(folder.glob(f"{key}.*.part")):
        middle = other.name[len(key) + 1:-len(".part")]
        if middle == "" or not middle.isdigit() or pid_alive(int(middle)):
            continue
        try:
            os.rename(other, mine)  # atomic: if two processes race for it, one gets it, the other starts afresh
            return mine
        except OSError:
            continue
    legacy = folder / f"{key}.part"  # the unsuffixed name of earlier versions
    if legacy.exists():
        try:
            os.rename(legacy, mine)
        except OSError:
            pass
    return mine


def download(
    url: str,
    dest: Path,
    settings: "Settings",
    *,
    on_progress: Callable[[int, int | None], None] | None = None,
    expect_pdf: bool = True,
    resume_key: str | None = None,
) -> Download:
    """Download `url` to `dest` (via a per-process `<resume_key>.<pid>.part`, resumed from a dead process's
    partial file when there is one) and return its sha256 and size. `resume_key` defaults to dest's name; give
    several processes different `dest`s and the same key to let them share resumption but never a file.

    Raises NetworkError after settings.http_retries retries, NotFoundError on 404, PDFError when the body is
    over settings.max_pdf_mb, empty, or (with expect_pdf) not a PDF, StorageError when the disk is full.
    """
    dest = Path(dest)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _storage_error(exc, dest.parent) from None
    part = _claim_part(dest.parent, resume_key or dest.name)
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
        except (PDFError, NotFoundError, NetworkError, StorageError):
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


_NO_SPACE = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def _storage_error(exc: OSError, where: Path) -> StorageError:
    if exc.errno in _NO_SPACE:
        return StorageError(f"no space left on the disk of {where}; nothing partial was kept there "
                            "(free some space and run again)")
    return StorageError(f"cannot write {where}: {exc.strerror or exc}")


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
    """One HTTP request (within settings.http_deadline), appending to `part` when the server honours our Range.
    Returns True if it resumed."""
    have = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": USER_AGENT, "Accept": "application/pdf,*/*"}
    if have:
        headers["Range"] = f"bytes={have}-"
    with _Watchdog(settings.http_deadline) as watchdog:
        try:
            response = _open(url, headers, settings, watchdog)
        except TransientError as exc:
            raise _Retry(exc.reason) from None
        if isinstance(response, urllib.error.HTTPError):
            _raise_for_status(response, url, part, have)
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
                        _write(fh, block, part)
                        if on_progress is not None:
                            on_progress(received, expected)
            except http.client.IncompleteRead as exc:
                raise _Retry(f"truncated body: got {received + len(exc.partial)} of {expected} bytes") from None
            except (TimeoutError, socket.timeout):
                raise _Retry(f"timed out after {settings.http_timeout:g} s while reading (got {received} bytes)") from None
            except (ConnectionError, http.client.HTTPException) as exc:
                if watchdog.expired:
                    raise _Retry(_deadline_reason(settings, received)) from None
                raise _Retry(f"connection error while reading ({type(exc).__name__}, got {received} bytes)") from None
            except OSError as exc:
                if exc.errno in _NO_SPACE:
                    part.unlink(missing_ok=True)
                    raise _storage_error(exc, part.parent) from None
                if watchdog.expired:
                    raise _Retry(_deadline_reason(settings, received)) from None
                raise _Retry(f"connection error while reading ({type(exc).__name__}, got {received} bytes)") from None
        if watchdog.expired:
            raise _Retry(_deadline_reason(settings, received))
        if expected is not None and received != expected:
            raise _Retry(f"truncated body: got {received} of {expected} bytes")
    return resuming


def _write(fh, block: bytes, part: Path) -> None:
    """Append a block; a full disk removes the partial file (it would only fill the disk further)."""
    try:
        fh.write(block)
    except OSError as exc:
        if exc.errno in _NO_SPACE:
            part.unlink(missing_ok=True)
            raise _storage_error(exc, part.parent) from None
        raise


def _raise_for_status(exc: urllib.error.HTTPError, url: str, part: Path, have: int) -> None:
    exc.close()
    if exc.code == 416 and have:  # our partial file is stale or complete: start over
        part.unlink(missing_ok=True)
        raise _Retry("HTTP 416 for a stale partial download", 0.0)
    if exc.code == 429 or exc.code >= 500:
        raise _Retry(f"HTTP {exc.code}", parse_retry_after(exc.headers.get("Retry-After")))
    if exc.code == 404:
        raise NotFoundError(f"not found (HTTP 404): {url}")
    raise NetworkError(f"HTTP {exc.code} for {url}")
