"""Span F1 with the exact chunking semantics of seqeval 0.0.12 (what XTREME's evaluate.py ran).

XTREME scores UD-POS by feeding raw UPOS tags to seqeval: the first character of a tag acts as its
chunk prefix ("NOUN" -> prefix "N", type "NOUN"; "SCONJ" -> prefix "S", a singleton chunk; "INTJ" ->
prefix "I") and runs of the same tag merge into one chunk. That is why its "F1" differs from accuracy;
reimplemented here so the number does not drift with seqeval releases.
"""

from __future__ import annotations

from collections.abc import Sequence


def _end_of_chunk(prev_tag: str, tag: str, prev_type: str, type_: str) -> bool:
    if prev_tag in ("E", "S"):
        return True
    if prev_tag == "B" and tag in ("B", "S", "O"):
        return True
    if prev_tag == "I" and tag in ("B", "S", "O"):
        return True
    return prev_tag != "O" and prev_tag != "." and prev_type != type_


def _start_of_chunk(prev_tag: str, tag: str, prev_type: str, type_: str) -> bool:
    if tag in ("B", "S"):
        return True
    if prev_tag in ("E", "S", "O") and tag in ("E", "I"):
        return True
    return tag != "O" and tag != "." and prev_type != type_


def get_entities(seq: Sequence[str] | Sequence[Sequence[str]]) -> list[tuple[str, int, int]]:
    """Chunks (type, start, end inclusive) as seqeval 0.0.12 finds them; nested lists are joined with 'O'."""
    if any(isinstance(s, (list, tuple)) for s in seq):
        flat: list[str] = []
        for sentence in seq:
            flat.extend(sentence)
            flat.append("O")
        seq = flat
    prev_tag, prev_type, begin = "O", "", 0
    chunks = []
    for i, label in enumerate([*seq, "O"]):
        tag, type_ = label[0], label.split("-")[-1]
        if _end_of_chunk(prev_tag, tag, prev_type, type_):
            chunks.append((prev_type, begin, i - 1))
        if _start_of_chunk(prev_tag, tag, prev_type, type_):
            begin = i
        prev_tag, prev_type = tag, type_
    return chunks


def span_prf(references: Sequence[Sequence[str]], predictions: Sequence[Sequence[str]]) -> dict[str, float]:
    """Micro precision / recall / F1 over chunks, fractions in [0, 1] (seqeval's f1_score etc.)."""
    true = set(get_entities([list(s) for s in references]))
    pred = set(get_entities([list(s) for s in predictions]))
    correct = len(true & pred)
    precision = correct / len(pred) if pred else 0.0
    recall = correct / len(true) if true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}
