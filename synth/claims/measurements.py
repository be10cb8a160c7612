"""What each paper measured, as comparable records: task/dataset, metric, model, language, condition (zero-shot,
translate-train, ...) and setting (a table row: 'baseline', an intermediate task, ...), the value as printed, and
the quote that states it.

Two sources, both traceable: the paper's parsed tables (caption → task, metric, model, condition; row and column
headers → setting and language; the quote is the table row as printed) and its claims. A claim's number that is a
cell of the same paper's tables is attached to that cell (the table gives the dimensions, the claim adds its
sentence and verdict). A claim's number that is in no table becomes a measurement of its own only when the
claim leaves no doubt what it measures (one task, one metric, at most one language, one number of that kind);
every other claim is left out of the table and said to be.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from pydantic import Field

from synth.claims.citations import model_key
from synth.claims.entities import find_entities, language_codes
from synth.core.models import Claim, PaperMeta, Quantity, Strict, TableBlock, TableCell

AVERAGE_LABELS = {"avg", "avg.", "average", "mean", "all"}
BASELINE_LABELS = {"baseline", "none", "no intermediate task", "no intermediate", "-", "—", "–", "w/o", "vanilla"}
# the evaluation regime, from captions and claim text; measurements under different regimes never group
CONDITIONS = (("zero-shot", r"\bzero[- ]shot\b"), ("few-shot", r"\bfew[- ]shot\b"),
              ("translate-train", r"\btranslate[- ]train\b"), ("translate-test", r"\btranslate[- ]test\b"))
_AVERAGE_WORDS = re.compile(r"\b(?:average|averaged|mean|avg)\b", re.I)
_BASELINE_WORDS = re.compile(r"\b(?:baseline|without (?:an? )?intermediate|no intermediate)\b", re.I)
_DIFF_LABEL = re.compile(r"^(?:Δ|delta\b|diff|gain\b|change\b)", re.I)
_DEV_WORDS = re.compile(r"\b(?:dev|development|validation)(?:\s+set)?\b", re.I)
_TEST_WORDS = re.compile(r"\btest(?:\s+set)?\b", re.I)
_PLUS_MINUS = re.compile(r"(?:±|\+/-|\+-)\s*(\d+(?:\.\d+)?)")


class Measurement(Strict):
    """One number a paper reports about one measurement."""

    paper: str
    version: int | None = None
    task: str | None = Field(None, description="task, dataset or benchmark evaluated")
    metric: str | None = None
    model: str | None = None
    language: str | None = Field(None, description="ISO code, 'average of ar, bg, de', 'average' or None")
    condition: str | None = Field(None, description="zero-shot, few-shot, translate-train, translate-test")
    setting: str | None = Field(None, description="table row / configuration: 'baseline', 'MNLI', ...")
    subset: str | None = Field(None, description="part of the dataset the column names: 'Named Entity', 'Overall'")
    split: str | None = Field(None, description="'dev' or 'test' when the table or claim says which")
    model_key: str | None = Field(None, description="normalised model: 'bertlarge', '<paper>:own' for a paper's "
                                                    "own model, also when another paper cites it")
    row: str | None = Field(None, description="the table row's label as printed")
    row_group: str | None = Field(None, description="the row's group (a soft attribute, shown beside the value)")
    column: list[str] = Field(default_factory=list, description="the column header path")
    source: str | None = Field(None, description="the paper the value is taken from, as cited ('Wu et al., 2017')")
    copied_from: str | None = Field(None, description="that paper's id when it is one of the compared papers")
    metric_from: str | None = Field(None, description="the paper whose table gave this value its metric, when its "
                                                      "own column names none")
    kind: Literal["value", "difference"] = "value"
    value: float
    text: str = Field(description="the number as printed")
    decimals: int = 0
    plus_minus: float | None = None
    origin: Literal["table", "claim"]
    table: str | None = None
    page: int | None = None
    quote: str
    where: str
    claims: list[str] = Field(default_factory=list, description="claims stating this number")
    verdicts: list[str] = Field(default_factory=list, description="their verdict labels, same order")

    def key(self) -> tuple:
        """What makes two numbers the same measurement (the paper and the value are not part of it). An unstated
        split counts as the test split (what a results table reports unless it says otherwise)."""
        return (_norm(self.task), _part(self.subset), self.metric, self.model_key or _norm(self.model),
                self.language, self.condition, _norm(self.setting), self.split or "test", self.kind)

    def near_key(self) -> tuple:
        """The same model on the same task and metric: values that differ only in setting, split, part or
        condition are near-misses, shown apart and never called conflicts."""
        return (_norm(self.task), self.metric, self.model_key or _norm(self.model), self.kind)


def _norm(text: str | None) -> str | None:
    return re.sub(r"[^a-z0-9@]+", "", text.lower()) if text else text


def _part(text: str | None) -> str | None:
    """'NE' = 'Named Entity' (a capitalised phrase counts by its initials), 'Overall' = 'overall'."""
    if not text:
        return text
    words = re.findall(r"[A-Za-z]+", text)
    if len(words) >= 2 and all(w[0].isupper() for w in words):
        return "".join(w[0] for w in words).lower()
    return _norm(text)


@lru_cache(maxsize=1)
def condition_of(text: str) -> str | None:
    found = [name for name, pattern in CONDITIONS if re.search(pattern, text, re.I)]
    return found[0] if len(found) == 1 else None


def decimals_of(text: str) -> int:
    m = re.search(r"\.(\d+)", text)
    return len(m.group(1)) if m else 0


def classify_label(label: str) -> tuple[str, str]:
    """A row or column header → (dimension, value): ('language', 'de'), ('language', 'average'), ('task',
    'MNLI'), ('setting', 'baseline'), ('model', 'XLM-R'), ('metric', 'F1') or ('setting', <label as printed>)."""
    text = " ".join(label.split())
    low = text.lower()
    if low in AVERAGE_LABELS:
        return "language", "average"
    if low in BASELINE_LABELS:
        return "setting", "baseline"
    if text in language_codes():
        return "language", text
    ents = find_entities(text)
    for dim, names in (("language", ents.languages), ("task", ents.tasks + ents.datasets + ents.benchmarks),
                       ("model", ents.models), ("metric", ents.metrics)):
        if len(names) == 1:
            return dim, names[0]
    return "setting", text


def _row_line(block: TableBlock, cell: TableCell) -> str:
    """The table row as printed: the raw line holding the row label and the cell, else the row's cells."""
    for line in block.raw.splitlines():
        if cell.row and line.strip().startswith(cell.row) and cell.text in line:
            return " ".join(line.split())
    texts = [c.text for c in block.cells if c.row == cell.row and c.row_group == cell.row_group and c.text]
    return f"{cell.row_label} " + " ".join(texts) if texts else f"{cell.row_label} … {cell.text}"


