"""Loading splits: local fixtures in the HF schema, real shared rows, explicit source choice, subsampling."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import pytest

from synth.replicate.data.loading import fixtures_dir, load_split, local_path, subsample
from synth.replicate.fixtures.build_fixtures import render
from synth.replicate.data.taskconfig import list_tasks, load_task
from synth.core.errors import ReplicationError


def test_fixtures_are_reproducible():
    stale = [p for p, text in render().items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    assert stale == []


@pytest.mark.parametrize("name", ["mnli", "anli_r1", "qqp", "sst2", "squad_v1", "squad_v2", "hellaswag",
                                  "cosmosqa", "commonsenseqa", "siqa", "copa", "ccg"])
def test_every_intermediate_task_loads_from_fixtures(name):
    task = load_task(name)
    for role in ("train", "validation"):
        rows = load_split(name, role, data_dir=fixtures_dir())
        assert len(rows) > 0
        for column in task.columns.values():
            for part in column if isinstance(column, list) else [column]:
                assert part.split(".")[0] in rows.column_names


def test_every_target_task_and_language_loads():
    for name in list_tasks(benchmark="xtreme") + list_tasks(benchmark="xtreme-r"):
        task = load_task(name)
        role = "test" if task.split_name("test") else "validation"
        for lang in task.languages:
            assert len(load_split(task, role, lang, data_dir=fixtures_dir())) > 0, (name, lang)


def test_hub_schema_details_kept():
    squad = load_split("squad_v1", "train", data_dir=fixtures_dir())
    row = squad[0]
    assert row["context"][row["answers"]["answer_start"][0]:].startswith(row["answers"]["text"][0])
    xquad = load_split("xquad", "test", "de", data_dir=fixtures_dir())  # nested SQuAD JSON, flattened
    assert set(xquad.column_names) == {"id", "title", "context", "question", "answers"}
    tydi = load_split("tydiqa", "test", "sw", data_dir=fixtures_dir())
    assert all(i.startswith("swahili-") for i in tydi["id"])


def test_snli_unlabelled_rows_are_dropped():
    rows = load_split("snli", "train", data_dir=fixtures_dir())
    assert -1 not in rows["label"]
    raw = [json.loads(line) for line in (fixtures_dir() / "snli" / "train.jsonl").read_text().splitlines()]
    assert len(rows) == len(raw) - 1


def test_anli_plus_mixes_components_proportionally():
    mixed = load_split("anli_plus", "train", data_dir=fixtures_dir(), seed=3)
    counts = Counter(mixed["source_task"])
    assert counts == {name: len(load_split(name, "train", data_dir=fixtures_dir()))
                      for name in ("anli_r1", "anli_r2", "anli_r3", "mnli", "snli")}
    again = load_split("anli_plus", "train", data_dir=fixtures_dir(), seed=3)
    assert mixed["premise"] == again["premise"]


def test_real_xcopa_rows(shared_data):
    rows = load_split("xcopa", "validation", "qu", data_dir=shared_data)
    assert len(rows) == 100 and set(rows.column_names) >= {"premise", "choice1", "choice2", "question", "label"}
    assert set(rows["label"]) == {0, 1}


def test_real_xquad_rows(shared_data, tmp_path):
    for lang in ("en", "de", "zh", "ar"):
        (tmp_path / "xquad").mkdir(exist_ok=True)
        shutil.copy(shared_data / "xquad" / f"xquad.{lang}.first-article-2paras.json",
                    tmp_path / "xquad" / f"xquad.{lang}.json")
        rows = load_split("xquad", "test", lang, data_dir=tmp_path)
        assert len(rows) == 30
        for row in rows:
            start, text = row["answers"]["answer_start"][0], row["answers"]["text"][0]
            assert row["context"][start:start + len(text)] == text


def test_missing_local_file_is_an_error_not_a_fallback(tmp_path):
    with pytest.raises(ReplicationError, match=r"no local data for task 'mnli' split 'train'.*train.jsonl"):
        load_split("mnli", "train", data_dir=tmp_path)


def test_ccg_is_local_only_with_licence_hint(tmp_path, settings):
    with pytest.raises(ReplicationError, match="LDC"):
        load_split("ccg", "train", data_dir=tmp_path)
    with pytest.raises(ReplicationError, match="no Hub source"):
        load_split("ccg", "train")  # settings.data_dir is None -> Hub, which CCG does not have


def test_hub_failure_is_a_clear_error(settings):
    # tests run with HF_HUB_OFFLINE=1: the real Hub path is taken and fails with one clear message
    with pytest.raises(ReplicationError, match="cannot load nyu-mll/glue \\(sst2\\) split 'validation'"):
        load_split("sst2", "validation")


def test_settings_data_dir_selects_local(settings):
    settings.data_dir = fixtures_dir()
    assert len(load_split("sst2", "validation")) == 8


def test_multilingual_task_needs_language():
    with pytest.raises(ReplicationError, match="pass language="):
        load_split("xnli", "test", data_dir=fixtures_dir())
    with pytest.raises(ReplicationError, match="has no 'train' split"):
        load_split("xquad", "train", "de", data_dir=fixtures_dir())


def test_local_path_layouts(tmp_path):
    assert local_path(load_task("xnli_de"), "test", tmp_path) == tmp_path / "xnli" / "test.de.jsonl"
    assert local_path(load_task("mnli"), "validation", tmp_path) == tmp_path / "mnli" / "validation.jsonl"
    assert local_path(load_task("xcopa_it"), "validation", tmp_path) == tmp_path / "xcopa" / "val.it.jsonl"
    (tmp_path / "mnli").mkdir()
    (tmp_path / "mnli" / "train.parquet").write_bytes(b"")
    assert local_path(load_task("mnli"), "train", tmp_path).suffix == ".parquet"


def test_subsample_is_seeded_stratified_and_nested():
    import datasets

    labels = [0] * 60 + [1] * 30 + [2] * 10
    data = datasets.Dataset.from_dict({"x": list(range(100)), "label": labels})
    small = subsample(data, 10, seed=1, label_column="label")
    assert Counter(small["label"]) == {0: 6, 1: 3, 2: 1}
    assert small["x"] == subsample(data, 10, seed=1, label_column="label")["x"]
    assert small["x"] != subsample(data, 10, seed=2, label_column="label")["x"]
    large = subsample(data, 50, seed=1, label_column="label")
    assert set(small["x"]) <= set(large["x"])
    assert len(subsample(data, 500, seed=0)) == 100
    # largest remainder: 7 of (60/30/10) -> exact 4.2/2.1/0.7 -> 4, 2, 1
    assert Counter(subsample(data, 7, seed=0, label_column="label")["label"]) == {0: 4, 1: 2, 2: 1}


def test_load_split_limit_uses_stratified_subsample():
    rows = load_split("mnli", "train", data_dir=fixtures_dir(), limit=9, seed=0)
    assert Counter(rows["label"]) == {0: 3, 1: 3, 2: 3}


def test_hub_calls_use_the_pinned_source(monkeypatch, settings):
    import datasets

    calls = []

    def fake_load_dataset(*args, **kwargs):
        calls.append((args, kwargs))
        return datasets.Dataset.from_dict({"premise": ["a"], "hypothesis": ["b"], "label": [0]})

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    load_split("xnli", "test", "sw")
    assert calls[-1] == (("facebook/xnli", "sw"), {"revision": None, "split": "test"})
    load_split("mlqa", "test", "de")  # script-only repo: read through the parquet export
    args, kwargs = calls[-1]
    assert args == ("parquet",) and kwargs["data_files"] == {
        "test": "hf://datasets/facebook/mlqa@refs%2Fconvert%2Fparquet/mlqa.de.de/test/*.parquet"}


def test_official_squad_json_files_are_read_for_qa_tasks(tmp_path):
    doc = {"version": "1.1", "data": [{"title": "t", "paragraphs": [{"context": "Kisumu ni mji.", "qas": [
        {"id": "swahili-1", "question": "Nini?", "answers": [{"text": "Kisumu", "answer_start": 0}]},
        {"id": "arabic-2", "question": "?", "answers": [{"text": "mji", "answer_start": 10}]}]}]}]}
    (tmp_path / "tydiqa").mkdir()
    (tmp_path / "tydiqa" / "test.sw.json").write_text(json.dumps(doc), encoding="utf-8")
    rows = load_split("tydiqa", "test", "sw", data_dir=tmp_path)  # row filter keeps the Swahili question
    assert rows["id"] == ["swahili-1"] and rows[0]["answers"] == {"text": ["Kisumu"], "answer_start": [0]}
