"""The ML/NLP name gazetteer (synth/core/gazetteer.yaml): its schema and loader. Shared data: claims use it to find
named things in text, the table reader to tell a metric's header from a dataset's."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

GAZETTEER_PATH = Path(__file__).resolve().parent / "gazetteer.yaml"
CATEGORIES = ("benchmarks", "tasks", "datasets", "models", "metrics", "languages")
Category = Literal["benchmarks", "tasks", "datasets", "models", "metrics", "languages"]


def _compiles(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"pattern {pattern!r} does not compile: {exc}") from exc
    return pattern


RegexText = Annotated[str, AfterValidator(_compiles)]


class GazetteerEntry(BaseModel):
    """One canonical name and the surface forms that mean it."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    aliases: list[str] = Field(min_length=1)
    ignore_case: bool = False


# A name the gazetteer does not list: two capitals, or a capital and a digit ("IMDb", "CoNLL-2014", "SimCSE").
NAME = r"(?<![\w@-])(?=[\w.+/-]*[A-Z][\w.+/-]*[A-Z0-9])[A-Z][\w.+/-]*[A-Za-z0-9+]"


def _has_name_group(pattern: str) -> str:
    compiled = re.compile(pattern.replace("{NAME}", NAME))
    if "name" not in compiled.groupindex:
        raise ValueError(f"context pattern {pattern!r} has no (?P<name>...) group")
    return pattern


class ContextRule(BaseModel):
    """A name recognised by the words around it; `{NAME}` in the pattern stands for the name shape."""

    model_config = ConfigDict(extra="forbid")
    category: Category
    pattern: Annotated[str, AfterValidator(_has_name_group)]


class GazetteerFile(BaseModel):
    """synth/core/gazetteer.yaml."""

    model_config = ConfigDict(extra="forbid")
    schema_: Literal[1] = Field(1, alias="schema")
    benchmarks: list[GazetteerEntry] = Field(default_factory=list)
    tasks: list[GazetteerEntry] = Field(default_factory=list)
    datasets: list[GazetteerEntry] = Field(default_factory=list)
    models: list[GazetteerEntry] = Field(default_factory=list)
    metrics: list[GazetteerEntry] = Field(default_factory=list)
    languages: list[GazetteerEntry] = Field(default_factory=list)
    patterns: dict[Category, list[RegexText]] = Field(default_factory=dict)
    context: list[ContextRule] = Field(default_factory=list)



def load_gazetteer_file(path: str | Path = GAZETTEER_PATH) -> GazetteerFile:
    """Read and validate a gazetteer YAML file; raises ConfigError with file:line on problems."""
    from synth.core.yamlio import load_yaml_validated

    return load_yaml_validated(Path(path), GazetteerFile)
