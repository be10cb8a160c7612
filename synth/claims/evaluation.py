"""Score claim extraction against a labelled set (tests/data/claims/gold_extract.yaml): P/R and quantity accuracy."""

from __future__ import annotations

from collections.abc import Callable

import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from synth.core.models import Sentence


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GoldSentence(_Strict):
    starts: str = Field(description="the first words of the sentence (whitespace-normalised)")
    page: int | None = None


class GoldQuantity(_Strict):
    text: str
    value: float
    unit: Literal["%", "points", "x", "absolute"]


class GoldQuantities(_Strict):
    starts: str
    expect: list[GoldQuantity]


class GoldPaper(_Strict):
    name: str
    pdf: str | None = None
    generate: Literal["stilts"] | None = None
    version: int = 1
    numbers: dict[str, dict[str, float]] | None = None
    spec: dict[str, Any] | None = None
    key: list[GoldSentence]
    acceptable: list[GoldSentence] = Field(default_factory=list)
    quantities: list[GoldQuantities] = Field(default_factory=list)


class GoldFile(_Strict):
    schema_: Literal[1] = Field(1, alias="schema")
    papers: list[GoldPaper]


def load_gold(path: str | Path) -> GoldFile:
    from synth.core.yamlio import load_yaml_validated

    path = Path(path)
    gold = load_yaml_validated(path, GoldFile)
    for paper in gold.papers:  # stored PDFs are named relative to the gold file
        if paper.pdf:
            paper.pdf = str((path.parent / paper.pdf).resolve())
    return gold


def _norm(text: str) -> str:
    """Whitespace collapsed and private-use glyphs (icon fonts in real PDFs) dropped, on both gold and parse."""
    return " ".join("".join(ch for ch in text if unicodedata.category(ch) != "Co").split())


def _matches(sentence: Sentence, gold: GoldSentence) -> bool:
    return _norm(sentence.text).startswith(_norm(gold.starts)) and gold.page in (None, sentence.page)


def stored_pdf(paper: GoldPaper, workdir: Path) -> Path | None:
    """The stored PDF of a gold paper (None when absent or when the paper is generated)."""
    path = Path(paper.pdf) if paper.pdf else None
    return path if path is not None and path.exists() else None


@dataclass
class PaperScore:
    name: str
    n_sentences: int
    extracted: int
    key: int
    key_found: int
    correct: int
    missed: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)
    q_expected: int = 0
    q_predicted: int = 0
    q_exact: int = 0
    q_errors: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.key_found / self.key if self.key else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.extracted if self.extracted else 1.0


def score_paper(paper: GoldPaper, sentences: list[Sentence], extracted_idx: set[int]) -> PaperScore:
    """Compare extracted sentence indices with the gold labels; check quantities of the labelled sentences."""
    from synth.claims.quantities import parse_quantities

    key_hits = [any(_matches(s, g) for s in sentences if s.idx in extracted_idx) for g in paper.key]
    ok = [s for s in sentences if s.idx in extracted_idx
          and any(_matches(s, g) for g in [*paper.key, *paper.acceptable])]
    fps = [_norm(s.text)[:90] for s in sentences if s.idx in extracted_idx and s not in ok]
    score = PaperScore(paper.name, len(sentences), len(extracted_idx), len(paper.key), sum(key_hits), len(ok),
                       [g.starts for g, hit in zip(paper.key, key_hits) if not hit], fps)
    for gq in paper.quantities:
        sent = next((s for s in sentences if _norm(s.text).startswith(_norm(gq.starts))), None)
        expected = {(q.text, round(q.value, 9), q.unit) for q in gq.expect}
        predicted = set()
        if sent is not None:
            predicted = {(q.text, round(q.value, 9), q.unit) for q in parse_quantities(_norm(sent.text))}
        score.q_expected += len(expected)
        score.q_predicted += len(predicted)
        score.q_exact += len(expected & predicted)
        for miss in sorted(expected - predicted, key=str):
            score.q_errors.append(f"{gq.starts[:40]}…: missed {miss}")
        for extra in sorted(predicted - expected, key=str):
            score.q_errors.append(f"{gq.starts[:40]}…: extra {extra}")
    return score


def evaluate(gold_path: str | Path, min_score: float = 0.5, nlp=None,
             pdf_for: Callable[[GoldPaper, Path], Path | None] = stored_pdf) -> list[PaperScore]:
    """Parse every available gold paper, run the scorer, and return per-paper scores (absent PDFs skipped).
    `pdf_for` gives a paper's PDF (synth.demo.papers.gold_paper_pdf also renders the generated ones)."""
    from synth.claims.extract import eligible, load_pipeline, score_sentences
    from synth.papers.parse import parse_pdf

    nlp = nlp if nlp is not None else load_pipeline()
    scores = []
    with tempfile.TemporaryDirectory() as tmp:
        for paper in load_gold(gold_path).papers:
            pdf = pdf_for(paper, Path(tmp))
            if pdf is None:
                continue
            parsed = parse_pdf(pdf)
            cands = score_sentences(parsed.sentences, nlp)
            chosen = {c.sentence.idx for c in cands if c.score >= min_score}
            sentences = [s for s in parsed.sentences if eligible(s)]
            scores.append(score_paper(paper, sentences, chosen))
    return scores


def totals(scores: list[PaperScore]) -> dict[str, float]:
    """Micro-averaged precision, key recall and exact-quantity precision/recall over papers."""
    ext = sum(s.extracted for s in scores)
    key = sum(s.key for s in scores)
    qe, qp = sum(s.q_expected for s in scores), sum(s.q_predicted for s in scores)
    return {
        "precision": sum(s.correct for s in scores) / ext if ext else 1.0,
        "recall": sum(s.key_found for s in scores) / key if key else 1.0,
        "quantity_precision": sum(s.q_exact for s in scores) / qp if qp else 1.0,
        "quantity_recall": sum(s.q_exact for s in scores) / qe if qe else 1.0,
    }
