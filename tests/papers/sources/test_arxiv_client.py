"""The arXiv client against the loopback mirror: batching, versions, search, date filter, faults."""

from __future__ import annotations

import pytest

from synth.core.errors import NetworkError, NotFoundError
from synth.core.models import PaperRef
from synth.papers.sources import arxiv as arxiv_source
from synth.papers.sources.arxiv import ArxivClient
from synth.demo.loopback import Fault


def refs(*texts):
    return [PaperRef.parse(t) for t in texts]


def test_three_ids_in_one_api_request(settings, mirror):
    found = ArxivClient(settings).lookup(refs("2005.13013", "1811.01088v2", "hep-th/9901001"))
    assert len(mirror.seen("api")) == 1
    id_list = mirror.seen("api")[0].query["id_list"][0].split(",")
    assert set(id_list) == {"2005.13013", "1811.01088v2", "1811.01088", "hep-th/9901001"}
    assert found["2005.13013"].version == 2  # unversioned → latest
    assert found["2005.13013"].latest_version == 2
    assert found["1811.01088v2"].title.startswith("Sentence Encoders on STILTs")
    assert found["1811.01088v2"].authors == ["Jason Phang"]
    assert found["hep-th/9901001"].ref.key == "hep-th/9901001v1"
    assert found["hep-th/9901001"].categories == ["hep-th"]


def test_pinned_old_version_learns_latest(settings, mirror):
    found = ArxivClient(settings).lookup(refs("2005.13013v1"))
    rec = found["2005.13013v1"]
    assert (rec.version, rec.latest_version) == (1, 2)
    assert rec.published.startswith("2020-05-26")


def test_unknown_id_and_unknown_version_are_not_found(settings, mirror):
    found = ArxivClient(settings).lookup(refs("2101.00001", "2005.13013v7", "1811.01088"))
    assert isinstance(found["2101.00001"], NotFoundError)
    assert str(found["2101.00001"]) == "arXiv has no paper 2101.00001"
    assert isinstance(found["2005.13013v7"], NotFoundError)
    assert "latest is v2" in str(found["2005.13013v7"])
    assert found["1811.01088"].version == 2
    assert len(mirror.seen("api")) == 1


def test_search_by_relevance(settings, mirror):
    hits = ArxivClient(settings).search("intermediate training", max_results=5)
    (request,) = mirror.seen("api")
    assert request.query["search_query"] == ["all:intermediate AND all:training"]
    assert request.query["sortBy"] == ["relevance"]
    # the server's relevance order is kept (most term occurrences first, ties by id); latest versions only
    assert [h.ref.key for h in hits] == ["1811.01088v2", "2005.13013v2", "1905.00537v3"]
    assert [h.ref.key for h in ArxivClient(settings).search("intermediate training", max_results=2)] == [
        "1811.01088v2", "2005.13013v2"]
    assert ArxivClient(settings).search("zero-shot cross-lingual", max_results=5)[0].latest_version == 2


def test_rate_limit_between_api_calls(settings, mirror, monkeypatch):
    settings.arxiv_delay = 0.3
    client = ArxivClient(settings)
    client.lookup(refs("2005.13013"))
    client.search("strings", 1)
    first, second = mirror.seen("api")
    assert second.at - first.at >= 0.3


def test_429_then_200_honours_retry_after(settings, mirror, monkeypatch):
    settings.http_backoff_max = 30.0
    sleeps = []
    monkeypatch.setattr(arxiv_source.time, "sleep", sleeps.append)
    mirror.faults.append(Fault(route="api", status=429, retry_after="7"))
    found = ArxivClient(settings).lookup(refs("2005.13013"))
    assert found["2005.13013"].version == 2
    assert sleeps == [7.0]
    assert len(mirror.seen("api")) == 2


def test_503_forever_gives_a_clear_error_after_retries(settings, mirror, monkeypatch):
    settings.http_retries = 3
    sleeps = []
    monkeypatch.setattr(arxiv_source.time, "sleep", sleeps.append)
    mirror.faults.append(Fault(route="api", status=503, times=None))
    with pytest.raises(NetworkError) as err:
        ArxivClient(settings).lookup(refs("2005.13013"))
    assert str(err.value) == f"arXiv API at {mirror.api_url} failed: HTTP 503 (gave up after 4 attempts)"
    assert len(mirror.seen("api")) == 4
    assert sleeps == [0.01, 0.02, 0.04]  # exponential backoff from settings.http_backoff


