"""Typed step configs, step ids and step folders.

A step id is `<kind>-<16 hex>`: a sha256 over the step's resolved config — task(s) and their versions, data
identity (local file sizes and hashes, or pinned Hub commits), data limits, hyper-parameters, base model —
the code VERSION of its kind and its parents' ids. So an intermediate checkpoint is trained once and reused by
every target task, changing the data never reuses old results, and changing anything upstream changes every id
downstream. A step folder is complete when it holds DONE (written last, atomically).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from ..data.sources import DataRef

StepKind = Literal["intermediate", "target", "eval"]
Precision = Literal["auto", "bf16", "fp16", "no"]
ID_HEX = 16


class DataSettings(BaseModel):
    """What data a step reads and how much of it (the identity of the data itself is in `inputs`)."""

    model_config = ConfigDict(extra="forbid")

    profile: str
    data_dir: str | None = Field(None, description="local data folder (not hashed: the inputs' hashes are)")
    max_train_examples: int | None = None
    max_eval_examples: int | None = None


class TrainHyper(BaseModel):
    """Resolved hyper-parameters of one training phase (every field set)."""

    model_config = ConfigDict(extra="forbid")

    learning_rate: float
    warmup_ratio: float
    effective_batch: int
    batch_size: int = Field(description="per-device micro-batch")
    epochs: float
    max_length: int
    eval_every: int = Field(0, description="optimizer steps between dev evaluations; 0 = once per epoch")
    weight_decay: float = 0.01
    max_steps: int | None = None
    patience: int | None = None
    dev_examples: int | None = Field(None, description="English dev subset for model selection (None = all)")
    checkpoint_every: int = 500
    precision: Precision = Field("auto", description="autocast: auto = bf16 on GPUs that support it (fp16 with "
                                 "loss scaling on older ones), none on CPU; bf16 = also on CPU")
    selection: Literal["best_dev", "final"] = Field("best_dev", description="weights kept: best English dev "
                                                    "score, or the final step's (no dev evaluation)")
    dev_subset: Literal["first", "sample"] = Field("sample", description="dev_examples: the first N rows, or a "
                                                   "seeded stratified sample")


class Mixing(BaseModel):
    """How a multi-task step samples its tasks, and which of the experiment's tasks it could not include."""

    model_config = ConfigDict(extra="forbid")

    sampling: Literal["examples_proportional"] = "examples_proportional"
    cap_examples: int | None = Field(None, description="K: a task contributes min(n, K) examples per epoch")
    missing: dict[str, str] = Field(default_factory=dict, description="task -> why it is not in the mixture")


class TrainStepConfig(BaseModel):
    """An intermediate or target training step."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["intermediate", "target"]
    version: int
    task: str = Field(description="the task, or '+'-joined tasks of a multi-task mixture")
    tasks: list[str]
    task_versions: dict[str, int]
    task_type: str
    examples: int | None = Field(None, description="training-set size of a data-volume point (None = all)")
    seed: int
    data: DataSettings
    hyper: TrainHyper
    train_inputs: dict[str, list[DataRef]] = Field(description="task -> refs of its training split")
    dev_inputs: dict[str, list[DataRef]] = Field(default_factory=dict, description="task -> English dev refs")
    checkpoint_dtype: Literal["float32", "bfloat16", "float16"] = "float32"
    parents: list[str] = Field(default_factory=list)
    base_model: str | None = Field(None, description="set on steps without parents")
    mixing: Mixing | None = Field(None, description="multi-task steps: sampling rule, cap, missing tasks")


class EvalStepConfig(BaseModel):
    """A zero-shot evaluation of one target over its languages."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["eval"]
    version: int
    target: str
    task_version: int
    task_type: str
    languages: list[str]
    split: Literal["validation", "test"] = Field(description="split asked for (per-language fallbacks in inputs)")
    inputs: dict[str, DataRef] = Field(description="language -> the split read, with its source and identity")
    metrics: list[str]
    data: DataSettings
    retrieval_layer: int | None = Field(None, description="hidden_states index mean-pooled by retrieval targets "
                                        "(0 = embeddings; 13 = output of the 13th transformer layer)")
    threshold_inputs: dict[str, DataRef] = Field(default_factory=dict, description="BUCC: language -> the dev "
                                                 "split whose best-F1 mining threshold is applied to this split")
    experiment: str = Field(description="eval steps are cheap: one results document per experiment")
    max_length: int
    precision: Precision = Field("auto", description="inference autocast (as TrainHyper.precision)")
    parents: list[str] = Field(default_factory=list)
    base_model: str | None = None


