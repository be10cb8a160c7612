"""`synth search` over arXiv + Semantic Scholar + OpenAlex (loopback servers): one de-duplicated, fused ranking
with every source's ids; the search log; a re-run from the cache with the servers gone gives the same answer."""

from __future__ import annotations

import pytest

from synth.core.errors import NetworkError
from synth.papers.search import search_literature, snowball
from synth.papers.search_log import flow_counts, load_log
from synth.papers.search_merge import RRF_K
from tests.cli_harness import make_cli
from tests.papers.search.conftest import QUERY

SOURCES = ("arxiv", "s2", "openalex")


def _summary(outcome):
    return [(r.key, r.ids.model_dump(exclude_none=True), round(outcome.scores[r.key], 9),
             sorted((h.source, h.rank, tuple(h.ids.keys())) for h in r.hits if h.search == outcome.run.id))
            for r in outcome.records]


def test_search_merges_sources_keeps_every_id_and_fuses_ranks(settings, databases):
    outcome = search_literature(QUERY, sources=SOURCES, settings=settings)
    by_key = {r.key: r for r in outcome.records}
    # 2005.13013: arXiv, S2 and OpenAlex each found it; one record with every source's identifiers
    xstilts = by_key["arxiv:2005.13013"]
    assert {h.source for h in xstilts.hits} == {"arxiv", "s2", "openalex"}
    assert xstilts.ids.doi == "10.18653/v1/2020.aacl-main.56" and xstilts.ids.s2 and xstilts.ids.openalex
    arxiv_hit = next(h for h in xstilts.hits if h.source == "arxiv")
    assert arxiv_hit.ids.keys() == ["arxiv:2005.13013"]  # each hit keeps what its own source said
    # the Pruksachatkun paper: S2 knew only its arXiv id, OpenAlex only its DOI; title + year + author join them
    pruk = by_key["arxiv:2005.00628"]
    assert pruk.ids.doi == "10.18653/v1/2020.acl-main.467" and {h.source for h in pruk.hits} == {"s2", "openalex"}
    assert len(outcome.records) == len({r.key for r in outcome.records}) == 5
    assert "arxiv:2101.00001" not in by_key  # off-topic: no source returned it
    # ranking = reciprocal rank fusion over the three lists
    for r in outcome.records:
        ranks = [h.rank for h in r.hits if h.search == outcome.run.id]
        assert outcome.scores[r.key] == pytest.approx(sum(1 / (RRF_K + k) for k in ranks))
    assert outcome.records[0].key == "arxiv:2005.13013"
    assert [outcome.scores[r.key] for r in outcome.records] == sorted(outcome.scores.values(), reverse=True)
    run = outcome.run
    assert [(s.source, s.status) for s in run.sources] == [("arxiv", "ok"), ("s2", "ok"), ("openalex", "ok")]
    assert run.identified == sum(s.identified for s in run.sources) == 1 + 5 + 4
    assert run.unique == 5 and run.new == 5


def test_log_records_the_search_and_flow_counts_follow_it(settings, databases):
    outcome = search_literature(QUERY, sources=SOURCES, settings=settings)
    log = load_log(settings.search_log_path)
    assert settings.search_log_path == settings.claims.with_name("claims.search.yaml")
    assert [s.id for s in log.searches] == ["s01"] and log.searches[0].query == QUERY
    flow = flow_counts(log)
    assert flow.identified == {"arxiv": 1, "openalex": 4, "s2": 5}
    assert flow.identified_total == 10 and flow.records == 5 and flow.duplicates == 5
    assert flow.undecided == 5 and flow.included == flow.excluded == flow.fetched == 0
    assert outcome.flow == flow


def test_rerun_offline_from_cache_gives_the_same_result(settings, apis, mirror):
    first = search_literature(QUERY, sources=SOURCES, settings=settings)
    assert sum(s.requests for s in first.run.sources) > 0
    apis.stop()
    mirror.stop()  # the network is gone: both servers refuse connections now
    again = search_literature(QUERY, sources=SOURCES, settings=settings)
    assert _summary(again) == _summary(first)
    assert all(s.requests == 0 and s.cached > 0 for s in again.run.sources)
    offline = search_literature(QUERY, sources=SOURCES, settings=settings, cache_mode="offline")
    assert _summary(offline) == _summary(first)
    # the same search again is the same log entry: the flow does not double
    log = load_log(settings.search_log_path)
    assert len(log.searches) == 1 and flow_counts(log) == first.flow


def test_offline_without_cache_fails_per_source_and_is_logged(settings):
    outcome = search_literature(QUERY, sources=("s2", "openalex"), settings=settings, cache_mode="offline")
    assert [s.status for s in outcome.run.sources] == ["failed", "failed"]
    assert "not in the response cache" in outcome.run.sources[0].error
    assert outcome.records == []


