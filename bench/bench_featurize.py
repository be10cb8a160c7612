"""Featurisation throughput: synth.replicate.data.featurize (fast tokenizer, batched map) vs the same code per example.

Data: real multilingual text from ../shared/data (XQuAD paragraphs in en/de/zh/ar, XCOPA it/zh/qu), repeated
to --rows examples per task type; falls back to the bundled fixtures when ../shared is absent. Tokenizer: a
SentencePiece-style Unigram tokenizer (XLM-R id layout, --vocab pieces) trained locally on that text with
`tokenizers` -- the same Rust fast-tokenizer path as XLM-R's, with a smaller vocabulary.

    .venv/bin/python bench/bench_featurize.py [--rows 4000] [--vocab 8000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "data"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def corpus_rows() -> tuple[list[dict], list[dict], list[dict]]:
    """(pair rows, multiple-choice rows, QA rows) in the HF schemas of XNLI, XCOPA and XQuAD."""
    from synth.replicate.data.loading import fixtures_dir, read_squad_json

    qa_rows, mc_rows = [], []
    if SHARED.is_dir():
        for path in sorted((SHARED / "xquad").glob("xquad.*.json")):
            qa_rows += read_squad_json(path)
        for path in sorted((SHARED / "xcopa").glob("val.*.jsonl")):
            mc_rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    else:
        qa_rows = read_squad_json(fixtures_dir() / "xquad" / "xquad.de.json")
        mc_rows = [json.loads(line) for line in (fixtures_dir() / "xcopa" / "val.it.jsonl").read_text().splitlines()]
    sentences = [s.strip() for row in qa_rows for s in row["context"].replace("。", ".").split(".") if len(s) > 20]
    pair_rows = [{"premise": sentences[i], "hypothesis": sentences[(i * 7 + 3) % len(sentences)], "label": i % 3}
                 for i in range(len(sentences))]
    return pair_rows, mc_rows, qa_rows


def repeat_to(rows: list[dict], n: int, with_ids: bool = False) -> list[dict]:
    out = []
    for i in range(n):
        row = dict(rows[i % len(rows)])
        if with_ids:
            row["id"] = f"{row['id']}-{i}"
        out.append(row)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=4000, help="examples per task type")
    parser.add_argument("--vocab", type=int, default=8000, help="tokenizer vocabulary size")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per cell (median reported)")
    args = parser.parse_args()

    import datasets

    from synth.replicate.data import featurize as fz
    from synth.replicate.data.loading import squad_features
    from synth.replicate.data.taskconfig import load_task
    from synth.replicate.training.tiny_model import CORPUS, train_unigram_vocab, xlmr_tokenizer_from_vocab

    datasets.disable_progress_bars()
    datasets.disable_caching()  # time the work, not the on-disk cache
    pair_rows, mc_rows, qa_rows = corpus_rows()
    texts = CORPUS + [r["premise"] for r in pair_rows] + [r["question"] for r in qa_rows]
    tokenizer = xlmr_tokenizer_from_vocab(train_unigram_vocab(texts, vocab_size=args.vocab))
    cases = [
        ("classification (XNLI pairs)", load_task("xnli"),
         datasets.Dataset.from_list(repeat_to(pair_rows, args.rows))),
        ("multiple choice (XCOPA)", load_task("xcopa"), datasets.Dataset.from_list(repeat_to(mc_rows, args.rows))),
        ("span QA (XQuAD, 384/128)", load_task("xquad"),
         datasets.Dataset.from_list(repeat_to(qa_rows, args.rows // 4, with_ids=True), features=squad_features())),
    ]

    def batched(task, data):
        return fz.featurize(task, data, tokenizer)

    def per_example(task, data):
        mapper = fz.LabelMapper(task.labels, None)
        fn = fz._FEATURIZERS[task.type]

        def one(row):  # the same featuriser on a batch of one row
            out = fn(task, {k: [v] for k, v in row.items()}, tokenizer, task.max_length, mapper)
            return {k: v[0] for k, v in out.items()} if task.type != "span_qa" else out

        if task.type == "span_qa":  # one row can yield several windows: batched map with batch_size=1
            return data.map(lambda b: fn(task, b, tokenizer, task.max_length, mapper), batched=True,
                            batch_size=1, remove_columns=data.column_names)
        return data.map(one, remove_columns=data.column_names)

    print(f"rows per case: {args.rows} (QA: {args.rows // 4}); tokenizer: Unigram, {len(tokenizer)} pieces; "
          f"median of {args.repeat} runs\n")
    print("| task type | method | examples/s | features | speed-up |")
    print("|---|---|---:|---:|---:|")
    for label, task, data in cases:
        results = {}
        for method, fn in (("batched map (batch 1000)", batched), ("per-example map", per_example)):
            times, n_features = [], 0
            for _ in range(args.repeat):
                start = time.perf_counter()
                n_features = len(fn(task, data))
                times.append(time.perf_counter() - start)
            results[method] = (len(data) / statistics.median(times), n_features)
        base = results["per-example map"][0]
        for method, (rate, n_features) in results.items():
            print(f"| {label} | {method} | {rate:,.0f} | {n_features:,} | {rate / base:.1f}x |")
    print(f"\npeak RSS: {peak_rss_mb():.0f} MiB")


if __name__ == "__main__":
    main()
