"""Paper-level search: the library (offline, FTS5 over sentences), and the literature databases (arXiv,
Semantic Scholar, OpenAlex; Crossref for DOI metadata) with de-duplication, rank fusion, citation snowballing
and the study's search log (synth.papers.search_log)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from synth.core.errors import NetworkError, SynthError, UsageError
from synth.core.models import FlowCounts, Hit, PaperIds, PaperMeta, Record, SearchLog, SearchRun, SourceRun
from synth.papers.library import Library
from synth.papers.search_log import find_records, flow_counts, load_log, log_lock, next_search_id, save_log
from synth.papers.search_merge import fused_scores, merge, ranked
from synth.papers.search_sources import (
    CITATION_SOURCES, DEFAULT_SOURCES, RANKED_SOURCES, SOURCE_NAMES, counters, make_source, parse_since, rerank,
)
from synth.papers.sources.transport import UnreachableError
from synth.papers.sources.ids import parse_seed
from synth.papers.sources.webapi import CacheMode, utc_now

if TYPE_CHECKING:
    from synth.core.settings import Settings

Progress = Callable[..., None]


@dataclass(frozen=True)
class PaperHit:
    """A paper matching a query, with the best matching sentence as evidence of why."""

    meta: PaperMeta
    score: float
    sentence: str
    page: int


def search_library(library: Library, query: str, max_results: int = 10, per_paper: int = 3) -> list[PaperHit]:
    """Papers ranked by the summed BM25 score of their `per_paper` best sentences (newest version per id)."""
    newest = {}
    for meta in library.papers():
        if meta.id not in newest or meta.version > newest[meta.id].version:
            newest[meta.id] = meta
    if not newest:
        return []
    hits = library.search(query, papers=[m.key for m in newest.values()], limit=max(200, max_results * per_paper * 10))
    best: dict[str, list] = defaultdict(list)
    for h in hits:  # already sorted best first
        if len(best[h.paper_key]) < per_paper:
            best[h.paper_key].append(h)
    by_key = {m.key: m for m in newest.values()}
    ranked = sorted(best.items(), key=lambda kv: (-sum(h.score for h in kv[1]), kv[0]))
    return [PaperHit(by_key[key], sum(h.score for h in top), top[0].text, top[0].page)
            for key, top in ranked[:max_results]]


# ------------------------------------------------------------------------------------------ literature databases


@dataclass
class SearchOutcome:
    """One search (or citation search) as logged, with its records ranked by fusion over this search alone."""

    run: SearchRun
    records: list[Record]
    scores: dict[str, float]
    log_path: Path
    flow: FlowCounts

    @property
    def failed(self) -> list[SourceRun]:
        return [s for s in self.run.sources if s.status == "failed"]

    def to_dict(self) -> dict:
        return {"search": self.run.model_dump(mode="json"), "log": str(self.log_path),
                "flow": self.flow.model_dump(mode="json"),
                "records": [{"rank": i, "score": round(self.scores[r.key], 6), **_record_json(r, self.run.id)}
                            for i, r in enumerate(self.records, 1)]}


def _record_json(r: Record, search_id: str) -> dict:
    hits = [h for h in r.hits if h.search == search_id]
    return {"key": r.key, "title": r.title, "authors": r.authors, "year": r.year, "venue": r.venue,
            "ids": r.ids.model_dump(exclude_none=True), "screening": r.screening, "fetched": r.fetched,
            "sources": [{"source": h.source, "rank": h.rank, "ids": h.ids.model_dump(exclude_none=True),
                         **({"via": h.via} if h.via else {})} for h in hits]}


def _same_search(run: SearchRun, kind: str, query: str, sources: tuple[str, ...], since, max_results, depth,
                 limit) -> bool:
    return (run.kind, run.query, sorted(s.source for s in run.sources), run.since, run.max, run.depth,
            run.limit) == (kind, query, sorted(sources), since, max_results, depth, limit)


def _record_run(log: SearchLog, settings: "Settings", kind: str, query: str, sources: tuple[str, ...],
                hits: list[Hit], source_runs: list[SourceRun], run_id: str, enrich, *, since, max_results=None,
                depth=None, limit=None) -> SearchOutcome:
    """Merge the hits into the log (a re-run of the same search replaces its earlier hits), enrich, save.

    The merge is into the log as it is on disk when the search ends (under the log's lock), not the copy read when
    it started: screening marks and searches recorded meanwhile are kept."""
    path = settings.search_log_path
    with log_lock(path):
        fresh = load_log(path)
        new_id = _run_id(fresh, kind, query, sources, since=since, max_results=max_results, depth=depth,
                         limit=limit)
        outcome = _merge_run(fresh, settings, kind, query, sources, hits, source_runs, run_id, new_id, enrich,
                             since=since, max_results=max_results, depth=depth, limit=limit)
    return outcome


def _merge_run(log: SearchLog, settings: "Settings", kind: str, query: str, sources: tuple[str, ...],
               hits: list[Hit], source_runs: list[SourceRun], started_as: str, run_id: str, enrich, *, since,
               max_results, depth, limit) -> SearchOutcome:
    hits = [h.model_copy(update={"search": run_id}) for h in hits]
    stripped = [r.model_copy(update={"hits": [h for h in r.hits if h.search != run_id]}) for r in log.records]
    before = {r.key for r in stripped if r.hits or r.screening != "undecided" or r.fetched}
    merged = merge(stripped, hits)
    records = merged.records
    if enrich is not None:
        records = enrich(records, set(merged.hit_keys))
        if started_as != run_id:  # another search took the id this one started with: enrichment follows
            records = [r.model_copy(update={"hits": [h.model_copy(update={"search": run_id})
                                                     if h.search == started_as else h for h in r.hits]})
                       for r in records]
    # papers only an earlier run of this same search had found, and nobody screened, leave the log
    records = [r for r in records if r.hits or r.screening != "undecided" or r.fetched]
    scores_all = fused_scores(records)
    log.records = [r.model_copy(update={"score": round(scores_all.get(r.key, 0.0), 6)}) for r in records]
    run = SearchRun(id=run_id, kind=kind, query=query, date=utc_now(), since=since, max=max_results, depth=depth,
                    limit=limit, sources=source_runs, identified=sum(1 for h in hits if h.rank is not None),
                    unique=len(set(merged.hit_keys)), new=len(set(merged.hit_keys) - before))
    log.searches = [s for s in log.searches if s.id != run_id] + [run]
    log.searches.sort(key=lambda s: s.id)
    path = settings.search_log_path
    save_log(log, path)
    scores = fused_scores(log.records, {run_id})
    return SearchOutcome(run, ranked(log.records, scores), scores, path, flow_counts(log))


def _run_id(log: SearchLog, kind: str, query: str, sources: tuple[str, ...], **params) -> str:
    for run in log.searches:
        if _same_search(run, kind, query, sources, params.get("since"), params.get("max_results"),
                        params.get("depth"), params.get("limit")):
            return run.id
    return next_search_id(log)


def _enricher(settings: "Settings", cache_mode: CacheMode, source_runs: list[SourceRun], run_id: str, budget: int):
    """Crossref metadata for this search's records that have a DOI but lack venue, year or authors."""

    def enrich(records: list[Record], keys: set[str]) -> list[Record]:
        client = make_source("crossref", settings, cache_mode)
        todo = [r for r in records if r.key in keys and r.ids.doi and not (r.venue and r.year and r.authors)
                and not any(h.source == "crossref" for h in r.hits)][:budget]
        found, error = [], None
        for r in todo:
            try:
                hit = client.work(r.ids.doi)
            except SynthError as exc:
                error = str(exc)
                break
            if hit is not None:
                found.append(hit.model_copy(update={"search": run_id}))
        requests, cached = counters(client)
        source_runs.append(SourceRun(source="crossref", status="failed" if error else "ok", enriched=len(found),
                                     requests=requests, cached=cached, error=error))
        return merge(records, found).records if found else records

    return enrich


OFFLINE_HINT = "check the network, or re-run with --offline to answer from the response cache"


def _stop_unreachable(exc: UnreachableError) -> NetworkError:
    """One line for a search whose first service could not be reached: the network is down (or blocked), and
    asking the other services would only take longer to fail."""
    return NetworkError(f"{exc.message}; nothing was searched", hint=OFFLINE_HINT)


def search_literature(query: str, *, sources: tuple[str, ...] = DEFAULT_SOURCES, max_results: int = 25,
                      since: str | None = None, settings: "Settings | None" = None, cache_mode: CacheMode = "use",
                      progress: Progress | None = None) -> SearchOutcome:
    """Search every source, de-duplicate, fuse the rankings, and record the search in the study's search log.

    A source that fails is logged as failed (the others still count); but when the first service asked cannot
    be reached at all, the search stops at once (NetworkError naming --offline) instead of timing out on each.
    Re-running the same search replaces its earlier entry, so the flow counts never double."""
    from synth.core.settings import get_settings

    settings = settings or get_settings()
    query = " ".join(query.split())
    if not query:
        raise UsageError("empty search query")
    if max_results < 1:
        raise UsageError(f"--max must be at least 1 (got {max_results})")
    since = parse_since(since)
    advance = progress or (lambda n=1, description=None: None)
    log = load_log(settings.search_log_path)
    run_id = _run_id(log, "search", query, sources, since=since, max_results=max_results)
    hits: list[Hit] = []
    runs: list[SourceRun] = []
    reached = False  # has any service answered (anything) over the network in this run?
    for name in [s for s in sources if s in RANKED_SOURCES]:
        advance(0, description=f"searching {SOURCE_NAMES[name]}")
        client = make_source(name, settings, cache_mode)
        try:
            found, total = client.search(query, max_results, since)
            found = rerank(found, since)
            runs.append(SourceRun(source=name, status="ok", identified=len(found), total=total,
                                  requests=counters(client)[0], cached=counters(client)[1]))
            hits += found
            reached |= counters(client)[0] > 0
        except UnreachableError as exc:
            if not reached:
                raise _stop_unreachable(exc) from None
            runs.append(SourceRun(source=name, status="failed", error=str(exc), requests=counters(client)[0],
                                  cached=counters(client)[1]))
        except SynthError as exc:
            reached |= counters(client)[0] > 0
            runs.append(SourceRun(source=name, status="failed", error=str(exc), requests=counters(client)[0],
                                  cached=counters(client)[1]))
        advance(1)
    enrich = _enricher(settings, cache_mode, runs, run_id, max_results) if "crossref" in sources else None
    return _record_run(log, settings, "search", query, sources, hits, runs, run_id, enrich, since=since,
                       max_results=max_results)


def _seed_ids(log: SearchLog, seed: str) -> PaperIds:
    """A seed given as a record key or any id: the log's record (all its sources' ids) when it is there."""
    try:
        record = find_records(log, [seed])[0]
    except UsageError:
        return parse_seed(seed)
    ids = record.ids
    for h in record.hits:
        ids = ids.filled_from(h.ids)
    return ids


def snowball(seed: str, *, direction: str, depth: int = 1, limit: int = 50,
             sources: tuple[str, ...] = CITATION_SOURCES, since: str | None = None, settings: "Settings | None" = None,
             cache_mode: CacheMode = "use", progress: Progress | None = None) -> SearchOutcome:
    """Citation search: the references (`direction='references'`) or citations of a seed paper, `depth` levels
    deep, at most `limit` per paper and source, from Semantic Scholar and/or OpenAlex; logged like a search."""
    from synth.core.settings import get_settings

    settings = settings or get_settings()
    if direction not in ("references", "citations"):
        raise UsageError(f"direction must be references or citations (got {direction!r})")
    if depth < 1 or limit < 1:
        raise UsageError("--depth and --limit must be at least 1")
    usable = tuple(s for s in sources if s in CITATION_SOURCES)
    if not usable:
        raise UsageError(f"citation searches use {' or '.join(CITATION_SOURCES)}; --sources has neither")
    since = parse_since(since)
    advance = progress or (lambda n=1, description=None: None)
    log = load_log(settings.search_log_path)
    seed = seed.strip()
    run_id = _run_id(log, direction, seed, usable, since=since, depth=depth, limit=limit)
    clients = {name: make_source(name, settings, cache_mode) for name in usable}
    errors: dict[str, str] = {}
    found_by: dict[str, int] = {name: 0 for name in usable}
    hits: list[Hit] = []
    seen = set(_seed_ids(log, seed).keys())
    frontier = [(seed, _seed_ids(log, seed))]
    reached = False
    for level in range(1, depth + 1):
        next_frontier: dict[str, PaperIds] = {}
        for via, ids in frontier:
            for name, client in clients.items():
                if name in errors:
                    continue
                advance(0, description=f"{direction} of {via} ({SOURCE_NAMES[name]}, level {level})")
                before = counters(client)[0]
                try:
                    found = rerank(getattr(client, direction)(ids, limit, since), since)
                except UnreachableError as exc:
                    if not reached:
                        raise _stop_unreachable(exc) from None
                    errors[name] = str(exc)
                    continue
                except SynthError as exc:
                    reached |= counters(client)[0] > before
                    errors[name] = str(exc)
                    continue
                reached |= counters(client)[0] > before
                found_by[name] += len(found)
                hits += [h.model_copy(update={"via": via}) for h in found]
                for h in found:
                    keys = h.ids.keys()
                    if keys and not seen.intersection(keys):
                        next_frontier[keys[0]] = h.ids
                        seen.update(keys)
        frontier = list(next_frontier.items())
        advance(1)
    runs = [SourceRun(source=name, status="failed" if name in errors else "ok", identified=found_by[name],
                      requests=counters(c)[0], cached=counters(c)[1], error=errors.get(name))
            for name, c in clients.items()]
    return _record_run(log, settings, direction, seed, usable, hits, runs, run_id, None, since=since, depth=depth,
                       limit=limit)
