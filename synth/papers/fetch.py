"""`synth fetch` orchestration: any mix of arXiv ids, arXiv URLs, local PDFs and an arXiv search → the library.

One bad item never aborts the others: every item gets a FetchResult (fetched / present / failed + reason).
arXiv metadata for all ids is fetched in one batched API request; PDFs are downloaded into
<library>/.downloads (resumable) and added to the library atomically.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Literal

from synth.core.errors import LibraryError, NetworkError, NotFoundError, SynthError, UsageError
from synth.papers.library import Library
from synth.core.models import PaperMeta
from synth.papers.sources.arxiv import ArxivRecord, Item, parse_identifier

if TYPE_CHECKING:
    from synth.core.settings import Settings

Status = Literal["fetched", "present", "failed"]
Progress = Callable[..., None]  # advance(n=1, description=None), as yielded by synth.cli.common.progress


@dataclass
class FetchResult:
    """The outcome for one requested item (or one search hit)."""

    item: str
    status: Status
    paper: str | None = None  # library key, <id>v<N>
    title: str = ""
    message: str = ""
    error: str | None = None  # error class name when failed
    exit_code: int = 0  # the error's exit code (2 for usage/input errors) when failed
    latest_version: int | None = None
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def _failed(item: str, exc: SynthError) -> FetchResult:
    return FetchResult(item, "failed", message=str(exc), error=type(exc).__name__, exit_code=exc.exit_code)


def _present(item: str, meta: PaperMeta, note: str = "already in library") -> FetchResult:
    return FetchResult(item, "present", meta.key, meta.title, note, latest_version=meta.latest_version)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class _Job:
    """One item still to do after resolution: a local file or an arXiv record to download."""

    slot: int  # index of its FetchResult
    item: Item | None = None
    record: ArxivRecord | None = None
    requested: str = ""  # what the user typed (or "--query Q #rank")


def exit_code(results: list[FetchResult]) -> int:
    """0 all good; 2 when every item failed with a usage/input error; 1 when anything else failed."""
    failed = [r for r in results if r.status == "failed"]
    if not failed:
        return 0
    if len(failed) == len(results) and all(r.exit_code == 2 for r in failed):
        return 2
    return 1


def fetch(
    items: list[str],
    *,
    query: str | None = None,
    max_results: int = 10,
    offline: bool = False,
    settings: "Settings | None" = None,
    library: Library | None = None,
    progress: Progress | None = None,
    as_id: str | None = None,
) -> list[FetchResult]:
    """Fetch every item into the library; returns one FetchResult per item (then one per search hit).
    `as_id` ('2005.13013v1') files the one local PDF given under that arXiv id and version."""
    from synth.core.settings import get_settings

    settings = settings or get_settings()
    library = library or Library.open(settings)
    advance = progress or (lambda n=1, description=None: None)
    if not items and query is None:
        raise UsageError("nothing to fetch: give arXiv ids, URLs, PDF paths or --query")
    if as_id is not None and (len(items) != 1 or query is not None):
        raise UsageError("--as names one local PDF: give exactly one PDF path (and no --query)")

    results: list[FetchResult | None] = [None] * len(items)
    jobs, to_lookup = _classify(items, library, offline, results, as_id)
    client = None
    if to_lookup or (query is not None and not offline):
        from synth.papers.sources.arxiv import ArxivClient

        client = ArxivClient(settings)
    if to_lookup:
        advance(0, description=f"arXiv metadata for {len(to_lookup)} id(s)")
        jobs += _lookup(client, library, to_lookup, results)
    if query is not None and offline:
        results += _search_offline(library, query, max_results)
    elif query is not None:
        advance(0, description=f"arXiv search: {query}")
        jobs += _search(client, query, max_results, results)

    for job in jobs:
        advance(0, description=f"fetching {job.requested}")
        try:
            if job.item is not None:
                results[job.slot] = _add_local(library, job.item, settings, as_id)
            else:
                results[job.slot] = _add_arxiv(library, client, job.record, job.requested, settings, advance)
        except SynthError as exc:
            results[job.slot] = _failed(job.requested, exc)
        except KeyboardInterrupt as exc:  # Ctrl-C / SIGTERM: say what finished before stopping
            exc.fetch_results = _interrupted(items, results)  # type: ignore[attr-defined]
            raise
        advance(1)
    return [r for r in results if r is not None]


def _interrupted(items: list[str], results: list) -> list[FetchResult]:
    """Results so far, with every item not done marked failed ('interrupted')."""
    out = []
    for slot, r in enumerate(results):
        if r is None:
            r = FetchResult(items[slot] if slot < len(items) else f"search hit {slot - len(items) + 1}", "failed",
                            message="interrupted before it finished", error="Interrupted", exit_code=1)
        out.append(r)
    return out


def _classify(items: list[str], library: Library, offline: bool, results: list,
              as_id: str | None = None) -> tuple[list[_Job], list]:
    """Parse every item (no network): invalid ones and library hits are answered at once in `results`;
    returns local-file jobs and the arXiv items whose metadata must be looked up."""
    jobs: list[_Job] = []
    to_lookup: list[tuple[int, Item]] = []
    for slot, text in enumerate(items):
        try:
            item = parse_identifier(text)
        except SynthError as exc:
            results[slot] = _failed(text, exc)
            continue
        if item.kind == "local":
            jobs.append(_Job(slot, item=item, requested=text))
        elif as_id is not None:
            results[slot] = _failed(text, UsageError(f"--as files a local PDF; {text!r} is not a PDF path"))
        elif item.kind == "library" or offline:
            results[slot] = _from_library(library, item, offline)
        elif item.ref.version is not None and library.has(item.ref):
            results[slot] = _present(text, library.get(item.ref))  # pinned and present: no network at all
        else:
            to_lookup.append((slot, item))
    return jobs, to_lookup


def _lookup(client, library: Library, to_lookup: list[tuple[int, Item]], results: list) -> list[_Job]:
    """One batched metadata request for every arXiv item; failures go into `results`, the rest become jobs."""
    try:
        found = client.lookup([item.ref for _, item in to_lookup])
    except SynthError as exc:
        found = {str(item.ref): exc for _, item in to_lookup}
    jobs = []
    for slot, item in to_lookup:
        rec = found[str(item.ref)]
        if isinstance(rec, NetworkError) and library.has(item.ref):
            key = library.get(item.ref).key
            results[slot] = _failed(item.requested, NetworkError(f"{rec} ({key} is in the library: use --offline)"))
        elif isinstance(rec, SynthError):
            results[slot] = _failed(item.requested, rec)
        else:
            jobs.append(_Job(slot, record=rec, requested=item.requested))
    return jobs


def _search(client, query: str, max_results: int, results: list) -> list[_Job]:
    """arXiv search; each hit gets a slot appended to `results` and becomes a job."""
    label = f"--query {query}"
    try:
        hits = client.search(query, max_results)
    except SynthError as exc:
        results.append(_failed(label, exc))
        return []
    if not hits:
        results.append(_failed(label, NotFoundError("arXiv search found nothing")))
    jobs = []
    for rank, rec in enumerate(hits, 1):
        results.append(None)  # filled when the job runs
        jobs.append(_Job(len(results) - 1, record=rec, requested=f"{label} #{rank}"))
    return jobs


def _search_offline(library: Library, query: str, max_results: int) -> list[FetchResult]:
    """--offline --query: the library's own papers that best match the query (full-text search)."""
    from synth.papers.search import search_library

    label = f"--query {query}"
    hits = search_library(library, query, max_results)
    if not hits:
        return [_failed(label, NotFoundError("no paper in the library matches (--offline searches only the library)"))]
    return [_present(f"{label} #{rank}", hit.meta, f"in library (p. {hit.page}: {hit.sentence[:60]}...)")
            for rank, hit in enumerate(hits, 1)]


