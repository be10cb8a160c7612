"""Encoder + task heads for every task type, safetensors checkpoints, and the explicit encoder-only transfer.

A checkpoint folder holds `encoder/` (an HF folder: config + model.safetensors + tokenizer), `head.safetensors`
and `model.json` (task type, labels, retrieval layer). Moving from intermediate to target training loads the
encoder only; the target head is always freshly initialised (`transfer_encoder`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from synth.core.errors import ReplicationError

TASK_TYPES = ("classification", "multiple_choice", "span_qa", "tagging", "retrieval", "mlm")
# The X-STILTs / XTREME reference mean-pools hidden layer 14 of XLM-R Large (of 24) for retrieval.
DEFAULT_RETRIEVAL_LAYER = 14


@dataclass
class HeadSpec:
    """What head sits on the encoder: task type, number of labels, retrieval layer (hidden_states index)."""

    task_type: str
    num_labels: int = 0
    retrieval_layer: int = DEFAULT_RETRIEVAL_LAYER
    labels: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.task_type not in TASK_TYPES:
            raise ReplicationError(f"unknown task type {self.task_type!r} (expected one of {', '.join(TASK_TYPES)})")


def quiet_transformers() -> None:
    """Silence transformers' load reports and progress bars (our CLI has its own)."""
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        from datasets.utils.logging import disable_progress_bar

        disable_progress_bar()  # featurisation bars: the pipeline shows its own progress
    except ImportError:
        pass


def _task_model_class():
    from torch import nn

    class TaskModel(nn.Module):
        """An XLM-R-style encoder with one task head; `forward(**batch)` returns loss (when labels given) + logits."""

        def __init__(self, encoder, spec: HeadSpec):
            super().__init__()
            self.encoder, self.spec = encoder, spec
            hidden = encoder.config.hidden_size
            dropout = getattr(encoder.config, "hidden_dropout_prob", 0.1)
            self.dropout = nn.Dropout(dropout)
            t = spec.task_type
            if t == "classification":  # RobertaClassificationHead: dense + tanh + projection over <s>
                self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(hidden, hidden), nn.Tanh(),
                                          nn.Dropout(dropout), nn.Linear(hidden, spec.num_labels))
            elif t == "multiple_choice":
                self.head = nn.Linear(hidden, 1)
            elif t == "span_qa":
                self.head = nn.Linear(hidden, 2)
            elif t == "tagging":
                self.head = nn.Linear(hidden, spec.num_labels)
            elif t == "mlm":  # RobertaLMHead: dense + gelu + layer norm, decoder tied to the word embeddings
                self.head = _lm_head_class()(hidden, encoder.config.vocab_size,
                                             getattr(encoder.config, "layer_norm_eps", 1e-5))
            else:
                self.head = nn.Identity()  # retrieval: no trained head, mean-pooled hidden layer
            self.reset_head()

        def reset_head(self) -> None:
            std = getattr(self.encoder.config, "initializer_range", 0.02)
            for module in self.head.modules():
                if isinstance(module, nn.Linear):
                    nn.init.normal_(module.weight, mean=0.0, std=std)
                    nn.init.zeros_(module.bias)

        def forward(self, input_ids, attention_mask, labels=None, start_positions=None, end_positions=None,
                    **_ignored):
            t = self.spec.task_type
            if t == "multiple_choice":
                batch, choices, length = input_ids.shape
                input_ids, attention_mask = input_ids.view(-1, length), attention_mask.view(-1, length)
            if t == "retrieval":
                return {"embeddings": self.embed(input_ids, attention_mask)}
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            out = {}
            if t == "mlm":  # logits only where a token was masked: the full vocabulary is 250k wide
                chosen = labels != -100 if labels is not None else attention_mask.bool()
                logits = self.head(hidden[chosen], self.encoder.get_input_embeddings().weight).float()
                out["logits"] = logits
                if labels is not None:
                    out["loss"] = (nn.functional.cross_entropy(logits, labels[chosen]) if logits.shape[0]
                                   else hidden.sum() * 0.0)
                return out
            if t == "classification":
                logits = self.head(hidden[:, 0])
            elif t == "multiple_choice":
                logits = self.head(self.dropout(hidden[:, 0])).view(batch, choices)
            elif t == "span_qa":
                start, end = self.head(hidden).float().split(1, dim=-1)
                mask = attention_mask == 0
                start = start.squeeze(-1).masked_fill(mask, -1e4)
                end = end.squeeze(-1).masked_fill(mask, -1e4)
                out.update(start_logits=start, end_logits=end)
                if start_positions is not None:
                    length = start.shape[1]
                    loss_fn = nn.CrossEntropyLoss(ignore_index=length)
                    out["loss"] = (loss_fn(start, start_positions.clamp(0, length))
                                   + loss_fn(end, end_positions.clamp(0, length))) / 2
                return out
            else:  # tagging; labels use -100 on sub-tokens that are not scored
                logits = self.head(self.dropout(hidden))
            out["logits"] = logits.float()
            if labels is not None:
                out["loss"] = nn.functional.cross_entropy(out["logits"].reshape(-1, out["logits"].shape[-1]),
                                                          labels.reshape(-1), ignore_index=-100)
            return out

        def embed(self, input_ids, attention_mask):
            """Mean over real tokens of hidden layer `retrieval_layer` (0 = embeddings), as the reference does."""
            layers = self.encoder.encoder.layer
            layer = min(self.spec.retrieval_layer, len(layers))
            # The layers above the pooled one do not change its output: run only those below (XLM-R Large
            # pools layer 14 of 24, so retrieval costs 58% of a full forward pass).
            self.encoder.encoder.layer = layers[:layer]
            try:
                states = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                                      output_hidden_states=True).hidden_states
            finally:
                self.encoder.encoder.layer = layers
            # Pool in fp32 even under bf16 autocast: summing hundreds of bf16 vectors loses the small differences
            # that nearest-neighbour retrieval ranks by.
            hidden = states[layer].float()
            mask = attention_mask.unsqueeze(-1).float()
            return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)

    return TaskModel


