"""Robust HTTP (stdlib urllib): timeouts plus a total deadline per request, retries with exponential backoff on
429/5xx/connection errors (honouring Retry-After up to settings.http_backoff_max, and saying so beyond it), size
caps, truncation detection, resume of partial downloads (HTTP Range, checked against Content-Range and the PDF's
own cross-reference offset, restarted from zero when the server's 206 does not continue our file) from per-process
`.part` files, sha256, and an atomic rename into place so a kill never leaves a half file under the final name.
A full disk removes the partial file and says so.

Only http(s) is spoken, redirects included: a redirect to ftp:// (or file:, data:) is refused, since no deadline
could hold there. A host that cannot be reached at all (no name resolution, refused, no route) fails at once,
without retries, as UnreachableError: a network that is down stays down for the next attempt too.
"""

from __future__ import annotations

import email.utils
import errno
import hashlib
import http.client
import os
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
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

USER_AGENT = f"synth/{__version__} (literature synthesis)"
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


def user_agent(settings: "Settings") -> str:
    """synth's User-Agent; with the user's own address (SYNTH_MAILTO) when set: never an invented one."""
    return f"{USER_AGENT[:-1]}; mailto:{settings.mailto})" if settings.mailto else USER_AGENT


def backoff_delay(attempt: int, retry_after: float | None, settings: "Settings") -> float:
    """Sleep before retry number `attempt` (1-based): Retry-After if given, else base * 2^(attempt-1); capped."""
    delay = retry_after if retry_after is not None else settings.http_backoff * 2 ** (attempt - 1)
    return min(delay, settings.http_backoff_max)


def format_wait(seconds: float) -> str:
    """'45 s', '12 min', '3 h 5 min', '2 days'."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        hours, minutes = divmod(int(seconds) // 60, 60)
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    return f"{seconds / 86400:.0f} days"


def retry_delay(attempt: int, retry_after: float | None, settings: "Settings", what: str) -> float:
    """The sleep before retry `attempt`; a server asking (Retry-After) for longer than settings.http_backoff_max
    is not obeyed silently nor cut short: NetworkError says how long it asked and until when."""
    if retry_after is not None and retry_after > settings.http_backoff_max:
        until = datetime.now(timezone.utc).timestamp() + retry_after
        stamp = datetime.fromtimestamp(min(until, 253402300799), timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        raise NetworkError(f"{what}: the server asks to wait {format_wait(retry_after)} before trying again "
                           f"(Retry-After); synth waits at most {format_wait(settings.http_backoff_max)} "
                           "(SYNTH_HTTP_BACKOFF_MAX)", hint=f"try again after {stamp}")
    return backoff_delay(attempt, retry_after, settings)


class UnreachableError(NetworkError):
    """The host could not be reached at all (name resolution, refused, no route, connect timeout): not retried."""

    def __init__(self, host: str, reason: str, hint: str | None = None):
        super().__init__(f"cannot reach {host} ({reason})", hint=hint)
        self.host = host
        self.reason = reason


class RedirectRefused(NetworkError):
    """A redirect to a scheme other than http(s)."""


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


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """urllib follows redirects to ftp:// too, where neither the deadline nor the size cap holds: refuse them."""

    def http_error_302(self, req, fp, code, msg, headers):
        target = headers.get("location") or headers.get("uri")
        if target is not None:
            scheme = urllib.parse.urlsplit(urllib.parse.urljoin(req.full_url, target)).scheme.lower()
            if scheme not in ("http", "https"):
                fp.close()
                raise RedirectRefused(f"refused a redirect (HTTP {code}) from {public_url(req.full_url)} to "
                                      f"{public_url(target)}: only http and https are followed")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _opener(watchdog: _Watchdog) -> urllib.request.OpenerDirector:
    """A urllib opener (proxies and http(s) redirects) speaking http and https only, whose connections report
    their socket to `watchdog`."""

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

    opener = urllib.request.OpenerDirector()
    # no FTPHandler, FileHandler or DataHandler: a URL (or redirect) to those schemes has no handler here
    for handler in (urllib.request.ProxyHandler(), urllib.request.UnknownHandler(), _HTTPHandler(), _HTTPSHandler(),
                    urllib.request.HTTPDefaultErrorHandler(), _HttpOnlyRedirects(),
                    urllib.request.HTTPErrorProcessor()):
        opener.add_handler(handler)
    return opener


