"""Settings read from the environment: SYNTH_EMBED's switch words."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from synth.core.settings import Settings


@pytest.mark.parametrize("value, mode", [("0", "off"), ("false", "off"), ("OFF", "off"), ("1", "verify"),
                                         ("yes", "verify"), ("fetch", "fetch"), ("verify", "verify")])
def test_embed_accepts_modes_and_on_off_words(monkeypatch, value, mode):
    monkeypatch.setenv("SYNTH_EMBED", value)
    assert Settings().embed == mode


def test_embed_refuses_other_words(monkeypatch):
    monkeypatch.setenv("SYNTH_EMBED", "sometimes")
    with pytest.raises(ValidationError):
        Settings()
