"""JSON web APIs (Semantic Scholar, OpenAlex, Crossref) over stdlib urllib, politely and reproducibly:

- a minimum interval between two requests to the same API (settings.search_delay), across every client in the
  process;
- each API's own status semantics (ApiRules): which statuses mean "later" (retried with exponential backoff,
  Retry-After honoured up to settings.http_backoff_max and refused with a message beyond it), which mean "not
  today" (OpenAlex's 429: the daily allowance is spent), and the provider's advice in the error;
- a total deadline per request, retries and backoff included (settings.http_deadline), enforced on the socket
  (synth.papers.sources.http.get), so headers trickled a byte at a time cannot hold us; a size cap on the reply
  (settings.max_api_mb); redirects followed to http(s) only;
- every reply read by synth.core.jsonio (depth limit, no NaN/Infinity, no absurd numbers);
- a host that cannot be reached fails at once (UnreachableError), without retries;
- a response cache keyed by the request (API name, path, parameters, without keys or contact addresses), so the
  same search re-runs offline with the same result, and against a mirror of the API too.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from synth.core.errors import NetworkError, NotFoundError, UsageError
from synth.core.files import write_json
from synth.core.jsonio import JsonError, loads, read_json
from synth.papers.sources.transport import (
    TransientError, UnreachableError, backoff_delay, get, host_of, parse_retry_after, retry_delay, user_agent,
)

if TYPE_CHECKING:
    from synth.core.settings import Settings

CacheMode = Literal["use", "refresh", "offline"]
CACHE_MODES = ("use", "refresh", "offline")
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
    def __init__(self, reason: str, retry_after: float | None = None, status: int | None = None,
                 text: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.status = status
        self.text = text


@dataclass(frozen=True)
class ApiRules:
    """What an API's statuses mean, as its documentation says. 5xx is always "try again later".

    `later`: statuses retried with backoff (a rate limit); `spent`: statuses that mean the allowance is gone for
    now (not retried: retrying only spends more); `rate_wait`: the pause before retrying a `later` status sent
    without Retry-After (Semantic Scholar sends none; its own client waits 30 s); `meaning` and `advice`: what
    the error says for a status, and the hint (the provider's advice: a key, a contact address, a slower pace)."""

    later: frozenset[int] = frozenset({429})
    spent: frozenset[int] = frozenset()
    rate_wait: float | None = None
    meaning: dict[int, str] = field(default_factory=dict)
    advice: Callable[[int], str | None] = field(default=lambda status: None)


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
        if not file.is_file():
            return None
        try:
            data = read_json(file)
            status = data["status"]
            if not isinstance(status, int) or isinstance(status, bool):
                return None
            return Reply(status, data["body"], cached=True, fetched_at=str(data.get("fetched_at", "")))
        except (JsonError, KeyError, TypeError):  # damaged or hostile: as if never cached (the next fetch rewrites it)
            return None

    def put(self, api: str, path: str, params: dict[str, str], reply: Reply) -> None:
        file = self._file(api, self.key(api, path, params))
        write_json(file, {"api": api, "path": path, "params": dict(sorted(params.items())), "status": reply.status,
                          "fetched_at": reply.fetched_at, "body": reply.body})


class JsonApi:
    """GET requests to one JSON API. Counts network requests and cache hits (for the search log)."""

    def __init__(self, name: str, base: str, settings: "Settings", *, label: str, cache_mode: CacheMode = "use",
                 headers: dict[str, str] | None = None, secret_params: dict[str, str] | None = None,
                 contact_params: dict[str, str] | None = None, key_hint: str | None = None,
                 rules: ApiRules | None = None):
        if cache_mode not in CACHE_MODES:
            raise UsageError(f"unknown cache mode {cache_mode!r}: use one of {', '.join(CACHE_MODES)}")
        self.name, self.base, self.settings, self.label = name, base.rstrip("/"), settings, label
        self.cache_mode = cache_mode
        self.cache = ResponseCache(Path(settings.cache) / "api")
        self.headers = {"User-Agent": user_agent(settings), "Accept": "application/json", **(headers or {})}
        # sent with every request, never part of the cache key (and never written to disk)
        self.extra_params = {**(secret_params or {}), **(contact_params or {})}
        self.key_hint = key_hint
        self.rules = rules or ApiRules()
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
                return self._attempt(url, path, left)
            except _Transient as exc:
                attempt += 1
                if attempt > s.http_retries:
                    raise self._gave_up(exc, path, f"gave up after {attempt} attempts") from None
                if exc.retry_after is None and exc.status in self.rules.later and self.rules.rate_wait:
                    delay = min(max(self.rules.rate_wait, backoff_delay(attempt, None, s)), s.http_backoff_max)
                else:
                    delay = retry_delay(attempt, exc.retry_after, s, f"{self.label}: {path}")
                if time.monotonic() - started + delay >= s.http_deadline:
                    raise self._gave_up(exc, path, f"no time left to retry within the {s.http_deadline:g} s "
                                                   "deadline, SYNTH_HTTP_DEADLINE") from None
                time.sleep(delay)

    def _gave_up(self, exc: _Transient, path: str, why: str) -> NetworkError:
        """The error for a request that stayed transient: the API's own meaning of its status, and its advice."""
        if exc.status is not None and exc.status in self.rules.meaning:
            said = f": {exc.text}" if exc.text else ""
            return NetworkError(f"{self.label} {self.rules.meaning[exc.status]} (HTTP {exc.status}{said}; {why})",
                                hint=self.rules.advice(exc.status))
        return NetworkError(f"{self.label}: {path}: {exc.reason} ({why})")

    def _attempt(self, url: str, path: str, deadline: float) -> Reply:
        s = self.settings
        try:
            reply = get(url, s, headers=self.headers, deadline=deadline)
        except UnreachableError as exc:
            raise UnreachableError(f"{self.label} ({host_of(self.base)})", exc.reason,
                                   hint="check the network; `synth search --offline` answers from the response "
                                        "cache") from None
        except TransientError as exc:
            raise _Transient(exc.reason, exc.retry_after) from None
        except NetworkError as exc:  # over the size cap, a refused redirect
            raise NetworkError(f"{self.label}: {path}: {exc.message}") from None
        status = reply.status
        if 200 <= status < 300:
            return Reply(status, self._decode(reply.body, path), fetched_at=utc_now())
        text = _error_text(reply.body)
        retry_after = parse_retry_after(_header(reply.headers, "Retry-After"))
        if status in self.rules.spent:
            if retry_after is not None and retry_after <= s.http_backoff_max:
                raise _Transient(f"HTTP {status}", retry_after, status, text)
            said = f": {text}" if text else ""
            raise NetworkError(f"{self.label} {self.rules.meaning.get(status, 'refused the request')} "
                               f"(HTTP {status}{said})", hint=self.rules.advice(status))
        if status in self.rules.later or status >= 500:
            raise _Transient(f"HTTP {status}", retry_after, status, text)
        if status == 404:
            return Reply(404, _json_or_none(reply.body), fetched_at=utc_now())
        said = f": {text}" if text else ""
        if status in (401, 403):
            meaning = self.rules.meaning.get(status, "refused the request")
            raise NetworkError(f"{self.label} {meaning} (HTTP {status}{said})",
                               hint=self.rules.advice(status) or self.key_hint)
        if status == 400:
            raise UsageError(f"{self.label} rejected the request for {path} (HTTP 400{said})")
        raise NetworkError(f"{self.label}: HTTP {status} for {path}{said}")

    def _decode(self, body: bytes, path: str) -> Any:
        if not body.lstrip()[:1] in (b"{", b"["):
            # an HTML error page from a gateway, an empty body: the next attempt may get the real reply
            raise _Transient(f"the reply for {path} is not JSON (it starts {body[:40]!r})")
        try:
            return loads(body, what=f"the reply for {path}")
        except JsonError as exc:
            raise NetworkError(f"{self.label}: {exc.message}") from None


def utc_now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _header(headers: dict[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def _json_or_none(body: bytes) -> Any:
    try:
        return loads(body, what="an error reply") if body else None
    except JsonError:
        return None


def _error_text(body: bytes) -> str:
    """The message an API put in its error body, on one short line. OpenAlex puts a title in `error` and the
    explanation in `message`; Semantic Scholar uses `message` or `error`: the explanation comes first."""
    data = _json_or_none(body[:64 * 1024])
    if isinstance(data, dict):
        for key in ("message", "error", "detail"):
            if isinstance(data.get(key), str) and data[key].strip():
                return " ".join(data[key].split())[:200]
    elif body and not body.lstrip().startswith((b"<", b"{", b"[")):
        text = body[:200].decode("utf-8", "replace")
        return " ".join(text.split())[:200]
    return ""
