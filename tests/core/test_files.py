"""Atomic writes publish files and folders with the user's umask (0644/0755 under the usual 022)."""

from __future__ import annotations

import os
import stat

import pytest

from synth.core.files import atomic_dir, make_temp_dir, write_json, write_text


@pytest.fixture(params=[0o022, 0o027, 0o002])
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_written_files_follow_the_umask(tmp_path, umask):
    write_text(tmp_path / "a.txt", "x")
    write_json(tmp_path / "sub" / "b.json", {"k": 1})
    assert _mode(tmp_path / "a.txt") == 0o666 & ~umask
    assert _mode(tmp_path / "sub" / "b.json") == 0o666 & ~umask
    assert (tmp_path / "a.txt").read_text() == "x"
    assert not [p for p in tmp_path.rglob(".*.tmp")]


def test_atomic_folders_follow_the_umask(tmp_path, umask):
    with atomic_dir(tmp_path / "model") as tmp:
        (tmp / "w.bin").write_bytes(b"1")
    assert _mode(tmp_path / "model") == 0o777 & ~umask
    assert _mode(make_temp_dir(tmp_path, ".t-")) == 0o777 & ~umask


def test_library_entry_claims_and_report_follow_the_umask(settings, tmp_path, umask):
    """What synth writes for a shared library, a cluster runs folder or a served report, end to end."""
    from synth.claims.operations import extract_to_claims
    from synth.papers.fetch import fetch
    from synth.report.render import write_report
    from tests.papers.sources.pdfs import paper_pdf, write

    pdf = write(tmp_path / "in.pdf", paper_pdf("Umask paper"))
    fetch([str(pdf)], settings=settings)
    entry = next(p for p in (settings.home / "papers").iterdir() if not p.name.startswith("."))
    assert _mode(entry) == 0o777 & ~umask
    for name in ("meta.json", "paper.pdf", "pages.jsonl", "sentences.jsonl"):
        assert _mode(entry / name) == 0o666 & ~umask, name
    extract_to_claims(settings=settings)
    assert _mode(settings.claims) == 0o666 & ~umask
    report = write_report(settings)
    assert _mode(report.path) == 0o666 & ~umask
