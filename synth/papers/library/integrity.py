"""Keeping the library usable when its storage is damaged or restricted.

- The index (synth.sqlite) is derived from the paper folders. A corrupt or foreign file, a dropped FTS table or
  rows that disagree with the folders are detected; `reindex` rebuilds from the folders whatever the file holds.
- A read-only library (a shared folder, a read-only mount) is opened read-only; when its index is missing or out of
  date, an in-memory index is built from the folders, so search and verify still work.
- A full disk, or a folder that cannot be written, is one StorageError line, not a traceback.
- Damaged JSONL files of one paper name the file and line.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from synth.core.errors import LibraryError, StorageError
from synth.core.jsonio import JsonError, loads

M = TypeVar("M", bound=BaseModel)
REINDEX_HINT = "rebuild it from the paper folders: synth library reindex"
_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def writable(folder: Path) -> bool:
    """True when files can be created in `folder` (or in its nearest existing parent)."""
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return os.access(probe, os.W_OK)


def damaged_index(db_path: Path, exc: Exception) -> LibraryError:
    return LibraryError(f"the library index {db_path} is damaged ({str(exc).splitlines()[0]}); {REINDEX_HINT}")


def storage_error(exc: Exception, where: Path) -> StorageError | None:
    """The StorageError for a full disk or an unwritable place, else None (not a storage problem)."""
    if isinstance(exc, OSError):
        if exc.errno in _FULL:
            return StorageError(f"no space left on the disk of {where}; nothing half-written was kept "
                                "(free some space and run again)")
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return StorageError(f"cannot write in {where}: {exc.strerror} (a read-only library can be searched "
                                "and verified against, not added to)")
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        if "disk is full" in text or "disk i/o error" in text:
            return StorageError(f"no space left for the library index in {where} (free some space and run again)")
        if "readonly" in text or "read-only" in text:
            return StorageError(f"the library index in {where} is read-only")
    return None


@contextmanager
def storage_errors(where: Path) -> Iterator[None]:
    """Turn a full disk or an unwritable folder inside the block into one StorageError line."""
    try:
        yield
    except (OSError, sqlite3.OperationalError) as exc:
        mapped = storage_error(exc, where)
        if mapped is None:
            raise
        raise mapped from None


def remove_index(db_path: Path) -> None:
    """Delete the index and its WAL files (a stale -wal must never be replayed into a new database)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            Path(f"{db_path}{suffix}").unlink()
        except FileNotFoundError:
            pass
        except IsADirectoryError:
            raise LibraryError(f"{db_path}{suffix} is a folder, not the library index; move it away") from None


def open_read_only(db_path: Path) -> sqlite3.Connection | None:
    """The existing index opened read-only (no WAL or lock files are created), or None if it cannot be used."""
    if not db_path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro&immutable=1", uri=True, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("SELECT key FROM papers LIMIT 1").fetchall()
        conn.execute("SELECT rowid FROM sentences_fts LIMIT 1").fetchall()
        return conn
    except sqlite3.DatabaseError:
        return None


def read_rows(path: Path, model: type[M]) -> Iterator[M]:
    """Stream a library JSONL file as `model`s; a damaged line is a LibraryError naming file:line."""
    try:
        fh = open(path, encoding="utf-8")
    except FileNotFoundError:
        raise LibraryError(f"{path}: missing from the library entry; re-fetch the paper "
                           f"(synth library rm {path.parent.name}, then synth fetch)") from None
    with fh:
        line_no = 0
        try:
            for line_no, line in enumerate(fh, 1):
                if line.strip():
                    yield model.model_validate(loads(line, what="line"))
        except (ValueError, ValidationError, JsonError) as exc:  # UnicodeDecodeError is a ValueError
            why = (exc.message if isinstance(exc, JsonError) else str(exc)).splitlines()[0][:120]
            raise LibraryError(f"{path}:{line_no}: damaged library file ({why}); re-fetch the paper "
                               f"(synth library rm {path.parent.name}, then synth fetch)") from None


def index_counts_problem(conn: sqlite3.Connection) -> str | None:
    """What is wrong with the index rows (sentences missing, full-text index empty or stale), or None."""
    expected = conn.execute("SELECT COALESCE(SUM(n_sentences), 0) FROM papers").fetchone()[0]
    have = conn.execute("SELECT COUNT(*) FROM sentences").fetchone()[0]
    if have != expected:
        return f"{have} sentences indexed, the papers list {expected}"
    try:
        fts = conn.execute("SELECT COUNT(*) FROM sentences_fts_docsize").fetchone()[0]
    except sqlite3.OperationalError:
        return "the full-text index is missing"
    if fts != have:
        return f"the full-text index holds {fts} of {have} sentences"
    return None
