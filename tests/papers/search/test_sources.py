"""The API clients against the loopback servers: request formats (paths, parameters, key header / parameter),
paging (S2 offset/next, OpenAlex cursor), parsing, retries with Retry-After, the deadline, the size cap and the
response cache (keys never in it)."""

from __future__ import annotations

import pytest

from synth.core.errors import NetworkError, NotFoundError
from synth.core.models import PaperIds
from synth.demo.scholarly import ApiFault, CatalogPaper, ScholarlyApis
from synth.papers.sources.crossref import Crossref
from synth.papers.sources.ids import make_ids, normalise_doi, parse_seed
from synth.papers.sources.openalex import OpenAlex, abstract_text
from synth.papers.sources.semantic_scholar import SemanticScholar
from synth.papers.sources.webapi import JsonApi
from tests.papers.search.conftest import QUERY


def _many(n: int) -> list[CatalogPaper]:
    return [CatalogPaper(f"p{i:03d}", f"Cross-lingual transfer study number {i}", [f"Author{i} Smith"], 2021,
                         abstract="transfer " * (i % 7 + 1), cited_by=i) for i in range(n)]


def test_s2_search_parses_ids_and_sends_the_key_header(settings, apis):
    settings.s2_api_key = "s2-secret"
    apis.s2_key = "s2-secret"
    hits, total = SemanticScholar(settings).search(QUERY, 10)
    assert total == 5 and [h.rank for h in hits] == [1, 2, 3, 4, 5]
    x = next(h for h in hits if h.ids.arxiv == "2005.13013")
    assert x.ids.doi == "10.18653/v1/2020.aacl-main.56" and x.ids.s2 and x.venue == "AACL-IJCNLP 2020"
    assert x.authors[0] == "Jason Phang" and x.year == 2020 and x.published == "2020-05-26"
    seen = apis.seen("s2")[-1]
    assert seen.headers.get("x-api-key") == "s2-secret"
    assert seen.query["fields"][0].split(",")[:3] == ["paperId", "externalIds", "title"]
    # the key is a header: never in the cache key or the cached file
    cached = b"".join(p.read_bytes() for p in (settings.cache / "api").rglob("*.json"))
    assert b"s2-secret" not in cached and b"intermediate-task" in cached


def test_s2_without_the_key_it_requires_says_which_variable(settings, apis):
    apis.s2_key = "needed"
    with pytest.raises(NetworkError, match="HTTP 403") as exc:
        SemanticScholar(settings).search(QUERY, 5)
    assert "SYNTH_S2_API_KEY" in str(exc.value)


def test_s2_pages_with_offset_and_next(settings):
    with ScholarlyApis(_many(130)) as apis:
        settings.s2_api = apis.settings_update()["s2_api"]
        settings.search_delay = 0
        client = SemanticScholar(settings)
        hits, total = client.search("cross-lingual transfer", 120)
        assert total == 130 and len(hits) == 120 and [h.rank for h in hits] == list(range(1, 121))
        pages = [(q.query["offset"][0], q.query["limit"][0]) for q in apis.seen("s2")]
        assert pages == [("0", "100"), ("100", "20")]
        assert client.api.requests == 2 and len({h.ids.s2 for h in hits}) == 120


def test_s2_lookup_references_and_unknown_paper(settings, apis):
    s2 = SemanticScholar(settings)
    assert s2.paper(PaperIds(arxiv="2005.13013")).ids.doi == "10.18653/v1/2020.aacl-main.56"
    assert apis.seen("s2")[-1].path.endswith("/paper/ARXIV:2005.13013")
    assert s2.paper(PaperIds(arxiv="9912.99999")) is None
    refs = s2.references(PaperIds(doi="10.18653/v1/2020.aacl-main.56"), limit=3)
    assert [h.rank for h in refs] == [1, 2, 3] and refs[0].ids.arxiv == "1811.01088"
    assert apis.seen("s2")[-1].path.endswith("/paper/DOI:10.18653/v1/2020.aacl-main.56/references")
    cites = s2.citations(PaperIds(arxiv="2005.13013"), limit=10)
    assert [(h.ids.doi, h.rank) for h in cites] == [("10.1000/later.1", 1)]


def test_openalex_cursor_paging_key_and_mailto(settings):
    settings.openalex_api_key = "oa-secret"
    settings.mailto = "me@example.org"
    with ScholarlyApis(_many(130), openalex_key="oa-secret") as apis:
        settings.openalex_api = apis.settings_update()["openalex_api"]
        settings.search_delay = 0
        hits, total = OpenAlex(settings).search("cross-lingual transfer", 120, since="2020-01-01")
        assert total == 130 and len(hits) == 120
        seen = apis.seen("openalex")
        assert [q.query["cursor"][0] for q in seen][0] == "*" and len(seen) == 2
        assert seen[1].query["cursor"][0] not in ("*", "")
        assert all(q.query["api_key"] == ["oa-secret"] and q.query["mailto"] == ["me@example.org"] for q in seen)
        assert seen[0].query["filter"] == ["from_publication_date:2020-01-01"]
        assert "me@example.org" in seen[0].headers["user-agent"]
    cached = b"".join(p.read_bytes() for p in (settings.cache / "api").rglob("*.json"))
    assert b"oa-secret" not in cached and b"me@example.org" not in cached


