"""The search log (`<claims stem>.search.yaml`, beside claims.yaml): every literature search a study ran, what each
source returned, the de-duplicated records with every source's identifiers, and the user's screening marks.

The PRISMA-style flow of the report (identified → after de-duplication → screened → included → fetched) is
computed from this file and nothing else (synth.papers.search_log.flow_counts).
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from synth.core.models.base import Strict

SourceName = Literal["arxiv", "s2", "openalex", "crossref"]
SearchKind = Literal["search", "references", "citations"]
Screening = Literal["undecided", "include", "exclude"]
ID_FIELDS = ("arxiv", "doi", "s2", "openalex", "acl", "mag")


class PaperIds(Strict):
    """Identifiers of one paper, normalised: bare arXiv id, lower-case DOI, S2 paperId, OpenAlex W-id, ..."""

    arxiv: str | None = Field(None, description="arXiv id without version: '2005.13013'")
    doi: str | None = Field(None, description="DOI, lower-case, without https://doi.org/ ('10.18653/v1/...')")
    s2: str | None = Field(None, description="Semantic Scholar paperId (40 hex characters)")
    openalex: str | None = Field(None, description="OpenAlex work id: 'W3035084400'")
    acl: str | None = Field(None, description="ACL Anthology id: '2020.aacl-main.56'")
    mag: str | None = Field(None, description="Microsoft Academic Graph id")

    def keys(self) -> list[str]:
        """'arxiv:2005.13013', 'doi:10.…', … — one per known identifier, in a fixed order."""
        return [f"{name}:{value}" for name in ID_FIELDS if (value := getattr(self, name))]

    def filled_from(self, other: "PaperIds") -> "PaperIds":
        """These ids with the gaps filled from `other` (a known id is never overwritten)."""
        return PaperIds(**{name: getattr(self, name) or getattr(other, name) for name in ID_FIELDS})


class Hit(Strict):
    """One paper as one source listed it, in one search of the log."""

    search: str = Field(description="id of the search (SearchRun.id) that found it")
    source: SourceName
    rank: int | None = Field(None, ge=1, description="1-based position in that source's list; None = a metadata "
                                                      "lookup (Crossref), not a ranked result")
    ids: PaperIds = Field(default_factory=PaperIds)
    title: str = ""
    authors: list[str] = Field(default_factory=list)
    year: int | None = None
    published: str | None = Field(None, description="publication date as the source gave it (YYYY[-MM[-DD]])")
    venue: str | None = None
    abstract: str = ""
    url: str | None = None
    cited_by: int | None = Field(None, description="citation count the source reported")
    via: str | None = Field(None, description="for citation searches: the record key of the seed paper")


class Record(Strict):
    """One de-duplicated paper: merged metadata, every source's hits (with their own ids) and the screening mark.

    `screening` and `reason` are the user's: edit them here or with `synth screen`; a new search never changes
    them."""

    key: str = Field(description="stable record key: 'arxiv:<id>', 'doi:<doi>', 's2:<id>', 'openalex:<W>' or "
                                 "'title:<hash>'; never changed once given")
    title: str = ""
    authors: list[str] = Field(default_factory=list)
    year: int | None = None
    published: str | None = None
    venue: str | None = None
    abstract: str = ""
    ids: PaperIds = Field(default_factory=PaperIds)
    score: float = Field(0.0, description="reciprocal rank fusion over every ranked hit in the log")
    hits: list[Hit] = Field(default_factory=list)
    screening: Screening = "undecided"
    reason: str | None = Field(None, description="why it was excluded (or any note from the screener)")
    fetched: str | None = Field(None, description="library key (<id>v<N>) once fetched")
    fetch_note: str | None = Field(None, description="why it could not be fetched")


class SourceRun(Strict):
    """What one source did for one search."""

    source: SourceName
    status: Literal["ok", "failed", "skipped"]
    identified: int = Field(0, ge=0, description="records it returned (ranked hits)")
    enriched: int = Field(0, ge=0, description="records whose metadata it filled in (Crossref)")
    total: int | None = Field(None, description="how many matches the source said it has")
    requests: int = Field(0, ge=0, description="API requests sent over the network")
    cached: int = Field(0, ge=0, description="API replies read from the response cache")
    error: str | None = None


class SearchRun(Strict):
    """One `synth search` (a query) or one citation search (`--references` / `--citations` of a seed)."""

    id: str = Field(description="'s01', 's02', ... in the order run")
    kind: SearchKind = "search"
    query: str = Field(description="the query text, or the seed paper for a citation search")
    date: str = Field(description="when it ran, ISO 8601 UTC")
    since: str | None = None
    max: int | None = Field(None, description="--max per source")
    depth: int | None = None
    limit: int | None = Field(None, description="--limit per seed paper and source (citation searches)")
    sources: list[SourceRun] = Field(default_factory=list)
    identified: int = Field(0, ge=0, description="ranked hits over all sources")
    unique: int = Field(0, ge=0, description="distinct papers among them after de-duplication")
    new: int = Field(0, ge=0, description="papers not already in the log before this search")


class SearchLog(Strict):
    """The whole search log file."""

    schema_: Literal[1] = Field(1, alias="schema")
    searches: list[SearchRun] = Field(default_factory=list)
    records: list[Record] = Field(default_factory=list)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class FlowCounts(Strict):
    """PRISMA-style counts, all derived from a SearchLog."""

    searches: int = 0
    identified: dict[str, int] = Field(default_factory=dict, description="ranked hits per source, database searches")
    identified_citations: int = Field(0, description="ranked hits from citation searches (all sources)")
    identified_total: int = 0
    duplicates: int = Field(0, description="identified_total - records")
    records: int = Field(0, description="distinct papers after de-duplication (= screened)")
    excluded: int = 0
    undecided: int = 0
    included: int = 0
    fetched: int = Field(0, description="included records fetched into the library")
    not_fetched: int = Field(0, description="included records not (yet) fetched")
