"""CLI commands: extract, import-report, claims ls / show (thin: parse args, call synth.claims.operations, print)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from synth.cli import common

claims_app = typer.Typer(help="List and inspect the claims in claims.yaml.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("extract")(extract_command)
    app.command("import-report")(import_report_command)
    app.add_typer(claims_app, name="claims")


def extract_command(
    papers: list[str] = typer.Argument(None, help="Paper ids (2005.13013 or 2005.13013v2); default: every paper."),
    min_score: float = typer.Option(0.5, "--min-score", help="Keep candidates with confidence ≥ this (0..1)."),
) -> None:
    """Extract empirical claims from library papers into the claims file (re-runnable; keeps human edits)."""
    from synth.claims.operations import extract_to_claims

    report = extract_to_claims(papers or [], min_score=min_score)
    if common.state.json:
        common.emit_json(report.as_dict())
    else:
        for key, s in report.papers.items():
            common.info(f"{key}: {s['claims']} claims → {s['added']} added, "
                        f"{s['updated']} updated, {s['unchanged']} unchanged, {s['skipped_edited']} kept as edited")
        if report.papers:
            common.info(f"wrote {report.claims_file}")
    for ref, message in report.failed.items():
        common.fail(f"{ref}: {message}")
    if report.failed:
        raise typer.Exit(1)


def import_report_command(
    file: Path = typer.Argument(..., help="Markdown review with a claims table (pipe- or tab-separated)."),
    review_id: Optional[str] = typer.Option(None, "--id", help="Review id used in claim ids (default: file name)."),
) -> None:
    """Import an existing literature review's claims (origin: imported) so `synth verify` can check them."""
    from synth.claims.operations import import_to_claims

    result = import_to_claims(file, review_id)
    if common.state.json:
        common.emit_json(result)
        return
    common.info(f"{result['review']}: {len(result['added'])} added, {len(result['updated'])} updated, "
                f"{len(result['unchanged'])} unchanged, {len(result['skipped_edited'])} kept as edited; "
                f"{len(result['truncated'])} truncated; {len(result['references'])} arXiv references")
    for w in result["warnings"]:
        common.warn(w)
    common.info(f"wrote {result['claims_file']}")


@claims_app.command("ls")
def ls_command(
    paper: Optional[str] = typer.Option(None, "--paper", help="Only claims from or citing this paper."),
    origin: Optional[str] = typer.Option(None, "--origin", callback=common.lower, help="extracted | imported | manual"),
    type_: Optional[str] = typer.Option(None, "--type", callback=common.lower, help="result | comparison | method | setup | dataset | limitation"),
) -> None:
    """List claims: id, type, origin, score, verdict and text."""
    from synth.claims.operations import list_claims

    claims = list_claims(paper=paper, origin=origin, type_=type_)
    if common.state.json:
        common.emit_json([c.model_dump(mode="json", exclude_none=True) for c in claims])
        return
    if not claims:
        common.info("no claims (run: synth extract, or synth import-report FILE)")
        return
    from synth.report.context import report_label

    table = common.table("id", ("type, origin", 12), "score", ("verdict", 13), ("text", None))
    for c in claims:
        verdict = report_label(c.verification).replace("_", " ") if c.verification else ""  # as the report says
        score = "" if c.score is None else f"{c.score:.2f}"
        text = c.text if len(c.text) <= 100 else c.text[:99] + "…"
        table.add_row(c.id, f"{c.type.value}, {c.origin.value}", score, verdict,
                      text + (" [truncated]" if c.truncated else ""))
    common.out.print(table)


@claims_app.command("show")
def show_command(claim_id: str = typer.Argument(..., help="Claim id, e.g. 2005.13013-c03.")) -> None:
    """Show one claim with its source, quantities, entities and verdict."""
    from synth.claims.operations import get_claim

    claim = get_claim(claim_id)
    data = claim.model_dump(mode="json", exclude_none=True)
    if common.state.json:
        common.emit_json(data)
        return
    import io

    from synth.core.yamlio import make_yaml

    buf = io.StringIO()
    make_yaml().dump(data, buf)
    common.out.print(buf.getvalue().rstrip(), markup=False, highlight=False)


@claims_app.command("check")
def check_command() -> None:
    """Validate the claims file (schema, unique ids) and that every cited paper is in the library."""
    from synth.claims.operations import check_claims

    result = check_claims()
    if common.state.json:
        common.emit_json(result)
        return
    common.info(f"{result['claims_file']}: {result['claims']} claims OK; papers: {', '.join(result['papers']) or '-'}")
    for note in result.get("notes", []):  # the version notes `synth verify` will give (not errors)
        common.warn(note)