def test_a_failing_source_does_not_sink_the_others(settings, databases):
    apis, _ = databases
    from synth.demo.scholarly import ApiFault

    apis.faults.append(ApiFault(route="openalex", times=None, status=503))
    settings.http_retries = 1
    outcome = search_literature(QUERY, sources=SOURCES, settings=settings)
    status = {s.source: s for s in outcome.run.sources}
    assert status["openalex"].status == "failed" and "HTTP 503" in status["openalex"].error
    assert status["s2"].status == status["arxiv"].status == "ok"
    assert {r.key for r in outcome.records} >= {"arxiv:2005.13013", "arxiv:2005.00628"}


def test_since_filters_every_source(settings, databases):
    outcome = search_literature(QUERY, sources=SOURCES, since="2020-06", settings=settings)
    # the Pruksachatkun paper: OpenAlex dates it 2020-07-05 (kept), S2 2020-05-01 (filtered out)
    assert {r.key for r in outcome.records} == {"doi:10.1000/later.1", "doi:10.18653/v1/2020.acl-main.467"}
    for r in outcome.records:
        assert all((h.published or "9999") >= "2020-06-01" for h in r.hits if h.search == outcome.run.id)
    s2 = next(q for q in apis_seen(databases[0], "s2") if q.path.endswith("/paper/search"))
    assert s2.query["publicationDateOrYear"] == ["2020-06-01:"]
    oa = next(q for q in apis_seen(databases[0], "openalex") if q.path.endswith("/works"))
    assert oa.query["filter"] == ["from_publication_date:2020-06-01"]


def apis_seen(apis, route):
    return apis.seen(route)


def test_crossref_completes_records_with_a_doi(settings, databases):
    outcome = search_literature("revisiting intermediate-task training", sources=("openalex", "crossref"),
                                settings=settings, max_results=5)
    # OpenAlex has the venue; Crossref is asked only for records that miss venue, year or authors
    later = {r.key: r for r in outcome.records}["doi:10.1000/later.1"]
    assert later.venue == "Journal of Examples"
    cross = next(s for s in outcome.run.sources if s.source == "crossref")
    assert cross.status == "ok" and cross.enriched == 0 and cross.requests == 0


def test_snowball_references_and_citations(settings, databases):
    refs = snowball("2005.13013", direction="references", settings=settings)
    keys = {r.key for r in refs.records}
    assert keys == {"arxiv:1811.01088", "arxiv:1905.00537", "arxiv:2003.11080", "arxiv:2005.00628"}
    assert all(h.via == "2005.13013" for r in refs.records for h in r.hits if h.search == refs.run.id)
    assert [s.source for s in refs.run.sources] == ["s2", "openalex"] and refs.run.kind == "references"
    cites = snowball("doi:10.18653/v1/2020.aacl-main.56", direction="citations", settings=settings)
    assert [r.key for r in cites.records] == ["doi:10.1000/later.1"]
    flow = flow_counts(load_log(settings.search_log_path))
    assert flow.identified == {} and flow.identified_citations == refs.run.identified + cites.run.identified


def test_snowball_depth_two_follows_the_new_papers(settings, databases):
    one = snowball("10.1000/later.1", direction="references", depth=1, sources=("openalex",), settings=settings)
    two = snowball("10.1000/later.1", direction="references", depth=2, sources=("openalex",), settings=settings)
    assert {r.key for r in one.records} == {"arxiv:2005.13013", "arxiv:1811.01088"}
    # level 2: the references of X-STILTs that OpenAlex knows (not XTREME, not the S2-only Pruksachatkun record)
    assert {r.key for r in two.records} - {r.key for r in one.records} == {"arxiv:1905.00537"}
    assert two.run.id == "s02" and two.run.depth == 2
    with pytest.raises(Exception, match="not a paper id"):
        snowball("not an id", direction="citations", settings=settings)


