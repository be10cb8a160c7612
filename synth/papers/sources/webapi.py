"""JSON web APIs (Semantic Scholar, OpenAlex, Crossref) over stdlib urllib, politely and reproducibly:

- a minimum interval between two requests to the same API (settings.search_delay), across every client in the
  process;
- retries with exponential backoff on 429/5xx/connection errors, Retry-After honoured (the helpers of
  synth.papers.sources.http);
- a total deadline per request, retries and backoff included (settings.http_deadline), and a size cap on the
  reply (settings.max_api_mb);
- a response cache keyed by the request (API name, path, parameters, without keys or contact addresses), so the
  same search re-runs offline with the same result, and against a mirror of the API too.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from synth.core.errors import NetworkError, NotFoundError, UsageError
from synth.core.files import write_json
from synth.papers.sources.http import MiB, USER_AGENT, backoff_delay, parse_retry_after

if TYPE_CHECKING:
    from synth.core.settings import Settings

CacheMode = Literal["use", "refresh", "offline"]
CACHE_MODES = ("use", "refresh", "offline")
_CHUNK = 64 * 1024
_last_request: dict[str, float] = {}
_turn_lock = threading.Lock()


@dataclass(frozen=True)
class Reply:
    """A decoded JSON reply: HTTP status (200, or 404 when asked to keep it), body, and whether it came from cache."""

    status: int
    body: Any
    cached: bool = False
    fetched_at: str = ""


class _Transient(Exception):
    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class ResponseCache:
    """Replies as JSON files under `folder`/<api>/<key[:2]>/<key>.json; the key hashes (api, path, params)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    @staticmethod
    def key(api: str, path: str, params: dict[str, str]) -> str:
        blob = json.dumps({"api": api, "path": path, "params": sorted(params.items())}, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def _file(self, api: str, key: str) -> Path:
        return self.folder / api / key[:2] / f"{key}.json"

    def get(self, api: str, path: str, params: dict[str, str]) -> Reply | None:
        file = self._file(api, self.key(api, path, params))
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
            return Reply(int(data["status"]), data["body"], cached=True, fetched_at=str(data.get("fetched_at", "")))
        except (OSError, ValueError, KeyError, TypeError):  # absent or damaged: as if never cached
            return None

    def put(self, api: str, path: str, params: dict[str, str], reply: Reply) -> None:
        file = self._file(api, self.key(api, path, params))
        write_json(file, {"api": api, "path": path, "params": dict(sorted(params.items())), "status": reply.status,
                          "fetched_at": reply.fetched_at, "body": reply.body})


def user_agent(settings: "Settings") -> str:
    """synth's User-Agent, carrying the user's mailto when one is set (Crossref and OpenAlex ask for it)."""
    return USER_AGENT.replace("synth@localhost", settings.mailto) if settings.mailto else USER_AGENT


class JsonApi:
    """GET requests to one JSON API. Counts network requests and cache hits (for the search log)."""

    def __init__(self, name: str, base: str, settings: "Settings", *, label: str, cache_mode: CacheMode = "use",
                 headers: dict[str, str] | None = None, secret_params: dict[str, str] | None = None,
                 contact_params: dict[str, str] | None = None, key_hint: str | None = None):
        if cache_mode not in CACHE_MODES:
            raise UsageError(f"unknown cache mode {cache_mode!r}: use one of {', '.join(CACHE_MODES)}")
        self.name, self.base, self.settings, self.label = name, base.rstrip("/"), settings, label
        self.cache_mode = cache_mode
        self.cache = ResponseCache(Path(settings.cache) / "api")
        self.headers = {"User-Agent": user_agent(settings), "Accept": "application/json", **(headers or {})}
        # sent with every request, never part of the cache key (and never written to disk)
        self.extra_params = {**(secret_params or {}), **(contact_params or {})}
        self.key_hint = key_hint
        self.requests = 0
        self.cached = 0

    def get(self, path: str, params: dict[str, Any] | None = None, *, not_found_ok: bool = False) -> Reply:
        """GET base+path?params as JSON. 404 → NotFoundError (or a 404 Reply with `not_found_ok`)."""
        params = {k: str(v) for k, v in (params or {}).items() if v is not None}
        if self.cache_mode != "refresh":
            hit = self.cache.get(self.name, path, params)
            if hit is not None:
                self.cached += 1
                return self._checked(hit, path, not_found_ok)
            if self.cache_mode == "offline":
                raise NetworkError(f"{self.label}: {path} is not in the response cache (offline run)",
                                   hint="run the same search once with the network, or drop --offline")
        reply = self._fetch(path, params)
        self.cache.put(self.name, path, params, reply)
        return self._checked(reply, path, not_found_ok)

    def _checked(self, reply: Reply, path: str, not_found_ok: bool) -> Reply:
        if reply.status == 404 and not not_found_ok:
            raise NotFoundError(f"{self.label} does not know {path}")
        return reply

    # ------------------------------------------------------------------------------------------ network

    def _url(self, path: str, params: dict[str, str]) -> str:
        query = urllib.parse.urlencode({**params, **self.extra_params})
        quoted = urllib.parse.quote(path, safe="/:,|")
        return f"{self.base}{quoted}" + (f"?{query}" if query else "")

    def _wait_turn(self) -> None:
        """At most one request per settings.search_delay seconds to this API, from any client in the process."""
        with _turn_lock:
            now = time.monotonic()
            wait = _last_request.get(self.base, -1e9) + self.settings.search_delay - now
            if wait > 0:
                time.sleep(wait)
            _last_request[self.base] = time.monotonic()

    def _fetch(self, path: str, params: dict[str, str]) -> Reply:
        s = self.settings
        url = self._url(path, params)
        started = time.monotonic()
        attempt = 0
        while True:
            left = s.http_deadline - (time.monotonic() - started)
            if left <= 0:
                raise NetworkError(f"{self.label}: no reply for {path} within the {s.http_deadline:g} s deadline "
                                   "(SYNTH_HTTP_DEADLINE)")
            self._wait_turn()
            self.requests += 1
            try:
                return self._attempt(url, path, min(s.http_timeout, left), started)
            except _Transient as exc:
                attempt += 1
                if attempt > s.http_retries:
                    raise NetworkError(f"{self.label}: {path}: {exc.reason} (gave up after {attempt} attempts)") \
                        from None
                delay = backoff_delay(attempt, exc.retry_after, s)
                if time.monotonic() - started + delay >= s.http_deadline:
                    raise NetworkError(f"{self.label}: {path}: {exc.reason}; no time left to retry within the "
                                       f"{s.http_deadline:g} s deadline (SYNTH_HTTP_DEADLINE)") from None
                time.sleep(delay)

    def _attempt(self, url: str, path: str, timeout: float, started: float) -> Reply:
        s = self.settings
        request = urllib.request.Request(url, headers=self.headers)
        try:
            response = urllib.request.urlopen(request, timeout=timeout)
        except urllib.error.HTTPError as exc:
            body = _read_small(exc)
            exc.close()
            if exc.code == 429 or exc.code >= 500:
                raise _Transient(f"HTTP {exc.code}", parse_retry_after(exc.headers.get("Retry-After"))) from None
            if exc.code == 404:
                return Reply(404, _json_or_none(body), fetched_at=utc_now())
            why = _error_text(body)
            if exc.code in (401, 403):
                raise NetworkError(f"{self.label} refused the request (HTTP {exc.code}{': ' + why if why else ''})",
                                   hint=self.key_hint) from None
            if exc.code == 400:
                raise UsageError(f"{self.label} rejected the request for {path} (HTTP 400"
                                 f"{': ' + why if why else ''})") from None
            raise NetworkError(f"{self.label}: HTTP {exc.code} for {path}") from None
        except (TimeoutError, socket.timeout):
            raise _Transient(f"timed out after {timeout:g} s") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                raise _Transient(f"timed out after {timeout:g} s") from None
            raise _Transient(f"connection error ({exc.reason})") from None
        except (ConnectionError, http.client.HTTPException, OSError) as exc:
            raise _Transient(f"connection error ({type(exc).__name__})") from None
        cap = int(s.max_api_mb * MiB)
        chunks, size = [], 0
        with response:
            try:
                while block := response.read1(_CHUNK):
                    size += len(block)
                    if size > cap:
                        raise NetworkError(f"{self.label}: the reply for {path} is over the {s.max_api_mb:g} MiB "
                                           "cap (SYNTH_MAX_API_MB)")
                    if time.monotonic() - started > s.http_deadline:
                        raise _Transient(f"reply still arriving after the {s.http_deadline:g} s deadline")
                    chunks.append(block)
            except (TimeoutError, socket.timeout):
                raise _Transient(f"timed out while reading (got {size} bytes)") from None
            except http.client.IncompleteRead:
                raise _Transient(f"truncated reply (got {size} bytes)") from None
            except (ConnectionError, http.client.HTTPException, OSError) as exc:
                raise _Transient(f"connection error while reading ({type(exc).__name__})") from None
        try:
            body = json.loads(b"".join(chunks).decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise _Transient(f"the reply for {path} is not JSON") from None
        return Reply(response.status, body, fetched_at=utc_now())


def utc_now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _read_small(exc: urllib.error.HTTPError) -> bytes:
    try:
        return exc.read(64 * 1024) or b""
    except (OSError, http.client.HTTPException):
        return b""


def _json_or_none(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8")) if body else None
    except (UnicodeDecodeError, ValueError):
        return None


def _error_text(body: bytes) -> str:
    """The message an API put in its error body ({'error': ...} / {'message': ...}), on one short line."""
    data = _json_or_none(body)
    if isinstance(data, dict):
        for key in ("error", "message", "detail"):
            if isinstance(data.get(key), str):
                return " ".join(data[key].split())[:200]
    return ""
