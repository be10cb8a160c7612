"""CLI commands: report and demo (thin: parse args, call synth.report.render / synth.demo.runner, print where things are)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from synth.cli import common


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""

    @app.command("report")
    def report_command(
        out: Optional[Path] = typer.Option(None, "--out", help="Output folder (default ./reports, SYNTH_REPORTS)."),
        fmt: str = typer.Option("md", "--format", callback=common.lower, help="md (markdown + PNG figures) or html (one self-contained page)."),
        name: Optional[str] = typer.Option(None, "--name", help="File name without extension (default: the study title)."),
    ) -> None:
        """Render the study report of the claims file: verdicts with evidence, replication tables, figures."""
        from synth.report.render import write_report
        from synth.core.settings import get_settings

        result = write_report(get_settings(), out=out, fmt=fmt, name=name)
        if common.state.json:
            common.emit_json(result.to_dict())
            return
        counts = ", ".join(f"{n} {label.replace('_', ' ')}" for label, n in result.counts.items())
        common.info(f"{result.claims} claims ({counts}); {result.results} results documents; "
                    f"{len(result.figures)} figures")
        common.out.print(str(result.path))

    @app.command("demo")
    def demo_command(
        profile: str = typer.Option("tiny", "--profile", callback=common.lower, help="Replication profile: tiny (seconds) or cpu (a real multilingual encoder, minutes)."),
        out: Path = typer.Option(Path("demo-out"), "--out", help="Folder for everything the demo writes."),
    ) -> None:
        """Run the whole pipeline offline on a generated example: replicate, paper PDF, fetch, extract, review, verify, report."""
        from synth.demo.runner import STAGES, run_demo

        with common.progress("demo", total=len(STAGES)) as advance:
            result = run_demo(out, profile=profile, progress=advance, log=common.info)
        if common.state.json:
            common.emit_json(result.to_dict())
            return
        common.info(result.summary())
        common.out.print(str(result.report))