_UNREACHABLE_ERRNOS = {errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EHOSTDOWN}


def unreachable_reason(exc: BaseException) -> str | None:
    """Why a connection could not even be opened (DNS, refused, no route, connect timeout), or None when the
    failure is of another kind (a reset, a slow reply: worth a retry)."""
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        exc = exc.reason if isinstance(exc.reason, BaseException) else exc
    if isinstance(exc, socket.gaierror):
        return "the host name does not resolve: no network, or no DNS"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "no answer to the connection request"
    if isinstance(exc, OSError) and exc.errno in _UNREACHABLE_ERRNOS:
        return os.strerror(exc.errno).lower()
    return None


def public_url(url: str) -> str:
    """A URL for messages: without its query string, where API keys and contact addresses travel."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))[:200]


def host_of(url: str) -> str:
    """'https://api.openalex.org/works?…' → 'api.openalex.org' (with the port when one is given)."""
    return urllib.parse.urlsplit(url).netloc.rpartition("@")[2] or url[:80]


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
            raise TransientError(_deadline_reason(watchdog.seconds, 0)) from None
        if (why := unreachable_reason(exc)) is not None:
            raise UnreachableError(host_of(url), why) from None
        if isinstance(exc.reason, str) and exc.reason.startswith("unknown url type"):
            raise NetworkError(f"not an http(s) URL: {public_url(url)}") from None
        raise TransientError(f"connection error ({exc.reason})") from None
    except (ConnectionError, http.client.HTTPException, OSError) as exc:
        if watchdog.expired:
            raise TransientError(_deadline_reason(watchdog.seconds, 0)) from None
        raise TransientError(f"connection error ({type(exc).__name__})") from None


def _deadline_reason(seconds: float, received: int) -> str:
    return f"no complete reply within the {seconds:g} s deadline (SYNTH_HTTP_DEADLINE; got {received} bytes)"


def get(url: str, settings: "Settings", *, max_bytes: int | None = None,
        headers: dict[str, str] | None = None, deadline: float | None = None) -> HttpReply:
    """One GET of `url`, read whole within `deadline` (default settings.http_deadline: headers and body together,
    so a server trickling bytes cannot hold us) and at most `max_bytes` (default settings.max_api_mb).
    Non-2xx statuses are returned as replies; transient failures raise TransientError (callers choose whether to
    retry), an unreachable host UnreachableError; a body over the cap or a refused redirect NetworkError."""
    cap = int(settings.max_api_mb * MiB) if max_bytes is None else max_bytes
    sent = {"User-Agent": user_agent(settings), **(headers or {})}
    with _Watchdog(settings.http_deadline if deadline is None else deadline) as watchdog:
        response = _open(url, sent, settings, watchdog)
        body = bytearray()
        with response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > cap:
                raise NetworkError(f"reply from {public_url(url)} is {format_size(int(length))}, over the "
                                   f"{format_size(cap)} cap (SYNTH_MAX_API_MB)")
            try:
                while block := response.read1(_CHUNK) if hasattr(response, "read1") else response.read(_CHUNK):
                    body += block
                    if len(body) > cap:
                        raise NetworkError(f"reply from {public_url(url)} is more than {format_size(cap)}, over the cap "
                                           "(SYNTH_MAX_API_MB); not read further")
            except http.client.IncompleteRead as exc:
                raise TransientError(f"truncated reply: got {len(body) + len(exc.partial)} of {length} bytes") from None
            except (TimeoutError, socket.timeout):
                raise TransientError(f"timed out after {settings.http_timeout:g} s while reading "
                                     f"(got {len(body)} bytes)") from None
            except (ConnectionError, OSError, http.client.HTTPException) as exc:
                if watchdog.expired:
                    raise TransientError(_deadline_reason(watchdog.seconds, len(body))) from None
                raise TransientError(f"connection error while reading ({type(exc).__name__}, "
                                     f"got {len(body)} bytes)") from None
        if watchdog.expired:
            raise TransientError(_deadline_reason(watchdog.seconds, len(body)))
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
    attempt, resumed, rechecked = 0, False, False
    while True:
        try:
            resumed_now = _attempt(url, part, cap, settings, on_progress)
            resumed |= resumed_now
            if resumed_now and not rechecked and (why := _spliced(part)) is not None:
                # the server's 206 claimed to continue our file, but the result does not hold together:
                # start again from zero, once (a file that fails this check whole is judged by the parser)
                rechecked = True
                part.unlink(missing_ok=True)
                raise _Retry(f"the resumed file is inconsistent ({why}); downloading it again from the start", 0.0)
            break
        except _Retry as exc:
            attempt += 1
            if attempt > settings.http_retries:
                raise NetworkError(f"download failed: {url}: {exc.reason} (gave up after {attempt} attempts)") from None
            time.sleep(retry_delay(attempt, exc.retry_after, settings, f"download of {url}"))
        except UnreachableError:
            raise  # the partial file stays: a later run resumes it
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


_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.IGNORECASE)


def _continues(response, have: int) -> str | None:
    """Why a 206 reply does not continue a partial file of `have` bytes (None when it does): its Content-Range
    must start at `have`, and agree with its Content-Length."""
    value = response.headers.get("Content-Range") or ""
    m = _CONTENT_RANGE.match(value)
    if m is None:
        return f"a 206 reply without a usable Content-Range ({value[:60]!r})"
    first, last, total = int(m[1]), int(m[2]), m[3]
    if first != have:
        return f"asked for bytes from {have}, the 206 reply starts at {first}"
    if last < first or (total != "*" and last + 1 != int(total)):
        return f"the 206 reply's range does not end the file ({value.strip()[:60]})"
    length = response.headers.get("Content-Length")
    if length and length.isdigit() and int(length) != last - first + 1:
        return f"the 206 reply sends {length} bytes for a range of {last - first + 1}"
    return None


def _spliced(part: Path) -> str | None:
    """Why a resumed PDF cannot be one file (None when it looks whole): its last `startxref` must point at a
    cross-reference section or stream inside the file, as it does in any PDF written in one piece."""
    size = part.stat().st_size
    with open(part, "rb") as fh:
        head = fh.read(5)
        fh.seek(max(0, size - 2048))
        tail = fh.read()
        if head != b"%PDF-":
            return "it does not start with %PDF-"
        found = list(re.finditer(rb"startxref\s+(\d+)", tail))
        if not found:
            return "no startxref near its end"
        offset = int(found[-1][1])
        if offset >= size:
            return f"startxref points past its end ({offset} >= {size} bytes)"
        fh.seek(offset)
        there = fh.read(40)
    if there.startswith(b"xref") or re.match(rb"\s*\d+\s+\d+\s+obj", there):
        return None
    return f"startxref {offset} does not point at a cross-reference section"


def _attempt(url: str, part: Path, cap: int, settings: "Settings", on_progress) -> bool:
    """One HTTP request (within settings.http_deadline), appending to `part` when the server honours our Range.
    Returns True if it resumed."""
    have = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": user_agent(settings), "Accept": "application/pdf,*/*"}
    if have:
        headers["Range"] = f"bytes={have}-"
    with _Watchdog(settings.http_deadline) as watchdog:
        try:
            response = _open(url, headers, settings, watchdog)
        except TransientError as exc:
            raise _Retry(exc.reason) from None
        if isinstance(response, urllib.error.HTTPError):
            _raise_for_status(response, url, part, have)
        if have > 0 and response.status == 206 and (why := _continues(response, have)) is not None:
            response.close()
            part.unlink(missing_ok=True)  # what we hold may be fine, but this server cannot be trusted to resume it
            raise _Retry(f"{why}; starting again from zero", 0.0)
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
                    raise _Retry(_deadline_reason(watchdog.seconds, received)) from None
                raise _Retry(f"connection error while reading ({type(exc).__name__}, got {received} bytes)") from None
            except OSError as exc:
                if exc.errno in _NO_SPACE:
                    part.unlink(missing_ok=True)
                    raise _storage_error(exc, part.parent) from None
                if watchdog.expired:
                    raise _Retry(_deadline_reason(watchdog.seconds, received)) from None
                raise _Retry(f"connection error while reading ({type(exc).__name__}, got {received} bytes)") from None
        if watchdog.expired:
            raise _Retry(_deadline_reason(watchdog.seconds, received))
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
