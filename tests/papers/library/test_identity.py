"""A local PDF's identity (issue 23): filed under the arXiv id and version page 1 names (the arXiv stamp), or
under `--as`; title and authors read from page 1's layout; a claim citing another version of that paper is
checked against the stored one with a version note, and `synth claims check` says the same as `synth verify`."""

from __future__ import annotations

import json

import pytest

NUMBERS = {"baseline": {"en": 81.0, "de": 72.0, "sw": 60.0}, "MNLI": {"en": 84.4, "de": 76.2, "sw": 68.4}}
CLAIM = "With MNLI as the intermediate task, the average accuracy is 76.3, 5.3 points above the baseline (71.0)."


@pytest.fixture
def cli(settings, monkeypatch):
    from tests.cli_harness import make_cli

    return make_cli(settings, monkeypatch)


@pytest.fixture
def pdfs(tmp_path):
    from synth.demo.papers import stilts_study_spec
    from synth.demo.pdfgen import render_pdf

    return {"stamped": render_pdf(stilts_study_spec(NUMBERS, 1, arxiv_id="2005.13013"), tmp_path / "preprint.pdf"),
            "plain": render_pdf(stilts_study_spec(NUMBERS, 1), tmp_path / "paper.pdf")}


def _fetch(cli, *args):
    run = cli("--json", "fetch", *args)
    return run, (json.loads(run.stdout) if run.stdout.strip().startswith("[") else None)


def test_a_stamped_local_pdf_is_filed_under_its_arxiv_id_and_version(cli, pdfs):
    run, (result,) = _fetch(cli, str(pdfs["stamped"]))
    assert run.exit_code == 0, run.stderr
    assert result["paper"] == "2005.13013v1" and "arXiv stamp on page 1" in result["message"]
    again, (present,) = _fetch(cli, str(pdfs["stamped"]))
    assert present["status"] == "present" and present["paper"] == "2005.13013v1"


def test_title_and_authors_come_from_page_one(cli, pdfs, settings):
    _fetch(cli, str(pdfs["plain"]))
    from synth.papers.library import Library

    (meta,) = Library.open(settings).papers()
    assert meta.id.startswith("local-")
    assert meta.title == "Does English Intermediate-Task Training Help Zero-Shot Cross-Lingual Transfer?"
    assert meta.authors == ["Ada Example", "Grace Sample", "Alan Placeholder"]


def test_as_files_an_unstamped_pdf_and_needs_a_version(cli, pdfs):
    run, (result,) = _fetch(cli, str(pdfs["plain"]), "--as", "2005.13013")
    assert result["status"] == "failed" and "give the version" in result["message"] and run.exit_code == 2
    run, (result,) = _fetch(cli, str(pdfs["plain"]), "--as", "2005.13013v1")
    assert run.exit_code == 0 and result["paper"] == "2005.13013v1" and "--as" in result["message"]
    run = cli("fetch", str(pdfs["plain"]), str(pdfs["stamped"]), "--as", "2005.13013v1")
    assert run.exit_code == 2 and "exactly one PDF" in run.stderr


def test_a_claim_citing_another_version_is_checked_with_a_note(cli, pdfs, settings):
    _fetch(cli, str(pdfs["stamped"]))  # the library holds 2005.13013v1
    settings.claims.write_text(
        "schema: 1\nclaims:\n- id: 2005.13013-c01\n  text: '" + CLAIM + "'\n  origin: imported\n"
        "  source: {paper: '2005.13013', version: 2}\n", encoding="utf-8")
    check = cli("--json", "claims", "check")
    assert check.exit_code == 0, check.stderr
    assert json.loads(check.stdout)["notes"] == [
        "2005.13013-c01: cites 2005.13013v2, which is not in the library: checked against 2005.13013v1"]
    run = cli("--json", "verify", "--no-write")
    assert run.exit_code == 0, run.stderr
    verdict = json.loads(run.stdout)["claims"][0]["verification"]
    assert verdict["label"] == "supported" and verdict["evidence"][0]["version"] == 1
    assert "checked against 2005.13013v1" in verdict["reason"]


def test_a_pdf_cited_with_its_arxiv_id_by_a_library_paper_is_filed_under_it(cli, tmp_path):
    from synth.demo.papers import stilts_study_spec
    from synth.demo.pdfgen import render_pdf

    title = "English Intermediate-Task Training Improves Zero-Shot Cross-Lingual Transfer Too"
    citing = stilts_study_spec(NUMBERS, 1, title="A Study That Cites the Preprint")
    citing.references = ["Jason Phang, Iacer Calixto, and Samuel R. Bowman. 2020. English intermediate-task "
                         "training improves zero-shot cross-lingual transfer too. arXiv:2005.13013v2."]
    _fetch(cli, str(render_pdf(citing, tmp_path / "citing.pdf")))
    run, (result,) = _fetch(cli, str(render_pdf(stilts_study_spec(NUMBERS, 1, title=title), tmp_path / "x.pdf")))
    assert run.exit_code == 0, run.stderr
    assert result["paper"] == "2005.13013v2" and "cited as arXiv 2005.13013 by local-" in result["message"]


@pytest.mark.parametrize("page, expected, doubt", [
    ("arXiv:2005.13013v1 [cs.CL] 27 May 2020", "2005.13013v1", ""),
    ("https://doi.org/10.48550/arXiv.2005.13013 ... arXiv:2005.13013v2 [cs.CL]", "2005.13013v2", ""),
    ("doi: 10.48550/arXiv.2005.13013", None, "with no version"),
    ("arXiv:2005.13013v1 [cs.CL] ... doi: 10.48550/arXiv.2101.00001", None, "several arXiv papers"),
    ("Proceedings of ACL 2020; see arXiv:1811.01088 for the method", None, ""),  # a citation, not a stamp
])
def test_what_page_one_says_about_identity(page, expected, doubt):
    from synth.papers.sources.local import identify_pdf

    got = identify_pdf(page)
    assert (str(got.ref) if got.ref else None) == expected
    assert (doubt in got.doubt) if doubt else not got.doubt


def test_a_second_file_of_a_stored_version_is_not_added(cli, pdfs, tmp_path):
    from synth.demo.papers import stilts_study_spec
    from synth.demo.pdfgen import render_pdf

    _fetch(cli, str(pdfs["stamped"]))
    other = render_pdf(stilts_study_spec({**NUMBERS, "MNLI": {"en": 85.0, "de": 77.0, "sw": 69.0}}, 1,
                                         arxiv_id="2005.13013"), tmp_path / "other.pdf")
    run, (result,) = _fetch(cli, str(other))
    assert run.exit_code == 0 and result["status"] == "present" and "this file was not added" in result["message"]
