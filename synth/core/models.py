"""Pydantic domain types that ARE the on-disk schemas (meta.json, pages.jsonl, sentences.jsonl, claims.yaml).

Sections:
  * papers     - PaperRef, PaperMeta, Page, Section, Sentence, TableBlock, TableCell (library, parse)
  * claims     - Quantity, Entities, SourceSpan, ReportedVerification, ExperimentLink, Claim, Study, ClaimsFile
  * verdicts   - Evidence, NumberCheck, Verification
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# --------------------------------------------------------------------------------------------- papers

NEW_ID = re.compile(r"^(?P<id>\d{4}\.\d{4,5})(?:v(?P<v>\d+))?$")
OLD_ID = re.compile(r"^(?P<id>[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v(?P<v>\d+))?$")
LOCAL_ID = re.compile(r"^(?P<id>local-[0-9a-f]{12})(?:v(?P<v>\d+))?$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


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


# --------------------------------------------------------------------------------------------- claims


class ClaimType(str, Enum):
    result = "result"
    comparison = "comparison"
    method = "method"
    setup = "setup"
    dataset = "dataset"
    limitation = "limitation"


class Origin(str, Enum):
    extracted = "extracted"
    imported = "imported"
    manual = "manual"


class Quantity(Strict):
    """A number in a claim: '8.7 points', '5.4%', '8 out of 9', '1k-64k', '88.2 ± 0.3'."""

    text: str = Field(description="the exact surface text in the claim")
    value: float
    unit: Literal["%", "points", "x", "absolute"] = "absolute"
    direction: Literal["increase", "decrease", "none"] = "none"
    measures: str | None = Field(None, description="what it measures, e.g. 'XTREME average', 'accuracy'")
    plus_minus: float | None = None
    low: float | None = Field(None, description="range lower bound")
    high: float | None = Field(None, description="range upper bound")
    out_of: float | None = Field(None, description="'8 out of 9' -> value 8, out_of 9")


class Entities(Strict):
    tasks: list[str] = Field(default_factory=list)
    datasets: list[str] = Field(default_factory=list)
    models: list[str] = Field(default_factory=list)
    metrics: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    benchmarks: list[str] = Field(default_factory=list)

    def all(self) -> list[str]:
        return sorted({*self.tasks, *self.datasets, *self.models, *self.metrics, *self.languages, *self.benchmarks})


class SourceSpan(Strict):
    """Where a claim's quote lives: paper@version, page, section path, char span in that page's text."""

    paper: str
    version: int | None = None
    page: int | None = None
    section: list[str] = Field(default_factory=list)
    start: int | None = None
    end: int | None = None
    quote: str | None = None


class ReportedVerification(Strict):
    """What an imported literature review said about the claim (kept verbatim for side-by-side)."""

    verdict: str | None = Field(None, description="normalised: verified | unverified | partial | unknown")
    raw: str | None = Field(None, description="the cell as written, e.g. '✓' or 'Verified'")
    confidence: float | None = None


class ExperimentLink(Strict):
    """Link from a claim to an experiment whose results can replicate it (filled by the replication issue)."""

    experiment: str = Field(description="experiment file name, e.g. 'xstilts'")
    metric: str = Field(description="metric or score, e.g. 'xtreme_avg', 'xnli.accuracy'")
    target: str | None = Field(None, description="target task, e.g. 'xnli'; None = benchmark average")
    languages: list[str] | str | None = Field(None, description="language list or group name")
    comparison: str | None = Field(None, description="'<intermediate> - baseline' or 'value'")
    intermediate: str | None = None
    intermediate_examples: int | None = Field(
        None, description="compare intermediate runs at this data volume (a scaling point); None = the full task")
    expected: float = Field(description="the paper's value or difference")
    tolerance: float = Field(1.0, ge=0, description="absolute tolerance, same scale as expected")


class Evidence(Strict):
    paper: str
    version: int | None = None
    page: int | None = None
    section: list[str] = Field(default_factory=list)
    start: int | None = None
    end: int | None = None
    quote: str
    score: float = Field(0.0, description="alignment score 0..1")


class NumberCheck(Strict):
    claim: str = Field(description="number as in the claim")
    source: str | None = Field(None, description="matching or conflicting number in the source")
    status: Literal["equal", "rounded", "converted", "missing", "conflict", "table", "table_conflict"]
    note: str | None = None


class ReplicationResult(Strict):
    """A claim's experiment link judged against results documents (synth.verify.replication). Rule-based: the label
    comes from tolerance and seed-interval rules, so it carries no probability."""

    label: Literal["replicated", "not_replicated", "inconclusive"]
    reason: str = Field(description="one line a person can read")
    experiment: str
    metric: str
    target: str | None = Field(None, description="target task; None = benchmark average over the targets")
    comparison: str = Field("value", description="'value' or '<left> - <right>' configurations")
    expected: float
    tolerance: float
    measured: float | None = Field(None, description="mean over seeds of the compared value")
    seeds: list[int] = Field(default_factory=list)
    values: list[float] = Field(default_factory=list, description="per-seed values, in seed order")
    sd: float | None = Field(None, description="sample standard deviation over seeds")
    interval: tuple[float, float] | None = Field(None, description="95% t-interval of the mean over seeds")
    profiles: list[str] = Field(default_factory=list, description="profiles of the results used")
    evidence: bool = Field(False, description="True only when every result ran at paper fidelity")
    step_ids: list[str] = Field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.values)


LABELS_TEXT = ("supported", "partially_supported", "contradicted", "not_found", "version_mismatch")
LABELS_REPLICATION = ("replicated", "not_replicated", "inconclusive")


class Verification(Strict):
    """A verdict on one claim (written back into claims.yaml by `synth verify`)."""

    label: Literal[
        "supported", "partially_supported", "contradicted", "not_found", "version_mismatch",
        "replicated", "not_replicated", "inconclusive", "error",
    ]
    confidence: float | None = Field(None, ge=0, le=1, description=(
        "calibrated probability that the label is right; None where the verdict is not a fitted judgement "
        "(an `error`, or a rule-based replication verdict)"))
    reason: str = Field(description="one line a person can read")
    evidence: list[Evidence] = Field(default_factory=list)
    other_versions: list[Evidence] = Field(default_factory=list)
    numbers: list[NumberCheck] = Field(default_factory=list)
    features: dict[str, float] = Field(default_factory=dict)
    truncated: bool = False
    table_note: str | None = None
    replication: ReplicationResult | None = None
    verifier: str = Field("", description="synth version + settings fingerprint")


class Claim(Strict):
    id: str = Field(description="'<paper>-cNN' or '<review>-cNN'; never renumbered")
    text: str
    origin: Origin = Origin.extracted
    type: ClaimType = ClaimType.result
    source: SourceSpan | None = None
    cites: list[str] = Field(default_factory=list, description="paper ids the claim is about (imported claims)")
    quantities: list[Quantity] = Field(default_factory=list)
    entities: Entities = Field(default_factory=Entities)
    tables: list[str] = Field(default_factory=list, description="tables the claim cites, e.g. ['Table 2']")
    score: float | None = Field(None, description="extraction confidence 0..1")
    truncated: bool = False
    reported_verification: ReportedVerification | None = None
    experiment: ExperimentLink | None = None
    verification: Verification | None = None
    machine_hash: str | None = Field(
        None, description="hash of the machine-written fields at last write; a mismatch means a human edited it"
    )


class StudySource(Strict):
    paper: str
    version: int | None = None
    sha256: str | None = None
    title: str | None = None


class Study(Strict):
    question: str = ""
    title: str = ""
    sources: list[StudySource] = Field(default_factory=list)
    reviews: list[str] = Field(default_factory=list, description="imported review files")


class ClaimsFile(Strict):
    """The whole claims.yaml."""

    schema_: Literal[1] = Field(1, alias="schema")
    study: Study = Field(default_factory=Study)
    claims: list[Claim] = Field(default_factory=list)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
