"""Hostile JSON: the validated reader (synth.core.jsonio) on its own, and the search clients fed replies that are
too deep, hold NaN/Infinity/1e308, the wrong types, impossible dates, or paging that never advances. Each used to
end in a RecursionError, an OverflowError, a TypeError or an endless loop."""

from __future__ import annotations

import json

import pytest

from synth.core.errors import NetworkError
from synth.core.jsonio import JsonError, depth, iter_jsonl, loads, read_json, read_model
from synth.core.models import PaperIds
from synth.demo.scholarly import ApiFault
from synth.papers.search import search_literature
from synth.papers.sources.openalex import OpenAlex
from synth.papers.sources.semantic_scholar import SemanticScholar
from synth.papers.sources.webapi import ResponseCache
from tests.papers.search.conftest import QUERY, apis  # noqa: F401 (fixture)
from tests.papers.sources.fixtures import mirror  # noqa: F401 (fixture)

DEEP = b"[" * 100_000 + b"]" * 100_000


# ------------------------------------------------------------------------------------------ the reader


@pytest.mark.parametrize("text, said", [
    (DEEP, "nested more than 64 levels"),
    (b'{"a":' * 5000 + b"1" + b"}" * 5000, "nested more than 64 levels"),
    (b"NaN", "NaN is not a JSON value"),
    (b'{"total": Infinity}', "Infinity is not a JSON value"),
    (b'[-Infinity]', "-Infinity is not a JSON value"),
    (b'{"score": 1e308}', "the number 1e308 is out of range"),
    (b'{"score": 1e400}', "the number 1e400 is out of range"),
    (b"9" * 5000, "out of range"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b'{"a": 1,}', "not valid JSON"),
    (b"", "not valid JSON"),
])
def test_the_reader_refuses_hostile_documents_with_one_line(text, said):
    with pytest.raises(JsonError) as err:
        loads(text, what="results.json")
    assert str(err.value).startswith("results.json ") and said in str(err.value)
    assert "\n" not in str(err.value)


def test_the_reader_keeps_good_documents_and_brackets_inside_strings():
    assert loads(b'\xef\xbb\xbf{"a": "[[[[{{{{", "b": [1, 2.5, -3e5], "c": null}') == {
        "a": "[[[[{{{{", "b": [1, 2.5, -300000.0], "c": None}
    assert loads('{"quote": "a \\" [ b"}') == {"quote": 'a " [ b'}
    nested = "[" * 64 + "]" * 64
    assert depth(loads(nested)) == 64
    assert loads(nested, max_depth=64) and depth({"a": [1, {"b": 2}]}) == 3


def test_read_json_read_model_and_jsonl_name_the_file(tmp_path):
    from pydantic import BaseModel

    class Score(BaseModel):
        task: str
        value: float

    good = tmp_path / "results.json"
    good.write_text('{"task": "xnli", "value": 80.5}', encoding="utf-8")
    assert read_model(good, Score).value == 80.5
    bad = tmp_path / "bad.json"
    bad.write_text('{"task": ["xnli"], "value": 1}', encoding="utf-8")
    with pytest.raises(JsonError, match=rf"{bad} does not fit its schema: task: Input should be a valid string"):
        read_model(bad, Score)
    with pytest.raises(JsonError, match="cannot read"):
        read_json(tmp_path / "missing.json")
    rows = tmp_path / "sentences.jsonl"
    rows.write_bytes(b'{"i": 1}\n\n' + DEEP + b"\n")
    reader = iter_jsonl(rows)
    assert next(reader) == {"i": 1}
    with pytest.raises(JsonError, match=rf"{rows} line 3 is nested too deeply"):
        next(reader)


# ------------------------------------------------------------------------------------------ API replies


def _s2_reply(apis, body) -> None:
    apis.faults.append(ApiFault(route="s2", status=200, times=None, body=body))


@pytest.mark.parametrize("body", [
    DEEP,
    b'{"total": NaN, "offset": 0, "data": []}',
    b'{"total": Infinity, "offset": 0, "data": []}',
    json.dumps({"total": 1e308, "data": []}).encode(),
])
def test_s2_hostile_documents_are_one_error_not_a_traceback(settings, apis, body):
    _s2_reply(apis, body)
    settings.http_retries = 0
    with pytest.raises(NetworkError) as err:
        SemanticScholar(settings).search(QUERY, 5)
    assert str(err.value).startswith("Semantic Scholar: the reply for /paper/search is ")


def test_a_search_with_a_hostile_source_logs_it_as_failed(settings, apis):
    _s2_reply(apis, DEEP)
    outcome = search_literature(QUERY, sources=("s2", "openalex"), settings=settings)
    status = {s.source: s for s in outcome.run.sources}
    assert status["s2"].status == "failed" and "nested more than 64 levels" in status["s2"].error
    assert status["openalex"].status == "ok" and outcome.records


