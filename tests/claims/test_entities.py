"""Gazetteer-driven entity finding and the gazetteer file's own validation."""

from __future__ import annotations

import pytest

from synth.claims.entities import GazetteerFile, find_entities, load_gazetteer_file
from synth.core.errors import ConfigError


def test_finds_canonical_names_across_categories():
    e = find_entities("MNLI, SQuAD and HellaSwag help XLM-R Large on XTREME-R (BUCC, Tatoeba) in Swahili and Urdu; "
                      "we report F1 and accuracy, also for SQuAD 2.0 and mBERT-base.")
    assert e.tasks == ["MNLI", "SQuAD", "HellaSwag", "BUCC", "Tatoeba", "SQuAD 2.0"]
    assert e.models == ["XLM-R Large", "mBERT-base"]
    assert e.benchmarks == ["XTREME-R"]
    assert e.languages == ["sw", "ur"]
    assert e.metrics == ["F1", "accuracy"]


def test_word_boundaries():
    e = find_entities("XTREME, not XTREMEly; Malayalam; GLUEd; Malaysia")
    assert e.benchmarks == ["XTREME"] and e.languages == ["ml"]


def test_packaged_gazetteer_is_valid_and_covers_the_study():
    spec = load_gazetteer_file()
    names = {x.name for x in spec.tasks}
    assert {"XNLI", "PAWS-X", "UD-POS", "WikiANN", "XQuAD", "MLQA", "TyDiQA-GoldP", "BUCC", "Tatoeba",
            "XCOPA", "LAReQA", "Mewsli-X"} <= names  # XTREME-R tasks
    assert {"MNLI", "QQP", "SQuAD", "HellaSwag", "CommonsenseQA", "Cosmos QA", "CCG", "ANLI+"} <= names
    assert len(spec.languages) >= 50


def test_bad_gazetteer_points_at_the_line(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_text("schema: 1\ntasks:\n  - name: XNLI\n    aliases: []\n")
    with pytest.raises(ConfigError, match=r"g\.yaml:4: tasks\[0\]\.aliases: List should have at least 1 item"):
        load_gazetteer_file(path)
    path.write_text("schema: 1\npatterns:\n  models: ['(unclosed']\n")
    with pytest.raises(ConfigError, match=r"g\.yaml:3: patterns\.models\[0\]: Value error, pattern .\(unclosed. does not compile"):
        load_gazetteer_file(path)
    assert GazetteerFile.model_validate({"schema": 1}).tasks == []
