"""Language metadata for the 50 XTREME-R languages: ISO codes, names, scripts, Joshi et al. (2020) classes."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from synth.core.errors import ConfigError

LANGUAGES_FILE = Path(__file__).resolve().parents[1] / "languages.yaml"


class Language(BaseModel):
    """One language: ISO 639-1 code, English name, ISO 15924 script and Joshi et al. (2020) resource class."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(description="ISO 639-1 code, e.g. 'de'.")
    name: str = Field(description="English name.")
    script: str = Field(description="ISO 15924 script code, e.g. 'Latn'.")
    resource_class: int = Field(ge=0, le=5, alias="class", description="Joshi et al. (2020) class, 0-5.")
    iso639_3: str = Field(description="ISO 639-3 code (Tatoeba file names use it).")
    family: str = Field(description="Language family (for grouping and plots).")


class LanguageGroup(BaseModel):
    """A named set of languages: either by resource class or by explicit membership."""

    model_config = ConfigDict(extra="forbid")

    description: str
    classes: list[Literal[0, 1, 2, 3, 4, 5]] | None = None
    members: list[str] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> "LanguageGroup":
        if (self.classes is None) == (self.members is None):
            raise ValueError("a group has exactly one of `classes` or `members`")
        return self


class LanguagesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1]
    languages: dict[str, dict]
    groups: dict[str, LanguageGroup]


@lru_cache(maxsize=4)
def _load(path: Path) -> tuple[dict[str, Language], dict[str, LanguageGroup]]:
    from ruamel.yaml import YAML

    try:
        raw = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
        parsed = LanguagesFile.model_validate(raw)
        languages = {code: Language(code=code, **fields) for code, fields in parsed.languages.items()}
    except Exception as exc:  # YAML syntax or pydantic validation
        raise ConfigError(f"{path}: invalid languages file: {exc}") from exc
    for name, grp in parsed.groups.items():
        unknown = sorted(set(grp.members or []) - set(languages))
        if unknown:
            raise ConfigError(f"{path}: group {name!r} names unknown languages: {', '.join(unknown)}")
    return languages, parsed.groups


def load_languages(path: Path | None = None) -> dict[str, Language]:
    """All languages by ISO 639-1 code, from languages.yaml."""
    return dict(_load(path or LANGUAGES_FILE)[0])


def get_language(code: str) -> Language:
    """One language by code; ConfigError naming the known codes when unknown."""
    languages = load_languages()
    if code not in languages:
        raise ConfigError(f"unknown language {code!r}", hint=f"known: {', '.join(sorted(languages))}")
    return languages[code]


def group(name: str) -> list[str]:
    """Sorted language codes of a named group (e.g. 'low_resource' = Joshi classes 0-2)."""
    languages, groups = _load(LANGUAGES_FILE)
    if name not in groups:
        raise ConfigError(f"unknown language group {name!r}", hint=f"known: {', '.join(sorted(groups))}")
    grp = groups[name]
    if grp.members is not None:
        return sorted(grp.members)
    return sorted(code for code, lang in languages.items() if lang.resource_class in set(grp.classes or []))
