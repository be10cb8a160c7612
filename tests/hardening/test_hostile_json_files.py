"""Hostile JSON in the files synth reads back from its own library and package (sentences.jsonl, meta.json,
embedding info, verifier.json): one line naming the file, never a RecursionError or a traceback."""

from __future__ import annotations

import pytest

from synth.core.errors import ConfigError, LibraryError
from synth.papers.library import Library
from tests.cli_harness import make_cli
from tests.papers.sources.pdfs import paper_pdf, write

DEEP = "[" * 50_000 + "]" * 50_000


@pytest.fixture
def cli(settings, monkeypatch):
    return make_cli(settings, monkeypatch)


@pytest.fixture
def one_paper(cli, settings, tmp_path):
    pdf = write(tmp_path / "p.pdf", paper_pdf("Intermediate tasks help", 1, 1.0))
    assert cli("fetch", str(pdf)).exit_code == 0
    (folder,) = (settings.home / "papers").iterdir()
    return folder


@pytest.mark.parametrize("line", [DEEP, '{"text": NaN}', '{"start": 1e400}'])
def test_a_hostile_sentences_line_names_file_and_line(cli, one_paper, line):
    sentences = one_paper / "sentences.jsonl"
    sentences.write_text(sentences.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    library = Library(one_paper.parent.parent)
    with pytest.raises(LibraryError, match=r"sentences\.jsonl:\d+: damaged library file"):
        list(library.iter_sentences(library.get(one_paper.name)))


@pytest.mark.parametrize("meta", [DEEP, '{"id": NaN}', "[]", '{"id": 1e999}'])
def test_a_hostile_meta_json_is_one_library_error(cli, one_paper, meta):
    (one_paper / "meta.json").write_text(meta, encoding="utf-8")
    with pytest.raises(LibraryError, match=f"unreadable library entry {one_paper.name}: "):
        Library(one_paper.parent.parent).papers()
    run = cli("library", "ls")
    assert "Traceback" not in run.stderr and "RecursionError" not in run.stderr and run.exit_code in (1, 2)


def test_hostile_embedding_info_is_a_cache_miss(settings, one_paper):
    from synth.papers.library import embeddings

    library = Library(settings.home)
    meta = library.get(one_paper.name)
    _, info, _, _ = embeddings._paths(library, meta)
    info.parent.mkdir(parents=True, exist_ok=True)
    for planted in (DEEP, '{"model": NaN}', "[1, 2]"):
        info.write_text(planted, encoding="utf-8")
        assert embeddings.load_vectors(library, meta) is None


@pytest.mark.parametrize("text", [DEEP, '{"thresholds": Infinity}', "[]"])
def test_a_hostile_verifier_json_is_a_config_error(tmp_path, text):
    from synth.verify.calibration import load_verifier

    path = tmp_path / "verifier.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=str(path)):
        load_verifier(path)


# ------------------------------------------------------------------------------------------ replication files


@pytest.mark.parametrize("text", [DEEP, '{"scores": {"de": NaN}}', '{"scores": {"de": 1e308}}',
                                  '{"scores": {"de": Infinity}}'])
def test_a_hostile_results_json_is_one_replication_error(tmp_path, text):
    """results.json holding NaN/Infinity/1e308 used to reach the report and end in an OverflowError."""
    from synth.core.errors import ReplicationError
    from synth.replicate.pipeline.results import read_results

    path = tmp_path / "results.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReplicationError) as err:
        read_results(path)
    assert str(err.value).startswith(f"{path}: not a readable results document: ") and "\n" not in str(err.value)


def test_hostile_examples_hub_lock_and_predictions_are_one_line(tmp_path):
    from synth.core.errors import ReplicationError, UsageError
    from synth.replicate.data.sources import read_hub_lock
    from synth.replicate.evaluation.scoring import read_json
    from synth.replicate.pipeline.example_scores import FILE_NAME, read_example_scores

    (tmp_path / FILE_NAME).write_text(DEEP, encoding="utf-8")
    with pytest.raises(ReplicationError, match="not a readable examples document: .*nested more than 64"):
        read_example_scores(tmp_path)
    lock = tmp_path / "hub.lock.json"
    lock.write_text('{"pins": {"x": {"commit": NaN}}}', encoding="utf-8")
    with pytest.raises(ConfigError, match="not a Hub lock file .*NaN is not a JSON value"):
        read_hub_lock(lock)
    predictions = tmp_path / "predictions.json"
    predictions.write_text(DEEP, encoding="utf-8")
    with pytest.raises(UsageError, match="invalid JSON .*nested more than 64"):
        read_json(predictions)


@pytest.mark.parametrize("row, said", [(DEEP, "nested more than 64 levels deep"),
                                       ('{"sentence": "x", "label": NaN}', "NaN is not a JSON value")])
def test_a_hostile_task_row_is_found_by_preflight(tmp_path, row, said):
    import shutil

    from synth.replicate.data.loading import fixtures_dir
    from synth.replicate.pipeline.plan import build_plan
    from synth.replicate.pipeline.preflight import preflight
    from tests.replicate.run.conftest import DATA

    data = tmp_path / "data"
    for family in ("sst2", "tatoeba"):
        shutil.copytree(fixtures_dir() / family, data / family)
    train = data / "sst2" / "train.jsonl"
    lines = train.read_text(encoding="utf-8").splitlines()
    lines[2] = row
    train.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = preflight(build_plan(str(DATA / "sst2_tatoeba.yaml"), "tiny", data_dir=data), lock_file=None)
    bad = {c.task: c.message for c in report.checks if c.status == "bad"}
    assert f"train.jsonl:3: invalid JSON ({said})" in bad["sst2"]


def test_hostile_step_json_and_squad_files_are_one_line(tmp_path):
    from synth.core.errors import ReplicationError
    from synth.replicate.data.loading import _is_squad_document, read_squad_json
    from synth.replicate.pipeline.step_config import load_step

    (tmp_path / "step.json").write_text(DEEP, encoding="utf-8")
    with pytest.raises(ConfigError, match="step.json is nested too deeply"):
        load_step(tmp_path)
    squad = tmp_path / "dev.json"
    squad.write_text('{"data": [' + DEEP + "]}", encoding="utf-8")
    assert _is_squad_document(squad) is False
    with pytest.raises(ReplicationError, match=r"not SQuAD v1.1 JSON \(nested more than 64 levels deep\)"):
        read_squad_json(squad)
    big_ids = tmp_path / "ids.json"  # 64-bit ids in user data are kept (no magnitude limit there)
    big_ids.write_text('{"data": [{"title": "t", "paragraphs": [{"context": "c", "qas": [{"id": 12345678901234567890, '
                       '"question": "q", "answers": [{"text": "c", "answer_start": 0}]}]}]}]}', encoding="utf-8")
    assert read_squad_json(big_ids)[0]["id"] == "12345678901234567890"
