"""The optional NLI backend: a local sequence-classification folder adds one feature (never downloaded)."""

from __future__ import annotations

import pytest

from synth.core.models import Claim


@pytest.fixture(scope="module")
def nli_folder(tmp_path_factory):
    """A tiny random XLM-R with an entailment/neutral/contradiction head, built locally (no hub)."""
    pytest.importorskip("torch")
    from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer

    from synth.replicate.training.tiny_model import build_tiny_model

    root = tmp_path_factory.mktemp("nli")
    encoder = build_tiny_model(root / "encoder")
    labels = {0: "entailment", 1: "neutral", 2: "contradiction"}
    config = AutoConfig.from_pretrained(encoder, num_labels=3, id2label=labels,
                                        label2id={v: k for k, v in labels.items()})
    model = AutoModelForSequenceClassification.from_pretrained(encoder, config=config)
    model.save_pretrained(root / "nli")
    AutoTokenizer.from_pretrained(encoder).save_pretrained(root / "nli")
    return root / "nli"


def test_nli_entailment_becomes_a_feature(verifier, nli_folder):
    from synth.verify.claim_verifier import Verifier

    with_nli = Verifier(verifier.library, nli_model=nli_folder)
    v = with_nli.verify(Claim(id="n-c01", text="Without intermediate training the average is 67.0.",
                              cites=["2101.00001"]))
    assert v.label == "supported" and "nli=yes" in v.verifier
    assert 0.0 < v.features["nli_entail"] < 1.0
    assert with_nli.nli.entailment("a", "b") == with_nli.nli.entailment("a", "b")  # cached, deterministic