StepConfig = Annotated[Union[TrainStepConfig, EvalStepConfig], Field(discriminator="kind")]
_ADAPTER: TypeAdapter = TypeAdapter(StepConfig)


def parse_step_config(data: dict) -> TrainStepConfig | EvalStepConfig:
    """A step config from its JSON form (step.json, a Ray task's arguments)."""
    return _ADAPTER.validate_python(data)


def config_identity(config: TrainStepConfig | EvalStepConfig) -> dict:
    """What the id hashes: the whole config except where the data lives and file mtimes. Precision 'auto' is
    left out (the hardware's choice, as before the field existed); an explicit precision is hashed."""
    data = config.model_dump(mode="json", exclude={"data": {"data_dir"}})
    for holder in (data, data.get("hyper") or {}):
        if holder.get("precision") == "auto":
            holder.pop("precision")
        # fields added later are hashed only when set away from the behaviour that predates them
        for key, default in _LATER_DEFAULTS.items():
            if key in holder and holder[key] == default:
                holder.pop(key)
    for key in ("train_inputs", "dev_inputs"):
        for refs in data.get(key, {}).values():
            for ref in refs:
                ref.pop("mtime", None)
    for ref in [*data.get("inputs", {}).values(), *data.get("threshold_inputs", {}).values()]:
        ref.pop("mtime", None)
    return data


_LATER_DEFAULTS = {"selection": "best_dev", "dev_subset": "sample", "mixing": None, "threshold_inputs": {}}


def step_id_for(config: TrainStepConfig | EvalStepConfig) -> str:
    """`<kind>-<16 hex>` of a config."""
    payload = json.dumps(config_identity(config), sort_keys=True, separators=(",", ":"))
    return f"{config.kind}-{hashlib.sha256(payload.encode('utf-8')).hexdigest()[:ID_HEX]}"


@dataclass
class Step:
    """One unit of work. `config` is what the id hashes; `meta` says where the step sits in the grid."""

    id: str
    kind: str
    config: TrainStepConfig | EvalStepConfig
    parents: list[str]
    meta: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        m = self.meta
        if self.kind == "eval":
            split = "" if self.config.split == "validation" else f" [{self.config.split}]"
            return (f"eval {m['target']}{split} <- {m['intermediate'] or 'baseline'} (n={m['examples'] or 'full'}, "
                    f"seed {m['seed']})")
        c = self.config
        return f"{self.kind} {c.task} (n={c.examples or 'full'}, seed {c.seed})"

    def as_json(self) -> dict:
        """The JSON form written to step.json and passed to Ray workers."""
        return {"id": self.id, "kind": self.kind, "config": self.config.model_dump(mode="json"),
                "parents": self.parents, "meta": self.meta}

    @classmethod
    def from_json(cls, data: dict) -> "Step":
        return cls(data["id"], data["kind"], parse_step_config(data["config"]), list(data["parents"]),
                   dict(data.get("meta") or {}))


def step_dir(runs: Path, step_id: str) -> Path:
    return Path(runs) / step_id


def is_done(runs: Path, step_id: str) -> bool:
    return (step_dir(runs, step_id) / "DONE").exists()


def load_step(folder: Path) -> Step:
    """The step recorded in a step folder's step.json."""
    from synth.core.jsonio import read_json

    return Step.from_json(read_json(Path(folder) / "step.json"))
