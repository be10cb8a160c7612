"""The tiny offline XLM-R used by tests, CI and the `tiny` profile: a random XLMRobertaModel + a Unigram
tokenizer trained locally with `tokenizers`, saved as an HF folder (AutoTokenizer/AutoModel.from_pretrained).

Nothing here downloads anything. The same seed and texts give the same weights and the same tokenizer, byte for
byte (piece scores are recomputed deterministically, see `train_unigram_vocab`). A built folder is kept and reused
(`tiny_model_dir`), and step ids name it by MODEL_VERSION.
"""

from __future__ import annotations

from pathlib import Path

# A small multilingual corpus (same sentences in several languages) so the tokenizer has pieces for every
# script the fixtures use. Extra text (e.g. the fixture data) can be added by the caller.
CORPUS = [
    "The cat sits on the mat and looks at the bird.",
    "A man is playing a guitar on the stage.",
    "Two women are walking in the park with their dogs.",
    "The weather is nice today, so we go to the beach.",
    "He did not come to the meeting because he was ill.",
    "The book was written by a famous author in 1990.",
    "Where is the train station? It is near the river.",
    "Die Katze sitzt auf der Matte und schaut den Vogel an.",
    "Ein Mann spielt Gitarre auf der Bühne.",
    "Zwei Frauen gehen mit ihren Hunden im Park spazieren.",
    "Das Wetter ist heute schön, also gehen wir an den Strand.",
    "Le chat est assis sur le tapis et regarde l'oiseau.",
    "Un homme joue de la guitare sur la scène.",
    "Deux femmes se promènent dans le parc avec leurs chiens.",
    "El gato está sentado en la alfombra y mira al pájaro.",
    "Un hombre toca la guitarra en el escenario.",
    "Dos mujeres caminan en el parque con sus perros.",
    "Кошка сидит на коврике и смотрит на птицу.",
    "Мужчина играет на гитаре на сцене.",
    "猫はマットの上に座って鳥を見ています。",
    "一个男人在舞台上弹吉他。",
    "两个女人带着她们的狗在公园里散步。",
    "القطة تجلس على السجادة وتنظر إلى الطائر.",
    "رجل يعزف على الغيتار على المسرح.",
    "बिल्ली चटाई पर बैठी है और पक्षी को देख रही है।",
    "एक आदमी मंच पर गिटार बजा रहा है।",
    "Paka ameketi kwenye mkeka na anamtazama ndege.",
    "Mwanamume anapiga gitaa jukwaani.",
    "Kedi paspasın üzerinde oturuyor ve kuşa bakıyor.",
    "Bir adam sahnede gitar çalıyor.",
    "Con mèo ngồi trên tấm thảm và nhìn con chim.",
    "แมวนั่งอยู่บนพรมและมองนก",
    "Η γάτα κάθεται στο χαλί και κοιτάζει το πουλί.",
    "Il gatto è seduto sul tappeto e guarda l'uccello.",
    "Allqu tiyan, pisqu qhawan.",
    "yes no maybe true false entailment neutral contradiction",
    "B-PER I-PER B-LOC I-LOC B-ORG I-ORG NOUN VERB ADJ DET ADP PUNCT",
    "0 1 2 3 4 5 6 7 8 9 10 100 1000 1990 2020",
]

MODEL_VERSION = 3  # bump when the tiny model or its tokenizer changes (it is part of step hashes)
TINY_DIMENSIONS = dict(hidden_size=32, num_hidden_layers=4, num_attention_heads=2, intermediate_size=64)
SPECIALS = ("<s>", "<pad>", "</s>", "<unk>")  # XLM-R's fairseq order; <mask> goes last


def _unigram_tokenizer(pieces: list[tuple[str, float]] | None = None):
    from tokenizers import Tokenizer, normalizers, pre_tokenizers
    from tokenizers.models import Unigram

    tok = Tokenizer(Unigram(pieces) if pieces is not None else Unigram())
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")]
    )
    return tok