def test_s2_wrong_types_and_impossible_dates_are_read_as_absent(settings, apis):
    paper = {"paperId": "a" * 40, "title": ["not", "a", "string"], "year": "2020", "publicationDate": "99999-99-99",
             "authors": [{"name": 7}, "Ada", {"name": "Grace Hopper"}], "externalIds": ["ArXiv"],
             "citationCount": -3, "venue": {"name": "x"}, "abstract": 12, "url": None}
    others = [None, 5, "paper", {"paperId": 12}, {"paperId": "b" * 40, "publicationDate": "2020-02-30",
                                                   "year": 1e9, "externalIds": {"ArXiv": 2005.13013, "MAG": 123}}]
    _s2_reply(apis, {"total": "many", "offset": 0, "next": "abc", "data": [paper, *others]})
    hits, total = SemanticScholar(settings).search(QUERY, 10)
    assert total is None and [h.ids.s2 for h in hits] == ["a" * 40, "b" * 40]
    first, second = hits
    assert (first.title, first.year, first.published, first.authors, first.cited_by, first.venue) == (
        "", None, None, ["Grace Hopper"], None, None)
    assert second.published is None and second.year is None and second.ids.mag == "123"
    assert second.ids.arxiv is None  # a number is not an arXiv id
    assert len(apis.seen("s2")) == 1  # `next: "abc"` ends the paging


@pytest.mark.parametrize("body", [
    {"total": 3, "offset": 0, "next": 0, "data": None},  # next 0 with null data
    {"total": 3, "offset": 0, "next": 0, "data": [{"paperId": "a" * 40, "title": "x"}]},  # next never advances
    {"total": 3, "offset": 0, "next": -5, "data": [{"paperId": "a" * 40, "title": "x"}]},
])
def test_s2_paging_that_never_advances_stops(settings, apis, body):
    _s2_reply(apis, body)
    hits, _ = SemanticScholar(settings).search(QUERY, 500)
    assert len(apis.seen("s2")) == 1 and len(hits) <= 1
    refs = SemanticScholar(settings).references(PaperIds(arxiv="2005.13013"), limit=5000)
    assert len(apis.seen("s2")) == 2 and len(refs) <= 1


def test_openalex_repeating_the_same_cursor_stops(settings, apis):
    works = [{"id": f"https://openalex.org/W{i}", "display_name": "A work", "publication_year": 2020}
             for i in range(1, 101)]
    apis.faults.append(ApiFault(route="openalex", status=200, times=None, body={
        "meta": {"count": 10 ** 6, "per_page": 100, "next_cursor": "same"}, "results": works}))
    hits, total = OpenAlex(settings).search(QUERY, 10_000)
    # "*" then "same", then "same" again is refused: two requests, not a hundred (or forever)
    assert len(apis.seen("openalex")) == 2 and total == 10 ** 6 and len(hits) == 200


def test_openalex_wrong_types_are_read_as_absent(settings, apis):
    work = {"id": "https://openalex.org/W1", "display_name": 3, "publication_year": "2020",
            "publication_date": "2020-13-01", "authorships": {"author": "x"}, "primary_location": [],
            "locations": [None, {"landing_page_url": 5}], "cited_by_count": "many",
            "abstract_inverted_index": {"hello": [0, "one", -1, 1e9], "world": "1", "again": [1]},
            "ids": {"mag": 77, "doi": ["x"]}, "doi": 10}
    apis.faults.append(ApiFault(route="openalex", status=200, body={
        "meta": {"count": NaNless(), "next_cursor": 5}, "results": [work, None, "W2", {"id": 5}]}))
    (hit,), total = OpenAlex(settings).search(QUERY, 5)
    assert total is None and hit.ids.openalex == "W1" and hit.ids.mag == "77" and hit.ids.doi is None
    assert (hit.title, hit.year, hit.published, hit.authors, hit.cited_by) == ("", None, None, [], None)
    assert hit.abstract == "hello again"


def NaNless():  # a count of the wrong type (the NaN/Infinity forms are refused by the reader itself)
    return "∞"


def test_a_hostile_response_cache_is_ignored_not_fatal(settings, apis):
    """The cache lives on the user's disk; a damaged or planted entry is a cache miss, never a crash."""
    client = SemanticScholar(settings)
    client.search(QUERY, 5)
    (entry,) = (settings.cache / "api" / "s2").rglob("*.json")
    for planted in (DEEP, b'{"status": NaN, "body": {}}', b'{"status": "200", "body": {}}', b"[]",
                    b'{"status": 200, "body": {"total": 1e999}}'):
        entry.write_bytes(planted)
        again = SemanticScholar(settings)
        hits, total = again.search(QUERY, 5)
        assert len(hits) == 5 and again.api.requests == 1  # fetched afresh, and the entry rewritten
        assert json.loads(entry.read_text())["status"] == 200
    assert ResponseCache(settings.cache / "api").get("s2", "/nothing", {}) is None


def test_a_hostile_arxiv_cache_entry_is_read_safely(settings, mirror):
    from synth.papers.search_sources import ArxivSource

    source = ArxivSource(settings)
    hits, _ = source.search("intermediate training", 5)
    (entry,) = (settings.cache / "api" / "arxiv").rglob("*.json")
    data = json.loads(entry.read_text())
    data["body"] = [{"id": 5, "version": "x"}, None, {"id": "2005.13013", "version": 2, "published": "99999-1-1",
                                                     "authors": [1, "Ada"], "title": ["t"]}]
    entry.write_text(json.dumps(data))
    (hit,), _ = ArxivSource(settings, cache_mode="offline").search("intermediate training", 5)
    assert hit.ids.arxiv == "2005.13013" and hit.published is None and hit.authors == ["Ada"] and hit.title == ""
