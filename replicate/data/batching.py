"""Length-grouped batches and dynamic padding: each batch is padded to its own longest row, not to max_length.

The batch order of an epoch is a pure function of (seed, epoch), so a resumed run replays exactly the batches
an uninterrupted run would have seen, and DDP ranks take disjoint interleaved slices of the same list.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

# Rows are sorted by length inside windows of this many batches: long enough to bring padding close to zero,
# short enough that the data order stays well shuffled (the HF Trainer's group_by_length uses 50 as well).
MEGABATCH = 50


def row_length(row: dict) -> int:
    ids = row["input_ids"]
    if ids and isinstance(ids[0], (list, tuple)):  # multiple choice: one sequence per choice
        return max(len(x) for x in ids)
    return len(ids)


def lengths_of(features) -> list[int]:
    """Lengths of every row; reads only the input_ids column of a datasets.Dataset."""
    column = features["input_ids"] if hasattr(features, "column_names") else [r["input_ids"] for r in features]
    out = []
    for ids in column:
        out.append(max(len(x) for x in ids) if ids and isinstance(ids[0], (list, tuple)) else len(ids))
    return out


def length_grouped_batches(lengths: Sequence[int], batch_size: int, *, seed: int, epoch: int,
                           shuffle: bool = True, groups: Sequence[str] | None = None,
                           cap: int | None = None) -> list[list[int]]:
    """Shuffle, sort by length within megabatches, cut into batches, shuffle the batches (longest first).

    With `groups` (a task name per row) every batch holds one group only; mixing the groups' batches in one
    shuffled order samples tasks in proportion to their size (examples-proportional mixing); `cap` (K) keeps
    at most K rows of each group per epoch, a fresh sample each epoch (mixing rate proportional to min(n, K)).
    """
    order = list(range(len(lengths)))
    rng = random.Random(seed * 1_000_003 + epoch)
    if shuffle:
        rng.shuffle(order)
    window = batch_size * MEGABATCH
    batches: list[list[int]] = []
    for name in sorted(set(groups)) if groups is not None else [None]:
        members = [i for i in order if groups is None or groups[i] == name]
        if cap is not None and groups is not None:
            members = members[:cap]
        for start in range(0, len(members), window):
            chunk = sorted(members[start:start + window], key=lambda i: -lengths[i])
            batches.extend(chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size))
    if shuffle and len(batches) > 1:
        longest = max(range(len(batches)), key=lambda b: lengths[batches[b][0]])
        first = batches.pop(longest)
        rng.shuffle(batches)
        batches.insert(0, first)  # fail on out-of-memory in the first step, not hours in
    return batches


def sorted_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Evaluation order: longest first, no shuffling (least padding; results are put back in input order)."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


def shard(batches: list[list[int]], rank: int, world: int) -> list[list[int]]:
    """This rank's batches: every world-th batch, trimmed so all ranks take the same number of steps."""
    usable = len(batches) - len(batches) % world if len(batches) >= world else len(batches)
    return batches[rank:usable:world] if world > 1 else batches


LABEL_KEYS = ("labels", "start_positions", "end_positions")


def collate(rows: list[dict], pad_id: int, pad_to_multiple_of: int = 1) -> dict:
    """Pad a list of feature rows to the batch's longest row; returns torch tensors + real/padded token counts."""
    import torch

    longest = max(row_length(r) for r in rows)
    if pad_to_multiple_of > 1:
        longest = -(-longest // pad_to_multiple_of) * pad_to_multiple_of
    multiple_choice = isinstance(rows[0]["input_ids"][0], (list, tuple))

    def pad(seq, value):
        return list(seq) + [value] * (longest - len(seq))

    if multiple_choice:
        ids = [[pad(c, pad_id) for c in r["input_ids"]] for r in rows]
        mask = [[pad([1] * len(c), 0) for c in r["input_ids"]] for r in rows]
    else:
        ids = [pad(r["input_ids"], pad_id) for r in rows]
        mask = [pad([1] * len(r["input_ids"]), 0) for r in rows]
    batch = {"input_ids": torch.tensor(ids, dtype=torch.long), "attention_mask": torch.tensor(mask, dtype=torch.long)}
    for key in LABEL_KEYS:
        if key in rows[0] and rows[0][key] is not None:
            values = [r[key] for r in rows]
            if isinstance(values[0], (list, tuple)):  # token labels: pad with the ignore index
                values = [pad(v, -100) for v in values]
            batch[key] = torch.tensor(values, dtype=torch.long)
    if "task" in rows[0]:  # multi-task batches are single-task: the model routes on this name
        batch["task"] = rows[0]["task"]
    batch["real_tokens"] = int(batch["attention_mask"].sum())
    batch["padded_tokens"] = int(batch["attention_mask"].numel())
    return batch
