"""The report's "Across papers" section: the PRISMA-style flow shows exactly the search log's counts; the
measurement table groups the same measurement across papers and flags the planted conflict; the section is
absent when there is nothing to compare; HTML carries the same content."""

from __future__ import annotations

import re
import shutil

import pytest

from synth.papers.search_log import flow_counts, load_log
from synth.report.render import write_report
from tests.claims.synthesis_study import EMBED_OFF, PAPERS, build_study


def _catalogue():
    from synth.demo.scholarly import CatalogPaper

    papers = [CatalogPaper(pid, title, ["Ada Example"], 2021, arxiv=pid, published="2021-01-04",
                           abstract="Intermediate-task training and zero-shot cross-lingual transfer on XNLI.",
                           references=[] if pid == "2101.00001" else ["2101.00001"])
              for pid, (_, _, title) in PAPERS.items()]
    papers.append(CatalogPaper("off", "Intermediate-task training for cross-lingual transfer of speech",
                               ["Fay Acoustic"], 2021, abstract="Speech.", arxiv="2101.00009"))
    return papers


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The three-paper study plus a search log made by a real search, screening and fetch (loopback servers)."""
    from synth.demo.loopback import ArxivMirror, MirrorPaper
    from synth.demo.scholarly import ScholarlyApis
    from synth.papers.screening import fetch_included
    from synth.papers.search import search_literature, snowball
    from synth.papers.search_log import save_log, screen

    root = tmp_path_factory.mktemp("study")
    settings = build_study(root)
    mirror_papers = [MirrorPaper(pid, 1, title, ["Ada Example"], "Intermediate-task training and zero-shot "
                                 "cross-lingual transfer on XNLI.", pdf=(root / f"{pid}.pdf").read_bytes())
                     for pid, (_, _, title) in PAPERS.items()]
    with ArxivMirror(mirror_papers) as mirror, ScholarlyApis(_catalogue()) as apis:
        s = settings.model_copy(update={"arxiv_api": mirror.api_url, "arxiv_pdf": mirror.pdf_url,
                                        **apis.settings_update()})
        search_literature("intermediate-task training cross-lingual transfer", settings=s)
        log = load_log(s.search_log_path)
        screen(log, list(PAPERS), "include")
        screen(log, ["2101.00009"], "exclude", "speech, not text")
        save_log(log, s.search_log_path)
        snowball("2101.00001", direction="citations", settings=s)
        fetch_included(s)
    return root, settings


@pytest.fixture
def study(built, tmp_path, settings):
    """A private copy of the built study, installed as the test's settings."""
    root, built_settings = built
    for part in ("library", "claims.yaml", "claims.search.yaml"):
        src = root / part
        (shutil.copytree if src.is_dir() else shutil.copy)(src, tmp_path / part)
    for name in ("home", "claims", "reports", "runs"):
        setattr(settings, name, tmp_path / getattr(built_settings, name).relative_to(root))
    settings.embed = EMBED_OFF
    return settings


def _flow_table(text: str) -> dict[str, int]:
    block = text.split("Flow of records (PRISMA 2020 style), counted from the search log:", 1)[1]
    rows = {}
    for line in block.strip().splitlines()[2:]:
        if not line.startswith("|"):
            break
        label, n = [c.strip() for c in line.strip("|").split("|")]
        rows[label] = int(n)
    return rows


def test_flow_counts_in_the_report_are_the_logs(study):
    text = write_report(study, name="r").path.read_text(encoding="utf-8")
    f = flow_counts(load_log(study.search_log_path))
    rows = _flow_table(text)
    names = {"arxiv": "arXiv", "s2": "Semantic Scholar", "openalex": "OpenAlex"}
    assert {k: v for k, v in rows.items() if k.startswith("identified: ") and "citation" not in k} == \
        {f"identified: {names[s]}": n for s, n in f.identified.items()}
    assert rows["identified: citation searches"] == f.identified_citations > 0
    assert (rows["duplicates removed"], rows["records screened"], rows["excluded at screening"],
            rows["awaiting a screening decision"], rows["included"], rows["fetched into the library"],
            rows["included, not fetched"]) == (f.duplicates, f.records, f.excluded, f.undecided, f.included,
                                                f.fetched, f.not_fetched)
    assert (f.included, f.excluded, f.fetched) == (3, 1, 3)
    assert "- `arxiv:2101.00009` Intermediate-task training for cross-lingual transfer of speech: speech, not text" \
        in text
    # edit the log by hand (un-include one paper): the report follows the log
    log = load_log(study.search_log_path)
    from synth.papers.search_log import save_log, screen

    screen(log, ["2101.00002"], "undecided")
    save_log(log, study.search_log_path)
    again = _flow_table(write_report(study, name="r").path.read_text(encoding="utf-8"))
    assert again["included"] == 2 and again["awaiting a screening decision"] == 1


