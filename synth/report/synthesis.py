"""The report's "Across papers" section: the literature-search flow (counted from the search log, nothing else)
and the cross-paper synthesis (synth.claims.synthesis) as template-ready views."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from synth.claims.synthesis import MeasurementGroup, PaperValue, Synthesis, chosen_versions, synthesize
from synth.core.errors import SynthError
from synth.core.models import ClaimsFile, FlowCounts, PaperMeta, SearchLog, TableBlock
from synth.core.settings import Settings
from synth.papers.search_sources import SOURCE_NAMES

CLAIM_EMBEDDINGS = "claim-embeddings/passages.npz"  # beside the library's sentence embeddings; see relevance.py


@dataclass
class SearchRow:
    id: str
    date: str
    kind: str
    query: str
    sources: str
    identified: int
    unique: int
    new: int


@dataclass
class FlowView:
    """The search log as the report shows it. `stages` are (label, count) rows, in flow order."""

    file: str
    searches: list[SearchRow]
    counts: FlowCounts
    stages: list[tuple[str, int]]
    excluded: list[tuple[str, str, str]] = field(default_factory=list)  # key, title, reason
    not_fetched: list[tuple[str, str, str]] = field(default_factory=list)  # key, title, why


def flow_view(log: SearchLog, path: Path) -> FlowView:
    """Search rows and PRISMA-style stages, every number from `log` (synth.papers.search_log.flow_counts)."""
    from synth.papers.search_log import flow_counts

    f = flow_counts(log)
    rows = []
    for s in log.searches:
        parts = []
        for src in s.sources:
            name = SOURCE_NAMES.get(src.source, src.source)
            if src.status == "failed":
                parts.append(f"{name}: failed ({src.error})")
            elif src.source == "crossref":
                parts.append(f"{name}: {src.enriched} completed")
            else:
                parts.append(f"{name} {src.identified}")
        query = s.query if s.kind == "search" else f"{s.kind} of {s.query} (depth {s.depth}, limit {s.limit})"
        if s.since:
            query += f", since {s.since}"
        rows.append(SearchRow(s.id, s.date[:10], s.kind, query, "; ".join(parts), s.identified, s.unique, s.new))
    stages = [(f"identified: {SOURCE_NAMES.get(src, src)}", n) for src, n in f.identified.items()]
    if f.identified_citations:
        stages.append(("identified: citation searches", f.identified_citations))
    stages += [("duplicates removed", f.duplicates), ("records screened", f.records),
               ("excluded at screening", f.excluded), ("awaiting a screening decision", f.undecided),
               ("included", f.included), ("fetched into the library", f.fetched),
               ("included, not fetched", f.not_fetched)]
    excluded = [(r.key, r.title, r.reason or "no reason given") for r in log.records if r.screening == "exclude"]
    missing = [(r.key, r.title, r.fetch_note or "not fetched yet (run `synth screen --fetch`)")
               for r in log.records if r.screening == "include" and not r.fetched]
    return FlowView(file=path.name, searches=rows, counts=f, stages=stages, excluded=sorted(excluded),
                    not_fetched=sorted(missing))


def dimensions(g: MeasurementGroup) -> str:
    """'zero-shot XNLI accuracy, MNLI, de' — the measurement's dimensions in reading order."""
    task = f"{g.task} ({g.subset})" if g.task and g.subset else g.task or g.subset
    parts = [g.condition, task, g.metric, f"model {g.model}" if g.model else None, g.setting, g.language,
             "dev set" if g.split == "dev" else None]
    text = " ".join(p for p in parts[:3] if p)
    rest = ", ".join(p for p in parts[3:] if p)
    label = ", ".join(p for p in (text, rest) if p)
    return label + (" (difference)" if g.kind == "difference" else "") if label else "unspecified measurement"


