"""CLI commands: library ls / show / tables / search / reindex (thin: parse args, call synth.papers.library, print)."""

from __future__ import annotations

import typer

from synth.cli import common

library_app = typer.Typer(help="Inspect the paper library (papers/<id>v<N>/ + synth.sqlite).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.add_typer(library_app, name="library")


def _library():
    from synth.papers.library import Library

    return Library.open()


@library_app.command("ls")
def ls_command() -> None:
    """List every paper version in the library (id, version, pages, sentences, title)."""
    papers = _library().papers()
    if common.state.json:
        common.emit_json([m.model_dump(mode="json") for m in papers])
        return
    if not papers:
        common.info("the library is empty (run: synth fetch ID)")
        return
    # id and version in columns of their own: "local-18226a9b629a v1", never "local-18226a9b629av1"
    table = common.table("paper", "version", "latest", "pages", "sent.", "tables", ("title", None))
    for m in papers:
        latest = "" if m.latest_version is None else f"v{m.latest_version}"
        table.add_row(m.id, f"v{m.version}", latest, str(m.n_pages), str(m.n_sentences), str(m.n_tables), m.title)
    common.out.print(table)


@library_app.command("show")
def show_command(paper: str = typer.Argument(..., help="2005.13013 (newest version present) or 2005.13013v1.")) -> None:
    """Show one paper: metadata, sections, counts."""
    from synth.papers.library.views import describe

    info = describe(_library(), paper)
    if common.state.json:
        common.emit_json(info)
        return
    meta = info["meta"]
    lines = [f"{meta['id']} v{meta['version']}  {meta['title']}"]  # id and version apart, as in `library ls`
    if meta["authors"]:
        lines.append("authors:   " + ", ".join(meta["authors"]))
    versions = ", ".join(f"v{v}" for v in info["versions_present"])
    latest = f" (arXiv latest: v{meta['latest_version']})" if meta.get("latest_version") else ""
    lines.append(f"versions:  {versions} in library{latest}")
    lines.append(f"source:    {meta['source']}  {meta.get('pdf_url') or meta.get('local_path') or ''}")
    lines.append(f"sha256:    {meta['sha256']}  ({meta['size_bytes']} bytes)")
    lines.append(f"parser:    {meta['parser']}")
    counts = info["counts"]
    lines.append("counts:    " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    for w in meta["warnings"]:
        lines.append(f"warning:   {w}")
    lines.append("sections:")
    for s in info["sections"]:
        indent = "  " * s["level"]
        lines.append(f"{indent}{' '.join(filter(None, [s['number'], s['title']]))}  (p. {s['page']}, {s['kind']})")
    common.out.print(common.styled(lines[0], "bold"))
    common.out.print("\n".join(lines[1:]))  # data printed literally (SafeConsole): no markup, no escape codes


@library_app.command("tables")
def tables_command(paper: str = typer.Argument(..., help="2005.13013 (newest version present) or 2005.13013v1.")) -> None:
    """Show a paper's tables cell by cell: label, page, caption, header paths, row groups and values."""
    from synth.papers.library.views import list_tables, table_lines

    listing = list_tables(_library(), paper)
    if common.state.json:
        common.emit_json(listing.model_dump(mode="json"))
        return
    if not listing.tables:
        common.info(f"{listing.paper}v{listing.version}: no tables found")
        return
    for view in listing.tables:
        common.out.print("\n".join(table_lines(view)) + "\n")


@library_app.command("search")
def search_command(
    query: str = typer.Argument(..., help="Free text; every word is searched (BM25 ranking)."),
    paper: list[str] = typer.Option([], "--paper", help="Restrict to this paper id or id+version (repeatable)."),
    limit: int = typer.Option(10, "--limit", min=1, help="Maximum number of sentences."),
) -> None:
    """Full-text search over the sentences of every paper (page, section and offsets of each hit)."""
    library = _library()
    hits = library.search(query, papers=paper or None, limit=limit)
    for key, why in sorted(library.damaged.items()):
        common.warn(f"{key} is not searched: {why}")
    if common.state.json:
        common.emit_json([h.to_dict() for h in hits])
        return
    if not hits:
        common.info("no matching sentence")
    for h in hits:
        where = " > ".join(h.section) or "-"
        common.out.print(common.styled(h.paper_key, "bold"), f"p.{h.page} [{where}] ({h.score:.2f})\n  {h.text}")


@library_app.command("reindex")
def reindex_command() -> None:
    """Rebuild synth.sqlite from the paper folders (the folders are the source of truth)."""
    library = _library()
    n = library.reindex()
    if common.state.json:
        common.emit_json({"indexed": n, "damaged": library.damaged})
    else:
        common.info(f"indexed {n} paper version(s)")
    for key, why in sorted(library.damaged.items()):
        common.fail(f"{key} not indexed: {why}")
    if library.damaged:
        raise typer.Exit(1)


@library_app.command("rm")
def rm_command(
    paper: str = typer.Argument(..., help="2005.13013v1 (one version) or 2005.13013 (every version)."),
) -> None:
    """Remove a paper version (or every version of a bare id) from the library."""
    library = _library()
    library.remove(paper)
    common.info(f"removed {paper}")
