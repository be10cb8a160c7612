"""Verdict schemas written into claims.yaml by `synth verify`: Evidence, NumberCheck, ReplicationResult,
Verification."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from synth.core.models.base import PaperLocation, Strict


class Evidence(PaperLocation):
    """A source sentence that bears on a claim, and how well it aligns with it."""

    quote: str
    score: float = Field(0.0, description="alignment score 0..1")
    table: str | None = Field(None, description="'Table 2' when the evidence is a table row or cell")
    row: str | None = Field(None, description="the table row the evidence comes from, as printed")
    column: list[str] = Field(default_factory=list, description="the cell's column header path, top-down")
    before: str | None = Field(None, description="the sentence before the quote in its paragraph (same section)")
    after: str | None = Field(None, description="the sentence after the quote in its paragraph (same section)")


class NumberCheck(Strict):
    claim: str = Field(description="number as in the claim")
    source: str | None = Field(None, description="matching or conflicting number in the source")
    # "unrepeated": a count or share said in passing ('the two questions', 'about half of them') that the source
    # neither gives nor denies here; "missing": a number of the claim's own facts that the source does not give
    status: Literal["equal", "rounded", "converted", "missing", "unrepeated", "conflict", "table", "table_conflict"]
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
    split: str | None = Field(None, description="split the measured values come from: 'test' where the experiment "
                              "evaluated test sets, else 'validation'")
    selected_on: str | None = Field(None, description="split on which 'best' chose each target's intermediate")

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
