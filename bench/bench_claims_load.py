"""Loading claims.yaml: the comment-keeping ruamel round-trip vs the read-only fast path, side by side.

Usage: python bench/bench_claims_load.py [--claims 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

from synth.claims.document import load_claims, new_claims_file, save_claims
from synth.core.models import Claim, Evidence, Quantity, SourceSpan, Verification


def make_file(path: Path, n: int) -> None:
    doc = new_claims_file(question="Does intermediate-task training help zero-shot transfer?", path=path)
    for i in range(n):
        text = f"Intermediate training on MNLI improves XNLI accuracy by {i % 9}.{i % 7} points over the baseline ({i})."
        span = SourceSpan(paper="9912.00001", version=2, page=1 + i % 9, section=["3 Results"], start=10 * i,
                          end=10 * i + len(text), quote=text)
        ev = Evidence(paper="9912.00001", version=2, page=span.page, section=span.section, quote=text, score=0.98)
        doc.data.claims.append(Claim(
            id=f"9912.00001-c{i + 1:04d}", text=text, source=span,
            quantities=[Quantity(text=f"{i % 9}.{i % 7} points", value=float(f"{i % 9}.{i % 7}"), unit="points")],
            verification=Verification(label="supported", confidence=0.97, reason="claim near-verbatim", evidence=[ev])))
    save_claims(doc, path)


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--claims", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "claims.yaml"
        make_file(path, args.claims)
        size = path.stat().st_size
        rt = best(lambda: load_claims(path), args.repeat)
        ro = best(lambda: load_claims(path, read_only=True), args.repeat)
    print(f"{args.claims} claims, {size / 1e6:.1f} MB claims.yaml\n")
    print("| load | best s | median s |\n|---|---:|---:|")
    print(f"| round-trip (ruamel, keeps comments; used before writing) | {rt[0]:.2f} | {rt[1]:.2f} |")
    print(f"| read-only (PyYAML C loader + pydantic; ls/show/report/verify's first read) | {ro[0]:.2f} | {ro[1]:.2f} |")
    print(f"\nspeed-up {rt[0] / ro[0]:.1f}x; peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
