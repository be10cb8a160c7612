"""A damaged, read-only or full library: every command ends in a clean line, and `reindex` always rebuilds."""

from __future__ import annotations

import sqlite3

import pytest

from synth.core.errors import InvalidIdError, LibraryError
from synth.papers.library import Library
from tests.cli_harness import make_cli
from tests.hardening.sandbox import namespaces_available, read_only, run_mounted, tiny_disk
from tests.papers.sources.pdfs import paper_pdf, write


@pytest.fixture
def cli(settings, monkeypatch):
    return make_cli(settings, monkeypatch)


@pytest.fixture
def two_papers(cli, settings, tmp_path):
    """A library of two papers added the normal way (`synth fetch <pdf>`)."""
    for i, title in enumerate(["Intermediate tasks help", "Tokenizers matter"]):
        pdf = write(tmp_path / f"p{i}.pdf", paper_pdf(title, 1, 1.0 + i))
        run = cli("fetch", str(pdf))
        assert run.exit_code == 0, run.stderr
    return settings.home


def search(cli, query="intermediate"):
    return cli("--json", "library", "search", query)


DAMAGE = {
    "garbage": lambda db: db.write_bytes(b"this is not a database\n" * 100),
    "truncated": lambda db: db.write_bytes(db.read_bytes()[: db.stat().st_size // 3]),
    "foreign": lambda db: (db.unlink(), sqlite3.connect(db).executescript(
        "CREATE TABLE papers (x INTEGER); INSERT INTO papers VALUES (1);")),
    "a folder": lambda db: (db.unlink(), db.mkdir()),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_reindex_rebuilds_whatever_the_index_holds(cli, two_papers, damage):
    db = two_papers / "synth.sqlite"
    for extra in ("synth.sqlite-wal", "synth.sqlite-shm"):
        (two_papers / extra).unlink(missing_ok=True)
    DAMAGE[damage](db)
    before = search(cli)
    assert before.exit_code in (0, 1) and "Traceback" not in before.stderr
    if before.exit_code == 1:
        assert "synth library reindex" in before.stderr and len(before.stderr.strip().splitlines()) == 1
    if damage == "a folder":
        assert "is a folder" in cli("library", "reindex").stderr
        db.rmdir()
    run = cli("--json", "library", "reindex")
    assert run.exit_code == 0, run.stderr
    assert run.json() == {"damaged": {}, "indexed": 2}
    hits = search(cli)
    assert hits.exit_code == 0 and hits.json() and all(h["paper_key"].startswith("local-") for h in hits.json())


@pytest.mark.parametrize("sql", [
    "DROP TABLE sentences_fts",
    "DELETE FROM sentences",
    "DROP TRIGGER sentences_ai; DROP TABLE sentences_fts",
])
def test_a_damaged_full_text_index_is_rebuilt_not_silently_empty(cli, two_papers, sql):
    expected = search(cli).json()
    assert expected
    conn = sqlite3.connect(two_papers / "synth.sqlite")
    conn.executescript(sql)
    conn.close()
    assert search(cli).json() == expected


def test_a_truncated_sentences_file_names_file_and_line_and_spares_the_others(cli, two_papers):
    damaged = sorted((two_papers / "papers").iterdir())[0]
    sentences = damaged / "sentences.jsonl"
    data = sentences.read_bytes()
    sentences.write_bytes(data[: len(data) // 2])  # cut mid-line
    for extra in ("synth.sqlite", "synth.sqlite-wal", "synth.sqlite-shm"):
        (two_papers / extra).unlink(missing_ok=True)
    run = cli("library", "search", "intermediate")
    assert run.exit_code == 0 and "Traceback" not in run.stderr
    assert f"{sentences}:" in run.stderr and "damaged library file" in run.stderr
    run = cli("library", "reindex")
    assert run.exit_code == 1 and f"{damaged.name} not indexed" in run.stderr
    with pytest.raises(LibraryError, match=r"sentences\.jsonl:\d+: damaged library file"):
        meta = Library(two_papers).get(damaged.name)
        list(Library(two_papers).iter_sentences(meta))


def test_a_sentences_file_shorter_than_its_meta_is_indexed_once_not_on_every_open(cli, two_papers):
    """Whole lines missing (not a damaged line): the index holds what the file holds and is not rebuilt again."""
    sentences = sorted((two_papers / "papers").iterdir())[0] / "sentences.jsonl"
    lines = sentences.read_text(encoding="utf-8").splitlines(keepends=True)
    sentences.write_text("".join(lines[:-1]), encoding="utf-8")
    for extra in ("synth.sqlite", "synth.sqlite-wal", "synth.sqlite-shm"):
        (two_papers / extra).unlink(missing_ok=True)
    assert search(cli).exit_code == 0
    with sqlite3.connect(two_papers / "synth.sqlite") as conn:  # a mark that a rebuilt index would not carry
        conn.execute("INSERT INTO info VALUES ('test-mark', 'x')")
    assert search(cli).exit_code == 0 and search(cli, "tokenizers").exit_code == 0
    with sqlite3.connect(two_papers / "synth.sqlite") as conn:
        assert conn.execute("SELECT value FROM info WHERE name = 'test-mark'").fetchone() == ("x",)


@pytest.mark.parametrize("paper", ["x" * 20000, "２００５.１３０１３", "٢٠٠٥.١٣٠١٣", "2005.13013v" + "9" * 400])
def test_odd_ids_are_input_errors(cli, two_papers, paper):
    with pytest.raises(InvalidIdError):
        Library(two_papers).get(paper)
    for command in (("library", "show", paper), ("library", "rm", paper), ("fetch", paper)):
        run = cli(*command)
        assert run.exit_code == 2, (command, run.stderr)
        assert "Traceback" not in run.stderr and len(run.stderr) < 400


needs_namespaces = pytest.mark.skipif(not namespaces_available(), reason="needs unprivileged mount namespaces")


@needs_namespaces
@pytest.mark.parametrize("index", ["in step", "missing", "out of date"])
def test_a_read_only_library_can_be_searched_and_verified_against(cli, two_papers, settings, tmp_path, index):
    from tests.cli_harness import settings_env

    expected = search(cli).json()
    if index == "missing":
        for name in ("synth.sqlite", "synth.sqlite-wal", "synth.sqlite-shm"):
            (two_papers / name).unlink(missing_ok=True)
    elif index == "out of date":
        conn = sqlite3.connect(two_papers / "synth.sqlite")
        conn.execute("DELETE FROM papers WHERE key = (SELECT MIN(key) FROM papers)")
        conn.commit()
        conn.close()
    claims = tmp_path / "work" / "claims.yaml"
    claims.parent.mkdir()
    claims.write_text("schema: 1\nclaims:\n  - id: m-c01\n    text: Intermediate tasks help transfer.\n")
    env = {**settings_env(settings), "SYNTH_CLAIMS": str(claims), "PATH": "/usr/bin:/bin"}
    run = run_mounted(read_only(two_papers), "--json", "library", "search", "intermediate", env=env)
    assert run.returncode == 0, run.stderr
    import json

    assert json.loads(run.stdout) == expected
    run = run_mounted(read_only(two_papers), "--json", "verify", "--any-source", env=env)
    assert "Traceback" not in run.stderr and run.returncode in (0, 1), run.stderr
    assert json.loads(run.stdout)["claims"][0]["verification"]["label"] != "error"
    pdf = write(tmp_path / "new.pdf", paper_pdf("A third paper", 1, 3.0))
    run = run_mounted(read_only(two_papers), "fetch", str(pdf), env=env)
    assert run.returncode == 1 and "Read-only file system" in run.stdout + run.stderr
    assert "Traceback" not in run.stderr


@needs_namespaces
def test_a_full_disk_says_so_and_leaves_nothing_half_written(settings, tmp_path):
    from tests.cli_harness import settings_env

    pdf = write(tmp_path / "paper.pdf", paper_pdf("A paper on a full disk", 1, 2.0))
    env = {**settings_env(settings), "PATH": "/usr/bin:/bin"}
    run = run_mounted(tiny_disk(settings.home, 48) + f"; cat {pdf} > {settings.home}/filler || true", "fetch",
                      str(pdf), env=env)
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert "no space left" in (run.stdout + run.stderr).lower()
