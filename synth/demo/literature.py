"""The demo's literature half, offline: two more generated papers that report measurements overlapping the first
paper's (one agrees within rounding, one carries a planted disagreement), served with an off-topic paper by the
loopback arXiv mirror and the loopback Semantic Scholar / OpenAlex APIs; then the study's search, screening, a
citation search and fetching what was included — through the same library calls as `synth search` / `screen`.

The numbers of the extra papers are derived from the first paper's (the demo run's own results): they are
example material for the synthesis, never evidence about anything.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from synth.core.errors import SynthError
from synth.core.settings import Settings


class DemoChange(BaseModel):
    """A planted difference: `row` of Table 1, the language at `language_index`, shifted by `by` points."""

    model_config = ConfigDict(extra="forbid")
    row: str
    language_index: int = Field(0, ge=0)
    by: float


class DemoRelatedPaper(BaseModel):
    """A generated paper reporting some of the first paper's measurements (synth/demo/data/study.yaml)."""

    model_config = ConfigDict(extra="forbid")
    id: str
    title: str
    authors: list[str]
    published: str
    venue: str | None = None
    doi: str | None = None
    rows: list[str] = Field(description="rows of the first paper's Table 1 it reports ('baseline' always first)")
    languages: int = Field(description="how many of the first paper's languages it reports (the first N)")
    extra_languages: list[str] = Field(default_factory=list, description="languages the first paper lacks")
    extra_gap: float = Field(10.0, description="an extra language scores the row's mean minus this")
    decimals: int = 1
    changes: list[DemoChange] = Field(default_factory=list)
    openalex_journal_only: bool = Field(False, description="OpenAlex knows only its journal version (a DOI, no "
                                                           "arXiv id): de-duplication joins them by title")


