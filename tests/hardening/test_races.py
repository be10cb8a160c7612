"""Races between real `synth` processes: the same paper fetched by several at once."""

from __future__ import annotations

import json
import subprocess

from synth.demo.loopback import Fault
from synth.papers.library import Library
from tests.hardening.conftest import SYNTH
from tests.papers.sources.fixtures import mirror  # noqa: F401


def test_concurrent_fetches_of_one_paper_all_succeed(mirror, settings, env, tmp_path):  # noqa: F811
    from tests.papers.sources.pdfs import paper_pdf, write

    local = write(tmp_path / "other.pdf", paper_pdf("Another paper", 1, 2.0))
    # every PDF request waits: the downloads overlap instead of running one after the other
    mirror.faults.append(Fault(route="pdf", times=None, delay=0.5))
    env = {**env, "SYNTH_ARXIV_API": mirror.api_url, "SYNTH_ARXIV_PDF": mirror.pdf_url}
    procs = [subprocess.Popen([str(SYNTH), "--json", "fetch", "2005.13013v1", str(local)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(6)]
    outputs = [p.communicate(timeout=180) for p in procs]
    for p, (out, err) in zip(procs, outputs):
        assert p.returncode == 0, err
        assert "Traceback" not in err
        rows = json.loads(out)
        assert [r["status"] in ("fetched", "present") for r in rows] == [True, True]  # the other item too
    keys = [m.key for m in Library(settings.home).papers()]
    assert "2005.13013v1" in keys and len(keys) == 2
    assert list((settings.home / ".downloads").iterdir()) == []
    assert [p.name for p in (settings.home / "papers").iterdir() if p.name.startswith(".")] == []
