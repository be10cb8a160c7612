"""Hand-marked samples of parsed sentences (tests/data/parse/sentence_sample.yaml): drawing and scoring.

A sample is drawn with a fixed seed from one parser's sentences of one PDF (reference entries left out: they are
split into entries, not sentences), and a person marks each sentence `whole` (exactly one complete sentence of
the paper, nothing spliced in, nothing cut, no footnote marker glued to a word) and `section_right` (the last
element of its section path is the heading it sits under in reading order; floats count under the section they
appear in). The broken-sentence rate and the section accuracy are read off the marks.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Literal

from pydantic import Field

from synth.core.models import Sentence
from synth.core.models.base import Strict


class MarkedSentence(Strict):
    """One sampled sentence as the parser produced it, with the hand marks."""

    idx: int = Field(ge=0, description="the sentence's index in that parser's output")
    page: int
    section: list[str]
    kind: str
    text: str
    whole: bool = Field(description="exactly one complete sentence: nothing spliced in, nothing cut")
    section_right: bool = Field(description="the section path ends in the heading the sentence sits under")
    note: str = Field("", description="why it is broken or what is odd about it")


class MarkedSample(Strict):
    """A seeded sample of one parser's sentences of one paper."""

    paper: str = Field(description="PDF file name in ../shared/corpus")
    parser: str = Field(description="the parser that produced the sentences, e.g. 'pypdf-7.1.1+synth-1'")
    role: Literal["before", "after"] = Field(description="before: the parser issue 12 replaced; after: its successor")
    seed: int
    population: int = Field(ge=1, description="non-reference sentences the sample was drawn from")
    sentences: list[MarkedSentence] = Field(min_length=1)

    @property
    def broken_rate(self) -> float:
        return sum(not s.whole for s in self.sentences) / len(self.sentences)

    @property
    def section_accuracy(self) -> float:
        return sum(s.section_right for s in self.sentences) / len(self.sentences)


class SampleFile(Strict):
    """tests/data/parse/sentence_sample.yaml."""

    schema_: Literal[1] = Field(1, alias="schema")
    samples: list[MarkedSample]


def load_samples(path: str | Path) -> SampleFile:
    """Read and validate a marked-sample file (ConfigError with file:line on problems)."""
    from synth.core.yamlio import load_yaml_validated

    return load_yaml_validated(Path(path), SampleFile)


def draw_sample(sentences: list[Sentence], n: int, seed: int) -> list[Sentence]:
    """`n` sentences (not reference entries) drawn with `seed`, in text order."""
    population = [s for s in sentences if s.kind != "references"]
    picked = random.Random(seed).sample(population, min(n, len(population)))
    return sorted(picked, key=lambda s: s.idx)