class DemoOffTopic(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    title: str
    authors: list[str]
    year: int
    abstract: str
    exclude_reason: str


class DemoSearch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str
    sources: list[str]
    first_doi: str
    first_venue: str
    related: list[DemoRelatedPaper]
    off_topic: DemoOffTopic


def related_numbers(numbers: dict[str, dict[str, float]], paper: DemoRelatedPaper) -> dict[str, dict[str, float]]:
    """The rows/languages `paper` reports, from the first paper's numbers, with its planted changes applied."""
    langs = list(numbers["baseline"])[: paper.languages]
    out = {}
    for row in paper.rows:
        values = {lang: numbers[row][lang] for lang in langs}
        mean = sum(numbers[row].values()) / len(numbers[row])
        values.update({lang: round(max(0.0, mean - paper.extra_gap), 2) for lang in paper.extra_languages})
        out[row] = values
    for change in paper.changes:
        lang = langs[change.language_index]
        out[change.row][lang] = round(out[change.row][lang] + change.by, 2)
    return out


def write_related(out: Path, numbers: dict, search: DemoSearch, target: str, metric: str) -> dict[str, tuple]:
    """Render each related paper's PDF; returns {id: (spec, path, numbers)}."""
    from synth.demo.papers import stilts_study_spec
    from synth.demo.pdfgen import render_pdf

    made = {}
    for paper in search.related:
        nums = related_numbers(numbers, paper)
        spec = stilts_study_spec(nums, version=1, target=target, metric=metric, decimals=paper.decimals,
                                 title=paper.title)
        spec = dataclasses.replace(spec, authors=list(paper.authors), running_header=paper.title[:60])
        path = out / "papers" / f"{paper.id}v1.pdf"
        render_pdf(spec, path)
        made[paper.id] = (spec, path, nums)
    return made


def catalogue(first_id: str, first_spec, first_published: str, search: DemoSearch, related: dict):
    """What the loopback Semantic Scholar / OpenAlex know: the first paper (arXiv id + DOI), the related papers
    (citing the first), and the off-topic one."""
    from synth.demo.scholarly import CatalogPaper

    year = lambda date: int(date[:4])  # noqa: E731
    papers = [CatalogPaper(first_id, first_spec.title, list(first_spec.authors), year(first_published),
                           abstract=first_spec.abstract, published=first_published[:10], arxiv=first_id,
                           doi=search.first_doi, venue=search.first_venue, cited_by=len(search.related))]
    for rp in search.related:
        spec = related[rp.id][0]
        common = dict(title=spec.title, authors=list(rp.authors), year=year(rp.published), abstract=spec.abstract,
                      published=rp.published[:10], references=[first_id])
        if rp.openalex_journal_only:  # two records of one paper: S2 has the preprint, OpenAlex the journal version
            papers.append(CatalogPaper(rp.id, arxiv=rp.id, openalex=None, **common))
            papers.append(CatalogPaper(f"{rp.id}-journal", doi=rp.doi, venue=rp.venue, s2=None, **common))
        else:
            papers.append(CatalogPaper(rp.id, arxiv=rp.id, doi=rp.doi, venue=rp.venue, **common))
    off = search.off_topic
    papers.append(CatalogPaper(off.id, off.title, list(off.authors), off.year, abstract=off.abstract, arxiv=off.id,
                               published=f"{off.year}-03-01"))
    return papers


def run_search(settings: Settings, search: DemoSearch, first_id: str, first_papers: dict, first_published: str,
               related: dict) -> dict:
    """Search, screen (include the three study papers, exclude the off-topic one), follow the citations of the
    first paper, fetch what was included; returns the flow counts and what was fetched."""
    from synth.demo.loopback import ArxivMirror, MirrorPaper
    from synth.demo.scholarly import ScholarlyApis
    from synth.papers.screening import fetch_included
    from synth.papers.search import search_literature, snowball
    from synth.papers.search_log import load_log, save_log, screen

    first_spec = first_papers[max(first_papers)][0]
    mirror_papers = [MirrorPaper(first_id, v, spec.title, list(spec.authors), spec.abstract, pdf=path.read_bytes(),
                                 published=first_published) for v, (spec, path) in sorted(first_papers.items())]
    for rp in search.related:
        spec, path, _ = related[rp.id]
        mirror_papers.append(MirrorPaper(rp.id, 1, spec.title, list(rp.authors), spec.abstract,
                                         pdf=path.read_bytes(), published=rp.published))
    off = search.off_topic
    mirror_papers.append(MirrorPaper(off.id, 1, off.title, list(off.authors), off.abstract,
                                     published=f"{off.year}-03-01T00:00:00Z"))
    with ArxivMirror(mirror_papers) as mirror, ScholarlyApis(catalogue(first_id, first_spec, first_published,
                                                                       search, related)) as apis:
        s = settings.model_copy(update={"arxiv_api": mirror.api_url, "arxiv_pdf": mirror.pdf_url,
                                        "search_delay": 0.0, **apis.settings_update()})
        found = search_literature(search.query, sources=tuple(search.sources), settings=s)
        if found.failed:
            raise SynthError("the demo search failed: " + "; ".join(f"{x.source}: {x.error}" for x in found.failed))
        log = load_log(s.search_log_path)
        screen(log, [first_id, *(rp.id for rp in search.related)], "include")
        screen(log, [off.id], "exclude", off.exclude_reason)
        save_log(log, s.search_log_path)
        cited = snowball(first_id, direction="citations", settings=s)
        fetched = fetch_included(s)
        if fetched.failed:
            raise SynthError("the demo could not fetch its included papers: " + "; ".join(
                f"{k}: {v}" for k, v in fetched.failed.items()))
    from synth.papers.search_log import flow_counts

    flow = flow_counts(load_log(s.search_log_path))  # after the fetch: the log is the record of all of it
    return {"log": str(s.search_log_path), "flow": flow.model_dump(mode="json"),
            "searches": [found.run.id, cited.run.id],
            "fetched": fetched.fetched + fetched.present}
