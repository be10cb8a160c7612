"""A real SIGKILL in the middle of adding a paper never leaves a half entry, and the next add succeeds."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from synth.papers.library import Library
from synth.core.models import PaperMeta
from tests.papers.sources.pdfs import paper_pdf, write

SCRIPT = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    import synth.papers.parse
    from synth.papers.library import Library
    from synth.papers.library import store
    from synth.core.models import PaperMeta

    root, pdf, stage = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]

    def ready(*args):
        print("READY", flush=True)
        time.sleep(120)

    if stage == "parse":  # killed while parsing: the temp folder holds a partial copy
        real = synth.papers.parse.parse_pdf
        def parse_pdf(path):
            result = real(path)
            ready()
        synth.papers.parse.parse_pdf = parse_pdf
    else:  # killed with the index transaction open, just before the folder is renamed into place
        class Os:
            def __getattr__(self, name):
                return getattr(os, name)
            rename = staticmethod(ready)
        store.os = Os()
    meta = PaperMeta(id="2005.13013", version=1, source="arxiv", sha256="0" * 64, size_bytes=0,
                     fetched_at="2026-01-01T00:00:00+00:00")
    Library(root).add_pdf(pdf, meta)
    """
)


@pytest.mark.parametrize("stage", ["parse", "commit"])
def test_kill_during_add(settings, tmp_path, stage):
    pdf = write(tmp_path / "p.pdf", paper_pdf("X-STILTs v1", 1, 3.5))
    root = settings.home
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(root), str(pdf), stage],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "READY"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    leftovers = sorted(p.name for p in (root / "papers").iterdir())
    assert len(leftovers) == 1 and leftovers[0].startswith(".tmp-2005.13013v1-")  # hidden, never an entry
    lib = Library(root)
    assert lib.papers() == [] and not lib.has("2005.13013v1")
    assert lib.search("intermediate") == []
    meta = PaperMeta(id="2005.13013", version=1, source="arxiv", sha256="0" * 64, size_bytes=0,
                     fetched_at="2026-01-01T00:00:00+00:00")
    stored = lib.add_pdf(pdf, meta)
    assert [p.name for p in (root / "papers").iterdir()] == ["2005.13013v1"]  # the dead process's temp is gone
    assert lib.get("2005.13013").n_sentences == stored.n_sentences > 0
    with sqlite3.connect(lib.db_path) as db:
        assert db.execute("SELECT count(*) FROM sentences").fetchone()[0] == stored.n_sentences
