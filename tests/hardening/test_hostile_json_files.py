"""Hostile JSON in the files synth reads back from its own library and package (sentences.jsonl, meta.json,
embedding info, verifier.json): one line naming the file, never a RecursionError or a traceback."""

from __future__ import annotations

import pytest

from synth.core.errors import ConfigError, LibraryError
from synth.papers.library import Library
from tests.cli_harness import make_cli
from tests.papers.sources.pdfs import paper_pdf, write

DEEP = "[" * 50_000 + "]" * 50_000


@pytest.fixture
def cli(settings, monkeypatch):
    return make_cli(settings, monkeypatch)


@pytest.fixture
def one_paper(cli, settings, tmp_path):
    pdf = write(tmp_path / "p.pdf", paper_pdf("Intermediate tasks help", 1, 1.0))
    assert cli("fetch", str(pdf)).exit_code == 0
    (folder,) = (settings.home / "papers").iterdir()
    return folder


@pytest.mark.parametrize("line", [DEEP, '{"text": NaN}', '{"start": 1e400}'])
def test_a_hostile_sentences_line_names_file_and_line(cli, one_paper, line):
    sentences = one_paper / "sentences.jsonl"
    sentences.write_text(sentences.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    library = Library(one_paper.parent.parent)
    with pytest.raises(LibraryError, match=r"sentences\.jsonl:\d+: damaged library file"):
        list(library.iter_sentences(library.get(one_paper.name)))


@pytest.mark.parametrize("meta", [DEEP, '{"id": NaN}', "[]", '{"id": 1e999}'])
def test_a_hostile_meta_json_is_one_library_error(cli, one_paper, meta):
    (one_paper / "meta.json").write_text(meta, encoding="utf-8")
    with pytest.raises(LibraryError, match=f"unreadable library entry {one_paper.name}: "):
        Library(one_paper.parent.parent).papers()
    run = cli("library", "ls")
    assert "Traceback" not in run.stderr and "RecursionError" not in run.stderr and run.exit_code in (1, 2)


def test_hostile_embedding_info_is_a_cache_miss(settings, one_paper):
    from synth.papers.library import embeddings

    library = Library(settings.home)
    meta = library.get(one_paper.name)
    _, info, _, _ = embeddings._paths(library, meta)
    info.parent.mkdir(parents=True, exist_ok=True)
    for planted in (DEEP, '{"model": NaN}', "[1, 2]"):
        info.write_text(planted, encoding="utf-8")
        assert embeddings.load_vectors(library, meta) is None


@pytest.mark.parametrize("text", [DEEP, '{"thresholds": Infinity}', "[]"])
def test_a_hostile_verifier_json_is_a_config_error(tmp_path, text):
    from synth.verify.calibration import load_verifier

    path = tmp_path / "verifier.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=str(path)):
        load_verifier(path)
