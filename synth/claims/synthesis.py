"""Cross-paper synthesis: the same measurement across papers, values that disagree beyond rounding or a stated ±,
what no paper measured, and the claims relevant to the study's question.

Nothing here writes prose of its own: every line of the result points at a number as printed, a quote, a table
cell or a claim id with its verdict. One version per paper is used — the version the study's claims come from,
else the newest in the library — so that a paper's v1 and v2 never count as two papers.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from typing import Literal

from pydantic import Field

from synth.claims.entities import find_entities, get_gazetteer
from synth.claims.measurements import (
    Measurement, attach_claims, claim_measurement, condition_of, table_measurements,
)
from synth.claims.relevance import entity_names, similarities
from synth.core.models import Claim, ClaimsFile, PaperMeta, Strict, TableBlock

NOT_VERIFIED = "not yet verified"


class PaperValue(Strict):
    """One paper's number for a measurement, with where it is printed and what the verifier said."""

    paper: str
    version: int | None = None
    value: float
    text: str
    plus_minus: float | None = None
    quote: str
    where: str
    claims: list[str] = Field(default_factory=list)
    verdicts: list[str] = Field(default_factory=list)


class MeasurementGroup(Strict):
    task: str | None = None
    metric: str | None = None
    model: str | None = None
    language: str | None = None
    condition: str | None = None
    setting: str | None = None
    kind: str = "value"
    values: list[PaperValue]
    papers: int
    status: Literal["agree", "conflict", "single"]
    note: str = Field("", description="how the values compare, in numbers")
    relevance: int = Field(0, description="question entities among the group's dimensions")


class Gap(Strict):
    """A measurement nobody reports: a cell of the grid the papers span, or an entity the question names."""

    what: str
    reason: str


class RelevantClaim(Strict):
    id: str
    paper: str
    text: str
    verdict: str
    shared: list[str] = Field(default_factory=list, description="entities shared with the question")
    similarity: float


class Synthesis(Strict):
    question: str
    question_entities: list[str] = Field(default_factory=list)
    papers: list[str] = Field(default_factory=list, description="paper versions used, <id>v<N>")
    groups: list[MeasurementGroup] = Field(default_factory=list, description="measurements of two or more papers")
    single: int = Field(0, description="measurements only one paper reports")
    measurements: int = 0
    untabulated: list[str] = Field(default_factory=list, description="claims with numbers that could not be "
                                                                      "tied to one measurement")
    gaps: list[Gap] = Field(default_factory=list)
    relevant: list[RelevantClaim] = Field(default_factory=list)
    similarity: str = Field("", description="how claim-question similarity was computed")

    @property
    def agreements(self) -> list[MeasurementGroup]:
        return [g for g in self.groups if g.status == "agree"]

    @property
    def conflicts(self) -> list[MeasurementGroup]:
        return [g for g in self.groups if g.status == "conflict"]


def _only(values: set):
    """The single element of a set, else None."""
    return next(iter(values)) if len(values) == 1 else None


def _half_unit(decimals: int) -> float:
    return 0.5 * 10 ** -decimals


def compare(a: Measurement, b: Measurement) -> tuple[bool, float, float]:
    """(consistent, |difference|, tolerance): consistent when the values differ by no more than the rounding of
    both printed numbers plus any stated ±. A fraction against a percentage is compared ×100."""
    va, vb = a.value, b.value
    ta = _half_unit(a.decimals) + (a.plus_minus or 0)  # each side's own uncertainty, on its own scale
    tb = _half_unit(b.decimals) + (b.plus_minus or 0)
    if (0 <= va <= 1) != (0 <= vb <= 1) and max(va, vb) <= 100 and a.metric == b.metric and a.kind == "value":
        va, ta, vb, tb = (va * 100, ta * 100, vb, tb) if va <= 1 else (va, ta, vb * 100, tb * 100)
    tol = ta + tb
    diff = abs(va - vb)
    return diff <= tol + 1e-9, diff, tol


def _value(m: Measurement) -> PaperValue:
    return PaperValue(paper=m.paper, version=m.version, value=m.value, text=m.text, plus_minus=m.plus_minus,
                      quote=m.quote, where=m.where, claims=m.claims, verdicts=m.verdicts)


def group_measurements(measurements: list[Measurement], question: set[str]) -> tuple[list[MeasurementGroup], int]:
    """Measurements of two or more papers as groups (conflicts first, then by relevance); the count of the rest."""
    by_key: dict[tuple, list[Measurement]] = {}
    for m in measurements:
        by_key.setdefault(m.key(), []).append(m)
    groups, single = [], 0
    for key, ms in by_key.items():
        papers = sorted({m.paper for m in ms})
        if len(papers) < 2:
            single += 1
            continue
        bad = []
        for a, b in combinations(ms, 2):
            ok, diff, tol = compare(a, b)
            if not ok:
                bad.append(f"{a.paper} {a.text} vs {b.paper} {b.text}: differ by {diff:.4g}, beyond rounding"
                           + (" and the stated ±" if a.plus_minus or b.plus_minus else "") + f" (±{tol:.4g})")
        if bad:
            status, note = "conflict", "; ".join(bad)
        else:
            spread = max(m.value for m in ms) - min(m.value for m in ms)
            status, note = "agree", ("identical values" if spread == 0 else
                                     f"within rounding (largest difference {spread:.4g})")
        dims = dict(zip(("task", "metric", "model", "language", "condition", "setting", "kind"), key))
        relevance = len({v for v in dims.values() if v} & question)
        groups.append(MeasurementGroup(**dims, values=[_value(m) for m in sorted(ms, key=lambda m: m.paper)],
                                       papers=len(papers), status=status, note=note, relevance=relevance))
    groups.sort(key=lambda g: (g.status != "conflict", -g.relevance, str(g.task), str(g.setting),
                               str(g.language), str(g.metric)))
    return groups, single


