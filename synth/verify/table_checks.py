"""Claim numbers against the paper's own tables: cells, differences of two cells, row and column averages.

A number that the text states but the table gives slightly differently (abstract 8.4, table 8.3) is an internal
inconsistency of the paper and is reported as such, not as an error of the claim.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from statistics import fmean

from synth.core.models import TableBlock, TableCell
from synth.core.numbers import Num, within_rounding

_TERM = re.compile(r"[\w\-]+")


@dataclass
class TableValue:
    value: float
    where: str  # human description: "Table 2 (MNLI, XNLI)"
    direct: bool  # a cell (True) or a derived value (False)


@dataclass
class TableFinding:
    """Per claim number: a matching table value (found) or a near miss (an inconsistency of the paper)."""

    found: dict[int, TableValue] = field(default_factory=dict)
    near: dict[int, TableValue] = field(default_factory=dict)


def _terms(text: str) -> set[str]:
    return {t.lower() for t in _TERM.findall(text)}


def _matches(header: str, terms: set[str]) -> bool:
    """A row/column header naming one of the terms ('MNLI', 'en', 'Cosmos QA', 'ANLI+'), as whole words."""
    if _terms(header) & terms:
        return True
    low = header.lower()
    return any(t in low and re.search(rf"(?<!\w){re.escape(t)}(?!\w)", low) for t in terms if len(t) > 2)


def _label(table: TableBlock) -> str:
    return table.label or f"table on page {table.page}"


def table_values(table: TableBlock, terms: set[str], restrict: bool) -> list[TableValue]:
    """Relevant cells and simple derived values of one table; `terms` pick rows/columns (all when not restrict)."""
    cells = table.cells
    if not cells:
        return []
    rows: dict[str, list[TableCell]] = {}
    cols: dict[str, list[TableCell]] = {}
    for cell in cells:
        rows.setdefault(cell.row, []).append(cell)
        cols.setdefault(cell.column, []).append(cell)
    hot_rows = {r for r in rows if _matches(r, terms)}
    hot_cols = {c for c in cols if _matches(c, terms)}
    if not hot_rows and not hot_cols:
        if restrict:
            return []
        hot_rows, hot_cols = set(rows), set(cols)
    name = _label(table)

    def relevant(cell: TableCell) -> bool:
        in_row = cell.row in hot_rows or not hot_rows
        in_col = cell.column in hot_cols or not hot_cols
        return in_row and in_col

    out: list[TableValue] = []
    for cell in cells:
        if relevant(cell):
            out.append(TableValue(cell.value, f"{name} ({cell.row}, {cell.column}) = {cell.text}", True))
    # differences within a column (e.g. task - baseline) and within a row, anchored on a relevant cell
    for col, group in cols.items():
        for a in group:
            if not relevant(a):
                continue
            for b in group:
                if b is not a:
                    out.append(TableValue(a.value - b.value, f"{name} {col}: {a.row} {a.text} - {b.row} {b.text}",
                                          False))
    for row, group in rows.items():
        if row not in hot_rows and hot_rows:
            continue
        for a in group:
            if not relevant(a):
                continue
            for b in group:
                if b is not a:
                    out.append(TableValue(a.value - b.value, f"{name} {row}: {a.column} {a.text} - {b.column} {b.text}",
                                          False))
        if len(group) >= 2:
            out.append(TableValue(fmean(c.value for c in group), f"{name} average of row {row}", False))
    for col in hot_cols:
        group = cols[col]
        if len(group) >= 2:
            out.append(TableValue(fmean(c.value for c in group), f"{name} average of column {col}", False))
    return out


def check_tables(claim_numbers: list[Num], tables: list[TableBlock], terms: set[str],
                 cited: list[str] | None = None, memo: dict | None = None) -> TableFinding:
    """Look every claim number up in the relevant tables. `cited` ('Table 2') limits the tables searched.

    `found` uses only rows/columns the claim names (a number must be about the same thing); a near miss is
    reported only when no cell or derived value anywhere in the table gives the number exactly. `memo` keeps the
    whole-table values between calls (the caller keeps the tables alive while it uses the memo).
    """
    finding = TableFinding()
    wanted = {c.lower() for c in cited or []}
    chosen = [t for t in tables if t.label and t.label.lower() in wanted] or tables
    relevant: list[TableValue] = []
    everything: list[float] = []  # sorted |value| of every cell and derived value of the chosen tables
    for table in chosen:
        # a table the claim names is searched whole; others only in rows/columns naming the claim's terms
        restrict = not (table.label and table.label.lower() in wanted)
        part_key = (id(table), frozenset(terms), restrict)
        if memo is not None and part_key in memo:
            relevant.extend(memo[part_key])
        else:
            part = table_values(table, terms, restrict=restrict)
            if memo is not None:
                memo[part_key] = part
            relevant.extend(part)
        whole_key = (id(table), "whole")
        if memo is None or whole_key not in memo:
            whole = sorted(abs(v.value) for v in table_values(table, set(), restrict=False))
            if memo is not None:
                memo[whole_key] = whole
        else:
            whole = memo[whole_key]
        everything.extend(whole)
    everything.sort()
    for i, num in enumerate(claim_numbers):
        if num.unit == "x" or num.spelled:
            continue
        target = abs(num.value)
        exact = [v for v in relevant if within_rounding(abs(v.value), target, num.decimals)]
        if exact:
            finding.found[i] = min(exact, key=lambda v: (not v.direct, abs(abs(v.value) - target)))
            continue
        half = 0.5 * 10 ** (-num.decimals) + 1e-9
        at = bisect_left(everything, target - half)
        if at < len(everything) and everything[at] <= target + half:
            continue  # stated somewhere in the table, only not where we looked first: no inconsistency
        # near miss: off by at most two units of the claim's last digit (8.4 vs 8.3); never an average
        step = 10 ** (-num.decimals) if num.decimals else 0.0
        if step and target:
            near = [v for v in relevant if abs(abs(v.value) - target) <= 2 * step + 1e-9
                    and abs(abs(v.value) - target) <= 0.05 * target and "average of" not in v.where]
            if near:
                finding.near[i] = min(near, key=lambda v: (not v.direct, abs(abs(v.value) - target)))
    return finding


def cell_support(claim_numbers: list[Num], tables: list[TableBlock], terms: set[str],
                 ) -> tuple[TableBlock, list[TableCell], bool] | None:
    """A table cell for every number of the claim, in a row AND column that the claim names: (table, cells,
    all_equal). For a claim such as 'MNLI reaches 85.0 on English' that no sentence makes, only Table 1.
    Decimal scores only; a one-number claim whose named cell holds another, similar value comes back with
    all_equal False (the table contradicts it)."""
    wanted = [n for n in claim_numbers if not n.spelled]
    # differences ('rises by 3.2 points') are not cell values; small integers match too many cells by chance
    if not wanted or any(n.decimals == 0 or n.unit in ("points", "x") for n in wanted):
        return None
    for table in tables:
        named = [c for c in table.cells if _matches(c.row, terms) and _matches(c.column, terms)]
        if not named:
            continue
        cells = []
        for num in wanted:
            hit = next((c for c in named if within_rounding(abs(c.value), abs(num.value), num.decimals)), None)
            if hit is None:
                break
            cells.append(hit)
        else:
            return table, cells, True
        if len(wanted) == 1 and len(named) == 1 and abs(named[0].value - wanted[0].value) <= 0.25 * abs(named[0].value):
            return table, named, False  # the same kind of number, plausibly mistyped: the table contradicts it
    return None
