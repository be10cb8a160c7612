"""`synth replicate preflight`: every (task, split) of a plan checked before GPU time; offline it says which
checks need the Hub; Hub commits are pinned into the lock file the step ids hash."""

from __future__ import annotations

import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from synth.replicate.data.loading import fixtures_dir
from synth.replicate.data.sources import read_hub_lock
from synth.replicate.pipeline.plan import build_plan
from synth.replicate.pipeline.preflight import preflight, resolve_hub_commit
from tests.cli_harness import make_cli

from .conftest import DATA


def test_xstilts_paper_plan_passes_offline_except_what_needs_the_hub(tmp_path, settings, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(fixtures_dir() / "ccg", data / "ccg")  # CCG is local-only: the user supplies it
    report = preflight(build_plan("xstilts", "paper", data_dir=data), lock_file=tmp_path / "lock.json", offline=True)
    assert report.ok and report.count("missing") == report.count("bad") == 0
    assert {c.task for c in report.checks if c.status == "ok"} == {"ccg"} and report.count("ok") == 2
    hub = [c for c in report.checks if c.status == "needs-hub"]
    assert len(hub) > 150 and all("needs the Hub (offline)" in c.message for c in hub)
    assert any(c.task == "udpos_kk" and c.split == "test" for c in hub)  # the fallback split is what is checked
    cli = make_cli(settings, monkeypatch)
    result = cli("replicate", "preflight", "xstilts", "--data-dir", str(data))
    assert result.exit_code == 0 and "2 ok," in result.stdout and "0 missing, 0 bad" in result.stdout
    assert "need the Hub: run preflight online before GPU time" in result.stderr
    strict = cli("replicate", "preflight", "xstilts", "--data-dir", str(data), "--strict")
    assert strict.exit_code == 1
    without = cli("replicate", "preflight", "xstilts")  # no CCG files: reported as missing, exit 1
    assert without.exit_code == 1 and "missing  intermediate ccg" in without.stdout


def test_bad_local_rows_are_found_before_training(tmp_path):
    data = tmp_path / "data"
    for family in ("sst2", "tatoeba"):
        shutil.copytree(fixtures_dir() / family, data / family)
    lines = (data / "sst2" / "train.jsonl").read_text().splitlines()
    lines[5] = lines[5][:-3]  # a truncated line in the middle of the file
    (data / "sst2" / "train.jsonl").write_text("\n".join(lines) + "\n")
    (data / "tatoeba" / "test.af.jsonl").write_text(json.dumps({"src": "x", "tgt": "y"}) + "\n")
    report = preflight(build_plan(str(DATA / "sst2_tatoeba.yaml"), "tiny", data_dir=data), lock_file=None)
    bad = {c.task: c.message for c in report.checks if c.status == "bad"}
    assert not report.ok and set(bad) == {"sst2", "tatoeba_af"}
    assert "train.jsonl:6: invalid JSON" in bad["sst2"]
    assert "first row lacks column(s) source_sentence, target_sentence (has src, tgt)" in bad["tatoeba_af"]


class _HubApi(BaseHTTPRequestHandler):
    """The one Hub API route preflight pins commits with: GET /api/datasets/<id>/revision/<ref>."""

    def do_GET(self):  # noqa: N802
        if self.path.startswith("/api/datasets/google/xtreme/revision/"):
            body = json.dumps({"id": "google/xtreme", "sha": "c0ffee" * 6 + "abcd"}).encode()
            self.send_response(200)
        else:
            body = json.dumps({"error": "Repository not found"}).encode()
            self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def hub_api(monkeypatch):
    import huggingface_hub.constants

    server = HTTPServer(("127.0.0.1", 0), _HubApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    yield
    server.shutdown()


def test_hub_commits_resolve_through_the_hub_api(hub_api):
    assert resolve_hub_commit("google/xtreme", None) == "c0ffee" * 6 + "abcd"
    with pytest.raises(Exception, match="cannot resolve nobody/nothing@main on the Hub"):
        resolve_hub_commit("nobody/nothing", None)


def test_preflight_online_pins_commits_into_the_lock_file(hub_api, tmp_path):
    plan = build_plan("xstilts", "paper", only=["baseline"])
    tatoeba = next(s for s in plan.evals() if s.meta["target"] == "tatoeba")
    plan.steps = {tatoeba.id: tatoeba}  # one dataset: google/xtreme (Tatoeba), served by the loopback API
    report = preflight(plan, lock_file=tmp_path / "hub.lock.json", offline=False)
    assert report.pinned == {"google/xtreme@main": "c0ffee" * 6 + "abcd"}
    lock = read_hub_lock(tmp_path / "hub.lock.json")
    assert lock.commit("google/xtreme", None) == "c0ffee" * 6 + "abcd"
    # rows cannot be streamed from the loopback API: each check says so instead of passing silently
    assert report.count("bad") == len(tatoeba.config.inputs) and report.count("ok") == 0
    repinned = build_plan("xstilts", "paper", only=["baseline"], hub_lock=tmp_path / "hub.lock.json")
    ev = next(s for s in repinned.evals() if s.meta["target"] == "tatoeba")
    assert ev.id != tatoeba.id and ev.config.inputs["de"].pinned


def bad_checks(data) -> dict[str, str]:
    plan = build_plan(str(DATA / "sst2_tatoeba.yaml"), "tiny", data_dir=data)  # a new plan: the files changed
    return {c.task: c.message for c in preflight(plan, lock_file=None).checks if c.status == "bad"}


def test_a_json_array_file_that_training_reads_passes_preflight(tmp_path):
    """A .json holding one array of rows is read by `datasets` for training, so preflight must accept it too."""
    from synth.replicate.data.loading import read_local
    from synth.replicate.data.taskconfig import load_task

    data = tmp_path / "data"
    for family in ("sst2", "tatoeba"):
        shutil.copytree(fixtures_dir() / family, data / family)
    jsonl = data / "sst2" / "train.jsonl"
    rows = [json.loads(line) for line in jsonl.read_text().splitlines() if line.strip()]
    array = data / "sst2" / "train.json"
    array.write_text(json.dumps(rows, indent=2))  # pretty-printed: no line is a row
    jsonl.unlink()
    plan = build_plan(str(DATA / "sst2_tatoeba.yaml"), "tiny", data_dir=data)
    report = preflight(plan, lock_file=None)
    assert report.ok and report.count("bad") == 0, [c.message for c in report.checks if c.status == "bad"]
    assert read_local(load_task("sst2"), array).to_list() == rows  # and training reads the same rows

    array.write_text(json.dumps(rows[:3] + [["not", "a", "row"]], indent=2))
    bad = bad_checks(data)
    assert set(bad) == {"sst2"} and "train.json: row 4 is not a JSON object but a list" in bad["sst2"]
    array.write_text(json.dumps(rows[:3], indent=2)[:-20])
    bad = bad_checks(data)
    assert "train.json:" in bad["sst2"] and "invalid JSON" in bad["sst2"]
