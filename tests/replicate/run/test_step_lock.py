"""A lock per step: two real worker processes on one runs folder run every step exactly once."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from synth.replicate.data.loading import fixtures_dir
from synth.replicate.pipeline.step_lock import step_lock

from .conftest import DATA

WORKER = r'''
import json, sys, time
from pathlib import Path
from synth.core.settings import Settings
from synth.replicate.pipeline.executors import execute
from synth.replicate.pipeline.plan import build_plan

experiment, data, runs, cache, go = sys.argv[1:6]
settings = Settings(runs=Path(runs), cache=Path(cache))
plan = build_plan(experiment, "tiny", data_dir=data)
Path(go + "." + sys.argv[6]).write_text("ready")
while not Path(go).exists():  # both workers are loaded before either starts: they race for the same steps
    time.sleep(0.01)
events = []
report = execute(plan, Path(runs), settings, progress=False, on_event=lambda e, s: events.append([e, s.id]))
print(json.dumps({"report": report.as_dict(), "events": events}))
'''


def test_two_workers_on_shared_storage_run_each_step_once(tmp_path, tiny_model):
    data = tmp_path / "data"
    for family in ("sst2", "tatoeba"):
        shutil.copytree(fixtures_dir() / family, data / family)
    cache, runs, go = tmp_path / "cache", tmp_path / "runs", tmp_path / "go"
    shutil.copytree(tiny_model, cache / "models" / "tiny-xlmr")
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    env = dict(os.environ, TOKENIZERS_PARALLELISM="false", OMP_NUM_THREADS="1")
    args = [str(DATA / "sst2_tatoeba.yaml"), str(data), str(runs), str(cache), str(go)]
    workers = [subprocess.Popen([sys.executable, str(script), *args, str(i)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env) for i in range(2)]
    deadline = time.time() + 240
    while not all(Path(f"{go}.{i}").exists() for i in range(2)):
        assert time.time() < deadline and all(w.poll() is None for w in workers), [w.communicate() for w in workers]
        time.sleep(0.05)
    go.write_text("go")
    outputs = []
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        outputs.append(json.loads(out.splitlines()[-1]))
    reports = [o["report"] for o in outputs]
    steps = sorted(p.name for p in runs.iterdir() if p.is_dir() and not p.name.startswith("."))
    assert len(steps) == 2 and all((runs / s / "DONE").exists() for s in steps)
    for step in steps:  # every step ran in exactly one worker; the other found it done (waiting if needed)
        ran = [step in r["ran"] for r in reports]
        assert sum(ran) == 1 and all(step in r["ran"] + r["cached"] for r in reports)
        assert all(not r["failed"] for r in reports)
    inter = next(s for s in steps if s.startswith("intermediate-"))
    log = [json.loads(line) for line in (runs / inter / "train_log.jsonl").read_text().splitlines()]
    assert [e["event"] for e in log].count("start") == 1 and "resume" not in [e["event"] for e in log]
    assert (runs / ".locks" / f"{inter}.lock").exists()


def test_lock_names_its_holder_and_is_released_when_the_block_ends(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from synth.replicate.pipeline.step_lock import step_lock\n"
        "with step_lock(Path(sys.argv[1]), 'eval-0000000000000000'):\n"
        "    Path(sys.argv[2]).write_text('held'); time.sleep(1.5); Path(sys.argv[3]).write_text('leaving')\n"),
        str(tmp_path), str(tmp_path / "held"), str(tmp_path / "leaving")])
    deadline = time.time() + 60
    while not (tmp_path / "held").exists():
        assert time.time() < deadline and holder.poll() is None
        time.sleep(0.02)
    waited: list[str] = []
    with step_lock(tmp_path, "eval-0000000000000000", on_wait=waited.append):
        assert (tmp_path / "leaving").exists()  # we got the lock only after the holder's block ended
    assert len(waited) == 1 and f"pid {holder.pid}" in waited[0]
    assert holder.wait(timeout=60) == 0
