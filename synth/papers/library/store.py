"""The paper store: papers/<id>v<N>/{meta.json, paper.pdf, pages.jsonl, sections.jsonl, sentences.jsonl, tables.jsonl}.

Folders are the source of truth and appear atomically (built under a hidden temp name, then renamed); the SQLite
index (synth.sqlite, see index.py) is derived from them and is re-synchronised when the two disagree (e.g. after a
kill between renaming a folder and committing its rows).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from synth.core.errors import InvalidIdError, LibraryError, PDFError, UsageError
from synth.core.files import make_temp_dir, pid_alive, sha256_file, write_json, write_jsonl
from synth.core.jsonio import JsonError, read_model
from synth.core.models import Page, PaperMeta, PaperRef, Section, Sentence, TableBlock
from synth.papers.library import embeddings, index, integrity
from synth.papers.library.index import SearchHit

if TYPE_CHECKING:
    from synth.core.settings import Settings

_TMP_PREFIX = ".tmp-"
FILES = ("meta.json", "paper.pdf", "pages.jsonl", "sections.jsonl", "sentences.jsonl", "tables.jsonl")


def _first_line(pages: list[Page]) -> str:
    """Title fallback for PDFs without metadata: the first non-empty line of the first page."""
    for page in pages[:1]:
        for line in page.text.splitlines():
            if line.strip():
                return " ".join(line.split())[:200]
    return ""


class Library:
    """A folder of parsed papers plus its SQLite/FTS5 index. Creates root/papers and root/synth.sqlite lazily."""

    def __init__(self, root: Path, embed: str = "off"):
        self.root = Path(root)
        self.embed = embed  # SYNTH_EMBED: 'fetch' embeds sentences when papers are added, 'fetch'/'verify' at reindex
        self.papers_dir = self.root / "papers"
        self.db_path = self.root / "synth.sqlite"
        self._conn: sqlite3.Connection | None = None
        self.damaged: dict[str, str] = {}  # key → why, for entries whose files could not be indexed

    @classmethod
    def open(cls, settings: "Settings | None" = None) -> "Library":
        """The library at settings.home (the active settings when None)."""
        if settings is None:
            from synth.core.settings import get_settings

            settings = get_settings()
        if settings.home.exists() and not settings.home.is_dir():
            raise UsageError(f"{settings.home}: the library folder is a file (choose a folder with --library or "
                             "SYNTH_HOME)")
        return cls(settings.home, embed=settings.embed)

    def __repr__(self) -> str:
        return f"Library({str(self.root)!r})"

    def __enter__(self) -> "Library":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # ------------------------------------------------------------------------------------------ lookup

    def _folders(self) -> list[Path]:
        if not self.papers_dir.is_dir():
            return []
        return sorted(p for p in self.papers_dir.iterdir()
                      if p.is_dir() and not p.name.startswith(".") and (p / "meta.json").is_file())

    def _read_meta(self, folder: Path) -> PaperMeta:
        try:
            return read_model(folder / "meta.json", PaperMeta)
        except JsonError as exc:
            raise LibraryError(f"unreadable library entry {folder.name}: {exc.message}".splitlines()[0]) from None

    def papers(self) -> list[PaperMeta]:
        """Every paper version in the library, sorted by key."""
        return sorted((self._read_meta(f) for f in self._folders()), key=lambda m: m.key)

    def versions(self, paper_id: str) -> list[PaperMeta]:
        """All versions of one paper present in the library, oldest first."""
        prefix = paper_id.replace("/", "_") + "v"
        found = [self._read_meta(f) for f in self._folders() if f.name.startswith(prefix)]
        return sorted((m for m in found if m.id == paper_id), key=lambda m: m.version)

    @staticmethod
    def _ref(ref: "str | PaperRef") -> PaperRef:
        if isinstance(ref, PaperRef):
            return ref
        shown = ref if len(ref) <= 80 else ref[:77] + "..."
        try:
            if len(ref) > 200:
                raise ValueError(ref)
            return PaperRef.parse(ref)
        except ValueError:
            raise InvalidIdError(f"not a paper id: {shown!r} (expected e.g. 2005.13013 or 2005.13013v2)") from None

    def get(self, ref: "str | PaperRef") -> PaperMeta:
        """`2005.13013` → newest version present; `2005.13013v1` → exactly that version. Raises LibraryError."""
        ref = self._ref(ref)
        if ref.version is None:
            found = self.versions(ref.id)
            if found:
                return found[-1]
        else:
            folder = self.papers_dir / ref.folder
            if (folder / "meta.json").is_file():
                return self._read_meta(folder)
        raise LibraryError(f"paper {ref} is not in the library (run: synth fetch {ref})")

    def has(self, ref: "str | PaperRef") -> bool:
        try:
            self.get(ref)
        except LibraryError:
            return False
        return True

    def paper_dir(self, meta: PaperMeta) -> Path:
        return self.papers_dir / meta.ref.folder

    def pdf_path(self, meta: PaperMeta) -> Path:
        return self.paper_dir(meta) / "paper.pdf"

    def iter_pages(self, meta: PaperMeta) -> Iterator[Page]:
        """Stream pages.jsonl."""
        yield from integrity.read_rows(self.paper_dir(meta) / "pages.jsonl", Page)

    def iter_sentences(self, meta: PaperMeta) -> Iterator[Sentence]:
        """Stream sentences.jsonl."""
        yield from integrity.read_rows(self.paper_dir(meta) / "sentences.jsonl", Sentence)

    def sections(self, meta: PaperMeta) -> list[Section]:
        return list(integrity.read_rows(self.paper_dir(meta) / "sections.jsonl", Section))

    def tables(self, meta: PaperMeta) -> list[TableBlock]:
        return list(integrity.read_rows(self.paper_dir(meta) / "tables.jsonl", TableBlock))

    # ------------------------------------------------------------------------------------------ writes

    def add_pdf(self, pdf_path: Path, meta: PaperMeta) -> PaperMeta:
        """Parse `pdf_path` and store it as one entry, atomically. Returns the stored meta (existing one if present).

        Raises synth.core.errors.PDFError when the PDF cannot be parsed (naming the user's file, not the internal
        copy), StorageError when the disk is full or the library read-only; nothing is left behind in either case.
        """
        try:
            with integrity.storage_errors(self.root):
                return self._add_pdf(pdf_path, meta)
        except PDFError as exc:
            internal = "paper.pdf"
            if not exc.message.startswith(internal):
                raise
            shown = meta.local_path or meta.pdf_url or str(pdf_path)
            raise PDFError(shown + exc.message[len(internal):], hint=exc.hint) from None

    def _add_pdf(self, pdf_path: Path, meta: PaperMeta) -> PaperMeta:
        from synth.papers.parse import parse_pdf

        existing = self._existing(meta)
        if existing is not None:
            return existing
        self.papers_dir.mkdir(parents=True, exist_ok=True)
        self._clean_stale_temps()
        tmp = make_temp_dir(self.papers_dir, f"{_TMP_PREFIX}{meta.ref.folder}-{os.getpid()}-")
        try:
            shutil.copyfile(pdf_path, tmp / "paper.pdf")
            parsed = parse_pdf(tmp / "paper.pdf")
            meta = meta.model_copy(update={
                "sha256": sha256_file(tmp / "paper.pdf"),
                "size_bytes": (tmp / "paper.pdf").stat().st_size,
                "parser": parsed.parser,
                "n_pages": len(parsed.pages),
                "n_sentences": len(parsed.sentences),
                "n_tables": len(parsed.tables),
                "warnings": [*meta.warnings, *parsed.warnings],
                "title": meta.title or _first_line(parsed.pages),
            })
            write_jsonl(tmp / "pages.jsonl", (p.model_dump(mode="json") for p in parsed.pages))
            write_jsonl(tmp / "sections.jsonl", (s.model_dump(mode="json") for s in parsed.sections))
            write_jsonl(tmp / "sentences.jsonl", (s.model_dump(mode="json") for s in parsed.sentences))
            write_jsonl(tmp / "tables.jsonl", (t.model_dump(mode="json") for t in parsed.tables))
            write_json(tmp / "meta.json", meta.model_dump(mode="json"))
            conn = self._db()
            conn.execute("BEGIN IMMEDIATE")
            try:
                index.insert_paper(conn, meta, parsed.sections, parsed.sentences, parsed.tables)
                final = self.paper_dir(meta)
                try:
                    os.rename(tmp, final)  # the moment the entry appears; a crash after this is healed by _sync
                except OSError:
                    conn.execute("ROLLBACK")
                    existing = self._existing(meta)
                    if existing is None:
                        raise
                    return existing  # another process stored the same version meanwhile
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            if self.embed == "fetch":  # best effort: verify embeds what is missing later
                why_not = embeddings.try_embed(self, meta)
                if why_not:  # told to the caller, not stored: meta.json's warnings are about the parse
                    return meta.model_copy(update={"warnings": [*meta.warnings, why_not]})
            return meta
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)

    def _existing(self, meta: PaperMeta) -> PaperMeta | None:
        folder = self.paper_dir(meta)
        return self._read_meta(folder) if (folder / "meta.json").is_file() else None

    def save_tables(self, meta: PaperMeta, tables: list[TableBlock]) -> None:
        """Atomically rewrite tables.jsonl (and n_tables in meta.json and the index); used by extract."""
        folder = self.paper_dir(self.get(meta.ref))
        write_jsonl(folder / "tables.jsonl", (t.model_dump(mode="json") for t in tables))
        stored = self._read_meta(folder).model_copy(update={"n_tables": len(tables)})
        write_json(folder / "meta.json", stored.model_dump(mode="json"))
        conn = self._db()
        conn.execute("BEGIN IMMEDIATE")
        try:
            index.replace_tables(conn, stored.key, tables)
            index.update_paper_meta(conn, stored)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def remove(self, ref: "str | PaperRef") -> None:
        """Delete one version (or, for a bare id, every version) from folders and index."""
        ref = self._ref(ref)
        metas = [self.get(ref)] if ref.version is not None else self.versions(ref.id)
        if not metas:
            raise LibraryError(f"paper {ref} is not in the library")
        conn = self._db()
        for meta in metas:
            folder = self.paper_dir(meta)
            # Rename away first so the entry disappears atomically, then delete at leisure.
            graveyard = Path(tempfile.mkdtemp(prefix=f"{_TMP_PREFIX}rm-{os.getpid()}-", dir=self.papers_dir))
            os.rename(folder, graveyard / folder.name)
            conn.execute("BEGIN IMMEDIATE")
            index.delete_paper(conn, meta.key)
            conn.execute("COMMIT")
            shutil.rmtree(graveyard, ignore_errors=True)

    # ------------------------------------------------------------------------------------------ index

    def _db(self) -> sqlite3.Connection:
        """The index, in step with the folders. A read-only library is opened read-only, or indexed in memory
        when its index is missing or out of date; a damaged index is a LibraryError naming the fix."""
        if self._conn is not None:
            return self._conn
        try:
            if integrity.writable(self.root) and (not self.db_path.exists() or os.access(self.db_path, os.W_OK)):
                with integrity.storage_errors(self.root):
                    self._conn = index.connect(self.db_path)
                    self._sync()
            else:
                self._conn = integrity.open_read_only(self.db_path)
                if self._conn is None or not self._in_sync():
                    self.close()
                    self._conn = index.connect(Path(":memory:"))
                    self._sync()
        except sqlite3.DatabaseError as exc:
            self.close()
            raise integrity.damaged_index(self.db_path, exc) from None
        return self._conn

    def _on_disk(self) -> dict[str, PaperMeta]:
        return {m.key: m for m in (self._read_meta(f) for f in self._folders())}

    def _in_sync(self) -> bool:
        assert self._conn is not None
        return (self._on_disk().keys() == index.indexed_keys(self._conn)
                and integrity.index_counts_problem(self._conn) is None)

    def _sync(self) -> None:
        """Make the index agree with the folders (the folders win); rows that disagree with the papers' counts
        (a dropped full-text table, deleted rows) mean a rebuild. A paper whose files are damaged is left out
        and listed in `self.damaged`."""
        assert self._conn is not None
        on_disk = self._on_disk()
        indexed = index.indexed_keys(self._conn)
        problem = integrity.index_counts_problem(self._conn)
        if on_disk.keys() == indexed and problem is None:
            return
        if problem is not None:  # the FTS triggers cannot delete rows the FTS index lacks: start a new file
            self._conn.close()
            integrity.remove_index(self.db_path)
            self._conn = index.connect(self.db_path)
            indexed = set()
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            for key in indexed - on_disk.keys():
                index.delete_paper(self._conn, key)
            for key in sorted(on_disk.keys() - indexed):
                self._conn.execute("SAVEPOINT paper")
                try:
                    self._index_folder(on_disk[key])
                except LibraryError as exc:  # damaged files of one paper: the others stay searchable
                    self._conn.execute("ROLLBACK TO paper")
                    self.damaged[key] = str(exc)
                self._conn.execute("RELEASE paper")
            self._conn.execute("COMMIT")
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise

    def _index_folder(self, meta: PaperMeta) -> None:
        index.insert_paper(self._conn, meta, self.sections(meta), self.iter_sentences(meta), self.tables(meta))

    def reindex(self) -> int:
        """Rebuild the whole database from the folders, whatever the old file holds (even a corrupt or foreign
        one); returns the number of papers indexed (damaged entries are listed in `self.damaged`)."""
        from synth.core.errors import StorageError

        self.close()
        if not integrity.writable(self.root):
            raise StorageError(f"the library {self.root} is read-only: its index cannot be rebuilt there "
                               "(search and verify build one in memory)")
        with integrity.storage_errors(self.root):
            integrity.remove_index(self.db_path)
            self.damaged.clear()
            self._db()  # a fresh index: _sync adds every folder
        metas = [m for m in self.papers() if m.key not in self.damaged]
        embeddings.prune(self, metas)
        if self.embed != "off":
            for meta in metas:  # only papers without current embeddings are embedded (resumable)
                embeddings.try_embed(self, meta)
        return len(metas)

    def search(
        self,
        query: str,
        papers: list[str] | None = None,
        limit: int = 50,
        kinds: tuple[str, ...] = ("body", "front", "caption"),
    ) -> list[SearchHit]:
        """BM25 full-text search over sentences. `papers` takes ids (every version) or keys (`<id>v<N>`)."""
        keys = None
        if papers is not None:
            keys = []
            for p in papers:
                ref = self._ref(p)
                keys.extend([ref.key] if ref.version is not None else [m.key for m in self.versions(ref.id)])
        conn = self._db()
        try:
            return index.search(conn, query, keys, kinds, limit)
        except sqlite3.DatabaseError as exc:
            raise integrity.damaged_index(self.db_path, exc) from None

    def _clean_stale_temps(self) -> None:
        """Remove temp folders left by killed processes (their pid is part of the name)."""
        for p in self.papers_dir.glob(f"{_TMP_PREFIX}*"):
            try:
                pid = int(p.name.rsplit("-", 2)[-2])
            except (ValueError, IndexError):
                continue
            if not pid_alive(pid):
                shutil.rmtree(p, ignore_errors=True)