def test_openalex_reads_arxiv_ids_and_abstracts(settings, apis):
    oa = OpenAlex(settings)
    x = oa.work(PaperIds(arxiv="2005.13013"))  # looked up by its arXiv DOI
    assert apis.seen("openalex")[-1].path.endswith("/works/doi:10.48550/arxiv.2005.13013")
    assert x.ids.arxiv == "2005.13013" and x.ids.doi == "10.18653/v1/2020.aacl-main.56" and x.ids.openalex
    assert x.abstract.startswith("Intermediate-task training on English tasks")
    stilts = oa.work(PaperIds(arxiv="1811.01088"))
    assert stilts.ids.doi is None and stilts.ids.arxiv == "1811.01088"  # the arXiv DOI is the arXiv id
    assert oa.work(PaperIds(arxiv="2003.11080")) is None  # not in OpenAlex
    assert abstract_text({"world": [1], "hello": [0]}) == "hello world"


def test_crossref_metadata_and_unknown_doi(settings, apis):
    settings.mailto = "me@example.org"
    cr = Crossref(settings)
    hit = cr.work("10.18653/v1/2020.acl-main.467")
    assert hit.venue == "ACL 2020" and hit.year == 2020 and hit.published == "2020-07-05"
    assert hit.authors[0] == "Yada Pruksachatkun" and hit.rank is None
    assert apis.seen("crossref")[-1].query["mailto"] == ["me@example.org"]
    assert cr.work("10.9999/nothing") is None


def test_retry_after_then_success_and_cache_hit(settings, apis):
    apis.faults.append(ApiFault(route="s2", times=2, status=429, retry_after="0"))
    client = SemanticScholar(settings)
    hits, _ = client.search(QUERY, 5)
    assert len(hits) == 5 and client.api.requests == 3  # two 429s, then the answer
    again = SemanticScholar(settings)
    assert again.search(QUERY, 5)[0] == hits and again.api.requests == 0 and again.api.cached == 1


def test_gives_up_after_retries_and_on_the_deadline(settings, apis):
    apis.faults.append(ApiFault(route="openalex", times=None, status=503))
    settings.http_retries = 2
    with pytest.raises(NetworkError, match="HTTP 503 .gave up after 3 attempts"):
        OpenAlex(settings).search(QUERY, 5)
    settings.http_retries = 10
    settings.http_backoff = 0.3
    settings.http_backoff_max = 0.3
    settings.http_deadline = 0.5
    with pytest.raises(NetworkError, match="deadline"):
        OpenAlex(settings, cache_mode="refresh").search(QUERY, 5)


def test_reply_over_the_size_cap(settings, apis):
    settings.max_api_mb = 0.0005  # 524 bytes: smaller than any search reply here
    with pytest.raises(NetworkError, match=r"over the .* cap \(SYNTH_MAX_API_MB\)"):
        SemanticScholar(settings).search(QUERY, 5)


def test_offline_mode_and_unknown_path(settings, apis):
    api = JsonApi("s2", settings.s2_api, settings, label="Semantic Scholar", cache_mode="offline")
    with pytest.raises(NetworkError, match="not in the response cache"):
        api.get("/paper/search", {"query": "x"})
    online = JsonApi("s2", settings.s2_api, settings, label="Semantic Scholar")
    with pytest.raises(NotFoundError):
        online.get("/paper/ARXIV:0000.00000")


def test_identifier_normalisation():
    assert normalise_doi("https://doi.org/10.18653/V1/2020.ACL-main.467") == "10.18653/v1/2020.acl-main.467"
    assert make_ids(doi="10.48550/arXiv.2005.13013v2").model_dump(exclude_none=True) == {"arxiv": "2005.13013"}
    assert parse_seed("arXiv:2005.13013v2") == PaperIds(arxiv="2005.13013")
    assert parse_seed("doi:10.1000/X") == PaperIds(doi="10.1000/x")
    assert parse_seed("https://openalex.org/W123") == PaperIds(openalex="W123")
    assert parse_seed("s2:" + "a" * 40) == PaperIds(s2="a" * 40)
    assert parse_seed("https://arxiv.org/abs/1811.01088v2") == PaperIds(arxiv="1811.01088")
