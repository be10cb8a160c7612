"""Kill-and-resume: a training process SIGKILLed mid-run resumes from its checkpoint and ends with exactly the
numbers of an uninterrupted run (CPU, deterministic)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = r'''
import json, os, signal, sys
from pathlib import Path
import torch
torch.set_num_threads(1)
from synth.replicate.data.loading import featurize, fixtures_dir, load_split
from synth.replicate.training.model import HeadSpec, build_model, load_tokenizer
from synth.replicate.training.loop import TrainConfig, train
from synth.replicate.evaluation.score import dev_scorer

model_dir, out, kill_at = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
tok = load_tokenizer(model_dir)
rows = load_split("mnli", "train", data_dir=fixtures_dir())
labels = ["entailment", "neutral", "contradiction"]
features = featurize("mnli", rows, tok, max_length=64, cache_dir=out / "features")
dev = dev_scorer(__import__("synth.replicate.data.taskconfig", fromlist=["x"]).load_task("mnli"),
                 load_split("mnli", "validation", data_dir=fixtures_dir()), tok, labels, max_length=64,
                 pad_id=tok.pad_token_id)
model = build_model(model_dir, HeadSpec("classification", num_labels=3, labels=labels), seed=0)
config = TrainConfig(learning_rate=1e-3, batch_size=4, grad_accum=2, epochs=3, checkpoint_every=2,
                     eval_every=3, log_every=1, seed=0)

def on_step(state):
    if state["step"] == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)  # no clean-up, no atexit: a real crash

summary = train(model, features, out, config, pad_id=tok.pad_token_id, dev_score=dev, on_step=on_step,
                progress=False)
print(json.dumps(summary))
'''


def _start(script: Path, model: Path, out: Path, kill_at: int) -> subprocess.Popen:
    env = dict(os.environ, TOKENIZERS_PARALLELISM="false")
    return subprocess.Popen([sys.executable, str(script), str(model), str(out), str(kill_at)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _steps(out: Path) -> dict[int, dict]:
    rows = [json.loads(line) for line in (out / "train_log.jsonl").read_text().splitlines()]
    return {r["step"]: r for r in rows if r["event"] == "step"}


def test_killed_run_resumes_to_identical_numbers(tmp_path, tiny_model):
    script = tmp_path / "train_mnli.py"
    script.write_text(SCRIPT)
    straight, crashed = tmp_path / "straight", tmp_path / "crashed"
    a = _start(script, tiny_model, straight, 0)
    b = _start(script, tiny_model, crashed, 5)  # dies after step 5; the last checkpoint is step 4
    out_a, err_a = a.communicate(timeout=300)
    _, err_b = b.communicate(timeout=300)
    assert a.returncode == 0, err_a
    assert b.returncode == -9, err_b
    assert (crashed / "checkpoints" / "LATEST").read_text().strip() == "step-4"
    assert not (crashed / "train_summary.json").exists() and not (crashed / "model").exists()

    c = _start(script, tiny_model, crashed, 0)
    out_c, err_c = c.communicate(timeout=300)
    assert c.returncode == 0, err_c
    expected, resumed = json.loads(out_a.splitlines()[-1]), json.loads(out_c.splitlines()[-1])
    assert resumed == expected  # steps, best dev score and step, token counts: all identical
    log = [json.loads(line) for line in (crashed / "train_log.jsonl").read_text().splitlines()]
    assert [e["step"] for e in log if e["event"] == "resume"] == [4]
    # every logged loss and learning rate after the resume point equals the uninterrupted run's
    a_steps, c_steps = _steps(straight), _steps(crashed)
    for step in range(5, expected["steps"] + 1):
        assert c_steps[step]["loss"] == a_steps[step]["loss"]
        assert c_steps[step]["lr"] == a_steps[step]["lr"]
    # and the final weights are bit-identical
    from safetensors.torch import load_file

    wa = load_file(str(straight / "model" / "head.safetensors"))
    wc = load_file(str(crashed / "model" / "head.safetensors"))
    assert all((wa[k] == wc[k]).all() for k in wa)
    ea = load_file(str(straight / "model" / "encoder" / "model.safetensors"))
    ec = load_file(str(crashed / "model" / "encoder" / "model.safetensors"))
    assert all((ea[k] == ec[k]).all() for k in ea)
