"""Cross-paper synthesis: the same measurement across papers, values that disagree beyond rounding or a stated ±,
what no paper measured, and the claims relevant to the study's question.

Nothing here writes prose of its own: every line of the result points at a number as printed, a quote, a table
cell or a claim id with its verdict. One version per paper is used — the version the study's claims come from,
else the newest in the library — so that a paper's v1 and v2 never count as two papers.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from pathlib import Path
from typing import Literal

from pydantic import Field

from synth.claims.cell_measurements import Study
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
    title: str = ""
    table: str | None = None
    page: int | None = None
    model: str | None = Field(None, description="the model as this paper names it")
    row: str | None = Field(None, description="the table row's label as printed")
    row_group: str | None = None
    setting: str | None = None
    source: str | None = Field(None, description="the paper this value is taken from, as cited")
    copied_from: str | None = None
    metric_from: str | None = None
    value: float
    text: str
    plus_minus: float | None = None
    quote: str
    where: str
    claims: list[str] = Field(default_factory=list)
    verdicts: list[str] = Field(default_factory=list)


class ValuePair(Strict):
    """Two papers' values of one measurement, compared: indices into the group's values."""

    a: int
    b: int
    status: Literal["agree", "conflict"]
    difference: float
    tolerance: float


class MeasurementGroup(Strict):
    task: str | None = None
    subset: str | None = None
    split: str | None = None
    metric: str | None = None
    model: str | None = None
    language: str | None = None
    condition: str | None = None
    setting: str | None = None
    kind: str = "value"
    values: list[PaperValue]
    papers: int
    status: Literal["agree", "conflict", "single", "near"]
    pairs: list[ValuePair] = Field(default_factory=list, description="the cross-paper comparisons made")
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
    titles: dict[str, str] = Field(default_factory=dict, description="paper id → title")
    groups: list[MeasurementGroup] = Field(default_factory=list, description="measurements of two or more papers")
    near_misses: list[MeasurementGroup] = Field(default_factory=list, description="the same model and task in "
                                                "two papers under a different setting, split, part or condition")
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


def _value(m: Measurement, titles: dict[str, str]) -> PaperValue:
    return PaperValue(paper=m.paper, version=m.version, title=titles.get(m.paper, ""), table=m.table, page=m.page,
                      model=m.model, row=m.row, row_group=m.row_group, setting=m.setting, source=m.source,
                      copied_from=m.copied_from, metric_from=m.metric_from, value=m.value, text=m.text,
                      plus_minus=m.plus_minus, quote=m.quote, where=m.where, claims=m.claims, verdicts=m.verdicts)


def fill_metrics(measurements: list[Measurement]) -> list[Measurement]:
    """A table column that names no metric ('NE' under 'Weibo NER results') takes the metric another paper
    gives the same model, dataset and part: when that paper reports one metric there, or when exactly one of
    its metrics has the same printed value. Never from the paper itself; the value says where its metric came
    from (`metric_from`)."""
    known: dict[tuple, list[Measurement]] = {}
    for m in measurements:
        if m.metric and m.origin == "table":
            known.setdefault(_no_metric(m), []).append(m)
    out = []
    for m in measurements:
        if m.metric is None and m.origin == "table" and (m.model_key or m.model) and m.task:
            others = [o for o in known.get(_no_metric(m), []) if o.paper != m.paper]
            metrics = {o.metric for o in others}
            same = {o.metric for o in others if compare(m, o)[0]}
            metric = _only(metrics) or _only(same)
            if metric:
                donor = sorted({o.paper for o in others if o.metric == metric})[0]
                m = m.model_copy(update={"metric": metric, "metric_from": donor})
        out.append(m)
    return out


def unify_citations(measurements: list[Measurement]) -> list[Measurement]:
    """'Chen et al. (2006)' in one paper is 'Chen et al. (2006a)' in another when no other 'Chen et al. 2006x'
    is cited anywhere: the year's letter only tells one paper's references apart."""
    import re

    lettered: dict[str, set[str]] = {}
    for m in measurements:
        k = m.model_key or ""
        if re.fullmatch(r".+ (?:19|20)\d\d[a-z]", k):
            lettered.setdefault(k[:-1], set()).add(k)
    out = []
    for m in measurements:
        variants = lettered.get(m.model_key or "", set())
        out.append(m.model_copy(update={"model_key": next(iter(variants))}) if len(variants) == 1 else m)
    return out


def _no_metric(m: Measurement) -> tuple:
    key = list(m.key())
    key[2] = None
    return tuple(key)


def pair_values(ms: list[Measurement]) -> list[ValuePair]:
    """Compare each two papers' values of one measurement. A paper may print it more than once (a row repeated
    with other marks): equal values pair first, then values within rounding; one value left on each side is a
    conflict, several left on a side are not compared (which row matches which is unknown)."""
    pairs = []
    by_paper: dict[str, list[int]] = {}
    for i, m in enumerate(ms):
        by_paper.setdefault(m.paper, []).append(i)
    for pa, pb in combinations(sorted(by_paper), 2):
        left_a, left_b = list(by_paper[pa]), list(by_paper[pb])
        for exact in (True, False):
            for i in list(left_a):
                for j in list(left_b):
                    ok, diff, tol = compare(ms[i], ms[j])
                    if (ms[i].value == ms[j].value) if exact else ok:
                        pairs.append(ValuePair(a=i, b=j, status="agree", difference=diff, tolerance=tol))
                        left_a.remove(i)
                        left_b.remove(j)
                        break
        if len(left_a) == 1 and len(left_b) == 1:
            ok, diff, tol = compare(ms[left_a[0]], ms[left_b[0]])
            pairs.append(ValuePair(a=left_a[0], b=left_b[0], status="agree" if ok else "conflict", difference=diff,
                                   tolerance=tol))
    return pairs


def _note(ms: list[Measurement], pairs: list[ValuePair]) -> str:
    bad = [p for p in pairs if p.status == "conflict"]
    if bad:
        return "; ".join(f"{ms[p.a].paper} {ms[p.a].text} vs {ms[p.b].paper} {ms[p.b].text}: differ by "
                         f"{p.difference:.4g}, beyond rounding"
                         + (" and the stated ±" if ms[p.a].plus_minus or ms[p.b].plus_minus else "")
                         + f" (±{p.tolerance:.4g})" + _copy_note(ms[p.a], ms[p.b]) for p in bad)
    if not pairs:
        return "not compared: a paper prints this measurement in several rows"
    spread = max(p.difference for p in pairs)
    return "identical values" if spread == 0 else f"within rounding (largest difference {spread:.4g})"


def _copy_note(a: Measurement, b: Measurement) -> str:
    """When one side says it took the value from the other paper, the difference is a copying error."""
    for copy, original in ((a, b), (b, a)):
        if copy.copied_from == original.paper:
            return f"; {copy.paper} gives {original.paper} as its source: the copy differs from the original"
    return ""


_DIMS = ("task", "subset", "metric", "model", "language", "condition", "setting", "split", "kind")


def _group(ms: list[Measurement], question: set[str], titles: dict[str, str], status: str | None = None,
           ) -> MeasurementGroup:
    first = ms[0]
    dims = {d: getattr(first, d) for d in _DIMS}
    own = [m.model for m in ms if not m.copied_from and m.model]
    dims["model"] = own[0] if own else first.model
    pairs = pair_values(ms) if status is None else []
    if status is None:
        status = "conflict" if any(p.status == "conflict" for p in pairs) else "agree"
    relevance = len({v for v in dims.values() if v} & question)
    return MeasurementGroup(**dims, values=[_value(m, titles) for m in ms], papers=len({m.paper for m in ms}),
                            status=status, pairs=pairs, note=_note(ms, pairs) if status != "near" else
                            "same model and task; " + _differs(ms), relevance=relevance)


def _differs(ms: list[Measurement]) -> str:
    parts = []
    for name in ("setting", "split", "subset", "condition", "language"):
        seen = sorted({str(getattr(m, name) or ("test" if name == "split" else "none")) for m in ms})
        if len(seen) > 1:
            parts.append(f"{name}: " + " vs ".join(seen))
    return "; ".join(parts) or "reported under different conditions"


def group_measurements(measurements: list[Measurement], question: set[str], titles: dict[str, str] | None = None,
                       ) -> tuple[list[MeasurementGroup], int, list[MeasurementGroup]]:
    """Measurements of two or more papers as groups (conflicts first, then by relevance), the count of the rest,
    and the near-misses (the same model and task in two papers under another setting, split or part)."""
    titles = titles or {}
    measurements = fill_metrics(unify_citations(measurements))
    by_key: dict[tuple, list[Measurement]] = {}
    for m in measurements:
        by_key.setdefault(m.key(), []).append(m)
    groups, single = [], 0
    alone: list[Measurement] = []
    for ms in by_key.values():
        ms = sorted(ms, key=lambda m: (m.paper, m.table or "", m.where))
        if len({m.paper for m in ms}) < 2:
            single += 1
            alone += ms
            continue
        groups.append(_group(ms, question, titles))
    near: dict[tuple, list[Measurement]] = {}
    for m in alone:
        if m.task and (m.model_key or m.model) and m.metric:
            near.setdefault(m.near_key(), []).append(m)
    near_groups = [_group(sorted(ms, key=lambda m: (m.paper, m.where)), question, titles, status="near")
                   for ms in near.values() if len({m.paper for m in ms}) > 1]
    order = (lambda g: (g.status != "conflict", -g.relevance, str(g.task), str(g.model), str(g.subset),
                        str(g.setting), str(g.language), str(g.metric)))
    groups.sort(key=order)
    near_groups.sort(key=order)
    return groups, single, near_groups


def _language_name(code: str) -> str:
    entry = next((e for e in get_gazetteer().spec.languages if e.name == code), None)
    return f"{entry.aliases[0]} ({code})" if entry else code


def find_gaps(measurements: list[Measurement], question_entities) -> list[Gap]:
    """Cells of the setting × language grid that the papers' tables span and none reports, only where the task,
    metric and model are all known; question entities that no cell, row, column or claim mentions. (Only tables
    draw the grid: a claim reports one cell, not which cells it left out.)"""
    gaps: list[Gap] = []
    families: dict[tuple, list[Measurement]] = {}
    for m in measurements:
        if m.origin == "table" and m.task and m.metric and m.model:
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
    texts = {t for m in measurements for t in (m.row, m.row_group, m.model, m.task, m.subset, *m.column,
                                                 m.quote if m.origin == "claim" else None) if t}
    for text in texts:
        measured |= entity_names(find_entities(text))
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
               use_embeddings: bool = True, top: int = 12, store: Path | None = None) -> Synthesis:
    """The synthesis of the study: `tables` maps a paper key (<id>v<N>) to its parsed tables; `store` is the
    file that keeps claim embeddings between runs."""
    chosen = chosen_versions(cf, papers)
    keys = {(m.id, m.version) for m in chosen}
    own = [c for c in cf.claims if c.source is not None and c.origin.value != "imported"
           and (c.source.paper, c.source.version) in keys]
    cells: list[Measurement] = []
    study = Study.of(chosen)
    for meta in chosen:
        cells += table_measurements(meta, tables.get(meta.key, []), study)
    cells, unattached = attach_claims(cells, own)
    measurements = list(cells)
    untabulated = []
    cells_of: dict[str, list[Measurement]] = {}
    for c in cells:
        cells_of.setdefault(c.paper, []).append(c)
    for claim in unattached:
        paper_cells = cells_of.get(claim.source.paper, [])
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
    titles = {m.id: m.title for m in chosen}
    groups, single, near = group_measurements(measurements, q_names, titles)
    return Synthesis(question=cf.study.question, question_entities=sorted(q_names), titles=titles,
                     papers=[m.key for m in chosen], groups=groups, single=single, near_misses=near,
                     measurements=len(measurements),
                     untabulated=sorted(untabulated), gaps=find_gaps(measurements, q_ents),
                     **_relevant(cf.study.question, q_names, own, use_embeddings, top, store))


def _relevant(question: str, q_names: set[str], claims: list[Claim], use_embeddings: bool, top: int,
              store: Path | None = None) -> dict:
    if not question.strip() or not claims:
        return {"relevant": [], "similarity": ""}
    sim = similarities(question, [c.text for c in claims], use_embeddings, store)
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
