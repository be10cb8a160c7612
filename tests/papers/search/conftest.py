"""Loopback literature databases for the search tests: the arXiv mirror of tests/papers/sources (with PDFs) plus
Semantic Scholar, OpenAlex and Crossref over a catalogue that overlaps it, so that de-duplication has work to do."""

from __future__ import annotations

import pytest

from synth.demo.scholarly import CatalogPaper, ScholarlyApis
from tests.papers.sources.fixtures import STILTS, mirror  # noqa: F401

QUERY = "intermediate-task training cross-lingual transfer"
PRUK = "Intermediate-Task Transfer Learning with Pretrained Language Models: When and Why Does It Work?"


def scholarly_catalogue() -> list[CatalogPaper]:
    return [
        CatalogPaper("xstilts", STILTS, ["Jason Phang", "Iacer Calixto", "Phu Mon Htut"], 2020,
                     abstract="Intermediate-task training on English tasks improves zero-shot cross-lingual "
                              "transfer of XLM-R on XTREME.",
                     published="2020-05-26", arxiv="2005.13013", doi="10.18653/v1/2020.aacl-main.56",
                     venue="AACL-IJCNLP 2020", references=["stilts", "superglue", "xtreme", "pruk-s2"], cited_by=60),
        CatalogPaper("stilts", "Sentence Encoders on STILTs: Supplementary Training on Intermediate Labeled-data "
                     "Tasks", ["Jason Phang", "Thibault Févry", "Samuel R. Bowman"], 2018,
                     abstract="Intermediate-task training on labeled data helps sentence encoders; no cross-lingual "
                              "transfer is studied.", published="2018-11-02", arxiv="1811.01088", cited_by=400),
        CatalogPaper("superglue", "SuperGLUE: A Stickier Benchmark for General-Purpose Language Understanding "
                     "Systems", ["Alex Wang"], 2019, abstract="A benchmark.", published="2019-05-02",
                     arxiv="1905.00537", cited_by=1500),
        CatalogPaper("xtreme", "XTREME: A Massively Multilingual Multi-task Benchmark for Evaluating Cross-lingual "
                     "Generalization", ["Junjie Hu", "Sebastian Ruder"], 2020,
                     abstract="A benchmark of cross-lingual transfer; intermediate-task training is one baseline "
                              "training recipe.", published="2020-03-24", arxiv="2003.11080", openalex=None,
                     cited_by=900),
        # one paper, two records: S2 knows its arXiv id only, OpenAlex its DOI only (title + year + author join them)
        CatalogPaper("pruk-s2", PRUK, ["Yada Pruksachatkun", "Jason Phang"], 2020,
                     abstract="When does intermediate-task training help? Transfer across tasks, not cross-lingual "
                              "transfer.", published="2020-05-01", arxiv="2005.00628", openalex=None, cited_by=300),
        CatalogPaper("pruk-oa", PRUK.upper(), ["Pruksachatkun, Yada", "Phang, Jason"], 2020,
                     abstract="When does intermediate-task training help? Transfer across tasks, not cross-lingual "
                              "transfer.", published="2020-07-05", doi="10.18653/v1/2020.acl-main.467",
                     venue="ACL 2020", s2=None, cited_by=310),
        CatalogPaper("later", "Revisiting intermediate-task training for cross-lingual transfer", ["Ada Example"],
                     2022, abstract="We revisit intermediate-task training and cross-lingual transfer.",
                     published="2022-03-01", doi="10.1000/later.1", venue="Journal of Examples",
                     references=["xstilts", "stilts"], cited_by=3),
        CatalogPaper("protein", "Protein folding with transformers", ["B. Io"], 2021,
                     abstract="Proteins.", published="2021-01-01", arxiv="2101.00001", cited_by=10),
    ]


@pytest.fixture
def apis(settings):
    """Loopback S2 / OpenAlex / Crossref; the test settings point at them (no delay between requests)."""
    with ScholarlyApis(scholarly_catalogue()) as servers:
        for name, value in servers.settings_update().items():
            setattr(settings, name, value)
        settings.search_delay = 0.0
        yield servers


@pytest.fixture
def databases(apis, mirror):
    """Every database: arXiv (mirror, with PDFs) and the three JSON APIs."""
    return apis, mirror
