"""The labelled sets `synth verify` is measured on: their schema (tests/data/verify/real_claims_*.yaml), a review
written from a set (so the claims go through the same import path a person's review does), and the scores
reported in docs/BENCHMARKS.md (accuracy, macro-F1, per-kind accuracy, ECE, mean confidence)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from synth.core.models.base import Strict
from synth.core.models.verdicts import LABELS_TEXT, Verification
from synth.core.yamlio import load_yaml_validated
from synth.verify.calibration import classification_metrics, expected_calibration_error

if TYPE_CHECKING:
    from synth.core.settings import Settings
    from synth.papers.library import Library

# Each kind of claim and the label it must get; a set whose gold disagrees with its kind does not load.
KIND_GOLD = {
    "paraphrase": "supported", "paraphrase_numbers": "supported", "truncated": "supported",
    "table_fact": "supported", "partial": "partially_supported", "wrong_number": "contradicted",
    "wrong_count": "contradicted", "flipped_direction": "contradicted", "wrong_entity": "contradicted",
    "truncated_wrong_number": "contradicted", "table_wrong": "contradicted", "single_vs_ensemble": "contradicted",
    "base_vs_large": "contradicted", "fabricated": "not_found",
}
Kind = Literal[tuple(KIND_GOLD)]  # type: ignore[valid-type]
Label = Literal[LABELS_TEXT]  # type: ignore[valid-type]


class LabelledPaper(Strict):
    file: str = Field(description="PDF file name (in ../shared/corpus for the real sets)")
    arxiv: str | None = Field(None, description="the paper's arXiv id, as a review would cite it")
    reference: str = Field(description="the reference-list entry a review would give (authors, title, URL)")


class Evidence(Strict):
    """Where the paper settles a labelled claim: a quote on a page, or a table cell (table, row, column path)."""

    page: int = Field(ge=1, description="physical 1-based page of the PDF")
    quote: str | None = Field(None, description="the deciding words exactly as printed (a sentence or clause)")
    table: str | None = Field(None, description="'Table 2' when the evidence is a table cell")
    row: str | None = Field(None, description="the cell's row label, as printed (marks left out)")
    column: list[str] = Field(default_factory=list, description="the cell's column header path, top-down")

    @model_validator(mode="after")
    def _quote_or_cell(self) -> "Evidence":
        if not self.quote and not self.table:
            raise ValueError("evidence needs a quote or a table")
        return self


class LabelledClaim(Strict):
    id: str
    paper: str = Field(description="key into `papers`")
    kind: Kind
    gold: Label
    text: str = Field(description="as a review writes it; a cut-off claim ends mid-word or with '…'")
    note: str | None = Field(None, description="where the paper settles the label")
    evidence: list[Evidence] = Field(default_factory=list,
                                     description="the deciding evidence (empty for a fabricated claim)")

    @model_validator(mode="after")
    def _gold_matches_kind(self) -> "LabelledClaim":
        if KIND_GOLD[self.kind] != self.gold:
            raise ValueError(f"{self.id}: kind {self.kind} means gold {KIND_GOLD[self.kind]}, not {self.gold}")
        return self


class LabelledSet(Strict):
    schema_: Literal[1] = Field(1, alias="schema")
    split: Literal["dev", "test"] | None = Field(None, description="the corpus split its papers belong to")
    provenance: str | None = Field(None, description="who wrote it, from what, and how")
    papers: dict[str, LabelledPaper]
    claims: list[LabelledClaim]

    @model_validator(mode="after")
    def _known_papers(self) -> "LabelledSet":
        unknown = sorted({c.paper for c in self.claims} - set(self.papers))
        if unknown:
            raise ValueError(f"claims name papers not in `papers`: {', '.join(unknown)}")
        ids = [c.id for c in self.claims]
        if len(ids) != len(set(ids)):
            raise ValueError("claim ids repeat")
        return self


def load_labelled_set(*paths: Path) -> LabelledSet:
    """Load and merge labelled sets (YAML, validated with file:line errors)."""
    sets = [load_yaml_validated(Path(p), LabelledSet) for p in paths]
    return LabelledSet(papers={k: v for s in sets for k, v in s.papers.items()},
                       claims=[c for s in sets for c in s.claims])


def add_corpus_papers(settings: "Settings", labelled: LabelledSet, corpus: Path) -> "Library":
    """The library at settings.home with the set's papers added as local PDFs (ids local-<sha12>), as
    `synth fetch FILE` adds them."""
    from synth.papers.library import Library
    from synth.papers.sources.local import local_meta

    library = Library.open(settings)
    for paper in labelled.papers.values():
        pdf = corpus / paper.file
        library.add_pdf(pdf, local_meta(pdf, settings))
    return library


def review_markdown(claims: list[LabelledClaim], papers: dict[str, LabelledPaper]) -> str:
    """A literature review as people write them: a claims table citing [n], and a references list."""
    order = list(dict.fromkeys(c.paper for c in claims))
    lines = ["# Review", "", "| # | Claim | Source |", "|---|---|---|"]
    for i, c in enumerate(claims, 1):
        lines.append(f"| {i} | {c.text.replace('|', chr(92) + '|')} | [{order.index(c.paper) + 1}] |")
    lines += ["", "## References", ""]
    lines += [f"{n}. {papers[key].reference}" for n, key in enumerate(order, 1)]
    return "\n".join(lines) + "\n"


def score(claims: list[LabelledClaim], verdicts: list[Verification]) -> dict:
    """Accuracy, macro-F1 over the five text labels, per-kind accuracy, ECE and mean confidence (claims whose
    verdict carries a confidence), plus the issue's two safety counts."""
    gold = [c.gold for c in claims]
    pred = [v.label for v in verdicts]
    # macro-F1 over the labels the set has (a real paper has one version: no version_mismatch claims)
    out = classification_metrics(gold, pred, [lab for lab in LABELS_TEXT if lab in gold])
    right = [g == p for g, p in zip(gold, pred)]
    scored = [(v.confidence, r) for v, r in zip(verdicts, right) if v.confidence is not None]
    out["n"] = len(claims)
    out["ece"] = expected_calibration_error([p for p, _ in scored], [r for _, r in scored]) if scored else None
    out["mean_confidence"] = sum(p for p, _ in scored) / len(scored) if scored else None
    by_kind: dict[str, list[bool]] = defaultdict(list)
    for c, r in zip(claims, right):
        by_kind[c.kind].append(r)
    out["per_kind"] = {k: {"n": len(v), "accuracy": sum(v) / len(v)} for k, v in sorted(by_kind.items())}
    flipped = [p for c, p in zip(claims, pred) if c.kind == "flipped_direction"]
    out["flipped_supported"] = sum(p == "supported" for p in flipped)
    wrong = [p for c, p in zip(claims, pred) if c.kind == "wrong_number"]
    out["wrong_number_contradicted"] = sum(p == "contradicted" for p in wrong) / len(wrong) if wrong else None
    out["confusion"] = {g: {p: sum(a == g and b == p for a, b in zip(gold, pred)) for p in sorted(set(pred))}
                        for g in LABELS_TEXT}
    return out


