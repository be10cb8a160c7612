"""Table cells as measurements, on real corpus tables: the hand-read cells of tests/data/tables (read from the
page images of ../shared/corpus) and, when the corpus is beside the checkout, the tables synth reads itself.

The two Chinese NER papers (P18-1144, the lattice LSTM; D19-1396, which copies its results and its baselines)
report the same systems on OntoNotes, MSRA and Weibo: the synthesis pairs them, and finds the one value D19-1396
copied wrongly (He and Sun (2017b), Weibo overall F1: 58.23 in P18-1144, 58.32 in D19-1396)."""

from __future__ import annotations

import pytest

from bench.bench_synthesis import gold_tables, paper_metas, predicted_pairs, score
from synth.claims.cell_measurements import Study, caption_sources, is_results_table, model_key
from synth.claims.measurements import table_measurements
from synth.claims.synthesis import group_measurements
from synth.core.models import PaperMeta, TableBlock, TableCell
from tests.conftest import SHARED

PAIR = ("P18-1144", "D19-1396")


@pytest.fixture(scope="module")
def metas():
    return paper_metas()


def _measurements(metas, papers, tables=gold_tables):
    study = Study.of([metas[p] for p in papers])
    return [m for p in papers for m in table_measurements(metas[p], tables(p), study)]


def _meta(pid="x"):
    return PaperMeta(id=pid, version=1, source="local", sha256="", size_bytes=0, fetched_at="")


def _table(caption, rows, columns, texts=None, label="Table 1"):
    cells = []
    for r, row in enumerate(rows):
        for c, col in enumerate(columns):
            text = texts[r][c] if texts else f"{70 + r + c / 10:.1f}"
            values = [float(x) for x in text.replace("†", "").split("/")]
            cells.append(TableCell(row=row, column=col if isinstance(col, list) else [col], text=text,
                                   value=values[0], values=values, marks=["†"] if "†" in text else []))
    return TableBlock(label=label, caption=caption, page=3, start=0, end=0, raw="", cells=cells)


def test_copied_rows_resolve_to_the_cited_papers_own_model(metas):
    ms = _measurements(metas, PAIR)
    copied = [m for m in ms if m.paper == "D19-1396" and m.row == "Zhang and Yang (2018)"]
    assert copied and all(m.copied_from == "P18-1144" and m.source == "Zhang and Yang, 2018" for m in copied)
    own = [m for m in ms if m.paper == "P18-1144" and m.row == "Lattice"]
    assert {m.model_key for m in copied} == {m.model_key for m in own} == {"P18-1144:own"}
    che = next(m for m in ms if m.paper == "P18-1144" and m.row == "Che et al. (2013)" and m.metric == "precision")
    assert (che.task, che.model_key, che.source, che.text) == ("OntoNotes", "che+ 2013", "Che et al., 2013", "77.71")


def test_statistics_and_hyperparameter_tables_are_not_results(metas):
    tables = {t.label: t for t in gold_tables("P18-1144")}
    assert not is_results_table(tables["Table 1"])  # Statistics of datasets.
    assert not is_results_table(tables["Table 3"])  # Hyper-parameter values.
    assert is_results_table(tables["Table 5"])  # Main results on OntoNotes.
    ms = _measurements(metas, ["P18-1144"])
    assert {m.table for m in ms} == {"Table 4", "Table 5", "Table 6", "Table 7", "Table 8"}


def test_the_chinese_ner_pair_agrees_except_one_copied_value(metas):
    ms = _measurements(metas, PAIR)
    groups, _, near = group_measurements(ms, set(), {p: metas[p].title for p in PAIR})
    conflicts = [g for g in groups if g.status == "conflict"]
    assert len(conflicts) == 1
    g = conflicts[0]
    assert (g.task, g.metric, g.model) == ("Weibo NER", "F1", "He and Sun (2017b)")
    assert sorted(v.text for v in g.values) == ["58.23", "58.32"]
    p18 = next(v for v in g.values if v.paper == "P18-1144")
    # P18-1144's Weibo table names no metric ('NE', 'NM', 'Overall'); D19-1396's says F1(%)
    assert p18.metric_from == "D19-1396" and p18.title == "Chinese NER Using Lattice LSTM"
    lattice = [g for g in groups if g.model == "Lattice" and g.task == "OntoNotes"]
    assert {g.metric for g in lattice} == {"precision", "recall", "F1"} and all(g.status == "agree" for g in lattice)
    # the lattice LSTM's development F1 (71.62, P18-1144 Table 4) is not its test F1 (73.88): a near-miss at most
    assert not any(v.text == "71.62" for g in groups for v in g.values)


