"""Benchmark `synth verify` on the hand-labelled corpus claims, split by paper (issue 20): how far a researcher can
trust a verdict on papers the rules were never written against.

    .venv/bin/python bench/bench_verify_corpus.py --split dev            # prints metrics; writes dev verdicts
    .venv/bin/python bench/bench_verify_corpus.py --split test           # metrics only: never per-claim output
    .venv/bin/python bench/bench_verify_corpus.py --split dev --errors   # dev errors, one line each (dev only)

Each split's PDFs (tests/data/corpus/split.yaml, files in ../shared/corpus) are added to a library as local PDFs,
their sentences embedded; the library is cached under --cache keyed by the parser's source, so it is re-parsed
only when synth/papers/parse changes. The claims become a markdown review (synth.verify.evaluation.review_markdown)
and go through `synth verify REVIEW` (synth.verify.runner.verify_review): reference matching included.

Metrics (synth.verify.evaluation.trust_metrics): accuracy; serious errors (a faithful claim called contradicted or
not found; a wrong or fabricated claim called supported); evidence recall@1 and @3 (a gold quote or table cell
among the verdict's first 1 / 3 pieces of evidence); mean confidence of right and of wrong verdicts; ECE; accuracy
against coverage when the verifier abstains below a confidence ("inconclusive" verdicts always abstain).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from synth.core.files import write_json, write_text  # noqa: E402
from synth.core.settings import Settings  # noqa: E402
from synth.verify.evaluation import (add_corpus_papers, load_labelled_set, review_markdown,  # noqa: E402
                                     trust_metrics)

CORPUS = ROOT.parent / "shared" / "corpus"
SETS = ROOT / "tests" / "data" / "verify" / "corpus"
OLDER_DEV = sorted((ROOT / "tests" / "data" / "verify").glob("real_claims_*.yaml"))  # CheckList and BPE


def parser_fingerprint() -> str:
    """A hash of the parser's source: a cached library is reused only while the parser is unchanged."""
    h = hashlib.sha256()
    for path in sorted((ROOT / "synth" / "papers" / "parse").rglob("*.py")):
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


def split_sets(split: str, older: bool) -> list[Path]:
    paths = sorted((SETS / split).glob("*.yaml"))
    return paths + (OLDER_DEV if split == "dev" and older else [])


def corpus_library(split: str, paths: list[Path], cache: Path, keep: bool = False) -> Settings:
    """The split's papers as local PDFs in a cached library (sentences embedded). `keep`: reuse the newest
    library built for the split even if the parser changed since (to compare verifier changes alone). A library
    is reused only while it holds the split's PDFs, no more and no fewer (its `done` file lists them)."""
    from synth.papers.library.embeddings import embed_library

    labelled = load_labelled_set(*paths)
    holds = "".join(f"{f}\n" for f in sorted({p.file for p in labelled.papers.values()}))  # a library's PDFs
    folder = cache / f"{split}-{parser_fingerprint()}"
    built = sorted((p for p in cache.glob(f"{split}-*/done") if p.read_text() == holds), key=lambda p: p.stat().st_mtime)
    if keep and built:
        folder = built[-1].parent
    settings = Settings(home=folder / "library")
    if not (folder / "done").exists() or (folder / "done").read_text() != holds:
        shutil.rmtree(folder, ignore_errors=True)
        t = time.perf_counter()
        library = add_corpus_papers(settings, labelled, CORPUS)
        embed_library(library)
        library.close()
        (folder / "done").write_text(holds)
        print(f"built the {split} library in {time.perf_counter() - t:.0f}s ({folder})", file=sys.stderr)
    return settings


def run_split(split: str, cache: Path, older: bool = True, keep: bool = False) -> tuple[list, list, float]:
    """Verify every claim of the split through `synth verify REVIEW`; the labelled claims and their verdicts."""
    from synth.verify.runner import verify_review

    paths = split_sets(split, older)
    labelled = load_labelled_set(*paths)
    settings = corpus_library(split, paths, cache, keep)
    review = cache / f"review-{split}.md"
    write_text(review, review_markdown(labelled.claims, labelled.papers))
    start = time.perf_counter()
    run = verify_review(review, settings)
    seconds = time.perf_counter() - start
    return labelled.claims, [o.verification for o in run.outcomes], seconds


def print_metrics(split: str, m: dict, seconds: float) -> None:
    f = lambda x: "–" if x is None else f"{x:.3f}"  # noqa: E731
    print(f"\n### {split}: {m['n']} claims, {seconds:.0f} s\n")
    print("| accuracy | macro-F1 | serious errors | recall@1 | recall@3 | mean conf. right | mean conf. wrong | ECE |")
    print("|---|---|---|---|---|---|---|---|")
    print(f"| {f(m['accuracy'])} | {f(m['macro_f1'])} | {m['serious']} ({m['serious_rate']:.1%}) | "
          f"{f(m['recall_at_1'])} | {f(m['recall_at_3'])} | {f(m['confidence_right'])} | "
          f"{f(m['confidence_wrong'])} | {f(m['ece'])} |")
    print("\n| abstain below | coverage | accuracy on answered |\n|---|---|---|")
    for row in m["coverage"]:
        print(f"| {row['threshold']:.2f} | {row['coverage']:.2f} | {f(row['accuracy'])} |")
    print("\n| kind | n | accuracy |\n|---|---|---|")
    for kind, k in m["per_kind"].items():
        print(f"| {kind} | {k['n']} | {k['accuracy']:.2f} |")
    print("\nconfusion (gold → verdict):", json.dumps(m["confusion"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test"), action="append")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/synth-verify-corpus"))
    parser.add_argument("--no-older", action="store_true", help="dev: leave out the CheckList and BPE sets")
    parser.add_argument("--keep-library", action="store_true",
                        help="reuse the split's newest cached library even if the parser changed since")
    parser.add_argument("--errors", action="store_true", help="dev only: print each wrong verdict")
    parser.add_argument("--json", type=Path, help="write the metrics (and, for dev, the verdicts) here")
    args = parser.parse_args(argv)
    if not CORPUS.is_dir():
        raise SystemExit(f"{CORPUS} is missing: the corpus sets need the PDFs")
    out = {}
    for split in args.split or ["dev", "test"]:
        claims, verdicts, seconds = run_split(split, args.cache, older=not args.no_older,
                                                keep=args.keep_library)
        m = trust_metrics(claims, verdicts)
        print_metrics(split, m, seconds)
        out[split] = {k: v for k, v in m.items() if k != "hits"}
        if split == "dev":  # per-claim output exists for the dev split only: the test split is measured, not read
            out["dev_verdicts"] = [{"id": c.id, "kind": c.kind, "gold": c.gold, "text": c.text,
                                    "evidence_gold": [e.model_dump(exclude_none=True) for e in c.evidence],
                                    "hit": h, **v.model_dump(mode="json", include={"label", "confidence", "reason", "features",
                                                                                   "evidence", "numbers"})}
                                   for c, v, h in zip(claims, verdicts, m["hits"])]
            if args.errors:
                for row in out["dev_verdicts"]:
                    if row["label"] != row["gold"] or row["hit"] is False:
                        print(f"{row['id']} [{row['kind']}] {row['gold']} → {row['label']} "
                              f"({row['confidence']}) hit={row['hit']}: {row['reason'][:200]}")
    if args.json:
        write_json(args.json, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
