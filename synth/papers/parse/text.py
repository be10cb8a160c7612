"""Text cleaning shared by the parser: normalisation, page furniture, dehyphenation and the vocabulary it uses.

(How lines become paragraphs, sentences and page texts: synth.papers.parse.assemble.)

Page furniture: edge lines repeated on many pages once digits are masked (running headers and footers), bare
page numbers whose offset to the physical page is shared (kept as `Page.printed_number`), proceedings/copyright
stamps on the first page's edges and the arXiv stamp anywhere on page 1.

Dehyphenation rule for a line ending in "<x>-" followed by a line starting with "<y>" (x, y letters):
keep the hyphen ("zero-shot") when
  1. the fragment before or after the break is itself a compound ("end-to-" + "end", "train-" + "validation-test"),
  2. "<x>-<y>" occurs elsewhere in the document with its hyphen, or
otherwise join ("eval-" + "uated" -> "evaluated") when
  3. "<x><y>" occurs elsewhere in the document;
otherwise keep the hyphen when
  4. y starts upper-case ("XLM-" + "R", "non-" + "English"), or x has a digit or two capitals ("STILTs-style"),
  5. x is a compound-forming word (zero, few, cross, self, ...), or
  6. x (4+ letters) occurs elsewhere as a word and y is not a word ending ("-ization", "-ing", ...) but
     a word seen elsewhere or a long one ("intermediate-" + "task", "context-" + "appropriate");
and join in every other case (typesetting hyphenation is by far the most common cause of a final hyphen).
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

EDGE = 4  # lines at the top and bottom of a page where headers, footers and page numbers live
PAGE_NUMBER = re.compile(r"^(?:page\s+)?[-–]?\s*(\d{1,5})\s*[-–]?(?:\s*(?:/|of)\s*\d{1,5})?$", re.I)
VENUE_LINES = (
    re.compile(r"^Proceedings of (?:the )?.*(?:Meeting|Conference|Workshop|Symposium|pages \d+)", re.I),
    re.compile(r"©\s*\d{4}|\(c\)\s*\d{4}", re.I),
    re.compile(r"^(?:Published as a conference paper|Under review as a conference paper)", re.I),
)
# First parts that form compounds rather than being split by hyphenation ("zero-shot", "cross-lingual").
# The arXiv stamp up the left margin of page 1; pypdf puts it anywhere in the page's text.
ARXIV_STAMP = re.compile(
    r"^arXiv:(?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})v\d+\s+\[[\w.\-]+\]\s+\d{1,2} \w{3} \d{4}$"
)
COMPOUND_PREFIXES = frozenset(
    "zero few one two three cross self state well high low long short large small task language domain "
    "data model human end non".split()
)
# A continuation starting like this is a word ending, not a word: "general-" + "ization" joins.
SUFFIXES = ("tion", "sion", "ing", "ment", "ness", "ity", "ities", "ally", "ical", "able", "ible", "ance",
            "ence", "ous", "ive", "ly", "ed", "er", "es", "al", "ic", "iz", "is", "ure", "ent", "ant", "ist")
# A dash starts a list item only before a capital: "– although ..." at a line start continues a sentence.
BULLET_START = re.compile(r"^(?:[•◦▪‣∙·]|[-–*]\s+(?=[A-Z]))")
SENTENCE_START = re.compile(r"[\"'“‘(\[]?[A-Z0-9]")
WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
RUN_IN_ABSTRACT = re.compile(r"^(Abstract|ABSTRACT)\s*[.:—–]\s*(\S.*)$")  # LNCS / IEEE style
SOFT = str.maketrans({"\u00ad": None, "\t": " ", "\r": None, "\u00a0": " ", "\u200b": None})


# TeX sets an accent as its own glyph before the letter: "Popovi´c" is "Popović", "Ondˇrej" is "Ondřej".
SPACING_ACCENTS = {"´": "\u0301", "`": "\u0300", "¨": "\u0308", "ˆ": "\u0302", "˜": "\u0303", "ˇ": "\u030c",
                   "˚": "\u030a", "¸": "\u0327"}
ACCENT_BEFORE_LETTER = re.compile("([" + "".join(SPACING_ACCENTS) + "])([A-Za-z])")


def normalise(text: str) -> str:
    """NFKC (ligatures ﬁ ﬂ ﬀ ﬃ -> fi fl ff ffi, full-width forms), TeX accents joined to their letter, no soft
    hyphens, single spaces per line."""
    if not text.isascii():
        text = ACCENT_BEFORE_LETTER.sub(lambda m: m.group(2) + SPACING_ACCENTS[m.group(1)], text)
        text = unicodedata.normalize("NFKC", text)
    return text.translate(SOFT)


@dataclass
class Furniture:
    removed: list[set[int]]
    printed: list[str | None]


def find_furniture(pages: list[list[str]]) -> Furniture:
    """Running headers/footers (repeated edge lines, digits ignored), page numbers and venue stamps."""
    n = len(pages)
    removed: list[set[int]] = [set() for _ in pages]
    printed: list[str | None] = [None] * n
    edges = [sorted(set(range(min(EDGE, len(lines)))) | set(range(max(0, len(lines) - EDGE), len(lines))))
             for lines in pages]
    # Page numbers: bare numbers on the page edge whose offset to the physical page number is shared.
    offsets: Counter[int] = Counter()
    candidates: list[list[tuple[int, int]]] = []
    for p, (lines, idxs) in enumerate(zip(pages, edges)):
        found = []
        for i in idxs:
            m = PAGE_NUMBER.match(lines[i])
            if m:
                found.append((i, int(m.group(1))))
                offsets[int(m.group(1)) - (p + 1)] += 1
        candidates.append(found)
    if offsets:
        offset, count = offsets.most_common(1)[0]
        if count >= 2 or n == 1:
            for p, found in enumerate(candidates):
                for i, value in found:
                    if value - (p + 1) == offset:
                        removed[p].add(i)
                        printed[p] = str(value)
                        break
    # Running headers and footers: the same edge line (digits masked) on many pages.
    keys: Counter[str] = Counter()
    for lines, idxs in zip(pages, edges):
        keys.update({_key(lines[i]) for i in idxs})
    threshold = max(2, int(0.3 * n + 0.5))
    for p, (lines, idxs) in enumerate(zip(pages, edges)):
        for i in idxs:
            key = _key(lines[i])
            venue = p == 0 and any(v.search(lines[i]) for v in VENUE_LINES)  # stamps sit on the first page
            if (len(key) >= 4 and keys[key] >= threshold) or venue:
                removed[p].add(i)
    if pages:
        removed[0].update(i for i, line in enumerate(pages[0]) if ARXIV_STAMP.match(line))
    return Furniture(removed, printed)


def _key(line: str) -> str:
    return re.sub(r"\d+", "#", line.lower())


@dataclass
class Vocabulary:
    words: set[str] = field(default_factory=set)
    compounds: set[str] = field(default_factory=set)

    def add(self, text: str) -> None:
        for token in WORD.findall(text):
            low = token.lower()
            if "-" in low:
                self.compounds.add(low)
                self.words.update(low.split("-"))
            else:
                self.words.add(low)


def build_vocabulary(pages: list[list[str]]) -> Vocabulary:
    """Words and hyphenated compounds of the document, leaving out the fragments around line-break hyphens."""
    vocab = Vocabulary()
    for lines in pages:
        prev_hyphen = False
        for line in lines:
            text = line
            if prev_hyphen:
                text = text.split(" ", 1)[1] if " " in text else ""
            prev_hyphen = line.endswith("-")
            if prev_hyphen:
                text = text.rsplit(" ", 1)[0] if " " in text else ""
            vocab.add(text)
    return vocab


def keep_hyphen(before: str, after: str, vocab: Vocabulary) -> bool:
    """Decide a line-break hyphen: `before` is the token ending in '-', `after` the next line's first token."""
    fragment = before[:-1].lstrip("([{\"'“‘")
    x = re.search(r"[A-Za-z]+$", fragment)
    y = re.match(r"[A-Za-z]+", after)
    if not x or not y:
        return True
    x_text, y_text = x.group(0), y.group(0)
    xl, yl = x_text.lower(), y_text.lower()
    if "-" in fragment or "-" in after.rstrip("-.,;:)"):
        return True
    if f"{xl}-{yl}" in vocab.compounds:
        return True
    if xl + yl in vocab.words:
        return False
    if y_text[0].isupper() or any(c.isdigit() for c in fragment) or sum(c.isupper() for c in x_text) >= 2:
        return True
    if xl in COMPOUND_PREFIXES:
        return True
    if len(xl) >= 4 and xl in vocab.words and not yl.startswith(SUFFIXES):
        return (len(yl) >= 3 and yl in vocab.words) or len(yl) >= 6
    return False


def median_line_length(pages: list[list[str]]) -> float:
    lengths = [len(line) for lines in pages for line in lines if len(line) >= 15]
    return statistics.median(lengths) if lengths else 60.0