def test_precision_and_recall_on_the_gold_of_cross_paper_facts(metas):
    import yaml

    from bench.bench_synthesis import DATA

    facts = yaml.safe_load((DATA / "synthesis" / "cross_paper.yaml").read_text(encoding="utf-8"))["facts"]
    groups, _, _ = group_measurements(_measurements(metas, PAIR), set())
    result = score(predicted_pairs(groups), facts)
    assert result["all"]["gold"] == 46 and result["disagree"]["gold"] == 1
    assert result["all"]["precision"] == 1.0 and result["all"]["recall"] == 1.0, result["missed"]


def test_models_normalised_and_cited_baselines_keep_their_source(metas):
    assert len({model_key(x) for x in ("BERTLARGE", "BERT-Large", "BERT-large", "BERT large*")}) == 1
    ms = _measurements(metas, ["D19-1011"])
    smn = [m for m in ms if m.row == "SMN (Wu et al., 2017)"]
    assert smn and {(m.model, m.source) for m in smn} == {("SMN", "Wu et al., 2017")}


def test_a_caption_mark_explained_as_copied_keeps_its_source():
    assert caption_sources("Results on GLUE. † results from Devlin et al. (2019).") == {"†": "Devlin et al., 2019"}
    block = _table("Results on MNLI. † results from Devlin et al. (2019).", ["BERT-Large", "Ours"], ["Acc."],
                   [["86.7†"], ["87.9"]])
    ms = table_measurements(_meta(), [block])
    assert [(m.model, m.source, m.metric, m.task) for m in ms] == [
        ("BERT-Large", "Devlin et al., 2019", "accuracy", "MNLI"), ("Ours", None, "accuracy", "MNLI")]


def test_averages_over_tasks_and_over_languages_are_told_apart():
    sts = _table("Spearman correlation on STS tasks.", ["SBERT"], ["STS12", "STS-B", "Avg."])
    ms = table_measurements(_meta(), [sts])
    assert [m.task for m in ms] == ["STS12", "STS-B", "average over STS-B, STS12"]  # STS12 is not STS-B
    assert all(m.language is None for m in ms)
    xnli = _table("XNLI accuracy per language.", ["XLM-R"], ["de", "sw", "Avg"])
    assert [(m.task, m.language) for m in table_measurements(_meta(), [xnli])] == [
        ("XNLI", "de"), ("XNLI", "sw"), ("XNLI", "average of de, sw")]


def test_paired_cells_give_one_measurement_per_value():
    block = _table("Results on MNLI.", ["BERT"], [["MNLI", "m/mm"], ["SQuAD", "F1/EM"]], [["86.5/89.4", "90.9/84.1"]])
    ms = table_measurements(_meta(), [block])
    assert [(m.task, m.subset, m.metric, m.text) for m in ms] == [
        ("MNLI", "m", None, "86.5"), ("MNLI", "mm", None, "89.4"), ("SQuAD", None, "F1", "90.9"),
        ("SQuAD", None, "exact match", "84.1")]


@pytest.mark.skipif(not (SHARED / "corpus" / "P18-1144.pdf").exists(),
                    reason="../shared/corpus is not beside this checkout")
def test_the_readers_tables_find_shared_results_and_no_false_ones(metas, tmp_path_factory):
    """Through synth's own table reader (work in progress: its numbers are in BENCHMARKS), every agreement or
    disagreement the synthesis reports between the pair is a real one."""
    import yaml

    from bench.bench_synthesis import DATA, reader_tables

    cache = tmp_path_factory.mktemp("tables")
    groups, _, _ = group_measurements(_measurements(metas, PAIR, lambda p: reader_tables(p, cache)), set())
    facts = yaml.safe_load((DATA / "synthesis" / "cross_paper.yaml").read_text(encoding="utf-8"))["facts"]
    result = score(predicted_pairs(groups), facts)
    assert result["all"]["correct"] >= 15 and result["all"]["precision"] == 1.0, result["false_positives"]


def test_own_model_rows_and_p_at_n_columns(metas):
    """D16-1058's 'LSTM' row is a baseline every paper has, not the paper's own model; its 'ATAE-LSTM' is not in
    the title either (no title words: nothing to resolve a citation to). P16-1200's 'P@N' caption over '100'."""
    ms = _measurements(metas, ["D16-1058"])
    assert not [m for m in ms if m.row == "LSTM" and m.model_key == "D16-1058:own"]
    p_at = _measurements(metas, ["P16-1200"])
    assert {m.metric for m in p_at if m.table == "Table 2" and m.column[-1] in ("100", "200", "300")} == {
        "P@100", "P@200", "P@300"}