def test_measurement_table_groups_and_flags_the_planted_conflict(study):
    text = write_report(study, name="r").path.read_text(encoding="utf-8")
    section = text.split("### Measurements across papers", 1)[1].split("### What the papers say", 1)[0]
    assert ("Papers compared (one version each): 2101.00001v1 “Intermediate-Task Training for Zero-Shot Transfer”; "
            "2101.00002v1 “Replicating Intermediate-Task Training for Zero-Shot Transfer”; 2101.00003v1 "
            "“Intermediate-Task Training for Swahili and Yoruba”.") in section
    lines = section.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| zero-shot XNLI accuracy, baseline, sw |"))
    group = lines[start:start + 3]
    assert "❌ conflict: 2101.00001 66.1 vs 2101.00003 70.3: differ by 4.2, beyond rounding (±0.1)" in group[0]
    cells = [[c.strip() for c in re.split(r"(?<!\\)\|", row)] for row in group]
    assert [c[4] for c in cells] == ["66.1", "66.08", "70.3"]
    assert [c[3] for c in cells] == ["row “baseline”"] * 3 and [c[5] for c in cells] == ["Table 1, p. 1"] * 3
    quote = "“baseline 78.4 70.3 51.0 66.6” — 2101.00003v1, p. 1, Table 1, row “baseline”, column “sw”"
    assert quote in group[2]
    agree = next(line for line in lines if line.startswith("| zero-shot XNLI accuracy, MNLI, sw |"))
    assert "✅ agree: within rounding (largest difference 0.03)" in agree


def test_what_the_papers_say_about_the_question(study):
    text = write_report(study, name="r").path.read_text(encoding="utf-8")
    say = text.split("### What the papers say about the question", 1)[1].split("## Results", 1)[0]
    assert "> Does English intermediate-task training on MNLI improve zero-shot XNLI accuracy" in say
    disagreements = say.split("**Disagreements**", 1)[1].split("**Not measured by any paper**", 1)[0]
    assert disagreements.count("\n- ") == 1
    line = disagreements.split("\n- ", 1)[1]
    assert line.startswith("zero-shot XNLI, baseline, sw: 2101.00001v1 “Intermediate-Task Training for Zero-Shot "
                           "Transfer” (row “baseline”; Table 1, p. 1); ")
    c = "2101.00003v1 “Intermediate-Task Training for Swahili and Yoruba” (row “baseline”; Table 1, p. 1)"
    assert c in line
    assert ": accuracy 66.1 vs 66.08 vs 70.3. 2101.00001 66.1 vs 2101.00003 70.3: differ by 4.2" in line
    # no table names the model: the QQP × Yoruba cell the tables span is not listed as a gap (task, metric and
    # model must all be known); English, which the question names and nothing measures, is
    gaps = say.split("**Not measured by any paper**", 1)[1].split("**Claims relevant", 1)[0]
    assert "QQP on Yoruba" not in gaps and "- language English (en): the question names it" in gaps
    relevant = say.split("**Claims relevant to the question**", 1)[1]
    assert "| ⏳ not yet verified | MNLI, XNLI, accuracy |" in relevant


def test_html_carries_the_section(study):
    html = write_report(study, name="r", fmt="html").path.read_text(encoding="utf-8")
    assert "<h2>Across papers</h2>" in html and '<table class="flow">' in html
    assert '<tr class="conflict"><td rowspan="3">zero-shot XNLI accuracy, baseline, sw</td>' in html
    assert html.index("<h2>Across papers</h2>") < html.index("<h2>Results</h2>")


def test_no_section_when_nothing_to_compare(study):
    study.search_log_path.unlink()
    from synth.papers.library import Library

    with Library.open(study) as lib:
        lib.remove("2101.00002v1")
        lib.remove("2101.00003v1")
    text = write_report(study, name="r").path.read_text(encoding="utf-8")
    assert "## Across papers" not in text


@pytest.mark.parametrize("fields, label", [
    ({"condition": "zero-shot", "task": "XNLI", "metric": "accuracy", "model": "MNLI", "language": "de"},
     "zero-shot XNLI accuracy, model MNLI, de"),
    ({"model": "XLM-R", "language": "de"}, "model XLM-R, de"),
    ({"task": "XNLI", "kind": "difference"}, "XNLI (difference)"),
    ({}, "unspecified measurement")])
def test_measurement_dimensions_read_in_order(fields, label):
    from synth.claims.synthesis import MeasurementGroup
    from synth.report.synthesis import dimensions

    assert dimensions(MeasurementGroup(values=[], papers=2, status="agree", **fields)) == label


