"""Hand-read table gold (tests/data/tables/{dev,test}/<paper>.yaml): the schema a person writes from page images.

One file per paper. `tables` lists every table of the paper (label, page) so table recall can be measured;
the tables chosen for cell gold carry `cells`, each with its row label, row group, column header path, the text
exactly as printed and every number in it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from synth.core.models import TableBlock
from synth.core.models.base import Strict
from synth.core.yamlio import load_yaml_validated


class GoldCell(Strict):
    row: str = Field(description="the row's label as printed, marks left out")
    row_group: str | None = Field(None, description="the group the row sits in (section row, rotated label, "
                                                    "the parent of an indented row), or null")
    column: list[str] = Field(description="column header path, top-down, spanning headers first")
    text: str = Field(description="the cell exactly as printed, marks included; '' for a blank cell")
    values: list[float] = Field(default_factory=list, description="every number in the cell, in order")
    bold: bool = Field(False, description="printed in bold (or underlined)")


class GoldTable(Strict):
    label: str = Field(description="'Table 2'")
    page: int = Field(ge=1, description="physical 1-based page of the PDF")
    caption_start: str = Field("", description="the first words of the caption after the label")
    kind: Literal["results", "configuration", "statistics", "examples", "other"] = "results"
    cells: list[GoldCell] = Field(default_factory=list, description="empty: table listed for recall only")


class TableGold(Strict):
    schema_: Literal[1] = Field(1, alias="schema")
    paper: str = Field(description="PDF file name in ../shared/corpus")
    split: Literal["dev", "test"]
    provenance: str = Field(description="who read it, from what, and how")
    tables: list[GoldTable]


def load_table_gold(path: Path) -> TableGold:
    """Load one paper's table gold (YAML, validated with file:line errors)."""
    return load_yaml_validated(Path(path), TableGold)


def _key(text: str | None) -> str:
    """Compare labels as a reader would: case, spaces, marks and dash shapes aside."""
    from synth.papers.parse.table_cells import normalise, split_marks

    if not text:
        return ""
    clean = split_marks(normalise(text))[0] or normalise(text)
    return "".join(clean.lower().replace("–", "-").replace("—", "-").replace("_", " ").split())


def _same_values(a: list[float], b: list[float]) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= 1e-6 * max(1.0, abs(y)) for x, y in zip(a, b))


def _row_keys(row: str, group: str | None) -> set[str]:
    """A row is named by its label, or by its label path (group + label): where a two-level label is split
    between group and label ('WordNet' over '+ Freq') is a convention readers and annotators differ on."""
    return {_key(row), _key(f"{group or ''} {row}")}


def score_tables(gold: TableGold, tables: list[TableBlock]) -> dict:
    """How many gold cells a reader got right (row label, column path and values; row group, text and bold
    counted apart), strictly (`right`: the row's own label) and by label path (`right_path`: group + label), and
    how many of the paper's tables it structured (label found with cells). `value_read`, `row_named` and
    `column_named` count the cells whose value some read cell of the table has, and of those, with the gold row
    label or column path: where the wrong ones went wrong."""
    by_label: dict[str, list[TableBlock]] = {}
    for t in tables:
        if t.label:
            by_label.setdefault(_key(t.label), []).append(t)
    out = {"cells": 0, "right": 0, "right_path": 0, "row_group": 0, "text": 0, "bold": 0, "value_read": 0,
           "row_named": 0, "column_named": 0,
           "tables": len(gold.tables), "structured": 0, "gold_tables": 0, "per_table": {}}
    for gt in gold.tables:
        found = by_label.get(_key(gt.label), [])
        cells = [c for t in found for c in t.cells]
        out["structured"] += bool(cells)
        if not gt.cells:
            continue
        out["gold_tables"] += 1
        right = 0
        for g in gt.cells:
            column = _key("/".join(g.column))
            read = [c for c in cells if _same_values(c.values, g.values) and (g.values or _key(c.text) == _key(g.text))]
            same = [c for c in read if _key("/".join(c.column)) == column]
            out["value_read"] += bool(read)  # where a wrong cell went wrong: its value, its row or its column
            out["row_named"] += any(_key(c.row) == _key(g.row) for c in read)
            out["column_named"] += bool(same)
            strict = [c for c in same if _key(c.row) == _key(g.row)]
            by_path = [c for c in same if _row_keys(c.row, c.row_group) & _row_keys(g.row, g.row_group)]
            out["cells"] += 1
            out["right_path"] += bool(strict or by_path)
            if not strict:
                continue
            right += 1
            c = min(strict, key=lambda c: _key(c.row_group) != _key(g.row_group))
            out["row_group"] += _key(c.row_group) == _key(g.row_group)
            out["text"] += _key(c.text) == _key(g.text)
            out["bold"] += c.bold == g.bold
        out["right"] += right
        out["per_table"][gt.label] = (right, len(gt.cells))
    return out
