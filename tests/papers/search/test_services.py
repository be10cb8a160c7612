"""The search clients against loopback servers that behave like the real services (as their current
documentation says), one test per place where the clients used to follow our reading of the docs instead:
hyphenated S2 queries, S2's 429 without Retry-After, OpenAlex's 429 (allowance spent) and 403 (slow down) and its
`message`, S2 page sizes for references/citations, null entries, date filters in the queries, no invented
contact address."""

from __future__ import annotations

import pytest

from synth.core.errors import NetworkError, UsageError
from synth.core.models import PaperIds
from synth.demo.scholarly import ApiFault, CatalogPaper, ScholarlyApis
from synth.papers.search import search_literature, snowball
from synth.papers.sources import webapi
from synth.papers.sources.crossref import Crossref
from synth.papers.sources.openalex import OpenAlex
from synth.papers.sources.semantic_scholar import RATE_WAIT, SemanticScholar, s2_query
from tests.papers.search.conftest import QUERY


@pytest.fixture
def sleeps(monkeypatch):
    recorded = []
    monkeypatch.setattr(webapi.time, "sleep", recorded.append)
    return recorded


def _point(settings, servers: ScholarlyApis) -> None:
    for name, value in servers.settings_update().items():
        setattr(settings, name, value)
    settings.search_delay = 0


# ------------------------------------------------------------------------------------------ Semantic Scholar


def test_the_loopback_s2_matches_nothing_for_a_hyphenated_term(settings, apis):
    """The real behaviour the client must work around: a raw hyphenated query finds nothing."""
    api = SemanticScholar(settings).api
    body = api.get("/paper/search", {"query": QUERY, "fields": "title"}).body
    assert body["total"] == 0 and body["data"] == []


def test_s2_queries_are_sent_without_hyphens(settings, apis):
    """The README's own example query ('intermediate-task training…') used to get 0 hits, logged as 'ok'."""
    hits, total = SemanticScholar(settings).search("intermediate-task training  cross‑lingual transfer", 10)
    assert apis.seen("s2")[-1].query["query"] == ["intermediate task training cross lingual transfer"]
    assert total == 5 and len(hits) == 5
    assert s2_query("self-supervised — pre–training") == "self supervised pre training"
    with pytest.raises(UsageError):
        SemanticScholar(settings).search("- — -", 5)


def test_s2_429_without_retry_after_waits_like_the_provider_then_retries(settings, apis, sleeps):
    settings.http_backoff_max = 60.0
    apis.faults.append(ApiFault(route="s2", status=429, times=1))
    hits, _ = SemanticScholar(settings).search(QUERY, 5)
    assert len(hits) == 5 and sleeps == [RATE_WAIT]  # not a 0.01 s backoff that only earns another 429
    assert "retry-after" not in {k.lower() for k in apis.seen("s2")[0].headers}  # requests carry none either


def test_s2_rate_limit_that_persists_says_how_to_get_a_key(settings, sleeps):
    with ScholarlyApis([CatalogPaper("a", "Cross-lingual transfer", ["A B"], 2020)], s2_rate_limit=0) as servers:
        _point(settings, servers)
        settings.http_retries = 2
        with pytest.raises(NetworkError) as err:
            SemanticScholar(settings).search("transfer", 5)
    message = str(err.value)
    assert message.startswith("Semantic Scholar is rate-limiting requests (HTTP 429: Too Many Requests.")
    assert "gave up after 3 attempts" in message
    assert "SYNTH_S2_API_KEY" in message and "semanticscholar.org/product/api#api-key-form" in message
    assert len(servers.seen("s2")) == 3


def _citing(n: int) -> list[CatalogPaper]:
    seed = CatalogPaper("seed", "A seed paper", ["S Eed"], 2019, arxiv="1901.00001")
    return [seed] + [CatalogPaper(f"c{i:04d}", f"Citing paper {i}", ["C Iter"], 2020 + i % 3,
                                  published=f"{2020 + i % 3}-03-01", references=["seed"]) for i in range(n)]


