"""claims.yaml schemas: Quantity, Entities, SourceSpan, ReportedVerification, ExperimentLink, Claim, Study,
ClaimsFile."""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import ConfigDict, Field

from synth.core.models.base import PaperLocation, Strict
from synth.core.models.verdicts import Verification


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


class SourceSpan(PaperLocation):
    """Where a claim's quote lives."""

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
