"""Score claim extraction against a labelled set (tests/data/claims/gold_extract.yaml): P/R and quantity accuracy."""

from __future__ import annotations

from collections.abc import Callable

import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from synth.core.models import Sentence


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GoldSentence(_Strict):
    """A labelled sentence: its first words and/or a distinctive phrase inside it (at least one)."""

    starts: str | None = Field(None, description="the first words of the sentence (whitespace-normalised)")
    contains: str | None = Field(None, description="a distinctive phrase inside the sentence")
    page: int | None = None

    @model_validator(mode="after")
    def _one_anchor(self) -> "GoldSentence":
        if not (self.starts or self.contains):
            raise ValueError("a gold sentence needs `starts` or `contains`")
        return self

    @property
    def label(self) -> str:
        return self.starts or f"…{self.contains}…"


class GoldQuantity(_Strict):
    text: str
    value: float
    unit: Literal["%", "points", "x", "absolute"]
    measures: str | None = Field(None, description="what the sentence says the number measures (canonical name)")


class GoldQuantities(GoldSentence):
    expect: list[GoldQuantity]


class GoldPaper(_Strict):
    name: str
    pdf: str | None = None
    generate: Literal["stilts", "xstilts-preprint"] | None = None
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
    if gold.page not in (None, sentence.page):
        return False
    text = _norm(sentence.text)
    return (not gold.starts or text.startswith(_norm(gold.starts))) and (
        not gold.contains or _norm(gold.contains) in text)


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
    m_expected: int = 0  # quantities whose measured metric is labelled
    m_correct: int = 0
    ranking_auc: float | None = None  # P(a key sentence scores above a non-claim sentence)

    @property
    def recall(self) -> float:
        return self.key_found / self.key if self.key else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.extracted if self.extracted else 1.0


def score_paper(paper: GoldPaper, sentences: list[Sentence], extracted_idx: set[int],
                scores: dict[int, float] | None = None) -> PaperScore:
    """Compare extracted sentence indices with the gold labels; check quantities of the labelled sentences.
    With `scores` (sentence idx → claim score) also the ranking AUC of key sentences over non-claims."""
    from synth.claims.quantities import parse_quantities

    key_hits = [any(_matches(s, g) for s in sentences if s.idx in extracted_idx) for g in paper.key]
    ok = [s for s in sentences if s.idx in extracted_idx
          and any(_matches(s, g) for g in [*paper.key, *paper.acceptable])]
    fps = [_norm(s.text)[:90] for s in sentences if s.idx in extracted_idx and s not in ok]
    score = PaperScore(paper.name, len(sentences), len(extracted_idx), len(paper.key), sum(key_hits), len(ok),
                       [g.label for g, hit in zip(paper.key, key_hits) if not hit], fps)
    if scores:
        score.ranking_auc = _ranking_auc(paper, sentences, scores)
    for gq in paper.quantities:
        sent = next((s for s in sentences if _matches(s, gq)), None)
        expected = {(q.text, round(q.value, 9), q.unit): q.measures for q in gq.expect}
        predicted: dict = {}
        if sent is not None:
            predicted = {(q.text, round(q.value, 9), q.unit): q.measures for q in parse_quantities(_norm(sent.text))}
        score.q_expected += len(expected)
        score.q_predicted += len(predicted)
        score.q_exact += len(expected.keys() & predicted.keys())
        for key, measures in expected.items():
            if measures is not None and key in predicted:
                score.m_expected += 1
                score.m_correct += predicted[key] == measures
                if predicted[key] != measures:
                    score.q_errors.append(f"{gq.label[:40]}…: {key[0]} measures {predicted[key]!r}, not {measures!r}")
        for miss in sorted(expected.keys() - predicted.keys(), key=str):
            score.q_errors.append(f"{gq.label[:40]}…: missed {miss}")
        for extra in sorted(predicted.keys() - expected.keys(), key=str):
            score.q_errors.append(f"{gq.label[:40]}…: extra {extra}")
    return score


def _ranking_auc(paper: GoldPaper, sentences: list[Sentence], scores: dict[int, float]) -> float | None:
    """Mann-Whitney AUC: how often a key sentence outscores a sentence that is neither key nor acceptable."""
    from scipy.stats import mannwhitneyu

    key = [scores[s.idx] for s in sentences if s.idx in scores and any(_matches(s, g) for g in paper.key)]
    other = [scores[s.idx] for s in sentences if s.idx in scores
             and not any(_matches(s, g) for g in [*paper.key, *paper.acceptable])]
    if not key or not other:
        return None
    return float(mannwhitneyu(key, other).statistic / (len(key) * len(other)))


def evaluate(gold_path: str | Path, min_score: float = 0.5, nlp=None,
             pdf_for: Callable[[GoldPaper, Path], Path | None] = stored_pdf) -> list[PaperScore]:
    """Parse every available gold paper, run the scorer, and return per-paper scores (absent PDFs skipped).
    `pdf_for` gives a paper's PDF (synth.demo.papers.gold_paper_pdf also renders the generated ones)."""
    from synth.claims.extract import eligible, is_claim, load_pipeline, score_sentences
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
            chosen = {c.sentence.idx for c in cands if is_claim(c, min_score)}
            sentences = [s for s in parsed.sentences if eligible(s)]
            scores.append(score_paper(paper, sentences, chosen, {c.sentence.idx: c.score for c in cands}))
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
        "measures_accuracy": (sum(s.m_correct for s in scores) / me) if (me := sum(s.m_expected for s in scores))
        else 1.0,
    }
