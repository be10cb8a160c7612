"""Per-language covariates of the data-volume analysis (replicate/language_covariates.yaml): sub-word fertility
of the XLM-R SentencePiece vocabulary and syntactic distance to English. Resource class is confounded with
both, so synth.replicate.study.statistics adjusts the group comparison for them."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from synth.core.errors import ConfigError

COVARIATES_FILE = Path(__file__).resolve().parents[1] / "language_covariates.yaml"


class LanguageCovariates(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fertility: float = Field(gt=0, description="XLM-R SentencePiece sub-words per word")
    fertility_text: str = Field(description="where the words were counted")
    syntactic_distance_en: float = Field(ge=0, le=1, description="cosine distance of URIEL syntax_knn vectors")


class CovariatesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1]
    generated_by: str
    sources: dict[str, str] = Field(description="covariate -> how it was computed and from what (cited)")
    languages: dict[str, LanguageCovariates]


@lru_cache(maxsize=2)
def load_covariates(path: Path = COVARIATES_FILE) -> CovariatesFile:
    """The covariates file, validated; ConfigError naming the file on any problem."""
    from ruamel.yaml import YAML

    try:
        return CovariatesFile.model_validate(YAML(typ="safe").load(Path(path).read_text(encoding="utf-8")))
    except Exception as exc:
        raise ConfigError(f"{path}: invalid language covariates: {exc}") from exc


def covariate_pairs(path: Path = COVARIATES_FILE) -> dict[str, tuple[float, float]]:
    """language -> (fertility, syntactic distance to English), the form synth.replicate.study.statistics takes."""
    return {code: (c.fertility, c.syntactic_distance_en) for code, c in load_covariates(path).languages.items()}


CC100_FILE = Path(__file__).resolve().parents[1] / "cc100_sizes.yaml"


def cc100_log_sizes(path: Path = CC100_FILE) -> dict[str, float]:
    """language -> log10 of its CC-100 size in GiB, for the languages whose size has been transcribed (a null is
    not yet transcribed, or absent from CC-100: left out)."""
    import math

    from ruamel.yaml import YAML

    try:
        data = YAML(typ="safe").load(Path(path).read_text(encoding="utf-8"))
    except Exception as exc:
        raise ConfigError(f"{path}: cannot read CC-100 sizes: {exc}") from exc
    sizes = (data or {}).get("gib") or {}
    return {lang: math.log10(float(gib)) for lang, gib in sizes.items() if gib is not None and float(gib) > 0}
