"""The paper store: atomic entries, lookups by id/version, streaming readers, FTS5 search, index repair."""

from __future__ import annotations

import json
import sqlite3

import pytest

from synth.core.errors import InvalidIdError, LibraryError, PDFError
from synth.core.files import sha256_file
from synth.papers.library import FILES, Library
from synth.core.models import PaperMeta, TableBlock, TableCell
from tests.papers.sources.pdfs import corrupt_pdf, encrypted_pdf, paper_pdf, scanned_pdf, write


def arxiv_meta(pdf, paper_id="2005.13013", version=1, **extra) -> PaperMeta:
    return PaperMeta(id=paper_id, version=version, source="arxiv", title=f"Paper {paper_id}v{version}",
                     sha256="0" * 64, size_bytes=0, fetched_at="2026-01-01T00:00:00+00:00", **extra)


@pytest.fixture
def lib(settings):
    return Library.open(settings)


@pytest.fixture
def two_versions(lib, tmp_path):
    v1 = write(tmp_path / "v1.pdf", paper_pdf("X-STILTs v1", 1, 3.5))
    v2 = write(tmp_path / "v2.pdf", paper_pdf("X-STILTs v2", 2, 4.1))
    m1 = lib.add_pdf(v1, arxiv_meta(v1, version=1, latest_version=2))
    m2 = lib.add_pdf(v2, arxiv_meta(v2, version=2, latest_version=2))
    return lib, m1, m2


def test_entry_layout_and_provenance(two_versions, settings):
    lib, m1, _ = two_versions
    folder = settings.home / "papers" / "2005.13013v1"
    assert lib.paper_dir(m1) == folder
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)
    assert m1.sha256 == sha256_file(folder / "paper.pdf")  # recomputed from the stored bytes
    assert m1.size_bytes == (folder / "paper.pdf").stat().st_size
    assert m1.parser and m1.n_pages >= 1 and m1.n_sentences > 10
    assert PaperMeta.model_validate_json((folder / "meta.json").read_text()) == m1
    pages = {p.page: p for p in lib.iter_pages(m1)}
    assert len(pages) == m1.n_pages
    sentences = list(lib.iter_sentences(m1))
    assert len(sentences) == m1.n_sentences
    for s in sentences:
        assert pages[s.page].text[s.start:s.end] == s.text
    assert any(s.title == "Abstract" or "Abstract" in s.path for s in lib.sections(m1))
    assert not [p for p in (settings.home / "papers").iterdir() if p.name.startswith(".")]


def test_lookup_by_id_and_version(two_versions):
    lib, m1, m2 = two_versions
    assert lib.get("2005.13013") == m2  # newest present
    assert lib.get("2005.13013v1") == m1
    assert lib.get(m1.ref) == m1
    assert [m.key for m in lib.versions("2005.13013")] == ["2005.13013v1", "2005.13013v2"]
    assert [m.key for m in lib.papers()] == ["2005.13013v1", "2005.13013v2"]
    assert lib.has("2005.13013v2") and not lib.has("2005.13013v3")
    with pytest.raises(LibraryError) as err:
        lib.get("2101.00001")
    assert str(err.value) == "paper 2101.00001 is not in the library (run: synth fetch 2101.00001)"
    with pytest.raises(InvalidIdError):
        lib.get("not an id")


def test_add_is_idempotent(two_versions, tmp_path):
    lib, m1, _ = two_versions
    again = lib.add_pdf(write(tmp_path / "x.pdf", paper_pdf("X-STILTs v1", 1, 3.5)), arxiv_meta(None))
    assert again == m1
    with sqlite3.connect(lib.db_path) as db:
        assert db.execute("SELECT count(*) FROM papers").fetchone()[0] == 2


def test_old_style_ids_use_a_flat_folder(lib, tmp_path):
    pdf = write(tmp_path / "old.pdf", paper_pdf("Old style", 1, 1.0))
    meta = lib.add_pdf(pdf, arxiv_meta(pdf, paper_id="hep-th/9901001"))
    assert lib.paper_dir(meta).name == "hep-th_9901001v1"
    assert lib.get("hep-th/9901001").key == "hep-th/9901001v1"


def test_search_bm25_with_provenance(two_versions):
    lib, m1, m2 = two_versions
    hits = lib.search("intermediate task training cross-lingual transfer", limit=10)
    assert hits and len(hits) <= 10
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    by_key = {m.key: m for m in (m1, m2)}
    for h in hits:
        page = next(p for p in lib.iter_pages(by_key[h.paper_key]) if p.page == h.page)
        assert page.text[h.start:h.end] == h.text
        assert h.kind in {"body", "front", "caption"}
    only_v1 = lib.search("intermediate", papers=["2005.13013v1"])
    assert only_v1 and {h.paper_key for h in only_v1} == {"2005.13013v1"}
    both = lib.search("intermediate", papers=["2005.13013"], limit=500)
    assert {h.paper_key for h in both} == {"2005.13013v1", "2005.13013v2"}
    assert lib.search("intermediate", papers=[]) == []


