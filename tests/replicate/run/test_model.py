"""Encoder + heads, checkpoints, the explicit encoder-only transfer, and length-grouped dynamic padding."""

from __future__ import annotations

import pytest
import torch

from synth.replicate.data.batching import collate, length_grouped_batches, shard, sorted_batches
from synth.replicate.training.model import HeadSpec, build_model, load_checkpoint, save_checkpoint, transfer_encoder
from synth.core.errors import ReplicationError


def _batch(n=3, length=7, vocab=100):
    ids = torch.randint(5, vocab, (n, length), generator=torch.Generator().manual_seed(0))
    return ids, torch.ones_like(ids)


@pytest.mark.parametrize("task_type,labels,expected", [
    ("classification", 3, (3, 3)), ("tagging", 5, (3, 7, 5)), ("span_qa", 0, (3, 7)), ("retrieval", 0, (3, 32)),
])
def test_heads_produce_task_shaped_outputs(tiny_model, task_type, labels, expected):
    model = build_model(tiny_model, HeadSpec(task_type, num_labels=labels))
    ids, mask = _batch()
    out = model(ids, mask)
    key = {"classification": "logits", "tagging": "logits", "span_qa": "start_logits", "retrieval": "embeddings"}
    assert tuple(out[key[task_type]].shape) == expected


def test_multiple_choice_scores_each_choice_and_computes_loss(tiny_model):
    model = build_model(tiny_model, HeadSpec("multiple_choice"))
    ids = torch.randint(5, 100, (2, 4, 6))
    out = model(ids, torch.ones_like(ids), labels=torch.tensor([1, 3]))
    assert tuple(out["logits"].shape) == (2, 4) and out["loss"].item() > 0


def test_retrieval_mean_pools_the_configured_layer_over_real_tokens(tiny_model):
    model = build_model(tiny_model, HeadSpec("retrieval", retrieval_layer=1)).eval()
    ids, mask = _batch(n=1, length=6)
    padded_ids = torch.cat([ids, torch.ones(1, 4, dtype=torch.long)], 1)
    padded_mask = torch.cat([mask, torch.zeros(1, 4, dtype=torch.long)], 1)
    with torch.no_grad():
        states = model.encoder(input_ids=ids, attention_mask=mask, output_hidden_states=True).hidden_states
        plain = model(ids, mask)["embeddings"]
        padded = model(padded_ids, padded_mask)["embeddings"]
    assert torch.allclose(plain, states[1].mean(1), atol=1e-6)
    assert torch.allclose(plain, padded, atol=1e-5)  # padding does not leak into the mean
    # only the layers below the pooled one run, and the encoder keeps all of them afterwards
    assert len(model.encoder.encoder.layer) == 4
    model.spec.retrieval_layer = 3
    with torch.no_grad():
        assert torch.allclose(model(ids, mask)["embeddings"], states[3].mean(1), atol=1e-6)
    assert len(model.encoder.encoder.layer) == 4


def test_encoder_only_transfer_keeps_encoder_and_reinitialises_head(tiny_model, tmp_path):
    trained = build_model(tiny_model, HeadSpec("classification", num_labels=3, labels=["a", "b", "c"]), seed=0)
    with torch.no_grad():  # stand-in for training: move every weight away from its initial value
        for p in trained.parameters():
            p.add_(0.5)
    save_checkpoint(trained, tmp_path / "ckpt")
    assert (tmp_path / "ckpt" / "encoder" / "model.safetensors").exists()
    assert (tmp_path / "ckpt" / "head.safetensors").exists()

    reloaded = load_checkpoint(tmp_path / "ckpt")
    assert reloaded.spec.labels == ["a", "b", "c"]
    assert all(torch.equal(a, b) for a, b in zip(trained.state_dict().values(), reloaded.state_dict().values()))

    moved = transfer_encoder(tmp_path / "ckpt", HeadSpec("tagging", num_labels=4), seed=1)
    enc_a, enc_b = trained.encoder.state_dict(), moved.encoder.state_dict()
    assert enc_a.keys() == enc_b.keys() and all(torch.equal(enc_a[k], enc_b[k]) for k in enc_a)
    assert moved.head.weight.shape == (4, 32)
    fresh = build_model(tiny_model, HeadSpec("tagging", num_labels=4), seed=1)
    assert torch.equal(moved.head.weight, fresh.head.weight)  # a fresh head, not anything trained
    # a same-shaped head is re-initialised too: transfer never carries the old task's head over
    same = transfer_encoder(tmp_path / "ckpt", HeadSpec("classification", num_labels=3), seed=0)
    assert not torch.equal(same.head[1].weight, trained.head[1].weight)