def _lm_head_class():
    import torch
    from torch import nn

    class LMHead(nn.Module):
        """XLM-R's masked-LM head; the decoder weight is the encoder's word embedding matrix (passed in, so it is
        registered once, in the encoder), with a bias of its own."""

        def __init__(self, hidden: int, vocab: int, eps: float):
            super().__init__()
            self.dense = nn.Linear(hidden, hidden)
            self.norm = nn.LayerNorm(hidden, eps=eps)
            self.bias = nn.Parameter(torch.zeros(vocab))

        def forward(self, hidden, embeddings):
            x = self.norm(nn.functional.gelu(self.dense(hidden)))
            return x @ embeddings.t() + self.bias

    return LMHead


def _multitask_model_class():
    from torch import nn

    TaskModel = _task_model_class()

    class MultiTaskModel(nn.Module):
        """One shared encoder, one head per task (X-STILTs multi-task intermediate training). Batches are
        single-task; `forward(task=name, ...)` routes to that task's head."""

        def __init__(self, encoder, specs: dict[str, HeadSpec]):
            super().__init__()
            self.encoder, self.specs = encoder, dict(specs)
            # Members share the encoder; only their heads are registered here, so every weight appears once.
            self._members = {name: TaskModel(encoder, spec) for name, spec in self.specs.items()}
            self.heads = nn.ModuleDict({name: m.head for name, m in self._members.items()})

        def train(self, mode: bool = True):
            super().train(mode)
            for member in self._members.values():
                member.dropout.train(mode)
            return self

        def forward(self, task: str, **batch):
            return self._members[task](**batch)

    return MultiTaskModel


def build_multitask_model(encoder_path: str | Path, specs: dict[str, HeadSpec], *, seed: int = 0):
    """A MultiTaskModel over the encoder at `encoder_path`, fresh heads (seeded)."""
    import torch

    encoder = load_encoder(_encoder_dir(encoder_path))
    torch.manual_seed(seed)
    return _multitask_model_class()(encoder, specs)


