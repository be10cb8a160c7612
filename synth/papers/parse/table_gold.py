"""Hand-read table gold (tests/data/tables/{dev,test}/<paper>.yaml): the schema a person writes from page images.

One file per paper. `tables` lists every table of the paper (label, page) so table recall can be measured;
the tables chosen for cell gold carry `cells`, each with its row label, row group, column header path, the text
exactly as printed and every number in it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

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
