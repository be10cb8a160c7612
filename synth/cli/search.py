"""CLI commands: search and screen (thin: parse args, call synth.papers.search / synth.papers.search_log, print)."""

from __future__ import annotations

from typing import List, Optional

import typer

from synth.cli import common

SOURCES_HELP = "Comma-separated: arxiv, s2 (Semantic Scholar), openalex; add crossref for DOI metadata."


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""

    @app.command("search")
    def search_command(
        query: Optional[List[str]] = typer.Argument(None, help="Search words (joined into one query)."),
        sources: Optional[str] = typer.Option(None, "--sources", callback=common.lower, help=SOURCES_HELP + " Default arxiv,s2,openalex; s2,openalex for citation searches."),
        max_results: int = typer.Option(25, "--max", min=1, help="Results per source."),
        since: Optional[str] = typer.Option(None, "--since", help="Only papers published since: 2019, 2019-06 or 2019-06-15."),
        references: Optional[str] = typer.Option(None, "--references", help="Citation search: the papers this one cites (arXiv id, DOI, S2 id, OpenAlex id or record key)."),
        citations: Optional[str] = typer.Option(None, "--citations", help="Citation search: the papers citing this one."),
        depth: int = typer.Option(1, "--depth", min=1, help="Citation search: levels to follow."),
        limit: int = typer.Option(50, "--limit", min=1, help="Citation search: at most this many per paper and source."),
        offline: bool = typer.Option(False, "--offline", help="Answer from the response cache only, no network."),
        refresh: bool = typer.Option(False, "--refresh", help="Ask the APIs again even where a cached reply exists."),
    ) -> None:
        """Search arXiv, Semantic Scholar and OpenAlex, de-duplicate, rank by fusion, and log it beside claims.yaml
        (exit 1 if a source failed; the others still count)."""
        from synth.core.errors import UsageError
        from synth.papers.search import search_literature, snowball
        from synth.papers.search_sources import CITATION_SOURCES, DEFAULT_SOURCES, parse_sources

        text = " ".join(query or []).strip()
        seeds = [(d, s) for d, s in (("references", references), ("citations", citations)) if s]
        if offline and refresh:
            raise UsageError("--offline and --refresh contradict each other")
        if len(seeds) + bool(text) != 1:
            raise UsageError("give either search words, or --references ID, or --citations ID (one of them)")
        mode = "offline" if offline else "refresh" if refresh else "use"
        with common.progress("searching") as advance:
            if seeds:
                direction, seed = seeds[0]
                chosen = parse_sources(sources) if sources else CITATION_SOURCES
                outcome = snowball(seed, direction=direction, depth=depth, limit=limit, sources=chosen, since=since,
                                   cache_mode=mode, progress=advance)
            else:
                outcome = search_literature(text, sources=parse_sources(sources or DEFAULT_SOURCES), max_results=max_results,
                                            since=since, cache_mode=mode, progress=advance)
        if common.state.json:
            common.emit_json(outcome.to_dict())
        else:
            _print_search(outcome)
        raise typer.Exit(1 if outcome.failed else 0)

    @app.command("screen")
    def screen_command(
        records: Optional[List[str]] = typer.Argument(None, help="Record keys (arxiv:2005.13013, doi:…) or ids."),
        include: bool = typer.Option(False, "--include", help="Mark the records as included."),
        exclude: bool = typer.Option(False, "--exclude", help="Mark the records as excluded."),
        undecided: bool = typer.Option(False, "--undecided", help="Clear the mark."),
        reason: Optional[str] = typer.Option(None, "--reason", help="Why (kept in the log and shown in the report)."),
        fetch: bool = typer.Option(False, "--fetch", help="Fetch every included record with an arXiv id into the library."),
    ) -> None:
        """Screen the search log's records: list them with their marks, mark include/exclude, fetch the included."""
        from synth.core.errors import UsageError
        from synth.core.settings import get_settings
        from synth.papers.search_log import flow_counts, load_log, screen, update_log

        settings = get_settings()
        marks = [m for m, on in (("include", include), ("exclude", exclude), ("undecided", undecided)) if on]
        if len(marks) > 1:
            raise UsageError("give one of --include, --exclude, --undecided")
        if (marks or reason is not None) and not records:
            raise UsageError("name the records to mark (see `synth screen` for their keys)")
        if records and not marks:
            raise UsageError("say what to do with them: --include, --exclude or --undecided")
        path = settings.search_log_path
        if not path.exists():
            raise UsageError(f"no search log at {path}", hint="run `synth search QUERY` first")
        if marks:
            mark = marks[0]
            # under the log's lock, on the log as it is now: a search or another `synth screen` meanwhile counts
            changed = update_log(path, lambda log: screen(log, records or [], mark, reason))  # type: ignore[arg-type]
            common.info(f"{len(changed)} record(s) marked {marks[0]}: {', '.join(changed)}")
        if fetch:
            from synth.papers.screening import fetch_included

            with common.progress("fetching included records") as advance:
                outcome = fetch_included(settings, progress=advance)
            if common.state.json:
                common.emit_json(outcome.to_dict())
            else:
                common.info(f"{len(outcome.fetched)} fetched, {len(outcome.present)} already in the library, "
                            f"{len(outcome.failed)} failed, {len(outcome.not_fetchable)} without an arXiv id")
                for key, why in outcome.failed.items():
                    common.fail(f"{key}: {why}")
            raise typer.Exit(1 if outcome.failed else 0)
        log = load_log(path)
        if common.state.json:
            common.emit_json({"log": str(path), "flow": flow_counts(log).model_dump(mode="json"),
                              "records": [r.model_dump(mode="json", exclude={"hits"}) for r in _by_score(log)]})
            return
        if not marks:
            _print_records(log)


