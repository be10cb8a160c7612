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


def test_names_beyond_the_first_list():
    """Names issue 12 found untagged in real papers, now in the gazetteer or its patterns."""
    e = find_entities("BERTLARGE reaches 86.7/85.9 on MNLI-m/mm; XLNet is close on IMDb, ImageNet, CIFAR-10, SVHN and "
                      "Yelp-5. GECToR gets F0.5 of 65.3 on CoNLL-2014 and BEA-2019; Spearman on STS-B; BLEU and "
                      "CHRF3 on newstest2015 of WMT 15.")
    assert e.models == ["BERT", "XLNet"]
    assert e.datasets == ["IMDb", "ImageNet", "CIFAR-10", "SVHN", "Yelp-5", "CoNLL-2014", "BEA-2019", "newstest2015"]
    assert e.metrics == ["F0.5", "Spearman correlation", "BLEU", "chrF"]
    assert e.tasks == ["MNLI", "STS-B"] and e.benchmarks == ["WMT 15"]


def test_unlisted_names_by_context_and_the_gazetteer_first():
    e = find_entities("We evaluate on the FooBench benchmark and the NewsQA-X dataset with the SimCSE model; its BLEURT "
                      "score is high. The XNLI dataset is listed, the Transformer model is not a name.")
    assert e.benchmarks == ["FooBench"] and e.datasets == ["NewsQA-X"] and e.models == ["SimCSE"]
    assert e.metrics == ["BLEURT"]
    assert e.tasks == ["XNLI"]  # the gazetteer's category, not the context's "dataset"


def test_context_rule_needs_a_name_group(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_text("schema: 1\ncontext:\n  - {category: models, pattern: '{NAME} model'}\n")
    with pytest.raises(ConfigError, match=r"g\.yaml:3: .*has no \(\?P<name>\.\.\.\) group"):
        load_gazetteer_file(path)
