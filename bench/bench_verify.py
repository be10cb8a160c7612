"""Benchmark `synth verify`: 1,000 claims against a 50-paper library (100 versions), side by side with the naive
alternative (rapidfuzz over every sentence, no FTS5 index), both with the same checks afterwards.

    .venv/bin/python bench/bench_verify.py            # builds .synth-cache/verify-bench on first use

Prints a markdown table (time, claims/s, accuracy, macro-F1 against the planted labels) and peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import make_verify_set as mvs  # noqa: E402

from synth.verify import claim_verifier as verifier_module
from synth.verify.calibration import classification_metrics  # noqa: E402
from synth.verify.evidence import PreparedClaim, SearchResult, SourceCache, score_alignment  # noqa: E402
from synth.papers.library import Library  # noqa: E402
from synth.core.models import LABELS_TEXT, Claim, PaperRef  # noqa: E402
from synth.verify.claim_verifier import Verifier  # noqa: E402


def naive_search(cache: SourceCache, claim: PreparedClaim, papers: list[str] | None, **_) -> SearchResult:
    """The obvious alternative: align the claim with every sentence (and adjacent pair) of the candidate papers."""
    metas = [m for p in papers for m in cache.versions(PaperRef.parse(p).id)] if papers is not None \
        else cache.library.papers()
    result = SearchResult()
    scored = []
    for meta in metas:
        sents = cache.sentences(meta)
        for idx, s in sents.items():
            if s.kind not in ("body", "front", "caption"):
                continue
            for last in (idx, idx + 1):
                passage = cache.passage(meta, idx, last)
                if passage is not None and passage.sentences[-1].section == s.section:
                    a = score_alignment(claim, passage)
                    if last > idx:
                        a.rank -= 0.03
                    scored.append(a)
    scored.sort(key=lambda a: a.rank, reverse=True)
    for a in scored:
        result.best.setdefault(a.passage.meta.key, a)
        result.candidates.setdefault(a.passage.meta.key, []).append(a)
    return result


def run_mode(library_dir: Path, rows: list[dict], naive: bool, any_source: bool) -> tuple[float, list[str]]:
    """Seconds for a cold run (a new Verifier, nothing cached) and the labels it gave."""
    original = verifier_module.search_evidence
    if naive:
        verifier_module.search_evidence = naive_search
    try:
        start = time.perf_counter()
        verifier = Verifier(Library(library_dir))
        labels = []
        for r in rows:
            claim = Claim(id=r["id"], text=r["text"], cites=[] if any_source else r["cites"],
                          truncated=r["truncated"])
            labels.append(verifier.verify(claim, any_source=any_source).label)
        return time.perf_counter() - start, labels
    finally:
        verifier_module.search_evidence = original


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / ".synth-cache" / "verify-bench")
    parser.add_argument("--papers", type=int, default=50)
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--any-source-claims", type=int, default=100,
                        help="claims for the whole-library comparison (the naive side is slow)")
    args = parser.parse_args(argv)
    plans = mvs.plan_papers(args.papers, seed=11)
    if not (args.out / "library" / "synth.sqlite").exists():
        t = time.perf_counter()
        mvs.build_library(args.out, plans)
        print(f"built the {args.papers}-paper library (v1 + v2 each) in {time.perf_counter() - t:.0f}s")
    rows = mvs.plant_claims(args.out, plans, seed=11)[:args.claims]
    library = Library(args.out / "library")
    n_sentences = sum(m.n_sentences for m in library.papers())
    n_versions = len(library.papers())
    library.close()
    print(f"library: {n_versions} paper versions, {n_sentences} sentences; claims: {len(rows)}\n")
    gold = [r["gold"] for r in rows]
    table = []
    for name, naive, any_source, subset in (
        ("synth verify (FTS5 + rapidfuzz), cited papers", False, False, rows),
        ("naive rapidfuzz over every sentence, cited papers", True, False, rows),
        ("synth verify --any-source (whole library)", False, True, rows[:args.any_source_claims]),
        ("naive rapidfuzz over every sentence, whole library", True, True, rows[:args.any_source_claims]),
    ):
        seconds, labels = run_mode(args.out / "library", subset, naive, any_source)
        m = classification_metrics([r["gold"] for r in subset], labels, list(LABELS_TEXT))
        table.append((name, len(subset), seconds, m["accuracy"], m["macro_f1"]))
    del gold
    print("| method | claims | total s | ms / claim | claims / s | accuracy | macro-F1 |")
    print("|---|---|---|---|---|---|---|")
    for name, n, s, acc, f1 in table:
        print(f"| {name} | {n} | {s:.2f} | {1000 * s / n:.1f} | {n / s:.0f} | {acc:.3f} | {f1:.3f} |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS: {peak:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
