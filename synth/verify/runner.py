"""`synth verify` orchestration: pick claims (claims.yaml or an existing review), verify each against the library,
optionally judge linked replication runs, and write verdicts back into claims.yaml atomically."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from synth.core.errors import ClaimsError, SynthError, UsageError
from synth.papers.library import Library
from synth.core.models import Claim, ReplicationResult, Verification
from synth.core.settings import Settings
from synth.verify.claim_verifier import Verifier
from synth.verify.replication import judge_claim

FAILING = ("contradicted", "not_found", "error")


@dataclass
class VerifyOutcome:
    claim: Claim
    verification: Verification


@dataclass
class VerifyRun:
    """What one `synth verify` did: a verdict per claim, where it was written, what was skipped."""

    outcomes: list[VerifyOutcome] = field(default_factory=list)
    written: Path | None = None
    skipped_edited: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return dict(Counter(o.verification.label for o in self.outcomes))

    def failed(self) -> list[str]:
        """Ids of claims that --strict fails on (contradicted, not found, or not checkable)."""
        return [o.claim.id for o in self.outcomes if o.verification.label in FAILING]

    def to_json(self) -> dict:
        return {
            "claims": [{"id": o.claim.id, "text": o.claim.text,
                        "verification": o.verification.model_dump(mode="json")} for o in self.outcomes],
            "counts": self.counts(),
            "written": str(self.written) if self.written else None,
            "skipped_edited": self.skipped_edited,
            "notes": self.notes,
        }


def with_replication(verification: Verification, claim: Claim, result: ReplicationResult) -> Verification:
    """Attach a replication result. A claim about an experiment only (no text source to check) takes the
    replication label as its verdict, without a probability: the rule-based label is not a fitted judgement."""
    if verification.label == "error" and claim.source is None and not claim.cites:
        return Verification(label=result.label, confidence=None, reason=result.reason, replication=result,
                            verifier="synth.verify.replication (rule-based)")
    return verification.model_copy(update={"replication": result})


def make_verifier(library: Library, settings: Settings) -> Verifier:
    """The verifier for a run: shipped weights, dense evidence search unless SYNTH_EMBED=off."""
    return Verifier(library, nli_model=settings.nli_model, dense=settings.embed != "off")


def dense_notes(verifier: Verifier) -> list[str]:
    """What a run tells about its evidence search: lexical only (and why), sentences it had to embed. Also
    stores the claims' embeddings for the next run."""
    verifier.dense.save_queries()
    notes = [verifier.dense.note] if verifier.dense.note else []
    if verifier.dense.embedded_now:
        notes.append(f"embedded {verifier.dense.embedded_now} library sentences for dense evidence search "
                     "(stored for later runs)")
    return notes


def verify_claims(claims: list[Claim], library: Library, settings: Settings, *, any_source: bool = False,
                  replicate: bool = False, advance: Callable[..., None] | None = None,
                  verifier: Verifier | None = None,
                  on_outcome: Callable[[VerifyOutcome], None] | None = None) -> list[VerifyOutcome]:
    """Verify every claim; a problem with one claim becomes its own 'error' verdict and the run continues.
    `on_outcome` sees each verdict as soon as it is made (to save progress)."""
    verifier = verifier or make_verifier(library, settings)
    if len(claims) > 1:
        verifier.prime(claims, any_source)  # one batched embedding of the claims lexical search cannot settle
    out: list[VerifyOutcome] = []
    for claim in claims:
        verification = verifier.verify(claim, any_source=any_source)
        if replicate and claim.experiment is not None:
            verification = with_replication(verification, claim, judge_claim(claim, settings.runs))
        out.append(VerifyOutcome(claim, verification))
        if on_outcome:
            on_outcome(out[-1])
        if advance:
            advance()
    return out


def verify_claims_file(settings: Settings, ids: list[str] | None = None, *, any_source: bool = False,
                       replicate: bool = False, write: bool = True,
                       advance: Callable[..., None] | None = None) -> VerifyRun:
    """Verify claims of settings.claims (all, or `ids`) and write the verdicts back into the same file."""
    from synth.claims.document import load_claims

    path = Path(settings.claims)
    if not path.exists():
        raise ClaimsError(f"{path} does not exist", hint="run `synth extract` or `synth import-report` first")
    doc = load_claims(path, read_only=True)  # the write below re-reads with the round-trip tree
    claims = [doc.get(cid) for cid in ids] if ids else list(doc.claims)
    library = Library.open(settings)
    verifier = make_verifier(library, settings)
    run = VerifyRun()
    pending: list[VerifyOutcome] = []
    last_save = time.monotonic()

    def save_pending() -> None:
        nonlocal last_save
        if write and pending:
            _write_verdicts(path, pending, run)
        pending.clear()
        last_save = time.monotonic()

    def keep(outcome: VerifyOutcome) -> None:
        # progress is saved in batches (settings.verify_save_every seconds): a long run that is killed keeps
        # what it finished, and the cost of rewriting claims.yaml stays a small share of the run
        pending.append(outcome)
        if time.monotonic() - last_save >= settings.verify_save_every:
            save_pending()

    try:
        run.outcomes = verify_claims(claims, library, settings, any_source=any_source, replicate=replicate,
                                     advance=advance, on_outcome=keep, verifier=verifier)
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: write the verdicts already made, then stop
        save_pending()
        raise
    save_pending()
    run.notes.extend(dense_notes(verifier))
    return run


def _write_verdicts(path: Path, outcomes: list[VerifyOutcome], run: VerifyRun) -> None:
    """Write verdicts into the claims file as it is now (re-read: a person may have edited it meanwhile)."""
    from synth.claims.document import load_claims, save_claims

    fresh = load_claims(path)
    for o in outcomes:
        current = fresh.find(o.claim.id)
        if current is None or current.text != o.claim.text:
            run.skipped_edited.append(o.claim.id)
            continue
        fresh.set_verification(o.claim.id, o.verification)
    save_claims(fresh, path)
    run.written = path


def _in_library(library: Library, ref: str) -> bool:
    try:
        return library.has(ref)
    except SynthError:  # not a paper id at all: its claim already carries that error
        return True


def verify_review(path: Path, settings: Settings, *, any_source: bool = False, replicate: bool = False,
                  advance: Callable[..., None] | None = None) -> VerifyRun:
    """Verify an existing literature review end to end: import its claims table, look its cited papers up in the
    library, verify every claim. Nothing is written (use `synth import-report` to keep the claims)."""
    from synth.claims.importers import import_review

    path = Path(path)
    if not path.exists():
        raise UsageError(f"{path} does not exist")
    library = Library.open(settings)
    review = import_review(path, library=library)  # references may name papers held as local PDFs
    verifier = make_verifier(library, settings)
    run = VerifyRun(outcomes=verify_claims(list(review.claims), library, settings, any_source=any_source,
                                           replicate=replicate, advance=advance, verifier=verifier))
    run.notes.extend(review.warnings)
    run.notes.extend(dense_notes(verifier))
    missing = sorted({c for o in run.outcomes for c in o.claim.cites if not _in_library(library, c)})
    if missing:
        run.notes.append("cited papers missing from the library: " + ", ".join(missing) +
                         f" (run: synth fetch {' '.join(missing)})")
    return run
