"""Turn task rows into model features with a fast tokenizer (batched map), cached on disk by content.

Per task type (no padding here; the training loop pads dynamically):
  classification  input_ids, attention_mask, labels
  multiple_choice input_ids / attention_mask as [n_choices][L_i], labels
  span_qa         one row per context window (windows advance by doc_stride): input_ids, attention_mask, start_positions,
                  end_positions (CLS = 0 when the answer is outside the window), example_id, and
                  offset_mapping (None outside the context) for `postprocess_qa`
  tagging         one row per window of max_length (long sentences continue): input_ids, attention_mask,
                  labels on each word's first sub-token (-100 elsewhere), word_ids (-1 for special tokens) and
                  example_index to map predictions back to the sentence's words
  retrieval       source_input_ids / source_attention_mask and target_* per sentence (+ ids if present)
Labels: names or dataset ClassLabel ids are mapped onto the task's `labels` order; missing (-1 / "") -> -100.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from synth.core.errors import ReplicationError

from .taskconfig import TaskConfig, load_task

if TYPE_CHECKING:
    import datasets

FEATURIZE_VERSION = 2  # bump when this module's output changes (part of every cache key)
IGNORE_INDEX = -100
# Columns that are bookkeeping for evaluation, not model inputs.
EVAL_ONLY_COLUMNS = ("example_id", "offset_mapping", "word_ids", "example_index", "source_id", "target_id")


def tokenizer_fingerprint(tokenizer) -> str:
    """Content hash of a fast tokenizer (vocabulary, model, normaliser, special tokens)."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        raise ReplicationError("featurize needs a fast (Rust) tokenizer", hint="load it with use_fast=True")
    import json

    state = json.loads(backend.to_str())
    for transient in ("truncation", "padding"):  # set by each call, not part of the tokenizer's identity
        state.pop(transient, None)
    h = hashlib.sha256(json.dumps(state, sort_keys=True).encode("utf-8"))
    h.update(repr(sorted((str(k), str(v)) for k, v in tokenizer.special_tokens_map.items())).encode("utf-8"))
    return h.hexdigest()[:16]


def _get(batch: dict[str, list], spec: str | list[str]) -> list:
    """A column of a batch by canonical spec: a name, a dotted path into structs, or a list of columns."""
    if isinstance(spec, list):
        return [list(values) for values in zip(*(batch[c] for c in spec))]
    head, *rest = spec.split(".")
    values = batch[head]
    for key in rest:
        values = [v[key] for v in values]
    return values


class LabelMapper:
    """Maps raw label values (strings, ClassLabel ids) onto indexes of the task's label list."""

    def __init__(self, labels: list[str] | None, feature_names: list[str] | None):
        self.labels = labels
        self.index = {name: i for i, name in enumerate(labels or [])}
        self.feature_names = feature_names

    def __call__(self, value: Any) -> int:
        if value is None or value == "" or (isinstance(value, int) and value < 0):
            return IGNORE_INDEX
        if isinstance(value, str):
            if value not in self.index:
                raise ReplicationError(f"label {value!r} is not one of the task's labels {self.labels}")
            return self.index[value]
        value = int(value)
        if self.feature_names is not None and self.labels is not None and self.feature_names != self.labels:
            return self(self.feature_names[value])
        return value


def _feature_names(dataset: "datasets.Dataset", column: str | list[str] | None) -> list[str] | None:
    if not isinstance(column, str) or column not in dataset.features:
        return None
    feature = dataset.features[column]
    feature = getattr(feature, "feature", feature)  # Sequence(ClassLabel) / List(ClassLabel)
    return list(feature.names) if hasattr(feature, "names") else None


def resolve_labels(task: TaskConfig, dataset: "datasets.Dataset") -> list[str]:
    """The task's label list, or (labels: null, e.g. CCG) the sorted tags seen in this dataset."""
    if task.labels is not None:
        return list(task.labels)
    column = task.columns.get("tags") or task.columns.get("label")
    values = dataset[column]
    flat = {str(v) for row in values for v in (row if isinstance(row, list) else [row])}
    return sorted(flat)


