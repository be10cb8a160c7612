"""A three-paper study made by the real producers (pdfgen → parse → library → extract): papers A and B report the
same Table 1 measurements (B with two decimals, within rounding of A), paper C reports a Swahili baseline 4.2
points off A's (the planted conflict) and Yoruba, which nobody else measured; QQP is in A's table only."""

from __future__ import annotations

from pathlib import Path

from synth.core.settings import Settings

# settings.embed is turning from a bool into 'fetch' / 'verify' / 'off': switch it off either way
EMBED_OFF = "off" if "off" in str(Settings.model_fields["embed"].annotation) else False
QUESTION = "Does English intermediate-task training on MNLI improve zero-shot XNLI accuracy for Swahili and Yoruba?"
A = {"baseline": {"de": 78.4, "sw": 66.1, "ur": 64.9}, "MNLI": {"de": 79.6, "sw": 68.0, "ur": 66.2},
     "QQP": {"de": 77.9, "sw": 65.0, "ur": 64.1}}
B = {"baseline": {"de": 78.42, "sw": 66.08, "ur": 64.93}, "MNLI": {"de": 79.61, "sw": 67.97, "ur": 66.24}}
C = {"baseline": {"de": 78.4, "sw": 70.3, "yo": 51.0}, "MNLI": {"de": 79.6, "sw": 68.0, "yo": 52.2}}
PAPERS = {"2101.00001": (A, 1, "Intermediate-Task Training for Zero-Shot Transfer"),
          "2101.00002": (B, 2, "Replicating Intermediate-Task Training for Zero-Shot Transfer"),
          "2101.00003": (C, 1, "Intermediate-Task Training for Swahili and Yoruba")}


def build_study(root: Path) -> Settings:
    """Render, parse and add the three papers to a library under `root`, extract their claims, set the question."""
    from synth.claims.document import load_claims, save_claims
    from synth.claims.operations import extract_to_claims
    from synth.core.models import PaperMeta
    from synth.demo.papers import stilts_study_spec
    from synth.demo.pdfgen import render_pdf
    from synth.papers.library import Library

    settings = Settings(home=root / "library", claims=root / "claims.yaml", runs=root / "runs",
                        reports=root / "reports", cache=root / "cache", embed=EMBED_OFF, search_delay=0.0,
                        arxiv_delay=0.0)
    with Library.open(settings) as lib:
        for pid, (numbers, decimals, title) in PAPERS.items():
            pdf = render_pdf(stilts_study_spec(numbers, 1, decimals=decimals, title=title), root / f"{pid}.pdf")
            lib.add_pdf(pdf, PaperMeta(id=pid, version=1, source="arxiv", sha256="", size_bytes=0,
                                       fetched_at="2021-01-04T00:00:00Z", title=title))
    extract_to_claims(list(f"{pid}v1" for pid in PAPERS), settings=settings)
    doc = load_claims(settings.claims)
    doc.data.study.question = QUESTION
    doc.data.study.title = "Synthesis test study"
    save_claims(doc)
    return settings
