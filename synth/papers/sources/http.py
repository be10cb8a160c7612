"""Downloads to files over synth.papers.sources.transport: retries with exponential backoff on 429/5xx/connection
errors (Retry-After honoured up to settings.http_backoff_max, refused with a message beyond it), size caps,
truncation detection, resume of partial downloads (HTTP Range, checked against Content-Range and the PDF's own
cross-reference offset, restarted from zero when the server's 206 does not continue our file) from per-process
`.part` files, sha256, and an atomic rename into place so a kill never leaves a half file under the final name.
A full disk removes the partial file and says so; an unreachable host keeps it for a later resume.
"""

from __future__ import annotations

import errno
import hashlib
import http.client
import os
import re
import socket
import time
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from synth.core.errors import NetworkError, NotFoundError, PDFError, StorageError
from synth.core.files import pid_alive
from synth.papers.sources.transport import (  # noqa: F401 (get, MiB, format_size: this module's public names too)
    CHUNK, MiB, TransientError, UnreachableError, Watchdog, deadline_reason, format_size, get, open_url,
    parse_retry_after, retry_delay, user_agent,
)

if TYPE_CHECKING:
    from synth.core.settings import Settings


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
    with Watchdog(settings.http_deadline) as watchdog:
        try:
            response = open_url(url, headers, settings, watchdog)
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
                    while block := response.read1(CHUNK):
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
                    raise _Retry(deadline_reason(watchdog.seconds, received)) from None
                raise _Retry(f"connection error while reading ({type(exc).__name__}, got {received} bytes)") from None
            except OSError as exc:
                if exc.errno in _NO_SPACE:
                    part.unlink(missing_ok=True)
                    raise _storage_error(exc, part.parent) from None
                if watchdog.expired:
                    raise _Retry(deadline_reason(watchdog.seconds, received)) from None
                raise _Retry(f"connection error while reading ({type(exc).__name__}, got {received} bytes)") from None
        if watchdog.expired:
            raise _Retry(deadline_reason(watchdog.seconds, received))
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
