"""De-duplication across databases and rank fusion.

Two hits are the same paper when they share any identifier (arXiv id — arXiv's own DOI counts as one —, DOI,
Semantic Scholar paperId, OpenAlex id, ACL or MAG id) or the same normalised title + year + first author's
surname. Matching is transitive (union-find), so a preprint found by arXiv and its DOI found by Crossref join
through the S2 record that carries both. Every hit keeps the ids its source gave.

Ranking: reciprocal rank fusion (Cormack et al., SIGIR 2009), score = Σ over ranked lists of 1 / (k + rank),
k = 60; a list is one source's answer in one search.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from synth.core.models import Hit, PaperIds, Record

RRF_K = 60
# whose metadata wins in a merged record: the publisher's (Crossref), then the curated graphs, then arXiv
SOURCE_PRIORITY = {"crossref": 0, "s2": 1, "openalex": 2, "arxiv": 3}
_MIN_TITLE = 12  # shorter normalised titles ("introduction", "erratum") are too generic to identify a paper


def fold(text: str) -> str:
    """Lower-case ASCII letters and digits with single spaces (accents dropped, punctuation gone)."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text or ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(re.findall(r"[a-z0-9]+", text))


def surname(name: str) -> str:
    """'Jason Phang' / 'Phang, Jason' / 'J. Phang' → 'phang'."""
    name = name.strip()
    if "," in name:
        name = name.split(",", 1)[0]
    else:
        name = name.split()[-1] if name.split() else ""
    return fold(name).replace(" ", "")


def title_key(title: str, year: int | None, authors: list[str]) -> str | None:
    """'tya:<normalised title>|<year>|<first author surname>', or None when any part is missing."""
    norm = fold(title)
    if len(norm) < _MIN_TITLE or year is None or not authors or not surname(authors[0]):
        return None
    return f"tya:{norm}|{year}|{surname(authors[0])}"


def identity_keys(ids: PaperIds, title: str, year: int | None, authors: list[str]) -> list[str]:
    keys = ids.keys()
    if tk := title_key(title, year, authors):
        keys.append(tk)
    return keys


def record_key(ids: PaperIds, title: str, year: int | None, authors: list[str]) -> str:
    """A new record's key from its best identifier; a hash of title/year/author when it has none."""
    for name in ("arxiv", "doi", "s2", "openalex", "acl", "mag"):
        if value := getattr(ids, name):
            return f"{name}:{value}"
    basis = title_key(title, year, authors) or fold(title) or "untitled"
    return "title:" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:10]


class _Groups:
    """Union-find over node indices."""

    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)  # the lower index (an existing record first) stays the root


@dataclass
class Merged:
    """The records after a merge, and for each new hit the key of the record it joined."""

    records: list[Record]
    hit_keys: list[str] = field(default_factory=list)
    new_keys: list[str] = field(default_factory=list)


def _by_priority(hits: list[Hit]) -> list[Hit]:
    return sorted(hits, key=lambda h: (SOURCE_PRIORITY.get(h.source, 9), h.rank or 10**6))


def _merged_fields(hits: list[Hit], old: Record | None) -> dict:
    ranked = _by_priority(hits)
    ids = PaperIds()
    for h in ranked:
        ids = ids.filled_from(h.ids)

    def first(attr: str, default=None):
        for h in ranked:
            if value := getattr(h, attr):
                return value
        return getattr(old, attr) if old is not None and getattr(old, attr) else default

    abstract = next((h.abstract for h in ranked if h.source != "crossref" and h.abstract), "")
    return {"ids": ids, "title": first("title", ""), "authors": first("authors", []), "year": first("year"),
            "published": first("published"), "venue": first("venue"),
            "abstract": abstract or (old.abstract if old is not None else "")}


