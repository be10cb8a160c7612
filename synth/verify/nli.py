"""Optional NLI backend for verify: a local sequence-classification (NLI / cross-encoder) model folder whose
entailment probability becomes one more feature. Never downloaded: local files only."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from synth.core.errors import ConfigError


class NLIScorer:
    """Entailment probability of (premise = evidence, hypothesis = claim) from a local model folder."""

    def __init__(self, folder: Path):
        folder = Path(folder)
        if not (folder / "config.json").is_file():
            raise ConfigError(f"nli_model {folder} is not a local model folder (no config.json); "
                              "set SYNTH_NLI_MODEL to a downloaded NLI model or unset it")
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self._torch = torch
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
            self.model = AutoModelForSequenceClassification.from_pretrained(folder, local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot load nli_model {folder}: {str(exc).splitlines()[0]}") from exc
        self.model.eval()
        labels = {i: str(name).lower() for i, name in self.model.config.id2label.items()}
        entail = [i for i, name in labels.items() if "entail" in name and "not" not in name]
        if not entail:
            raise ConfigError(f"nli_model {folder} has no 'entailment' label (labels: {sorted(labels.values())})")
        self.entail_index = entail[0]
        self._score = lru_cache(maxsize=4096)(self._score_uncached)

    def _score_uncached(self, premise: str, hypothesis: str) -> float:
        with self._torch.no_grad():
            batch = self.tokenizer(premise, hypothesis, truncation=True, max_length=256, return_tensors="pt")
            probs = self.model(**batch).logits.softmax(-1)[0]
        return float(probs[self.entail_index])

    def entailment(self, premise: str, hypothesis: str) -> float:
        """P(entailment) in 0..1."""
        return self._score(premise, hypothesis)
