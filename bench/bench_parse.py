"""Parsing: quality on the hand-marked samples, and whole `synth fetch` / parse_pdf vs raw pypdf, in one run.

1. Broken-sentence rate and section accuracy, before and after the layout-aware parser, read off the hand marks
   in tests/data/parse/sentence_sample.yaml (how they were made: tests/data/parse/README.md).
2. Time per file, interleaved and best of --repeat: raw `pypdf.PdfReader(f).pages[i].extract_text()`, synth's
   `parse_pdf`, and the whole `synth fetch` of the local PDF into a fresh library (copy, sha256, parse, JSONL
   files, SQLite/FTS index), on the real PDFs in ../shared/corpus (when present) and a generated 30-page
   two-column paper (synth.demo.pdfgen.long_spec).
3. The rule sentence splitter vs spaCy's blank("en") + sentencizer on the same cleaned text.
4. Issue 23: headings, appendix start, broken sentences, section labels and float text read into sentences on the
   dev/test split of the corpus papers (tests/data/parse/parse_gold_{dev,test}.yaml, scorer
   synth.papers.parse.gold). `--gold-only` prints only this; `--source DIR` scores another checkout's parser
   (e.g. `git archive 081f990 synth | tar -x -C /tmp/old` for the parser before issue 23).

    .venv/bin/python bench/bench_parse.py [--repeat 5] [--pages 30] [--gold-only] [--source DIR]
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
CORPUS = ROOT.parent / "shared" / "corpus"
CORPUS_PDF = CORPUS / "2020.acl-main.442.pdf"
CORPUS_PDFS = [CORPUS / "2020.acl-main.442.pdf", CORPUS / "P16-1162.pdf"]
GOLD = ROOT / "tests" / "data" / "parse" / "checklist_gold.yaml"
SAMPLES = ROOT / "tests" / "data" / "parse" / "sentence_sample.yaml"


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


def fetch_whole(path: Path, home: Path, embed: str = "verify") -> None:
    """`synth fetch PATH` as the CLI runs it, into a fresh library; `embed` as SYNTH_EMBED (the default 'verify'
    leaves dense sentence embeddings to verify; 'fetch' computes them while fetching)."""
    from synth.core.settings import Settings
    from synth.papers.fetch import fetch

    (result,) = fetch([str(path)], settings=Settings(home=home, embed=embed))
    assert result.status in ("fetched", "added"), result


def bench_file(name: str, path: Path, repeat: int, tmp: Path, embed: bool = False) -> dict:
    from synth.papers.parse import parse_pdf

    _, texts = timed(lambda: raw_pypdf(path), 1)  # warm-up (imports, page cache)
    rss_raw = peak_rss_mb()
    _, parsed = timed(lambda: parse_pdf(path), 1)
    fetch_whole(path, tmp / f"warm-{path.stem}")
    raw_times, ours_times, fetch_times = [], [], []
    for i in range(repeat):  # interleaved, so all three see the same machine load
        raw_times.append(timed(lambda: raw_pypdf(path), 1)[0])
        ours_times.append(timed(lambda: parse_pdf(path), 1)[0])
        fetch_times.append(timed(lambda: fetch_whole(path, tmp / f"lib-{path.stem}-{i}"), 1)[0])
    raw_t, ours_t, fetch_t = min(raw_times), min(ours_times), min(fetch_times)
    embed_t = None
    if embed:
        embed_t = timed(lambda: fetch_whole(path, tmp / f"embed-{path.stem}", embed="fetch"), 1)[0]
    n = len(texts)
    return {"file": name, "pages": n, "raw_s": raw_t, "ours_s": ours_t, "fetch_s": fetch_t, "embed_s": embed_t,
            "sentences": len(parsed.sentences), "tables": len(parsed.tables),
            "cells": sum(len(t.cells) for t in parsed.tables), "rss_raw": rss_raw, "rss_ours": peak_rss_mb(),
            "parsed": parsed}


def sample_rows() -> list[tuple]:
    """(paper, role, parser, sampled, broken, section right) from the hand-marked samples."""
    from synth.papers.parse.sample import load_samples

    rows = []
    for s in load_samples(SAMPLES).samples:
        broken = sum(not m.whole for m in s.sentences)
        right = sum(m.section_right for m in s.sentences)
        rows.append((s.paper, s.role, s.parser, len(s.sentences), broken, right))
    return rows


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


PARSE_GOLD = {split: ROOT / "tests" / "data" / "parse" / f"parse_gold_{split}.yaml" for split in ("dev", "test")}


def gold_split_rows(parse_pdf) -> list[tuple[str, str, dict]]:
    """(split, paper, counts) on the parse gold of each split, then one 'all' row per split."""
    from synth.papers.parse.gold import load_parse_gold, score_parse, total

    rows = []
    for split, path in PARSE_GOLD.items():
        scores = []
        for gold in load_parse_gold(path).papers:
            pdf = CORPUS / gold.paper
            if not pdf.exists():
                print(f"(skipping {gold.paper}: not found)", file=sys.stderr)
                continue
            parsed = parse_pdf(pdf, tables=False)
            scores.append(score_parse(gold, parsed.sections, parsed.sentences))
            rows.append((split, gold.paper, total(scores[-1:])))
        if scores:
            rows.append((split, f"all {len(scores)} papers", total(scores)))
    return rows


def print_gold_split(parse_pdf, label: str) -> None:
    print(f"## Parse gold, dev/test split ({label})\n")
    print("| split | paper | headings found | headings invented | appendix right | sentences whole "
          "| section right | float text in sentences |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for split, paper, c in gold_split_rows(parse_pdf):
        invented = c["parsed_headings"] - c["parsed_headings_right"]
        print(f"| {split} | {paper} | {c['headings_found']}/{c['headings']} | {invented} | "
              f"{c['appendix_right']}/{c['papers']} | {c['whole']}/{c['sentences']} | "
              f"{c['section_right']}/{c['sectioned']} | {c['leaked']}/{c['floats']} |")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--embed", action="store_true",
                        help="also time one `synth fetch` with SYNTH_EMBED=fetch per real PDF")
    parser.add_argument("--gold-only", action="store_true", help="only the dev/test parse gold scores")
    parser.add_argument("--source", type=Path, help="score the parser of another checkout's synth/ tree")
    args = parser.parse_args()

    if args.source is not None:  # the other tree's parser; the scorer (synth.papers.parse.gold) is loaded first
        import importlib

        gold_module = importlib.import_module("synth.papers.parse.gold")
        for name in [m for m in sys.modules if m == "synth" or m.startswith("synth.")]:
            del sys.modules[name]
        sys.path.insert(0, str(args.source))
        from synth.papers.parse import PARSER_VERSION, parse_pdf

        sys.modules["synth.papers.parse.gold"] = gold_module
        label = f"parser {PARSER_VERSION} from {args.source}"
    else:
        from synth.papers.parse import PARSER_VERSION, parse_pdf

        label = f"parser {PARSER_VERSION}"
    if CORPUS.is_dir():
        print_gold_split(parse_pdf, label)
    if args.gold_only:
        return

    from synth.demo.papers import long_spec
    from synth.demo.pdfgen import render_pdf

    rows = sample_rows()
    print("## Hand-marked sentence samples (seed 12, reference entries left out)\n")
    print("| paper | parser | sampled | broken | broken rate | section right |")
    print("|---|---|---:|---:|---:|---:|")
    totals: dict[str, list[int]] = {}
    for paper, role, parser_name, n, broken, right in rows:
        print(f"| {paper} | {role}: {parser_name} | {n} | {broken} | {broken / n:.1%} | {right}/{n} ({right / n:.0%}) |")
        t = totals.setdefault(role, [0, 0, 0])
        t[0] += n
        t[1] += broken
        t[2] += right
    for role, (n, broken, right) in totals.items():
        print(f"| both papers | {role} | {n} | {broken} | {broken / n:.1%} | {right}/{n} ({right / n:.0%}) |")

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for pdf in CORPUS_PDFS:
            if pdf.exists():
                results.append(bench_file(pdf.name, pdf, args.repeat, tmp, args.embed))
            else:
                print(f"(skipping {pdf}: not found)", file=sys.stderr)
        generated = render_pdf(long_spec(args.pages), tmp / "long.pdf")
        results.append(bench_file(f"generated long_spec({args.pages})", generated, args.repeat, tmp))

    print(f"\n## Speed: best of {args.repeat} interleaved runs\n")
    print("| file | pages | raw pypdf s | synth parse_pdf s | parse / raw | whole `synth fetch` s "
          "| fetch / raw | sentences | tables (cells) | peak RSS after raw / after synth (MB) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['file']} | {r['pages']} | {r['raw_s']:.3f} | {r['ours_s']:.3f} | {r['ours_s'] / r['raw_s']:.2f}x "
              f"| {r['fetch_s']:.3f} | {r['fetch_s'] / r['raw_s']:.2f}x | {r['sentences']} | "
              f"{r['tables']} ({r['cells']}) | {r['rss_raw']:.0f} / {r['rss_ours']:.0f} |")
    for r in results:
        if r["embed_s"] is not None:
            print(f"\n`synth fetch` with SYNTH_EMBED=fetch, {r['file']}: {r['embed_s']:.1f} s "
                  f"= {r['embed_s'] / r['raw_s']:.0f}x raw pypdf (one run; embedding every sentence dominates)")
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
