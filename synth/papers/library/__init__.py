"""The paper library: parsed papers in folders (the source of truth) plus a SQLite/FTS5 index for search."""

from __future__ import annotations

from synth.papers.library.index import SearchHit
from synth.papers.library.store import FILES, Library

__all__ = ["FILES", "Library", "SearchHit"]
