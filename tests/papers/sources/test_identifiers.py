"""Identifier parsing: every accepted form, and clear one-line errors for everything else (no network)."""

from __future__ import annotations

from pathlib import Path

import pytest

from synth.core.errors import InvalidIdError
from synth.papers.sources.arxiv import build_search_query, parse_identifier


@pytest.mark.parametrize(
    "text, paper_id, version",
    [
        ("2005.13013", "2005.13013", None),
        ("2005.13013v2", "2005.13013", 2),
        ("  2005.13013v2 ", "2005.13013", 2),
        ("arXiv:2005.13013", "2005.13013", None),
        ("0704.0001", "0704.0001", None),
        ("hep-th/9901001", "hep-th/9901001", None),
        ("hep-th/9901001v3", "hep-th/9901001", 3),
        ("math.AG/0309136", "math.AG/0309136", None),
        ("https://arxiv.org/abs/2005.13013", "2005.13013", None),
        ("https://arxiv.org/abs/2005.13013v1", "2005.13013", 1),
        ("http://arxiv.org/pdf/2005.13013v2.pdf", "2005.13013", 2),
        ("https://arxiv.org/pdf/2005.13013", "2005.13013", None),
        ("https://export.arxiv.org/abs/hep-th/9901001v1", "hep-th/9901001", 1),
        ("https://www.arxiv.org/abs/1905.00537?context=cs", "1905.00537", None),
    ],
)
def test_arxiv_forms(text, paper_id, version):
    item = parse_identifier(text)
    assert item.kind == "arxiv"
    assert (item.ref.id, item.ref.version) == (paper_id, version)
    assert item.requested == text


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", "empty item"),
        ("   ", "empty item"),
        ("hello", "not an arXiv id, arXiv URL or PDF path"),
        ("2005.1301", "the number has 5 digits"),
        ("2013.13013", "month 13"),
        ("1401.12345", "5-digit numbers start in 2015"),
        ("2005.13013v0", "versions start at v1"),
        ("https://example.org/abs/2005.13013", "not an arXiv URL"),
        ("ftp://arxiv.org/abs/2005.13013", "not an arXiv URL"),
        ("https://arxiv.org/abs/not-an-id", "not an arXiv id in URL"),
        ("https://arxiv.org/abs/2005.13013vx", "not an arXiv id in URL"),
    ],
)
def test_invalid_items_are_rejected_with_a_reason(text, reason):
    with pytest.raises(InvalidIdError) as err:
        parse_identifier(text)
    message = str(err.value)
    assert reason in message
    assert "\n" not in message
    assert err.value.exit_code == 2


def test_paths_are_local_items(tmp_path):
    pdf = tmp_path / "draft.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    assert parse_identifier(str(pdf)).kind == "local"
    assert parse_identifier(str(pdf)).path == pdf
    # A path that does not exist is still a path: the error comes when it is read, naming the file.
    missing = parse_identifier("./nowhere/missing.pdf")
    assert missing.kind == "local" and missing.path == Path("nowhere/missing.pdf")


def test_local_library_ids():
    item = parse_identifier("local-0123456789abv1")
    assert item.kind == "library" and str(item.ref) == "local-0123456789abv1"


def test_search_query_translation():
    assert build_search_query("intermediate task transfer") == "all:intermediate AND all:task AND all:transfer"
    assert build_search_query("cross-lingual (zero-shot)") == "all:cross-lingual AND all:zero-shot"
    assert build_search_query("ti:STILTs AND au:Phang") == "ti:STILTs AND au:Phang"
    with pytest.raises(InvalidIdError):
        build_search_query(" ?! ")