def train_unigram_vocab(texts: list[str], vocab_size: int = 800, rescore_rounds: int = 3) -> list[tuple[str, float]]:
    """Train a SentencePiece-style Unigram model on `texts`; return its (piece, log-prob) list, specials excluded.

    The trainer picks the pieces; their scores are then recomputed here by hard EM (Viterbi-segment the corpus,
    score = log relative count), starting from equal scores. The trainer's own scores differ run to run (its
    sums go through hash-ordered maps), and a near-tied score changes a segmentation, hence the tiny model's
    features and every score the `tiny` profile reports: recomputed, they depend on the piece set alone.
    """
    import json
    import math
    from collections import Counter

    from tokenizers.trainers import UnigramTrainer

    texts = sorted(set(texts))
    tok = _unigram_tokenizer()
    trainer = UnigramTrainer(vocab_size=vocab_size, special_tokens=[], unk_token=None, shrinking_factor=0.75,
                             show_progress=False)
    tok.train_from_iterator(texts, trainer=trainer)
    names = sorted(piece for piece, _ in json.loads(tok.to_str())["model"]["vocab"] if piece not in SPECIALS)
    scores = {piece: 0.0 for piece in names}
    for _ in range(rescore_rounds):
        segmenter = _unigram_tokenizer([(piece, scores[piece]) for piece in names])
        counts = Counter(t for text in texts for t in segmenter.encode(text).tokens)
        total = sum(counts.values()) + 0.5 * len(names)  # unused pieces keep a small share (they stay usable)
        scores = {piece: round(math.log((counts[piece] + 0.5) / total), 6) for piece in names}
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def xlmr_tokenizer_from_vocab(pieces: list[tuple[str, float]], *, normalizer=None, model_max_length: int = 512):
    """A fast XLM-R tokenizer over `pieces` with the XLM-R id layout: <s> <pad> </s> <unk> pieces... <mask>.

    Saved as a generic tokenizers-backed tokenizer: transformers 5's XLMRobertaTokenizer rebuilds its
    normaliser from a SentencePiece charsmap on load and would drop ours (NFKC, the nmt_nfkc controls map).
    """
    from transformers import PreTrainedTokenizerFast, XLMRobertaTokenizer

    vocab = [(s, 0.0) for s in SPECIALS] + list(pieces) + [("<mask>", 0.0)]
    backend = XLMRobertaTokenizer(vocab=vocab).backend_tokenizer  # Unigram + Metaspace + <s> A </s></s> B </s>
    if normalizer is not None:
        backend.normalizer = normalizer
    return PreTrainedTokenizerFast(
        tokenizer_object=backend, bos_token="<s>", eos_token="</s>", sep_token="</s>", cls_token="<s>",
        unk_token="<unk>", pad_token="<pad>", mask_token="<mask>", model_max_length=model_max_length,
    )


def build_tiny_model(folder: str | Path, *, texts: list[str] | None = None, vocab_size: int = 800,
                     max_positions: int = 514, seed: int = 0) -> Path:
    """Write a tiny random XLM-R (config, safetensors weights, tokenizer) into `folder`; return the folder.

    Idempotent: an existing complete folder is left as it is.
    """
    folder = Path(folder)
    if (folder / "config.json").exists() and (folder / "model.safetensors").exists():
        return folder
    import torch
    from tokenizers import normalizers
    from transformers import XLMRobertaConfig, XLMRobertaModel

    from .model import quiet_transformers

    quiet_transformers()
    pieces = train_unigram_vocab(CORPUS + list(texts or []), vocab_size=vocab_size)
    tokenizer = xlmr_tokenizer_from_vocab(pieces, normalizer=normalizers.NFKC(), model_max_length=max_positions - 2)
    config = XLMRobertaConfig(
        vocab_size=len(tokenizer), max_position_embeddings=max_positions, type_vocab_size=1,
        pad_token_id=1, bos_token_id=0, eos_token_id=2, layer_norm_eps=1e-5, **TINY_DIMENSIONS,
    )
    torch.manual_seed(seed)
    model = XLMRobertaModel(config, add_pooling_layer=False)
    _publish(folder, model, tokenizer)
    return folder


def _publish(folder: Path, model, tokenizer) -> None:
    """Save into a temp folder next to `folder`, then rename it into place (no half-written model folders)."""
    from synth.core.files import atomic_dir

    with atomic_dir(folder) as tmp:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)


def tiny_model_dir(cache: str | Path) -> Path:
    """The tiny model folder under a cache folder, built on first use."""
    return build_tiny_model(Path(cache) / "models" / "tiny-xlmr")
