"""Fail fast (issue 23, part 4): `synth replicate run` with the HF variables unset and the Hub unreachable asks
once, then stops in one line naming --data-dir and --offline, instead of every step retrying the Hub."""

from __future__ import annotations

import socket
import time

import pytest

from synth.replicate.data.sources import hub_unreachable

HF_VARS = ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once closed


@pytest.fixture
def online_env(monkeypatch):
    for name in HF_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{_closed_port()}")


def test_probe_says_why_the_hub_cannot_be_used(online_env, monkeypatch):
    assert "127.0.0.1 cannot be reached" in hub_unreachable(timeout_s=2)
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{listening.getsockname()[1]}")
        assert hub_unreachable(timeout_s=2) is None
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert "HF_HUB_OFFLINE" in hub_unreachable()


def test_run_stops_once_in_one_line(cli, settings, online_env, tmp_path, monkeypatch):
    calls = []
    import synth.replicate.data.sources as sources

    real = sources.hub_unreachable
    monkeypatch.setattr(sources, "hub_unreachable", lambda *a, **k: calls.append(1) or real(*a, **k))
    started = time.monotonic()
    run = cli("replicate", "run", "xstilts", "--runs", str(tmp_path / "runs"))
    assert run.exit_code == 1, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "read task data from the Hugging Face Hub" in lines[0] and "cannot be reached" in lines[0]
    assert "--data-dir" in lines[0] and "--offline" in lines[0]
    assert calls == [1] and time.monotonic() - started < 60
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").glob("*-*"))  # no step started


def test_offline_is_local_only(cli, settings, online_env, tmp_path):
    """--offline is --local-only: with no local data nothing can run, and it says so at once (no Hub probe)."""
    run = cli("replicate", "run", "xstilts", "--offline", "--runs", str(tmp_path / "runs"))
    assert run.exit_code == 2
    assert "the Hub is not allowed (local only)" in run.stderr and "cannot be reached" not in run.stderr
