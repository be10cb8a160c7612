"""Assemble the whole document: running text in reading order, paragraphs joined across column and page breaks,
headings tracked, captions, footnotes and figure/table text set apart; then one cleaned text per page.

Each page's text is its running text (headings and paragraphs, one per line) followed by the page's captions,
table and figure lines and footnotes, each on its own line. A paragraph that runs over a page break is joined;
the page where it starts keeps it up to the end of the sentence that crosses the break, and the next page's text
starts after that sentence. So every sentence lies inside one page's text (`Sentence.text ==
Page.text[start:end]`) and is whole; its `page` is the page where it starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from synth.papers.parse.layout import Columns, Line
from synth.papers.parse.sections import Heading, HeadingTracker
from synth.papers.parse.sentences import line_ends_sentence, split_references, split_sentences
from synth.papers.parse.text import BULLET_START, SENTENCE_START, Vocabulary, keep_hyphen

FOOTNOTE_MARKER = re.compile(r"^\d{1,2}(?=[A-Z][a-z]|https?://)")
SIDE_ORDER = {"caption": 0, "table": 1, "float": 1, "footnote": 2}
RUN_IN_MAX_WORDS = 8


@dataclass
class Placed:
    """A line with its page (0-based index), its role from the page's blocks, and its page's columns."""

    page: int
    line: Line
    role: str
    columns: Columns | None = None
    order: int = 0  # position in the page's content stream (side items keep the section active there)
    block: int = 0  # block of the page the line belongs to (a table's lines share one)


@dataclass
class Para:
    """A paragraph (or caption, footnote, heading, table line) as pieces of text on one or more pages."""

    role: str  # text | bullet | front | heading | runin | caption | footnote | float | table
    kind: str  # section kind: front | body | references | appendix
    section: list[str]
    pieces: list[tuple[int, str]] = field(default_factory=list)  # (page index, text)
    heading: Heading | None = None
    last: Placed | None = None
    first: Placed | None = None

    @property
    def text(self) -> str:
        return "".join(t for _, t in self.pieces)


@dataclass
class Segment:
    start: int
    end: int
    role: str
    section: list[str]
    kind: str


@dataclass
class PageText:
    text: str = ""
    segments: list[Segment] = field(default_factory=list)
    headings: list[tuple[Heading, int, list[str]]] = field(default_factory=list)
    table_lines: list[tuple[int, int, Placed]] = field(default_factory=list)  # (start, end, the line)
    captions: list[tuple[int, int, Placed, Placed]] = field(default_factory=list)  # (start, end, first, last line)


@dataclass
class Flow:
    """Document assembly state: the heading tracker and the statistics joins are decided with."""

    vocab: Vocabulary
    median_len: float
    body: float | None
    pitch: float | None
    tracker: HeadingTracker = field(default_factory=HeadingTracker)
    paras: list[Para] = field(default_factory=list)

    def add(self, item: Placed) -> None:
        """Place one running-text line: a heading, a run-in heading, a new paragraph or a continuation."""
        line = item.line
        text = line.text
        prev = self.paras[-1] if self.paras else None
        allowed = self._heading_allowed(line, prev)
        heading = self.tracker.detect(text) if allowed else None
        if heading is None and allowed and line.bold and not line.bold_prefix and text.endswith((".", ":")):
            heading = self.tracker.detect(text[:-1])  # a whole bold line "6.2 Word Similarity Results."
        if heading is None and prev is not None and self._continues_heading(prev, item):
            prev.pieces.append((item.page, " " + text))
            prev.last = item
            self.tracker.extend_heading(prev.heading, text)
            prev.section = self.tracker.path
            return
        if heading is not None:
            self.paras.append(Para("heading", self.tracker.kind, self.tracker.path, [(item.page, text)], heading,
                                   item))
            return
        if not self.tracker.stack:
            self.paras.append(Para("front", "front", [], [(item.page, text)], None, item))
            return
        bullet = bool(BULLET_START.match(text))
        starts = prev is None or prev.role in ("heading", "front", "runin") or bullet or self._breaks(prev, item)
        if starts and not bullet and self._run_in(line):
            prefix = line.bold_prefix
            self.paras.append(Para("runin", self.tracker.kind, self.tracker.path, [(item.page, prefix)], None, item))
            text = text[len(prefix):].lstrip()
        if starts:
            self.paras.append(Para("bullet" if bullet else "text", self.tracker.kind, self.tracker.path,
                                   [(item.page, text)], None, item))
            return
        assert prev is not None
        sep = self._separator(prev.text, text)
        if sep == "-drop":  # a hyphenated word: remove the hyphen already written, join without space
            page, piece = prev.pieces[-1]
            prev.pieces[-1] = (page, piece[:-1])
            sep = ""
        prev.pieces.append((item.page, sep + text))
        prev.last = item

    def _heading_allowed(self, line: Line, prev: Para | None) -> bool:
        """With layout, headings are bold or larger than the body ('2 We decompose ...' is text). A short line in
        body type may still be one, but not inside a paragraph: the last line of a sentence ("... in the
        Appendix.") or a line under one that does not end a sentence keeps to the paragraph."""
        if not line.has_layout or self.body is None:
            return True
        if line.bold or (line.size is not None and line.size > self.body + 0.5):
            return True
        if len(line.text.split()) > 3 or line.text.endswith((".", ",", ";")):
            return False
        if prev is not None and prev.role in ("text", "bullet") and prev.last is not None:
            return line_ends_sentence(prev.last.line.text) or prev.last.line.text.endswith(":")
        return True

    def _continues_heading(self, prev: Para, item: Placed) -> bool:
        """A heading set over two lines: the next line in the same bold type, close below, in the same column,
        and short ("3 End-to-End Neural Pipeline for" / "Goal-Oriented Dialogue System")."""
        if prev.role != "heading" or prev.heading is None or prev.last is None or prev.last.page != item.page:
            return False
        before, line = prev.last.line, item.line
        if not (line.has_layout and before.has_layout) or not (line.bold and before.bold) or line.bold_prefix:
            return False
        if line.size is None or before.size is None or abs(line.size - before.size) > 0.3:
            return False
        columns = item.columns
        if columns is not None and columns.index(before) != columns.index(line):
            return False
        gap = before.y - line.y
        if not 0 < gap <= 1.6 * line.size:
            return False
        if before.text.endswith((".", ":", "?")) or len(line.text.split()) > 8:
            return False
        return bool(line.text) and not line.text[0].isdigit()

    def _run_in(self, line: Line) -> bool:
        prefix = line.bold_prefix
        if not prefix or prefix == line.text or not prefix[0].isupper():
            return False
        words = prefix.split()
        return len(words) <= RUN_IN_MAX_WORDS and not prefix.endswith((",", "-")) and not re.search(r"\d{2}", prefix)

    def _breaks(self, prev: Para, item: Placed) -> bool:
        """Whether `item` starts a new paragraph after `prev` (indent, extra space, or a short closing line)."""
        last = prev.last
        if last is None or prev.role not in ("text", "bullet"):
            return True
        before, line = last.line, item.line
        ends = line_ends_sentence(before.text) or before.text.endswith(":")
        if not (line.has_layout and before.has_layout):
            short = len(before.text) < 0.8 * self.median_len
            return short and bool(SENTENCE_START.match(line.text)) and line_ends_sentence(before.text)
        columns = item.columns
        left = columns.left_of(line) if columns is not None else None
        same_column = last.page == item.page and columns is not None and columns.index(before) == columns.index(line)
        references = prev.kind == "references"
        if same_column and self.pitch and before.y - line.y > 1.3 * self.pitch:
            return True
        if ends and line.bold_prefix and self._run_in(line):
            return True  # a run-in heading ("Discussion We applied ...") opens a paragraph
        if not references and left is not None and line.x0 > left + 3 and ends and (
                not same_column or line.x0 > before.x0 + 3):
            return True
        short = len(before.text) < 0.75 * self.median_len
        return short and ends and bool(SENTENCE_START.match(line.text)) and prev.role == "text"

    def _separator(self, prev: str, line: str) -> str:
        if prev.endswith("-") and len(prev) > 1:
            before = prev.rsplit(" ", 1)[-1]
            if prev[-2].isalpha() and line[:1].isalpha():
                return "" if keep_hyphen(before, line.split(" ", 1)[0], self.vocab) else "-drop"
            if prev[-2].isdigit() and line[:1].isdigit():
                return ""
        if prev.endswith("–") and len(prev) > 1 and prev[-2].isdigit() and line[:1].isdigit():
            return ""
        return " "


def add_side(paras_by_page: dict[int, list[Para]], item: Placed, role: str, kind: str, section: list[str],
             continues: bool) -> None:
    """Captions and footnotes continue over their block's lines; table and figure lines stay one per line."""
    page_paras = paras_by_page.setdefault(item.page, [])
    text = item.line.text
    if role == "footnote" and not item.line.has_layout and not continues:
        marker = FOOTNOTE_MARKER.match(text)  # plain text glues the marker to the note: "1See ..."
        text = text[marker.end():] if marker else text
    if continues and page_paras and page_paras[-1].role == role and role in ("caption", "footnote"):
        para = page_paras[-1]
        sep = " "
        prev = para.text
        if prev.endswith("-") and len(prev) > 1 and prev[-2].isalpha() and text[:1].islower():
            page, piece = para.pieces[-1]
            para.pieces[-1] = (page, piece[:-1])
            sep = ""
        para.pieces.append((item.page, sep + text))
        para.last = item
        return
    page_paras.append(Para(role, kind, section, [(item.page, text)], None, item, item))


def split_across_pages(paras: list[Para]) -> None:
    """Give a paragraph that runs over a page break to the page where it starts, up to the end of the sentence
    that crosses the break; the rest stays with the next page (see the module docstring)."""
    for para in paras:
        pages = [p for p, _ in para.pieces]
        if len(set(pages)) < 2:
            continue
        full = para.text
        spans = list(split_references(full) if para.kind == "references" else split_sentences(full))
        pieces: list[tuple[int, str]] = []
        offset = 0
        cut_from = 0
        page = pages[0]
        for p, piece in para.pieces:
            if p != page:
                boundary = offset
                cut = next((e for s, e in spans if s < boundary < e), boundary)
                cut = max(cut, cut_from)
                pieces.append((page, full[cut_from:cut]))
                cut_from, page = cut, p
            offset += len(piece)
        pieces.append((page, full[cut_from:]))
        para.pieces = [(p, t.strip()) for p, t in pieces if t.strip()]
        if para.heading is None and para.pieces and para.pieces[0][0] != pages[0]:
            continue


def page_texts(n_pages: int, flow: list[Para], side: dict[int, list[Para]]) -> list[PageText]:
    """One PageText per page: running-text segments, then captions, table/figure lines and footnotes."""
    out = [PageText() for _ in range(n_pages)]
    parts: list[list[str]] = [[] for _ in range(n_pages)]

    def emit(page: int, text: str, para: Para) -> tuple[int, int]:
        built = out[page]
        start = sum(len(t) for t in parts[page]) + (1 if parts[page] else 0)
        if parts[page]:
            parts[page].append("\n")
        parts[page].append(text)
        built.segments.append(Segment(start, start + len(text), para.role, para.section, para.kind))
        return start, start + len(text)

    for para in flow:
        by_page: dict[int, str] = {}
        for page, text in para.pieces:  # pieces on one page form one segment
            by_page[page] = by_page.get(page, "") + text
        for page, text in by_page.items():
            start, _ = emit(page, text, para)
            if para.heading is not None:
                out[page].headings.append((para.heading, start, para.section))
    for page in range(n_pages):
        for para in sorted(side.get(page, []), key=lambda p: SIDE_ORDER.get(p.role, 1)):
            start, end = emit(page, para.text, para)
            if para.role in ("table", "float") and para.last is not None:
                out[page].table_lines.append((start, end, para.last))
            elif para.role == "caption" and para.first is not None and para.last is not None:
                out[page].captions.append((start, end, para.first, para.last))
    for page in range(n_pages):
        out[page].text = "".join(parts[page])
    return out