def test_s2_citations_come_in_pages_of_1000(settings):
    with ScholarlyApis(_citing(1050)) as servers:
        _point(settings, servers)
        cites = SemanticScholar(settings).citations(PaperIds(arxiv="1901.00001"), limit=2000)
        pages = [(q.query["offset"][0], q.query["limit"][0]) for q in servers.seen("s2")]
    assert len(cites) == 1050 and pages == [("0", "1000"), ("1000", "1000")]


def test_s2_search_pages_stay_at_100(settings):
    with ScholarlyApis(_citing(150)) as servers:
        _point(settings, servers)
        hits, total = SemanticScholar(settings).search("citing paper", 150)
        pages = [(q.query["offset"][0], q.query["limit"][0]) for q in servers.seen("s2")]
    assert total == 150 and len(hits) == 150 and pages == [("0", "100"), ("100", "50")]


def test_s2_citations_are_date_filtered_by_the_api_references_here(settings):
    with ScholarlyApis(_citing(9)) as servers:
        _point(settings, servers)
        s2 = SemanticScholar(settings)
        cites = s2.citations(PaperIds(arxiv="1901.00001"), limit=100, since="2022-01-01")
        assert servers.seen("s2")[-1].query["publicationDateOrYear"] == ["2022-01-01:"]
        assert len(cites) == 3 and all(h.published >= "2022-01-01" for h in cites)
        s2.references(PaperIds(arxiv="1901.00001"), limit=100, since="2022-01-01")
        assert "publicationDateOrYear" not in servers.seen("s2")[-1].query  # the endpoint has no such filter


def test_s2_null_references_are_dropped_and_ranks_stay_consecutive(settings):
    papers = [CatalogPaper("x", "Paper X", ["A B"], 2020, arxiv="2001.00001", references=["gone", "y", "lost"]),
              CatalogPaper("y", "Paper Y", ["C D"], 2019, arxiv="1901.00002")]
    with ScholarlyApis(papers) as servers:
        _point(settings, servers)
        refs = SemanticScholar(settings).references(PaperIds(arxiv="2001.00001"), limit=10)
        raw = SemanticScholar(settings).api.get("/paper/ARXIV:2001.00001/references",
                                               {"fields": "title", "offset": 0, "limit": 10}).body
    assert [e["citedPaper"]["paperId"] for e in raw["data"]].count(None) == 2  # the server does send them
    assert [(h.ids.arxiv, h.rank) for h in refs] == [("1901.00002", 1)]


# ------------------------------------------------------------------------------------------ OpenAlex


def test_openalex_429_means_the_allowance_is_spent_not_retried_and_asks_for_a_key(settings, sleeps):
    papers = [CatalogPaper("a", "Cross-lingual transfer study", ["A B"], 2021)]
    with ScholarlyApis(papers, openalex_allowance=1) as servers:
        _point(settings, servers)
        hits, _ = OpenAlex(settings).search("transfer", 5)  # the key-less allowance covers one search
        assert len(hits) == 1
        with pytest.raises(NetworkError) as err:
            OpenAlex(settings, cache_mode="refresh").search("transfer", 5)
        assert len(servers.seen("openalex")) == 2 and sleeps == []  # retrying only spends more
        assert OpenAlex(settings).work(PaperIds(openalex=papers[0].openalex)) is not None  # singletons are free
    message = str(err.value)
    assert message.startswith("OpenAlex says the daily allowance is spent (HTTP 429: Daily allowance exceeded.")
    assert "SYNTH_OPENALEX_API_KEY" in message and "openalex.org/settings/api" in message


def test_openalex_429_with_a_key_says_when_the_allowance_renews(settings, apis):
    settings.openalex_api_key = "k"
    apis.openalex_key = "k"
    apis.faults.append(ApiFault(route="openalex", status=429, times=None))
    with pytest.raises(NetworkError, match="renewed at midnight UTC"):
        OpenAlex(settings).search(QUERY, 5)


