"""The training loop's selection logic: early stopping on dev, best-model export, warmup schedule, logs."""

from __future__ import annotations

import json

import pytest
import torch

from synth.replicate.training.model import HeadSpec, build_model, load_checkpoint
from synth.replicate.training.loop import TrainConfig, _linear_warmup, train
from synth.core.errors import ReplicationError


def _rows(n=32):
    g = torch.Generator().manual_seed(0)
    return [{"input_ids": [0] + torch.randint(5, 300, (int(l),), generator=g).tolist() + [2], "labels": i % 3}
            for i, l in enumerate(torch.randint(3, 20, (n,), generator=g))]


def test_early_stopping_keeps_the_best_dev_model(tiny_model, tmp_path):
    torch.set_num_threads(1)
    model = build_model(tiny_model, HeadSpec("classification", num_labels=3))
    scores = iter([50.0, 60.0, 55.0, 54.0, 53.0, 99.0])  # best at the 2nd evaluation, then 2 without gain
    snapshots = {}

    def dev(m):
        snapshots[len(snapshots)] = m.head[1].weight.detach().clone()
        return next(scores)

    config = TrainConfig(learning_rate=1e-3, batch_size=4, grad_accum=1, epochs=10, eval_every=2, patience=2,
                         checkpoint_every=100, log_every=1)
    summary = train(model, _rows(), tmp_path / "run", config, pad_id=1, dev_score=dev, progress=False)
    assert summary["stopped_early"] and summary["best_dev"] == 60.0 and summary["best_step"] == 4
    assert summary["steps"] == 8 < summary["total_steps"]  # 4 evaluations, then patience ran out
    exported = load_checkpoint(tmp_path / "run" / "model")  # the exported model is the best, not the last
    assert torch.equal(exported.head[1].weight, snapshots[1])
    events = [json.loads(l)["event"] for l in (tmp_path / "run" / "train_log.jsonl").read_text().splitlines()]
    assert events.count("eval") == 4 and events[-1] == "done"
    # a finished run is never re-trained: calling train again returns the recorded summary
    assert train(model, _rows(), tmp_path / "run", config, pad_id=1, dev_score=dev, progress=False) == summary


def test_linear_warmup_then_decay():
    f = _linear_warmup(10, 100)
    assert [f(0), f(5), f(10), f(55), f(100)] == [0.0, 0.5, 1.0, 0.5, 0.0]


def test_empty_training_set_is_a_clear_error(tiny_model, tmp_path):
    model = build_model(tiny_model, HeadSpec("classification", num_labels=3))
    with pytest.raises(ReplicationError, match="no training examples"):
        train(model, [], tmp_path / "r", TrainConfig(), pad_id=1, progress=False)
