"""Parse throughput: synth.papers.parse.parse_pdf vs raw pypdf extract_text on the same files, in one run.

Files: the shared real PDF (../shared/corpus/2020.acl-main.442.pdf, when present) and a generated 30-page
two-column paper (synth.demo.pdfgen.long_spec). Also compares the rule sentence splitter with spaCy's
blank("en") + sentencizer on the same cleaned text (speed, and the gold sentences each gets exactly right).

    .venv/bin/python bench/bench_parse.py [--repeat 5] [--pages 30]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS_PDF = ROOT.parent / "shared" / "corpus" / "2020.acl-main.442.pdf"
GOLD = ROOT / "tests" / "data" / "parse" / "checklist_gold.yaml"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn, repeat: int) -> tuple[float, object]:
    """Best wall time of `repeat` calls (the least disturbed by other load on the machine), and the result."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def raw_pypdf(path: Path) -> list[str]:
    import pypdf

    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


def bench_file(name: str, path: Path, repeat: int) -> dict:
    from synth.papers.parse import parse_pages
    from synth.papers.parse import parse_pdf
    from synth.papers.parse.pdf import RawPage

    raw_t, texts = timed(lambda: raw_pypdf(path), 1)  # warm-up (imports, page cache)
    rss_raw = peak_rss_mb()
    ours_t, parsed = timed(lambda: parse_pdf(path), 1)
    raw_times, ours_times = [], []
    for _ in range(repeat):  # interleaved, so both see the same machine load
        raw_times.append(timed(lambda: raw_pypdf(path), 1)[0])
        ours_times.append(timed(lambda: parse_pdf(path), 1)[0])
    raw_t, ours_t = min(raw_times), min(ours_times)
    raw_pages = [RawPage(i + 1, t) for i, t in enumerate(texts)]
    clean_t, _ = timed(lambda: parse_pages(raw_pages), repeat)
    n = len(texts)
    return {"file": name, "pages": n, "raw_s": raw_t, "ours_s": ours_t, "clean_s": clean_t,
            "raw_pps": n / raw_t, "ours_pps": n / ours_t, "ratio": ours_t / raw_t,
            "sentences": len(parsed.sentences), "rss_raw": rss_raw, "rss_ours": peak_rss_mb(), "parsed": parsed}


def bench_splitters(parsed, repeat: int) -> list[tuple[str, float, int, int]]:
    """(splitter, seconds, sentences, gold sentences found exactly) on the cleaned body segments."""
    import spacy
    from ruamel.yaml import YAML

    from synth.papers.parse.sentences import split_sentences

    gold = [g["text"] for g in YAML(typ="safe").load(GOLD.read_text())["sentences"]] if GOLD.exists() else []
    # Both splitters see the same newline-delimited segments of the cleaned page text.
    chunks = [line for page in parsed.pages for line in page.text.split("\n")]

    def ours():
        return [c[a:b] for c in chunks for a, b in split_sentences(c)]

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")

    def spacy_split():
        return [s.text.strip() for doc in nlp.pipe(chunks) for s in doc.sents if s.text.strip()]

    rows = []
    for name, fn in (("synth rules", ours), ('spaCy blank("en") + sentencizer', spacy_split)):
        seconds, sents = timed(fn, repeat)
        found = sum(1 for g in gold if sents.count(g) == 1)
        rows.append((name, seconds, len(sents), found))
    return rows, len(gold)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pages", type=int, default=30)
    args = parser.parse_args()

    from synth.demo.pdfgen import render_pdf

    from synth.demo.papers import long_spec

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        if CORPUS_PDF.exists():
            results.append(bench_file(CORPUS_PDF.name, CORPUS_PDF, args.repeat))
        else:
            print(f"(skipping {CORPUS_PDF}: not found)", file=sys.stderr)
        generated = render_pdf(long_spec(args.pages), Path(tmp) / "long.pdf")
        results.append(bench_file(f"generated long_spec({args.pages})", generated, args.repeat))

    print(f"best of {args.repeat} interleaved runs; 'clean' = synth's own work on already-extracted text\n")
    print("| file | pages | raw pypdf pages/s | synth parse_pdf pages/s | synth / raw time | clean only (s) "
          "| (raw + clean) / raw | sentences | peak RSS after raw / after synth (MB) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        extra = (r["raw_s"] + r["clean_s"]) / r["raw_s"]
        print(f"| {r['file']} | {r['pages']} | {r['raw_pps']:.1f} | {r['ours_pps']:.1f} | {r['ratio']:.2f}x "
              f"| {r['clean_s']:.3f} | {extra:.2f}x | {r['sentences']} | {r['rss_raw']:.0f} / {r['rss_ours']:.0f} |")
    if CORPUS_PDF.exists():
        rows, n_gold = bench_splitters(results[0]["parsed"], args.repeat)
        print(f"\nSentence splitting of the real paper's cleaned segments ({n_gold} gold sentences):\n")
        print("| splitter | time (s) | sentences | gold found exactly once |")
        print("|---|---:|---:|---:|")
        for name, seconds, n, found in rows:
            print(f"| {name} | {seconds:.4f} | {n} | {found}/{n_gold} |")
    print(f"\npeak RSS (whole run): {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