def test_slow_api_times_out(settings, mirror):
    settings.http_timeout = 0.3
    settings.http_retries = 1
    mirror.faults.append(Fault(route="api", delay=3.0, times=None))
    with pytest.raises(NetworkError, match=r"timed out after 0.3 s \(gave up after 2 attempts\)"):
        ArxivClient(settings).lookup(refs("2005.13013"))


def test_connection_reset_is_retried(settings, mirror):
    mirror.faults.append(Fault(route="api", reset=True))
    assert ArxivClient(settings).lookup(refs("2005.13013"))["2005.13013"].version == 2
    assert len(mirror.seen("api")) == 2


def test_network_down_fails_at_once_without_retries(settings, monkeypatch):
    settings.arxiv_api = "http://127.0.0.1:9/api/query"  # discard port: nothing listens
    settings.http_retries = 3
    sleeps = []
    monkeypatch.setattr(arxiv_source.time, "sleep", sleeps.append)
    with pytest.raises(NetworkError, match=r"cannot reach the arXiv API \(127.0.0.1:9\) \(connection refused\)"):
        ArxivClient(settings).lookup(refs("2005.13013"))
    assert sleeps == []  # a refused connection is not retried: the next try would be refused too


def test_pdf_url_keeps_old_style_slash(settings):
    settings.arxiv_pdf = "http://mirror.example/pdf/"
    client = ArxivClient(settings)
    assert client.pdf_url(PaperRef.parse("hep-th/9901001v1")) == "http://mirror.example/pdf/hep-th/9901001v1"


def test_rate_limit_holds_across_clients(settings, mirror):
    """Two processes (here: two clients) share the limit through a stamp file in settings.cache."""
    settings.arxiv_delay = 0.3
    ArxivClient(settings).lookup(refs("2005.13013"))
    assert (settings.cache / "arxiv-last-request").exists()
    ArxivClient(settings).lookup(refs("1811.01088"))
    first, second = mirror.seen("api")
    assert second.at - first.at >= 0.3


@pytest.mark.parametrize("text", ["２００５.１３０１３", "٢٠٠٥.١٣٠١٣", "2005.13013v٢", "local-" + "０" * 12])
def test_paper_refs_take_ascii_digits_only(text):
    with pytest.raises(ValueError):
        PaperRef.parse(text)


def test_since_is_a_submitted_date_filter_in_the_query(settings, mirror):
    """--since goes to the API (submittedDate range) before it cuts the list at --max, not after."""
    mirror.papers["1811.01088v2"].published = "2018-11-02T00:00:00Z"
    hits = ArxivClient(settings).search("intermediate training", max_results=1, since="2019-01-01")
    (request,) = mirror.seen("api")
    assert request.query["search_query"] == [
        "(all:intermediate AND all:training) AND submittedDate:[201901010000 TO 209912312359]"]
    # without the filter the first hit is 1811.01088 (2018): cut first, then filtered, nothing would be left
    assert [h.ref.key for h in hits] == ["2005.13013v2"]


def test_a_huge_retry_after_is_not_obeyed_and_says_until_when(settings, mirror, monkeypatch):
    settings.http_backoff_max = 60.0
    sleeps = []
    monkeypatch.setattr(arxiv_source.time, "sleep", sleeps.append)
    mirror.faults.append(Fault(route="api", status=503, retry_after="10800"))
    with pytest.raises(NetworkError) as err:
        ArxivClient(settings).lookup(refs("2005.13013"))
    assert "asks to wait 3 h before trying again (Retry-After)" in str(err.value)
    assert "at most 60 s (SYNTH_HTTP_BACKOFF_MAX)" in str(err.value) and "try again after 20" in str(err.value)
    assert sleeps == [] and len(mirror.seen("api")) == 1


def test_the_arxiv_package_is_not_patched(settings, mirror):
    """No private attribute of the `arxiv` package is touched (they changed between its releases)."""
    import arxiv

    before = dict(vars(arxiv.Client))
    ArxivClient(settings).lookup(refs("2005.13013"))
    assert dict(vars(arxiv.Client)) == before
    source = __import__("inspect").getsource(arxiv_source)
    assert "_session" not in source and "import arxiv" not in source
