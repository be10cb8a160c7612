"""Lost work under concurrency (issue 23, hostile cases): the search log takes the claims file's lock and changes
the log as it is on disk when a command finishes, so a screening mark made while `synth search` or
`synth screen --fetch` runs is kept, and two `synth screen` at once both count."""

from __future__ import annotations

import threading

from synth.papers.search import search_literature
from synth.papers.search_log import load_log, screen, update_log
from tests.papers.search.conftest import QUERY, apis, databases  # noqa: F401  (fixtures)
from tests.papers.sources.fixtures import mirror  # noqa: F401


def test_mark_made_while_a_search_runs_is_kept(settings, databases, monkeypatch):  # noqa: F811
    search_literature(QUERY, settings=settings)
    path = settings.search_log_path
    first, second = [r.key for r in load_log(path).records[:2]]

    import synth.papers.search as search_module

    real_rerank = search_module.rerank
    marked: list[str] = []

    def rerank_then_screen(found, since):  # the user screens while the search is still asking its sources
        if not marked:
            marked.extend(update_log(path, lambda log: screen(log, [first], "include", "core paper")))
        return real_rerank(found, since)

    monkeypatch.setattr(search_module, "rerank", rerank_then_screen)
    search_literature(QUERY + " zero-shot", settings=settings)  # a second search, read before the mark
    log = load_log(path)
    by_key = {r.key: r for r in log.records}
    assert marked == [first]
    assert (by_key[first].screening, by_key[first].reason) == ("include", "core paper")
    assert by_key[second].screening == "undecided"
    assert [s.id for s in log.searches] == ["s01", "s02"]


def test_mark_made_while_screen_fetch_runs_is_kept(settings, databases, monkeypatch):  # noqa: F811
    search_literature(QUERY, settings=settings)
    path = settings.search_log_path
    records = load_log(path).records
    with_arxiv = next(r.key for r in records if r.ids.arxiv)
    other = next(r.key for r in records if r.key != with_arxiv)
    update_log(path, lambda log: screen(log, [with_arxiv], "include"))

    import synth.papers.fetch as fetch_module

    real_fetch = fetch_module.fetch

    def fetch_while_user_screens(items, **kwargs):
        update_log(path, lambda log: screen(log, [other], "exclude", "off topic"))
        return real_fetch(items, **kwargs)

    monkeypatch.setattr(fetch_module, "fetch", fetch_while_user_screens)
    from synth.papers.screening import fetch_included

    fetch_included(settings)
    by_key = {r.key: r for r in load_log(path).records}
    assert (by_key[other].screening, by_key[other].reason) == ("exclude", "off topic")
    assert by_key[with_arxiv].screening == "include" and (by_key[with_arxiv].fetched or by_key[with_arxiv].fetch_note)


def test_two_screens_at_once_lose_no_mark(settings, databases):  # noqa: F811
    search_literature(QUERY, settings=settings)
    path = settings.search_log_path
    a, b = [r.key for r in load_log(path).records[:2]]
    for round_ in range(10):
        mark_a, mark_b = ("include", "exclude") if round_ % 2 else ("exclude", "include")
        start = threading.Barrier(2)

        def mark(key: str, value: str) -> None:
            start.wait()
            update_log(path, lambda log: screen(log, [key], value))  # type: ignore[arg-type]

        threads = [threading.Thread(target=mark, args=(a, mark_a)), threading.Thread(target=mark, args=(b, mark_b))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        by_key = {r.key: r.screening for r in load_log(path).records}
        assert (by_key[a], by_key[b]) == (mark_a, mark_b), f"round {round_}"
