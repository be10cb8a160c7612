"""Citations in table rows and captions, and the compared papers they name.

'Zhang and Yang (2018)', '(Zhang and Yang, 2018)' and 'Zhang and Yang (2018a)' are one key ('zhang&yang 2018');
a paper of the study is cited by its authors' surnames and year (from its metadata), so a row citing it is that
paper's own model; a row made of the paper's own title words ('Lattice' in 'Chinese NER Using Lattice LSTM') is
its own model too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from synth.core.models import PaperMeta

MARKS = "*†‡§¶♣♡♠♦♢♥"
_MARKS = re.compile(f"[{re.escape(MARKS)}]+")
_STOP_TITLE = frozenset("""a an the and or of for in on with to from by via using towards toward through into
over under is are what how does do when neural model models learning network networks""".split())
NAME = r"[A-Z][\w'’\-]+(?:\s[A-Z][\w'’\-]+)?"
CITATION = re.compile(rf"(?P<names>{NAME}(?:\s+et\s+al\.?|\s+(?:and|&)\s+{NAME})?)\s*[,(]?\s*"
                       rf"(?P<year>(?:19|20)\d\d)[a-z]?\)?")


def strip_marks(label: str) -> str:
    return " ".join(_MARKS.sub(" ", label).split())


def model_key(label: str) -> str:
    """'BERTLARGE' = 'BERT-Large' = 'BERT-large' = 'BERT large*' → 'bertlarge'; citations → 'zhang&yang 2018'."""
    label = strip_marks(label)
    cite = citation_key(label)
    if cite and CITATION.fullmatch(label.strip("() ")):
        return cite
    return re.sub(r"[\s\-_.’']+", "", label.lower())


def citation_key(text: str) -> str | None:
    """'Zhang and Yang (2018)' / '(Zhang and Yang, 2018)' → 'zhang&yang 2018'; 'Chen et al. (2006a)' → 'chen+
    2006a' (the year's letter tells two papers apart; synthesis.unify_citations matches 'chen+ 2006' to it)."""
    m = CITATION.search(text)
    if not m:
        return None
    names = m.group("names")
    if re.search(r"et\s+al", names):
        who = names.split()[0].lower() + "+"
    elif re.search(r"\s(?:and|&)\s", names):
        a, b = re.split(r"\s+(?:and|&)\s+", names, maxsplit=1)
        who = f"{a.split()[-1].lower()}&{b.split()[-1].lower()}"
    else:
        who = names.split()[-1].lower()
    letter = re.search(r"(?:19|20)\d\d([a-z])", m.group(0))
    return f"{who} {m.group('year')}{letter.group(1) if letter else ''}"


def citation_text(text: str) -> str | None:
    """'Chen et al. (2006a)' → 'Chen et al., 2006a' (the citation as one would write it in prose)."""
    m = CITATION.search(text)
    if not m:
        return None
    year = re.search(r"(?:19|20)\d\d[a-z]?", m.group(0)).group(0)
    return f"{' '.join(m.group('names').split())}, {year}"


def paper_citation_keys(meta: PaperMeta) -> set[str]:
    """How other papers cite `meta` ('zhang&yang 2018', 'zhang+ 2018'), from its authors and year."""
    year = (meta.published or "")[:4]
    if not meta.authors or not year.isdigit():
        return set()
    keys = _author_keys(meta, year)
    return keys | {f"{k}{letter}" for k in keys for letter in "abcd"}  # 'Zhang and Yang (2018a)' is it too


def _author_keys(meta: PaperMeta, year: str) -> set[str]:
    surnames = [a.replace(",", " ").split()[-1].lower() for a in meta.authors if a.strip()]
    if len(surnames) == 1:
        return {f"{surnames[0]} {year}"}
    if len(surnames) == 2:
        return {f"{surnames[0]}&{surnames[1]} {year}"}
    return {f"{surnames[0]}+ {year}"}


def title_words(meta: PaperMeta) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z][\w\-]+", meta.title)
            if w.lower() not in _STOP_TITLE and len(w) >= 3}


@dataclass
class Study:
    """What the compared papers know of each other: citation key → paper id, and each paper's title words (a
    row named by them, 'Lattice' in 'Chinese NER Using Lattice LSTM', is the paper's own model)."""

    cited: dict[str, str] = field(default_factory=dict)
    titles: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, papers: list[PaperMeta]) -> Study:
        study = cls()
        for meta in papers:
            for key in paper_citation_keys(meta):
                study.cited.setdefault(key, meta.id)
            study.titles[meta.id] = title_words(meta)
        return study
