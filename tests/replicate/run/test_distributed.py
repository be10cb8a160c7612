"""The GPU-side code paths that a CPU can exercise: a real 2-process DDP run (gloo) of multi-task training with
rank-0 dev evaluation and early stopping decided once for all ranks; the precision choice; fp32 pooling under
bf16 autocast; bf16 target checkpoints that load back in fp32; one model copy per training step."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import torch

from synth.replicate.training.model import HeadSpec, build_model, load_checkpoint, save_checkpoint
from synth.replicate.training.loop import choose_precision

DDP_SCRIPT = r'''
import json, os, sys
from pathlib import Path
import torch
torch.set_num_threads(1)
from synth.replicate.data.loading import featurize, fixtures_dir, load_split
from synth.replicate.training.model import HeadSpec, build_multitask_model, load_tokenizer
from synth.replicate.training.loop import TrainConfig, train

model_dir, out = sys.argv[1], Path(sys.argv[2])
tok = load_tokenizer(model_dir)
rows = []
for name in ("mnli", "qqp"):
    features = featurize(name, load_split(name, "train", data_dir=fixtures_dir()), tok, max_length=48)
    rows += [dict(r, task=name) for r in features.select_columns(["input_ids", "labels"]).to_list()]
specs = {"mnli": HeadSpec("classification", 3, labels=["entailment", "neutral", "contradiction"]),
         "qqp": HeadSpec("classification", 2, labels=["not_duplicate", "duplicate"])}
model = build_multitask_model(model_dir, specs, seed=0)
calls = []

def dev(m):  # 1, 0, 1, 0, ...: never better than the first -> patience 2 stops at the third evaluation
    calls.append(1)
    return float(len(calls) % 2)

config = TrainConfig(learning_rate=1e-3, batch_size=4, grad_accum=2, epochs=20, eval_every=1, patience=2,
                     checkpoint_every=1000, log_every=1, seed=0)
summary = train(model, rows, out, config, pad_id=tok.pad_token_id, dev_score=dev, tokenizer=tok, progress=False)
rank = int(os.environ["RANK"])  # one file per rank: two processes printing to one pipe interleave their lines
(out.parent / f"rank{rank}.json").write_text(json.dumps({"rank": rank, "summary": summary, "dev_calls": len(calls)}))
'''


def test_two_process_ddp_multitask_with_rank0_evaluation(tmp_path, tiny_model):
    script = tmp_path / "ddp_train.py"
    script.write_text(DDP_SCRIPT)
    env = dict(os.environ, OMP_NUM_THREADS="1", TOKENIZERS_PARALLELISM="false")
    result = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
                             str(script), str(tiny_model), str(tmp_path / "out")],
                            capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    runs = {r["rank"]: r for r in (json.loads(p.read_text()) for p in tmp_path.glob("rank*.json"))}
    assert set(runs) == {0, 1}
    assert runs[0]["dev_calls"] == 3 and runs[1]["dev_calls"] == 0  # dev scored on rank 0 only
    assert runs[0]["summary"] == runs[1]["summary"]  # same steps, same stop: one decision for all ranks
    summary = runs[0]["summary"]
    assert summary["world_size"] == 2 and summary["stopped_early"] and summary["steps"] == 3
    assert summary["best_step"] == 1 and summary["best_dev"] == 1.0
    out = tmp_path / "out"
    assert (out / "model" / "model.json").exists() and not (out / "best").exists()  # one copy: best -> model
    log = [json.loads(line) for line in (out / "train_log.jsonl").read_text().splitlines()]
    assert [e["event"] for e in log].count("start") == 1  # written by rank 0 only


def test_precision_is_bf16_only_where_supported(monkeypatch):
    assert choose_precision("auto") == ("no" if not torch.cuda.is_available() else choose_precision("auto"))
    assert choose_precision("fp16") == "fp16" and choose_precision("no") == "no"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: False)
    assert choose_precision("auto") == "fp16"  # e.g. a V100: fp16 with the loss scaler
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    assert choose_precision("auto") == "bf16"


def test_predictions_autocast_in_the_precision_training_chose(monkeypatch):
    from synth.replicate.evaluation.predict import autocast_dtype

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: False)
    assert autocast_dtype("auto", "cuda") == torch.float16  # a V100 trains in fp16: evaluation too, not bf16
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    assert autocast_dtype("auto", "cuda") == torch.bfloat16
    assert autocast_dtype("auto", "cpu") is None and autocast_dtype("fp16", "cpu") is None
    assert autocast_dtype("bf16", "cpu") == torch.bfloat16 and autocast_dtype("no", "cuda") is None


def test_retrieval_pooling_stays_fp32_under_bf16_autocast(tiny_model):
    model = build_model(tiny_model, HeadSpec("retrieval", retrieval_layer=2))
    ids = torch.tensor([[0, 10, 11, 12, 2, 1, 1], [0, 13, 14, 15, 16, 17, 2]])
    mask = (ids != 1).long()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        pooled = model(input_ids=ids, attention_mask=mask)["embeddings"]
    assert pooled.dtype == torch.float32
    exact = model(input_ids=ids, attention_mask=mask)["embeddings"]
    assert torch.allclose(pooled, exact, atol=0.1)  # the same vectors, computed under autocast


def test_bf16_checkpoints_halve_the_encoder_and_load_back_in_fp32(tmp_path, tiny_model):
    model = build_model(tiny_model, HeadSpec("classification", num_labels=3, labels=["a", "b", "c"]), seed=0)
    save_checkpoint(model, tmp_path / "fp32")
    save_checkpoint(model, tmp_path / "bf16", dtype="bfloat16")
    size = lambda p: (p / "encoder" / "model.safetensors").stat().st_size  # noqa: E731
    assert size(tmp_path / "bf16") < 0.6 * size(tmp_path / "fp32")
    loaded = load_checkpoint(tmp_path / "bf16")
    assert next(loaded.encoder.parameters()).dtype == torch.float32
    ids = torch.tensor([[0, 10, 11, 12, 2]])
    model.eval(), loaded.eval()
    with torch.no_grad():
        a = model(input_ids=ids, attention_mask=torch.ones_like(ids))["logits"]
        b = loaded(input_ids=ids, attention_mask=torch.ones_like(ids))["logits"]
    assert torch.allclose(a, b, atol=0.05) and a.argmax() == b.argmax()


@pytest.mark.parametrize("kind, dtype", [("target", "bfloat16"), ("intermediate", "float32")])
def test_paper_profile_saves_targets_in_bf16_and_keeps_intermediates_fp32(kind, dtype):
    from synth.replicate.pipeline.plan import build_plan

    plan = build_plan("xstilts", "paper", only=["xnli"])
    assert {s.config.checkpoint_dtype for s in plan.steps.values() if s.kind == kind} == {dtype}
    assert all(s.config.hyper.batch_size == s.config.hyper.effective_batch
               for s in plan.steps.values() if s.kind != "eval")  # the device is filled, no accumulation


def test_precision_is_part_of_a_step_only_when_chosen(run_settings, mini_experiment):
    from synth.core.errors import ConfigError
    from synth.replicate.pipeline.executors import execute
    from synth.replicate.pipeline.plan import build_plan
    from synth.replicate.pipeline.results import read_results

    auto = build_plan(str(mini_experiment), "tiny", only=["xnli"])
    bf16 = build_plan(str(mini_experiment), "tiny", only=["xnli"], precision="bf16")
    assert not set(auto.steps) & set(bf16.steps)  # an explicit precision changes the numbers, so the ids
    assert {s.config.hyper.precision for s in bf16.steps.values() if s.kind != "eval"} == {"bf16"}
    with pytest.raises(ConfigError, match="unknown precision 'half'"):
        build_plan(str(mini_experiment), "tiny", precision="half")
    report = execute(bf16, run_settings.runs, run_settings, progress=False)  # bf16 autocast on this CPU
    assert report.ok, report.failed
    summaries = [json.loads((run_settings.runs / s.id / "train_summary.json").read_text())
                 for s in bf16.steps.values() if s.kind != "eval"]
    assert {s["precision"] for s in summaries} == {"bf16"}
    assert all(0 <= v <= 100 for v in read_results(run_settings.runs / bf16.evals()[0].id / "results.json").score.values())
