"""The paper library: parsed papers in folders (the source of truth) plus a SQLite/FTS5 index for search."""

from __future__ import annotations

from .index import SearchHit
from .store import FILES, Library

__all__ = ["FILES", "Library", "SearchHit"]
