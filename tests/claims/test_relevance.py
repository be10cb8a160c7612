"""Claim embeddings for relevance to the question are stored and reused: a second report embeds only claims that
are new or edited (the encoder here is a stand-in that counts what it is asked to embed)."""

from __future__ import annotations

import numpy as np

from synth.claims.relevance import embed_passages


class CountingEncoder:
    name = "stand-in encoder"

    def __init__(self):
        self.embedded: list[str] = []

    def passages(self, texts):
        self.embedded += texts
        out = np.array([[len(t), t.count("a"), 1.0] for t in texts], dtype=np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def test_stored_claim_embeddings_are_reused(tmp_path):
    store = tmp_path / "claim-embeddings" / "passages.npz"
    texts = ["MNLI helps Swahili by 2.1 points.", "QQP hurts Yoruba.", "MNLI helps Swahili by 2.1 points."]
    first = CountingEncoder()
    a = embed_passages(first, texts, store)
    assert first.embedded == texts[:2] and store.exists() and a.shape == (3, 3)  # duplicates embedded once
    second = CountingEncoder()
    b = embed_passages(second, texts + ["An edited claim."], store)
    assert second.embedded == ["An edited claim."]  # only the new text
    assert np.array_equal(a, b[:3])  # the first run uses the stored (float16) values too: same report twice
    other = CountingEncoder()
    other.name = "another model"
    embed_passages(other, texts[:1], store)
    assert other.embedded == texts[:1]  # vectors of another model are never reused


def test_an_unreadable_store_is_recomputed(tmp_path):
    store = tmp_path / "passages.npz"
    store.write_bytes(b"not an npz file")
    enc = CountingEncoder()
    embed_passages(enc, ["one claim"], store)
    assert enc.embedded == ["one claim"]
    again = CountingEncoder()
    assert embed_passages(again, ["one claim"], store).shape == (1, 3) and again.embedded == []  # rewritten whole


def test_the_question_is_stored_apart_from_the_claims(tmp_path):
    from synth.claims.relevance import embed_texts

    class Both(CountingEncoder):
        def queries(self, texts):
            self.embedded += [f"query: {t}" for t in texts]
            return self.passages(texts)[:, ::-1].copy()

    store = tmp_path / "passages.npz"
    enc = Both()
    q = embed_texts(enc, ["Does MNLI help?"], store, kind="query")
    p = embed_texts(enc, ["Does MNLI help?"], store, kind="passage")
    assert not np.array_equal(q, p)  # the same text as query and as passage: two vectors, two keys
    again = Both()
    assert np.array_equal(embed_texts(again, ["Does MNLI help?"], store, kind="query"), q) and again.embedded == []
