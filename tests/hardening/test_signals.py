"""Signals sent to real `synth` processes: an interrupted or killed verify keeps the verdicts it finished, every
interruption is one line with the right exit code, and claims.yaml is never left unreadable."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest

from synth.claims.document import load_claims
from tests.hardening.conftest import SYNTH
from tests.papers.sources.pdfs import paper_pdf, write


def wait_for(condition, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    raise AssertionError("condition not reached")


@pytest.fixture(scope="module")
def built_study(tmp_path_factory):
    """Two papers fetched and their claims extracted by the real commands, once per module."""
    import os

    root = tmp_path_factory.mktemp("study")
    env = {**os.environ, "SYNTH_HOME": str(root / "library"), "SYNTH_CLAIMS": str(root / "claims.yaml"),
           "SYNTH_CACHE": str(root / "cache")}
    for i, title in enumerate(["Intermediate tasks help", "More intermediate data"]):
        pdf = write(root / f"p{i}.pdf", paper_pdf(title, 1, 1.5 + i))
        subprocess.run([str(SYNTH), "--quiet", "fetch", str(pdf)], env=env, check=True, timeout=300)
    subprocess.run([str(SYNTH), "--quiet", "extract"], env=env, check=True, timeout=300)
    assert len(load_claims(root / "claims.yaml").claims) >= 6
    return root


@pytest.fixture
def study(built_study, settings):
    import shutil

    shutil.copytree(built_study / "library", settings.home)
    shutil.copy(built_study / "claims.yaml", settings.claims)
    return settings


def verdicts(path) -> int:
    try:
        return sum(1 for c in load_claims(path, read_only=True).claims if c.verification is not None)
    except Exception:  # mid-write the file may be briefly absent from our view: count as not yet
        return -1


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT, signal.SIGTERM])
def test_a_stopped_verify_keeps_finished_verdicts(study, env, sig):
    total = len(load_claims(study.claims).claims)
    proc = subprocess.Popen([str(SYNTH), "--quiet", "verify"], env={**env, "SYNTH_VERIFY_SAVE_EVERY": "0"},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: verdicts(study.claims) >= 1 or proc.poll() is not None)
    seen = verdicts(study.claims)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    kept = sum(1 for c in load_claims(study.claims).claims if c.verification is not None)  # still readable
    assert seen <= kept <= total
    if proc.returncode == 0:  # finished before the signal arrived: then every verdict is there
        assert kept == total
        return
    assert "Traceback" not in err
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
    else:
        assert proc.returncode == (130 if sig == signal.SIGINT else 143)
        assert err.strip().splitlines()[-1].startswith(("error: interrupted", "error: terminated"))
    assert not list(study.claims.parent.glob(".claims.yaml.*.tmp")) or sig == signal.SIGKILL


@pytest.mark.parametrize("command", [("extract",), ("import-report", "REVIEW"), ("report",)])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupting_a_writer_leaves_claims_yaml_whole(study, env, tmp_path, command, sig):
    from tests.conftest import DATA

    before = study.claims.read_bytes()
    args = [str(DATA / "claims" / "review_stilts.md") if a == "REVIEW" else a for a in command]
    proc = subprocess.Popen([str(SYNTH), *args], env={**env, "SYNTH_REPORTS": str(tmp_path / "reports")},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)  # somewhere in start-up or work: the outcome must be clean wherever it lands
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert "Traceback" not in err
    assert proc.returncode in (0, 130 if sig == signal.SIGINT else 143), err
    if proc.returncode != 0:
        assert err.strip().splitlines()[-1].startswith(("error: interrupted", "error: terminated"))
    doc = load_claims(study.claims)  # whole and valid: the old file or the new one, never a mix
    assert len(doc.claims) >= len(load_claims_from_bytes(before, tmp_path).claims)
    assert not list(study.claims.parent.glob(".claims.yaml.*.tmp"))


def load_claims_from_bytes(data: bytes, tmp_path):
    path = tmp_path / "before.yaml"
    path.write_bytes(data)
    return load_claims(path)