def _merge_marks(records: list[Record]) -> dict:
    """Screening of records that turn out to be one paper: agreeing marks stay; disagreeing ones go back to
    undecided with a note, for the user to settle."""
    marks = {r.screening for r in records if r.screening != "undecided"}
    if len(marks) == 1:
        mark = marks.pop()
        keeper = next(r for r in records if r.screening == mark)
        return {"screening": mark, "reason": keeper.reason}
    if not marks:
        return {"screening": "undecided", "reason": next((r.reason for r in records if r.reason), None)}
    said = "; ".join(f"{r.key}: {r.screening}" for r in records if r.screening != "undecided")
    return {"screening": "undecided", "reason": f"merged records were marked differently ({said})"}


def merge(records: list[Record], hits: list[Hit]) -> Merged:
    """Existing records plus new hits → de-duplicated records. Existing records keep their key, marks and order;
    new papers are appended in the order of their first hit."""
    nodes: list[list[str]] = []
    for r in records:
        keys = identity_keys(r.ids, r.title, r.year, r.authors)
        for h in r.hits:
            keys += identity_keys(h.ids, h.title, h.year, h.authors)
        nodes.append(keys)
    nodes += [identity_keys(h.ids, h.title, h.year, h.authors) for h in hits]
    groups = _Groups(len(nodes))
    owner: dict[str, int] = {}
    for i, keys in enumerate(nodes):
        for key in keys:
            if key in owner:
                groups.union(owner[key], i)
            else:
                owner[key] = i
    members: dict[int, list[int]] = {}
    for i in range(len(nodes)):
        members.setdefault(groups.find(i), []).append(i)

    out: list[Record] = []
    key_of_root: dict[int, str] = {}
    taken = {r.key for r in records}
    n_old = len(records)
    for root in sorted(members):
        old = [records[i] for i in members[root] if i < n_old]
        new = [hits[i - n_old] for i in members[root] if i >= n_old]
        all_hits = [h for r in old for h in r.hits] + [h.model_copy(update={"abstract": ""}) for h in new]
        fields = _merged_fields([h for r in old for h in r.hits] + new, old[0] if old else None)
        if old:
            base = old[0]
            extra = {"fetched": next((r.fetched for r in old if r.fetched), None),
                     "fetch_note": next((r.fetch_note for r in old if r.fetch_note), None)}
            record = base.model_copy(update={**fields, **_merge_marks(old), **extra, "hits": all_hits})
        else:
            key = record_key(fields["ids"], fields["title"], fields["year"], fields["authors"])
            while key in taken:
                key += "+"
            taken.add(key)
            record = Record(key=key, hits=all_hits, **fields)
        key_of_root[root] = record.key
        out.append(record)
    # existing records first, in their order; then new ones in the order their first hit arrived
    old_order = {r.key: i for i, r in enumerate(records)}
    first_hit = {key_of_root[groups.find(i)]: i for i in range(len(nodes) - 1, -1, -1)}
    out.sort(key=lambda r: (0, old_order[r.key]) if r.key in old_order else (1, first_hit[r.key]))
    hit_keys = [key_of_root[groups.find(n_old + j)] for j in range(len(hits))]
    new_keys = [r.key for r in out if r.key not in old_order]
    return Merged(out, hit_keys, new_keys)


def fused_scores(records: list[Record], searches: set[str] | None = None, k: int = RRF_K) -> dict[str, float]:
    """Reciprocal rank fusion per record over the ranked hits (of `searches`, or all): Σ 1/(k + best rank in each
    list); a list is one source's answer in one search (for citation searches, about one seed paper)."""
    scores: dict[str, float] = {}
    for r in records:
        best: dict[tuple[str, str, str], int] = {}
        for h in r.hits:
            if h.rank is None or (searches is not None and h.search not in searches):
                continue
            list_id = (h.search, h.source, h.via or "")
            best[list_id] = min(best.get(list_id, h.rank), h.rank)
        if best:
            scores[r.key] = sum(1.0 / (k + rank) for rank in best.values())
    return scores


def ranked(records: list[Record], scores: dict[str, float]) -> list[Record]:
    """Records that have a score, best first (ties: more sources, then key, for a stable order)."""
    chosen = [r for r in records if r.key in scores]
    return sorted(chosen, key=lambda r: (-round(scores[r.key], 12), -len({h.source for h in r.hits}), r.key))
