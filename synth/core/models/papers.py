"""Paper-side schemas: PaperRef, PaperMeta (meta.json), Page, Section, Sentence, TableCell, TableBlock (the
library's JSONL files)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field

from synth.core.models.base import Strict

NEW_ID = re.compile(r"^(?P<id>\d{4}\.\d{4,5})(?:v(?P<v>\d+))?$")
OLD_ID = re.compile(r"^(?P<id>[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v(?P<v>\d+))?$")
LOCAL_ID = re.compile(r"^(?P<id>local-[0-9a-f]{12})(?:v(?P<v>\d+))?$")


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


class Sentence(Strict):
    """One sentence with exact provenance (sentences.jsonl): text == page.text[start:end]."""

    idx: int = Field(ge=0, description="running index in the paper")
    page: int
    start: int
    end: int
    text: str
    section: list[str] = Field(default_factory=list)
    kind: Literal["body", "references", "caption", "front"] = "body"


class TableCell(Strict):
    row: str
    column: str
    value: float
    text: str


class TableBlock(Strict):
    """A numeric table from the text layer (tables.jsonl): raw lines always, parsed cells when possible."""

    label: str | None = Field(None, description="'Table 2'")
    caption: str = ""
    page: int
    start: int
    end: int
    raw: str
    header: list[str] = Field(default_factory=list)
    cells: list[TableCell] = Field(default_factory=list)
