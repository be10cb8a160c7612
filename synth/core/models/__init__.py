"""Pydantic domain types that ARE the on-disk schemas (meta.json, pages/sentences/tables.jsonl, claims.yaml),
one module per side: papers, claims, verdicts. Import from here."""

from synth.core.models.base import Strict
from synth.core.models.claims import (
    Claim, ClaimsFile, ClaimType, Entities, ExperimentLink, Origin, Quantity, ReportedVerification, SourceSpan, Study,
    StudySource,
)
from synth.core.models.papers import (EVIDENCE_KINDS, LOCAL_ID, NEW_ID, OLD_ID, Page, PaperMeta, PaperRef, Section,
                                      Sentence, TableBlock, TableCell)
from synth.core.models.search import (
    FlowCounts, Hit, PaperIds, Record, Screening, SearchKind, SearchLog, SearchRun, SourceName, SourceRun,
)
from synth.core.models.verdicts import (
    LABELS_REPLICATION, LABELS_TEXT, Evidence, NumberCheck, ReplicationResult, Verification,
)

__all__ = [
    "Strict", "Claim", "ClaimsFile", "ClaimType", "Entities", "ExperimentLink", "Origin", "Quantity",
    "ReportedVerification", "SourceSpan", "Study", "StudySource", "EVIDENCE_KINDS", "LOCAL_ID", "NEW_ID", "OLD_ID",
    "Page", "PaperMeta", "PaperRef", "Section", "Sentence", "TableBlock", "TableCell", "LABELS_REPLICATION",
    "LABELS_TEXT", "Evidence", "NumberCheck", "ReplicationResult", "Verification", "FlowCounts", "Hit", "PaperIds",
    "Record", "Screening", "SearchKind", "SearchLog", "SearchRun", "SourceName", "SourceRun",
]
