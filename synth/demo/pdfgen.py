"""Render realistic research-paper PDFs (fpdf2) from a small spec: used by tests, benchmarks and `synth demo`.

The output imitates what makes real papers hard to parse: two columns, words hyphenated at line breaks
("eval-" / "uated"), typographic ligatures (U+FB01 "ﬁ" ...) when a Unicode TTF font is installed, running
headers, printed page numbers in the footer, numeric tables drawn as text, and a reference list.
Generation is deterministic: the same spec always gives the same text (and, with the fixed creation date,
the same bytes for a given fpdf2 version and font).
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from synth.core.files import write_bytes

# Searched in order; the first existing regular + bold pair is used. Without one we fall back to the PDF core
# font Times (Latin-1 only): ligature glyphs are then skipped.
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF",
             "/usr/local/share/fonts", "/Library/Fonts")
FONT_FILES = (("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"), ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"))
LIGATURES = (("ffi", "\ufb03"), ("ffl", "\ufb04"), ("ff", "\ufb00"), ("fi", "\ufb01"), ("fl", "\ufb02"))
FIXED_DATE = _dt.datetime(2020, 7, 5, tzinfo=_dt.timezone.utc)
MM_PER_PT = 0.3528
VOWELS = set("aeiouy")
DIGRAPHS = {"ch", "sh", "th", "ph", "ck", "gh", "qu", "wh"}


@dataclass
class TableSpec:
    """A numeric table: `rows` are [row label, value, value, ...]; `header` names every column incl. the label."""

    label: str
    caption: str
    header: list[str]
    rows: list[list[str | float]]
    decimals: int = 1


@dataclass
class SectionSpec:
    """One (sub)section: number '3.2', 'A' or None; tables are drawn after the paragraphs."""

    number: str | None
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[TableSpec] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"{self.number} {self.title}" if self.number else self.title


@dataclass
class PaperSpec:
    """Everything needed to draw one paper; `appendix` sections come after the references."""

    title: str
    authors: list[str]
    abstract: str
    sections: list[SectionSpec]
    references: list[str] = field(default_factory=list)
    appendix: list[SectionSpec] = field(default_factory=list)
    two_columns: bool = True
    running_header: str | None = None
    arxiv_stamp: str | None = None  # "arXiv:2005.13013v2 [cs.CL] 27 May 2020", drawn up page 1's left margin
    page_numbers: bool = True
    first_page_number: int = 1
    ligatures: bool = True
    hyphenate: bool = True
    font_size: float = 9.5


def unicode_font_paths() -> tuple[Path, Path] | None:
    """(regular, bold) TTF files of an installed Unicode font, or None when only core fonts are available."""
    for folder in FONT_DIRS:
        for regular, bold in FONT_FILES:
            r, b = Path(folder) / regular, Path(folder) / bold
            if r.is_file() and b.is_file():
                return r, b
    return None


def apply_ligatures(text: str) -> str:
    """Replace ff/fi/fl/ffi/ffl by their single-glyph ligature characters, as TeX output does."""
    for plain, lig in LIGATURES:
        text = text.replace(plain, lig)
    return text


def _latin1(text: str) -> str:
    """Make text printable with a core font (Latin-1): typographic punctuation to ASCII, rest to '?'."""
    table = {"\u2013": "-", "\u2014": "--", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
             "\u2026": "...", "\u2212": "-"}
    out = "".join(table.get(c, c) for c in text)
    return out.encode("latin-1", "replace").decode("latin-1")


def _split_points(word: str) -> list[int]:
    """Plausible hyphenation points (V-CV and VC-CV, never inside ch/sh/th/ph/ck/gh/qu), >= 3 letters a side."""
    if len(word) < 7 or not word.isalpha() or not word[1:].islower():
        return []
    w = word.lower()
    points = []
    for i in range(3, len(w) - 2):
        a, b, c = w[i - 1], w[i], w[i + 1]
        if b in VOWELS or c not in VOWELS or a + b in DIGRAPHS or b + c in DIGRAPHS:
            continue
        if a in VOWELS or a != b:
            points.append(i)
    return points


class _Layout:
    """A column-flow typesetter on top of fpdf2: wraps, hyphenates, breaks columns and pages."""

    def __init__(self, spec: PaperSpec):
        from fpdf import FPDF

        self.spec = spec
        fonts = unicode_font_paths()
        self.unicode = fonts is not None
        self.ligatures = spec.ligatures and self.unicode
        layout = self

        class _PDF(FPDF):
            def header(self) -> None:
                if spec.arxiv_stamp and self.page_no() == 1:
                    self.set_font(layout.family, "", spec.font_size + 4)
                    with self.rotation(90, 12, 200):
                        self.text(12, 200, layout.clean(spec.arxiv_stamp, ligatures=False))
                if spec.running_header:
                    self.set_font(layout.family, "", spec.font_size - 1.5)
                    self.text(layout.left, 14, layout.clean(spec.running_header, ligatures=False))

            def footer(self) -> None:
                if spec.page_numbers:
                    self.set_font(layout.family, "", spec.font_size - 1)
                    label = str(spec.first_page_number + self.page_no() - 1)
                    self.text(105 - self.get_string_width(label) / 2, 287, label)

        self.pdf = _PDF(format="A4", unit="mm")
        self.pdf.set_auto_page_break(False)
        self.pdf.set_creation_date(FIXED_DATE)
        self.pdf.set_title(self.clean(spec.title, ligatures=False))
        if self.unicode:
            self.pdf.add_font("body", "", str(fonts[0]))
            self.pdf.add_font("body", "B", str(fonts[1]))
            self.family = "body"
        else:
            self.family = "Times"
        self.left, self.right, self.top, self.bottom = 20.0, 190.0, 22.0, 278.0
        self.gap = 7.0
        self.ncols = 2 if spec.two_columns else 1
        self.col_width = (self.right - self.left - self.gap * (self.ncols - 1)) / self.ncols
        self.line_h = spec.font_size * MM_PER_PT * 1.3
        self.col = 0
        self.y = self.top
        self.col_top = self.top

    # ----------------------------------------------------------------------------------------- helpers
    def clean(self, text: str, ligatures: bool = True) -> str:
        if not self.unicode:
            return _latin1(text)
        return apply_ligatures(text) if ligatures and self.ligatures else text

    def x0(self) -> float:
        return self.left + self.col * (self.col_width + self.gap)

    def new_page(self) -> None:
        self.pdf.add_page()
        self.col, self.y, self.col_top = 0, self.top, self.top

    def need(self, height: float) -> None:
        """Move to the next column (or page) unless `height` mm still fit in the current one."""
        if self.y + height <= self.bottom:
            return
        if self.col + 1 < self.ncols:
            self.col += 1
            self.y = self.col_top
        else:
            self.new_page()

    def font(self, bold: bool = False, size: float | None = None) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size or self.spec.font_size)

    def wrap(self, text: str, width: float) -> list[str]:
        """Greedy line filling; a word that does not fit is hyphenated when a split point fits."""
        width_of = self.pdf.get_string_width
        space = width_of(" ")
        lines: list[str] = []
        line, used = "", 0.0
        for word in text.split():
            w = width_of(word)
            if not line:
                line, used = word, w
                continue
            if used + space + w <= width:
                line, used = f"{line} {word}", used + space + w
                continue
            head, tail = self._hyphenate(word, width - used - space)
            if head:
                lines.append(f"{line} {head}")
                line, used = tail, width_of(tail)
            else:
                lines.append(line)
                line, used = word, w
        if line:
            lines.append(line)
        return lines

    def _hyphenate(self, word: str, room: float) -> tuple[str, str]:
        """Split `word` so that its head plus a hyphen fits in `room` mm; ('', word) when it cannot."""
        if room <= 0 or not self.spec.hyphenate:
            return "", word
        width_of = self.pdf.get_string_width
        if "-" in word.strip("-"):  # a real compound: break after its own hyphen
            cut = word.index("-", 1) + 1
            if width_of(word[:cut]) <= room and cut < len(word):
                return word[:cut], word[cut:]
            return "", word
        core = word.rstrip(".,;:)")
        for i in reversed(_split_points(core)):
            if width_of(word[:i] + "-") <= room:
                return word[:i] + "-", word[i:]
        return "", word

    # ----------------------------------------------------------------------------------------- blocks
    def lines(self, lines: list[str], indent: float = 0.0, bold: bool = False) -> None:
        self.font(bold)
        for line in lines:
            self.need(self.line_h)
            self.pdf.text(self.x0() + indent, self.y + self.line_h * 0.8, line)
            self.y += self.line_h

    def paragraph(self, text: str) -> None:
        self.font()
        self.lines(self.wrap(self.clean(text), self.col_width))
        self.y += self.line_h * 0.4

    def heading(self, text: str) -> None:
        self.need(self.line_h * 3)  # never strand a heading at the bottom of a column
        self.y += self.line_h * 0.5
        self.font(bold=True)
        self.lines(self.wrap(self.clean(text), self.col_width), bold=True)
        self.y += self.line_h * 0.3

    def table(self, table: TableSpec) -> None:
        """Rows as text at fixed column positions, caption below (ACL style); kept in one column."""
        size = self.spec.font_size - 1
        self.font(size=size)
        caption = self.wrap(self.clean(f"{table.label}: {table.caption}"), self.col_width)
        height = self.line_h * (len(table.rows) + 2 + len(caption))
        self.need(height)
        ncols = len(table.header)
        label_w = max(self.pdf.get_string_width(str(r[0])) for r in [table.header[:1], *table.rows]) + 3
        step = max((self.col_width - label_w) / max(ncols - 1, 1), 8.0)
        self.y += self.line_h * 0.3
        for row in [table.header, *table.rows]:
            self.need(self.line_h)
            x = self.x0()
            self.pdf.text(x, self.y + self.line_h * 0.8, self.clean(str(row[0]), ligatures=False))
            for j, cell in enumerate(row[1:]):
                cell_text = f"{cell:.{table.decimals}f}" if isinstance(cell, (int, float)) else str(cell)
                cell_text = self.clean(cell_text, ligatures=False)
                right = x + label_w + step * (j + 1) - 2
                self.pdf.text(right - self.pdf.get_string_width(cell_text), self.y + self.line_h * 0.8, cell_text)
            self.y += self.line_h
        self.y += self.line_h * 0.3
        self.lines(caption)
        self.y += self.line_h * 0.5

    def title_block(self) -> None:
        spec = self.spec
        width = self.right - self.left
        self.font(bold=True, size=spec.font_size + 5)
        y = self.top + 4
        for line in self.wrap(self.clean(spec.title), width):
            self.pdf.text(105 - self.pdf.get_string_width(line) / 2, y, line)
            y += (spec.font_size + 5) * MM_PER_PT * 1.3
        self.font()
        authors = self.clean(", ".join(spec.authors), ligatures=False)
        for line in self.wrap(authors, width):
            y += self.line_h * 0.4
            self.pdf.text(105 - self.pdf.get_string_width(line) / 2, y, line)
            y += self.line_h
        self.y = self.col_top = y + self.line_h


def render_pdf(spec: PaperSpec, path: str | os.PathLike) -> Path:
    """Draw `spec` into a PDF at `path` (atomic write) and return the path."""
    layout = _Layout(spec)
    layout.new_page()
    layout.title_block()
    layout.heading("Abstract")
    layout.paragraph(spec.abstract)
    for section in spec.sections:
        layout.heading(section.heading)
        for paragraph in section.paragraphs:
            layout.paragraph(paragraph)
        for table in section.tables:
            layout.table(table)
    if spec.references:
        layout.heading("References")
        layout.font(size=spec.font_size - 0.5)
        for ref in spec.references:
            wrapped = layout.wrap(layout.clean(ref), layout.col_width - 3)
            layout.lines(wrapped[:1])
            layout.lines(wrapped[1:], indent=3)
            layout.y += layout.line_h * 0.2
    for section in spec.appendix:
        layout.heading(section.heading)
        for paragraph in section.paragraphs:
            layout.paragraph(paragraph)
        for table in section.tables:
            layout.table(table)
    path = Path(path)
    write_bytes(path, bytes(layout.pdf.output()))
    return path


__all__ = ["PaperSpec", "SectionSpec", "TableSpec", "render_pdf", "unicode_font_paths", "apply_ligatures"]