def _language_name(code: str) -> str:
    entry = next((e for e in get_gazetteer().spec.languages if e.name == code), None)
    return f"{entry.aliases[0]} ({code})" if entry else code


def find_gaps(measurements: list[Measurement], question_entities) -> list[Gap]:
    """Cells of the setting × language grid that the papers' tables span and none reports; question entities no
    measurement covers. (Only tables draw the grid: a claim reports one cell, not which cells it left out.)"""
    gaps: list[Gap] = []
    families: dict[tuple, list[Measurement]] = {}
    for m in measurements:
        if m.origin == "table":
            families.setdefault((m.task, m.metric, m.model, m.condition, m.kind), []).append(m)
    for (task, metric, model, condition, kind), ms in sorted(families.items(), key=lambda kv: str(kv[0])):
        papers = {m.paper for m in ms}
        if len(papers) < 2:
            continue
        settings = sorted({m.setting for m in ms if m.setting})
        langs = sorted({m.language for m in ms if m.language and not m.language.startswith("average")})
        have = {(m.setting, m.language) for m in ms}
        what = " ".join(x for x in (condition, task, metric, f"({model})" if model else None,
                                    "differences" if kind == "difference" else None) if x)
        for s in settings:
            for lang in langs:
                if (s, lang) not in have:
                    by = sorted({m.paper for m in ms if m.setting == s} | {m.paper for m in ms if m.language == lang})
                    gaps.append(Gap(what=f"{what}: {s} on {_language_name(lang)}",
                                    reason=f"the papers report {s} and {_language_name(lang)} separately "
                                           f"({', '.join(by)}) but none reports them together"))
    measured = {v for m in measurements for v in (m.task, m.metric, m.model, m.language, m.setting) if v}
    for category, names in (("language", question_entities.languages), ("task", question_entities.tasks +
                            question_entities.datasets + question_entities.benchmarks),
                            ("metric", question_entities.metrics), ("model", question_entities.models)):
        for name in names:
            if name not in measured:
                shown = _language_name(name) if category == "language" else name
                gaps.append(Gap(what=f"{category} {shown}", reason="the question names it; no paper's table or "
                                                                   "claim reports a measurement of it"))
    return gaps


def chosen_versions(cf: ClaimsFile, papers: list[PaperMeta]) -> list[PaperMeta]:
    """One version per paper: the one most of the study's claims cite, else the newest in the library."""
    cited = Counter((c.source.paper, c.source.version) for c in cf.claims if c.source is not None)
    out = []
    for pid in sorted({m.id for m in papers}):
        versions = sorted((m for m in papers if m.id == pid), key=lambda m: m.version)
        counts = [(cited[(pid, m.version)], m.version, m) for m in versions]
        out.append(max(counts, key=lambda t: (t[0], t[1]))[2])
    return out


def synthesize(cf: ClaimsFile, papers: list[PaperMeta], tables: dict[str, list[TableBlock]],
               use_embeddings: bool = True, top: int = 12) -> Synthesis:
    """The synthesis of the study: `tables` maps a paper key (<id>v<N>) to its parsed tables."""
    chosen = chosen_versions(cf, papers)
    keys = {(m.id, m.version) for m in chosen}
    own = [c for c in cf.claims if c.source is not None and c.origin.value != "imported"
           and (c.source.paper, c.source.version) in keys]
    cells: list[Measurement] = []
    for meta in chosen:
        cells += table_measurements(meta, tables.get(meta.key, []))
    cells, unattached = attach_claims(cells, own)
    measurements = list(cells)
    untabulated = []
    for claim in unattached:
        paper_cells = [c for c in cells if c.paper == claim.source.paper]
        tasks = {c.task for c in paper_cells if c.task}
        metrics = {c.metric for c in paper_cells if c.metric}
        conditions = {c.condition for c in paper_cells}
        m = claim_measurement(claim, _only(tasks), _only(metrics),
                              _only(conditions) if len(conditions) == 1 else condition_of(claim.text),
                              {c.setting for c in paper_cells if c.setting},
                              _only({c.language for c in paper_cells if (c.language or "").startswith("average")}))
        if m is not None:
            measurements.append(m)
        elif claim.quantities:
            untabulated.append(claim.id)
    q_ents = find_entities(cf.study.question)
    q_names = entity_names(q_ents)
    groups, single = group_measurements(measurements, q_names)
    return Synthesis(question=cf.study.question, question_entities=sorted(q_names),
                     papers=[m.key for m in chosen], groups=groups, single=single, measurements=len(measurements),
                     untabulated=sorted(untabulated), gaps=find_gaps(measurements, q_ents),
                     **_relevant(cf.study.question, q_names, own, use_embeddings, top))


def _relevant(question: str, q_names: set[str], claims: list[Claim], use_embeddings: bool, top: int) -> dict:
    if not question.strip() or not claims:
        return {"relevant": [], "similarity": ""}
    sim = similarities(question, [c.text for c in claims], use_embeddings)
    rows = []
    for claim, s in zip(claims, sim.values):
        shared = sorted(q_names & entity_names(claim.entities))
        if shared or s >= sim.threshold:
            v = claim.verification
            rows.append(RelevantClaim(id=claim.id, paper=f"{claim.source.paper}v{claim.source.version}"
                                      if claim.source.version else claim.source.paper, text=claim.text,
                                      verdict=v.label if v else NOT_VERIFIED, shared=shared,
                                      similarity=round(s, 3)))
    rows.sort(key=lambda r: (-len(r.shared), -r.similarity, r.id))
    return {"relevant": rows[:top], "similarity": sim.method}