def test_at_most_twenty_disagreement_lines_and_one_line_per_model_and_pair():
    """25 models whose P, R and F1 disagree between two papers: 25 lines (not 75), of which 20 are shown."""
    from synth.claims.synthesis import MeasurementGroup, PaperValue, Synthesis, ValuePair
    from synth.report.render import _environment, templates_dir
    from synth.report.synthesis import dimensions, findings, printed

    def value(paper, text, row):
        return PaperValue(paper=paper, version=1, title=f"Title of {paper}", table="Table 2", page=5, row=row,
                          value=float(text), text=text, quote=f"{row} {text}", where=f"{paper}v1, p. 5, Table 2")

    groups = [MeasurementGroup(task="MSRA", metric=metric, model=f"Model {i}", papers=2, status="conflict",
                               values=[value("A", f"{80 + i}.1", f"Model {i}"), value("B", f"{80 + i}.9", f"M{i}")],
                               pairs=[ValuePair(a=0, b=1, status="conflict", difference=0.8, tolerance=0.1)],
                               note="A vs B: differ by 0.8")
              for i in range(25) for metric in ("precision", "recall", "F1")]
    syn = Synthesis(question="q?", papers=["Av1", "Bv1"], titles={"A": "Title of A", "B": "Title of B"},
                    groups=groups, measurements=150)
    lines = findings(syn.conflicts)
    assert len(lines) == 25 and lines[0].values == ["precision 80.1 vs 80.9", "recall 80.1 vs 80.9",
                                                    "F1 80.1 vs 80.9"]
    assert lines[0].sides == ["Av1 “Title of A” (row “Model 0”; Table 2, p. 5)",
                              "Bv1 “Title of B” (row “M0”; Table 2, p. 5)"]
    from synth.core.settings import Settings

    env = _environment(templates_dir(Settings()), html=False)
    text = env.get_template("_synthesis.j2").render(
        search_flow=None, synthesis=syn, dimensions=dimensions, printed=printed,
        findings={"agree": [], "conflict": lines})
    said = text.split("**Disagreements**", 1)[1].split("**Not measured", 1)[0]
    assert said.count("\n- ") == 20 and "the first 20 of 25, the rest in the table above" in said


CHINESE_NER = {  # the two corpus papers that print the same systems, served by a loopback arXiv mirror
    "2101.01001": ("P18-1144", "Chinese NER Using Lattice LSTM", ["Yue Zhang", "Jie Yang"], "2018-05-05T00:00:00Z"),
    "2101.01002": ("D19-1396", "Leverage Lexical Knowledge for Chinese Named Entity Recognition via Collaborative "
                   "Graph Network", ["Dianbo Sui", "Yubo Chen", "Kang Liu", "Jun Zhao", "Shengping Liu"],
                   "2019-11-03T00:00:00Z"),
}


def test_real_pair_fetched_extracted_and_reported(tmp_path):
    """Real papers end to end: fetched from a loopback arXiv mirror (metadata as arXiv gives it), `synth extract`,
    `synth report`. The report's "What the papers say" pairs the lattice LSTM as its own paper prints it ("Lattice")
    with the row that cites it in the other ("Zhang and Yang (2018)"), with both titles, tables and pages, and
    reports no disagreement that is not one."""
    from tests.conftest import SHARED

    if not all((SHARED / "corpus" / f"{stem}.pdf").exists() for stem, *_ in CHINESE_NER.values()):
        pytest.skip("../shared/corpus is not beside this checkout")
    from synth.claims.document import load_claims, save_claims
    from synth.claims.operations import extract_to_claims
    from synth.core.settings import Settings
    from synth.demo.loopback import ArxivMirror, MirrorPaper
    from synth.papers.fetch import fetch

    papers = [MirrorPaper(pid, 1, title, authors, "Chinese NER.", pdf=(SHARED / "corpus" / f"{stem}.pdf").read_bytes(),
                          published=published) for pid, (stem, title, authors, published) in CHINESE_NER.items()]
    settings = Settings(home=tmp_path / "library", claims=tmp_path / "claims.yaml", runs=tmp_path / "runs",
                        reports=tmp_path / "reports", cache=tmp_path / "cache", embed=EMBED_OFF, arxiv_delay=0.0)
    with ArxivMirror(papers) as mirror:
        s = settings.model_copy(update={"arxiv_api": mirror.api_url, "arxiv_pdf": mirror.pdf_url})
        results = fetch(list(CHINESE_NER), settings=s)
        assert all(r.error is None for r in results), [r.message for r in results]
    extract_to_claims(settings=settings)
    doc = load_claims(settings.claims)
    doc.data.study.question = "Does lexicon knowledge improve Chinese NER on OntoNotes, MSRA and Weibo?"
    save_claims(doc)
    text = write_report(settings, name="r").path.read_text(encoding="utf-8")
    say = text.split("### What the papers say about the question", 1)[1]
    agree = say.split("**Agreements**", 1)[1].split("**Disagreements**", 1)[0]
    lattice = next(line for line in agree.splitlines() if line.startswith("- MSRA, model Lattice:"))
    assert ("2101.01001v1 “Chinese NER Using Lattice LSTM” (row “Lattice”; Table 6, p. 8)" in lattice
            and "(row “Zhang and Yang (2018)”; taken from Zhang and Yang, 2018 (2101.01001); Table 3, p. 7)"
            in lattice
            and "F1 93.18 vs 93.18" in lattice)
    disagree = say.split("**Disagreements**", 1)[1].split("**Not measured", 1)[0]
    lines = [line for line in disagree.splitlines() if line.startswith("- ") and not line.startswith("- None")]
    assert all("He and Sun (2017b)" in line and "58.23 vs 58.32" in line for line in lines), lines
