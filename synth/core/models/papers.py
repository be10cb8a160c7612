"""Paper-side schemas: PaperRef, PaperMeta (meta.json), Page, Section, Sentence, TableCell, TableBlock (the
library's JSONL files)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field

from synth.core.models.base import Strict

# ASCII digits only (\d would also take full-width and Arabic-Indic digits), and no trailing newline (\Z, not $)
NEW_ID = re.compile(r"^(?P<id>\d{4}\.\d{4,5})(?:v(?P<v>\d+))?\Z", re.ASCII)
OLD_ID = re.compile(r"^(?P<id>[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v(?P<v>\d+))?\Z", re.ASCII)
LOCAL_ID = re.compile(r"^(?P<id>local-[0-9a-f]{12})(?:v(?P<v>\d+))?\Z", re.ASCII)


class PaperRef(Strict):
    """A paper id with an optional version: `2005.13013`, `2005.13013v2`, `hep-th/9901001v1`, `local-<sha12>v1`."""

    id: str
    version: int | None = None

    @classmethod
    def parse(cls, text: str) -> "PaperRef":
        """Parse a bare id (no URLs: see synth.papers.sources.arxiv.parse_identifier). Raises ValueError."""
        text = text.strip()
        for pattern in (NEW_ID, OLD_ID, LOCAL_ID):
            m = pattern.match(text)
            if m:
                return cls(id=m["id"], version=int(m["v"]) if m["v"] else None)
        raise ValueError(f"not a paper id: {text!r}")

    @property
    def key(self) -> str:
        """`<id>v<N>` (the library folder name uses `folder`, which also replaces '/')."""
        if self.version is None:
            raise ValueError(f"paper {self.id} has no version")
        return f"{self.id}v{self.version}"

    @property
    def folder(self) -> str:
        return self.key.replace("/", "_")

    def __str__(self) -> str:
        return self.id if self.version is None else f"{self.id}v{self.version}"


class PaperMeta(Strict):
    """meta.json of one library entry (one paper at one version)."""

    id: str = Field(description="arXiv id without version, or local-<sha12> for local PDFs")
    version: int = Field(ge=1)
    source: Literal["arxiv", "local"]
    title: str = ""
    authors: list[str] = Field(default_factory=list)
    abstract: str = ""
    published: str | None = None
    updated: str | None = None
    categories: list[str] = Field(default_factory=list)
    latest_version: int | None = Field(None, description="latest version arXiv reported when fetched")
    requested: str = Field("", description="what the user asked for (id, URL or path)")
    pdf_url: str | None = None
    local_path: str | None = None
    sha256: str
    size_bytes: int
    fetched_at: str
    parser: str = Field("", description="parser name and version that produced pages/sentences")
    n_pages: int = 0
    n_sentences: int = 0
    n_tables: int = 0
    warnings: list[str] = Field(default_factory=list)

    @property
    def ref(self) -> PaperRef:
        return PaperRef(id=self.id, version=self.version)

    @property
    def key(self) -> str:
        return f"{self.id}v{self.version}"


class Page(Strict):
    """One page of cleaned text (pages.jsonl). Sentence offsets index into `text`."""

    page: int = Field(ge=1, description="1-based physical page number")
    text: str
    printed_number: str | None = None
    removed_lines: list[str] = Field(default_factory=list, description="headers/footers/page numbers removed")


class Section(Strict):
    """A detected section heading (sections.jsonl)."""

    number: str | None = Field(None, description="'3.2', 'A', None for unnumbered headings")
    title: str
    level: int = Field(1, ge=1)
    page: int
    start: int = Field(description="char offset of the heading in the page text")
    path: list[str] = Field(description="titles from the top level down, e.g. ['4 Results', '4.1 XNLI']")
    kind: Literal["front", "body", "references", "appendix"] = "body"


SentenceKind = Literal["body", "references", "caption", "front", "footnote"]
EVIDENCE_KINDS: tuple[SentenceKind, ...] = ("body", "front", "caption", "footnote")  # what a claim can rest on


class Sentence(Strict):
    """One sentence with exact provenance (sentences.jsonl): text == page.text[start:end]."""

    idx: int = Field(ge=0, description="running index in the paper")
    page: int
    start: int
    end: int
    text: str
    section: list[str] = Field(default_factory=list)
    kind: SentenceKind = "body"


class TableCell(Strict):
    """One printed cell of a table body (tables.jsonl, and `synth library tables --json`): its row label, row
    group, column header path, the text as printed and every number in it. A paired cell ("86.5/89.4") is one
    cell with two values; a dash or blank cell is kept, with no values, so nothing shifts."""

    row: str = Field(description="the row's label as printed, footnote marks left out")
    row_group: str | None = Field(None, description="section row, rotated label, indented sub-row's parent or "
                                                    "outer stub column the row sits in; null when none")
    column: list[str] = Field(default_factory=list, description="column header path, top-down ('SQuAD 2.0', 'F1')")
    text: str = Field("", description="the cell exactly as printed, marks included")
    value: float | None = Field(None, description="the cell's first number, or null")
    values: list[float] = Field(default_factory=list, description="every number in the cell, in order")
    marks: list[str] = Field(default_factory=list, description="footnote marks printed with the cell (†, *)")
    bold: bool = Field(False, description="printed bold or underlined (the PDF's font says so)")
    row_index: int | None = Field(None, ge=0, description="0-based body row in the table")
    column_index: int | None = Field(None, ge=0, description="0-based value column")
    confident: bool = Field(True, description="False when the column was a guess (see TableBlock.uncertain)")

    @property
    def column_label(self) -> str:
        """The header path joined top-down: 'SQuAD 2.0 / F1'."""
        return " / ".join(self.column)

    @property
    def row_label(self) -> str:
        """The row with its group: 'No MLM / QQP'."""
        return " / ".join(p for p in (self.row_group, self.row) if p)


class TableBlock(Strict):
    """A numeric table (tables.jsonl): raw lines always, parsed cells when they can be read.

    `start`/`end` index the page text (`Page.text[start:end]` is the table's text). What could not be read
    confidently is listed in `uncertain` (and those cells carry `confident: False`), never silently guessed.
    """

    label: str | None = Field(None, description="'Table 2'")
    caption: str = Field("", description="the caption text after the label ('Accuracy per language.')")
    caption_page: int | None = Field(None, description="page of the caption (None: no caption found)")
    caption_start: int | None = Field(None, description="char offset of the caption ('Table 2: ...') in its page text")
    caption_end: int | None = None
    page: int
    start: int
    end: int
    raw: str
    header: list[str] = Field(default_factory=list,
                              description="column headers as in the cells (joined levels); first the row-label header")
    header_rows: list[list[str]] = Field(default_factory=list,
                                         description="the header lines as read, top-down, before joining")
    cells: list[TableCell] = Field(default_factory=list)
    uncertain: list[str] = Field(default_factory=list,
                                 description="what could not be read confidently ('row 4: 5 values for 6 columns')")
    bbox: list[float] | None = Field(None, description="table region on the page in PDF points: x0, y0, x1, y1")
