"""CLI command: fetch (thin: parse args, call synth.papers.fetch.fetch, print the per-item summary)."""

from __future__ import annotations

from typing import List, Optional

import typer

from synth.cli import common


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""

    @app.command("fetch")
    def fetch_command(
        items: Optional[List[str]] = typer.Argument(
            None, help="arXiv ids (2005.13013, 2005.13013v2, hep-th/9901001), arXiv URLs (/abs/, /pdf/), PDF paths."
        ),
        query: Optional[str] = typer.Option(None, "--query", help="Also fetch the top hits of an arXiv search."),
        max_results: int = typer.Option(10, "--max", min=1, help="How many search hits --query fetches."),
        offline: bool = typer.Option(
            False, "--offline", help="Use only the library, no network (--query then searches the library)."
        ),
        as_id: Optional[str] = typer.Option(
            None, "--as", help="File the one local PDF given under this arXiv id and version (2005.13013v1)."
        ),
    ) -> None:
        """Fetch papers at a pinned version into the library and parse them (idempotent; exit 1 if any failed)."""
        from synth.papers.fetch import exit_code, fetch

        try:
            with common.progress("fetching") as advance:
                results = fetch(list(items or []), query=query, max_results=max_results, offline=offline,
                                progress=advance, as_id=as_id)
        except KeyboardInterrupt as exc:
            done = getattr(exc, "fetch_results", None)
            if done is not None:  # what finished is in the library: list it before stopping
                if common.state.json:
                    common.emit_json([r.to_dict() for r in done])
                else:
                    _print_table(done)
            raise
        if common.state.json:
            common.emit_json([r.to_dict() for r in results])
        else:
            _print_table(results)
        raise typer.Exit(exit_code(results))


def _print_table(results) -> None:
    from synth.papers.fetch import summarize

    table = common.table(("item", 24), "status", "paper", ("note", None), ("title", 30))
    style = {"fetched": "green", "present": "cyan", "failed": "red"}
    for r in results:
        title = r.title if len(r.title) <= 60 else r.title[:59] + "…"
        table.add_row(r.item, common.styled(r.status, style.get(r.status, "")), r.paper or "-", r.message, title)
    if not common.state.quiet:
        common.out.print(table)
    for r in results:  # parse warnings (a page without text, no References) and a fetch-time embedding that failed
        for warning in r.warnings:
            common.warn(f"{r.paper or r.item}: {warning}")
    counts = summarize(results)
    line = f"{counts['fetched']} fetched, {counts['present']} already present, {counts['failed']} failed"
    if counts["failed"]:
        common.fail(line)
    else:
        common.info(line)