def synthesis_context(cf: ClaimsFile, settings: Settings, papers: list[PaperMeta]) -> dict:
    """{'search_flow': FlowView | None, 'synthesis': Synthesis | None, 'dimensions': fn} for _synthesis.j2."""
    from synth.papers.search_log import load_log

    path = settings.search_log_path
    flow = None
    if path.exists():
        log = load_log(path)
        if log.searches:
            flow = flow_view(log, path)
    synthesis: Synthesis | None = None
    chosen = chosen_versions(cf, papers)
    if len(chosen) >= 2:  # one paper: nothing to compare across papers, no section
        from synth.papers.library import Library

        with Library.open(settings) as lib:
            tables = {m.key: _tables(lib, m) for m in chosen}
            store = Path(lib.root) / CLAIM_EMBEDDINGS
        synthesis = synthesize(cf, chosen, tables, use_embeddings=settings.embed != "off", store=store)
    views = {"agree": findings(synthesis.agreements), "conflict": findings(synthesis.conflicts)} if synthesis else {}
    return {"search_flow": flow, "synthesis": synthesis, "dimensions": dimensions, "printed": printed,
            "findings": views}


@dataclass
class Finding:
    """Groups that differ only in metric or part (P, R and F1 of one row), as one line of the question section:
    `what` names the measurement, `sides` says where each paper prints it, `values` the numbers compared."""

    what: str
    status: str
    sides: list[str]
    values: list[str]
    notes: list[str]


def findings(groups: list[MeasurementGroup]) -> list[Finding]:
    """One line per model, dataset and pair of papers (the order of `groups` kept)."""
    bundles: dict[tuple, list[MeasurementGroup]] = {}
    for g in groups:
        key = (g.task, g.model, g.condition, g.setting, g.language, g.split, g.kind, g.status,
               tuple(sorted({(v.paper, v.table) for v in g.values})))
        bundles.setdefault(key, []).append(g)
    out = []
    for bundle in bundles.values():
        first = bundle[0]
        what = dimensions(first.model_copy(update={"metric": None, "subset": None}))
        sides, seen = [], set()
        for v in first.values:
            if v.paper in seen:
                continue
            seen.add(v.paper)
            place = (v.table or "claim") + (f", p. {v.page}" if v.page else "")
            where = "; ".join(x for x in (printed(v), place) if x)
            sides.append(f"{v.paper}{('v' + str(v.version)) if v.version is not None else ''}"
                         + (f" “{v.title}”" if v.title else "") + f" ({where})")
        values = []
        for g in bundle:
            name = " ".join(x for x in (g.subset, g.metric) if x) or "value"
            values.append(f"{name} " + " vs ".join(v.text for v in g.values))
        notes = [g.note for g in bundle if g.status == "conflict"] or [bundle[0].note if len(bundle) == 1 else
                                                                      _agree_note(bundle)]
        out.append(Finding(what=what, status=first.status, sides=sides, values=values, notes=notes))
    return out


def _agree_note(bundle: list[MeasurementGroup]) -> str:
    notes = {g.note for g in bundle}
    return notes.pop() if len(notes) == 1 else "all within rounding"


def printed(v: PaperValue) -> str:
    """How this paper prints the measurement: 'row “Zhang and Yang (2018)” in group “Lexicon”; taken from Zhang
    and Yang, 2018 (P18-1144)'."""
    parts = []
    if v.row or v.row_group:
        parts.append(" in ".join(x for x in (f"row “{v.row}”" if v.row else None,
                                             f"group “{v.row_group}”" if v.row_group else None) if x))
    elif v.model:
        parts.append(f"model {v.model}")
    if v.setting and v.setting.lower() != (v.row or "").lower():
        parts.append(f"setting {v.setting}")
    if v.source and (v.copied_from or v.source.split(",")[0] not in (v.row or "")):
        parts.append(f"taken from {v.source}" + (f" ({v.copied_from})" if v.copied_from else ""))
    if v.metric_from:
        parts.append(f"its column names no metric: the metric is {v.metric_from}'s")
    return "; ".join(parts)


def _tables(lib, meta: PaperMeta) -> list[TableBlock]:
    """A paper's parsed tables; none when the entry has no tables file (metadata-only entries)."""
    try:
        return lib.tables(meta)
    except (OSError, SynthError):
        return []