def table_measurements(meta: PaperMeta, tables: list[TableBlock], study=None) -> list[Measurement]:
    """Every number of the paper's results tables as a measurement (synth.claims.cell_measurements reads the
    dimensions); `study` (cell_measurements.Study) resolves rows that cite the other compared papers."""
    from synth.claims.cell_measurements import Study, header_levels, table_cells

    study = study or Study()
    out: list[Measurement] = []
    for block in tables:
        condition = condition_of(block.caption)
        for cell, i, d in table_cells(block, meta.id, study):
            column = cell.column_label
            levels = header_levels(cell.column)
            kind = "difference" if any(_DIFF_LABEL.match(x) for x in levels) or _DIFF_LABEL.match(cell.row) else "value"
            where = (f"{meta.key}, p. {block.page}, {block.label or 'a table'}, row “{cell.row_label}”, "
                     f"column “{column}”")
            pm = _PLUS_MINUS.search(cell.text)
            value = cell.values[i]
            if pm and i > 0 and abs(value - float(pm.group(1))) < 1e-12:
                continue  # the ± of '5.8 ± 1.1' is the first value's uncertainty, not a measurement
            text = cell.text if len(cell.values) == 1 else _part_text(cell.text, i)
            language = d.language
            out.append(Measurement(
                paper=meta.id, version=meta.version, task=d.task, metric=d.metric, model=d.model,
                language=language, condition=condition, setting=d.setting, subset=d.subset, split=d.split,
                model_key=d.model_key, row=cell.row, row_group=cell.row_group, column=list(cell.column),
                source=d.source, copied_from=d.copied_from, kind=kind, value=value, text=text,
                decimals=decimals_of(text), origin="table", plus_minus=float(pm.group(1)) if pm and i == 0 else None,
                table=block.label, page=block.page, quote=_row_line(block, cell), where=where))
    return out