def test_near_misses_are_shown_apart_never_as_conflicts():
    """The same model on the same dataset and metric, but one paper's development split against the other's test
    split (or another setting): a near-miss, listed apart, not a disagreement."""
    dev = _table("Development results on OntoNotes.", ["Lattice LSTM"], ["F1"], [["71.62"]])
    test = _table("Main results on OntoNotes.", ["Lattice LSTM"], ["F1"], [["73.88"]])
    ablation = _table("Ablation on OntoNotes.", ["w/o lexicon"], ["F1"], [["70.10"]])
    ms = (table_measurements(_meta("a"), [dev]) + table_measurements(_meta("b"), [test]))
    assert [m.split for m in ms] == ["dev", None]
    groups, single, near = group_measurements(ms, set())
    assert groups == [] and single == 2 and len(near) == 1
    assert near[0].status == "near" and "split: dev vs test" in near[0].note
    assert [v.text for v in near[0].values] == ["71.62", "73.88"]
    assert table_measurements(_meta("c"), [ablation])[0].setting == "w/o lexicon"


def test_a_copied_table_is_compared_with_its_source_and_the_differing_cell_surfaces():
    """The issue's scenario, in miniature: one paper's GLUE dev table copies another's BERT-Large row ('Results for
    BERTLARGE are from Devlin et al. (2019)'), spelling the model differently and printing MNLI as a m/mm pair;
    the copy agrees cell by cell except one, which is the one disagreement. (Constructed numbers.)"""
    bert = PaperMeta(id="1810.04805", version=1, source="arxiv", sha256="", size_bytes=0, fetched_at="",
                     title="BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
                     authors=["Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova"],
                     published="2018-10-11")
    roberta = PaperMeta(id="1907.11692", version=1, source="arxiv", sha256="", size_bytes=0, fetched_at="",
                        title="RoBERTa: A Robustly Optimized BERT Pretraining Approach", authors=["Yinhan Liu"],
                        published="2019-07-26")
    own = _table("Results on the GLUE development sets.", ["BERT-Large", "BERT-Base"],
                 [["MNLI", "m/mm"], "QQP", "SST-2", "STS-B"],
                 [["86.6/86.3", "91.3", "93.2", "90.0"], ["84.4/84.2", "90.9", "92.7", "88.6"]])
    copy = _table("Results on GLUE dev sets. Results for BERTLARGE are from Devlin et al. (2018).",
                  ["BERTLARGE", "RoBERTa"], [["MNLI", "m/mm"], "QQP", "SST-2", "STS-B"],
                  [["86.6/86.3", "91.3", "93.2", "89.4"], ["90.2/90.2", "92.2", "96.4", "92.4"]])
    study = Study.of([bert, roberta])
    ms = table_measurements(bert, [own], study) + table_measurements(roberta, [copy], study)
    copied = [m for m in ms if m.paper == "1907.11692" and m.row == "BERTLARGE"]
    assert {(m.source, m.copied_from) for m in copied} == {("Devlin et al., 2018", "1810.04805")}
    assert not [m for m in ms if m.row == "RoBERTa" and m.source]
    assert {m.split for m in ms} == {"dev"}
    groups, _, _ = group_measurements(ms, set())
    assert sorted((g.task, g.subset or "", g.status) for g in groups) == [
        ("MNLI", "m", "agree"), ("MNLI", "mm", "agree"), ("QQP", "", "agree"), ("SST-2", "", "agree"),
        ("STS-B", "", "conflict")]
    conflict = next(g for g in groups if g.status == "conflict")
    assert [v.text for v in conflict.values] == ["90.0", "89.4"] and conflict.values[1].copied_from == "1810.04805"
    assert "1907.11692 gives 1810.04805 as its source: the copy differs from the original" in conflict.note


def test_a_claim_about_the_dev_set_is_a_dev_measurement():
    from synth.claims.measurements import claim_measurement
    from synth.core.models import Claim

    claim = Claim.model_validate({
        "id": "x-c01", "text": "BERT-Large reaches 86.6 accuracy on the MNLI development set.", "origin": "extracted",
        "source": {"paper": "x", "version": 1, "page": 3},
        "quantities": [{"text": "86.6", "value": 86.6}],
        "entities": {"tasks": ["MNLI"], "metrics": ["accuracy"], "models": ["BERT"]}})
    m = claim_measurement(claim, None, None, None)
    assert (m.task, m.metric, m.split, m.model_key) == ("MNLI", "accuracy", "dev", "bert")
