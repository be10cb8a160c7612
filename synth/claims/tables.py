"""Tables cited by claims: find 'Table 2' references and make sure the cited tables carry numeric cells."""

from __future__ import annotations

import re

from synth.core.models import TableBlock, TableCell

_SEP = r"(?:,\s*(?:and|&)?|and|&|-|–)"
_TABLE_REF = re.compile(rf"\b(?:Tables?|Tab\.|Tabs\.)\s*(\d+)((?:\s*{_SEP}\s*\d+)*)")
_NUMBER = re.compile(r"^[-−]?\d+(?:\.\d+)?%?$")


def cited_tables(text: str) -> list[str]:
    """'as Tables 1, 2, and 3 show' → ['Table 1', 'Table 2', 'Table 3'] (ranges 'Tables 2-4' expanded)."""
    labels: list[str] = []
    for m in _TABLE_REF.finditer(text):
        numbers = [int(m.group(1))]
        rest = m.group(2) or ""
        for sep, num in re.findall(rf"\s*({_SEP})\s*(\d+)", rest):
            n = int(num)
            if sep.strip() in ("-", "–") and n > numbers[-1] and n - numbers[-1] < 20:
                numbers += list(range(numbers[-1] + 1, n + 1))
            else:
                numbers.append(n)
        for n in numbers:
            label = f"Table {n}"
            if label not in labels:
                labels.append(label)
    return labels


def _as_number(token: str) -> float | None:
    token = token.replace("−", "-").rstrip("%")
    try:
        return float(token)
    except ValueError:
        return None


def cells_from_raw(block: TableBlock) -> list[TableCell]:
    """Numeric cells from a table's raw text lines: a row label, then numbers aligned with the header columns.

    Used only for tables an older parser left without cells (the layout-aware parser records its doubts in
    `uncertain` instead); rows whose number count does not fit the header get positional column names ('col3'),
    and every cell made here is marked `confident: False`.
    """
    header = list(block.header)
    lines = [ln.split() for ln in block.raw.splitlines() if ln.strip()]
    if not header and lines:
        first = lines[0]
        if sum(1 for t in first if _NUMBER.match(t)) == 0 and len(first) >= 2:
            header = first
            lines = lines[1:]
    cells: list[TableCell] = []
    for tokens in lines:
        n_tail = 0
        for tok in reversed(tokens):
            if not _NUMBER.match(tok):
                break
            n_tail += 1
        if n_tail == 0 or n_tail == len(tokens):
            continue
        label = " ".join(tokens[: len(tokens) - n_tail])
        values = tokens[len(tokens) - n_tail:]
        bottom = block.header_rows[-1] if block.header_rows else []  # the header line right above the numbers
        if len(header) == len(values) + 1:
            columns = header[1:]
        elif len(header) == len(values):
            columns = header
        elif len(bottom) == len(values):
            columns = bottom
        else:
            columns = [f"col{i + 1}" for i in range(len(values))]
        for column, raw in zip(columns, values):
            value = _as_number(raw)
            if value is not None:
                cells.append(TableCell(row=label, column=[column], value=value, values=[value], text=raw,
                                       confident=False))
    return cells


def ensure_cells(tables: list[TableBlock], labels: list[str]) -> tuple[list[TableBlock], bool]:
    """Fill cells of the cited tables that have none; returns (tables, changed)."""
    changed = False
    out = []
    for block in tables:
        if block.label in labels and not block.cells and not block.uncertain:  # the parser's doubts stand
            cells = cells_from_raw(block)
            if cells:
                block = block.model_copy(update={"cells": cells})
                changed = True
        out.append(block)
    return out, changed


_DECIMALS = re.compile(r"\.(\d+)")
_HEADER_NAME_CATEGORIES = ("metrics", "benchmarks", "tasks")


def measures_from_tables(quantities: list, labels: list[str], tables: list[TableBlock]) -> None:
    """Give a quantity whose sentence names no metric the metric of the cited table's column that holds it.

    Only when exactly one column of the cited tables has a cell equal to the number (at the number's own
    precision); the metric is the name found in that column's header ('unigram F1 (%) / rare' → 'F1'), else in
    the table's caption ('XNLI accuracy (%) per language' → 'accuracy'). Ranges, multipliers and numbers found
    in several columns are left alone.
    """
    from synth.claims.entities import entity_spans
    from synth.core.numbers import within_rounding

    cited = [t for t in tables if t.label in labels and t.cells]
    if not cited:
        return
    for q in quantities:
        if q.measures or q.unit == "x" or q.low is not None or q.out_of is not None:
            continue
        m = _DECIMALS.search(q.text)
        decimals = len(m.group(1)) if m else 0
        hits = {(t.caption, cell.column_label) for t in cited for cell in t.cells
                if any(within_rounding(v, q.value, decimals) for v in cell.values)}
        if len(hits) != 1:
            continue
        caption, column = hits.pop()
        for place in (column, caption):
            spans = [s for s in entity_spans(place) if s.category in _HEADER_NAME_CATEGORIES]
            if spans:  # a metric first ('accuracy' over 'XNLI' in 'XNLI accuracy (%)')
                q.measures = min(spans, key=lambda s: _HEADER_NAME_CATEGORIES.index(s.category)).name
                break