_NUMBER_TEXT = re.compile(r"[-−+]?\d+(?:\.\d+)?%?")


def _part_text(text: str, i: int) -> str:
    """The i-th number of a paired cell as printed ('86.5/89.4', 1 → '89.4')."""
    found = _NUMBER_TEXT.findall(text)
    return found[i] if i < len(found) else text


# ------------------------------------------------------------------------------------------ claims


_BREAK = re.compile(r"[,;:]")


def clauses(text: str, quantities: list[Quantity]) -> list[str]:
    """For each quantity (in text order), the words around it: from the previous clause break or number to the
    next one, so that 'MNLI reaches 62.5 compared with 61.0 for the baseline' gives each number its own cue."""
    spans, pos = [], 0
    for q in quantities:
        at = text.find(q.text, pos)
        if at < 0:
            at = text.find(q.text)
        spans.append((at, at + len(q.text)) if at >= 0 else None)
        if at >= 0:
            pos = at + len(q.text)
    out = []
    for i, span in enumerate(spans):
        if span is None:
            out.append(text)
            continue
        left = max([m.end() for m in _BREAK.finditer(text, 0, span[0])] +
                   [e for j, sp in enumerate(spans) if sp and j != i and (e := sp[1]) <= span[0]] + [0])
        right = min([m.start() for m in _BREAK.finditer(text, span[1])] +
                    [b for j, sp in enumerate(spans) if sp and j != i and (b := sp[0]) >= span[1]] + [len(text)])
        out.append(text[left:right])
    return out


def _fits(cell: Measurement, claim: Claim, clause: str, names: set[str]) -> int | None:
    """How well a table cell fits a number of a claim: None when the claim says something else; else a score
    (local words count double)."""
    ents = claim.entities
    score = 0
    if cell.language and not cell.language.startswith("average"):
        if ents.languages and cell.language not in ents.languages:
            return None
        score += cell.language in ents.languages
    elif cell.language:
        if not _AVERAGE_WORDS.search(claim.text):
            return None
        score += 1 + bool(_AVERAGE_WORDS.search(clause))
    if cell.setting == "baseline":
        score += bool(_BASELINE_WORDS.search(claim.text)) + bool(_BASELINE_WORDS.search(clause))
    elif cell.setting:
        if cell.setting in ents.tasks + ents.models:
            score += 1 + (cell.setting in clause)
        elif _BASELINE_WORDS.search(clause):
            return None
    if ents.tasks and not set(ents.tasks) & names:
        return None  # the claim is about other tasks than this table's
    return score


