"""BUCC 2018 as XTREME mines it: chunked k-NN in both directions, ratio margin, one use per sentence, the F1
threshold search, precision / recall / F1; gold-only rows (the Hub's bucc18 configs) are refused."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from synth.replicate.data.loading import fixtures_dir
from synth.replicate.evaluation.predict import chunked_topk, mine_bitext
from synth.replicate.pipeline.executors import execute
from synth.replicate.pipeline.plan import build_plan
from synth.replicate.pipeline.preflight import preflight
from synth.replicate.pipeline.results import read_results

from .conftest import DATA


def test_chunked_topk_equals_the_dense_result():
    rng = np.random.default_rng(0)
    queries, database = rng.normal(size=(11, 8)), rng.normal(size=(23, 8))
    values, indices = chunked_topk(queries, database, 4, chunk=3, db_chunk=5)
    q = queries / np.linalg.norm(queries, axis=1, keepdims=True)
    d = database / np.linalg.norm(database, axis=1, keepdims=True)
    dense = q @ d.T
    assert (indices == np.argsort(-dense, axis=1)[:, :4]).all()
    assert np.allclose(values, np.sort(dense, axis=1)[:, ::-1][:, :4], atol=1e-6)


def test_mining_finds_the_translations_and_uses_each_sentence_once():
    rng = np.random.default_rng(1)
    meaning = rng.normal(size=(6, 16))
    source = meaning[:5] + 0.05 * rng.normal(size=(5, 16))             # sources 0-4 translate targets 0-4
    target = np.concatenate([meaning[:5] + 0.05 * rng.normal(size=(5, 16)), rng.normal(size=(3, 16))])
    source = np.concatenate([source, source[:1] + 0.01])                # a near-duplicate of source 0
    src_ids = [f"de-{i}" for i in range(6)]
    tgt_ids = [f"en-{i}" for i in range(8)]
    candidates = mine_bitext(source, target, src_ids, tgt_ids)
    best = {(s, t) for s, t, _ in sorted(candidates, key=lambda c: -c[2])[:5]}
    assert {(f"de-{i}", f"en-{i}") for i in range(1, 5)} <= best
    assert [s for s, t in best if t == "en-0"] in (["de-0"], ["de-5"])  # the duplicate competes for en-0 once
    assert len({t for _, t, _ in candidates}) == len(candidates)  # no target used twice
    assert len({s for s, _, _ in candidates}) == len(candidates)
    assert all(score > 0 for _, _, score in candidates)


def test_bucc_on_the_mining_layout_reports_precision_recall_f1(run_settings):
    plan = build_plan(str(DATA / "bucc.yaml"), "tiny")
    report = execute(plan, run_settings.runs, run_settings, progress=False)
    assert report.ok, report.failed
    doc = read_results(next(run_settings.runs.glob("eval-*/results.json")))
    assert doc.metric == "bucc_f1" and len(doc.score) == 3
    for values in doc.per_language.values():
        assert set(values) == {"bucc_f1", "bucc_precision", "bucc_recall"}
        p, r, f = values["bucc_precision"], values["bucc_recall"], values["bucc_f1"]
        assert f == 0 or abs(f - 2 * p * r / (p + r)) < 1e-3
    lang = next(iter(doc.score))
    mined = (run_settings.runs / doc.step_id / "predictions" / "bucc2018" / f"test-{lang}.tsv").read_text().split("\n")
    assert all("\t" in line and line.split("\t")[0] and line.split("\t")[1] for line in mined if line)


def test_gold_only_rows_are_refused_at_preflight_and_at_evaluation(run_settings, tmp_path):
    data = tmp_path / "data"
    for path in (fixtures_dir() / "bucc2018").glob("*.jsonl"):  # the Hub's bucc18 shape: pairs, no ids
        rows = [json.loads(line) for line in path.read_text().splitlines()]
        hub_rows = [{"source_sentence": r["source_sentence"], "target_sentence": r["target_sentence"],
                     "source_lang": path.name.split(".")[1], "target_lang": "en"} for r in rows if r["source_id"] and r["target_id"]]
        (data / "bucc2018").mkdir(parents=True, exist_ok=True)
        (data / "bucc2018" / path.name).write_text("".join(json.dumps(r) + "\n" for r in hub_rows))
    plan = build_plan(str(DATA / "bucc.yaml"), "tiny", data_dir=data)
    checks = preflight(plan, lock_file=None).checks
    assert all(c.status == "bad" and "lacks column(s) source_id, target_id" in c.message for c in checks)
    report = execute(plan, run_settings.runs, run_settings, progress=False)
    message = report.failed[plan.evals()[0].id]
    assert "no language of bucc2018 could be evaluated" in message and "gold pairs only" in message


def test_bucc_test_split_is_mined_with_the_dev_splits_threshold(run_settings):
    from synth.replicate.experiments import Experiment

    exp = Experiment(name="bucc_test", description="d", benchmark="xtreme", baseline=True, targets=["bucc2018"],
                     eval_split="test")
    plan = build_plan(exp, "tiny")
    step = plan.evals()[0]
    assert step.config.split == "test" and set(step.config.threshold_inputs) == set(step.config.languages)
    report = execute(plan, run_settings.runs, run_settings, progress=False)
    assert report.ok, report.failed
    languages = run_settings.runs / step.id / "languages"
    entries = [json.loads(p.read_text()) for p in languages.glob("*.json")]
    assert entries and all(e["split"] == "test" and e["threshold_from"] == "validation" for e in entries)
