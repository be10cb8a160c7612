"""One HTTP request, done safely (stdlib urllib): connect/read timeouts plus a total deadline enforced on the
socket (a server trickling headers or body a byte at a time cannot hold us), a size cap on the body, redirects
followed to http(s) only (a redirect to ftp://, file: or data: is refused: no deadline could hold there), the
User-Agent (with the user's SYNTH_MAILTO, never an invented address), and the retry policy's pieces: Retry-After
read, honoured up to settings.http_backoff_max and refused with a message beyond it, exponential backoff.

A host that cannot be reached at all (no name resolution, refused, no route, no answer to the connection request)
raises UnreachableError at once: a network that is down stays down for the next attempt too. Downloads to files
(resume, digests) are synth.papers.sources.http.
"""

from __future__ import annotations

import email.utils
import errno
import http.client
import os
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from synth import __version__
from synth.core.errors import NetworkError

if TYPE_CHECKING:
    from synth.core.settings import Settings

USER_AGENT = f"synth/{__version__} (literature synthesis)"
MiB = 1024 * 1024
CHUNK = 64 * 1024


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


class Watchdog:
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

    def __enter__(self) -> "Watchdog":
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


def _opener(watchdog: Watchdog) -> urllib.request.OpenerDirector:
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


def open_url(url: str, headers: dict[str, str], settings: "Settings", watchdog: Watchdog):
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
            raise TransientError(deadline_reason(watchdog.seconds, 0)) from None
        if (why := unreachable_reason(exc)) is not None:
            raise UnreachableError(host_of(url), why) from None
        if isinstance(exc.reason, str) and exc.reason.startswith("unknown url type"):
            raise NetworkError(f"not an http(s) URL: {public_url(url)}") from None
        raise TransientError(f"connection error ({exc.reason})") from None
    except (ConnectionError, http.client.HTTPException, OSError) as exc:
        if watchdog.expired:
            raise TransientError(deadline_reason(watchdog.seconds, 0)) from None
        raise TransientError(f"connection error ({type(exc).__name__})") from None


def deadline_reason(seconds: float, received: int) -> str:
    return f"no complete reply within the {seconds:g} s deadline (SYNTH_HTTP_DEADLINE; got {received} bytes)"


def get(url: str, settings: "Settings", *, max_bytes: int | None = None,
        headers: dict[str, str] | None = None, deadline: float | None = None) -> HttpReply:
    """One GET of `url`, read whole within `deadline` (default settings.http_deadline: headers and body together,
    so a server trickling bytes cannot hold us) and at most `max_bytes` (default settings.max_api_mb).
    Non-2xx statuses are returned as replies; transient failures raise TransientError (callers choose whether to
    retry), an unreachable host UnreachableError; a body over the cap or a refused redirect NetworkError."""
    cap = int(settings.max_api_mb * MiB) if max_bytes is None else max_bytes
    sent = {"User-Agent": user_agent(settings), **(headers or {})}
    with Watchdog(settings.http_deadline if deadline is None else deadline) as watchdog:
        response = open_url(url, sent, settings, watchdog)
        body = bytearray()
        with response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > cap:
                raise NetworkError(f"reply from {public_url(url)} is {format_size(int(length))}, over the "
                                   f"{format_size(cap)} cap (SYNTH_MAX_API_MB)")
            try:
                while block := response.read1(CHUNK) if hasattr(response, "read1") else response.read(CHUNK):
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
                    raise TransientError(deadline_reason(watchdog.seconds, len(body))) from None
                raise TransientError(f"connection error while reading ({type(exc).__name__}, "
                                     f"got {len(body)} bytes)") from None
        if watchdog.expired:
            raise TransientError(deadline_reason(watchdog.seconds, len(body)))
        if length and length.isdigit() and len(body) != int(length):
            raise TransientError(f"truncated reply: got {len(body)} of {length} bytes")
    status = getattr(response, "status", None) or getattr(response, "code", 0)
    return HttpReply(status, {k: v for k, v in response.headers.items()}, bytes(body),
                     getattr(response, "url", None) or url)


def format_size(n: int) -> str:
    """Human-readable byte count: '812 B', '29.5 KiB', '3.0 MiB'."""
    if n < 1024:
        return f"{n} B"
    if n < MiB:
        return f"{n / 1024:.1f} KiB"
    return f"{n / MiB:.1f} MiB"
