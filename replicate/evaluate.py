"""Zero-shot evaluation: every language of a target in one job, batched, length-sorted, no grad.

`predict` runs the model over feature rows (longest first, results put back in input order); `decode`
turns the raw outputs into predictions the metrics and the official leaderboard files use;
`write_predictions` lays files out as google-research/xtreme's evaluate.py reads them
(<dir>/<task>/test-<lang>.tsv | .json), so `synth replicate score` can score them.
"""

from __future__ import annotations

from pathlib import Path

from synth.core.files import atomic_open, write_json

from .batching import collate, lengths_of, sorted_batches


def predict(model, features, *, batch_size: int = 64, pad_id: int = 1) -> dict[str, list]:
    """Raw outputs per feature row in input order: logits / start+end logits (trimmed) / embeddings."""
    import torch

    model.eval()
    device = next(model.parameters()).device
    cuda = device.type == "cuda"
    lengths = lengths_of(features)
    outputs: dict[str, list] = {}
    task_type = model.spec.task_type
    with torch.inference_mode():
        for batch_ids in sorted_batches(lengths, batch_size):
            rows = [features[i] for i in batch_ids]
            batch = collate([{"input_ids": r["input_ids"]} for r in rows], pad_id, 8 if cuda else 1)
            batch = {k: v.to(device) for k, v in batch.items() if k in ("input_ids", "attention_mask")}
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=cuda):
                out = model(**batch)
            for key, value in out.items():
                if key == "loss":
                    continue
                column = outputs.setdefault(key, [None] * len(lengths))
                value = value.float().cpu().numpy()
                for position, row_index in enumerate(batch_ids):
                    item = value[position]
                    if task_type in ("span_qa", "tagging"):  # drop padding positions
                        item = item[: lengths[row_index]]
                    column[row_index] = item
    return outputs


def decode_labels(logits: list, labels: list[str] | None) -> list:
    """Argmax per row; label names when the task has them (leaderboard files hold names)."""
    import numpy as np

    ids = [int(np.argmax(row)) for row in logits]
    return [labels[i] for i in ids] if labels else ids


def retrieve(source_embeddings, target_embeddings) -> list[int]:
    """Nearest target (cosine) for each source: the Tatoeba protocol."""
    import numpy as np

    src = np.asarray(source_embeddings, dtype=np.float32)
    tgt = np.asarray(target_embeddings, dtype=np.float32)
    src = src / np.clip(np.linalg.norm(src, axis=1, keepdims=True), 1e-9, None)
    tgt = tgt / np.clip(np.linalg.norm(tgt, axis=1, keepdims=True), 1e-9, None)
    return [int(i) for i in (src @ tgt.T).argmax(axis=1)]


def margin_candidates(source_embeddings, target_embeddings, source_ids, target_ids, k: int = 4):
    """BUCC candidates: each source's best target by ratio-margin score (Artetxe & Schwenk, 2019)."""
    import numpy as np

    src = np.asarray(source_embeddings, dtype=np.float32)
    tgt = np.asarray(target_embeddings, dtype=np.float32)
    src = src / np.clip(np.linalg.norm(src, axis=1, keepdims=True), 1e-9, None)
    tgt = tgt / np.clip(np.linalg.norm(tgt, axis=1, keepdims=True), 1e-9, None)
    sim = src @ tgt.T
    k_src, k_tgt = min(k, sim.shape[1]), min(k, sim.shape[0])
    src_knn = np.sort(sim, axis=1)[:, -k_src:].mean(axis=1)
    tgt_knn = np.sort(sim, axis=0)[-k_tgt:, :].mean(axis=0)
    margin = sim / ((src_knn[:, None] + tgt_knn[None, :]) / 2)
    best = margin.argmax(axis=1)
    return [(str(source_ids[i]), str(target_ids[j]), float(margin[i, j])) for i, j in enumerate(best)]


def write_predictions(folder: Path, scoring_name: str, language: str, task_type: str, predictions) -> Path:
    """One language's predictions in the xtreme leaderboard layout: <folder>/<task>/test-<lang>.<ext>."""
    target = Path(folder) / scoring_name
    if task_type == "span_qa":
        path = target / f"test-{language}.json"
        write_json(path, dict(predictions))
        return path
    path = target / f"test-{language}.tsv"
    with atomic_open(path) as fh:
        for item in predictions:
            if task_type == "tagging":  # one tag per line, a blank line after each sentence
                fh.write("".join(f"{tag}\n" for tag in item) + "\n")
            elif isinstance(item, (list, tuple)):  # BUCC pairs / ranked ids
                fh.write("\t".join(str(x) for x in item) + "\n")
            else:
                fh.write(f"{item}\n")
    return path