def featurize(task: TaskConfig | str, dataset: "datasets.Dataset", tokenizer, *, max_length: int | None = None,
              cache_dir: Path | str | None = None, labels: list[str] | None = None,
              language: str | None = None) -> "datasets.Dataset":
    """Tokenise a split for a task (batched map); cached under cache_dir by tokenizer + task version + data.

    Pass `language` (or the per-language task) where a language's columns differ (UD-POS lt/pl/uk/wo/ro);
    pass `labels` for tasks without a fixed label list (CCG) so every split uses the training split's ids.
    """
    config = load_task(task) if isinstance(task, str) else task
    if language is not None:
        config = config.for_language(language)
    max_length = max_length or config.max_length
    label_list = labels if labels is not None else (config.labels if config.type != "tagging" or config.labels
                                                   else resolve_labels(config, dataset))
    label_column = config.columns.get("tags" if config.type == "tagging" else "label")
    mapper = LabelMapper(label_list, _feature_names(dataset, label_column))
    fn = _FEATURIZERS[config.type]
    kwargs: dict[str, Any] = {}
    if cache_dir is not None:
        key = hashlib.sha256(repr((FEATURIZE_VERSION, config.name, config.version, tokenizer_fingerprint(tokenizer),
                                   dataset._fingerprint, max_length, label_list)).encode()).hexdigest()[:20]
        path = Path(cache_dir) / "features" / f"{config.name}-v{config.version}-{key}.arrow"
        path.parent.mkdir(parents=True, exist_ok=True)
        kwargs = {"cache_file_name": str(path), "load_from_cache_file": True}
    return dataset.map(lambda batch: fn(config, batch, tokenizer, max_length, mapper), batched=True,
                       remove_columns=dataset.column_names, desc=f"featurize {config.name}", **kwargs)


def _classification(config, batch, tokenizer, max_length, mapper):
    text_a = _get(batch, config.columns["text_a"])
    text_b = _get(batch, config.columns["text_b"]) if "text_b" in config.columns else None
    out = tokenizer(text_a, text_b, truncation=True, max_length=max_length)
    out["labels"] = [mapper(v) for v in _get(batch, config.columns["label"])]
    return out


def _multiple_choice(config, batch, tokenizer, max_length, mapper):
    choices = _get(batch, config.columns["choices"])
    n = len(choices)
    contexts = _get(batch, config.columns["context"]) if "context" in config.columns else [""] * n
    questions = _get(batch, config.columns["question"]) if "question" in config.columns else [""] * n
    if "question_type" in config.columns:  # COPA: "cause"/"effect" -> a natural-language question
        templates = config.question_templates or {}
        questions = [templates.get(q, q) for q in _get(batch, config.columns["question_type"])]
    firsts, seconds, sizes = [], [], []
    for context, question, options in zip(contexts, questions, choices):
        first = " ".join(part for part in (context, question) if part)
        firsts.extend([first] * len(options))
        seconds.extend(options)
        sizes.append(len(options))
    flat = tokenizer(firsts, seconds, truncation=True, max_length=max_length)
    out: dict[str, list] = {key: [] for key in flat.keys()}
    start = 0
    for size in sizes:
        for key in flat.keys():
            out[key].append(flat[key][start:start + size])
        start += size
    out["labels"] = [mapper(v) for v in _get(batch, config.columns["label"])]
    return out


def _truncate_questions(questions: list[str], tokenizer, max_query_length: int | None) -> list[str]:
    questions = [q.lstrip() for q in questions]  # leading spaces break offset bookkeeping
    if not max_query_length:
        return questions
    encoded = tokenizer(questions, add_special_tokens=False, return_offsets_mapping=True)
    out = []
    for question, offsets in zip(questions, encoded["offset_mapping"]):
        out.append(question[: offsets[max_query_length - 1][1]] if len(offsets) > max_query_length else question)
    return out