def _from_library(library: Library, item: Item, offline: bool) -> FetchResult:
    try:
        meta = library.get(item.ref)
    except LibraryError:
        why = " (--offline uses only the library)" if offline else " (local papers are added by their PDF path)"
        return _failed(item.requested, NotFoundError(f"paper {item.ref} is not in the library{why}"))
    return _present(item.requested, meta)


def _add_local(library: Library, item: Item, settings: "Settings", as_id: str | None = None) -> FetchResult:
    """A local PDF: filed under the arXiv id and version page 1 names (or --as), else as local-<sha12>."""
    from synth.papers.sources.local import (filed_meta, first_page_text, identify_pdf, identity_as, local_meta,
                                            read_front, year_on_page)

    meta = local_meta(item.path, settings, requested=item.requested)
    first = first_page_text(item.path)
    identity = identity_as(as_id, first) if as_id is not None else identify_pdf(first)
    same_file = [m for m in library.papers() if m.sha256 == meta.sha256]
    front = read_front(item.path)
    if identity.ref is None and not identity.doubt and front is not None and not same_file:
        from synth.papers.library.cited import identity_from_references
        from synth.papers.sources.local import PdfIdentity

        ref, how = identity_from_references(library, front.title)  # a library paper cites it by title
        identity = PdfIdentity(ref, evidence=how) if ref is not None else PdfIdentity(None, doubt=how)
    filed = filed_meta(meta, identity)
    if library.has(filed.ref):
        stored = library.get(filed.ref)
        if stored.sha256 == meta.sha256:
            return _present(item.requested, stored)
        # the same paper version from another file (arXiv's own copy, another download): kept as it is
        return _present(item.requested, stored, f"{filed.key} ({identity.evidence}) is already in the library from "
                        f"another file (sha256 {stored.sha256[:12]}…); this file was not added")
    if identity.ref is None and same_file:  # the same bytes, already filed (under an arXiv id or as local-…)
        return _present(item.requested, same_file[0])
    if front is not None:  # title and authors from page 1's layout: the PDF's document information is often
        # empty, a file name ("Microsoft Word - draft.docx") or cut; the printed title is what a reader cites
        title = front.title if len(front.title.split()) >= 3 else (filed.title or front.title)
        filed = filed.model_copy(update={"title": title, "authors": filed.authors or front.authors})
    if filed.published is None and (year := year_on_page(first)):
        filed = filed.model_copy(update={"published": year})  # a reference list needs the year
    stored = library.add_pdf(item.path, filed)
    note = f"added {stored.n_pages} pages"
    if identity.ref is not None:
        note += f"; filed as {stored.key} ({identity.evidence})"
    warnings = list(stored.warnings)
    if identity.doubt:
        warnings.append(identity.doubt)
    if identity.ref is not None and same_file:
        warnings.append(f"the same file is also in the library as {same_file[0].key}")
    return FetchResult(item.requested, "fetched", stored.key, stored.title, note, warnings=warnings)