def load_encoder(path: str | Path, *, dtype=None):
    """Load an HF encoder folder (or hub id) without a pooler, in fp32 unless `dtype` says otherwise (training
    keeps fp32 master weights; transformers 5 would otherwise keep a checkpoint's stored dtype)."""
    import torch
    from transformers import AutoModel

    quiet_transformers()
    try:
        return AutoModel.from_pretrained(str(path), add_pooling_layer=False, dtype=dtype or torch.float32)
    except OSError as exc:
        raise ReplicationError(f"cannot load encoder {path}: {exc}") from exc


def load_tokenizer(path: str | Path):
    from transformers import AutoTokenizer

    quiet_transformers()
    try:
        return AutoTokenizer.from_pretrained(str(path))
    except OSError as exc:
        raise ReplicationError(f"cannot load tokenizer {path}: {exc}") from exc


def build_model(encoder_path: str | Path, spec: HeadSpec, *, seed: int = 0):
    """A TaskModel over the encoder at `encoder_path` (a base model folder or a checkpoint's encoder/) with a
    freshly initialised head (initialised from `seed` so two runs build identical heads)."""
    import torch

    encoder = load_encoder(_encoder_dir(encoder_path))
    torch.manual_seed(seed)
    return _task_model_class()(encoder, spec)


def transfer_encoder(checkpoint: str | Path, spec: HeadSpec, *, seed: int = 0):
    """Start the next phase from a trained checkpoint: its encoder weights only, a fresh `spec` head."""
    return build_model(Path(checkpoint) / "encoder", spec, seed=seed)


def _encoder_dir(path: str | Path) -> str:
    p = Path(path)
    return str(p / "encoder") if (p / "model.json").exists() and (p / "encoder").is_dir() else str(path)


def save_checkpoint(model, folder: str | Path, tokenizer=None, *, dtype: str = "float32") -> Path:
    """Write encoder/ (HF folder, safetensors), head.safetensors and model.json into `folder` (atomically).

    `dtype` bfloat16/float16 halves the encoder on disk (for models that are only evaluated: loading upcasts
    to fp32); the small head stays fp32."""
    import torch
    from safetensors.torch import save_file

    from synth.core.files import atomic_dir

    folder = Path(folder)
    with atomic_dir(folder) as tmp:
        if dtype == "float32":
            model.encoder.save_pretrained(tmp / "encoder")
        else:
            cast = getattr(torch, dtype)
            weights = {k: v.detach().to(cast) if v.is_floating_point() else v
                       for k, v in model.encoder.state_dict().items()}
            model.encoder.save_pretrained(tmp / "encoder", state_dict=weights)
        if tokenizer is not None:
            tokenizer.save_pretrained(tmp / "encoder")
        heads = model.heads if hasattr(model, "specs") else model.head
        head = {k: v.detach().cpu().contiguous() for k, v in heads.state_dict().items()}
        save_file(head, str(tmp / "head.safetensors"))
        info = ({"multitask": {n: asdict(s) for n, s in model.specs.items()}} if hasattr(model, "specs")
                else asdict(model.spec))
        (tmp / "model.json").write_text(json.dumps(info, indent=2, sort_keys=True) + "\n")
    return folder


def load_checkpoint(folder: str | Path):
    """A TaskModel exactly as saved by `save_checkpoint` (encoder + its trained head)."""
    from safetensors.torch import load_file

    folder = Path(folder)
    if not (folder / "model.json").exists():
        raise ReplicationError(f"not a checkpoint folder (no model.json): {folder}")
    from synth.core.jsonio import read_json

    info = read_json(folder / "model.json")  # a damaged or hostile model.json is one JsonError naming it
    if "multitask" in info:
        raise ReplicationError(f"{folder} is a multi-task checkpoint: start the next phase with transfer_encoder")
    import torch

    spec = HeadSpec(**info)
    # Upcast a bf16/fp16-saved encoder: evaluation runs in fp32 on CPU and under autocast on GPU.
    model = _task_model_class()(load_encoder(folder / "encoder", dtype=torch.float32), spec)
    if (folder / "head.safetensors").exists():
        model.head.load_state_dict(load_file(str(folder / "head.safetensors")))
    return model

