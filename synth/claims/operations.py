"""The claims commands as library calls: extract papers into claims.yaml, import a review, list claims."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from synth.claims.document import MergeStats, load_claims, save_claims
from synth.core.errors import LibraryError, SynthError, UsageError
from synth.core.models import Claim
from synth.core.settings import Settings, get_settings


@dataclass
class ExtractReport:
    """Per-paper merge results of one `synth extract` run."""

    claims_file: str
    pipeline: str
    papers: dict[str, dict] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"claims_file": self.claims_file, "pipeline": self.pipeline, "papers": self.papers,
                "failed": self.failed}


def _targets(library, papers: Iterable[str]):
    papers = list(papers)
    if papers:
        for ref in papers:
            try:
                yield ref, library.get(ref)
            except (LibraryError, UsageError) as exc:
                yield ref, exc
        return
    newest: dict[str, object] = {}
    for meta in library.papers():
        if meta.id not in newest or meta.version > newest[meta.id].version:
            newest[meta.id] = meta
    if not newest:
        raise UsageError(f"the library at {library.root} is empty (run: synth fetch ID)")
    for meta in newest.values():
        yield meta.key, meta


def extract_to_claims(papers: Iterable[str] = (), min_score: float = 0.5,
                      settings: Settings | None = None) -> ExtractReport:
    """Extract claims from library papers (all newest versions when none given) and merge them into claims.yaml.

    The claims file is loaded (and validated) before any work, and written once, atomically, at the end.
    """
    from synth.claims.extract import extract_claims, load_pipeline, pipeline_name
    from synth.papers.library import Library

    settings = settings or get_settings()
    if not 0 <= min_score <= 1:
        raise UsageError(f"--min-score must be between 0 and 1, got {min_score}")
    doc = load_claims(settings.claims, missing_ok=True)
    library = Library.open(settings)
    nlp = load_pipeline(settings)
    report = ExtractReport(str(settings.claims), pipeline_name(nlp))
    for ref, meta in _targets(library, papers):
        if isinstance(meta, SynthError):
            report.failed[ref] = str(meta)
            continue
        claims = extract_claims(library, meta, min_score=min_score, nlp=nlp)
        stats = doc.upsert_extracted(claims)
        doc.add_source(meta)
        report.papers[meta.key] = {"claims": len(claims), **{k: len(v) for k, v in stats.as_dict().items()},
                                   "added_ids": stats.added}
    if report.papers:
        save_claims(doc)
    return report


def import_to_claims(path: str | Path, review_id: str | None = None,
                     settings: Settings | None = None) -> dict:
    """Import a markdown review into claims.yaml; returns merge stats, references and warnings."""
    from synth.claims.importers import import_review

    settings = settings or get_settings()
    doc = load_claims(settings.claims, missing_ok=True)
    review = import_review(path, review_id)
    stats: MergeStats = doc.add_imported(review, str(path))
    save_claims(doc)
    return {"claims_file": str(settings.claims), "review": review.review_id, "references": review.references,
            "truncated": [c.id for c in doc.claims if c.id.startswith(review.review_id + "-c") and c.truncated],
            "warnings": review.warnings, **stats.as_dict()}


def list_claims(paper: str | None = None, origin: str | None = None, type_: str | None = None,
                settings: Settings | None = None) -> list[Claim]:
    """Claims of the claims file, filtered by paper (id or id+version, also matches cites), origin and type."""
    settings = settings or get_settings()
    doc = load_claims(settings.claims, read_only=True)
    out = []
    for c in doc.claims:
        if origin and c.origin.value != origin:
            continue
        if type_ and c.type.value != type_:
            continue
        if paper:
            refs = set(c.cites)
            if c.source is not None:
                refs |= {c.source.paper, f"{c.source.paper}v{c.source.version}"}
            if paper not in refs and not any(r.startswith(paper + "v") for r in refs):
                continue
        out.append(c)
    return out


def get_claim(claim_id: str, settings: Settings | None = None) -> Claim:
    """One claim by id (ClaimsError with close matches when absent)."""
    settings = settings or get_settings()
    return load_claims(settings.claims, read_only=True).get(claim_id)


def check_claims(settings: Settings | None = None) -> dict:
    """Validate the claims file and that every source/cited paper is in the library; ClaimsError otherwise."""
    from synth.papers.library import Library

    settings = settings or get_settings()
    doc = load_claims(settings.claims)
    library = Library.open(settings)
    try:
        notes = _check_cited(doc, library)
    finally:
        library.close()
    return {"claims_file": str(settings.claims), "claims": len(doc.claims),
            "papers": sorted({c.source.paper for c in doc.claims if c.source} | {p for c in doc.claims for p in c.cites}),
            "notes": notes}


def _check_cited(doc, library) -> list[str]:
    """Every cited paper resolved as `synth verify` resolves it (synth.papers.library.cited): a ClaimsError for
    the first one verify could not check, and the version notes verify would give."""
    from synth.core.errors import ClaimsError
    from synth.core.models import PaperRef
    from synth.papers.library.cited import resolve_cited
    from synth.papers.library.lookup import PaperFinder

    finder = PaperFinder(library)
    notes: list[str] = []
    for c in doc.claims:
        refs = []
        if c.source is not None:
            refs.append(c.source.paper if c.source.version is None else f"{c.source.paper}v{c.source.version}")
        refs += c.cites
        for text in refs:
            try:
                ref = PaperRef.parse(text)
            except ValueError:
                raise ClaimsError(f"{doc.where(c.id)}: claim {c.id} points at {text!r}, which is not a paper "
                                  "id") from None
            cited = resolve_cited(ref, library.versions, finder.by_arxiv)
            if cited.paper is None:
                raise ClaimsError(f"{doc.where(c.id)}: claim {c.id} points at paper {text}, which is not in "
                                  f"the library", hint=f"run `synth fetch {text}` first")
            if cited.note and f"{c.id}: {cited.note}" not in notes:
                notes.append(f"{c.id}: {cited.note}")
    return notes
