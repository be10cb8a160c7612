"""Read-only summaries of library entries for the CLI (`synth library show`)."""

from __future__ import annotations

from collections import Counter

from pydantic import Field

from synth.core.models import TableCell
from synth.core.models.base import Strict
from synth.papers.library.store import Library


class TableView(Strict):
    """One table as `synth library tables` shows it: label, page, caption and its cells."""

    label: str | None
    page: int
    caption: str
    cells: list[TableCell]
    unstructured: str | None = Field(None, description="why the reader could not lay the table out in cells")


def describe(library: Library, ref: str) -> dict:
    """Meta, versions present, sections and counts of one paper version, as plain JSON-able data."""
    meta = library.get(ref)
    kinds = Counter(s.kind for s in library.iter_sentences(meta))
    return {
        "meta": meta.model_dump(mode="json"),
        "versions_present": [m.version for m in library.versions(meta.id)],
        "folder": str(library.paper_dir(meta)),
        "sections": [s.model_dump(mode="json") for s in library.sections(meta)],
        "counts": {
            "pages": meta.n_pages,
            "sentences": meta.n_sentences,
            "tables": meta.n_tables,
            **{f"{kind} sentences": n for kind, n in sorted(kinds.items())},
        },
    }


class TableListing(Strict):
    """`synth library tables PAPER --json`: the shape other tools read tables in."""

    paper: str
    version: int
    tables: list[TableView]


def list_tables(library: Library, ref: str) -> TableListing:
    """The structured tables of one paper version; a table the reader could not lay out keeps its reason."""
    meta = library.get(ref)
    views = []
    for t in library.tables(meta):
        reason = None if t.cells else ("; ".join(t.uncertain) or "no cells were read")
        views.append(TableView(label=t.label, page=t.page, caption=t.caption, cells=t.cells, unstructured=reason))
    return TableListing(paper=meta.id, version=meta.version, tables=views)


def table_lines(view: TableView, width: int = 80) -> list[str]:
    """A table as readable text within `width` columns: caption, numbered header paths, then each row's label
    (under its group) and its cells by column number."""
    import textwrap

    head = f"{view.label or 'Table'} (p. {view.page})" + (f": {view.caption}" if view.caption else "")
    lines = textwrap.wrap(head, width) or [head]
    if view.unstructured:
        return lines + [f"  not structured: {view.unstructured}"]
    columns: dict[int, str] = {}
    for c in view.cells:
        columns.setdefault(c.column_index or 0, " › ".join(c.column) or "(unnamed)")
    listing = "   ".join(f"[{k + 1}] {name}" for k, name in sorted(columns.items()))
    lines += textwrap.wrap(listing, width, initial_indent="  columns: ", subsequent_indent="           ")
    group = None
    rows: dict[int, list[TableCell]] = {}
    for c in view.cells:
        rows.setdefault(c.row_index or 0, []).append(c)
    for cells in rows.values():
        if cells[0].row_group != group:
            group = cells[0].row_group
            if group:
                lines.append(f"  {group}:")
        indent = "    " if group else "  "
        values = "  ".join(f"[{(c.column_index or 0) + 1}] {c.text or '·'}" for c in cells)
        lines += textwrap.wrap(f"{cells[0].row or '(no label)'} — {values}", width, initial_indent=indent,
                               subsequent_indent=indent + "  ")
    return lines
