"""The base of every on-disk model: unknown keys are errors, not silently dropped."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PaperLocation(Strict):
    """A place in a paper: paper@version, page, section path, char span in that page's text."""

    paper: str
    version: int | None = None
    page: int | None = None
    section: list[str] = Field(default_factory=list)
    start: int | None = None
    end: int | None = None