def _by_score(log):
    return sorted(log.records, key=lambda r: (-r.score, r.key))


def _ids(ids) -> str:
    return " ".join(f"{k}" for k in ids.keys())


def _print_search(outcome) -> None:
    from rich.table import Table

    from synth.papers.search_sources import SOURCE_NAMES

    table = Table(show_edge=False, pad_edge=False)
    for column in ("#", "record", "year", "first author", "found by", "title", "ids"):
        table.add_column(column, overflow="fold")
    for i, r in enumerate(outcome.records, 1):
        found = " ".join(f"{h.source}#{h.rank}" for h in r.hits if h.search == outcome.run.id and h.rank)
        title = r.title if len(r.title) <= 70 else r.title[:69] + "…"
        table.add_row(str(i), r.key, str(r.year or ""), r.authors[0] if r.authors else "", found, title, _ids(r.ids))
    if not common.state.quiet:
        common.out.print(table)
    for s in outcome.run.sources:
        if s.status == "failed":
            name = SOURCE_NAMES[s.source]  # the client's errors usually name it already
            common.fail(s.error if (s.error or "").startswith(name) else f"{name}: {s.error}")
    per = ", ".join(f"{SOURCE_NAMES[s.source]} {s.identified}" + (f" (+{s.enriched} completed)" if s.enriched else "")
                    for s in outcome.run.sources if s.status == "ok") or "every source failed"
    cached = sum(s.cached for s in outcome.run.sources)
    common.info(f"search {outcome.run.id}: {outcome.run.identified} found ({per}) → {outcome.run.unique} distinct, "
                f"{outcome.run.new} new to the log; {cached} replies from the cache. Log: {outcome.log_path}")


def _print_records(log) -> None:
    from synth.papers.search_log import flow_counts

    # 80 columns: the record key may wrap (at its width, no other column does); notes hold the rest
    table = common.table(("record", 24), "screening", "year", ("title", None), ("notes", 22))
    for r in _by_score(log):
        title = r.title if len(r.title) <= 70 else r.title[:69] + "…"
        notes = "; ".join(filter(None, [",".join(sorted({h.source for h in r.hits})),
                                        f"fetched {r.fetched}" if r.fetched else "", r.reason or ""]))
        table.add_row(r.key, r.screening, str(r.year or ""), title, notes)
    common.out.print(table)
    f = flow_counts(log)
    common.info(f"{f.identified_total} identified → {f.records} after de-duplication → {f.excluded} excluded, "
                f"{f.undecided} undecided, {f.included} included → {f.fetched} fetched")