def _span_qa(config, batch, tokenizer, max_length, mapper):
    """Context windows that advance by `doc_stride` tokens, as the reference run_squad does (the tokenizer's
    `stride` is the overlap, so it is set per question length: overlap = context room - doc_stride)."""
    # Short max_length (tiny profiles) would leave no room for the context: cap questions at half of it.
    max_query = min(config.max_query_length or max_length // 2, max_length // 2)
    questions = _truncate_questions(_get(batch, config.columns["question"]), tokenizer, max_query)
    contexts = _get(batch, config.columns["context"])
    pad_right = tokenizer.padding_side == "right"
    specials = tokenizer.num_special_tokens_to_add(pair=True)
    advance = config.doc_stride or 128
    question_lengths = [len(ids) for ids in tokenizer(questions, add_special_tokens=False)["input_ids"]]
    by_overlap: dict[int, list[int]] = {}
    for index, length in enumerate(question_lengths):
        room = max_length - length - specials
        if room < 2:
            raise ReplicationError(f"max_length {max_length} leaves no room for the context after the question")
        by_overlap.setdefault(room - min(advance, room), []).append(index)
    ids, answers = _get(batch, config.columns["id"]), _get(batch, config.columns["answers"])
    context_index = 1 if pad_right else 0
    windows: list[tuple[int, int, dict]] = []  # (example index, window number, feature)
    for overlap, members in by_overlap.items():
        qs, cs = [questions[i] for i in members], [contexts[i] for i in members]
        enc = tokenizer(qs if pad_right else cs, cs if pad_right else qs,
                        truncation="only_second" if pad_right else "only_first", max_length=max_length,
                        stride=overlap, return_overflowing_tokens=True, return_offsets_mapping=True)
        counter: dict[int, int] = {}
        for i, offsets in enumerate(enc["offset_mapping"]):
            sample = members[enc["overflow_to_sample_mapping"][i]]
            sequence_ids = enc.sequence_ids(i)
            start_tok, end_tok = _answer_tokens(answers[sample], offsets, sequence_ids, context_index)
            feature = {"input_ids": enc["input_ids"][i], "attention_mask": enc["attention_mask"][i],
                       "offset_mapping": [o if sequence_ids[k] == context_index else None
                                          for k, o in enumerate(offsets)],
                       "example_id": str(ids[sample]), "start_positions": start_tok, "end_positions": end_tok}
            windows.append((sample, counter.setdefault(sample, 0), feature))
            counter[sample] += 1
    windows.sort(key=lambda w: (w[0], w[1]))  # the examples' order, each example's windows in order
    keys = ("input_ids", "attention_mask", "offset_mapping", "example_id", "start_positions", "end_positions")
    return {key: [w[2][key] for w in windows] for key in keys}


def _answer_tokens(answer: dict, offsets, sequence_ids, context_index: int) -> tuple[int, int]:
    """Token span of the first gold answer inside this window; (0, 0) (CLS) when absent or cut off."""
    if not answer or not answer.get("answer_start"):
        return 0, 0
    start_char = answer["answer_start"][0]
    end_char = start_char + len(answer["text"][0])
    context_tokens = [k for k, s in enumerate(sequence_ids) if s == context_index]
    first, last = context_tokens[0], context_tokens[-1]
    if offsets[first][0] > start_char or offsets[last][1] < end_char:
        return 0, 0
    start_tok = first
    while start_tok <= last and offsets[start_tok][0] <= start_char:
        start_tok += 1
    end_tok = last
    while end_tok >= first and offsets[end_tok][1] >= end_char:
        end_tok -= 1
    return start_tok - 1, end_tok + 1


def _tagging(config, batch, tokenizer, max_length, mapper):
    """Sentences longer than max_length continue in further windows (never cut and filled): each word is
    labelled once, on its first sub-token; `example_index` ties windows to their sentence."""
    tokens = _get(batch, config.columns["tokens"])
    tags = _get(batch, config.columns["tags"])
    enc = tokenizer(tokens, is_split_into_words=True, truncation=True, max_length=max_length,
                    return_overflowing_tokens=True)
    sample_map = enc["overflow_to_sample_mapping"]
    labels, word_ids_out, labelled = [], [], {}
    for i in range(len(enc["input_ids"])):
        sample = sample_map[i]
        done = labelled.setdefault(sample, set())
        row, previous = [], None
        for word in enc.word_ids(i):
            if word is not None and word != previous and word not in done:
                row.append(mapper(tags[sample][word]))
                done.add(word)
            else:
                row.append(IGNORE_INDEX)
            previous = word
        labels.append(row)
        word_ids_out.append([-1 if w is None else w for w in enc.word_ids(i)])
    return {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"], "labels": labels,
            "word_ids": word_ids_out, "example_index": list(sample_map)}


def _retrieval(config, batch, tokenizer, max_length, mapper):
    out: dict[str, list] = {}
    for side in ("source", "target"):
        texts = [t or "" for t in _get(batch, config.columns[side])]
        enc = tokenizer(texts, truncation=True, max_length=max_length)
        out[f"{side}_input_ids"], out[f"{side}_attention_mask"] = enc["input_ids"], enc["attention_mask"]
        if f"{side}_id" in config.columns:
            out[f"{side}_id"] = ["" if v is None else str(v) for v in _get(batch, config.columns[f"{side}_id"])]
    return out


MASK_PROBABILITY = 0.15  # BERT / XLM-R masking: 15% of the tokens, of which 80% <mask>, 10% random, 10% kept


def _mlm(config, batch, tokenizer, max_length, mapper):
    """Masked-LM rows: the text's sub-tokens (truncated), 15% of the non-special ones chosen; labels hold the
    original id there and -100 elsewhere. The choice is static and seeded by the text itself (the same row is
    masked the same way in every run, so a step id fixes its data)."""
    import random

    enc = tokenizer(batch[config.columns["text"]], truncation=True, max_length=max_length)
    special = set(tokenizer.all_special_ids)
    vocab = len(tokenizer)
    out_ids, out_labels = [], []
    for text, ids in zip(batch[config.columns["text"]], enc["input_ids"]):
        rng = random.Random(hashlib.sha256(text.encode("utf-8")).hexdigest())
        ids, labels = list(ids), [-100] * len(ids)
        for i, token in enumerate(ids):
            if token in special or rng.random() >= MASK_PROBABILITY:
                continue
            labels[i] = token
            roll = rng.random()
            if roll < 0.8:
                ids[i] = tokenizer.mask_token_id
            elif roll < 0.9:
                ids[i] = rng.randrange(vocab)
        out_ids.append(ids)
        out_labels.append(labels)
    return {"input_ids": out_ids, "labels": out_labels}


_FEATURIZERS = {"classification": _classification, "multiple_choice": _multiple_choice, "span_qa": _span_qa,
                "tagging": _tagging, "retrieval": _retrieval, "mlm": _mlm}


def word_predictions(word_ids: list[int], token_predictions: list[int], n_words: int, fill: int) -> list[int]:
    """Per-word predictions from each word's first sub-token (over a sentence's windows, concatenated in
    order); `fill` only for words that produced no sub-token at all (e.g. an empty token)."""
    out = [fill] * n_words
    seen: set[int] = set()
    for word, prediction in zip(word_ids, token_predictions):
        if word >= 0 and word not in seen:
            out[word] = int(prediction)
            seen.add(word)
    return out


def postprocess_qa(examples, features, start_logits, end_logits, n_best: int = 20, max_answer_len: int = 30,
                   id_column: str = "id", context_column: str = "context", null_answers: bool = False,
                   null_threshold: float = 0.0) -> dict[str, str]:
    """Best answer text per example id from window logits (n-best starts x ends, valid context spans only).

    `null_answers` (SQuAD v2): the no-answer score is the lowest CLS start+end score over the example's windows;
    the answer is "" when it beats the best span by more than `null_threshold` (the reference post-processing)."""
    import numpy as np

    by_example: dict[str, list[int]] = {}
    for index, example_id in enumerate(features["example_id"]):
        by_example.setdefault(example_id, []).append(index)
    offsets_all = features["offset_mapping"]
    answers: dict[str, str] = {}
    for example_id, context in zip(examples[id_column], examples[context_column]):
        best_score, best_text, null_score = None, "", None
        for index in by_example.get(str(example_id), []):
            starts, ends, offsets = np.asarray(start_logits[index]), np.asarray(end_logits[index]), offsets_all[index]
            cls = float(starts[0] + ends[0])
            null_score = cls if null_score is None else min(null_score, cls)
            n = min(len(offsets), len(starts))
            for s in np.argsort(starts[:n])[::-1][:n_best]:
                for e in np.argsort(ends[:n])[::-1][:n_best]:
                    if offsets[s] is None or offsets[e] is None or e < s or e - s + 1 > max_answer_len:
                        continue
                    score = float(starts[s] + ends[e])
                    if best_score is None or score > best_score:
                        best_score, best_text = score, context[offsets[s][0]:offsets[e][1]]
        if null_answers and null_score is not None and (best_score is None or null_score - best_score > null_threshold):
            best_text = ""
        answers[str(example_id)] = best_text
    return answers
