"""Data sources chosen per task and language, split fallbacks, and the data identity in step ids."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from tests.cli_harness import make_cli

from synth.core.errors import ConfigError, ReplicationError
from synth.core.files import sha256_file
from synth.replicate.pipeline import eval_step, train_step
from synth.replicate.pipeline.costs import plan_summary
from synth.replicate.data.loading import fixtures_dir, load_refs
from synth.replicate.data.sources import HubLock, write_hub_lock
from synth.replicate.pipeline.plan import build_plan
from synth.replicate.pipeline.step_config import Step, step_id_for
from synth.replicate.data.taskconfig import load_task

from .conftest import DATA


def _copy(tmp_path, *families):
    for family in families:
        shutil.copytree(fixtures_dir() / family, tmp_path / "data" / family)
    return tmp_path / "data"


def test_local_only_task_mixes_with_hub_tasks_in_one_plan(tmp_path):
    data = _copy(tmp_path, "ccg")  # CCG exists only locally; everything else comes from the Hub
    plan = build_plan("xstilts", "paper", only=["ccg", "multitask"], data_dir=data)
    ccg = next(s for s in plan.steps.values() if s.kind == "intermediate" and s.config.task == "ccg")
    ref = ccg.config.train_inputs["ccg"][0]
    assert (ref.source, ref.file, ref.split) == ("local", "ccg/train.jsonl", "train")
    assert ref.sha256 == sha256_file(data / "ccg" / "train.jsonl") and ref.size == (data / "ccg/train.jsonl").stat().st_size
    multi = next(s for s in plan.steps.values() if s.kind == "intermediate" and "+" in s.config.task)
    sources = {task: refs[0].source for task, refs in multi.config.train_inputs.items() if task != "anli_plus"}
    assert sources["ccg"] == "local" and sources["qqp"] == "hub" and set(sources.values()) == {"local", "hub"}
    qqp = multi.config.train_inputs["qqp"][0]
    assert (qqp.hub, qqp.revision, qqp.pinned) == ("nyu-mll/glue:qqp", None, False)
    # ANLI+ is a mixture: one Hub ref per component
    assert [r.task for r in multi.config.train_inputs["anli_plus"]] == load_task("anli_plus").mixture
    summary = plan_summary(plan, tmp_path / "runs")
    assert summary["sources"]["local"] >= 2 and summary["sources"]["hub_unpinned"] > 0
    step_lines = next(r["sources"] for r in summary["steps"] if r["id"] == ccg.id)
    assert step_lines[0] == "ccg train: local ccg/train.jsonl"


def test_without_its_files_a_local_only_task_is_left_out_and_listed():
    plan = build_plan("xstilts", "paper", only=["mnli"])  # no data folder: CCG cannot be planned
    assert not any("ccg" in s.config.task for s in plan.steps.values() if s.kind != "eval")
    assert any(line.startswith("intermediate ccg: train split: local-only task") for line in plan.unavailable)


def test_local_only_plan_without_any_usable_data_fails_with_the_reasons(tmp_path):
    data = _copy(tmp_path, "ccg")
    with pytest.raises(ConfigError, match="no evaluation can run") as info:
        build_plan("xstilts", "paper", data_dir=data, local_only=True)
    assert "the Hub is not allowed" in str(info.value)


def test_splits_fall_back_per_language_and_say_why(tmp_path):
    data = _copy(tmp_path, "mnli")
    (data / "udpos").mkdir()
    for name in ("train.en", "validation.en", "test.de", "validation.fr", "test.fr", "test.kk"):
        shutil.copy(fixtures_dir() / "udpos" / f"{name}.jsonl", data / "udpos" / f"{name}.jsonl")
    plan = build_plan(str(DATA / "pos.yaml"), "tiny", data_dir=data, max_languages=0)
    ev = plan.evals()[0]
    assert ev.config.split == "validation" and set(ev.config.inputs) == {"de", "en", "fr", "kk"}
    de, fr, kk = ev.config.inputs["de"], ev.config.inputs["fr"], ev.config.inputs["kk"]
    assert (fr.split, fr.fallback) == ("validation", None)
    assert (de.split, de.fallback, de.file) == ("test", "no local validation file", "udpos/test.de.jsonl")
    assert (kk.split, kk.fallback) == ("test", "no validation split")  # the Hub has none for kk either
    # the tiny profile is local-only: languages without files are left out and listed
    assert "eval udpos af: no local file under" in plan.unavailable[0] and len(plan.unavailable) == 29
    hub = build_plan(str(DATA / "pos.yaml"), "paper", data_dir=data)  # the paper profile may use the Hub
    inputs = hub.evals()[0].config.inputs
    assert inputs["ar"].source == "hub" and inputs["ar"].hub == "google/xtreme:udpos.Arabic"
    assert (inputs["th"].source, inputs["th"].split, inputs["th"].fallback) == ("hub", "test", "no validation split")
    assert inputs["de"].source == "local"


def test_changing_data_changes_ids_downstream_and_touching_does_not(tmp_path):
    data = _copy(tmp_path, "sst2", "tatoeba")
    experiment = str(DATA / "sst2_tatoeba.yaml")
    before = build_plan(experiment, "tiny", data_dir=data)
    kinds = {s.kind: s.id for s in before.steps.values()}
    assert set(kinds) == {"intermediate", "eval"} and all(re.fullmatch(r"[a-z]+-[0-9a-f]{16}", i) for i in kinds.values())
    path = data / "tatoeba" / "test.af.jsonl"
    path.touch()  # same bytes, new mtime: same ids (a copied data folder keeps its results)
    assert list(build_plan(experiment, "tiny", data_dir=data).steps) == list(before.steps)
    rows = path.read_text().splitlines()
    path.write_text("\n".join(reversed(rows)) + "\n")  # same rows, other order: other data
    after = {s.kind: s.id for s in build_plan(experiment, "tiny", data_dir=data).steps.values()}
    assert after["intermediate"] == kinds["intermediate"] and after["eval"] != kinds["eval"]
    train = data / "sst2" / "train.jsonl"
    lines = train.read_text().splitlines()
    train.write_text("\n".join(lines[1:] + lines[:1]) + "\n")
    again = {s.kind: s.id for s in build_plan(experiment, "tiny", data_dir=data).steps.values()}
    assert again["intermediate"] != after["intermediate"] and again["eval"] != after["eval"]  # downstream too


def test_a_file_changed_after_planning_is_refused_when_read(tmp_path):
    data = _copy(tmp_path, "sst2", "tatoeba")
    plan = build_plan(str(DATA / "sst2_tatoeba.yaml"), "tiny", data_dir=data)
    ref = plan.evals()[0].config.inputs["af"]
    assert len(load_refs("tatoeba_af", [ref], data)) > 0
    (data / "tatoeba" / "test.af.jsonl").write_text('{"source_sentence": "x", "target_sentence": "y"}\n')
    with pytest.raises(ReplicationError, match="changed since the plan was made"):
        load_refs("tatoeba_af", [ref], data)


def test_pinned_hub_commits_are_part_of_the_ids(tmp_path):
    plain = build_plan("xstilts", "paper", only=["baseline"])
    lock = HubLock()
    lock.pin("google/xtreme", None, "0123456789abcdef0123456789abcdef01234567")
    write_hub_lock(tmp_path / "hub.lock.json", lock)
    pinned = build_plan("xstilts", "paper", only=["baseline"], hub_lock=tmp_path / "hub.lock.json")
    tatoeba = lambda plan: next(s for s in plan.evals() if s.meta["target"] == "tatoeba")  # noqa: E731
    ref = tatoeba(pinned).config.inputs["de"]
    assert ref.pinned and ref.revision == "0123456789abcdef0123456789abcdef01234567"
    assert tatoeba(pinned).id != tatoeba(plain).id
    xnli = lambda plan: next(s for s in plan.evals() if s.meta["target"] == "xnli")  # noqa: E731
    assert xnli(pinned).id == xnli(plain).id  # facebook/xnli is not pinned by this lock


def test_kind_versions_live_beside_their_code(monkeypatch, tmp_path):
    data = _copy(tmp_path, "sst2", "tatoeba")
    experiment = str(DATA / "sst2_tatoeba.yaml")
    base = {s.kind: s.id for s in build_plan(experiment, "tiny", data_dir=data).steps.values()}
    monkeypatch.setattr(eval_step, "VERSION", eval_step.VERSION + 1)
    bumped = {s.kind: s.id for s in build_plan(experiment, "tiny", data_dir=data).steps.values()}
    assert bumped["intermediate"] == base["intermediate"] and bumped["eval"] != base["eval"]
    monkeypatch.setattr(train_step, "VERSION", train_step.VERSION + 1)
    both = {s.kind: s.id for s in build_plan(experiment, "tiny", data_dir=data).steps.values()}
    assert both["intermediate"] != base["intermediate"] and both["eval"] not in (base["eval"], bumped["eval"])


def test_step_json_round_trips_to_the_same_typed_config_and_id():
    plan = build_plan("xstilts", "tiny", only=["mnli"])
    for step in plan.steps.values():
        again = Step.from_json(json.loads(json.dumps(step.as_json())))
        assert again.config == step.config and step_id_for(again.config) == step.id
    target = next(s for s in plan.steps.values() if s.kind == "target")
    assert target.config.hyper.max_length == 64 and target.config.data.profile == "tiny"


def test_cli_data_dir_for_any_profile_and_the_plan_says_where_data_comes_from(settings, tmp_path, monkeypatch):
    data = _copy(tmp_path, "sst2", "tatoeba")
    cli = make_cli(settings, monkeypatch)
    result = cli("replicate", "run", str(DATA / "sst2_tatoeba.yaml"), "--profile", "cpu", "--data-dir", str(data),
                 "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert f"local (from {data.resolve()})" in result.stdout and "sst2 train: local sst2/train.jsonl" in result.stdout
    bad = cli("replicate", "run", "xstilts", "--data-dir", str(tmp_path / "nope"), "--dry-run")
    assert bad.exit_code == 2 and "not a folder" in bad.stderr