def test_load_checkpoint_rejects_a_folder_without_model_json(tmp_path):
    with pytest.raises(ReplicationError, match="not a checkpoint folder"):
        load_checkpoint(tmp_path)


def test_length_grouping_is_deterministic_and_pads_less_than_random_batches():
    import random

    rng = random.Random(0)
    lengths = [rng.randint(5, 200) for _ in range(2000)]
    a = length_grouped_batches(lengths, 16, seed=3, epoch=1)
    assert a == length_grouped_batches(lengths, 16, seed=3, epoch=1)
    assert a != length_grouped_batches(lengths, 16, seed=3, epoch=2)
    assert sorted(i for b in a for i in b) == list(range(2000))
    assert max(lengths[i] for i in a[0]) == max(lengths)  # the longest batch comes first

    def efficiency(batches):
        return sum(lengths) / sum(len(b) * max(lengths[i] for i in b) for b in batches)

    order = list(range(2000))
    rng.shuffle(order)
    random_batches = [order[i:i + 16] for i in range(0, 2000, 16)]
    assert efficiency(a) > 0.95 > efficiency(random_batches)
    assert efficiency(sorted_batches(lengths, 16)) > 0.99


def test_shard_gives_ranks_disjoint_equal_slices():
    batches = [[i] for i in range(10)]
    parts = [shard(batches, r, 3) for r in range(3)]
    assert [len(p) for p in parts] == [3, 3, 3]
    assert sorted(x[0] for p in parts for x in p) == list(range(9))


def test_collate_pads_to_the_longest_row_only():
    rows = [{"input_ids": [0, 5, 2], "labels": [-100, 1, -100]}, {"input_ids": [0, 5, 6, 7, 2], "labels": [-100, 1, 2, 3, -100]}]
    batch = collate(rows, pad_id=1)
    assert batch["input_ids"].tolist() == [[0, 5, 2, 1, 1], [0, 5, 6, 7, 2]]
    assert batch["attention_mask"].tolist() == [[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]
    assert batch["labels"].tolist()[0] == [-100, 1, -100, -100, -100]
    assert (batch["real_tokens"], batch["padded_tokens"]) == (8, 10)
    assert collate(rows, pad_id=1, pad_to_multiple_of=8)["input_ids"].shape == (2, 8)


def test_multitask_model_shares_one_encoder_and_routes_batches(tiny_model, tmp_path):
    from synth.replicate.training.model import build_multitask_model

    specs = {"mnli": HeadSpec("classification", num_labels=3), "ccg": HeadSpec("tagging", num_labels=5)}
    model = build_multitask_model(tiny_model, specs, seed=0)
    keys = list(model.state_dict())
    assert sum(k.startswith("encoder.embeddings.word_embeddings") for k in keys) == 1  # the encoder once
    assert {k.split(".")[1] for k in keys if k.startswith("heads.")} == {"mnli", "ccg"}
    ids, mask = _batch()
    assert tuple(model(task="mnli", input_ids=ids, attention_mask=mask)["logits"].shape) == (3, 3)
    assert tuple(model(task="ccg", input_ids=ids, attention_mask=mask)["logits"].shape) == (3, 7, 5)
    model.eval()
    assert not model._members["ccg"].dropout.training  # mode reaches the members' dropout

    save_checkpoint(model, tmp_path / "mt")
    with pytest.raises(ReplicationError, match="multi-task checkpoint"):
        load_checkpoint(tmp_path / "mt")
    moved = transfer_encoder(tmp_path / "mt", HeadSpec("classification", num_labels=2))
    assert all(torch.equal(a, b) for a, b in zip(model.encoder.state_dict().values(),
                                                  moved.encoder.state_dict().values()))


def test_grouped_batches_never_mix_tasks():
    lengths = list(range(5, 65))
    groups = ["a"] * 20 + ["b"] * 40
    batches = length_grouped_batches(lengths, 8, seed=0, epoch=0, groups=groups)
    assert all(len({groups[i] for i in b}) == 1 for b in batches)
    assert sorted(i for b in batches for i in b) == list(range(60))
