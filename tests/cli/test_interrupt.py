"""Killing `synth fetch` mid-download (SIGKILL or Ctrl-C) leaves no library entry; a re-run resumes and succeeds."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from synth.papers.library import Library
from synth.demo.loopback import Fault
from tests.cli_harness import settings_env

SYNTH = Path(sys.executable).parent / "synth"


def wait_for(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_interrupted_download_leaves_no_entry_and_resumes(cli, mirror, settings, sig):
    settings.http_timeout = 60.0
    mirror.faults.append(Fault(route="pdf", truncate=2000, stall=60.0))  # 2000 bytes, then the server hangs
    downloads = settings.home / ".downloads"
    env = {**os.environ, **settings_env(settings)}
    proc = subprocess.Popen([str(SYNTH), "fetch", "2005.13013v1"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    part = downloads / f"2005.13013v1.pdf.{proc.pid}.part"  # per process: concurrent fetches never share one
    try:
        wait_for(lambda: part.exists() and part.stat().st_size == 2000)
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    if sig == signal.SIGINT:
        assert proc.returncode == 130
        assert "Traceback" not in stderr
        assert "error: interrupted; finished work is kept" in stderr, stderr
        assert "interrupted before it finished" in stdout  # the item list is printed before stopping
    else:
        assert proc.returncode == -signal.SIGKILL
    papers = settings.home / "papers"
    assert not papers.exists() or not [p for p in papers.iterdir() if not p.name.startswith(".")]
    assert Library(settings.home).papers() == []
    assert part.stat().st_size == 2000  # kept for resuming

    run = cli("fetch", "2005.13013v1")
    assert run.exit_code == 0, run.stdout
    assert mirror.seen("pdf")[-1].headers["Range"] == "bytes=2000-"  # the dead process's partial file is resumed
    meta = Library(settings.home).get("2005.13013v1")
    assert meta.sha256 == hashlib.sha256(mirror.papers["2005.13013v1"].pdf).hexdigest()
    assert list(downloads.iterdir()) == []


def test_a_signal_during_an_import_is_delivered_once_the_import_is_over(tmp_path):
    """SIGTERM inside a library's import (torch's native init once aborted the process) ends the command after it."""
    (tmp_path / "slow_native_like.py").write_text(
        "import os, signal, time\n"
        "os.kill(os.getpid(), signal.SIGTERM)\n"
        "time.sleep(0.3)\n"
        "print('import finished', flush=True)\n"
    )
    script = (
        "import signal, sys, time\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "from synth.cli import app\n"
        "signal.signal(signal.SIGTERM, app._on_signal)\n"
        "try:\n"
        "    import slow_native_like\n"
        "    time.sleep(5)\n"
        "    print('never interrupted')\n"
        "except app.Terminated:\n"
        "    print('terminated after the import', app._received)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["import finished", f"terminated after the import [{int(signal.SIGTERM)}]"]