def test_search_stems_and_separates_references(two_versions):
    lib, *_ = two_versions
    assert lib.search("improving")  # porter stemming: improves / improve
    refs = lib.search("Conneau Khandelwal", kinds=("references",))
    assert refs and all(h.kind == "references" for h in refs)
    assert all(h.kind != "references" for h in lib.search("Khandelwal"))


@pytest.mark.parametrize("query", ['AND OR NOT', '"unbalanced (quote', "NEAR(a b)", "*", "title:x", "a - b ^c", ""])
def test_search_never_breaks_on_fts_syntax(two_versions, query):
    lib, *_ = two_versions
    assert isinstance(lib.search(query), list)


def test_save_tables(two_versions):
    lib, m1, _ = two_versions
    table = TableBlock(label="Table 9", caption="Made up", page=1, start=0, end=5, raw="a 1.0",
                       header=["row", "en"], cells=[TableCell(row="a", column=["en"], value=1.0, values=[1.0], text="1.0")])
    lib.save_tables(m1, [table])
    assert lib.tables(m1) == [table]
    assert lib.get(m1.key).n_tables == 1
    with sqlite3.connect(lib.db_path) as db:
        assert db.execute("SELECT label, n_cells FROM tables WHERE paper_key='2005.13013v1'").fetchall() == [
            ("Table 9", 1)]
        assert json.loads(db.execute("SELECT meta FROM papers WHERE key='2005.13013v1'").fetchone()[0])[
            "n_tables"] == 1


def test_remove(two_versions, settings):
    lib, m1, _ = two_versions
    lib.remove("2005.13013v1")
    assert [m.key for m in lib.papers()] == ["2005.13013v2"]
    assert {h.paper_key for h in lib.search("intermediate", limit=500)} == {"2005.13013v2"}
    lib.remove("2005.13013")
    assert lib.papers() == [] and lib.search("intermediate") == []
    assert list((settings.home / "papers").iterdir()) == []
    with pytest.raises(LibraryError):
        lib.remove("2005.13013")


def test_index_is_rebuilt_from_folders(two_versions):
    lib, *_ = two_versions
    expected = [(h.paper_key, h.idx) for h in lib.search("transfer", limit=500)]
    lib.close()
    lib.db_path.unlink()
    for extra in ("-wal", "-shm"):
        lib.db_path.with_name(lib.db_path.name + extra).unlink(missing_ok=True)
    fresh = Library(lib.root)
    assert [(h.paper_key, h.idx) for h in fresh.search("transfer", limit=500)] == expected
    assert fresh.reindex() == 2
    assert [(h.paper_key, h.idx) for h in fresh.search("transfer", limit=500)] == expected


def test_index_heals_a_missing_entry(two_versions):
    """A kill between the folder rename and the commit leaves a folder the index lacks: the next open fixes it."""
    lib, *_ = two_versions
    lib.close()
    with sqlite3.connect(lib.db_path) as db:
        db.execute("DELETE FROM sentences WHERE paper_key='2005.13013v2'")
        db.execute("DELETE FROM papers WHERE key='2005.13013v2'")
    assert {h.paper_key for h in Library(lib.root).search("intermediate", limit=500)} == {
        "2005.13013v1", "2005.13013v2"}


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty file"),
        (corrupt_pdf(), "corrupt PDF"),
        (encrypted_pdf(), "encrypted PDF"),
        (scanned_pdf(), "no text layer"),
    ],
)
def test_bad_pdfs_leave_nothing(lib, tmp_path, settings, data, message):
    pdf = write(tmp_path / "bad.pdf", data)
    with pytest.raises(PDFError, match=message):
        lib.add_pdf(pdf, arxiv_meta(pdf))
    assert lib.papers() == []
    assert list((settings.home / "papers").iterdir()) == []


def test_interrupt_during_parse_leaves_nothing(lib, tmp_path, settings, monkeypatch):
    import synth.papers.parse

    def interrupted(path):
        raise KeyboardInterrupt

    monkeypatch.setattr(synth.papers.parse, "parse_pdf", interrupted)
    pdf = write(tmp_path / "p.pdf", paper_pdf("X-STILTs v1", 1, 3.5))
    with pytest.raises(KeyboardInterrupt):
        lib.add_pdf(pdf, arxiv_meta(pdf))
    assert list((settings.home / "papers").iterdir()) == []


def test_interrupt_during_indexing_rolls_back(lib, tmp_path, settings, monkeypatch):
    from synth.papers.library import index

    real = index.insert_paper

    def half_then_interrupt(conn, meta, sections, sentences, tables):
        real(conn, meta, sections, sentences, tables)
        raise KeyboardInterrupt

    monkeypatch.setattr(index, "insert_paper", half_then_interrupt)
    pdf = write(tmp_path / "p.pdf", paper_pdf("X-STILTs v1", 1, 3.5))
    with pytest.raises(KeyboardInterrupt):
        lib.add_pdf(pdf, arxiv_meta(pdf))
    monkeypatch.undo()
    assert list((settings.home / "papers").iterdir()) == []
    with sqlite3.connect(lib.db_path) as db:
        assert db.execute("SELECT count(*) FROM sentences").fetchone()[0] == 0
    assert lib.search("intermediate") == []