def _add_arxiv(library: Library, client, record: ArxivRecord, requested: str, settings: "Settings",
               advance: Progress) -> FetchResult:
    from synth.papers.sources.http import MiB, download, format_size

    ref = record.ref
    note = "" if record.latest_version in (None, record.version) else f" (latest is v{record.latest_version})"
    if library.has(ref):
        return _present(requested, library.get(ref), "already in library" + note)
    url = client.pdf_url(ref)
    # per-process file name: two fetches of one paper never share (or delete) each other's download; the
    # shared resume key lets a later run continue what a killed one left
    dest = library.root / ".downloads" / f"{ref.folder}.{os.getpid()}.pdf"

    def show(received: int, total: int | None) -> None:
        size = f"{received / MiB:.1f}" + (f"/{total / MiB:.1f}" if total else "")
        advance(0, description=f"downloading {ref.key} ({size} MiB)")

    got = download(url, dest, settings, on_progress=show, resume_key=f"{ref.folder}.pdf")
    advance(0, description=f"parsing {ref.key}")
    meta = PaperMeta(
        id=record.id, version=record.version, source="arxiv", title=record.title, authors=record.authors,
        abstract=record.abstract, published=record.published, updated=record.updated,
        categories=record.categories, latest_version=record.latest_version, requested=requested, pdf_url=url,
        sha256=got.sha256, size_bytes=got.size, fetched_at=_now(),
    )
    try:
        stored = library.add_pdf(got.path, meta)
    finally:
        got.path.unlink(missing_ok=True)  # a bad PDF is not kept; a good one now lives in the library
    return FetchResult(requested, "fetched", stored.key, stored.title,
                       f"downloaded {format_size(got.size)}, {stored.n_pages} pages" + note,
                       latest_version=stored.latest_version, warnings=stored.warnings)


def summarize(results: list[FetchResult]) -> dict[str, int]:
    """Counts per status, for the CLI's summary line."""
    counts = {"fetched": 0, "present": 0, "failed": 0}
    for r in results:
        counts[r.status] += 1
    return counts


__all__ = ["FetchResult", "exit_code", "fetch", "summarize"]
