"""Section headings in the text layer: numbered ("3.2 Results", "II. Method"), named ("Abstract", "References")
and appendix ("A Details").

A numbered line only counts as a heading when its number continues the document's numbering (1 → 2 → 2.1 →
3 ...): this is what keeps wrapped body lines that happen to start with a number ("3 Tests are ...") out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

NAMED = {
    "abstract": "front",
    "introduction": "body",
    "background": "body",
    "related work": "body",
    "method": "body",
    "methods": "body",
    "experiments": "body",
    "results": "body",
    "discussion": "body",
    "conclusion": "body",
    "conclusions": "body",
    "limitations": "body",
    "ethics statement": "body",
    "ethical considerations": "body",
    "broader impact": "body",
    "acknowledgments": "body",
    "acknowledgements": "body",
    "acknowledgment": "body",
    "acknowledgement": "body",
    "references": "references",
    "bibliography": "references",
    "appendix": "appendix",
    "appendices": "appendix",
    "supplementary material": "appendix",
}
NUMBERED = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(?P<title>[A-Z][^\n]{0,90})$")
ROMAN = re.compile(r"^(?P<num>[IVX]{1,5})\.\s+(?P<title>[A-Z][^\n]{0,90})$")  # IEEE style "II. RELATED WORK"
ROMAN_VALUES = {r: i for i, r in enumerate(
    "I II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI XVII XVIII XIX XX".split(), start=1)}
LETTERED = re.compile(r"^(?:Appendix\s+)?(?P<num>[A-H](?:\.\d{1,2}){0,2})\.?\s+(?P<title>[A-Z][^\n]{0,90})$")


@dataclass
class Heading:
    number: str | None
    title: str
    level: int
    kind: str

    @property
    def label(self) -> str:
        return f"{self.number} {self.title}" if self.number else self.title


@dataclass
class HeadingTracker:
    """Stateful detector: feed lines in reading order; `path` is the current section path."""

    last_number: tuple[int, ...] = ()
    last_letter: tuple[str, ...] = ()
    kind: str = "front"
    stack: list[Heading] = field(default_factory=list)

    _path: list[str] = field(default_factory=list)

    @property
    def path(self) -> list[str]:
        """Labels from the top level down; a new list object only when a heading changes it."""
        return self._path

    def detect(self, line: str) -> Heading | None:
        """The heading this line starts, or None; updates the section path when it is one."""
        heading = self._match(line)
        if heading is None:
            return None
        self.kind = heading.kind
        while self.stack and self.stack[-1].level >= heading.level:
            self.stack.pop()
        self.stack.append(heading)
        self._path = [h.label for h in self.stack]
        return heading

    def extend_heading(self, heading: Heading | None, more: str) -> None:
        """A heading's title goes on over the next line: extend it and the section path."""
        if heading is None:
            return
        heading.title = f"{heading.title} {more}".strip()
        self._path = [h.label for h in self.stack]

    def _match(self, line: str) -> Heading | None:
        if len(line) > 100:
            return None
        named = line.rstrip(".:").strip()
        kind = NAMED.get(named.lower())
        if kind is not None and named[0].isupper():
            # After the references only appendix-like and acknowledgement headings can start.
            if self.kind not in ("references", "appendix") or kind == "appendix" or named.lower().startswith("ackn"):
                return Heading(None, named, 1, kind)
            return None
        m = NUMBERED.match(line)
        if m and self.kind != "references" and _looks_like_title(m["title"]):
            number = tuple(int(p) for p in m["num"].split("."))
            if _continues(self.last_number, number):
                self.last_number = number
                kind = "appendix" if self.kind == "appendix" else "body"
                return Heading(m["num"], m["title"].strip(), len(number), kind)
        m = ROMAN.match(line)
        if m and self.kind != "references" and m["num"] in ROMAN_VALUES and _looks_like_title(m["title"]):
            number = (ROMAN_VALUES[m["num"]],)
            if _continues(self.last_number, number):
                self.last_number = number
                return Heading(m["num"], m["title"].strip(), 1, "body")
        m = LETTERED.match(line)
        if m and self.kind in ("references", "appendix") and _looks_like_title(m["title"]):
            parts = tuple(m["num"].split("."))
            if _continues_letter(self.last_letter, parts):
                self.last_letter = parts
                return Heading(m["num"], m["title"].strip(), len(parts), "appendix")
        return None


def _looks_like_title(title: str) -> bool:
    """Short, no sentence-final punctuation, mostly words (not a table row or a wrapped sentence)."""
    words = title.split()
    if not words or len(words) > 12 or title.rstrip()[-1] in ".,;:-":
        return False
    numeric = sum(1 for w in words if re.fullmatch(r"[\d.,%±]+", w))
    if numeric > 1:
        return False
    lower_words = sum(1 for w in words[1:] if w[0].islower() and len(w) > 3)
    # Title case or a short sentence-case heading; long lower-case runs are wrapped body text.
    return lower_words <= 4


def _continues(prev: tuple[int, ...], new: tuple[int, ...]) -> bool:
    """Whether `new` is a plausible next section number after `prev` (first heading: 1 or 2)."""
    if not prev:
        return new in ((1,), (2,))
    if len(new) == 1:
        return new[0] == prev[0] + 1
    parent, last = new[:-1], new[-1]
    if parent == prev[: len(parent)]:
        # Next sibling, or first child of the current section.
        same_depth = prev[: len(new)]
        return (len(prev) >= len(new) and last == same_depth[-1] + 1) or (len(prev) < len(new) and last == 1)
    # A subsection of the next top-level section whose own heading we missed.
    return len(new) == 2 and new[0] == prev[0] + 1 and last == 1


def _continues_letter(prev: tuple[str, ...], new: tuple[str, ...]) -> bool:
    if not prev:
        return new[0] == "A" and (len(new) == 1 or new[1:] == ("1",))
    if len(new) == 1:
        return ord(new[0]) == ord(prev[0]) + 1
    if new[0] == prev[0]:
        prev_sub = int(prev[1]) if len(prev) > 1 else 0
        return int(new[1]) == prev_sub + 1
    return ord(new[0]) == ord(prev[0]) + 1 and new[1] == "1"
