"""Quantity parsing and claim scoring on very long sentences (issue 16: work must grow linearly with length).

A one-line sentence built from a real-looking clause (numbers, %, 'x', citations, names) repeated to 8.6 KB,
86 KB and 880 KB; CPU seconds of `parse_quantities` and of `score_sentences` (blank pipeline: the whole
extraction path of one sentence), and the ratio to the smallest size. Before the fix an 86 KB sentence took
2.7 s and an 880 KB one-line PDF 141 s to extract (every number was compared with every masked span/entity).

    .venv/bin/python bench/bench_quantities.py
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CLAUSE = ("On XNLI the model reaches 85.3% accuracy (Conneau et al., 2020), 2.1 points above mBERT on SQuAD 2.0 "
          "and 1250x faster, see Table 3, ")


def cpu(fn) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def main() -> None:
    from synth.claims.extract import load_pipeline, score_sentences
    from synth.claims.quantities import parse_quantities
    from synth.core.models import Sentence

    nlp = load_pipeline()
    rows = []
    for repeat in (65, 650, 6650):  # ≈ 8.6 KB, 86 KB, 880 KB
        text = CLAUSE * repeat + "end."
        sentence = Sentence(idx=0, page=1, start=0, end=len(text), text=text, section=["4 Results"])
        n = len(parse_quantities(text))
        rows.append((len(text), n, cpu(lambda: parse_quantities(text)), cpu(lambda: score_sentences([sentence], nlp))))
    print("| sentence length | quantities | parse_quantities CPU s | per KB (ms) | score_sentences CPU s | per KB (ms) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for length, n, q, s in rows:
        kb = length / 1024
        print(f"| {kb:,.0f} KB | {n:,} | {q:.3f} | {1000 * q / kb:.2f} | {s:.3f} | {1000 * s / kb:.2f} |")
    print(f"\npeak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
