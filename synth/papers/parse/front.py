"""Title and authors from the first page's layout: the title is the largest type in the top part of page 1, the
authors the name lines set under it (before affiliations, e-mail addresses and the abstract).

Used for local PDFs, whose document information rarely carries a usable title and never the authors; papers
fetched from arXiv take both from arXiv's metadata instead.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from synth.papers.parse.layout import Line

MARKS = re.compile(r"[*∗†‡§¶♠♢♡♣♦♥⋆★◦•\u2020\u2021]|\d|\{|\}|\^")
AFFILIATION = re.compile(r"@|\b(?:University|Universit[äy]|Institute|Inst\.|Laborator(?:y|ies)|Lab|Department|"
                         r"Dept|College|School|Center|Centre|Research|Inc\.?|Ltd|Corporation|Academy|Google|"
                         r"Microsoft|Facebook|Meta|Amazon|IBM|NVIDIA|Allen|AI2|Email|www\.|http|Academia|ETH|"
                         r"Heights|USA|China|Germany|Japan|Korea|France|Italy|Spain|Canada|Israel|India|UK)\b", re.I)
STOP = re.compile(r"^(?:abstract|introduction|\d+\s+introduction)\b", re.I)
NAME_WORD = re.compile(r"^(?:[A-Z][\w'’.\-]*|de|van|von|der|den|da|di|la|le|du|dos|del|bin)$")
TOP_SHARE = 0.45  # the title block lies in the top part of page 1


@dataclass(frozen=True)
class FrontMatter:
    title: str
    authors: list[str]


def read_front_matter(lines: list[Line], page_height: float | None) -> FrontMatter | None:
    """Title and authors of page 1 (its cleaned lines with layout), or None when the layout shows no title."""
    laid = [ln for ln in lines if ln.has_layout and ln.upright and ln.size and ln.text.strip()]
    if not laid:
        return None
    height = page_height or max(ln.y for ln in laid) + 72
    sizes = Counter()
    for ln in laid:
        sizes[round(ln.size, 1)] += len(ln.text)
    body = sizes.most_common(1)[0][0]
    # a figure label set large ("positive") is not a title: a title has words
    top = [ln for ln in laid if ln.y > (1 - TOP_SHARE) * height and len(ln.text.split()) >= 2]
    if not top:
        return None
    bold = [ln for ln in top if ln.bold and ln.size >= body + 1.0]
    pool = bold or top  # titles are set bold where anything is: large figure text is not
    biggest = max(ln.size for ln in pool)
    if biggest < body + 1.0:
        return None
    first = next(i for i, ln in enumerate(laid) if ln in pool and ln.size == biggest)
    title_lines = [laid[first]]
    for ln in laid[first + 1:]:
        prev = title_lines[-1]
        if abs(ln.size - biggest) <= 0.3 and 0 < prev.y - ln.y <= 2.0 * biggest:
            title_lines.append(ln)
        else:
            break
    title = _join(ln.text for ln in title_lines)
    below = laid[first + len(title_lines):]
    return FrontMatter(title, _authors(below, body))


def _join(parts) -> str:
    text = ""
    for part in parts:
        part = part.strip()
        if text.endswith("-") and part[:1].islower():
            text = text[:-1] + part
        else:
            text = f"{text} {part}".strip()
    return text


def _authors(lines: list[Line], body: float) -> list[str]:
    """Names from the lines under the title: up to the abstract, skipping affiliation and e-mail lines."""
    block: list[Line] = []
    for ln in lines[:16]:
        if STOP.match(ln.text.strip()):
            break
        block.append(ln)
    # e-mail and affiliation lines set smaller are skipped, not an end: each author's block may follow the name
    block = [ln for ln in block if not (ln.size is not None and ln.size < body - 0.3)]
    if any(ln.bold for ln in block):  # names set bold, affiliations plain (ACL style): the bold lines only
        block = [ln for ln in block if ln.bold]
    names: list[str] = []
    for ln in block:
        text = ln.text.strip()
        if AFFILIATION.search(text):
            continue
        pieces = [t for _, t in ln.cells] if len(ln.cells) > 1 else [text]
        found = [n for piece in pieces for n in _names(piece)]
        names += [n for n in found if n not in names]
    return names


def _names(piece: str) -> list[str]:
    """'Jason Phang1, Iacer Calixto2 and Phu Mon Htut' → the names; [] when the text does not read as names."""
    cleaned = MARKS.sub(" ", piece)
    out = []
    for chunk in re.split(r",|;|\band\b|&|\s{2,}", cleaned):
        words = chunk.split()
        if not words:
            continue
        if 2 <= len(words) <= 5 and all(NAME_WORD.match(w) for w in words) and words[-1][0].isupper():
            out.append(" ".join(words))
        elif len(words) > 5 and all(NAME_WORD.match(w) for w in words):
            return []  # a title-cased sentence, not a list of names
    return out
