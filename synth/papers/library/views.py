"""Read-only summaries of library entries for the CLI (`synth library show`)."""

from __future__ import annotations

from collections import Counter

from synth.papers.library.store import Library


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
