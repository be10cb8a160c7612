"""The SQLite index of the library: papers, sections, sentences, tables and an FTS5 (BM25) index over sentences.

The folders under papers/ are the source of truth; this database is derived from them and can be rebuilt at any
time (`Library.reindex`). stdlib sqlite3 only, WAL mode so readers never block the single writer.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable

from synth.core.models import PaperMeta, Section, Sentence, TableBlock

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS info (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS papers (
    key TEXT PRIMARY KEY, id TEXT NOT NULL, version INTEGER NOT NULL, source TEXT NOT NULL,
    title TEXT NOT NULL, authors TEXT NOT NULL, published TEXT, sha256 TEXT NOT NULL,
    n_pages INTEGER NOT NULL, n_sentences INTEGER NOT NULL, n_tables INTEGER NOT NULL, meta TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS papers_id ON papers(id);
CREATE TABLE IF NOT EXISTS sections (
    paper_key TEXT NOT NULL REFERENCES papers(key) ON DELETE CASCADE, idx INTEGER NOT NULL,
    number TEXT, title TEXT NOT NULL, level INTEGER NOT NULL, page INTEGER NOT NULL, start INTEGER NOT NULL,
    path TEXT NOT NULL, kind TEXT NOT NULL, PRIMARY KEY (paper_key, idx)
);
CREATE TABLE IF NOT EXISTS sentences (
    rowid INTEGER PRIMARY KEY, paper_key TEXT NOT NULL REFERENCES papers(key) ON DELETE CASCADE,
    paper_id TEXT NOT NULL, version INTEGER NOT NULL, idx INTEGER NOT NULL, page INTEGER NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, section TEXT NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS sentences_key ON sentences(paper_key, idx);
CREATE TABLE IF NOT EXISTS tables (
    paper_key TEXT NOT NULL REFERENCES papers(key) ON DELETE CASCADE, idx INTEGER NOT NULL,
    label TEXT, caption TEXT NOT NULL, page INTEGER NOT NULL, n_cells INTEGER NOT NULL,
    PRIMARY KEY (paper_key, idx)
);
-- external-content FTS: the text lives once, in `sentences`; triggers keep the index in step
CREATE VIRTUAL TABLE IF NOT EXISTS sentences_fts USING fts5(
    text, content='sentences', content_rowid='rowid', tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS sentences_ai AFTER INSERT ON sentences BEGIN
    INSERT INTO sentences_fts(rowid, text) VALUES (new.rowid, new.text);
END;
CREATE TRIGGER IF NOT EXISTS sentences_ad AFTER DELETE ON sentences BEGIN
    INSERT INTO sentences_fts(sentences_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
END;
"""

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class SearchHit:
    """One sentence found by full-text search; `score` is BM25 relevance (higher is better)."""

    paper_key: str
    paper_id: str
    version: int
    idx: int
    page: int
    section: list[str]
    start: int
    end: int
    text: str
    score: float
    kind: str = "body"

    def to_dict(self) -> dict:
        return asdict(self)


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the index database in WAL mode with the current schema."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=30.0, isolation_level=None)  # explicit BEGIN/COMMIT below
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(_SCHEMA)
    conn.execute("INSERT OR IGNORE INTO info(name, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
    return conn


def indexed_keys(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT key FROM papers")}


def insert_paper(
    conn: sqlite3.Connection,
    meta: PaperMeta,
    sections: Iterable[Section],
    sentences: Iterable[Sentence],
    tables: Iterable[TableBlock],
) -> None:
    """Insert one paper's rows (caller owns the transaction). Replaces any previous rows of the same key."""
    delete_paper(conn, meta.key)
    conn.execute(
        "INSERT INTO papers VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (meta.key, meta.id, meta.version, meta.source, meta.title, json.dumps(meta.authors), meta.published,
         meta.sha256, meta.n_pages, meta.n_sentences, meta.n_tables, meta.model_dump_json()),
    )
    conn.executemany(
        "INSERT INTO sections VALUES (?,?,?,?,?,?,?,?,?)",
        ((meta.key, i, s.number, s.title, s.level, s.page, s.start, json.dumps(s.path), s.kind)
         for i, s in enumerate(sections)),
    )
    conn.executemany(
        'INSERT INTO sentences(paper_key, paper_id, version, idx, page, start, "end", section, kind, text) '
        "VALUES (?,?,?,?,?,?,?,?,?,?)",
        ((meta.key, meta.id, meta.version, s.idx, s.page, s.start, s.end, json.dumps(s.section), s.kind, s.text)
         for s in sentences),
    )
    # the rows really indexed, not meta.json's figure: the integrity check compares the two tables' counts, and
    # a sentences file that disagrees with its meta.json must not make every open rebuild the index
    conn.execute("UPDATE papers SET n_sentences = (SELECT COUNT(*) FROM sentences WHERE paper_key = ?) "
                 "WHERE key = ?", (meta.key, meta.key))
    replace_tables(conn, meta.key, tables)


def replace_tables(conn: sqlite3.Connection, key: str, tables: Iterable[TableBlock]) -> None:
    conn.execute("DELETE FROM tables WHERE paper_key = ?", (key,))
    conn.executemany(
        "INSERT INTO tables VALUES (?,?,?,?,?,?)",
        ((key, i, t.label, t.caption, t.page, len(t.cells)) for i, t in enumerate(tables)),
    )


def update_paper_meta(conn: sqlite3.Connection, meta: PaperMeta) -> None:
    conn.execute(
        "UPDATE papers SET n_tables = ?, meta = ? WHERE key = ?", (meta.n_tables, meta.model_dump_json(), meta.key)
    )


def delete_paper(conn: sqlite3.Connection, key: str) -> None:
    # Sentences first and explicitly, so the FTS delete trigger fires row by row.
    conn.execute("DELETE FROM sentences WHERE paper_key = ?", (key,))
    conn.execute("DELETE FROM sections WHERE paper_key = ?", (key,))
    conn.execute("DELETE FROM tables WHERE paper_key = ?", (key,))
    conn.execute("DELETE FROM papers WHERE key = ?", (key,))


def clear(conn: sqlite3.Connection) -> None:
    """Drop every row (used by reindex); the FTS index is rebuilt empty."""
    conn.execute("DELETE FROM sentences")
    conn.execute("DELETE FROM sections")
    conn.execute("DELETE FROM tables")
    conn.execute("DELETE FROM papers")
    conn.execute("INSERT INTO sentences_fts(sentences_fts) VALUES ('rebuild')")


def fts_query(text: str) -> str:
    """Free text → a safe FTS5 expression: every word quoted (no operators, columns or syntax errors), ORed."""
    words = _WORD.findall(text)
    return " OR ".join('"' + w.replace('"', '""') + '"' for w in words)


def search(
    conn: sqlite3.Connection,
    query: str,
    keys: list[str] | None,
    kinds: Iterable[str],
    limit: int,
) -> list[SearchHit]:
    """BM25-ranked sentences matching any word of `query`, optionally restricted to paper keys and kinds."""
    expr = fts_query(query)
    kinds = list(kinds)
    if not expr or not kinds or (keys is not None and not keys) or limit <= 0:
        return []
    where = ["sentences_fts MATCH ?", f"s.kind IN ({','.join('?' * len(kinds))})"]
    args: list = [expr, *kinds]
    if keys is not None:
        where.append(f"s.paper_key IN ({','.join('?' * len(keys))})")
        args.extend(keys)
    sql = (
        'SELECT s.paper_key, s.paper_id, s.version, s.idx, s.page, s.section, s.start, s."end", s.text, s.kind, '
        "bm25(sentences_fts) AS rank FROM sentences_fts JOIN sentences s ON s.rowid = sentences_fts.rowid "
        f"WHERE {' AND '.join(where)} ORDER BY rank, s.paper_key, s.idx LIMIT ?"
    )
    rows = conn.execute(sql, (*args, limit)).fetchall()
    return [
        SearchHit(
            paper_key=r["paper_key"], paper_id=r["paper_id"], version=r["version"], idx=r["idx"], page=r["page"],
            section=json.loads(r["section"]), start=r["start"], end=r["end"], text=r["text"],
            score=-float(r["rank"]), kind=r["kind"],
        )
        for r in rows
    ]