SERIOUS = {"supported": {"contradicted", "not_found"}, "contradicted": {"supported"}, "not_found": {"supported"}}
ABSTAIN_AT = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9)


def _norm(text: str) -> str:
    """Lower-case words only, line-break hyphens joined: how a quote is compared with evidence text."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)
    return " ".join(re.findall(r"\w+", text.lower()))


def evidence_hit(gold: list[Evidence], verdict: Verification, k: int) -> bool:
    """A gold quote (on its page, ±1 for a sentence across the break) or table row (as printed, or as the
    evidence's row label path) among the verdict's first k pieces of evidence. Table gold also counts when a number
    check of the verdict names that table and row."""
    from rapidfuzz import fuzz

    shown = verdict.evidence[:k]
    for g in gold:
        if g.quote:
            want = _norm(g.quote)
            for e in shown:
                have = _norm(e.quote)
                if e.page is not None and abs(e.page - g.page) <= 1 and len(have) >= 0.6 * len(want) \
                        and fuzz.partial_ratio(want, have) >= 90:
                    return True
        else:
            row = _norm(g.row or "")
            for e in shown:  # the row as printed in the quote, or the row's label path ('Our + FULL / 10')
                if e.page == g.page and row and (fuzz.partial_ratio(row, _norm(e.quote)) >= 90
                                                 or e.row is not None and _norm(e.row) == row):
                    return True
            table = _norm(g.table or "")
            if any(table and _norm(n.note or "").startswith(table) and row and row in _norm(n.note or "")
                   for n in verdict.numbers[:k]):
                return True
    return False


def trust_metrics(claims: list[LabelledClaim], verdicts: list[Verification]) -> dict:
    """What a researcher needs to trust the verifier (issue 20): `score`'s numbers plus serious errors, evidence
    recall@1/@3 (claims with gold evidence), mean confidence of right and wrong verdicts, and accuracy against
    coverage when abstaining below a confidence (an 'inconclusive' verdict always abstains). `hits` holds each
    claim's recall@3 hit (None: no gold evidence)."""
    out = score(claims, verdicts)
    right = [c.gold == v.label for c, v in zip(claims, verdicts)]
    out["serious"] = sum(v.label in SERIOUS.get(c.gold, ()) for c, v in zip(claims, verdicts))
    out["serious_rate"] = out["serious"] / len(claims) if claims else 0.0
    with_gold = [(c, v) for c, v in zip(claims, verdicts) if c.evidence]
    for k in (1, 3):
        hits = [evidence_hit(c.evidence, v, k) for c, v in with_gold]
        out[f"recall_at_{k}"] = sum(hits) / len(hits) if hits else None
    out["hits"] = [evidence_hit(c.evidence, v, 3) if c.evidence else None for c, v in zip(claims, verdicts)]
    conf = [(v.confidence, r) for v, r in zip(verdicts, right) if v.confidence is not None]
    mean = lambda xs: sum(xs) / len(xs) if xs else None  # noqa: E731
    out["confidence_right"] = mean([p for p, r in conf if r])
    out["confidence_wrong"] = mean([p for p, r in conf if not r])
    out["inconclusive"] = sum(v.label == "inconclusive" for v in verdicts)
    out["coverage"] = []
    for t in ABSTAIN_AT:
        kept = [r for v, r in zip(verdicts, right)
                if v.label != "inconclusive" and (v.confidence is None or v.confidence >= t)]
        out["coverage"].append({"threshold": t, "coverage": len(kept) / len(claims) if claims else 0.0,
                                "accuracy": mean(kept)})
    return out
