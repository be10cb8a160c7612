"""Read and write the search log (`<claims stem>.search.yaml`) and derive the PRISMA-style flow from it.

The file is machine-written but the screening marks are the user's: `screening: include|exclude|undecided` and
`reason:` may be edited by hand (or with `synth screen`); every machine write keeps them. Other comments in the
file are not kept.
"""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator, TypeVar

from synth.core.errors import ConfigError, UsageError
from synth.core.files import write_text
from synth.core.models import FlowCounts, Record, Screening, SearchLog
from synth.core.yamlio import compact, fast_validated, load_yaml_validated, read_utf8

HEADER = """\
# synth search log: every search of this study, what each source returned, the de-duplicated records.
# Screening is yours: set `screening:` to include / exclude / undecided and give a `reason:` (by hand or with
# `synth screen`). Re-running a search never changes them; other comments in this file are not kept.
"""
_KEEP_EMPTY = frozenset({"screening"})  # shown even at their default, so that they can be edited


def load_log(path: Path) -> SearchLog:
    """The log at `path` (an empty log when the file does not exist); bad YAML/schema → ConfigError file:line.

    Read with the fast validated path first; anything it rejects is read again the careful way, for the
    file:line message."""
    path = Path(path)
    text = read_utf8(path) if path.exists() else ""
    if not text.strip():
        return SearchLog()
    return fast_validated(text, SearchLog) or load_yaml_validated(path, SearchLog)


def dump_log(log: SearchLog) -> str:
    import yaml

    data = compact(log.model_dump(mode="json", by_alias=True), keep=_KEEP_EMPTY, drop_false=False)
    data.setdefault("searches", [])
    data.setdefault("records", [])
    body = yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False,
                     allow_unicode=True, width=4096, default_flow_style=False)
    return HEADER + body


def save_log(log: SearchLog, path: Path) -> None:
    """Validate and write the log atomically."""
    SearchLog.model_validate(log.model_dump(mode="json", by_alias=True))
    write_text(Path(path), dump_log(log))


T = TypeVar("T")


@contextmanager
def log_lock(path: Path) -> Iterator[None]:
    """The lock claims.yaml writers take (synth.claims.concurrent): held while the log is re-read, changed and
    written, so that a `synth screen` and a `synth search` (or two `synth screen`) running at once both count."""
    from synth.core.files import folder_lock

    with folder_lock(Path(path), error=ConfigError):
        yield


def update_log(path: Path, change: Callable[[SearchLog], T]) -> T:
    """Apply `change` to the log as it is on disk now, under the lock, and write it; returns what `change` does.

    Commands that run for long (a search, fetching the included records) compute first and change the log only
    here, so a screening mark made meanwhile is kept instead of overwritten by the copy they read at the start."""
    with log_lock(path):
        log = load_log(path)
        result = change(log)
        save_log(log, path)
    return result


def next_search_id(log: SearchLog) -> str:
    numbers = [int(s.id[1:]) for s in log.searches if s.id[:1] == "s" and s.id[1:].isdigit()]
    return f"s{max(numbers, default=0) + 1:02d}"


def flow_counts(log: SearchLog) -> FlowCounts:
    """Identified (per source; citation searches apart) → duplicates removed → screened → included → fetched."""
    kinds = {s.id: s.kind for s in log.searches}
    per_source: Counter[str] = Counter()
    citations = 0
    for record in log.records:
        for hit in record.hits:
            if hit.rank is None:
                continue
            if kinds.get(hit.search, "search") == "search":
                per_source[hit.source] += 1
            else:
                citations += 1
    identified = sum(per_source.values()) + citations
    marks = Counter(r.screening for r in log.records)
    included = [r for r in log.records if r.screening == "include"]
    fetched = sum(1 for r in included if r.fetched)
    records = sum(1 for r in log.records if any(h.rank is not None for h in r.hits))
    return FlowCounts(searches=len(log.searches), identified=dict(sorted(per_source.items())),
                      identified_citations=citations, identified_total=identified, duplicates=identified - records,
                      records=records, excluded=marks["exclude"], undecided=marks["undecided"],
                      included=len(included), fetched=fetched, not_fetched=len(included) - fetched)


def find_records(log: SearchLog, keys: Iterable[str]) -> list[Record]:
    """Records by key, or by any identifier ('2005.13013', 'doi:10.…'); unknown ones → UsageError naming them."""
    from synth.papers.sources.ids import parse_seed

    by_key = {r.key: r for r in log.records}
    out, unknown = [], []
    for key in keys:
        record = by_key.get(key)
        if record is None:
            try:
                wanted = set(parse_seed(key).keys())
            except UsageError:
                wanted = set()
            record = next((r for r in log.records if wanted & {*r.ids.keys(), *(k for h in r.hits
                                                                                for k in h.ids.keys())}), None)
        if record is None:
            unknown.append(key)
        elif record not in out:
            out.append(record)
    if unknown:
        raise UsageError(f"not in the search log: {', '.join(unknown)}", hint="`synth screen` lists the records")
    return out


def screen(log: SearchLog, keys: Iterable[str], mark: Screening, reason: str | None = None) -> list[str]:
    """Set the screening mark (and reason) of records; returns their keys."""
    chosen = {r.key for r in find_records(log, keys)}
    log.records = [r.model_copy(update={"screening": mark, "reason": reason if reason is not None else r.reason})
                   if r.key in chosen else r for r in log.records]
    return sorted(chosen)