def attach_claims(cells: list[Measurement], claims: list[Claim]) -> tuple[list[Measurement], list[Claim]]:
    """Attach each claim number that is a table cell of its paper (same printed value, best-fitting cell, no tie)
    to that cell; returns the cells and the claims none of whose numbers were attached."""
    cells = [c.model_copy(update={"claims": list(c.claims), "verdicts": list(c.verdicts)}) for c in cells]
    unattached = []
    names_of = {}  # per paper: every task and setting its tables name
    by_value: dict[tuple, list[int]] = {}  # (paper, version, value to 6 places) → cells
    for i, c in enumerate(cells):
        names_of.setdefault((c.paper, c.version), set()).update(n for n in (c.task, c.setting) if n)
        by_value.setdefault((c.paper, c.version, round(c.value, 6)), []).append(i)
    for claim in claims:
        attached = False
        src = claim.source
        names = names_of.get((src.paper, src.version), set()) if src is not None else set()
        for q, clause in zip(claim.quantities, clauses(claim.text, claim.quantities)):
            if q.unit == "points" or q.out_of is not None or q.low is not None or src is None:
                continue
            candidates = by_value.get((src.paper, src.version, round(q.value, 6)), [])
            fits = [(s, i) for i in candidates if abs(cells[i].value - q.value) < 1e-9
                    and (s := _fits(cells[i], claim, clause, names)) is not None]
            if not fits:
                continue
            best = max(s for s, _ in fits)
            chosen = [i for s, i in fits if s == best]
            if len(chosen) != 1 or best == 0:
                continue  # ambiguous: the same number in several cells the claim fits equally well
            cell = cells[chosen[0]]
            if claim.id not in cell.claims:
                cell.claims.append(claim.id)
                cell.verdicts.append(claim.verification.label if claim.verification else "not yet verified")
            attached = True
        if not attached:
            unattached.append(claim)
    return cells, unattached


def claim_measurement(claim: Claim, paper_task: str | None, paper_metric: str | None, condition: str | None,
                      paper_settings: set[str] = frozenset(), paper_average: str | None = None) -> Measurement | None:
    """A measurement from a claim alone, when it is unambiguous: one task (or the paper's only task), one metric
    (or the paper's), at most one language, exactly one number of its kind; None otherwise. A task the paper's
    tables use as a setting (a row: an intermediate task) is the setting, and the task is the paper's. A plain
    number counts only when the claim names its metric ('3 languages' is a count, not a score); an average is
    over the languages of the paper's tables (`paper_average`), never compared with another paper's average
    over other languages."""
    if claim.source is None:
        return None
    ents = claim.entities
    tasks = ents.tasks + ents.datasets + ents.benchmarks
    settings = [t for t in tasks if t in paper_settings]
    tasks = [t for t in tasks if t not in paper_settings]
    if len(settings) > 1:
        return None
    task = tasks[0] if len(tasks) == 1 else (paper_task if not tasks else None)
    metric = ents.metrics[0] if len(ents.metrics) == 1 else (paper_metric if not ents.metrics else None)
    if task is None or metric is None or len(ents.languages) > 1:
        return None
    values = [q for q in claim.quantities if q.unit in ("absolute", "%") and q.out_of is None and q.low is None]
    diffs = [q for q in claim.quantities if q.unit == "points"]
    if len(values) + len(diffs) != 1 or (values and values[0].unit == "absolute" and not ents.metrics):
        return None
    q = (values or diffs)[0]
    average = (paper_average or "average") if _AVERAGE_WORDS.search(claim.text) else None
    language = ents.languages[0] if ents.languages else average
    s = claim.source
    where = f"{s.paper}v{s.version}" if s.version else s.paper
    where += f", p. {s.page}" if s.page else ""
    model = next(iter(ents.models), None)
    split = "dev" if _DEV_WORDS.search(claim.text) and not _TEST_WORDS.search(claim.text) else None
    return Measurement(paper=s.paper, version=s.version, task=task, metric=metric, model=model,
                       model_key=model_key(model) if model else None, split=split,
                       language=language, condition=condition_of(claim.text) or condition,
                       setting=settings[0] if settings else "baseline" if _BASELINE_WORDS.search(claim.text)
                       else None,
                       kind="difference" if diffs else "value", value=q.value, text=q.text,
                       decimals=decimals_of(q.text), plus_minus=q.plus_minus, origin="claim", page=s.page,
                       quote=claim.text, where=where + f", claim {claim.id}", claims=[claim.id],
                       verdicts=[claim.verification.label if claim.verification else "not yet verified"])
