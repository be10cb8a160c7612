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

    Used only when the parser left a table without cells; rows whose number count does not fit the header get
    positional column names ('col3') rather than being dropped.
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
        if len(header) == len(values) + 1:
            columns = header[1:]
        elif len(header) == len(values):
            columns = header
        else:
            columns = [f"col{i + 1}" for i in range(len(values))]
        for column, raw in zip(columns, values):
            value = _as_number(raw)
            if value is not None:
                cells.append(TableCell(row=label, column=column, value=value, text=raw))
    return cells


def ensure_cells(tables: list[TableBlock], labels: list[str]) -> tuple[list[TableBlock], bool]:
    """Fill cells of the cited tables that have none; returns (tables, changed)."""
    changed = False
    out = []
    for block in tables:
        if block.label in labels and not block.cells:
            cells = cells_from_raw(block)
            if cells:
                block = block.model_copy(update={"cells": cells})
                changed = True
        out.append(block)
    return out, changed
