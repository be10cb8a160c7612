"""Evidence search for one claim: candidates from three sources, aligned and ranked.

* lexical: FTS5 (BM25) over the library's sentences;
* dense: cosine similarity with stored sentence embeddings (finds paraphrases that share few words);
* number anchors: any sentence holding the claim's distinctive numbers, whatever its wording.

Each candidate sentence is aligned on its own and paired with its neighbours (a claim may span two sentences);
the rank mixes lexical alignment, dense similarity and number anchors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from synth.core.models import EVIDENCE_KINDS, PaperMeta, PaperRef
from synth.core.numbers import Num, extract_numbers, within_rounding
from synth.verify.dense import DenseSearch
from synth.verify.evidence import Alignment, Passage, PreparedClaim, SourceCache, neighbours, score_alignment

DENSE_FLOOR, DENSE_SPAN = 0.80, 0.15  # e5 cosines of related sentences sit in about 0.80-0.95


def dense_norm(cosine: float) -> float:
    """An e5 cosine mapped to 0..1 (unrelated sentences are still ~0.8 apart in e5's space)."""
    return min(1.0, max(0.0, (cosine - DENSE_FLOOR) / DENSE_SPAN))


def rank_of(a: Alignment, dense_on: bool) -> float:
    """How well a passage states the claim, for choosing among candidates."""
    lexical = 0.5 * a.align + 0.25 * a.coverage + 0.25 * a.bigrams
    if a.truncated:
        lexical = max(lexical, 0.95 * a.prefix)
    if not dense_on:
        return lexical + 0.15 * a.anchors
    return 0.5 * lexical + 0.35 * dense_norm(a.dense) + 0.15 * a.anchors


def distinctive_numbers(claim: PreparedClaim) -> list[Num]:
    """Numbers specific enough to find a sentence by: decimals, percentages, or 10 and above (not years)."""
    return [n for n in extract_numbers(claim.text) if not n.spelled and (n.decimals or n.unit == "%"
                                                                            or abs(n.value) >= 10)]


def _anchor_share(wanted: list[Num], found: list[Num]) -> float:
    if not wanted:
        return 0.0
    hits = sum(any(within_rounding(abs(s.value), abs(c.value), c.decimals) for s in found) for c in wanted)
    return hits / len(wanted)


@dataclass
class SearchResult:
    """Best alignment per paper version (key) and the other candidates, plus the runner-up score of the overall
    best (for the margin)."""

    best: dict[str, Alignment] = field(default_factory=dict)
    candidates: dict[str, list[Alignment]] = field(default_factory=dict)  # per key, best first
    runner_up: float = 0.0


def search_evidence(cache: SourceCache, claim: PreparedClaim, papers: list[str] | None, limit: int = 10,
                    pair_candidates: int = 4, dense: DenseSearch | None = None, dense_k: int = 8,
                    use_dense: bool = True) -> SearchResult:
    """Candidates from `papers` (ids: every version; None: the whole library), aligned to the claim and ranked.

    BM25 gives `limit` sentences per version, the dense search `dense_k`, and every sentence holding one of the
    claim's distinctive numbers joins; the best `pair_candidates` are also tried with their neighbours.
    """
    result = SearchResult()
    keys = None
    if papers is not None:
        keys = [m.key for p in papers for m in cache.versions(PaperRef.parse(p).id)]
        if not keys:
            return result
    dense_on = bool(dense is not None and dense.enabled and use_dense)
    found: dict[tuple[str, int], float] = {}  # (key, idx) -> bm25 score
    if claim.query:
        query = cache.distinctive(claim.query)
        wide = limit * 4 if len(query.split()) <= 2 else limit  # a short query (cut early) ranks poorly
        for hit in cache.library.search(query, papers=keys, limit=wide * (len(keys) if keys else 4),
                                        kinds=EVIDENCE_KINDS):
            found[(hit.paper_key, hit.idx)] = hit.score
    metas = [cache.meta(k, k.rsplit("v", 1)[0]) for k in keys] if keys is not None else cache.library.papers()
    wanted = distinctive_numbers(claim)
    cosines: dict[str, dict[int, float]] = {}
    for meta in metas:
        if dense_on:
            cosines[meta.key] = dense.scores(claim.text, meta)
            for idx, _ in sorted(cosines[meta.key].items(), key=lambda kv: -kv[1])[:dense_k]:
                found.setdefault((meta.key, idx), 0.0)
        if wanted:
            for idx, nums in cache.numbers(meta).items():
                if _anchor_share(wanted, nums) > 0:
                    found.setdefault((meta.key, idx), 0.0)
    scored: list[Alignment] = []
    for (key, idx), bm25 in found.items():
        meta = cache.meta(key, key.rsplit("v", 1)[0])
        passage = cache.passage(meta, idx, idx)
        if passage is None:
            continue
        a = _score(claim, passage, cache, cosines.get(key, {}), wanted, dense_on)
        a.bm25 = bm25
        scored.append(a)
    scored.sort(key=lambda a: a.rank, reverse=True)
    seen: set[int] = set()
    for single in scored[:pair_candidates]:
        if len(claim.norm) < 1.2 * len(single.passage.norm) and single.rank >= 0.5:
            continue  # the claim fits in this sentence: pairing it would mix two statements
        for passage in neighbours(cache, single.passage.meta, single.passage.first.idx):
            if id(passage) in seen:
                continue
            seen.add(id(passage))
            a = _score(claim, passage, cache, cosines.get(passage.meta.key, {}), wanted, dense_on)
            a.rank -= 0.03  # prefer one sentence unless the pair is clearly better
            scored.append(a)
    scored.sort(key=lambda a: a.rank, reverse=True)
    for a in scored:
        result.best.setdefault(a.passage.meta.key, a)
        result.candidates.setdefault(a.passage.meta.key, []).append(a)
    if scored:
        top = scored[0]
        taken = {s.idx for s in top.passage.sentences}
        result.runner_up = max((a.rank for a in scored if a.passage.meta.key == top.passage.meta.key
                                and not taken & {s.idx for s in a.passage.sentences}), default=0.0)
    return result


def _score(claim: PreparedClaim, passage: Passage, cache: SourceCache, cosines: dict[int, float],
           wanted: list[Num], dense_on: bool) -> Alignment:
    a = score_alignment(claim, passage)
    a.claim = claim
    sims = [cosines[s.idx] for s in passage.sentences if s.idx in cosines]
    # a pair is as close as its closer sentence, plus a little when the other one adds to it
    a.dense = (max(sims) + 0.25 * (sum(sims) / len(sims) - max(sims) + 0.02 * (len(sims) - 1))) if sims else 0.0
    numbers = [n for s in passage.sentences for n in cache.numbers(passage.meta).get(s.idx, [])]
    a.anchors = _anchor_share(wanted, numbers)
    a.rank = rank_of(a, dense_on)
    return a