def test_openalex_403_means_slow_down_and_is_retried(settings, apis, sleeps):
    apis.faults.append(ApiFault(route="openalex", status=403, times=2))
    hits, _ = OpenAlex(settings).search(QUERY, 5)
    assert hits and sleeps == [0.01, 0.02]  # backoff, not "refused: check your key"
    apis.faults.append(ApiFault(route="openalex", status=403, times=None))
    settings.http_retries = 1
    with pytest.raises(NetworkError) as err:
        OpenAlex(settings, cache_mode="refresh").search(QUERY, 5)
    assert str(err.value).startswith("OpenAlex asks to slow down (HTTP 403: Rate limit exceeded; slow down.")
    assert "SYNTH_SEARCH_DELAY" in str(err.value)


def test_openalex_errors_are_read_from_message(settings, apis):
    apis.faults.append(ApiFault(route="openalex", status=400, body={
        "error": "Invalid filter", "message": "Unknown filter field: author_name. Did you mean: authorships?"}))
    with pytest.raises(UsageError) as err:
        OpenAlex(settings).search(QUERY, 5)
    assert "Unknown filter field: author_name" in str(err.value)


def test_openalex_wrong_key_is_refused_with_the_variable_named(settings, apis):
    settings.openalex_api_key = "wrong"
    apis.openalex_key = "right"
    with pytest.raises(NetworkError) as err:
        OpenAlex(settings).search(QUERY, 5)
    assert "refused the API key (HTTP 401: Invalid API key.)" in str(err.value)
    assert "SYNTH_OPENALEX_API_KEY" in str(err.value) and "wrong" not in str(err.value)


def test_openalex_neighbours_are_date_filtered_in_the_query(settings):
    with ScholarlyApis(_citing(9)) as servers:
        _point(settings, servers)
        oa = OpenAlex(settings)
        cites = oa.citations(PaperIds(arxiv="1901.00001"), limit=100, since="2022-01-01")
        assert servers.seen("openalex")[-1].query["filter"][0].endswith(",from_publication_date:2022-01-01")
    assert len(cites) == 3


# ------------------------------------------------------------------------------------------ since, contact


def test_since_is_applied_before_the_cut_in_every_source(settings, databases):
    """With --max 1, a filter applied after the cut would leave nothing (the top hit of each is older)."""
    apis, mirror = databases
    mirror.papers["1811.01088v2"].published = "2018-11-02T00:00:00Z"
    outcome = search_literature("intermediate training", sources=("arxiv", "s2", "openalex"), max_results=1,
                                since="2020-01", settings=settings)
    found = {s.source: s.identified for s in outcome.run.sources}
    assert found == {"arxiv": 1, "s2": 1, "openalex": 1}
    assert "submittedDate:[202001010000 TO 209912312359]" in mirror.seen("api")[-1].query["search_query"][0]


def test_crossref_rate_limit_asks_for_mailto_never_invents_one(settings, apis, sleeps):
    apis.faults.append(ApiFault(route="crossref", status=429, times=None))
    settings.http_retries = 0
    with pytest.raises(NetworkError) as err:
        Crossref(settings).work("10.18653/v1/2020.acl-main.467")
    assert "SYNTH_MAILTO" in str(err.value) and "polite" in str(err.value)
    seen = apis.seen("crossref")[-1]
    assert "mailto" not in seen.query and "mailto" not in seen.headers["user-agent"]


def test_snowball_passes_since_to_the_services(settings, databases):
    apis, _ = databases
    snowball("2005.13013", direction="citations", since="2021", settings=settings)
    s2 = [q for q in apis.seen("s2") if q.path.endswith("/citations")]
    oa = [q for q in apis.seen("openalex") if q.path.endswith("/works") and "filter" in q.query]
    assert s2[-1].query["publicationDateOrYear"] == ["2021-01-01:"]
    assert oa[-1].query["filter"][0].endswith("from_publication_date:2021-01-01")
