"""Shared fixtures for the replicate tasks/data/metrics tests: a tiny fast tokenizer trained locally."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import SHARED

SHARED_DATA = SHARED / "data"


@pytest.fixture(scope="session")
def tokenizer():
    """A small XLM-R-layout Unigram tokenizer trained on a multilingual corpus (no download)."""
    from synth.replicate.training.tiny_model import CORPUS, train_unigram_vocab, xlmr_tokenizer_from_vocab

    return xlmr_tokenizer_from_vocab(train_unigram_vocab(CORPUS, vocab_size=400))


@pytest.fixture(scope="session", autouse=True)
def _quiet_datasets():
    import datasets

    datasets.disable_progress_bars()


@pytest.fixture
def shared_data():
    """../shared/data with real XCOPA / XQuAD rows; skip when absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not beside this checkout")
    return SHARED_DATA
