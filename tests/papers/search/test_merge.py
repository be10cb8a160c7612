"""De-duplication (ids, arXiv DOIs, title + year + first author, transitively) and reciprocal rank fusion."""

from __future__ import annotations

import pytest

from synth.core.models import Hit, PaperIds, Record
from synth.papers.search_merge import RRF_K, fused_scores, merge, ranked, surname, title_key


def hit(source, rank, search="s01", title="A study of cross-lingual transfer", year=2020, authors=("Ada Example",),
        **ids):
    return Hit(search=search, source=source, rank=rank, ids=PaperIds(**ids), title=title, year=year,
               authors=list(authors))


def test_shared_ids_merge_and_every_hit_keeps_its_own():
    hits = [hit("arxiv", 1, arxiv="2005.13013"),
            hit("s2", 3, arxiv="2005.13013", doi="10.1/x", s2="a" * 40, title="Other wording entirely here"),
            hit("openalex", 2, doi="10.1/x", openalex="W1", title="Yet another wording of the title")]
    merged = merge([], hits)
    assert len(merged.records) == 1 and merged.hit_keys == ["arxiv:2005.13013"] * 3
    record = merged.records[0]
    assert record.ids == PaperIds(arxiv="2005.13013", doi="10.1/x", s2="a" * 40, openalex="W1")
    assert [h.ids.keys() for h in record.hits] == [["arxiv:2005.13013"], ["arxiv:2005.13013", "doi:10.1/x",
                                                                          "s2:" + "a" * 40], ["doi:10.1/x",
                                                                                              "openalex:W1"]]


def test_title_year_first_author_join_records_without_shared_ids():
    a = hit("s2", 1, title="When and Why Does It Work?  Intermediate-Task Transfer", authors=["Yada Pruksachatkun"],
            arxiv="2005.00628")
    b = hit("openalex", 1, title="when and why does it work: intermediate task transfer",
            authors=["Pruksachatkun, Yada"], doi="10.18653/v1/2020.acl-main.467")
    c = hit("openalex", 2, title="when and why does it work: intermediate task transfer", year=2021,
            authors=["Pruksachatkun, Yada"], doi="10.9/other")  # another year: another paper
    d = hit("openalex", 3, title="Results", authors=["Pruksachatkun, Yada"], doi="10.9/short")
    e = hit("s2", 2, title="Results", authors=["Pruksachatkun, Yada"], s2="b" * 40)  # too short a title to join
    merged = merge([], [a, b, c, d, e])
    assert [r.key for r in merged.records] == ["arxiv:2005.00628", "doi:10.9/other", "doi:10.9/short",
                                               "s2:" + "b" * 40]
    assert merged.records[0].ids.doi == "10.18653/v1/2020.acl-main.467"
    assert surname("Pruksachatkun, Yada") == surname("Yada Pruksachatkun") == "pruksachatkun"
    assert title_key("Results", 2020, ["A B"]) is None


def test_a_bridge_hit_merges_two_existing_records_and_keeps_marks():
    old = merge([], [hit("arxiv", 1, arxiv="2005.13013", title="Preprint title words here"),
                     hit("openalex", 1, doi="10.1/x", title="Published title words here")]).records
    assert len(old) == 2
    old = [old[0].model_copy(update={"screening": "include", "reason": "core paper"}), old[1]]
    merged = merge(old, [hit("s2", 1, search="s02", arxiv="2005.13013", doi="10.1/x", s2="c" * 40)])
    assert len(merged.records) == 1 and merged.records[0].key == "arxiv:2005.13013"
    assert merged.records[0].screening == "include" and merged.records[0].reason == "core paper"
    assert merged.new_keys == []
    clash = [old[0], old[1].model_copy(update={"screening": "exclude"})]
    merged = merge(clash, [hit("s2", 1, search="s02", arxiv="2005.13013", doi="10.1/x")])
    assert merged.records[0].screening == "undecided" and "marked differently" in merged.records[0].reason


def test_reciprocal_rank_fusion_and_order():
    records = merge([], [hit("arxiv", 1, arxiv="1111.11111", title="First paper title here"),
                         hit("s2", 2, arxiv="1111.11111", title="First paper title here"),
                         hit("s2", 1, arxiv="2222.22222", title="Second paper title here"),
                         hit("openalex", 1, doi="10.1/z", title="Third paper title here"),
                         hit("s2", 5, search="s02", doi="10.1/z", title="Third paper title here")]).records
    scores = fused_scores(records, {"s01"})
    assert scores["arxiv:1111.11111"] == pytest.approx(1 / (RRF_K + 1) + 1 / (RRF_K + 2))
    assert scores["arxiv:2222.22222"] == pytest.approx(1 / (RRF_K + 1))
    assert [r.key for r in ranked(records, scores)] == ["arxiv:1111.11111", "doi:10.1/z", "arxiv:2222.22222"]
    assert fused_scores(records)["doi:10.1/z"] == pytest.approx(1 / (RRF_K + 1) + 1 / (RRF_K + 5))


def test_record_key_never_changes_once_given():
    first = merge([], [hit("openalex", 1, doi="10.1/x")]).records
    assert first[0].key == "doi:10.1/x"
    later = merge(first, [hit("s2", 1, search="s02", doi="10.1/x", arxiv="2005.13013")]).records
    assert later[0].key == "doi:10.1/x" and later[0].ids.arxiv == "2005.13013"
    assert isinstance(later[0], Record)