def test_cli_search_json_and_exit_codes(settings, databases, monkeypatch):
    cli = make_cli(settings, monkeypatch)
    run = cli("--json", "search", QUERY, "--sources", "arxiv,s2,openalex")
    assert run.exit_code == 0, run.stderr
    data = run.json()
    assert data["search"]["identified"] == 10 and len(data["records"]) == 5
    top = data["records"][0]
    assert top["key"] == "arxiv:2005.13013" and top["rank"] == 1
    assert {s["source"]: s["ids"] for s in top["sources"]}["s2"]["doi"] == "10.18653/v1/2020.aacl-main.56"
    table = cli("search", QUERY)
    assert table.exit_code == 0 and "arxiv:2005.13013" in table.stdout and "arxiv#1" in table.stdout
    quiet = cli("--quiet", "search", QUERY)
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""
    assert cli("search").exit_code == 2
    offline = cli("--json", "search", QUERY, "--offline")
    assert offline.exit_code == 0 and [r["key"] for r in offline.json()["records"]] == \
        [r["key"] for r in data["records"]]
    assert all(s["requests"] == 0 for s in offline.json()["search"]["sources"])
    assert cli("search", QUERY, "--offline", "--refresh").exit_code == 2
    assert cli("search", QUERY, "--references", "2005.13013").exit_code == 2  # words or a seed, not both
    refs = cli("--json", "search", "--references", "arxiv:2005.13013", "--limit", "2")
    assert refs.exit_code == 0 and refs.json()["search"]["kind"] == "references"
    assert all(s["identified"] <= 2 for s in refs.json()["search"]["sources"])
    assert "unknown source" in cli("search", "x", "--sources", "arxiv,scholar").stderr
    assert cli("search", "x", "--since", "2019-13").exit_code == 2


def test_cli_screen_marks_and_fetches_included(settings, databases, monkeypatch):
    cli = make_cli(settings, monkeypatch)
    assert cli("search", QUERY).exit_code == 0
    assert cli("screen", "arxiv:2005.13013", "2005.00628", "--include").exit_code == 0
    run = cli("screen", "doi:10.1000/later.1", "--exclude", "--reason", "not peer reviewed")
    assert run.exit_code == 0, run.stderr
    assert cli("screen", "arxiv:9999.99999", "--include").exit_code == 2
    fetched = cli("--json", "screen", "--fetch")
    # 2005.00628 is not on the arXiv mirror: exit 1, its failure recorded in the log, the other one fetched
    assert fetched.exit_code == 1, fetched.stderr
    assert fetched.json()["fetched"] == ["arxiv:2005.13013"]
    assert fetched.json()["failed"] == {"arxiv:2005.00628": "arXiv has no paper 2005.00628"}
    log = load_log(settings.search_log_path)
    by_key = {r.key: r for r in log.records}
    assert by_key["arxiv:2005.13013"].fetched == "2005.13013v2"
    assert by_key["arxiv:2005.00628"].fetched is None and "no paper" in by_key["arxiv:2005.00628"].fetch_note
    again = cli("--json", "screen", "--fetch").json()  # idempotent: the fetched one is not asked for again
    assert again["fetched"] == [] and list(again["failed"]) == ["arxiv:2005.00628"]
    assert by_key["doi:10.1000/later.1"].screening == "exclude"
    assert by_key["doi:10.1000/later.1"].reason == "not peer reviewed"
    listing = cli("--json", "screen").json()
    assert listing["flow"]["included"] == 2 and listing["flow"]["fetched"] == 1 and listing["flow"]["excluded"] == 1
    # marks survive a new search (and a re-run of the same one)
    assert cli("search", QUERY).exit_code == 0
    assert {r.key: r.screening for r in load_log(settings.search_log_path).records}["doi:10.1000/later.1"] == "exclude"


def test_an_unreachable_network_stops_the_search_at_once_naming_offline(settings, monkeypatch):
    """Online without a network: one line naming --offline, after one connection attempt, not ~50 s of retries
    on every source; nothing is logged (nothing was searched)."""
    import time as clock

    from synth.papers.sources import webapi

    for name in ("s2_api", "openalex_api", "crossref_api"):
        setattr(settings, name, "http://127.0.0.1:9/x")  # nothing listens on the discard port
    settings.arxiv_api = "http://127.0.0.1:9/api/query"
    settings.http_retries, settings.search_delay = 4, 0
    sleeps = []
    monkeypatch.setattr(webapi.time, "sleep", sleeps.append)
    started = clock.monotonic()
    with pytest.raises(NetworkError) as err:
        search_literature(QUERY, sources=("arxiv", "s2", "openalex"), settings=settings)
    assert clock.monotonic() - started < 5 and sleeps == []
    message = str(err.value)
    assert message.startswith("cannot reach the arXiv API (127.0.0.1:9) (connection refused); nothing was searched")
    assert "--offline" in message and "\n" not in message
    assert not settings.search_log_path.exists()


def test_a_service_down_after_another_answered_is_logged_as_failed(settings, apis):
    settings.openalex_api = "http://127.0.0.1:9/openalex"
    outcome = search_literature(QUERY, sources=("s2", "openalex"), settings=settings)
    status = {s.source: s.status for s in outcome.run.sources}
    assert status == {"s2": "ok", "openalex": "failed"}
    assert "cannot reach OpenAlex (127.0.0.1:9) (connection refused)" in outcome.failed[0].error
    assert outcome.run.identified == 5
