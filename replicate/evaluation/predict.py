"""Zero-shot evaluation: every language of a target in one job, batched, length-sorted, no grad.

`predict` runs the model over feature rows (longest first, results put back in input order); `decode`
turns the raw outputs into predictions the metrics and the official leaderboard files use;
`write_predictions` lays files out as google-research/xtreme's evaluate.py reads them
(<dir>/<task>/test-<lang>.tsv | .json), so `synth replicate score` can score them.
"""

from __future__ import annotations

from pathlib import Path

from synth.core.files import atomic_open, write_json

from ..data.batching import collate, lengths_of, sorted_batches


def choose_precision(requested: str) -> str:
    """The mixed precision to train and predict in: 'auto' = bf16 where the GPU supports it, else fp16 on a GPU,
    none on CPU; an explicit choice stands."""
    import torch

    if requested != "auto":
        return requested
    if not torch.cuda.is_available():
        return "no"
    return "bf16" if torch.cuda.is_bf16_supported() else "fp16"


def autocast_dtype(precision: str, device_type: str):
    """The autocast dtype for inference, by the training rule (choose_precision): bf16 also on CPUs when asked
    for explicitly (avx512_bf16 / AMX make it faster there); fp16 on GPU only."""
    import torch

    chosen = "no" if precision == "auto" and device_type != "cuda" else choose_precision(precision)
    if chosen == "bf16":
        return torch.bfloat16
    if chosen == "fp16" and device_type == "cuda":
        return torch.float16
    return None


def predict(model, features, *, batch_size: int = 64, pad_id: int = 1, precision: str = "auto") -> dict[str, list]:
    """Raw outputs per feature row in input order: logits / start+end logits (trimmed) / embeddings."""
    import torch

    model.eval()
    device = next(model.parameters()).device
    cuda = device.type == "cuda"
    dtype = autocast_dtype(precision, device.type)
    lengths = lengths_of(features)
    outputs: dict[str, list] = {}
    task_type = model.spec.task_type
    with torch.inference_mode():
        for batch_ids in sorted_batches(lengths, batch_size):
            rows = [features[i] for i in batch_ids]
            batch = collate([{"input_ids": r["input_ids"]} for r in rows], pad_id, 8 if cuda else 1)
            batch = {k: v.to(device) for k, v in batch.items() if k in ("input_ids", "attention_mask")}
            with torch.autocast(device.type, dtype=dtype or torch.bfloat16, enabled=dtype is not None):
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


def _normalised(embeddings):
    import torch

    import numpy as np

    x = torch.as_tensor(np.asarray(embeddings, dtype=np.float32))
    return x / x.norm(dim=1, keepdim=True).clamp(min=1e-9)


def chunked_topk(queries, database, k: int, *, chunk: int = 2048, db_chunk: int = 65536):
    """Top-k cosine neighbours of every query (values, indices), in chunks on both sides: memory stays at
    chunk x db_chunk scores instead of a dense queries x database matrix (400k x 400k does not fit)."""
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    q_all, d_all = _normalised(queries), _normalised(database)
    k = min(k, d_all.shape[0])
    values, indices = [], []
    for start in range(0, q_all.shape[0], chunk):
        q = q_all[start:start + chunk].to(device)
        best_v = torch.full((q.shape[0], 0), -2.0, device=device)
        best_i = torch.zeros((q.shape[0], 0), dtype=torch.long, device=device)
        for d_start in range(0, d_all.shape[0], db_chunk):
            d = d_all[d_start:d_start + db_chunk].to(device)
            v, i = (q @ d.T).topk(min(k, d.shape[0]), dim=1)
            merged_v, order = torch.cat([best_v, v], dim=1).topk(k, dim=1)
            best_i = torch.cat([best_i, i + d_start], dim=1).gather(1, order)
            best_v = merged_v
        values.append(best_v.cpu())
        indices.append(best_i.cpu())
    return torch.cat(values).numpy(), torch.cat(indices).numpy()


def mine_bitext(source_embeddings, target_embeddings, source_ids, target_ids, k: int = 4):
    """BUCC candidates as XTREME mines them (LASER's mine_bitext, mode 'mine', retrieval 'max', ratio margin):
    k nearest neighbours in both directions; each candidate scored sim / mean of the two sides' k-NN mean
    similarities; each source's best target and each target's best source pooled, taken best first with each
    sentence used once, scores > 0 kept. Returns (source_id, target_id, score), one per pair (max score)."""
    import numpy as np

    if len(source_ids) == 0 or len(target_ids) == 0:
        return []
    x2y_sim, x2y_ind = chunked_topk(source_embeddings, target_embeddings, k)
    y2x_sim, y2x_ind = chunked_topk(target_embeddings, source_embeddings, k)
    x2y_mean, y2x_mean = x2y_sim.mean(axis=1), y2x_sim.mean(axis=1)
    fwd = x2y_sim / ((x2y_mean[:, None] + y2x_mean[x2y_ind]) / 2)
    bwd = y2x_sim / ((y2x_mean[:, None] + x2y_mean[y2x_ind]) / 2)
    fwd_best = x2y_ind[np.arange(len(fwd)), fwd.argmax(axis=1)]
    bwd_best = y2x_ind[np.arange(len(bwd)), bwd.argmax(axis=1)]
    pairs = np.concatenate([np.stack([np.arange(len(fwd)), fwd_best], axis=1),
                            np.stack([bwd_best, np.arange(len(bwd))], axis=1)])
    scores = np.concatenate([fwd.max(axis=1), bwd.max(axis=1)])
    seen_src, seen_trg, out = set(), set(), {}
    for i in np.argsort(-scores, kind="stable"):
        src, trg = int(pairs[i][0]), int(pairs[i][1])
        if src in seen_src or trg in seen_trg:
            continue
        seen_src.add(src)
        seen_trg.add(trg)
        if scores[i] > 0:
            key = (str(source_ids[src]), str(target_ids[trg]))
            out[key] = max(float(scores[i]), out.get(key, float("-inf")))
    return [(s, t, score) for (s, t), score in out.items()]


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
