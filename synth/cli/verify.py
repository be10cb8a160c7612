"""CLI command: verify (thin: parse args, call synth.verify.runner, print a table or JSON, choose the exit code)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from synth.cli import common

LABEL_STYLE = {
    "supported": "green", "partially_supported": "yellow", "contradicted": "red", "not_found": "magenta",
    "version_mismatch": "cyan", "replicated": "green", "not_replicated": "red", "inconclusive": "yellow",
    "error": "red", "not_checked": "magenta",
}


def _shown_label(verification) -> str:
    """The label as the report shows it: an error that only says the cited paper is absent is "not checked"."""
    from synth.report.context import report_label

    return report_label(verification)


def _print_table(run) -> None:
    table = common.table("claim", ("verdict", 13), "conf.", ("reason", None))
    for o in run.outcomes:
        v = o.verification
        label = _shown_label(v).replace("_", " ") + (" (truncated)" if v.truncated else "")
        reason = v.reason + (f" [{v.table_note}]" if v.table_note else "")
        if v.replication is not None and v.replication.label != v.label:
            reason += f" | replication: {v.replication.label} ({v.replication.reason})"
        confidence = "-" if v.confidence is None else f"{v.confidence:.2f}"
        table.add_row(o.claim.id, common.styled(label, LABEL_STYLE.get(_shown_label(v), "white")), confidence, reason)
    common.out.print(table)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""

    @app.command("verify")
    def verify_command(
        targets: Optional[List[str]] = typer.Argument(
            None, help="Claim ids to verify (default: every claim in the claims file), or one review FILE.md."),
        any_source: bool = typer.Option(False, "--any-source", help="Search the whole library, not only cited papers."),
        strict: bool = typer.Option(False, "--strict", help="Exit 1 when any claim is contradicted or not found."),
        replicate: bool = typer.Option(False, "--replicate", help="Also judge linked experiments from their runs."),
        write: bool = typer.Option(True, "--write/--no-write", help="Write verdicts back into the claims file."),
        json_: bool = typer.Option(False, "--json", help="Machine-readable JSON on stdout (same as synth --json)."),
    ) -> None:
        """Check claims against their cited sources: quote, numbers, entities, version, tables, with a calibrated
        confidence. Exit 1 when a claim cannot be checked, or (--strict) is contradicted or not found."""
        from synth.core.errors import UsageError
        from synth.core.settings import get_settings
        from synth.verify.runner import verify_claims_file, verify_review

        if json_:
            common.state.json = True
        settings = get_settings()
        targets = list(targets or [])
        reviews = [t for t in targets if t.lower().endswith((".md", ".markdown", ".txt")) or Path(t).is_file()]
        if reviews and (len(targets) > 1):
            raise UsageError("give either claim ids or one review file, not both")
        with common.progress("verifying") as advance:
            if reviews:
                run = verify_review(Path(reviews[0]), settings, any_source=any_source, replicate=replicate,
                                    advance=advance)
            else:
                run = verify_claims_file(settings, targets or None, any_source=any_source, replicate=replicate,
                                         write=write, advance=advance)
        if common.state.json:
            common.emit_json(run.to_json())
        else:
            _print_table(run)
            from collections import Counter

            shown = Counter(_shown_label(o.verification).replace("_", " ") for o in run.outcomes)
            counts = ", ".join(f"{n} {label}" for label, n in sorted(shown.items()))
            common.info(f"{len(run.outcomes)} claims: {counts or 'none'}")
            if run.written:
                common.info(f"verdicts written to {run.written}")
        for note in run.notes:
            common.warn(note)
        if run.skipped_edited:
            common.warn("edited while verifying, verdict not written: " + ", ".join(run.skipped_edited))
        errors = [o.claim.id for o in run.outcomes if o.verification.label == "error"]
        if errors:
            common.warn(f"{len(errors)} claim(s) could not be checked: " + ", ".join(errors))
        failing = run.failed()
        if errors or (strict and failing):
            if strict and failing and not common.state.json:
                common.fail(f"--strict: {len(failing)} claim(s) contradicted, not found or unchecked: "
                            + ", ".join(failing))
            raise typer.Exit(1)
