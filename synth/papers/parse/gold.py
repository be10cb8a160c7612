"""Parse gold of the corpus papers (tests/data/parse/parse_gold_{dev,test}.yaml) and how a parse is scored on it.

The gold names a paper's headings, a random sample of its sentences (each with the heading it sits under) and text
from inside its tables and figures. A parse is scored on: headings found and invented, where the appendix starts,
sentences read whole, sentences filed under the right heading, and float text read into a sentence. Texts compare
on their letters and digits only, so hyphenation choices, spacing and accents do not count.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from synth.core.models import Section, Sentence


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GoldSentence(_Strict):
    page: int
    section: str | None = Field(description="the last heading the sentence sits under; null for captions")
    text: str
    alt: list[str] = Field(default_factory=list, description="other readings that also count as whole")


class GoldParsePaper(_Strict):
    paper: str = Field(description="file name in ../shared/corpus")
    appendix: str | None = Field(description="the first heading of the appendix; null when there is none")
    headings: list[str]
    sentences: list[GoldSentence]
    not_in_sentences: list[str] = Field(default_factory=list)


class GoldParseFile(_Strict):
    schema_: Literal[1] = Field(1, alias="schema")
    split: Literal["dev", "test"]
    papers: list[GoldParsePaper]


def load_parse_gold(path: str | Path) -> GoldParseFile:
    from synth.core.yamlio import load_yaml_validated

    return load_yaml_validated(Path(path), GoldParseFile)


def key(text: str) -> str:
    """Letters and digits only, lower case, accents dropped: what two readings of one text share."""
    decomposed = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", decomposed.lower())


@dataclass
class ParseScore:
    paper: str
    headings: int = 0
    headings_found: int = 0
    parsed_headings: int = 0
    parsed_headings_right: int = 0
    appendix_right: bool = True
    sentences: int = 0
    whole: int = 0
    sectioned: int = 0  # gold sentences with a section to check
    section_right: int = 0
    floats: int = 0
    leaked: int = 0
    notes: list[str] = field(default_factory=list)


def section_label(section: Section) -> str:
    return f"{section.number} {section.title}" if section.number else section.title


def score_parse(gold: GoldParsePaper, sections: list[Section], sentences: list[Sentence]) -> ParseScore:
    """Score one parsed paper against its gold (see the module docstring)."""
    score = ParseScore(gold.paper)
    gold_keys = [key(h) for h in gold.headings]
    parsed_keys = [key(section_label(s)) for s in sections]
    score.headings = len(gold_keys)
    score.headings_found = sum(k in parsed_keys for k in gold_keys)
    score.parsed_headings = len(parsed_keys)
    score.parsed_headings_right = sum(k in gold_keys for k in parsed_keys)
    score.notes += [f"missed heading {h!r}" for h, k in zip(gold.headings, gold_keys) if k not in parsed_keys]
    score.notes += [f"invented heading {section_label(s)!r} (p. {s.page})"
                    for s, k in zip(sections, parsed_keys) if k not in gold_keys]
    first_appendix = next((section_label(s) for s in sections if s.kind == "appendix"), None)
    score.appendix_right = (key(first_appendix) if first_appendix else None) == (
        key(gold.appendix) if gold.appendix else None)
    if not score.appendix_right:
        score.notes.append(f"appendix starts at {first_appendix!r}, not {gold.appendix!r}")

    texts = [(s, key(s.text)) for s in sentences if s.kind != "references"]
    for g in gold.sentences:
        score.sentences += 1
        wanted = {key(g.text), *(key(a) for a in g.alt)}
        match = next((s for s, k in texts if k in wanted), None)
        if match is not None:
            score.whole += 1
        else:
            head = key(g.text)[:40]
            match = next((s for s, k in texts if head and head in k), None)
            score.notes.append(f"broken p.{g.page}: {g.text[:60]!r} → "
                               f"{(match.text[:90] if match else 'not found')!r}")
        if g.section is not None:
            score.sectioned += 1
            got = match.section[-1] if match is not None and match.section else None
            if got is not None and key(got) == key(g.section):
                score.section_right += 1
            else:
                score.notes.append(f"section p.{g.page}: {g.text[:40]!r} under {got!r}, not {g.section!r}")
    for fragment in gold.not_in_sentences:
        score.floats += 1
        k = key(fragment)
        hit = next((s for s, t in texts if k in t), None)
        if hit is not None:
            score.leaked += 1
            score.notes.append(f"float text in a sentence p.{hit.page}: {hit.text[:90]!r}")
    return score


def total(scores: list[ParseScore]) -> dict[str, float | int]:
    """Counts summed over papers, and the rates bench/bench_parse.py reports."""
    s = {name: sum(getattr(x, name) for x in scores) for name in (
        "headings", "headings_found", "parsed_headings", "parsed_headings_right", "sentences", "whole",
        "sectioned", "section_right", "floats", "leaked")}
    s["appendix_right"] = sum(x.appendix_right for x in scores)
    s["papers"] = len(scores)
    return s
