"""Shared fixtures for the fetch/library/CLI tests: a loopback arXiv mirror with a small generated catalogue."""

from __future__ import annotations

import pytest

from synth.demo.loopback import ArxivMirror, MirrorPaper

from .pdfs import paper_pdf

STILTS = "English intermediate-task training improves zero-shot cross-lingual transfer too"


def catalogue() -> list[MirrorPaper]:
    return [
        MirrorPaper("2005.13013", 1, STILTS, ["Jason Phang", "Iacer Calixto"],
                    "Intermediate-task training on English tasks and zero-shot cross-lingual transfer.",
                    pdf=paper_pdf("X-STILTs v1", 1, 3.5), published="2020-05-26T17:59:46Z"),
        MirrorPaper("2005.13013", 2, STILTS, ["Jason Phang", "Iacer Calixto"],
                    "Intermediate-task training on English tasks and zero-shot cross-lingual transfer, revised.",
                    pdf=paper_pdf("X-STILTs v2", 2, 4.1), published="2020-05-26T17:59:46Z",
                    updated="2020-10-01T00:00:00Z"),
        MirrorPaper("1811.01088", 2, "Sentence Encoders on STILTs: Supplementary Training on Intermediate "
                    "Labeled-data Tasks", ["Jason Phang"],
                    "Supplementary training on intermediate labeled-data tasks helps sentence encoders.",
                    pdf=paper_pdf("STILTs", 2, 2.0)),
        MirrorPaper("hep-th/9901001", 1, "An old-style identifier paper on strings", ["A. Physicist"],
                    "Strings and branes.", pdf=paper_pdf("Old style", 1, 1.0), categories=["hep-th"]),
        MirrorPaper("1905.00537", 3, "SuperGLUE: A Stickier Benchmark for General-Purpose Language "
                    "Understanding Systems", ["Alex Wang"],
                    "A benchmark of language understanding tasks; intermediate training is a strong baseline.",
                    pdf=paper_pdf("SuperGLUE", 3, 0.5)),
    ]


@pytest.fixture
def mirror(settings):
    """A running loopback arXiv mirror; the test settings point at it."""
    with ArxivMirror(catalogue()) as m:
        settings.arxiv_api = m.api_url
        settings.arxiv_pdf = m.pdf_url
        yield m
